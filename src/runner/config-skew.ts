/**
 * A worker's configuration against the watcher's (queue/config-reference.ts). A worker started
 * with another file than the watcher's (a recipient added on one machine, not yet on this one)
 * took its share of the jobs and gave them other outcomes: an invoice to the new recipient
 * refused as unknown by it, accepted by the others, the refusal sent to the partner for good.
 *
 * While the digests differ the worker takes no new job (the running ones end), says which
 * sections differ and what to do, and answers /healthz 503; it takes jobs again by itself once
 * they match (the watcher restarted with the same file). Said at level warn first, and at level
 * error once it has lasted past the watcher's rescan (SKEW_GRACE): everything restarted at once
 * (a deployment), a worker up before the watcher met its former digests for a second or two, an
 * error line that paged someone for nothing; a skew that outlives the watcher's reading of its
 * file again is a real one. Asked at start and every CHECK_MS: one
 * GET, not one per job. No reference in Redis (no watch ever ran against it, or Redis emptied):
 * nothing to compare with, no check.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { configDigests, differingSections } from '../config/config-digest';
import type { Metrics } from '../ops/metrics';
import { readReference, type ConfigReference } from '../queue/config-reference';

/** How often a worker asks Redis for the watcher's configuration. */
export const CONFIG_CHECK_MS = 2000;

/**
 * How long a difference is said at level warn before level error: the watcher's rescan (it reads
 * its file again and publishes it, `watch.rescanMs`), plus two of the worker's checks.
 */
export function skewGraceMs(config: Pick<Config, 'watch'>): number {
  return config.watch.rescanMs + 2 * CONFIG_CHECK_MS;
}

export type SkewState =
  | { kind: 'unchecked' }
  | { kind: 'no-reference' }
  | { kind: 'matches'; watch: ConfigReference }
  | { kind: 'differs'; sections: string[]; watch: ConfigReference; since: string };

export class ConfigSkewGuard {
  private readonly mine: Record<string, string>;
  private state: SkewState = { kind: 'unchecked' };
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private versionsWarned = new Set<string>();
  /** the difference said at level error (sections joined), once it outlasted the grace */
  private errorSaid: string | undefined;

  constructor(private readonly opts: { redis: Redis; config: Config; version: string; logger: Logger; metrics?: Metrics; onDiffer(): void; onMatch(): void }) {
    this.mine = configDigests(opts.config);
  }

  /** True while this worker must take no job. */
  holdsBack(): boolean {
    return this.state.kind === 'differs';
  }

  current(): SkewState {
    return this.state;
  }

  /** For /healthz: what differs, while it does. */
  health(): Record<string, unknown> | undefined {
    const s = this.state;
    if (s.kind !== 'differs') return undefined;
    return { configDiffers: s.sections, since: s.since, says: this.says(s.sections, s.watch) };
  }

  /** Asks Redis once; a Redis error keeps the state as it was (the connection's handlers say the trouble). */
  async check(): Promise<SkewState> {
    if (this.checking) return this.state;
    this.checking = true;
    try {
      const ref = await readReference(this.opts.redis, this.opts.config.redis.prefix);
      this.settle(ref);
    } catch {
      // Redis trouble: said by the connection's handlers; the last answer stands
    } finally {
      this.checking = false;
    }
    return this.state;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), CONFIG_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private settle(ref: ConfigReference | undefined): void {
    const { logger, metrics } = this.opts;
    const was = this.state;
    if (!ref) {
      if (was.kind !== 'no-reference') logger.debug(`no watch configuration in Redis under ${this.opts.config.redis.prefix} (no watch has started against this Redis, or it was emptied): this worker's configuration is not compared with the watcher's`);
      this.state = { kind: 'no-reference' };
    } else {
      if (ref.version !== this.opts.version && !this.versionsWarned.has(ref.version)) {
        this.versionsWarned.add(ref.version);
        logger.warn({ watchVersion: ref.version, workerVersion: this.opts.version, watchHost: ref.host }, `this worker runs chorus-flux ${this.opts.version}, the watch on ${ref.host} runs ${ref.version}: outcomes may differ from one worker to another; install the same version everywhere and restart`);
      }
      const sections = differingSections(this.mine, ref.digests);
      if (sections.length === 0) this.state = { kind: 'matches', watch: ref };
      else if (was.kind === 'differs' && was.sections.join() === sections.join()) this.state = { ...was, watch: ref };
      else this.state = { kind: 'differs', sections, watch: ref, since: new Date().toISOString() };
    }
    const now = this.state;
    metrics?.configDiffers.set(now.kind === 'differs' ? 1 : 0);
    const fields = (d: Extract<SkewState, { kind: 'differs' }>) => ({ configDiffers: d.sections, watchConfig: d.watch.source, watchHost: d.watch.host, config: this.opts.config.source, since: d.since });
    if (now.kind === 'differs' && (was.kind !== 'differs' || was.sections.join() !== now.sections.join())) {
      const grace = skewGraceMs(this.opts.config);
      logger.warn(fields(now), `${this.says(now.sections, now.watch)} (said again as an error if it lasts past ${Math.round(grace / 1000)} s: the watcher reads its file again at each rescan)`);
      if (was.kind !== 'differs') this.opts.onDiffer();
    } else if (now.kind === 'differs' && this.errorSaid !== now.sections.join() && Date.now() - Date.parse(now.since) >= skewGraceMs(this.opts.config)) {
      this.errorSaid = now.sections.join();
      logger.error(fields(now), this.says(now.sections, now.watch));
    } else if (now.kind !== 'differs' && was.kind === 'differs') {
      this.errorSaid = undefined;
      logger.warn(now.kind === 'matches' ? `this worker's configuration matches the watcher's again: it takes jobs again` : `the watcher's configuration is no longer in Redis (emptied?): this worker takes jobs again, unchecked`);
      this.opts.onMatch();
    }
  }

  private says(sections: string[], watch: ConfigReference): string {
    return `this worker's configuration differs from the watcher's (${watch.source} on ${watch.host}) in ${sections.join(', ')}: it takes no job until they match, or files would get outcomes that depend on which worker took them; restart this worker with the same configuration file as the watcher's (the watcher reads its file again at each rescan: if that one is the old file, edit it there)`;
  }
}
