/**
 * `run` asked to stop (Ctrl-C, `systemctl stop`). Before, a SIGINT or SIGTERM ended it the
 * default way (exit 130 or 143, nothing said): the files in flight were `received` with no
 * outcome, the journal had no `stop` line, and the reconciliation reported them lost until the
 * next run. Now the files begun are finished, no other is begun, the run says so and exits 0;
 * the next run takes the others, and the day reconciles clean.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { cli, ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { tempDir } from '../helpers/run';

const FILES = 400;

function journalOutcomes(out: string): number {
  const dir = path.join(out, 'journal', dayOf(new Date(), 'Europe/Paris'));
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((n, f) => n + (readFileSync(path.join(dir, f), 'utf8').match(/"event":"outcome"/g)?.length ?? 0), 0);
}

describe.each([['1'], ['2']])('run --threads %s, asked to stop', (threads) => {
  it('finishes the files begun, begins no other, says so and exits 0; the next run takes the rest', async () => {
    const root = tempDir('cf-run-signal-');
    const inbox = path.join(root, 'in', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    for (let n = 1; n <= FILES; n++) writeFileSync(path.join(inbox, `f-${n}.xml`), invoiceNumbered(30_000 + n));
    const out = path.join(root, 'out');
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'run', path.join(root, 'in'), '--out', out, '--no-progress', '--threads', threads], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 600 && journalOutcomes(out) < 5; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/chorus-flux: stopped by SIGTERM: every file begun has its outcome; \d+ file\(s\) not begun, left in the inbox for the next run/);
    expect(stdout).toMatch(/not begun: \d+ \(the run was asked to stop/);
    // the footer counts the files taken, the not begun apart (it counted all the files listed)
    const notBegun = Number(/not begun: (\d+)/.exec(stdout)?.[1]);
    const footer = /·\s+(\d+) file\(s\) in [\d.]+ s \((\d+) not begun\)/.exec(stdout);
    expect([Number(footer?.[1]) + Number(footer?.[2]), Number(footer?.[2])]).toEqual([FILES, notBegun]);

    const day = dayOf(new Date(), 'Europe/Paris');
    const first = await readJournalDay(path.join(out, 'journal'), day);
    const received = new Set(first.lines.filter((l) => l.event === 'received').map((l) => (l as { sha256: string }).sha256));
    const done = new Set(first.lines.filter((l) => l.event === 'outcome').map((l) => (l as { sha256: string }).sha256));
    // every file begun has its outcome; some were not begun
    expect([...received].filter((s) => !done.has(s))).toEqual([]);
    expect(done.size).toBeGreaterThan(0);
    expect(done.size).toBeLessThan(FILES);
    expect(first.lines.filter((l) => l.event === 'stop').map((l) => (l as { reason: string }).reason)).toEqual([expect.stringMatching(/^asked to stop: \d+ file\(s\) not begun, left in the inbox$/)]);

    // the next run takes the others, each once; the day is clean
    const again = await cli(['run', path.join(root, 'in'), '--out', out, '--no-progress', '--threads', threads], { timeoutMs: 120_000 });
    expect(again.code).toBe(0);
    const second = await readJournalDay(path.join(out, 'journal'), day);
    const outcomes = second.lines.filter((l) => l.event === 'outcome').map((l) => (l as { sha256: string }).sha256);
    expect(new Set(outcomes).size).toBe(FILES);
    const rec = await cli(['reconcile', '--date', day, '--out', out], { timeoutMs: 120_000 });
    expect([rec.code, rec.stdout]).toEqual([0, expect.stringContaining('CLEAN')]);
  }, 180_000);
});
