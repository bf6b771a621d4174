/**
 * What the frozen-Redis suites share (redis-frozen, redis-frozen-stop, redis-frozen-lock-blame):
 * a redis-server of the test's own for each test — frozen with SIGSTOP by the test, thawed and
 * stopped after it with the daemons it started —, a UBL invoice long enough to be in hand when
 * Redis freezes, and a file dropped, claimed and queued as `watch` would, on a connection of its own.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { createRedis } from '../../src/queue/redis';
import type { Daemon } from './daemon';
import { invoiceNumbered } from './generate-flows';
import { claimAndQueue } from './queue-claimed';
import { OwnRedis } from './redis-server';
import type { ProdSetup } from './watch';

/** A UBL invoice of `n` lines, numbered `k`: seconds to process. */
export function bigInvoice(k: number, n: number): string {
  const base = invoiceNumbered(k);
  const line = /<cac:InvoiceLine>[^]*?<\/cac:InvoiceLine>/.exec(base)?.[0];
  if (!line) throw new Error('no line in the base invoice');
  return base.replace(line, Array.from({ length: n }, (_, i) => line.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${i + 1}</cbc:ID>`)).join('\n'));
}

/** `xml` dropped as `name` in op-alpha's inbox, claimed and queued on the Redis at `url`: its job's data. */
export async function queueClaimed(setup: ProdSetup, url: string, name: string, xml: string): Promise<FluxJobData> {
  const src = path.join(setup.inbox('op-alpha'), name);
  writeFileSync(src, xml);
  const conn = createRedis({ url });
  const queue = fluxQueue(setup.config, conn);
  const { data } = await claimAndQueue(setup.config, queue, 'op-alpha', src);
  await queue.close();
  await conn.quit();
  return data;
}

/** Inside a describe: a redis-server of its own per test; the daemons pushed on `daemons` are killed after it. */
export function ownRedisPerTest(): { readonly redis: OwnRedis; daemons: Daemon[] } {
  let redis: OwnRedis | undefined;
  const daemons: Daemon[] = [];
  beforeEach(async () => {
    redis = await OwnRedis.start();
  });
  afterEach(async () => {
    redis?.thaw();
    for (const d of daemons.splice(0)) d.kill('SIGKILL');
    await redis?.stop();
  });
  return {
    get redis() {
      if (!redis) throw new Error('no redis-server outside a test');
      return redis;
    },
    daemons,
  };
}
