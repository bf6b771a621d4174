/**
 * Prometheus metrics (prom-client): files received / accepted / refused / suspended,
 * processing time, queue depth. One registry per process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ratePerSecond, type QueueLimits } from '../queue/queue-limits';

export interface Metrics {
  registry: Registry;
  filesReceived: Counter<'partner'>;
  attemptsFailed: Counter<'partner'>;
  statusLines: Counter<'outcome'>;
  filesOutcome: Counter<'partner' | 'outcome' | 'kind'>;
  invoices: Counter<'outcome'>;
  /** invoices sent less checked than they should be (runner/less-checked.ts) */
  flowStatuses: Counter<'partner' | 'verdict'>;
  invoicesLessChecked: Counter<'reason'>;
  processingSeconds: Histogram<'outcome'>;
  queueDepth: Gauge<'state'>;
  /** 1 while a queue is paused (it takes no job, and stays paused across restarts) */
  queuePaused: Gauge<'queue'>;
  /** a global concurrency set on a queue (0: none) */
  queueGlobalConcurrency: Gauge<'queue'>;
  /** jobs per second a global rate limit set on a queue allows (0: none) */
  queueGlobalRateLimit: Gauge<'queue'>;
  claimed: Counter<'partner'>;
  /** files seen in an inbox and not claimed yet (still changing, waiting for their .done marker, or that cannot be claimed) */
  inboxWaiting: Gauge<'partner'>;
  /** entries the last scan of an inbox never takes (links, FIFOs, folders it cannot read) */
  inboxSkipped: Gauge<'partner'>;
  inboxScanErrors: Counter<'partner'>;
  /** files waiting in the folders beside the inboxes that no partner's inbox is (ingest/stray-folders.ts) */
  unreadFolderFiles: Gauge;
  /** Redis errors seen by this process, by kind (queue/redis-trouble.ts): out-of-memory, read-only, unreachable… */
  redisErrors: Counter<'kind'>;
  /** (worker) 1 while its configuration differs from the watcher's and it takes no job (runner/config-skew.ts) */
  configDiffers: Gauge;
}

/**
 * What Redis says, for a scrape: undefined when it cannot be asked, or does not answer within
 * 2 s (a scrape never waits on Redis's reconnection; the gauge keeps its last values, and the
 * other metrics are still served — chorus_flux_redis_errors_total says why).
 */
function askRedis<T>(ask: () => Promise<T>): Promise<T | undefined> {
  return Promise.race([ask().catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
}

export function createMetrics(opts: { queueDepth?: () => Promise<Record<string, number>>; queuePaused?: () => Promise<Record<string, boolean>>; queueLimits?: () => Promise<Record<string, QueueLimits>>; defaults?: boolean; lastReportSeconds?: () => number } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'chorus_flux_' });
  if (opts.lastReportSeconds !== undefined) {
    const lastReportSeconds = opts.lastReportSeconds;
    // reports that stop coming (no worker runs the nightly job, or it fails every night) are
    // seen by an alert on this: time() - chorus_flux_reconcile_last_report_seconds > 26 h
    new Gauge({
      name: 'chorus_flux_reconcile_last_report_seconds',
      help: 'When the newest nightly reconciliation report was written (Unix seconds; 0: none yet). Alert when older than a day and a bit',
      registers: [registry],
      collect() {
        this.set(lastReportSeconds());
      },
    });
  }
  const queueDepth = new Gauge({
    name: 'chorus_flux_queue_jobs',
    help: 'Jobs in the flux queue by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const queueDepth = opts.queueDepth;
      const counts = queueDepth && (await askRedis(queueDepth));
      if (!counts) return;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  // a queue paused (by a dashboard allowed to, or BullMQ's API) takes no job, across restarts,
  // while every /healthz says 200 and jobs only pile up: an alert on this says why at once
  const queuePaused = new Gauge({
    name: 'chorus_flux_queue_paused',
    help: 'Whether the queue is paused (1): it takes no job, and stays paused across restarts, until `chorus-flux jobs --resume`',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const queuePausedNow = opts.queuePaused;
      const paused = queuePausedNow && (await askRedis(queuePausedNow));
      if (!paused) return;
      for (const [queue, p] of Object.entries(paused)) this.set({ queue }, p ? 1 : 0);
    },
  });
  // a global concurrency or rate limit (set from a dashboard or a BullMQ client, queue-limits.ts)
  // holds back every worker across restarts, as a pause does; one scrape reads both for both gauges
  let limitsRead: Promise<Record<string, QueueLimits> | undefined> | undefined;
  const readLimits = () => {
    const queueLimitsNow = opts.queueLimits;
    limitsRead ??= (queueLimitsNow ? askRedis(queueLimitsNow) : Promise.resolve(undefined)).finally(() => setImmediate(() => (limitsRead = undefined)));
    return limitsRead;
  };
  const limitGauge = (name: string, help: string, value: (l: QueueLimits) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        const limits = await readLimits();
        if (!limits) return;
        for (const [queue, l] of Object.entries(limits)) this.set({ queue }, value(l));
      },
    });
  const queueGlobalConcurrency = limitGauge('chorus_flux_queue_global_concurrency', 'A global concurrency set on the queue (from a dashboard or a BullMQ client; 0: none): all workers together run at most this many jobs at once, across restarts, until `chorus-flux jobs --clear-limits`', (l) => l.concurrency ?? 0);
  const queueGlobalRateLimit = limitGauge('chorus_flux_queue_global_rate_limit_per_second', 'Jobs per second a global rate limit set on the queue allows (from a dashboard or a BullMQ client; 0: none), across restarts, until `chorus-flux jobs --clear-limits`', ratePerSecond);
  return {
    registry,
    filesReceived: new Counter({ name: 'chorus_flux_files_received_total', help: 'Inbound files this process began (once per file: its retries are counted by chorus_flux_file_attempts_failed_total)', labelNames: ['partner'] as const, registers: [registry] }),
    attemptsFailed: new Counter({ name: 'chorus_flux_file_attempts_failed_total', help: 'Attempts at a file that failed on a system error (I/O, Redis, its content lock not taken) and were retried or given up', labelNames: ['partner'] as const, registers: [registry] }),
    statusLines: new Counter({ name: 'chorus_flux_status_lines_total', help: "Lines of the finance SIs' CPPStatut flows: outcome=\"applied\" or \"refused\"", labelNames: ['outcome'] as const, registers: [registry] }),
    filesOutcome: new Counter({ name: 'chorus_flux_files_total', help: 'Inbound files by outcome (accepted, partial, refused, suspended, duplicate, status-applied, already-processed)', labelNames: ['partner', 'outcome', 'kind'] as const, registers: [registry] }),
    invoices: new Counter({ name: 'chorus_flux_invoices_total', help: 'Invoices by outcome (the lines of status flows are counted by chorus_flux_status_lines_total)', labelNames: ['outcome'] as const, registers: [registry] }),
    flowStatuses: new Counter({ name: 'chorus_flux_flow_statuses_total', help: 'Flow statuses partners sent about the flows chorus-flux sent them: verdict="acknowledged" (90-92), "rejected" (93-95: the flow did not reach the recipient\'s accounts; an error in the log), "partial" (96)', labelNames: ['partner', 'verdict'] as const, registers: [registry] }),
    invoicesLessChecked: new Counter({ name: 'chorus_flux_invoices_less_checked_total', help: 'Invoices sent less checked than they should be: reason="rule", a validation rule could not be evaluated (a fault of chorus-flux); reason="facturx", the pivot went without its Factur-X. Each is an error in the log', labelNames: ['reason'] as const, registers: [registry] }),
    processingSeconds: new Histogram({ name: 'chorus_flux_processing_seconds', help: 'Time to process one inbound file', labelNames: ['outcome'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600], registers: [registry] }),
    queueDepth,
    queuePaused,
    queueGlobalConcurrency,
    queueGlobalRateLimit,
    claimed: new Counter({ name: 'chorus_flux_files_claimed_total', help: 'Files claimed from the inboxes by the watcher', labelNames: ['partner'] as const, registers: [registry] }),
    inboxWaiting: new Gauge({ name: 'chorus_flux_inbox_waiting_files', help: 'Files seen in an inbox and not claimed yet: still changing, waiting for their .done marker, or that cannot be claimed (the log says why)', labelNames: ['partner'] as const, registers: [registry] }),
    inboxSkipped: new Gauge({ name: 'chorus_flux_inbox_skipped_entries', help: 'Entries the last scan of an inbox never takes: symbolic links, FIFOs, folders it cannot read', labelNames: ['partner'] as const, registers: [registry] }),
    unreadFolderFiles: new Gauge({ name: 'chorus_flux_unread_folder_files', help: 'Files waiting in folders beside the inboxes that are no partner\'s inbox: watch never reads them (FLUX-PARTENAIRE-INCONNU; the log names the folders). Alert when above 0', registers: [registry] }),
    inboxScanErrors: new Counter({ name: 'chorus_flux_inbox_scan_errors_total', help: 'Scans of an inbox that failed (the inbox cannot be read)', labelNames: ['partner'] as const, registers: [registry] }),
    configDiffers: new Gauge({ name: 'chorus_flux_config_differs', help: "1 while this worker's configuration differs from the watcher's and it takes no job (the log and /healthz name the sections): restart it with the watcher's configuration file", registers: [registry] }),
    redisErrors: new Counter({ name: 'chorus_flux_redis_errors_total', help: 'Redis errors by kind: out-of-memory (maxmemory reached), read-only (a replica), persistence (MISCONF), authentication, database (the URL names a database the server lacks), unreachable, not-answering (a PING left 3 s unanswered on an open connection: a frozen host, a silent partition), other; lock-lost: a job lock not renewed in time by a busy worker (not Redis trouble)', labelNames: ['kind'] as const, registers: [registry] }),
  };
}
