/**
 * Redis lost in the middle of a one-shot command (`jobs`, `retry`, `set-aside`): it stopped
 * answering after the command connected (its host frozen, a partition that drops packets), or
 * its connection dropped.
 *
 * ioredis queues a request with no time limit, so a Redis that froze after the connection was
 * made held such a command for ever (a retry at 3 a.m. that never ends, nor says what it did).
 * Their connection carries no blocking command, so it gets ioredis's `commandTimeout`: a
 * request unanswered for `--redis-timeout` seconds (30 by default) fails, and the command
 * stops there, saying what it did, what is in doubt and what it did not try (exit 2). The
 * daemons' connections do not get it: BullMQ's workers wait on blocking commands (BZPOPMIN,
 * the marker) that a command timeout would cut; they watch Redis with a PING instead
 * (redis-answers.ts).
 */
import { redactRedisUrl } from './redis-url';
import { describeRedisError } from './redis-trouble';
import { RedisUnusable } from './redis-unusable';

/** How long (s) a one-shot command waits for Redis to answer one request, unless `--redis-timeout` says otherwise. A `retry --all` of thousands of jobs takes as long as it needs: each request has this long. */
export const ONE_SHOT_REDIS_TIMEOUT_S = 30;

/** ioredis's words for a request left unanswered past `commandTimeout`. */
const TIMED_OUT = /^Command timed out$/;

/** Whether a failed Redis request says Redis was lost (silent past the deadline, or its connection gone), rather than refused (a script's error, a full Redis). */
export function isRedisLost(e: unknown): boolean {
  const message = String((e as { message?: unknown } | undefined)?.message ?? e);
  return TIMED_OUT.test(message) || describeRedisError(e).kind === 'unreachable';
}

/** Redis lost mid-command: its message names the address and why (`did not answer for N s` / `cannot be reached`). */
export class RedisLost extends RedisUnusable {
  /** in a few words, for a summary line */
  readonly short: string;

  constructor(url: string, cause: unknown, timeoutMs: number) {
    const silent = TIMED_OUT.test(String((cause as { message?: unknown } | undefined)?.message ?? cause));
    super(
      silent
        ? `Redis at ${redactRedisUrl(url)} did not answer for ${Math.round(timeoutMs / 1000)} s, its connection still open`
        : `Redis at ${redactRedisUrl(url)} cannot be reached (${describeRedisError(cause).detail})`,
      silent ? 'not-answering' : 'unreachable',
    );
    this.short = silent ? 'Redis stopped answering' : 'Redis could not be reached';
  }

  /** The same, with what the command did before (`: 3 retried, 2 not tried; …`). */
  saying(what: string): RedisUnusable {
    return new RedisUnusable(`${this.message}: ${what}`, this.kind);
  }
}

/** `e` as a RedisLost when it says Redis was lost, else undefined (the error is something else: thrown as it is). */
export function redisLost(e: unknown, url: string, timeoutMs: number): RedisLost | undefined {
  return isRedisLost(e) ? new RedisLost(url, e, timeoutMs) : undefined;
}
