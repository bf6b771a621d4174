/**
 * The BullMQ queues of the distributed runner: `flux` (one job per claimed file) and
 * `reconcile` (the nightly job). Keys live under the installation's BullMQ `prefix`.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config';
import { nightlyRepeatStrategy } from './nightly-runs';

export const FLUX_QUEUE = 'flux';
export const RECONCILE_QUEUE = 'reconcile';

export interface FluxJobData {
  /** the claimed file in the processing area */
  path: string;
  /** the name it arrived with */
  name: string;
  /** its path relative to the partner's inbox, with the partner folder first */
  relPath: string;
  partner: string;
  sha256: string;
  claimId: string;
}

/** Derived from the content hash and the claim: the same claimed file is never queued twice. */
export function fluxJobId(sha256: string, claimId: string): string {
  return `${sha256.slice(0, 40)}-${claimId}`;
}

/** The start of the content hash a flux job id carries (fluxJobId), or undefined for another id. */
export function shaPrefixOfJobId(id: string): string | undefined {
  return /^([0-9a-f]{40})-./.exec(id)?.[1];
}

export function fluxJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.worker.attempts,
    backoff: { type: 'exponential', delay: config.worker.backoffMs },
    // completed jobs are dropped after a day; failed ones stay for the operator (and the reconciliation)
    removeOnComplete: { age: 24 * 3600, count: 100000 },
    removeOnFail: false,
  };
}

export function fluxQueue(config: Config, connection: Redis): Queue<FluxJobData> {
  return new Queue<FluxJobData>(FLUX_QUEUE, { connection, prefix: config.redis.prefix });
}

export function reconcileQueue(config: Config, connection: Redis): Queue {
  return new Queue(RECONCILE_QUEUE, { connection, prefix: config.redis.prefix, settings: { repeatStrategy: nightlyRepeatStrategy } });
}
