/**
 * SIGTERM and SIGINT as an operator (or systemd) sends them to a daemon in trouble. Before:
 * a signal during the start (Redis awaited) killed the process the default way (exit 143,
 * nothing logged); a worker whose Redis was down logged "shutdown bound reached: exiting" and
 * lived on, its connection retrying; a second signal was the default death too, unlogged.
 * Now the start is left at once with exit 0 (nothing was taken in yet), the bound ends the
 * process whatever is still open, and a second signal exits at once, said.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { describeRedis } from '../helpers/redis';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { daemon, type Daemon } from '../helpers/daemon';

async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const messages = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).msg as string);

/**
 * Runs `script` (which writes "installed" once early-signals is loaded), sends SIGTERM once it
 * has, and resolves with how it ended, or 'still running 20 s later', and its stderr.
 */
async function sigtermWhileStarting(script: string): Promise<{ end: { code: number | null; signal: NodeJS.Signals | null } | string; err: string }> {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  while (!err.includes('installed')) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGTERM');
  const timeout = new Promise<string>((r) => setTimeout(() => r('still running 20 s later'), 20_000).unref());
  const end = await Promise.race([exited, timeout]);
  child.kill('SIGKILL');
  return { end, err };
}

const EARLY = JSON.stringify(path.join(ROOT, 'src/cli/early-signals.ts'));

it('a signal while the modules load: exit 0 and said, not the default death (exit 143, nothing said)', async () => {
  // as index.ts: early-signals first, then the command's modules (seconds on a busy host)
  const r = await sigtermWhileStarting(`require(${EARLY}); process.stderr.write('installed\\n'); require(${JSON.stringify(path.join(ROOT, 'src/cli/main.ts'))}); setTimeout(() => {}, 60000);`);
  expect(r.end).toEqual({ code: 0, signal: null });
  expect(r.err).toContain('chorus-flux: SIGTERM while starting: stopped before anything was read or taken in');
}, 60_000);

it('a signal while the modules load, the loop blocked until the command takes over: still exit 0 and said (it was dropped with the early listener, and run went on to the end of its inbox)', async () => {
  // as index.ts: early-signals, a second of loading that holds the loop, then endEarlySignals() at once
  const r = await sigtermWhileStarting(`const e = require(${EARLY}); process.stderr.write('installed\\n'); const end = Date.now() + 1500; while (Date.now() < end); e.endEarlySignals(); setTimeout(() => {}, 60000);`);
  expect(r.end).toEqual({ code: 0, signal: null });
  expect(r.err).toContain('chorus-flux: SIGTERM while starting: stopped before anything was read or taken in');
}, 60_000);

describe('a signal while the start awaits Redis', () => {
  it.each(['watch', 'worker'] as const)('%s: exit 0 at once, said', async (command) => {
    const setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: `redis://127.0.0.1:${await deadPort()}`, prefix: 'cf-signals' } } });
    const d = daemon(command, setup.configFile);
    await d.said('waiting for it');
    const sent = Date.now();
    d.kill('SIGTERM');
    const end = await d.exited;
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(end.at - sent).toBeLessThan(5000);
    expect(messages(d.stderr())).toContain('stopping before the start finished: nothing was taken in yet, exiting');
  }, 60_000);
});

(redisServerAvailable() ? describeRedis : describe.skip)('a worker whose Redis goes away', () => {
  let redis: OwnRedis;
  beforeEach(async () => {
    redis = await OwnRedis.start();
  });
  afterEach(async () => {
    await redis.stop();
  });

  /** A started worker whose Redis is then killed. */
  async function workerWithoutRedis(shutdownTimeoutMs: number): Promise<Daemon> {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { shutdownTimeoutMs }, extra: { redis: { url: redis.url, prefix: 'cf-signals' } } });
    const d = daemon('worker', setup.configFile);
    await d.said('worker started');
    await redis.kill();
    return d;
  }

  it('exits 0 at the shutdown bound, whatever is still open', async () => {
    const d = await workerWithoutRedis(500);
    const sent = Date.now();
    d.kill('SIGTERM');
    const end = await d.exited;
    expect([end.code, end.signal]).toEqual([0, null]);
    // the bound (0.5 s) and its second of grace, then the exit; not the minutes of retrying it used to take
    expect(end.at - sent).toBeLessThan(6000);
    expect(messages(d.stderr())).toContain('stopping');
  }, 60_000);

  it('watch says it stopped, as the worker does (it said only "stopping")', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: redis.url, prefix: 'cf-signals' } } });
    const d = daemon('watch', setup.configFile);
    await d.said('watch started');
    d.kill('SIGTERM');
    const end = await d.exited;
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(messages(d.stderr()).some((m) => m.startsWith('watch stopped'))).toBe(true);
  }, 60_000);

  it('a second signal exits at once, said', async () => {
    const d = await workerWithoutRedis(60_000);
    d.kill('SIGTERM');
    await d.said('"stopping"');
    d.kill('SIGINT');
    const end = await d.exited;
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(messages(d.stderr())).toContain('second signal: exiting now');
  }, 60_000);
});
