/**
 * A Redis that cannot be reached, as an operator meets it (a wrong REDIS_URL, Redis down at
 * start): `watch` and `worker` wait for it and say so in JSON lines that name the URL, the kind
 * of trouble and the system error (ECONNREFUSED), without a stack trace. Found by the operator
 * audit of 2026-12-07: each `Redis cannot be reached (reconnecting)` line carried the ioredis
 * error's stack (`at TCPConnectWrap.afterConnect …`), which pino-pretty prints on a terminal as
 * a stack trace under the line, and which says nothing the line does not.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { closedPort } from '../helpers/closed-port';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

describe('a Redis that cannot be reached at start: plain JSON lines, no stack trace', () => {
  const setup = prodSetup({ partners: ['op-alpha'] });

  it.each([['watch'], ['worker']])('%s', async (command) => {
    const port = await closedPort();
    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
    const file = path.join(setup.dir, `config-${command}-down.json`);
    writeFileSync(file, JSON.stringify({ ...raw, redis: { ...raw.redis, url: `redis://127.0.0.1:${port}` } }));
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), command, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await until('the reconnecting line', async () => (stderr.includes('(reconnecting)') ? true : undefined), 30_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = stderr.split('\n').filter(Boolean);
      expect(lines.filter((l) => !l.startsWith('{'))).toEqual([]);
      const parsed = lines.map((l) => JSON.parse(l) as { level: number; msg: string; kind?: string; err?: { code?: string; message?: string; stack?: string } });
      const reconnecting = parsed.filter((l) => l.msg.endsWith('Redis cannot be reached (reconnecting)'));
      expect(reconnecting.length).toBeGreaterThanOrEqual(1);
      for (const l of reconnecting) {
        expect(l).toMatchObject({ level: 40, kind: 'unreachable', err: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED 127.0.0.1:${port}` } });
        expect(l.err?.stack).toBe(`Error: connect ECONNREFUSED 127.0.0.1:${port}`); // its first line, no frames
      }
      expect(stderr).not.toMatch(/\\n\s+at /);
      expect(parsed.find((l) => l.msg.startsWith(`cannot use Redis at redis://127.0.0.1:${port}: Redis cannot be reached`))).toBeDefined();
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
