/**
 * Wires the pipeline's edges for a configuration: journal, state stores, id allocator,
 * outbox. Both runners build their dependencies here; only the id allocator differs.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { Outbox } from '../emit/outbox';
import { Journal } from '../journal/journal';
import { LifecycleStatusFlows } from '../lifecycle/status-flows';
import { LifecycleStore } from '../lifecycle/store';
import type { IdAllocator } from '../state/id-allocator';
import { LocalIdSequence } from '../state/local-id-sequence';
import { ProcessedFiles } from '../state/processed-files';
import { systemClock, type Clock } from '../util/clock';
import type { PipelineDeps } from './process-file';
import { optionalFeatures } from './features';

export interface DepsOptions {
  logger: Logger;
  clock?: Clock;
  ids?: IdAllocator;
  journalWriterId?: string;
  /** process each file under its content's lock (PipelineDeps.contentLocks). Default true; the BullMQ worker holds that lock around the job itself. */
  contentLocks?: boolean;
  /**
   * the configuration's optional stages (features.ts: Factur-X's maker). Default true; false for
   * deps that never process a file (the BullMQ worker's main thread: its processing thread has its own)
   */
  optionalFeatures?: boolean;
}

export function statePaths(config: Config) {
  return {
    files: path.join(config.paths.state, 'files'),
    invoices: path.join(config.paths.state, 'invoices'),
    ids: path.join(config.paths.state, 'ids'),
    journal: path.join(config.paths.out, 'journal'),
  };
}

export function createDeps(config: Config, opts: DepsOptions): PipelineDeps {
  const clock = opts.clock ?? systemClock;
  const p = statePaths(config);
  return {
    config,
    clock,
    logger: opts.logger,
    journal: new Journal({ dir: p.journal, clock, timezone: config.timezone, writerId: opts.journalWriterId }),
    processed: new ProcessedFiles(config.paths.state, {
      onDamaged: (file, reason) => opts.logger.warn({ mark: file, reason }, 'processed mark unreadable (a power cut?): taken as absent, the file is processed again and the mark rewritten'),
    }),
    lifecycle: new LifecycleStore(p.invoices),
    ids: opts.ids ?? new LocalIdSequence({ dir: p.ids }),
    outbox: new Outbox(config.paths.out),
    statusFlows: new LifecycleStatusFlows(),
    contentLocks: opts.contentLocks === false ? undefined : path.join(config.paths.state, 'locks'),
    ...(opts.optionalFeatures === false ? {} : optionalFeatures(config)),
  };
}
