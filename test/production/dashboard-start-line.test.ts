/**
 * `chorus-flux dashboard` has no login. Read-only (the default) it says so at level info; with
 * `dashboard.readOnly` false anyone who reaches its port can pause, empty or obliterate the
 * queues and retry or remove jobs, and its start line says so as a warning. Found by an audit:
 * that line was at level info, among the routine ones, where a filter on warnings never showed it.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { ROOT } from '../helpers/cli';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

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
  let redis: Redis;
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

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
});
