/**
 * A daemon whose port is taken stops at once, exit 2, with one plain line naming the port and
 * the setting to change, and before it does any work: watch claims nothing, worker takes no
 * job. Before, the worker was found to have no port after it had started taking jobs, and
 * both hung with their Redis connection open, neither running nor exiting; the dashboard
 * said "started" on a port another process held (Express 5 calls back on a failed listen).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { claimFile } from '../../src/ingest/claim';
import { fluxJobId, fluxJobOptions, fluxQueue } from '../../src/queue/flux-queue';
import { sha256 } from '../../src/util/hash';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { startOpsServer } from '../../src/ops/http-server';
import { createMetrics } from '../../src/ops/metrics';

/** A port held by another process's listener, as long as the test needs it. */
async function heldPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, release: () => new Promise((r) => server.close(() => r())) };
}

describeRedis('a daemon whose port is taken', () => {
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 200 } });
  let redis: Redis;
  let held: { port: number; release(): Promise<void> };
  beforeAll(async () => {
    redis = redisClient();
    held = await heldPort();
  });
  afterAll(async () => {
    await held.release();
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  const plainLine = (port: number, setting: string) => new RegExp(`^chorus-flux: the (/metrics and /healthz endpoint|dashboard): port ${port} on 127\\.0\\.0\\.1 is already in use \\(another chorus-flux process on this machine\\?\\)\\. Give this one its own port: ${setting}`);

  it('watch: exit 2 with a plain line, nothing claimed', async () => {
    const file = path.join(setup.inbox('op-alpha'), 'F1.xml');
    writeFileSync(file, invoiceNumbered(1));
    const r = await cli(['watch', '-c', setup.configFile, '--metrics-port', String(held.port)], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    // (the JSON lines are the configuration's warnings, logged before)
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(plainLine(held.port, '--metrics-port'))]);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(setup.config.paths.processing) ? readdirSync(setup.config.paths.processing, { recursive: true }).length : 0).toBe(0);
  }, 40_000);

  it('worker: exit 2 with a plain line, no job taken', async () => {
    const src = path.join(setup.inbox('op-alpha'), 'F2.xml');
    writeFileSync(src, invoiceNumbered(2));
    const c = await claimFile(src, setup.config.paths.processing, 'op-alpha');
    if (!c) throw new Error('claim failed');
    const queue = fluxQueue(setup.config, redis);
    const sha = sha256(invoiceNumbered(2));
    const id = fluxJobId(sha, c.claimId);
    await queue.add('flux', { path: c.path, name: c.name, relPath: 'op-alpha/F2.xml', partner: 'op-alpha', sha256: sha, claimId: c.claimId }, { ...fluxJobOptions(setup.config), jobId: id });
    try {
      const r = await cli(['worker', '-c', setup.configFile, '--metrics-port', String(held.port)], { timeoutMs: 30_000 });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(plainLine(held.port, '--metrics-port'))]);
      expect(await queue.getJobState(id)).toBe('waiting');
      expect(existsSync(c.path)).toBe(true);
    } finally {
      await queue.close();
    }
  }, 40_000);

  it('dashboard: exit 2 with a plain line', async () => {
    const r = await cli(['dashboard', '-c', setup.configFile, '--port', String(held.port)], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(plainLine(held.port, '--port, or dashboard.port'))]);
  }, 40_000);
});

// found by an audit: a host written "localhost:9464" (or a name that does not resolve) stopped
// watch and dashboard with a stack trace
it('a metrics host that is no name or address of this machine is said plainly, not with a stack', async () => {
  const e = await startOpsServer(createMetrics(), { port: 0, host: 'localhost:9464', health: async () => ({ ok: true, details: {} }) }).then(
    () => undefined,
    (x: unknown) => x as Error,
  );
  expect(e?.name).toBe('UsageError');
  expect(e?.message).toMatch(/the host "localhost:9464" is no name or address this machine can resolve \(the port is set apart, not written host:port\)/);
});
