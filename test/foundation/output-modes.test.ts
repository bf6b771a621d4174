/**
 * The modes of what chorus-flux writes, as docs/OPERATIONS.md ("Who can read the outputs")
 * promises them: every file 0644 and every folder 0755 less the process's umask (systemd's
 * `UMask=`), whatever mode the partner's upload had. The run is made as `nobody`, as under
 * its unit (root reads and writes any file, whatever its mode): the test needs root and
 * setpriv.
 *
 * A file over `limits.maxFileBytes` is copied to error/ by the kernel, which gave the copy the
 * upload's mode: a read-only upload (0444: WinSCP keeping a Windows read-only file's
 * attribute) made a copy its writer could not open to sync, and the run failed on it at every
 * pass with "permission denied … give this user read access", which it had; a world-writable
 * upload (an SFTP server's umask 000) made a kept original anyone on the machine could change.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

const canDropRoot = process.getuid?.() === 0 && ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));
const itIf = canDropRoot ? it : it.skip;

/** `chorus-flux <args>` as the user nobody, under `umask`. */
function runAsNobody(umask: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const cli = [process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), ...args];
    const child = spawn('sh', ['-c', `umask ${umask} && exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"`, 'sh', ...cli], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Every entry under `root` with its permission bits, `d` for a folder. */
function modes(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(`${e.isDirectory() ? 'd' : '-'}${(statSync(p).mode & 0o7777).toString(8)}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return [...new Set(out)].sort();
}

describe('the modes of the outputs', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('cf-modes-');
    // nobody must reach the test's folder
    for (let d = dir; path.relative(os.tmpdir(), d).split(path.sep)[0] !== '..' && d !== path.dirname(d); d = path.dirname(d)) chmodSync(d, statSync(d).mode | 0o755);
  });

  /** An inbox of op-alpha with a normal upload, a read-only and a world-writable one over the size limit; the run's arguments. */
  function setUp(): string[] {
    const inbox = path.join(dir, 'in', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml'), path.join(inbox, 'accepted.xml'));
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'avoir-e1-lycee.xml'), path.join(inbox, 'read-only-big.xml'));
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'destinataire-inconnu.xml'), path.join(inbox, 'world-writable-big.xml'));
    for (const p of [dir, path.join(dir, 'in'), inbox, ...readdirSync(inbox).map((n) => path.join(inbox, n))]) chownSync(p, 65534, 65534);
    chmodSync(path.join(inbox, 'read-only-big.xml'), 0o444);
    chmodSync(path.join(inbox, 'world-writable-big.xml'), 0o666);
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ partners: [{ id: 'op-alpha', statusFormats: ['CPPStatut', 'CDAR'] }], recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }], limits: { maxFileBytes: 4700 } }));
    chmodSync(config, 0o644);
    return ['run', path.join(dir, 'in'), '--out', path.join(dir, 'out'), '--config', config, '--quiet', '--remove', '--threads', '1'];
  }

  itIf('0644 and 0755 under umask 022, whatever the upload’s mode: a read-only upload over the size limit is refused, not failed at every run', async () => {
    const r = await runAsNobody('022', setUp());
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(readdirSync(path.join(dir, 'in', 'op-alpha'))).toEqual([]);
    const [day] = readdirSync(path.join(dir, 'out', 'error'));
    expect(readdirSync(path.join(dir, 'out', 'error', day)).filter((n) => n.endsWith('-big.xml')).sort()).toEqual(['read-only-big.xml', 'world-writable-big.xml']);
    expect(modes(path.join(dir, 'out'))).toEqual(['-644', 'd755']);
  }, 120_000);

  itIf('0640 and 0750 under umask 027 (UMask=0027 in the units)', async () => {
    const r = await runAsNobody('027', setUp());
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(modes(path.join(dir, 'out'))).toEqual(['-640', 'd750']);
  }, 120_000);
});
