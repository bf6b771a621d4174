/**
 * Whether Redis answers, on a connection that stays open.
 *
 * A Redis that stops answering without its connection dropping (its host frozen or swapping,
 * a network partition that drops packets, which the kernel notices only after minutes) raises
 * no error: ioredis keeps the connection `ready` and every command waits, unanswered, with no
 * timeout (BullMQ's workers need `maxRetriesPerRequest: null`, and a command timeout would
 * also end the blocking ones). So a worker's /healthz said 200 for as long as it lasted, and a
 * SIGTERM took the whole shutdown bound (21 s by default), as a Redis that cannot be reached
 * did before redis-at-stop.ts. A daemon asks PING once a second on one of its own connections:
 * a PING unanswered for `deadlineMs` makes Redis "not answering" (Redis trouble, said once and
 * each minute, /healthz 503, claims paused, what waits on Redis alone given up at a stop), and
 * the next answer ends it. Nothing is resent or cut: the commands sent meanwhile run when Redis
 * answers again, as they would have.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../ops/metrics';
import { reportRedisErrors, type RedisTrouble } from './redis-trouble';

/** What is asked of the connection: ioredis's client. */
export interface Pingable {
  readonly status: string;
  ping(): Promise<unknown>;
}

/** A PING left unanswered this long (ms) makes Redis "not answering". Redis answers one within a millisecond; a fork for a snapshot or an fsync stall holds it up to a second or two. */
export const REDIS_ANSWER_DEADLINE_MS = 3000;

/** A PING answered this late (ms), under the deadline, still tells of a Redis held up: a job's lock (worker.lockDurationMs) may have lapsed meanwhile. */
export const SLOW_ANSWER_MS = 1000;

/** The error a silence is reported as (redis-trouble.ts reads it as the kind `not-answering`). */
export class RedisNotAnswering extends Error {
  constructor(ms: number, what = 'a PING') {
    super(`Redis did not answer ${what} for ${Math.round(ms / 1000)} s, its connection still open`);
  }
}

export interface RedisAnswersOptions {
  /** how often to ask. Default 1,000 ms */
  everyMs?: number;
  /** Default REDIS_ANSWER_DEADLINE_MS */
  deadlineMs?: number;
  /** Redis has not answered for deadlineMs (again each further deadlineMs it lasts) */
  onSilent: (err: Error) => void;
  /** Redis answered after a silence */
  onAnswer: () => void;
  /** Redis answered, but after SLOW_ANSWER_MS or more (not yet a silence): a lock may have lapsed meanwhile */
  onSlow?: (ms: number) => void;
  now?: () => number;
}

export class RedisAnswers {
  /** when the PING waiting for its answer was sent */
  private askedAt?: number;
  private reportedAt?: number;
  /** a PING of an earlier connection (resent after a reconnection) does not count */
  private round = 0;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly deadlineMs: number;

  constructor(
    private readonly redis: Pingable,
    private readonly opts: RedisAnswersOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.deadlineMs = opts.deadlineMs ?? REDIS_ANSWER_DEADLINE_MS;
  }

  start(): this {
    this.timer = setInterval(() => this.tick(), this.opts.everyMs ?? 1000);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** False from the silence reported until the next answer, on a ready connection. A connection not ready is the outage's business (redis-trouble.ts). */
  get answering(): boolean {
    return !(this.redis.status === 'ready' && this.reportedAt !== undefined);
  }

  private tick(): void {
    if (this.redis.status !== 'ready') {
      // reconnecting: said by the connection's errors; a fresh question once it is ready again
      this.askedAt = this.reportedAt = undefined;
      this.round++;
      return;
    }
    const now = this.now();
    if (this.askedAt === undefined) {
      this.askedAt = now;
      const round = this.round;
      this.redis.ping().then(
        () => {
          if (round !== this.round) return;
          const silent = this.reportedAt !== undefined;
          this.askedAt = this.reportedAt = undefined;
          if (silent) this.opts.onAnswer();
          else if (this.now() - now >= SLOW_ANSWER_MS) this.opts.onSlow?.(this.now() - now);
        },
        () => {
          // an error (the connection dropped) is the connection's to report
          if (round === this.round) this.askedAt = undefined;
        },
      );
      return;
    }
    const asked = this.askedAt;
    const waited = now - asked;
    if (waited < this.deadlineMs || (this.reportedAt !== undefined && now - this.reportedAt < this.deadlineMs)) return;
    // after this thread was held up (a long step on it, a GC pause), timers run before the socket
    // is read: an answer already there is read first, not taken for a silence
    setImmediate(() => {
      if (this.askedAt !== asked || this.redis.status !== 'ready') return;
      this.reportedAt = this.now();
      this.opts.onSilent(new RedisNotAnswering(waited));
    });
  }
}

/**
 * A daemon's watch on whether Redis answers (`redis`: one of its own non-blocking connections):
 * a silence is Redis trouble (reportRedisErrors: logged once and each minute, counted, /healthz
 * 503), the answer after it is said and ends it.
 */
export function watchRedisAnswers(redis: Pingable, trouble: RedisTrouble, logger: Logger, metrics: Metrics | undefined, who: string): RedisAnswers {
  return new RedisAnswers(redis, {
    onSilent: reportRedisErrors(trouble, logger, metrics, who),
    onSlow: () => trouble.answeredSlowly(),
    onAnswer: () => {
      trouble.answeredSlowly();
      const ended = trouble.reconnected();
      logger.info(ended ? { failures: ended.failures, seconds: Math.round(ended.ms / 1000) } : {}, `${who}: Redis answers again`);
    },
  }).start();
}
