/** A journal's lines as a test reads it while daemons write it: no journal yet is none, a line being written is not one yet. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface JournalLineSeen { event: string; file?: string; outcome?: string; writer?: string }

/** Every day's lines under the journal folder `dir`, synchronously (a test's polling loop). */
export function journalLinesSoFar(dir: string): JournalLineSeen[] {
  let days: string[] = [];
  try {
    days = readdirSync(dir);
  } catch {
    return [];
  }
  return days.flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as JournalLineSeen)));
}
