/**
 * `run --threads 2` gives every file the same outcome and the same output files as the
 * single-threaded runner (names derive from content; only the IdCPRO values, allocated in
 * processing order, may differ), and a second run finds every file already processed.
 */
import path from 'node:path';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, listFiles, tempDir } from '../helpers/run';

function outputs(out: string): string[] {
  return listFiles(out, ['journal', 'logs', 'state']);
}

it('runs on worker threads with the same results as on one thread', async () => {
  const one = tempDir();
  const two = tempDir();
  const r1 = await cli(['run', FIXTURES_INBOX, '--out', one, '--no-progress', '--threads', '1']);
  const r2 = await cli(['run', FIXTURES_INBOX, '--out', two, '--no-progress', '--threads', '2']);
  expect([r1.code, r2.code]).toEqual([0, 0]);
  expect(outputs(two)).toEqual(outputs(one));
  // one journal file per thread plus the main thread's
  const day = listFiles(path.join(two, 'journal'));
  expect(day.some((f) => /-t1-/.test(f))).toBe(true);
  // the threads' lock tokens went with them
  expect(listFiles(path.join(two, 'state')).filter((f) => f.includes('.lock-token.'))).toEqual([]);
  const again = await cli(['run', FIXTURES_INBOX, '--out', two, '--no-progress', '--threads', '2']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/already processed[\s\S]*TOTAL[^\n]*13\s*│\s*$/m);
}, 120000);
