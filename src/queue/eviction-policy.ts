/**
 * Redis's `maxmemory-policy`, which BullMQ requires to be `noeviction`.
 *
 * Managed Redis services default to volatile-lru (ElastiCache, Azure Cache, Memorystore), some
 * installs to allkeys-lru; under memory pressure such a Redis evicts keys instead of refusing
 * writes. What must survive is on disk (claimed files in processing/, the journal, the
 * processed marks, the IdCPRO mark): the rescan queues a claimed file whose job went, the
 * nightly schedule is restored, the content lock keeps two workers from processing one file.
 * So the daemons start all the same (an operator of a managed Redis may not be able to change
 * it) but say it plainly, once per policy met, with what to set; /healthz shows the policy.
 *
 * Read from INFO memory (allowed where managed services disable CONFIG), CONFIG GET as a
 * fallback. BullMQ prints its own raw line on stderr for each of its connections ("IMPORTANT!
 * Eviction policy is …"), five or more per daemon: once ours is said, those are dropped.
 */
import type { Logger } from 'pino';
import type { RedisTrouble } from './redis-trouble';

/** What a policy puts at risk, by its family (the part before the dash). */
const AT_RISK: Record<string, string> = {
  volatile:
    "under memory pressure Redis evicts the keys that expire, BullMQ's job locks among them: a job running may be taken by a second worker (the content lock on disk makes it wait, then find the file's outcome), and once nothing that expires is left Redis refuses writes as at its maxmemory",
  allkeys:
    'under memory pressure Redis evicts any key: job records, the queue\'s lists, the nightly schedule. Each claimed file still gets one outcome (the rescan queues again a file whose job went, the schedule is restored), but `jobs` and the dashboard lose jobs, failed ones among them, and files are queued and taken again',
};

/** The sentence for a policy other than noeviction (undefined for noeviction). */
export function evictionPolicySays(policy: string): string | undefined {
  if (policy === 'noeviction') return undefined;
  const risk = AT_RISK[policy.split('-')[0]] ?? 'under memory pressure Redis may evict keys BullMQ needs';
  return `Redis's maxmemory-policy is ${policy}; BullMQ needs noeviction: ${risk}. Set maxmemory-policy noeviction (redis.conf, CONFIG SET, or the managed service's parameter group) and give Redis room (docs/OPERATIONS.md, Redis requirements)`;
}

/** The policy of the Redis behind `redis`, or undefined when neither INFO nor CONFIG tells it. */
export async function readEvictionPolicy(redis: { info(section: string): Promise<string>; config(op: 'GET', key: string): Promise<unknown> }): Promise<string | undefined> {
  const info = await redis.info('memory').catch(() => '');
  const line = /^maxmemory_policy:(.+)$/m.exec(info)?.[1]?.trim();
  if (line) return line;
  const answer = (await redis.config('GET', 'maxmemory-policy').catch(() => undefined)) as string[] | undefined;
  return Array.isArray(answer) && typeof answer[1] === 'string' ? answer[1] : undefined;
}

/** BullMQ's own line (redis-connection.js), printed once per connection it makes. */
const BULLMQ_LINE = /^IMPORTANT! Eviction policy is /;
let quieted = false;

/** Drops BullMQ's raw eviction line from console.warn: the daemon said it already, in its log. */
function quietBullmqLine(): void {
  if (quieted) return;
  quieted = true;
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && BULLMQ_LINE.test(args[0])) return;
    warn(...args);
  };
}

/**
 * Reads the policy at start and every `everyMs` (a CONFIG SET, a failover to a server set
 * otherwise); says a policy other than noeviction once per policy met, and its return.
 */
export class EvictionPolicyWatch {
  /** the last policy read (undefined: not read yet, or Redis does not tell it) */
  policy?: string;
  private said?: string;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Parameters<typeof readEvictionPolicy>[0],
    private readonly logger: Logger,
    /** told the policy: a job lock lost is then put down to eviction (redis-trouble.ts) */
    private readonly trouble?: RedisTrouble,
    private readonly everyMs = 60_000,
  ) {}

  async check(): Promise<void> {
    const policy = await readEvictionPolicy(this.redis);
    if (policy === undefined) return; // Redis out of reach now, or INFO and CONFIG both disabled: the last one read stands
    this.policy = policy;
    if (this.trouble) this.trouble.evictionPolicy = policy;
    if (policy === this.said) return;
    const says = evictionPolicySays(policy);
    if (says) {
      this.logger.warn({ maxmemoryPolicy: policy }, says);
    } else if (this.said !== undefined) this.logger.info({ maxmemoryPolicy: policy }, "Redis's maxmemory-policy is noeviction again");
    this.said = policy;
  }

  /**
   * Checks now and each `everyMs`, not awaited: a Redis not up yet holds up no start. BullMQ's
   * raw line is dropped from here on (its connections are made next): the check says it instead
   */
  start(): void {
    quietBullmqLine();
    void this.check().catch(() => undefined);
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The /healthz field (none until the policy is known). */
  details(): { redisMaxmemoryPolicy?: string } {
    return this.policy !== undefined ? { redisMaxmemoryPolicy: this.policy } : {};
  }
}
