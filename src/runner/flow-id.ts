/**
 * Flow ids (IdFlx): unique, and stable for the same content, so that processing the same
 * file again writes the same output names (an overwrite with identical bytes, never a copy).
 */
import { sha256 } from '../util/hash';

export function flowId(...parts: (string | number | undefined)[]): string {
  return 'CFX' + sha256(parts.map((p) => String(p ?? '')).join('\u0000')).slice(0, 21).toUpperCase();
}
