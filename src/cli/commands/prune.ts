/**
 * `chorus-flux prune [--config <file>] [--out <dir>] [--days <n>] [--dry-run]`: removes the
 * processed marks older than the retention (state/prune-marks.ts). The nightly job does it
 * when `watch` runs; an installation that only uses `run` calls this from cron. Exit 0 done,
 * 2 could not run.
 */
import { existsSync } from 'node:fs';
import { loadConfig, outputRootOrigin } from '../../config/config';
import { pruneProcessedMarks, type PruneResult } from '../../state/prune-marks';
import { waitingContents } from '../../state/waiting-contents';
import { UsageError } from '../../util/usage-error';
import { refuseForeignOwner } from '../owner-guard';
import { refuseTreeOfOtherConfig } from '../tree-config';

export interface PruneCommandOptions {
  config?: string;
  out?: string;
  days?: number;
  dryRun?: boolean;
  quiet?: boolean;
  asAnyUser?: boolean;
}

export function formatPrune(r: PruneResult, days: number, stateDir: string, dryRun: boolean): string {
  const verb = dryRun ? 'would remove' : 'removed';
  const lines = [`${stateDir}: ${verb} ${r.removed} processed mark(s) and ${r.repliesRemoved} reply mark(s) last written before ${r.before} (retention ${days} days + 1); ${r.scanned} looked at${r.attemptsRemoved ? `; ${r.attemptsRemoved} attempt record(s) with them or orphaned` : ''}${r.historyRemoved ? `; ${r.historyRemoved} reopening record(s) (chorus-flux reprocess) as old` : ''}`];
  if (r.keptWaiting > 0) lines.push(`  kept ${r.keptWaiting} old attempt record(s) whose file still waits in the processing area (a failed job: chorus-flux jobs, then retry or set-aside)`);
  if (r.keptUnjournaled > 0) lines.push(`  kept ${r.keptUnjournaled} old mark(s) whose outcome may not be in the journal (an interrupted attempt): the same bytes dropped again journal it; see docs/OPERATIONS.md`);
  return `${lines.join('\n')}\n`;
}

export async function pruneCommand(opts: PruneCommandOptions): Promise<number> {
  if (opts.out === '') throw new UsageError('--out is empty: give the output root whose state to prune');
  const config = loadConfig(opts.config, { out: opts.out });
  // a dry run removes nothing and writes nothing: anyone who can read the marks may count them
  if (!opts.dryRun) refuseForeignOwner('prune', config, opts);
  const stateDir = config.paths.state;
  if (!existsSync(stateDir)) throw new UsageError(`${stateDir} does not exist: nothing was ever processed there (${outputRootOrigin(config, opts.out !== undefined, 'paths.state')})`);
  const days = opts.days ?? config.retention.processedMarksDays;
  // --config forgotten on a tree a configuration file wrote: the example's retention (400 days)
  // would remove marks the configured one keeps, or keep what it drops (tree-config.ts); a dry
  // run removes nothing and says the retention it counted with
  if (!opts.dryRun) {
    refuseTreeOfOtherConfig(
      'prune',
      config,
      opts.days === undefined
        ? `the bundled example's retention (${days} days) would decide which processed marks to remove, not retention.processedMarksDays of the configuration`
        : `the bundled example's state and processing folders (under ${config.paths.out}) would be taken for the ones the configuration sets`,
    );
  }
  const started = Date.now();
  const tty = process.stderr.isTTY && !opts.quiet;
  const r = await pruneProcessedMarks(stateDir, {
    days,
    dryRun: opts.dryRun,
    waiting: () => waitingContents(config.paths.processing),
    onProgress: tty ? (p) => process.stderr.write(`\r  ${p.scanned} looked at, ${p.removed} removed, ${Math.round((Date.now() - started) / 1000)} s`) : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (!opts.quiet) process.stdout.write(formatPrune(r, days, stateDir, opts.dryRun === true));
  return 0;
}
