/**
 * A file in the inbox this user may not read (chmod 000: an upload tool's umask, another
 * account's file). It is not refused: its bytes are unknown, and a partner must not get a
 * rejection for a permission of ours. The run processes the other files, leaves it in the
 * inbox and exits 2 (DESIGN §7: a file without an outcome is a system failure), every run
 * until its permissions are fixed, with one plain line that names it; once readable it is
 * processed like any file. The run is made as `nobody` (root reads any file): the test needs
 * root and setpriv.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

const canDropRoot = process.getuid?.() === 0 && ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));
const itIf = canDropRoot ? it : it.skip;

/** `chorus-flux <args>` as the user nobody. */
function runAsNobody(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

itIf('is left in the inbox and named in one plain line, exit 2, until it can be read; then processed', async () => {
  const dir = tempDir('cf-unreadable-');
  // nobody must reach the test's folder
  for (let d = dir; path.relative(os.tmpdir(), d).split(path.sep)[0] !== '..' && d !== path.dirname(d); d = path.dirname(d)) chmodSync(d, statSync(d).mode | 0o755);
  const inbox = path.join(dir, 'in', 'op-alpha');
  mkdirSync(inbox, { recursive: true });
  copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml'), path.join(inbox, 'readable.xml'));
  copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'avoir-e1-lycee.xml'), path.join(inbox, 'locked.xml'));
  for (const p of [dir, path.join(dir, 'in'), inbox, ...readdirSync(inbox).map((n) => path.join(inbox, n))]) chownSync(p, 65534, 65534);
  chmodSync(path.join(inbox, 'locked.xml'), 0o000);
  const args = ['run', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--quiet', '--remove'];

  for (let k = 0; k < 2; k++) {
    const r = await runAsNobody(args);
    expect(r.code).toBe(2);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('chorus-flux: '));
    expect(said).toEqual(['chorus-flux: 1 file(s) not finished: permission denied (op-alpha/locked.xml). Give this user read access to the inboxes and write access to the output folder, then run again. Files not finished are left in the inbox; the next run recognises those already done and does not process them twice.']);
    expect(readdirSync(inbox)).toEqual(['locked.xml']);
    expect(existsSync(path.join(dir, 'out', 'error'))).toBe(false); // not refused
  }

  chmodSync(path.join(inbox, 'locked.xml'), 0o644);
  const fixed = await runAsNobody(args);
  expect([fixed.code, fixed.stderr]).toEqual([0, '']);
  expect(readdirSync(inbox)).toEqual([]);
  const archived = readdirSync(path.join(dir, 'out', 'archive')).flatMap((day) => readdirSync(path.join(dir, 'out', 'archive', day)));
  expect(archived.sort()).toEqual(['locked.xml', 'readable.xml']);
}, 120_000);
