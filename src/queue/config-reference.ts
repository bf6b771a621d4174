/**
 * The configuration `watch` runs with, kept in Redis under the installation's BullMQ prefix as
 * the reference the workers compare theirs with (runner/config-skew.ts): the watcher queues the
 * work, so its file is the one in force. Digests only (config/config-digest.ts): no setting,
 * no path, no secret goes to Redis.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ConfigDigests } from '../config/config-digest';

export interface ConfigReference {
  version: string;
  digests: ConfigDigests;
  /** the watcher's configuration file and machine, for the worker's message */
  source: string;
  host: string;
  at: string;
}

/** Not under a queue's keys (`<prefix>:<queue>:…`): no BullMQ queue is named `chorus-flux`. */
export const referenceKey = (prefix: string): string => `${prefix}:chorus-flux:watch-config`;

/** Published (no expiry: a watcher stopped leaves its configuration in force); the one it replaced returned. */
export async function publishReference(redis: Redis, prefix: string, ref: Omit<ConfigReference, 'host' | 'at'>): Promise<ConfigReference | undefined> {
  const full: ConfigReference = { ...ref, host: hostname(), at: new Date().toISOString() };
  // not SET … GET: Redis 6.2 and later only
  // a command refused as it was queued (maxmemory reached, a read-only replica) discards the MULTI:
  // Redis's own refusal says why, not EXECABORT (as queue/add-if-new.ts)
  const replies =
    (await redis
      .multi()
      .get(referenceKey(prefix))
      .set(referenceKey(prefix), JSON.stringify(full))
      .exec()
      .catch((e: Error & { previousErrors?: Error[] }) => {
        throw e.previousErrors?.[0] ?? e;
      })) ?? [];
  const failed = replies.find(([err]) => err)?.[0];
  if (failed) throw failed;
  const before = replies[0]?.[1];
  return parseReference(typeof before === 'string' ? before : null);
}

export async function readReference(redis: Redis, prefix: string): Promise<ConfigReference | undefined> {
  return parseReference(await redis.get(referenceKey(prefix)));
}

function parseReference(text: string | null): ConfigReference | undefined {
  if (text === null) return undefined;
  try {
    const r = JSON.parse(text) as ConfigReference;
    return r && typeof r.digests === 'object' && r.digests !== null ? r : undefined;
  } catch {
    return undefined;
  }
}
