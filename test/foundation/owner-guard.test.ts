/**
 * The commands that write the output tree refuse to run as another user than its owner
 * (src/cli/owner-guard.ts): run as root, a `reconcile` made a root-owned reports/ and the
 * service user's nightly reconciliation stopped on EACCES (docs/OPERATIONS.md, "Starting").
 * Real processes, as an operator types them: a tree made by a real run, given to `nobody`,
 * then every writing command run as root against it is refused, exit 2, one line naming the
 * owner and the command to use, and nothing in the tree changes (the inboxes neither);
 * `--as-any-user` lets it through. The read-only commands are never refused. And the other
 * way round, as `nobody` (setpriv) against a root-owned tree. Needs root and setpriv.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, ROOT, type CliResult } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';
import { dayOf } from '../../src/util/clock';

const NOBODY = 65534;
const canDropRoot = process.getuid?.() === 0 && ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));
if (!canDropRoot) console.warn('owner-guard.test.ts: SKIPPED — needs root (to give a tree to another user) and setpriv (to run as nobody)');
const describeIf = canDropRoot ? describe : describe.skip;

/** `chorus-flux <args>` as the user nobody. */
function asNobody(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const cmd = [process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), ...args];
    const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...cmd], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every entry under `root`: its path, owner, size and modification time (a file rewritten in place shows). */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = lstatSync(p);
      out.push(`${path.relative(root, p)} uid=${st.uid} size=${e.isDirectory() ? '-' : st.size} mtime=${st.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

function chownTree(p: string, uid: number): void {
  chownSync(p, uid, uid);
  if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(path.join(p, e), uid);
}

describeIf('the output tree is written by its owner only', () => {
  let dir: string;
  let config: string;
  let out: string;
  const prefix = `cf-owner-guard-${process.pid}`;

  beforeAll(async () => {
    dir = tempDir('cf-owner-');
    // nobody must reach the test's folder
    for (let d = dir; path.relative(os.tmpdir(), d).split(path.sep)[0] !== '..' && d !== path.dirname(d); d = path.dirname(d)) chmodSync(d, statSync(d).mode | 0o755);
    out = path.join(dir, 'out');
    const example = JSON.parse(readFileSync(path.join(ROOT, 'config/example.json'), 'utf8'));
    cpSync(FIXTURES_INBOX, path.join(dir, 'in'), { recursive: true });
    for (const p of example.partners) if (p.inbox) p.inbox = path.join(dir, 'in', p.id);
    config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ ...example, paths: { out }, redis: { prefix } }));
    // a real tree: what the service made
    const r = await cli(['run', path.join(dir, 'in'), '--config', config, '-q', '--threads', '1']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    chownTree(dir, NOBODY);
    chownSync(config, 0, 0);
  }, 120_000);

  const today = () => dayOf(new Date(), 'Europe/Paris');

  // each writing command as root, as an operator types it; what each would have written is in the comment
  const WRITING: [string, () => string[]][] = [
    ['run', () => ['run', path.join(dir, 'in'), '--config', config, '-q', '--threads', '1']], // logs/, journal
    ['reconcile', () => ['reconcile', '--config', config, '--date', today(), '-q']], // reports/
    ['prune', () => ['prune', '--config', config, '--days', '30', '-q']], // state/prune record
    ['reject', () => ['reject', '1000001', '--reason', "l'engagement jamais fourni", '--config', config]], // logs/reject-*.log
    ['set-aside', () => ['set-aside', 'some-job', '--reason', 'illisible', '--config', config]], // logs/set-aside-*.log
    ['watch', () => ['watch', '--config', config, '--metrics-port', '0']], // processing/, claims out of the inboxes
    ['worker', () => ['worker', '--config', config, '--metrics-port', '0']],
  ];

  it.each(WRITING)('%s as root in a tree owned by nobody: refused, exit 2, one line naming the owner and the command to use; nothing written', async (name, args) => {
    const before = tree(dir);
    // a REDIS_URL set: the command to use keeps it (sudo drops it)
    const r = await cli(args(), { timeoutMs: 60_000, env: { REDIS_URL: 'redis://127.0.0.1:6379' } });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // prune writes state/ only: that is the folder named
    expect(lines[0]).toContain(`chorus-flux: ${name} refused: ${name === 'prune' ? path.join(out, 'state') : out} is owned by nobody (uid 65534), and this runs as root (uid 0)`);
    expect(lines[0]).toContain(`Run it as the owner: sudo ${name === 'set-aside' || name === 'watch' || name === 'worker' ? '--preserve-env=REDIS_URL ' : ''}-u nobody ${process.execPath} `);
    expect(lines[0]).toContain('(or give --as-any-user)');
    expect(tree(dir)).toEqual(before);
  }, 90_000);

  it('the command it names, quoted for the shell, is the one typed', async () => {
    const r = await cli(['reject', '1000001', '--reason', "l'engagement jamais fourni", '--config', config]);
    expect(r.stderr).toContain(`src/cli/index.ts reject 1000001 --reason 'l'\\''engagement jamais fourni' --config ${config} (or give`);
  }, 60_000);

  it('a read-only command is not refused: trace, validate, prune --dry-run, and nothing changes', async () => {
    const before = tree(dir);
    const trace = await cli(['trace', 'facture-e1-papeterie.xml', '--config', config]);
    expect([trace.code, trace.stderr]).toEqual([0, '']);
    expect(trace.stdout).toContain('facture-e1-papeterie.xml');
    const dry = await cli(['prune', '--config', config, '--dry-run']);
    expect([dry.code, dry.stderr]).toEqual([0, '']);
    expect(dry.stdout).toContain('would remove 0 processed mark(s)');
    const validate = await cli(['validate', path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml')]);
    expect([validate.code, validate.stderr]).toEqual([0, '']);
    expect(tree(dir)).toEqual(before);
  }, 90_000);

  it('jobs and retry, which write only to Redis, are not refused', async () => {
    const before = tree(dir);
    const env = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
    const jobs = await cli(['jobs', '--config', config, '--resume'], { env });
    expect([jobs.code, jobs.stderr]).toEqual([0, '']);
    expect(jobs.stdout).toContain('no failed job');
    const retry = await cli(['retry', '--config', config, 'no-such-job'], { env });
    expect(retry.stderr).toBe('');
    expect(retry.stdout).toContain('no-such-job');
    expect(tree(dir)).toEqual(before);
  }, 90_000);

  it('with --as-any-user, root writes all the same (its files root\'s, as asked)', async () => {
    const reconcile = await cli(['reconcile', '--config', config, '--date', today(), '-q', '--as-any-user']);
    expect(reconcile.stderr).toBe('');
    expect([0, 1]).toContain(reconcile.code);
    expect(statSync(path.join(out, 'reports')).uid).toBe(0);
    const prune = await cli(['prune', '--config', config, '--days', '30', '-q', '--as-any-user']);
    expect([prune.code, prune.stderr]).toEqual([0, '']);
    const run = await cli(['run', path.join(dir, 'in'), '--config', config, '-q', '--threads', '1', '--as-any-user']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(readdirSync(path.join(out, 'logs')).map((n) => statSync(path.join(out, 'logs', n)).uid).sort()).toContain(0);
    chownTree(dir, NOBODY); // as the operator then must
  }, 120_000);

  it('run as nobody, its owner, in its tree: not refused', async () => {
    const r = await asNobody(['reconcile', '--config', config, '--date', today(), '-q']);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
  }, 60_000);

  it('an output root that does not exist yet is no one\'s: the first run makes it and owns it', async () => {
    const fresh = path.join(dir, 'fresh-out');
    const r = await cli(['run', path.join(dir, 'in', 'op-alpha'), '--out', fresh, '--config', config, '-q', '--threads', '1']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(statSync(fresh).uid).toBe(0);
  }, 60_000);

  it('as nobody in a root-owned tree (an installation that left it to root): not refused (an upgrade must not stop a working service), one line saying to give it to the service user', async () => {
    const rootOwned = tempDir('cf-owner-root-');
    chmodSync(rootOwned, 0o777); // nobody could write it: the refusal is the guard's, not a permission denied
    const r0 = await cli(['run', path.join(dir, 'in', 'op-beta'), '--out', rootOwned, '--config', config, '-q', '--threads', '1']);
    expect([r0.code, r0.stderr]).toEqual([0, '']);
    const r = await asNobody(['reconcile', '--out', rootOwned, '--config', config, '--date', today(), '-q']);
    expect([0, 1]).toContain(r.code);
    expect(r.stderr).toBe(`chorus-flux: reconcile: warning: ${rootOwned} is owned by root, and this runs as nobody (uid 65534): root's commands cannot be told from the service's, so nothing guards this tree against a command run as root; give it to the user chorus-flux runs as (as root: chown -R nobody ${rootOwned}, if it runs as nobody; the owner only, the partners' groups stay)\n`);
    expect(existsSync(path.join(rootOwned, 'reports', `reconcile-${today()}.json`))).toBe(true);
  }, 90_000);
});
