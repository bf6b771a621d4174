/** A nightly reconciliation due in a few seconds, and a journal day for it to reconcile. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A daily six-field cron pattern (UTC) firing `inMs` from now. */
export function cronIn(inMs: number): { pattern: string; at: number } {
  const at = new Date(Math.ceil((Date.now() + inMs) / 1000) * 1000);
  return { pattern: `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`, at: at.getTime() };
}

/** A journal day holding `lines` received files (each an anomaly: it is enough to take the reconciliation a while). */
export function journalDay(out: string, day: string, lines: number): void {
  const dir = path.join(out, 'journal', day);
  mkdirSync(dir, { recursive: true });
  const text = Array.from({ length: lines }, (_, i) => JSON.stringify({ ts: `${day}T12:00:00.000Z`, seq: i + 1, writer: 'test', event: 'received', sha256: i.toString(16).padStart(64, '0'), file: `op-alpha/f-${i}.xml`, partner: 'op-alpha', bytes: 100, receivedAt: `${day}T12:00:00.000Z` })).join('\n');
  writeFileSync(path.join(dir, 'test-1.jsonl'), `${text}\n`);
}
