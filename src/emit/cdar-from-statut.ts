/**
 * CDAR D22B messages equivalent to a CPPStatut flow, for partners who asked for CDAR.
 * Wired to the CDAR writer (src/emit/cdar/) once it lands; until then a partner configured
 * with "CDAR" is refused at start (see config validation).
 */
import type { Config } from '../config/config';
import type { StatutFlow } from './statut/serialize';

export interface CdarMessage {
  fileName: string;
  xml: string;
}

export const CDAR_AVAILABLE = false;

export function cdarFromStatut(_config: Config, _flow: StatutFlow): CdarMessage[] {
  throw new Error('CDAR output is not available in this build');
}
