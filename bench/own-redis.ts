/**
 * A redis-server of a bench's own, on a free port, without persistence (the rescan benches
 * flush it between rounds: never a shared server), and Redis's own count of the time a command
 * took (INFO commandstats), the figure that does not move with the bench's own client.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs `fn` with a client of a new redis-server, stopped after. */
export async function withOwnRedis<T>(fn: (redis: IORedis) => Promise<T>): Promise<T> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', mkdtempSync(path.join(os.tmpdir(), 'cf-bench-redis-'))], { stdio: 'ignore' });
  try {
    await sleep(300);
    const redis = new IORedis({ port, maxRetriesPerRequest: null });
    try {
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  } finally {
    server.kill('SIGKILL');
  }
}

/** Microseconds Redis spent in `cmd` so far, from an INFO commandstats answer. */
export const commandUsec = (info: string, cmd: string): number => Number(new RegExp(`^cmdstat_${cmd}:calls=\\d+,usec=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
