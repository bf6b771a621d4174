/**
 * Standard output read by a program that stops early (`| head -1`, `| grep -q`): the next
 * write failed with EPIPE, unhandled, and the command died with a stack trace and exit 1 —
 * "invalid" for validate, "anomalies" for reconcile, whose --catch-up then never reconciled the
 * days it had yet to do. The reader gone, the rest of the output is dropped and the command
 * ends with its own exit code. A standard output that fails otherwise (a full disk) is said.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

const CLI = [process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts')].map((a) => `'${a}'`).join(' ');

function shell(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

it('validate piped to head -c 1: exit 0 for valid files (it was 1, "invalid", with an EPIPE stack)', () => {
  const dir = tempDir('cf-epipe-');
  mkdirSync(path.join(dir, 'ok'));
  for (let i = 0; i < 60; i++) copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), path.join(dir, 'ok', `f${i}.xml`));
  const r = shell(`${CLI} validate '${path.join(dir, 'ok')}' 2>'${dir}/err' | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"; cat '${dir}/err'`);
  expect(r.stdout.split('\n')[0]).toBe('0');
  expect(r.stdout).not.toMatch(/EPIPE|Error:/);
}, 130_000);

it('a standard output that cannot be written (a full disk): said once, exit 2', () => {
  const r = shell(`${CLI} --help >/dev/full`);
  expect(r.status).toBe(2);
  expect(r.stderr.trim()).toBe('chorus-flux: standard output cannot be written (ENOSPC): what was to be printed is lost');
}, 60_000);

// found by an operator audit: a standard error that could not be written (2>>log on a full disk,
// 2>&1 | head) was an unhandled 'error' event, and the command died with exit 1 whatever it
// meant to say: reconcile's "could not run" read as "anomalies", run (which has no 1) said 1
describe('a standard error that cannot be written: the command keeps its own exit code', () => {
  it.each([
    ['reconcile, a day not begun yet: 2, not 1 ("anomalies")', `reconcile --out '${tempDir('cf-stderr-full-')}' --date 2999-01-01`],
    ['run without --out: 2', `run '${FIXTURES_INBOX}'`],
    ['an unknown command: 2', 'rnu'],
  ])('%s', (_what, args) => {
    const r = shell(`${CLI} ${args} 2>/dev/full`);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toMatch(/Error|ENOSPC/);
  }, 60_000);

  it('run to completion with stderr full: exit 0, every file has its outcome', () => {
    const dir = tempDir('cf-stderr-full-run-');
    const r = shell(`${CLI} run '${FIXTURES_INBOX}' --out '${dir}/out' --no-progress >/dev/null 2>/dev/full`);
    expect(r.status).toBe(0);
  }, 120_000);
});
