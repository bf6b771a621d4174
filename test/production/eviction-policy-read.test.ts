/**
 * readEvictionPolicy on a Redis that refuses CONFIG, as managed services do (ElastiCache,
 * Memorystore): the policy is read from INFO memory, which they allow (BullMQ itself needs it).
 * A redis-server of the test's own, started with CONFIG renamed away and volatile-lru, their default.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import IORedis from 'ioredis';
import { evictionPolicySays, readEvictionPolicy } from '../../src/queue/eviction-policy';
import { redisServerAvailable } from '../helpers/redis-server';
import { tempDir } from '../helpers/run';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describeIf('the maxmemory-policy of a Redis that refuses CONFIG', () => {
  it('is read from INFO memory', async () => {
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tempDir('cf-redis-'), '--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', ''], { stdio: 'ignore' });
    // commands wait for the connection (the server starting), retried every 100 ms
    const redis = new IORedis({ port, host: '127.0.0.1', retryStrategy: () => 100 });
    try {
      await redis.ping();
      await expect(redis.config('GET', 'maxmemory-policy')).rejects.toThrow(/unknown command/i);
      expect(await readEvictionPolicy(redis)).toBe('volatile-lru');
      expect(evictionPolicySays('volatile-lru')).toMatch(/^Redis's maxmemory-policy is volatile-lru; BullMQ needs noeviction: .*job locks/);
      expect(evictionPolicySays('noeviction')).toBeUndefined();
    } finally {
      redis.disconnect();
      server.kill('SIGKILL');
    }
  }, 30_000);
});
