/**
 * The inbox watcher of the distributed runner (`chorus-flux watch`).
 *
 * chokidar reports new and changed files quickly, but it is not trusted alone: it skips its
 * write-finish check on the start-up scan, and SFTP clients write small files under their
 * final name. A periodic full rescan of every inbox (and of the processing area) is the
 * source of truth. A file is taken only when its size and mtime have been stable for
 * `watch.stableMs` (and, for partners that use it, once its `.done` marker exists); it is
 * claimed by an atomic rename into the processing area, hashed, journaled and queued with a
 * job id derived from its content hash and its claim.
 */
import chokidar, { type FSWatcher } from 'chokidar';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config, Partner } from '../config/config';
import type { Journal } from '../journal/journal';
import type { Metrics } from '../ops/metrics';
import { addIfNew, addManyMending } from '../queue/add-if-new';
import { jobPlaces, MEND_CHUNK, placeSays, type JobPlace } from '../queue/job-places';
import { fluxJobId, fluxJobOptions, type FluxJobData } from '../queue/flux-queue';
import { ClaimedNotAFile, claimFile, parseClaimed, type Claimed } from './claim';
import { claimedPaths } from './claimed-as';
import { doneMarkerOf, doneMarkerThere, isIgnoredName, openPath, scanInbox, skippedMessage, type InboxEntry, type SkippedEntry } from './scan';
import { StabilityTracker } from './stability';
import { NO_PARTNER_RULE } from './partner-of';
import { strayFolders } from './stray-folders';
import { StrayNotices } from './stray-notices';
import { claimsWaiting, claimThatUsed, removeStaleMarker } from './stale-marker';
import { faultPoint } from '../util/fault';
import { sha256OfFile } from '../util/hash';
import { describeRedisError, RedisTrouble, reportRedisErrors } from '../queue/redis-trouble';
import { GaveUpOnRedis, RedisAtStop } from '../queue/redis-at-stop';

export interface WatcherOptions {
  config: Config;
  queue: Queue<FluxJobData>;
  journal: Journal;
  logger: Logger;
  metrics?: Metrics;
  /** use chokidar as well as the periodic rescan (default true) */
  events?: boolean;
  /** Redis's state as this watcher sees it (for /healthz). Default: its own */
  trouble?: RedisTrouble;
  /** the queue's connection, given up on when the watcher stops while Redis cannot be reached (redis-at-stop.ts). Default: waited for */
  redisAtStop?: RedisAtStop;
}

/**
 * Inbox files checked (and claimed) at once. Each claim waits for its journal line's fsync; the
 * journal commits the lines of concurrent claims together, so a backlog is claimed several
 * times faster than one file after another (20,000 files in about 11 s here, with the events
 * paused: docs/PERFORMANCE.md).
 */
export const CLAIMS_AT_ONCE = 16;

/** A claimed file that could not be queued: it stays in processing/ and the rescan queues it again. */
class NotQueued extends Error {}

/** A claimed file's job, as it is added to the queue. */
interface ClaimedJob {
  c: Claimed;
  relPath: string;
  sha: string;
  bytes: number;
  data: FluxJobData;
  jobId: string;
  processing: string;
}

export class InboxWatcher {
  private readonly tracker: StabilityTracker;
  /** candidates by readable path; `entry` when the rescan found it (it knows a name's raw bytes) */
  private readonly candidates = new Map<string, { partner: Partner; entry?: InboxEntry }>();
  /** partners whose inbox was found missing at the last rescan (said once, and again when it is back) */
  private readonly missingInboxes = new Set<string>();
  /** chokidar per partner, while its inbox is not a backlog (watch.eventsMaxFiles) */
  private readonly watchers = new Map<string, FSWatcher>();
  private timers: NodeJS.Timeout[] = [];
  private checking = false;
  private rescanning = false;
  private stopped = false;
  private readonly partners: Partner[];
  readonly trouble: RedisTrouble;
  /** the content hash of each file in processing/ (its claim makes its name unique and it never changes): a rescan does not read a backlog again */
  private readonly shaOfClaimed = new Map<string, string>();
  /** the inbox path (partner first) of each file in processing/, which its claimed name does not keep (claimed-as.ts) */
  private readonly claimedAs = new Map<string, string>();
  /** inbox files whose claim failed: the reason last logged (said again only when it changes), and the rescan it failed in */
  private readonly claimErrors = new Map<string, { message: string; rescan: number }>();
  /** claimed files in processing/ that could not be read: the reason last logged */
  private readonly unreadableClaims = new Map<string, string>();
  /** rescans begun: a failed claim is tried again at the next one, as before, not at every poll */
  private rescans = 0;
  /** the upload folders beside the inboxes that no partner reads, said when first seen and hourly */
  private readonly strayNotices = new StrayNotices();

  constructor(private readonly opts: WatcherOptions) {
    this.tracker = new StabilityTracker(opts.config.watch.stableMs);
    this.partners = opts.config.partners.filter((p) => p.inbox);
    this.trouble = opts.trouble ?? new RedisTrouble();
    this.redisFailed = reportRedisErrors(this.trouble, opts.logger, opts.metrics, 'watch (rescan)');
  }

  private readonly redisFailed: (e: Error) => void;

  /** `p`, a wait on Redis only: given up on at a stop while Redis cannot be reached */
  private onRedis<T>(p: Promise<T>): Promise<T> {
    return this.opts.redisAtStop ? this.opts.redisAtStop.of(p) : p;
  }

  async start(): Promise<void> {
    const { config, logger } = this.opts;
    if (this.partners.length === 0) throw new Error('no partner has an inbox in the configuration: nothing to watch');
    for (const p of this.partners) await fs.mkdir(p.inbox as string, { recursive: true });
    await fs.mkdir(config.paths.processing, { recursive: true });
    await this.rescan(); // starts the events of each inbox that is not a backlog
    this.timers.push(setInterval(() => void this.checkCandidates().catch((e) => logger.error({ err: e }, 'checking the inbox files failed (will retry)')), config.watch.pollMs));
    this.timers.push(setInterval(() => void this.rescan(), config.watch.rescanMs));
    logger.info({ inboxes: this.partners.map((p) => p.inbox), processing: config.paths.processing, stableMs: config.watch.stableMs }, 'watching');
  }

  /** The source of truth: every inbox file becomes a candidate; every claimed file is (re)queued. */
  async rescan(): Promise<void> {
    if (this.rescanning || this.stopped) return;
    this.rescanning = true;
    this.rescans++;
    try {
      for (const p of this.partners) {
        let skipped = 0;
        const onSkipped = (e: SkippedEntry) => {
          skipped++;
          this.skippedOnce(p, e);
        };
        try {
          const markers: InboxEntry[] = [];
          const entries = await scanInbox(p.inbox as string, onSkipped, 'throw', undefined, p.doneMarker ? (m) => markers.push(m) : undefined);
          await this.sweepStaleMarkers(p, markers);
          if (this.missingInboxes.delete(p.id)) this.opts.logger.info({ partner: p.id, inbox: p.inbox }, 'the inbox is back: its files are taken again');
          for (const e of entries) if (!this.candidates.get(e.abs)?.entry) this.candidates.set(e.abs, { partner: p, entry: e });
          this.opts.metrics?.inboxSkipped.set({ partner: p.id }, skipped);
          await this.eventsFor(p, entries.length);
        } catch (e) {
          // one partner's inbox failing must not stop the others'
          this.opts.metrics?.inboxScanErrors.inc({ partner: p.id });
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
            // said once, not at every rescan; the metric counts every rescan it lasts
            if (!this.missingInboxes.has(p.id)) this.opts.logger.error({ partner: p.id, inbox: p.inbox }, 'the inbox is gone (removed, or its share unmounted?): nothing is taken from it until it is back; looked for at every rescan');
            this.missingInboxes.add(p.id);
          } else this.opts.logger.error({ err: e, partner: p.id, inbox: p.inbox }, 'cannot scan this inbox (will retry)');
        }
      }
      await this.sayStrayFolders();
      await this.requeueProcessing();
      await this.checkCandidates();
    } catch (e) {
      if (e instanceof GaveUpOnRedis) return; // stopping: the next watcher's rescan queues what this one could not
      // Redis out of reach for long (a command given up after its retries, ~30 s): said once and
      // each minute as Redis trouble, as the connection says it, not an error at every rescan
      if (describeRedisError(e).kind !== 'other') this.redisFailed(e as Error);
      else this.opts.logger.error({ err: e }, 'rescan failed (will retry)');
    } finally {
      this.rescanning = false;
    }
  }

  private async checkCandidates(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      // a clock that never jumps: timed by the wall clock, a step forward (NTP, a virtual machine
      // resumed) made a stalled upload look settled, and a step back held every file for as long
      const now = performance.now();
      const entries = [...this.candidates.entries()];
      let next = 0;
      const lane = async () => {
        while (next < entries.length && !this.stopped) {
          const [file, c] = entries[next++];
          try {
            await this.check(file, c.partner, c.entry, now);
          } catch (e) {
            // one file's trouble must not stop the others' (it is a candidate again at the next rescan)
            this.opts.logger.error({ err: e, file }, 'cannot check this inbox file (will retry)');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(CLAIMS_AT_ONCE, entries.length) }, lane));
      const metrics = this.opts.metrics;
      if (metrics) {
        const waiting = new Map(this.partners.map((p) => [p.id, 0]));
        for (const c of this.candidates.values()) waiting.set(c.partner.id, (waiting.get(c.partner.id) ?? 0) + 1);
        for (const [partner, n] of waiting) metrics.inboxWaiting.set({ partner }, n);
      }
    } finally {
      this.checking = false;
    }
  }

  private async check(file: string, partner: Partner, entry: InboxEntry | undefined, now: number): Promise<void> {
    if (isIgnoredName(path.basename(file))) {
      this.candidates.delete(file);
      return;
    }
    const source = entry ? openPath(entry) : file;
    let st;
    try {
      st = await fs.lstat(source);
    } catch {
      this.candidates.delete(file);
      this.tracker.forget(file);
      this.claimErrors.delete(file);
      return;
    }
    if (!st.isFile()) {
      this.candidates.delete(file);
      this.claimErrors.delete(file);
      return;
    }
    if (this.claimErrors.get(file)?.rescan === this.rescans) return; // tried again at the next rescan
    if (!this.tracker.observe(file, { size: st.size, mtimeMs: st.mtimeMs }, now)) return;
    // Redis refuses jobs now: the file waits in the inbox rather than pile up in processing/
    // (the rescan's queueing of the files already claimed tells when Redis takes them again)
    if (this.trouble.current()) return;
    const marker = doneMarkerOf(source);
    if (partner.doneMarker && !(await doneMarkerThere(source))) return; // not announced complete yet
    // a file this user may not read (chmod 000, another account's umask) is not claimed: claimed,
    // it could be neither hashed nor queued, and sat in processing/ with no job while every rescan
    // failed on it. It waits in the inbox, said once, and is claimed once it can be read
    const unreadable = await unreadableBy(source);
    if (unreadable) return this.claimFailed(file, partner, entry, unreadable);
    this.candidates.delete(file);
    this.tracker.forget(file);
    let claimed: Claimed | undefined;
    try {
      claimed = await claimFile(source, this.opts.config.paths.processing, partner.id, path.basename(file));
    } catch (e) {
      if (e instanceof ClaimedNotAFile) this.opts.logger.warn({ file: `${partner.id}/${path.relative(partner.inbox as string, file).split(path.sep).join('/')}`, partner: partner.id, now: e.returnedAs }, e.message);
      else this.claimFailed(file, partner, entry, e as Error);
      return;
    }
    this.claimErrors.delete(file);
    if (!claimed) return; // another watcher was first
    const rel = `${partner.id}/${path.relative(partner.inbox as string, file).split(path.sep).join('/')}`;
    // the file is claimed: whatever becomes of its marker (swapped for a folder meanwhile), it is journaled and queued.
    // Killed right here, the marker stays alone: the next rescan removes it (stale-marker.ts)
    if (partner.doneMarker) {
      faultPoint('after-claim');
      await fs.rm(marker, { force: true }).catch((e: Error) => this.opts.logger.warn({ file: rel, partner: partner.id, err: e }, `its .done marker could not be removed (${e.message}): remove it, or the next upload of that name is taken as finished from its first byte`));
    }
    this.claimedAs.set(claimed.path, rel);
    if (entry?.rawRel) this.opts.logger.warn({ file: rel, rawName: entry.rawRel }, `the file's name is not UTF-8: it goes by ${rel} from now on`);
    try {
      await this.enqueue(claimed, rel, 'claimed', entry?.rawRel);
    } catch (e) {
      const err = e instanceof NotQueued ? { message: String((e.cause as Error)?.message ?? e.cause) } : e;
      this.opts.logger.warn({ file: rel, partner: partner.id, processing: claimed.path, err }, `claimed, not queued yet: ${(e as Error).message}. It waits in processing/; the rescan queues it again`);
    }
  }

  /**
   * The folders beside the inboxes that no partner reads and that hold files (stray-folders.ts):
   * nothing is taken from them, but their files would wait for ever unsaid. Said at the rescans
   * only (not per file event), when first seen and then hourly; counted by a gauge.
   */
  private async sayStrayFolders(): Promise<void> {
    const { config, logger, metrics } = this.opts;
    let stray;
    try {
      stray = await strayFolders(config);
    } catch (e) {
      logger.warn({ err: e }, 'the folders beside the inboxes could not be looked at (will retry)');
      return;
    }
    const now = performance.now();
    for (const s of stray) {
      if (!this.strayNotices.due(s.folder, now)) continue;
      logger.warn({ folder: s.folder, files: s.files.length, first: s.files[0].rel, inboxes: this.partners.map((p) => p.inbox), rule: s.rule }, `${s.rule} ${s.files.length} file(s) wait unread: ${s.why}. Said again every hour while files wait there`);
    }
    for (const folder of this.strayNotices.cleared(new Set(stray.map((s) => s.folder)))) logger.info({ folder, rule: NO_PARTNER_RULE }, 'the folder beside the inboxes no longer holds files to take (moved, or configured as an inbox)');
    metrics?.unreadFolderFiles.set(stray.reduce((n, s) => n + s.files.length, 0));
  }

  /** Removes the `.done` markers of this inbox that a claim already used (a watcher killed between its claim and the marker's removal). */
  private async sweepStaleMarkers(p: Partner, markers: InboxEntry[]): Promise<void> {
    if (markers.length === 0) return;
    const claims = await claimsWaiting(this.opts.config.paths.processing, p.id);
    if (claims.size === 0) return;
    for (const m of markers) {
      const claim = await claimThatUsed(m, claims);
      // one marker that cannot be removed must not stop the scan of the inbox: said, tried again at the next rescan
      const removed = claim && (await removeStaleMarker(m, claim).catch((e: Error) => void this.opts.logger.warn({ file: `${p.id}/${m.rel}`, partner: p.id, err: e }, `a .done marker left behind by a claim could not be removed (${e.message}): remove it, or the next upload of that name is taken as finished from its first byte`)));
      if (!claim || !removed) continue;
      this.opts.logger.warn({ file: `${p.id}/${m.rel}`, partner: p.id, claimId: claim.claimId }, 'removed a .done marker its file\'s claim had left behind (a watcher stopped between the claim and the marker\'s removal): the next upload of that name waits for its own marker');
    }
  }

  /**
   * A claim that failed (processing/ not writable, a read-only share, another mount): the file
   * still waits in its inbox, so it stays a candidate, counted by chorus_flux_inbox_waiting_files
   * (it used to leave the count until the next rescan, and the gauge read 0 while nothing could
   * be claimed), and is tried again after the next rescan. Logged once per reason, not at every try.
   */
  private claimFailed(file: string, partner: Partner, entry: InboxEntry | undefined, e: Error): void {
    this.candidates.set(file, { partner, entry });
    const said = this.claimErrors.get(file)?.message;
    this.claimErrors.set(file, { message: e.message, rescan: this.rescans });
    if (said === e.message) return;
    this.opts.logger.error({ err: e, file, partner: partner.id }, 'cannot claim the file (left in the inbox, counted in chorus_flux_inbox_waiting_files, tried again; said again if the reason changes)');
  }

  /** A claimed file that cannot be read: not queued, said once per reason, queued by the rescan once it can be read. */
  private unreadableClaim(abs: string, rel: string, e: Error): void {
    if (this.unreadableClaims.get(abs) === e.message) return;
    this.unreadableClaims.set(abs, e.message);
    this.opts.logger.error({ err: e, processing: rel }, `a claimed file in processing/ cannot be read (${e.message}): not queued, no outcome; give this user read access to it and the next rescan queues it`);
  }

  /** What a claimed file's job is made of. Throws ENOENT for a file gone meanwhile. */
  private async jobOf(c: Claimed, relPath: string): Promise<ClaimedJob> {
    const sha = this.shaOfClaimed.get(c.path) ?? (await sha256OfFile(c.path));
    this.shaOfClaimed.set(c.path, sha);
    const st = await fs.stat(c.path);
    const data: FluxJobData = { path: c.path, name: c.name, relPath, partner: c.partner, sha256: sha, claimId: c.claimId };
    const processing = path.relative(this.opts.config.paths.out, c.path).split(path.sep).join('/');
    return { c, relPath, sha, bytes: st.size, data, jobId: fluxJobId(sha, c.claimId), processing };
  }

  private async enqueue(c: Claimed, relPath: string, event: 'claimed' | 'requeued', rawName?: string): Promise<void> {
    const { queue, journal, config, metrics } = this.opts;
    const job = await this.jobOf(c, relPath);
    if (event === 'claimed') {
      await journal.append({ event: 'claimed', sha256: job.sha, file: relPath, partner: c.partner, bytes: job.bytes, claimId: c.claimId, processing: job.processing, ...(rawName ? { rawName } : {}) });
      metrics?.claimed.inc({ partner: c.partner });
    }
    const created = await this.adding(() => addIfNew(queue, 'flux', job.data, { ...fluxJobOptions(config), jobId: job.jobId }));
    await this.queued(job, event, created);
  }

  /** An add to the queue, its refusal said (NotQueued), the end of a trouble too. */
  private async adding<R>(add: () => Promise<R>): Promise<R> {
    const { logger, metrics } = this.opts;
    let r: R;
    try {
      r = await this.onRedis(add());
    } catch (e) {
      if (e instanceof GaveUpOnRedis) throw new NotQueued('the watcher stopped while Redis could not be reached', { cause: e });
      const t = this.trouble.failed(e);
      if (!t.again) metrics?.redisErrors.inc({ kind: t.kind });
      if (t.log) logger.error({ redis: t.detail, kind: t.kind, repeats: t.repeats || undefined }, t.says);
      throw new NotQueued(`Redis refused the job (${t.kind})`, { cause: e });
    }
    const ended = this.trouble.succeeded();
    if (ended) logger.info({ kind: ended.kind, failures: ended.failures, seconds: Math.round(ended.ms / 1000) }, 'Redis takes jobs again');
    return r;
  }

  /** Said and journaled once its job was added. `mended`: what the rescan found of its job and mended (job-places.ts) */
  private async queued(job: ClaimedJob, event: 'claimed' | 'requeued', created: boolean, mended?: JobPlace): Promise<void> {
    const { journal, logger } = this.opts;
    const { c, relPath, sha, jobId, processing } = job;
    // what was left of its job, found and mended: one line, in place of the one below (mended, the
    // job is held from then on: said once). A job failed for good is put back, no job made
    const says = mended && placeSays(mended, this.trouble.evictionPolicy);
    const sayMended = () => logger.warn({ sha256: sha, file: relPath, partner: c.partner, claimId: c.claimId, jobId, found: mended }, `found in processing: ${says}`);
    if (says && (mended === 'orphaned-failed' || !created)) return sayMended();
    if (event === 'requeued' && !created) {
      // another watcher's rescan found it jobless too and made its job first: the line is that watcher's
      logger.debug({ sha256: sha, file: relPath, partner: c.partner, claimId: c.claimId }, 'found in processing without a job: another watcher queued it again first');
      return;
    }
    if (event === 'requeued') await journal.append({ event: 'requeued', sha256: sha, file: relPath, partner: c.partner, claimId: c.claimId, processing });
    if (says) return sayMended();
    logger.info({ sha256: sha, file: relPath, partner: c.partner, claimId: c.claimId }, event === 'claimed' ? 'claimed and queued' : 'found in processing and queued again');
  }

  /**
   * Claimed files not finished (a crash, Redis came back empty, or it refused the job) are
   * queued again. The job id is the same, so a file whose job still exists is not queued twice;
   * of two watchers that find it jobless at once, only the one whose add makes the job journals
   * `requeued` (add-if-new.ts). A file that waits through several restarts has a line per job made.
   */
  private async requeueProcessing(): Promise<void> {
    const { config, queue } = this.opts;
    const graceMs = Math.max(config.watch.rescanMs, 5000);
    const due: { claimed: Claimed; partner: string; sha: string }[] = [];
    const present = new Set<string>();
    for (const e of await scanInbox(config.paths.processing)) {
      present.add(e.abs);
      const partner = e.rel.split('/')[0];
      const c = parseClaimed(e.abs, partner);
      if (!c) continue;
      let st;
      try {
        st = await fs.stat(e.abs);
      } catch {
        continue;
      }
      // a fresh claim is being queued by its watcher right now
      if (Date.now() - st.ctimeMs < graceMs) continue;
      let sha = this.shaOfClaimed.get(e.abs);
      if (!sha) {
        try {
          sha = await sha256OfFile(e.abs);
        } catch (err) {
          // one claimed file this user may not read (its permissions changed after the claim)
          // used to fail the whole rescan: no other file in processing/ was queued again
          this.unreadableClaim(e.abs, e.rel, err as Error);
          continue;
        }
        this.unreadableClaims.delete(e.abs);
        this.shaOfClaimed.set(e.abs, sha);
      }
      due.push({ claimed: c, partner, sha });
    }
    for (const p of this.shaOfClaimed.keys()) if (!present.has(p)) this.shaOfClaimed.delete(p);
    for (const p of this.claimedAs.keys()) if (!present.has(p)) this.claimedAs.delete(p);
    for (const p of this.unreadableClaims.keys()) if (!present.has(p)) this.unreadableClaims.delete(p);
    // which of them have no job a worker would take: one script per thousand files, not a round
    // trip per file. Its record alone is not enough: a Redis that evicts keys may leave a record
    // in no list of the queue, or an id in `wait` without its record (job-places.ts)
    const places = await jobPlaces(queue as Queue, due.map((d) => fluxJobId(d.sha, d.claimed.claimId)), (p) => this.onRedis(p));
    const jobless: (typeof due[number] & { found: JobPlace })[] = [];
    for (let i = 0; i < due.length; i++) if (places[i] !== 'held') jobless.push({ ...due[i], found: places[i] });
    await this.learnClaimedPaths(jobless);
    // queued under the path it was claimed from, not its claimed name's (a sub-folder, a name cut to fit)
    const relPathOf = (d: (typeof jobless)[number]) => this.claimedAs.get(d.claimed.path) ?? `${d.partner}/${d.claimed.name}`;
    const claimedOf = (d: (typeof jobless)[number], relPath: string): Claimed => ({ ...d.claimed, name: relPath.slice(relPath.lastIndexOf('/') + 1) });
    // finished meanwhile by the worker that had it before Redis lost its job: done, not a
    // failure of the rescan (which used to stop here, the files after it left jobless)
    const finished = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';
    for (let k = 0; k < jobless.length; k += MEND_CHUNK) {
      const batch = jobless.slice(k, k + MEND_CHUNK);
      // the jobs to mend are mended and added first, in one transaction (the queue's lists read
      // once for them all: job-places.ts), then each file said and journaled in turn as before
      const toMend: { d: (typeof jobless)[number]; job: ClaimedJob }[] = [];
      for (const d of batch) {
        if (d.found === 'gone') continue;
        try {
          toMend.push({ d, job: await this.jobOf(claimedOf(d, relPathOf(d)), relPathOf(d)) });
        } catch (e) {
          if (!finished(e)) throw e;
        }
      }
      const mended = new Map<(typeof jobless)[number], { job: ClaimedJob; created: boolean; found: JobPlace }>();
      if (toMend.length > 0) {
        try {
          const added = await this.adding(() => addManyMending(queue, 'flux', toMend.map((m) => ({ data: m.job.data, opts: { ...fluxJobOptions(config), jobId: m.job.jobId } }))));
          toMend.forEach((m, i) => mended.set(m.d, { job: m.job, ...added[i]! }));
        } catch (e) {
          if (e instanceof NotQueued) return; // Redis refuses jobs (logged once): the next rescan tries again
          throw e;
        }
      }
      for (const d of batch) {
        const m = mended.get(d);
        try {
          if (m) await this.queued(m.job, 'requeued', m.created, m.found);
          else if (d.found === 'gone') await this.enqueue(claimedOf(d, relPathOf(d)), relPathOf(d), 'requeued');
        } catch (e) {
          if (e instanceof NotQueued) return;
          if (finished(e)) continue;
          throw e;
        }
      }
    }
  }

  /** The inbox paths of claimed files this watcher did not claim itself, from their `claimed` journal lines (read once per file). */
  private async learnClaimedPaths(files: { claimed: Claimed; partner: string }[]): Promise<void> {
    const unknown = files.filter((d) => !this.claimedAs.has(d.claimed.path));
    if (unknown.length === 0) return;
    const { config, logger } = this.opts;
    const found = await claimedPaths(path.join(config.paths.out, 'journal'), config.timezone, unknown.map((d) => d.claimed.claimId)).catch((err: Error) => {
      logger.warn({ err }, 'the journal could not be read for the inbox paths of the claimed files to queue again: they go by their claimed names');
      return new Map<string, string>();
    });
    for (const d of unknown) {
      const rel = found.get(d.claimed.claimId);
      this.claimedAs.set(d.claimed.path, rel?.startsWith(`${d.partner}/`) ? rel : `${d.partner}/${d.claimed.name}`);
    }
  }

  /**
   * Starts or pauses chokidar on a partner's inbox. At every change of a folder chokidar lists
   * and stats all of it again (at most once a second): on an inbox of 20,000 files being
   * claimed, that took most of a core and claimed ten times slower than the rescan alone.
   * A backlog is left to the rescan, which finds every file anyway.
   */
  private async eventsFor(p: Partner, files: number): Promise<void> {
    if (this.opts.events === false || this.stopped) return;
    const { logger, config } = this.opts;
    const limit = config.watch.eventsMaxFiles;
    const backlog = limit > 0 && files > limit;
    const w = this.watchers.get(p.id);
    if (backlog) {
      if (w) {
        this.watchers.delete(p.id);
        await w.close();
      }
      if (!this.eventsPaused.has(p.id)) {
        this.eventsPaused.add(p.id);
        logger.info({ partner: p.id, inbox: p.inbox, files, eventsMaxFiles: limit }, `${files} files wait in this inbox: its file-system events are paused, the rescan (every ${config.watch.rescanMs} ms) takes them`);
      }
    } else if (!w) {
      const fresh = chokidar.watch(p.inbox as string, {
        ignored: (f: string) => isIgnoredName(path.basename(f)) && f !== p.inbox,
        ignoreInitial: false,
        followSymlinks: false,
        depth: 8,
        awaitWriteFinish: false, // we do our own stability check, also for the initial scan
      });
      fresh.on('add', (f) => this.addCandidate(f, p));
      fresh.on('change', (f) => this.addCandidate(f, p));
      fresh.on('error', (e) => logger.warn({ err: e, inbox: p.inbox }, 'watch error (the periodic rescan goes on)'));
      this.watchers.set(p.id, fresh);
      if (this.eventsPaused.delete(p.id)) logger.info({ partner: p.id, inbox: p.inbox, files }, 'file-system events resumed on this inbox');
    }
  }

  private readonly eventsPaused = new Set<string>();

  /** Whether chokidar watches this partner's inbox now (false while it holds a backlog, or with events off). */
  eventsOn(partnerId: string): boolean {
    return this.watchers.has(partnerId);
  }

  private addCandidate(file: string, partner: Partner): void {
    if (!this.candidates.has(file)) this.candidates.set(file, { partner });
  }

  private readonly skipped = new Set<string>();

  /** A link or special file in an inbox is never taken: said once per watcher, not at every rescan. */
  private skippedOnce(partner: Partner, e: SkippedEntry): void {
    const key = `${partner.id}/${e.rel}`;
    if (this.skipped.has(key)) return;
    this.skipped.add(key);
    this.opts.logger.warn({ file: key, partner: partner.id }, skippedMessage(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all([...this.watchers.values()].map((w) => w.close()));
    this.watchers.clear();
    // the claims, hashes and journal lines under way are finished; what waits on a Redis that
    // cannot be reached is given up (redis-at-stop.ts), or the stop waited for it until the bound
    while (this.checking || this.rescanning) {
      this.opts.redisAtStop?.giveUpIfDown();
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Why this user may not read the inbox file `source`, or undefined when it may (or it is gone: the claim says so). */
async function unreadableBy(source: string | Buffer): Promise<Error | undefined> {
  try {
    await fs.access(source, fsConstants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') return undefined;
    return new Error(`permission denied: this user may not read it (${code}). Give the service user read access to the inboxes' files; it is claimed once it can be read`);
  }
}
