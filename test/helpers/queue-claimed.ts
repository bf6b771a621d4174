/**
 * A file claimed from its inbox and queued as `watch` queues it (the same job data, id and
 * options), for the worker suites that feed a worker without running a watcher.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';
import type { Config } from '../../src/config/config';
import { claimFile } from '../../src/ingest/claim';
import { fluxJobId, fluxJobOptions, type FluxJobData } from '../../src/queue/flux-queue';
import { sha256 } from '../../src/util/hash';

export async function claimAndQueue(config: Config, queue: Queue<FluxJobData>, partner: string, src: string): Promise<{ id: string; data: FluxJobData }> {
  const hash = sha256(readFileSync(src));
  const c = await claimFile(src, config.paths.processing, partner);
  if (!c) throw new Error(`claim of ${src} failed`);
  const data: FluxJobData = { path: c.path, name: c.name, relPath: `${partner}/${c.name}`, partner, sha256: hash, claimId: c.claimId };
  const id = fluxJobId(data.sha256, data.claimId);
  await queue.add('flux', data, { ...fluxJobOptions(config), jobId: id });
  return { id, data };
}
