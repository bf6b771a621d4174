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

it('a batch that fails half-written (disk full) leaves no torn line and no gap in the numbering; the next batch carries on', async () => {
  const dir = tempDir();
  const clock = fixedClock('2026-11-20T10:00:00Z');
  const j = new Journal({ dir, clock, timezone: 'Europe/Paris', writerId: 'host-1' });
  await j.append({ event: 'system-error', message: 'before' });
  // the next write puts 10 bytes on disk, then the disk is full
  const fh = (j as unknown as { handles: Map<string, { fh: import('node:fs/promises').FileHandle }> }).handles.get('2026-11-20')!.fh;
  const realWrite = fh.write.bind(fh);
  let failures = 1;
  (fh as unknown as { write: unknown }).write = async (b: Buffer, off: number) => {
    if (failures-- > 0) {
      await realWrite(b, off, 10);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return realWrite(b, off, b.length - off);
  };
  const failed = await Promise.allSettled([j.append({ event: 'system-error', message: 'lost 1' }), j.append({ event: 'system-error', message: 'lost 2' })]);
  expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect((failed[0] as PromiseRejectedResult).reason.code).toBe('ENOSPC');
  const after = await j.append({ event: 'system-error', message: 'after' });
  expect(after.seq).toBe(2);
  await j.close();
  const { lines, damaged } = await readJournalDay(dir, '2026-11-20');
  expect(damaged).toEqual([]);
  expect(lines.map((l) => [l.seq, (l as { message?: string }).message])).toEqual([
    [1, 'before'],
    [2, 'after'],
  ]);
});
