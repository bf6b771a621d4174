/**
 * Processes on different machines sharing one state folder (issue #7), each child standing
 * for a machine: its own host name (a UTS namespace, `unshare -u`, where allowed), its own
 * clock minutes off (test/helpers/child/skew-clock.js), pids that mean nothing to the others.
 * Real files, real Redis, emptied while they allocate.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { deletePrefix, describeRedis, redisClient, REDIS_URL, uniquePrefix } from '../helpers/redis';
import { tempDir } from '../helpers/run';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const NODE = [process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), '-r', path.join(ROOT, 'test/helpers/child/skew-clock.js')];
const LOCK_CHILD = path.join(ROOT, 'test/helpers/child/lock-counter.ts');
const ID_CHILD = path.join(ROOT, 'test/helpers/child/alloc-ids.ts');

const ownHostName = spawnSync('unshare', ['-u', 'true']).status === 0;
if (!ownHostName) console.warn('unshare -u is not allowed here: the "machines" share this host name (the clocks are still skewed)');

/** The command line and environment of a process of machine `name`, whose clock is `skewMs` off. */
function onMachine(name: string, skewMs: number, args: string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env, CHORUS_TEST_CLOCK_SKEW_MS: String(skewMs) };
  const cmd = [...NODE, ...args];
  if (!ownHostName) return { cmd: cmd[0], args: cmd.slice(1), env };
  return { cmd: 'unshare', args: ['-u', 'sh', '-c', 'hostname "$0" && exec "$@"', name, ...cmd], env };
}

function runOn(name: string, skewMs: number, args: string[]): Promise<{ stdout: string }> {
  const m = onMachine(name, skewMs, args);
  return run(m.cmd, m.args, { cwd: ROOT, env: m.env, maxBuffer: 16 * 1024 * 1024 });
}

const MIN = 60_000;

describe('locks between machines', () => {
  it('3 machines with clocks 5 minutes apart doing read-modify-write under one lock lose no update', async () => {
    const dir = tempDir();
    const counter = path.join(dir, 'counter');
    writeFileSync(counter, '0');
    const lock = path.join(dir, 'locks', 'counter.lock');
    // a short staleness: a waiter ahead of the holder sees its times as long idle at once
    await Promise.all([['m-a', 5 * MIN], ['m-b', -5 * MIN], ['m-c', 0]].map(([m, skew]) => runOn(m as string, skew as number, [LOCK_CHILD, lock, counter, '120', 'count', '400'])));
    expect(readFileSync(counter, 'utf8')).toBe('360');
  }, 90000);

  it('the lock of a holder killed on a machine whose clock is ahead is taken by another machine once idle, not at once, and not minutes later', async () => {
    // the holder touched its token with its clock, minutes ahead: its lock looked active for
    // those minutes to any other machine and was never broken in time
    const dir = tempDir();
    const lock = path.join(dir, 'held.lock');
    const a = onMachine('m-a', 5 * MIN, [LOCK_CHILD, lock, '', '0', 'hold', '1500']);
    const holder = spawn(a.cmd, a.args, { cwd: ROOT, env: a.env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.on('data', (d) => d.toString().includes('held') && resolve()));
    await new Promise((r) => setTimeout(r, 800)); // a heartbeat or two, stamped 5 minutes ahead
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const started = performance.now();
    // machine B, its clock 5 minutes behind ours
    const took = (await runOn('m-b', -5 * MIN, [LOCK_CHILD, lock, '', '6000', 'try', '1500'])).stdout.trim();
    expect(took).toBe('took');
    // a pid of machine A is not judged on machine B: only idleness breaks it
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
  }, 30000);
});

describeRedis('IdCPRO between machines', () => {
  let redis: ReturnType<typeof redisClient>;
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    await redis?.quit();
  });

  it('3 machines with skewed clocks allocating while Redis is emptied again and again never share an IdCPRO', async () => {
    const dir = path.join(tempDir(), 'state', 'ids');
    const prefix = uniquePrefix('ids-machines');
    let allocating = true;
    let resets = 0;
    // Redis restarted without persistence, every 30 ms, while they allocate
    const resetter = (async () => {
      while (allocating) {
        await new Promise((r) => setTimeout(r, 30));
        await deletePrefix(redis, prefix);
        resets++;
      }
    })();
    const machines: [string, number][] = [['m-a', 5 * MIN], ['m-b', -5 * MIN], ['m-c', 0]];
    const outs = await Promise.all(machines.map(([m, skew]) => runOn(m, skew, [ID_CHILD, REDIS_URL, prefix, dir, `worker-${m}`, '1500', 'redis', '7'])));
    allocating = false;
    await resetter;
    await deletePrefix(redis, prefix);
    const ids = outs.flatMap((o) => o.stdout.trim().split('\n'));
    expect(ids).toHaveLength(4500);
    expect(ids.filter((x, i) => ids.indexOf(x) !== i)).toEqual([]);
    expect(resets).toBeGreaterThan(3);
  }, 120000);
});
