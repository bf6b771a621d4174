/**
 * The journal: one file per writer and day, contiguous sequence numbers (also when a writer
 * id is reused after a restart), group-committed appends.
 */
import path from 'node:path';
import { Journal, readJournalDay } from '../../src/journal/journal';
import { fixedClock } from '../../src/util/clock';
import { tempDir } from '../helpers/run';

it('numbers lines 1, 2, 3… per writer and day, and resumes after a restart with the same writer id', async () => {
  const dir = tempDir();
  const clock = fixedClock('2026-11-20T10:00:00Z');
  const a = new Journal({ dir, clock, timezone: 'Europe/Paris', writerId: 'host-1' });
  await Promise.all(Array.from({ length: 50 }, (_, k) => a.append({ event: 'system-error', message: `m${k}` })));
  await a.close();
  const b = new Journal({ dir, clock, timezone: 'Europe/Paris', writerId: 'host-1' });
  await b.append({ event: 'system-error', message: 'after restart' });
  await b.close();
  const { lines, damaged } = await readJournalDay(dir, '2026-11-20');
  expect(damaged).toEqual([]);
  expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 51 }, (_, k) => k + 1));
  expect(path.basename(a.fileFor('2026-11-20'))).toBe('host-1.jsonl');
});
