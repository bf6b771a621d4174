/**
 * `run --threads 2` gives every file the same outcome and the same output files as the
 * single-threaded runner (names derive from content; only the IdCPRO values, allocated in
 * processing order, may differ), and a second run finds every file already processed.
 */
import { readFileSync } from 'node:fs';
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

it('--quiet prints nothing when all went well; the log file keeps the summary', async () => {
  const out = tempDir();
  const r = await cli(['run', FIXTURES_INBOX, '--out', out, '--threads', '2', '--quiet']);
  expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
  const logs = listFiles(path.join(out, 'logs'));
  expect(logs).toHaveLength(1);
  const last = JSON.parse(readFileSync(path.join(out, 'logs', logs[0]), 'utf8').trimEnd().split('\n').pop() as string) as { msg: string; files: number; failures: number; byKind: { kind: string; files: number }[] };
  expect([last.msg, last.files, last.failures]).toEqual(['run finished', 13, 0]);
  expect(last.byKind.find((k) => k.kind === 'TOTAL')?.files).toBe(13);
  expect(last.byKind.filter((k) => k.kind !== 'TOTAL').reduce((n, k) => n + k.files, 0)).toBe(13);
}, 60000);
