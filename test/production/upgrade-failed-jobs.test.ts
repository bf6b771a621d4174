/**
 * Upgrading in place (docs/OPERATIONS.md, "Upgrading") with jobs an older version left in the
 * failed list: the versions of 2026-11-28 and 2026-12-05, taken from the repository's history
 * (`git archive`: the repository's worktrees left alone) and run from their own sources, fail a
 * job for good (a lifecycle record the power cut left empty, as failed-jobs.test.ts), its file in
 * processing/; then this version's `jobs` lists it as it does its own, `retry <id>` queues it
 * again once the record is restored, and this version's worker gives the file its one outcome.
 * Real daemons, a real Redis of the test's own (unique prefix).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import IORedis from 'ioredis';
import { FLUX_QUEUE } from '../../src/queue/flux-queue';
import { cli, ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { journalLinesSoFar } from '../helpers/journal-lines';
import { loggedDaemon, untilHolds, type LoggedDaemon } from '../helpers/logged-daemon';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { tempDir } from '../helpers/run';
import { prodSetup } from '../helpers/watch';

const hasGit = existsSync(path.join(ROOT, '.git'));
const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() || !hasGit ? describe.skip : describe;
const until = (what: string, test: () => boolean | Promise<boolean>, ms = 60_000) => untilHolds(what, test, ms, 100);

/** The last commit of each day an installation may still run (the same as the upgrade checks of docs/OPERATIONS.md). */
const OLDER = [
  ['2026-11-28', '4d4119dd2518db0aac67c155f4391bad78d0e248'],
  ['2026-12-05', 'c4a7c2bf5b5dc55504599ed39ed551d6381ba3a2'],
] as const;

/** The sources of `commit` in a folder of their own, with this checkout's node_modules (its dependencies are a superset). */
function olderTree(commit: string): string {
  const dir = path.join(tempDir('cf-older-'), 'chorus-flux');
  mkdirSync(dir);
  execFileSync('sh', ['-c', `git -C "$0" archive "$1" | tar -x -C "$2"`, ROOT, commit, dir]);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** A daemon of the older version, run from its sources as loggedDaemon runs this one's. */
function olderDaemon(tree: string, command: 'watch' | 'worker', configFile: string, dir: string): LoggedDaemon {
  const log = path.join(dir, `older-${command}.log`);
  const child = spawn(process.execPath, ['-r', path.join(tree, 'test/helpers/ts-register.js'), path.join(tree, 'src/cli/index.ts'), command, '-c', configFile, '--metrics-port', '0'], { cwd: tree, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
  const text = () => readFileSync(log, 'utf8');
  return {
    child,
    log,
    text,
    exited: new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code))),
    lines: () => text().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function stop(daemons: LoggedDaemon[]): Promise<void> {
  for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
  await Promise.all(daemons.map((d) => d.exited));
}

describeIf('upgrading in place over jobs an older version left failed', () => {
  it.each(OLDER)('the version of %s: `jobs` lists its failed job, `retry <id>` queues it again, this version gives the file its one outcome', async (_day, commit) => {
    const tree = olderTree(commit);
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    const prefix = `upgrade-${commit.slice(0, 8)}`;
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 500 }, worker: { attempts: 2, backoffMs: 50 }, extra: { redis: { url: redis.url, prefix } } });
    const { config, configFile, dir } = setup;
    const key = (k: string) => `${prefix}:${FLUX_QUEUE}:${k}`;
    const journal = () => journalLinesSoFar(path.join(config.paths.out, 'journal')) as { event: string; sha256?: string; file?: string; by?: string; outcome?: string }[];
    const daemons: LoggedDaemon[] = [];
    try {
      // the older version: an invoice accepted, its lifecycle record then emptied (a power cut),
      // the same invoice sent again: its job fails twice, given up on, its file left in processing/
      daemons.push(olderDaemon(tree, 'watch', configFile, dir), olderDaemon(tree, 'worker', configFile, dir));
      writeFileSync(path.join(setup.inbox('op-alpha'), 'F901.xml'), invoiceNumbered(901));
      await until('the first deposit accepted by the older version', () => journal().some((l) => l.event === 'outcome' && l.outcome === 'accepted'), 120_000);
      const records = path.join(config.paths.state, 'invoices');
      const record = readdirSync(records, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => path.join(e.parentPath, e.name))[0];
      const saved = readFileSync(record);
      writeFileSync(record, '');
      writeFileSync(path.join(setup.inbox('op-alpha'), 'F901-bis.xml'), invoiceNumbered(901, ' (renvoi)'));
      await until('the older version gave the job up', async () => (await admin.zcard(key('failed'))) === 1);
      await stop(daemons.splice(0));
      const [id] = await admin.zrange(key('failed'), '0', '-1');
      expect(readdirSync(path.join(config.paths.processing, 'op-alpha'))).toHaveLength(1);

      // this version: `jobs` lists it with its file, attempts and reason (exit 1: a job failed)
      const listed = await cli(['jobs', '--config', configFile, '--json'], { timeoutMs: 60_000 });
      expect([listed.code, listed.stderr]).toEqual([1, '']);
      const seen = JSON.parse(listed.stdout) as { counts: Record<string, number>; failed: Record<string, unknown>[] };
      expect(seen.counts).toMatchObject({ failed: 1, waiting: 0, active: 0, delayed: 0 });
      expect(seen.failed).toEqual([expect.objectContaining({ id, file: 'op-alpha/F901-bis.xml', partner: 'op-alpha', attempts: 2, inProcessing: true, reason: expect.stringMatching(/lifecycle record .* cannot be read/) })]);
      const text = await cli(['jobs', '--config', configFile], { timeoutMs: 60_000 });
      expect(text.stdout).toContain(id);
      expect(text.stdout).toContain('op-alpha/F901-bis.xml');

      // the cause fixed, retried by its id, and run by this version's worker: its one outcome
      writeFileSync(record, saved);
      const retried = await cli(['retry', '--config', configFile, id], { timeoutMs: 60_000 });
      expect([retried.code, retried.stderr]).toEqual([0, '']);
      expect(retried.stdout).toMatch(new RegExp(`^retried +${id} +op-alpha/F901-bis\\.xml +queued again \\(it had failed 2 time\\(s\\): .*lifecycle record`, 'm'));
      expect(retried.stdout).toContain('1 retried, 0 already finished, 0 not retried');
      daemons.push(loggedDaemon('worker', configFile, dir));
      const sha = JSON.parse(String(await admin.hget(key(id), 'data'))).sha256 as string;
      await until('the file has its outcome', () => journal().some((l) => l.event === 'outcome' && l.sha256 === sha));
      await until('the job completed', async () => (await admin.zscore(key('completed'), id)) !== null);
      await stop(daemons.splice(0));
      const j = journal().filter((l) => l.sha256 === sha);
      expect(j.filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['duplicate']);
      expect(j.filter((l) => l.event === 'requeued').map((l) => l.by)).toEqual(['retry']);
      expect(readdirSync(path.join(config.paths.processing, 'op-alpha'))).toEqual([]);
      const after = await cli(['jobs', '--config', configFile], { timeoutMs: 60_000 });
      expect(after.code).toBe(0);
      // run again (a script stopped half-way): finished, exit 0
      const again = await cli(['retry', '--config', configFile, id], { timeoutMs: 60_000 });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^finished +${id} `, 'm'));
    } finally {
      await stop(daemons);
      admin.disconnect();
      await redis.stop();
      rmSync(path.dirname(tree), { recursive: true, force: true }); // a whole source tree: not left in /tmp
    }
  }, 300_000);
});
