/**
 * `watch` + `worker` as the service user, and a file it may not read (chmod 000: an upload
 * tool's umask, another account's file). It was claimed (a rename needs no read access), could
 * not be hashed, so it sat in processing/ with no job and no journal line, while every rescan
 * failed on it ("rescan failed (will retry)" each rescan, the operator told "the rescan queues it
 * again"): and with it, no other claimed file waiting in processing/ (a crash, Redis emptied)
 * was queued again. Now an unreadable inbox file is left in the inbox, said once, and claimed
 * once it can be read; a claimed file that cannot be read (its permissions changed after the
 * claim) is said once and skipped, the others queued. Run as `nobody` (root reads any file):
 * the test needs root and setpriv.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { CLAIM_SEPARATOR, newClaimId } from '../../src/ingest/claim';
import { ROOT } from '../helpers/cli';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { FIXTURES_INBOX } from '../helpers/run';
import { until } from '../helpers/until';
import { prodSetup, type ProdSetup } from '../helpers/watch';

const canDropRoot = process.getuid?.() === 0 && ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));
const itIf = canDropRoot ? it : it.skip;

/** `chorus-flux <command> --config <file>` as the user nobody, its stderr's JSON lines collected. */
function asNobody(command: string, configFile: string, lines: { level: number; msg: string; file?: string; processing?: string }[]): ChildProcess {
  const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), command, '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let rest = '';
  child.stderr?.on('data', (d) => {
    const all = rest + d;
    const parts = all.split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) {
      try {
        lines.push(JSON.parse(l));
      } catch {
        lines.push({ level: 0, msg: l });
      }
    }
  });
  return child;
}

function outcomes(setup: ProdSetup): string[] {
  const dir = path.join(setup.config.paths.out, 'journal');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((p) => statSync(p).isFile())
    .flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; file?: string }))
    .filter((e) => e.event === 'outcome')
    .map((e) => e.file as string)
    .sort();
}

describeRedis('watch and worker meet a file the service user may not read', () => {
  let redis: Redis;
  let setup: ProdSetup;
  afterAll(async () => {
    if (redis) {
      await deletePrefix(redis, setup.config.redis.prefix);
      await redis.quit();
    }
  });

  itIf('an inbox file is left in the inbox, said once, claimed once readable; an unreadable claimed file does not keep the others from being queued again', async () => {
    redis = redisClient();
    setup = prodSetup({ partners: ['op-alpha'], watch: { rescanMs: 1000 } });
    // nobody must reach the test's folder
    for (let d = setup.dir; path.relative(os.tmpdir(), d).split(path.sep)[0] !== '..' && d !== path.dirname(d); d = path.dirname(d)) chmodSync(d, statSync(d).mode | 0o755);
    const inbox = setup.inbox('op-alpha');
    const claimed = path.join(setup.config.paths.processing, 'op-alpha');
    require('node:fs').mkdirSync(claimed, { recursive: true });
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml'), path.join(inbox, 'readable.xml'));
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'avoir-e1-lycee.xml'), path.join(inbox, 'locked.xml'));
    // claimed before a crash, with no job (Redis emptied): one readable, one not
    const orphan = path.join(claimed, `${newClaimId()}${CLAIM_SEPARATOR}orphan.xml`);
    const stuck = path.join(claimed, `${newClaimId()}${CLAIM_SEPARATOR}stuck.xml`);
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'decompte-travaux-a4.xml'), orphan);
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'destinataire-inconnu.xml'), stuck);
    const walk = (d: string): string[] => [d, ...readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))];
    for (const p of walk(setup.dir)) chownSync(p, 65534, 65534);
    chmodSync(path.join(inbox, 'locked.xml'), 0o000);
    chmodSync(stuck, 0o000);

    const watchSaid: { level: number; msg: string; file?: string; processing?: string }[] = [];
    const workerSaid: typeof watchSaid = [];
    const worker = asNobody('worker', setup.configFile, workerSaid);
    const watch = asNobody('watch', setup.configFile, watchSaid);
    try {
      // the readable ones, and the orphan queued again by the rescan (after its grace of 5 s)
      await until('readable.xml and the orphan processed', async () => (outcomes(setup).length >= 2 ? true : undefined), 90_000);
      await new Promise((r) => setTimeout(r, 3000)); // a few more rescans
      expect(outcomes(setup)).toEqual(['op-alpha/orphan.xml', 'op-alpha/readable.xml']);
      expect(readdirSync(inbox)).toEqual(['locked.xml']); // not claimed
      // said once each, plainly; no rescan failing at every turn
      expect(watchSaid.filter((l) => /rescan failed/.test(l.msg))).toEqual([]);
      const locked = watchSaid.filter((l) => l.level >= 40 && JSON.stringify(l).includes('locked.xml'));
      expect(locked).toHaveLength(1);
      expect(JSON.stringify(locked[0])).toMatch(/permission denied: this user may not read it/);
      const stuckSaid = watchSaid.filter((l) => l.level >= 40 && JSON.stringify(l).includes('stuck.xml'));
      expect(stuckSaid).toHaveLength(1);
      expect(stuckSaid[0].msg).toMatch(/cannot be read .*give this user read access/);

      // once readable, both are taken: every file exactly one outcome
      chmodSync(path.join(inbox, 'locked.xml'), 0o644);
      chmodSync(stuck, 0o644);
      await until('locked.xml and stuck.xml processed', async () => (outcomes(setup).length >= 4 ? true : undefined), 90_000);
      await new Promise((r) => setTimeout(r, 2000));
      expect(outcomes(setup)).toEqual(['op-alpha/locked.xml', 'op-alpha/orphan.xml', 'op-alpha/readable.xml', 'op-alpha/stuck.xml']);
      expect(readdirSync(inbox)).toEqual([]);
      // each claimed file removed after its outcome line: waited for, not read at a fixed time (the worker may still be on the last one's removal on a loaded host)
      await until('processing/ emptied', async () => (walk(setup.config.paths.processing).filter((p) => statSync(p).isFile()).length === 0 ? true : undefined), 60_000);
    } finally {
      for (const c of [watch, worker]) c.kill('SIGTERM');
      await Promise.all([watch, worker].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('close', r)))));
    }
  }, 240_000);
});
