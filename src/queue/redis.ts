/**
 * Redis connections as BullMQ requires them: reached through REDIS_URL (or the config),
 * `maxRetriesPerRequest: null` for workers (blocking commands must not give up), and no
 * ioredis `keyPrefix` (BullMQ has its own `prefix` option, which we use).
 */
import IORedis, { type Redis } from 'ioredis';
import { redactRedisUrl, redisUrlProblem } from './redis-url';
import { UsageError } from '../util/usage-error';
import { describeRedisError } from './redis-trouble';
import { plainServerBehindTlsUrl } from './tls-mismatch';
import { RedisUnusable } from './redis-unusable';
import { RedisNotAnswering } from './redis-answers';

export { RedisUnusable };

export interface RedisOptions {
  url: string;
  /** true for connections used by BullMQ Workers (and anything that blocks) */
  blocking?: boolean;
  /** a request unanswered this long (ms) fails ("Command timed out"): never on a blocking connection, whose waits it would cut (redis-lost.ts) */
  commandTimeoutMs?: number;
}

/** Throws a UsageError (exit 2, one plain line) for an address ioredis would misread. */
function checkUrl(url: string): void {
  const problem = redisUrlProblem(url);
  if (problem) throw new UsageError(problem);
}

export function createRedis(opts: RedisOptions): Redis {
  checkUrl(opts.url);
  const redis = new IORedis(opts.url, {
    maxRetriesPerRequest: opts.blocking ? null : 20,
    enableReadyCheck: true,
    lazyConnect: false,
    // reconnect forever with a capped delay: Redis restarts are part of normal operations
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...(opts.commandTimeoutMs !== undefined && !opts.blocking ? { commandTimeout: opts.commandTimeoutMs } : {}),
  });
  // the database of the URL refused (a Redis unreachable at start, so not checked then, or
  // restarted with fewer databases): ioredis says so once and goes on in database 0, another
  // installation's queues perhaps. A configuration error: the daemon stops, exit 2
  redis.on('error', (e) => {
    const r = describeRedisError(e);
    if (r.kind !== 'database') return;
    process.stderr.write(`chorus-flux: cannot use Redis at ${redactRedisUrl(opts.url)}: ${r.says} (${r.detail})\n`);
    process.exit(2);
  });
  return redis;
}

/**
 * A connection for a one-shot command (`jobs`, `retry`): it fails within `timeoutMs` with a
 * plain message when Redis cannot be reached, instead of reconnecting forever as the daemons do.
 * `commandTimeoutMs`: once connected, a request unanswered this long fails ("Command timed
 * out", redis-lost.ts) — only for a connection that never blocks (the one-shot commands').
 */
export async function connectRedisOnce(url: string, timeoutMs = 5000, commandTimeoutMs?: number): Promise<Redis> {
  checkUrl(url);
  const redis = new IORedis(url, { maxRetriesPerRequest: 1, enableReadyCheck: true, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null });
  // the cause (a refused password, a refused connection) comes as an error event; connect()
  // itself often rejects with a bare "Connection is closed"
  let cause: unknown;
  redis.on('error', (e) => (cause ??= e));
  // connected, a Redis that does not answer (frozen, a silent partition: the kernel takes the
  // connection) left the ready check and the PING waiting for ever, and `jobs` with them; a
  // second more than the connection's own timeout, which says a host that does not connect
  let deadline: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => reject(new RedisNotAnswering(timeoutMs + 1000, 'the connection\'s first commands')), timeoutMs + 1000);
  });
  const ready = (async () => {
    await redis.connect();
    await redis.ping();
    // ioredis selects the URL's database on connecting and, refused, only emits an error:
    // every command then went to database 0, another installation's perhaps. Asked again here,
    // a refusal rejects.
    if ((redis.options.db ?? 0) !== 0) await redis.select(redis.options.db as number);
  })();
  ready.catch(() => undefined); // given up at the deadline: what it says after is not waited for
  try {
    await Promise.race([ready, silent]);
    // set once connected: the connection's first commands have their own deadline above
    if (commandTimeoutMs !== undefined) redis.options.commandTimeout = commandTimeoutMs;
    return redis;
  } catch (e) {
    redis.disconnect();
    const r = describeRedisError(cause ?? e);
    // a TLS address for a plain server times out as a host that is down would: not waited for
    const tls = r.kind === 'unreachable' ? await plainServerBehindTlsUrl(url) : undefined;
    if (tls) throw new RedisUnusable(`cannot use Redis at ${redactRedisUrl(url)}: ${tls} (${r.detail})`, 'tls');
    throw new RedisUnusable(`cannot use Redis at ${redactRedisUrl(url)}: ${r.kind === 'other' ? r.detail : `${r.says} (${r.detail})`}`, r.kind);
  } finally {
    clearTimeout(deadline);
  }
}


/**
 * The daemons' check at start. A refused password or a wrong database is a configuration
 * error: it stops the start (exit 2) with what to fix, where the daemon used to wait for ever
 * after one warning. A Redis that cannot be reached, or does not answer, is waited for (it may
 * be starting too): said once, and the daemon goes on to connect for ever.
 */
export async function checkRedisAtStart(url: string, warn: (msg: string) => void, timeoutMs = 5000): Promise<void> {
  try {
    const r = await connectRedisOnce(url, timeoutMs);
    r.disconnect();
  } catch (e) {
    if (e instanceof RedisUnusable && (e.kind === 'unreachable' || e.kind === 'not-answering')) {
      warn(`${e.message}; waiting for it`);
      return;
    }
    throw e;
  }
}
