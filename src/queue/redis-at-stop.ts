/**
 * What a daemon waits for only from Redis, given up when it stops while Redis cannot be reached.
 *
 * An ioredis client between two reconnection attempts keeps the commands given to it in its
 * offline queue until Redis is back (or, with `maxRetriesPerRequest`, for ~30 s), and its
 * `disconnect()` then ends the reconnection without ever rejecting them: a rescan, a job's
 * add, BullMQ's closing calls waited on them, and a SIGTERM during a Redis outage took the
 * whole shutdown bound (21 s by default). At stop, when a connection is not ready, they are
 * disconnected — so nothing of their offline queues is ever sent, no job added nor taken
 * behind the stopping process's back — and every wait wrapped by `of` rejects at once with
 * GaveUpOnRedis: its caller unwinds as if Redis had refused (a claimed file stays in
 * processing/, where the next rescan queues it). A Redis that does not answer on a connection
 * still open (frozen, a silent partition: redis-answers.ts) is given up on the same way. With
 * Redis ready and answering, nothing changes.
 */
/** An ioredis client, or BullMQ's wrapper of one (its workers' blocking connections). */
export interface StoppableConnection {
  readonly status: string;
  disconnect(): void;
}

/** The wait was given up: the process stops and Redis cannot be reached. */
export class GaveUpOnRedis extends Error {
  constructor() {
    super('stopping while Redis cannot be reached: not waited for');
  }
}

export class RedisAtStop {
  private gaveUp = false;
  private readonly waiting = new Set<(e: GaveUpOnRedis) => void>();

  constructor(
    /** the connections whose state tells whether Redis can be reached: the process's own, which nothing else closes */
    private readonly connections: StoppableConnection[],
    /** disconnected with them, not asked: BullMQ's blocking ones, which a worker's own close disconnects first */
    private readonly alsoDisconnect: () => StoppableConnection[] = () => [],
    /** false while Redis does not answer on a connection still open (redis-answers.ts): as out of reach as one that dropped */
    private readonly answering: () => boolean = () => true,
  ) {}

  /** Whether Redis was given up on. */
  get givenUp(): boolean {
    return this.gaveUp;
  }

  /**
   * For a stopping process: when a connection is not ready (reconnecting, connecting), or Redis
   * does not answer on them, every connection is disconnected and every wait given up. True
   * once that was done. (What a silent Redis was sent before runs when it answers again, as it
   * would have: nothing more is sent.)
   */
  giveUpIfDown(): boolean {
    if (this.gaveUp) return true;
    if (this.connections.every((c) => c.status === 'ready') && this.answering()) return false;
    this.gaveUp = true;
    // first: once disconnected, nothing queued can be sent, whatever the waits' callers do next
    for (const c of [...this.connections, ...this.alsoDisconnect()]) c.disconnect();
    const e = new GaveUpOnRedis();
    for (const reject of this.waiting) reject(e);
    this.waiting.clear();
    return true;
  }

  /** `p`, or a GaveUpOnRedis rejection as soon as Redis is given up on (at once, if it was). */
  of<T>(p: Promise<T>): Promise<T> {
    if (this.gaveUp) {
      p.catch(() => undefined);
      return Promise.reject(new GaveUpOnRedis());
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      p.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }
}

/**
 * `report` (a handler of Redis errors), except for what giving Redis up causes: once the stop
 * has disconnected the connections, what still waited on them (a lock renewal, a job's
 * completion, BullMQ's next fetch) is rejected with "Connection is closed", and BullMQ reports
 * it. Said after the stop's own line as "Redis cannot be reached (reconnecting)", it told of
 * an outage that was this process's doing, and of a reconnection that never comes.
 */
export function unlessGivenUp(givenUp: () => boolean, report: (err: Error) => void): (err: Error) => void {
  return (err) => {
    if (givenUp() && /\bConnection is closed\b/.test(err?.message ?? '')) return;
    report(err);
  };
}
