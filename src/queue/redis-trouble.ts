/**
 * What a Redis error means to an operator, and whether Redis is in trouble now.
 *
 * A Redis that refuses writes (maxmemory reached, a read-only replica, a failed snapshot) still
 * answers PING, and BullMQ reports its refusals as errors of every command, every few seconds.
 * The daemons keep one `RedisTrouble`: it turns an error into a plain sentence (a table of the
 * replies Redis gives), says when a new kind of trouble deserves a log line (not every retry),
 * and tells /healthz and the watcher whether writes are failing now.
 */

import type { Logger } from 'pino';
import type { Metrics } from '../ops/metrics';
import type { VanishedJobs } from './vanished-job';

export type RedisTroubleKind = 'out-of-memory' | 'read-only' | 'persistence' | 'authentication' | 'database' | 'unreachable' | 'not-answering' | 'tls' | 'other';

/** The kinds that say Redis is out of reach (dropped, or silent on an open connection), not refusing. */
const OUT_OF_REACH: readonly RedisTroubleKind[] = ['unreachable', 'not-answering'];

/** Redis replies and client errors, first match wins. */
const TROUBLES: readonly { kind: RedisTroubleKind; test: RegExp; says: string }[] = [
  {
    kind: 'out-of-memory',
    test: /\bOOM command not allowed\b/,
    says: "Redis refuses writes: it has reached its memory limit (maxmemory). Raise maxmemory or free memory; files wait in their inbox or in processing/ and are queued when Redis takes writes again",
  },
  {
    kind: 'read-only',
    test: /\bREADONLY\b/,
    says: 'Redis refuses writes: it is a read-only replica. Point REDIS_URL (or redis.url) at the primary',
  },
  {
    kind: 'persistence',
    test: /\bMISCONF\b/,
    says: "Redis refuses writes: it cannot save its snapshot to disk (MISCONF). Check the Redis server's disk and logs",
  },
  {
    kind: 'authentication',
    test: /\b(NOAUTH|WRONGPASS|invalid username-password)\b/i,
    says: 'Redis asks for a password, or refused the one given: put it in REDIS_URL or redis.url (redis://:password@host:port)',
  },
  {
    kind: 'database',
    test: /\bDB index is out of range\b|\binvalid DB index\b/i,
    says: "Redis has no such database: the number after the port in REDIS_URL or redis.url (redis://host:port/N) is beyond the server's `databases` setting (16 by default: 0 to 15)",
  },
  {
    // redis-answers.ts: no error from the connection, which stays open; its PING unanswered
    kind: 'not-answering',
    test: /\bRedis did not answer\b/,
    says: 'Redis does not answer, its connection still open: its host frozen or overloaded, or a network partition that drops packets',
  },
  {
    kind: 'unreachable',
    test: /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|EPIPE)\b|Connection is closed|max retries per request|Reached the max retries/i,
    says: 'Redis cannot be reached',
  },
];

export interface RedisTroubleReport {
  kind: RedisTroubleKind;
  /** the sentence for the operator */
  says: string;
  /** Redis's own words (or the client's) */
  detail: string;
}

/** BullMQ's words when a job's lock ran out under a busy worker (Redis itself answered). */
const LOCK_LOSS = /could not renew lock|Lock mismatch|Missing lock for job/i;

export function isLockLoss(err: unknown): boolean {
  return LOCK_LOSS.test(String((err as { message?: unknown } | undefined)?.message ?? err));
}

/** The meaning of one Redis error. */
export function describeRedisError(err: unknown): RedisTroubleReport {
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const detail = `${typeof e?.code === 'string' ? `${e.code}: ` : ''}${String(e?.message ?? err)}`.slice(0, 300);
  const hit = TROUBLES.find((t) => t.test.test(detail));
  return hit ? { kind: hit.kind, says: hit.says, detail } : { kind: 'other', says: `Redis error: ${detail}`, detail };
}

export interface RedisTroubleOptions {
  /** a kind already logged is logged again at most this often while it lasts. Default 60,000 ms */
  repeatLogMs?: number;
  /** a failure older than this, with no other since, no longer counts as current (a worker idle after Redis recovered sees no success). Default 30,000 ms */
  currentMs?: number;
  now?: () => number;
}

export class RedisTrouble {
  private last?: RedisTroubleReport & { at: number; since: number; count: number; loggedAt: number };
  private readonly repeatLogMs: number;
  private readonly currentMs: number;
  private readonly now: () => number;
  private readonly seen = new WeakSet<object>();

  constructor(opts: RedisTroubleOptions = {}) {
    this.repeatLogMs = opts.repeatLogMs ?? 60_000;
    this.currentMs = opts.currentMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Notes a failure. Returns the report with `log: true` when it deserves a log line: a new
   * kind of trouble, or the same one after `repeatLogMs` (with how often it happened since).
   */
  failed(err: unknown): RedisTroubleReport & { log: boolean; repeats: number; again?: true } {
    const r = describeRedisError(err);
    // one error reaches several listeners (a client shared by queues, re-emitted by each): counted once
    if (typeof err === 'object' && err !== null) {
      if (this.seen.has(err)) return { ...r, log: false, repeats: this.last?.count ?? 0, again: true };
      this.seen.add(err);
    }
    const now = this.now();
    if (!this.last || this.last.kind !== r.kind) {
      this.last = { ...r, at: now, since: now, count: 1, loggedAt: now };
      return { ...r, log: true, repeats: 0 };
    }
    this.last.at = now;
    this.last.count++;
    this.last.detail = r.detail;
    if (now - this.last.loggedAt < this.repeatLogMs) return { ...r, log: false, repeats: this.last.count };
    this.last.loggedAt = now;
    return { ...r, log: true, repeats: this.last.count };
  }

  /** Notes a success. Returns how long the trouble lasted when this ends one (to log the recovery). */
  succeeded(): { kind: RedisTroubleKind; ms: number; failures: number } | undefined {
    const l = this.last;
    if (!l) return undefined;
    if (OUT_OF_REACH.includes(l.kind)) this.reachedAgainAt = this.now();
    this.last = undefined;
    return { kind: l.kind, ms: this.now() - l.since, failures: l.count };
  }

  /** The connection is ready again, or Redis answered a PING: ends a trouble of reaching Redis (not a refusal: a full Redis accepts connections and answers PING). */
  reconnected(): ReturnType<RedisTrouble['succeeded']> {
    return this.last && OUT_OF_REACH.includes(this.last.kind) ? this.succeeded() : undefined;
  }

  /** When Redis was last reached again after being out of reach (restarted, perhaps without its data). */
  private reachedAgainAt?: number;

  /** A connection is ready again after it dropped, whether or not a command failed meanwhile. */
  reachedAgain(): void {
    this.reachedAgainAt = this.now();
  }

  /** Redis's maxmemory-policy, as last read (eviction-policy.ts): a lock lost under another than noeviction may have been evicted */
  evictionPolicy?: string;

  evicting(): boolean {
    return this.evictionPolicy !== undefined && this.evictionPolicy !== 'noeviction';
  }

  /** When a PING was last answered late (redis-answers.ts): Redis held up (frozen, overloaded), under the deadline of a silence or past it. */
  private slowAnswerAt?: number;

  answeredSlowly(): void {
    this.slowAnswerAt = this.now();
  }

  /** Whether a PING was answered late within the last `ms`: a job lock lost then lapsed while Redis was held up, not while the worker was. */
  answeredSlowlyWithin(ms: number): boolean {
    return this.slowAnswerAt !== undefined && this.now() - this.slowAnswerAt <= ms;
  }

  /** Whether Redis was out of reach within the last `ms`: a job lock lost then went with Redis, not with a busy worker. */
  unreachableWithin(ms: number): boolean {
    const now = this.now();
    return (this.last !== undefined && OUT_OF_REACH.includes(this.last.kind) && now - this.last.at <= ms) || (this.reachedAgainAt !== undefined && now - this.reachedAgainAt <= ms);
  }

  /** The trouble now: the last failure, unless a success came after it or it is older than `currentMs`. */
  current(): (RedisTroubleReport & { since: number; failures: number }) | undefined {
    const l = this.last;
    if (!l || this.now() - l.at > this.currentMs) return undefined;
    return { kind: l.kind, says: l.says, detail: l.detail, since: l.since, failures: l.count };
  }
}

/**
 * The /healthz `redis` field of a daemon whose connection says no more than its trouble: `down`
 * while Redis is out of reach (not connected, or silent), `refusing jobs` while it answers and
 * refuses writes (out of memory, a replica, MISCONF…), as watch's says. (A worker said `in
 * trouble` for both until 2026-12-07, and `down` never, which docs/OPERATIONS.md promises.)
 */
export function redisHealth(t: ReturnType<RedisTrouble['current']>): 'up' | 'down' | 'refusing jobs' {
  return !t ? 'up' : OUT_OF_REACH.includes(t.kind) ? 'down' : 'refusing jobs';
}

/** The /healthz fields of a trouble (none without one). */
export function troubleDetails(t: ReturnType<RedisTrouble['current']>): Record<string, string> {
  return t ? { redisTrouble: t.kind, says: t.says, redisSays: t.detail, since: new Date(t.since).toISOString() } : {};
}

/**
 * The error listener of a daemon's Redis connections and BullMQ objects (`who` names the one
 * that failed): each error counted, one log line per kind of trouble and a reminder each
 * minute it lasts. Without a listener ioredis prints every reconnection failure to stderr.
 */
/** A lock lost this soon after Redis was out of reach is put down to the outage. */
const LOCK_LOSS_AFTER_OUTAGE_MS = 2 * 60_000;

export function reportRedisErrors(trouble: RedisTrouble, logger: Logger, metrics: Metrics | undefined, who: string, vanished?: VanishedJobs): (err: Error) => void {
  let lockLossLoggedAt = 0;
  return (err) => {
    // a job whose record went with Redis's data (vanished-job.ts): Redis answered, nothing is lost
    const gone = vanished?.explain(err);
    if (gone) {
      if (gone.line) logger[gone.line.level]({ jobId: gone.jobId, kind: 'job-vanished' }, `${who}: ${gone.line.msg}`);
      return;
    }
    if (isLockLoss(err)) {
      // Redis answered: the worker was too busy to renew in time. Not Redis trouble (/healthz stays up)
      metrics?.redisErrors.inc({ kind: 'lock-lost' });
      const now = Date.now();
      if (now - lockLossLoggedAt >= 60_000) {
        lockLossLoggedAt = now;
        // just after Redis was out of reach, the lock ran out meanwhile or went with Redis's data
        // (a restart without persistence): blaming a busy machine sent operators the wrong way
        // a PING answered late (a Redis frozen a moment, under the 3 s of a silence) lapses a short
        // lock as well: put down to the main thread until 2026-12-07
        const why = trouble.unreachableWithin(LOCK_LOSS_AFTER_OUTAGE_MS)
          ? 'Redis was out of reach just before: the lock ran out meanwhile, or Redis restarted without its data (the watcher\'s rescan queues such a file again)'
          : trouble.answeredSlowlyWithin(LOCK_LOSS_AFTER_OUTAGE_MS)
            ? 'Redis was slow to answer just before (a PING waited a second or more: frozen or overloaded): the lock ran out meanwhile'
            : trouble.evicting()
              ? `Redis's maxmemory-policy is ${trouble.evictionPolicy}, not noeviction: short of memory, it may have evicted the lock (set maxmemory-policy noeviction; docs/OPERATIONS.md, Redis requirements)`
              : "this worker's main thread was held up longer than worker.lockDurationMs allows (a machine overloaded, swapping?)";
        logger.warn({ err: withoutStack(err), kind: 'lock-lost' }, `${who}: a job's lock could not be renewed in time (${String(err?.message ?? err).slice(0, 200)}): ${why}. Another worker may take the job over; the per-file lock keeps it from being processed twice`);
      }
      return;
    }
    const r = trouble.failed(err);
    if (r.again) return;
    metrics?.redisErrors.inc({ kind: r.kind });
    if (r.log) logger.warn({ err: r.kind === 'other' ? err : withoutStack(err), kind: r.kind, repeats: r.repeats || undefined }, r.kind === 'other' ? `${who} error (BullMQ goes on): ${r.detail}` : `${who}: ${r.says}${r.kind === 'unreachable' ? ' (reconnecting)' : ''}`);
  };
}

/**
 * An error of a known kind as logged: its type, message and system fields (code, address,
 * port), not its stack trace. The line says what happened and what to do; the stack of a refused
 * connection (`at TCPConnectWrap.afterConnect …`) told an operator nothing, and on a terminal
 * it printed as a stack trace under every such line. An error of no known kind keeps its stack.
 */
function withoutStack(err: unknown): unknown {
  // its enumerable fields are its system ones (errno, code, address, port); pino's serializer
  // of `err` writes a `stack` whatever it is given: its first line only, no frames
  return err instanceof Error ? { ...err, type: err.name, message: err.message, stack: `${err.name}: ${err.message}` } : err;
}

/** The ready listener: logs the end of a trouble of reaching Redis. */
export function reportRedisReady(trouble: RedisTrouble, logger: Logger, who: string): () => void {
  let readyBefore = false;
  return () => {
    // ready again: the connection dropped, though no command may have failed meanwhile (a Redis
    // restarted within a second, without its data: the locks lost next are put down to it)
    if (readyBefore) trouble.reachedAgain();
    readyBefore = true;
    const ended = trouble.reconnected();
    if (ended) logger.info({ failures: ended.failures, seconds: Math.round(ended.ms / 1000) }, `${who}: Redis is reachable again`);
  };
}
