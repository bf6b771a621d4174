/**
 * A worker whose disk fills up: the jobs that cannot write fail as system failures and are
 * retried with backoff (not refused, not lost); once space is freed they complete, each file
 * gets exactly one outcome, one pivot, and nothing is left in processing/ or half-written in
 * an outbox. Real Redis; the whole data folder (inbox, processing/, outputs) is a small tmpfs.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { configFromObject } from '../../src/config/config';
import { readJournalDay } from '../../src/journal/journal';
import { fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import { dayOf } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, REDIS_URL, redisClient, uniquePrefix } from '../helpers/redis';
import { listFiles } from '../helpers/run';
import { mountTmpfs, tmpfsVolume } from '../helpers/tmpfs';
import { ROUTING } from '../helpers/watch';
import { claimAndQueue } from '../helpers/queue-claimed';

const FILES = 30;

describeRedis('a worker whose disk fills up', () => {
  const { root, dir: vol, maybe } = tmpfsVolume({ prefix: 'cf-worker-full-', name: 'vol', size: '400k', what: 'worker disk-full test' });

  maybe('retries the jobs that could not write, and finishes each file once when space is freed', async () => {
    const raw = {
      paths: { out: 'vol/out' },
      partners: [{ id: 'op-alpha', inbox: 'vol/in/op-alpha' }],
      recipients: ROUTING,
      redis: { url: REDIS_URL, prefix: uniquePrefix('full') },
      worker: { concurrency: 2, attempts: 30, backoffMs: 100, shutdownTimeoutMs: 10000, lockDurationMs: 5000 },
      metrics: { port: 0, workerPort: 0 },
      facturx: { enabled: false },
    };
    const config = configFromObject(raw, root, path.join(root, 'config.json'));
    const inbox = path.join(vol, 'in', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    const redis: Redis = redisClient();
    const queue: Queue<FluxJobData> = fluxQueue(config, redis);
    const ids: string[] = [];
    for (let n = 1; n <= FILES; n++) {
      const content = invoiceNumbered(700 + n);
      const src = path.join(inbox, `F${n}.xml`);
      writeFileSync(src, content);
      const { id } = await claimAndQueue(config, queue, 'op-alpha', src);
      ids.push(id);
    }
    const running = await startWorker({ config, logger: createLogger({ level: 'silent' }) });
    try {
      // until the disk is full and some job has failed an attempt
      let retried: string | undefined;
      for (let i = 0; i < 200 && !retried; i++) {
        await sleep(50);
        for (const id of ids) {
          const job = await queue.getJob(id);
          if ((job?.attemptsMade ?? 0) > 0 && (await queue.getJobState(id)) === 'delayed') retried = job?.failedReason;
        }
      }
      expect(retried).toMatch(/ENOSPC|no space left/);
      const failedEarly = await Promise.all(ids.map((id) => queue.getJobState(id)));
      expect(failedEarly).not.toContain('failed'); // a full disk is not bad input: retried, never given up

      expect(mountTmpfs(vol, '64m', true)).toBe(true);
      let states: string[] = [];
      for (let i = 0; i < 300; i++) {
        states = await Promise.all(ids.map((id) => queue.getJobState(id)));
        if (states.every((s) => s === 'completed' || s === 'failed')) break;
        await sleep(100);
      }
      expect(states.filter((s) => s !== 'completed')).toEqual([]);
    } finally {
      await running.close(5000);
      await queue.close();
      await deletePrefix(redis, config.redis.prefix);
      await redis.quit();
    }

    const { lines, damaged } = await readJournalDay(path.join(config.paths.out, 'journal'), dayOf(new Date(), config.timezone));
    expect(damaged).toEqual([]);
    const outcomes = lines.filter((l) => l.event === 'outcome');
    expect(outcomes).toHaveLength(FILES);
    expect(new Set(outcomes.map((l) => (l as { sha256: string }).sha256)).size).toBe(FILES);
    expect(outcomes.every((l) => (l as { outcome: string }).outcome === 'accepted')).toBe(true);
    const outputs = listFiles(config.paths.out);
    expect(outputs.filter((f) => f.startsWith('pivot/') && f.endsWith('.xml'))).toHaveLength(FILES);
    expect(outputs.filter((f) => /^(pivot|statut|cdar|archive)\//.test(f) && f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(path.join(config.paths.processing, 'op-alpha'))).toEqual([]);
  }, 90_000);
});
