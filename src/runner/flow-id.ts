/**
 * Flow ids (IdFlx): unique, and stable for the same attempt at a content, so that processing
 * the same file again (a crash's replay) writes the same output names (an overwrite with
 * identical bytes, never a copy).
 */
import type { AttemptRecord } from '../state/processed-files';
import { sha256 } from '../util/hash';

const partText = (p: string | number | undefined) => String(p ?? '');

export function flowId(...parts: (string | number | undefined)[]): string {
  return 'CFX' + sha256(parts.map(partText).join('\u0000')).slice(0, 21).toUpperCase();
}

/**
 * What the flow ids of an attempt at a content start from: its SHA-256 and the attempt's salt
 * (its receipt time, kept in the attempt record). From the content alone, the same refused
 * bytes dropped again once `prune` had removed their mark got the status flow name and IdFlx
 * of the first refusal, which a partner may discard as already received. A replay of the same
 * attempt takes the record back, hence the same names; a record written before salts has none.
 */
export function flowSeed(sha: string, attempt: Pick<AttemptRecord, 'flowSalt'> | undefined): readonly string[] {
  return attempt?.flowSalt === undefined ? [sha] : [sha, attempt.flowSalt];
}
