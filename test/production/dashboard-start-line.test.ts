/**
 * `chorus-flux dashboard` has no login. Read-only (the default) it says so at level info; with
 * `dashboard.readOnly` false anyone who reaches its port can pause, empty or obliterate the
 * queues and retry or remove jobs, and its start line says so as a warning. Found by an audit:
 * that line was at level info, among the routine ones, where a filter on warnings never showed it.
 *
 * Its Redis is checked as watch's and worker's: a refused password stops it (exit 2, one plain
 * line), a Redis that cannot be reached is said in JSON lines, once. Before, it started either
 * way, showed nothing, and BullMQ printed a multi-line stack trace on stderr at every
 * reconnection (a hundred lines in 4 s), no JSON, and no word of what was wrong.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis, { type Redis } from 'ioredis';
import { ROOT } from '../helpers/cli';
import { closedPort } from '../helpers/closed-port';
import { describeRedis, suiteRedis } from '../helpers/redis';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

function dashboard(configFile: string) {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'dashboard', '-c', configFile, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
  const out = { child, exited, stderr: '' };
  child.stderr.on('data', (d) => (out.stderr += d));
  return out;
}

/** The configuration with another Redis URL. */
function withRedis(configFile: string, url: string, name: string): string {
  const raw = JSON.parse(readFileSync(configFile, 'utf8'));
  const file = path.join(path.dirname(configFile), name);
  writeFileSync(file, JSON.stringify({ ...raw, redis: { ...raw.redis, url } }));
  return file;
}

/** The dashboard's start line (its first JSON line) and its exit code after SIGTERM. */
async function startLine(configFile: string): Promise<{ line: { level: number; msg: string; url: string; readOnly: boolean }; code: number | string | null }> {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'dashboard', '-c', configFile, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const line = await until('the start line', async () => stderr.split('\n').find((l) => l.includes('dashboard started')), 30_000);
    child.kill('SIGTERM');
    return { line: JSON.parse(line), code: await exited };
  } finally {
    child.kill('SIGKILL');
  }
}

describeRedis('the dashboard says at start what anyone reaching it may do', () => {
  const setup = prodSetup({ partners: ['op-alpha'] });
  const shared = suiteRedis(setup.config.redis.prefix);

  it('read-only (the default): info, on 127.0.0.1', async () => {
    const { line, code } = await startLine(setup.configFile);
    expect(line).toMatchObject({ level: 30, readOnly: true, msg: 'dashboard started (read-only: it has no login)' });
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(code).toBe(0);
  }, 40_000);

  it('not read-only: a warning', async () => {
    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
    const file = path.join(setup.dir, 'config-rw.json');
    writeFileSync(file, JSON.stringify({ ...raw, dashboard: { readOnly: false } }));
    const { line, code } = await startLine(file);
    expect(line).toMatchObject({ level: 40, readOnly: false, msg: expect.stringMatching(/^dashboard started: ANYONE who reaches this port can pause/) });
    expect(code).toBe(0);
  }, 40_000);

  (redisServerAvailable() ? it : it.skip)('a Redis that refuses the password: exit 2, one plain line', async () => {
    const own = await OwnRedis.start();
    const admin = new IORedis(own.url);
    try {
      await admin.config('SET', 'requirepass', 'n0tgiven');
      const d = dashboard(withRedis(setup.configFile, own.url, 'config-auth.json'));
      const code = await Promise.race([d.exited, sleep(30_000).then(() => 'still running')]);
      d.child.kill('SIGKILL');
      expect(code).toBe(2);
      expect(d.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^chorus-flux: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: Redis asks for a password/)]);
    } finally {
      admin.disconnect();
      await own.stop();
    }
  }, 40_000);

  it('a Redis that cannot be reached: said in JSON lines, once, no stack traces', async () => {
    const d = dashboard(withRedis(setup.configFile, `redis://127.0.0.1:${await closedPort()}`, 'config-down.json'));
    try {
      await until('the start line', async () => (d.stderr.includes('dashboard started') ? true : undefined), 30_000);
      await sleep(4000); // reconnections every 2 s at most
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      const lines = d.stderr.split('\n').filter(Boolean);
      expect(lines.filter((l) => !l.startsWith('{'))).toEqual([]);
      const said = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => /Redis cannot be reached/.test(l.msg));
      // at start (waiting for it), then once by the connection; a reminder only after a minute
      expect(said.length).toBeGreaterThanOrEqual(1);
      expect(said.length).toBeLessThanOrEqual(2);
      expect(said.every((l) => l.level === 40)).toBe(true);
    } finally {
      d.child.kill('SIGKILL');
    }
  }, 40_000);
});
