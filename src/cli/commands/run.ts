/**
 * `chorus-flux run <inbox> --out <dir> [--config <file>]` — the embedded runner.
 * Exit 0 when every file got an outcome, 2 on a system failure or a file whose folder names no
 * partner (not taken: it waits for an operator, and a timer's unit must show it).
 */
import { SingleBar } from 'cli-progress';
import path from 'node:path';
import { bundledConfigPath, configWarnings, isBundledExample, loadConfig } from '../../config/config';
import { checkRunArguments, checkRunFolders } from '../../config/folders';
import type { FileResult } from '../../runner/process-file';
import { defaultThreads, runThreaded } from '../../runner/threaded';
import type { Logger } from 'pino';
import type { Config } from '../../config/config';
import { createLogger } from '../../util/logger';
import { summaryTable } from '../summary';
import { skippedMessage, type SkippedEntry } from '../../ingest/scan';
import type { NoPartnerEntry, WaitingEntry } from '../../runner/inbound-file';
import { noPartnerHints } from '../../runner/no-partner';
import { failureHints } from '../../util/system-error-hint';
import { UsageError } from '../../util/usage-error';
import { printable } from '../../util/printable';
import { refuseForeignOwner } from '../owner-guard';
import { refuseTreeOfOtherConfig } from '../tree-config';

export interface RunCommandOptions {
  out?: string;
  config?: string;
  /** files in flight per thread (parsed by commander) */
  concurrency?: number;
  threads?: number;
  /** input MiB in flight over all threads */
  maxInFlightMb?: number;
  /** seconds: files modified more recently wait for the next run */
  minAge?: number;
  remove?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  progress?: boolean;
  asAnyUser?: boolean;
}

export async function runCommand(inbox: string, opts: RunCommandOptions): Promise<number> {
  checkRunArguments(inbox, opts.out, opts.config);
  const config = loadConfig(opts.config, { out: opts.out });
  // without --out, the configuration must say where: its default (./out beside the file) would
  // put a run's outputs under /etc/chorus-flux/ unasked
  if (opts.out === undefined && !config.outGiven) throw new UsageError(`give --out <dir>: ${config.source} has no paths.out to write to`);
  refuseForeignOwner('run', config, opts);
  checkRunFolders(config, inbox, opts.out !== undefined ? '--out' : 'paths.out');
  // --config forgotten on a tree a configuration file wrote: the bundled example's emitter and
  // routing table would process the partners' files (tree-config.ts)
  refuseTreeOfOtherConfig('run', config, "the bundled example's emitter and routing table would process these files (invoices to other buyers refused, their partners told so)");
  const tty = Boolean(process.stderr.isTTY);
  // commander's --no-progress makes `progress` true by default: the bar needs a terminal as well
  // (-q drew it anyway). The console has warnings only unless --no-progress or -v asks for every
  // file, terminal or not (a cron mail is not to list every file); the log file has everything
  const showBar = tty && !opts.quiet && opts.progress !== false;
  const logFile = path.join(config.paths.out, 'logs', `run-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  // with a progress bar, the console only shows warnings; the log file has everything
  const logger = createLogger({ file: logFile, level: opts.quiet ? 'error' : opts.progress !== false && !opts.verbose ? 'warn' : 'info' });
  for (const w of configWarnings(config)) logger.warn(w);
  const threads = opts.threads ?? defaultThreads();
  const bar = showBar ? new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} files | {eta_formatted} left | {last}', etaBuffer: 50, hideCursor: true, stream: process.stderr, clearOnComplete: true }) : undefined;
  const progress = {
    keepResults: false, // the summary comes from the tally: memory stays flat over a long run
    onStart: (total: number) => bar?.start(total, 0, { last: '' }),
    onSkipped: (e: SkippedEntry) => logger.warn({ file: e.rel }, skippedMessage(e)),
    onWaiting: (e: WaitingEntry) => logger.info({ file: e.rel }, `left for the next run: ${e.why}`),
    // an error, so that -q (a timer's run) shows it: nothing else would ever take the file
    onNoPartner: (e: NoPartnerEntry) => logger.error({ file: e.rel, folder: e.folder, rule: e.rule }, `not taken: ${e.rule} ${e.why}`),
    onGone: (e: WaitingEntry) => logger.warn({ file: e.rel }, e.why),
    minAgeMs: Math.round((opts.minAge ?? 0) * 1000),
    removeTaken: opts.remove === true,
    onKept: (e: WaitingEntry) => logger.warn({ file: e.rel }, `not removed from the inbox: ${e.why}`),
    // a partner's name with a newline or an escape sequence broke the bar's line, or reached the terminal
    onFile: (r: FileResult | { file: string; error: Error }) => bar?.increment(1, { last: printable('error' in r ? `FAILED ${r.file}` : `${r.outcome} ${path.basename(r.file)}`) }),
    stopRequested: (() => false) as () => boolean,
  };
  // SIGINT (Ctrl-C) or SIGTERM (systemctl stop): no file is begun any more, those begun are
  // finished (each ends with its outcome); a second signal stops at once
  let stopSignal: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) {
      process.stderr.write(`chorus-flux: ${signal} again: stopping at once; the files in flight are left unfinished (received, no outcome): the next run finishes them\n`);
      logger.warn({ signal }, 'second signal: stopping at once');
      logger.flush?.();
      process.exit(2);
    }
    stopSignal = signal;
    logger.warn({ signal }, 'asked to stop: the files begun are finished, no other is begun (a second signal stops at once)');
    if (!opts.quiet) process.stderr.write(`\nchorus-flux: ${signal}: finishing the files begun, beginning no other (${signal} again stops at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  progress.stopRequested = () => stopSignal !== undefined;
  const concurrency = opts.concurrency;
  const maxBytesInFlight = opts.maxInFlightMb !== undefined ? Math.round(opts.maxInFlightMb * 1024 * 1024) : undefined;
  const level = opts.quiet ? 'error' : opts.progress !== false && !opts.verbose ? 'warn' : 'info';
  const summary =
    threads > 1
      ? await runThreaded({ inbox, config, threads, concurrency, maxBytesInFlight, logFile, level, ...progress })
      : await runInThisThread({ inbox, config, logger, concurrency, maxBytesInFlight, ...progress });
  bar?.stop();
  await new Promise((r) => setTimeout(r, 20));
  // the log file keeps the summary; the console has it unless --quiet (a timer's run prints nothing when all went well)
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  logger.info({ files: summary.files, byKind: summary.tally.rows(), waiting: summary.waiting.length, noPartner: summary.noPartner.length, skipped: summary.skipped.length, notBegun: summary.notBegun, failures: summary.failures.length, ms: summary.ms, ...(stopSignal ? { stoppedBy: stopSignal } : {}) }, 'run finished');
  if (stopSignal) process.stderr.write(`chorus-flux: stopped by ${stopSignal}: every file begun has its outcome; ${summary.notBegun} file(s) not begun, left in the inbox for the next run\n`);
  if (!opts.quiet) {
    process.stdout.write(`${summaryTable(summary)}\n`);
    // the files taken this run: those listed but the ones not begun (asked to stop)
    const taken = summary.files - summary.notBegun;
    // its routing table knows only the example's buyers: every other invoice refused, its partner told so
    const bundled = isBundledExample(config) ? `  ·  configuration: the bundled example ${bundledConfigPath()} (its routing table knows only its example buyers; give --config <file>)` : '';
    process.stdout.write(`outputs in ${config.paths.out}  ·  log ${logFile}  ·  ${taken} file(s) in ${(summary.ms / 1000).toFixed(1)} s${summary.notBegun ? ` (${summary.notBegun} not begun)` : ''}${bundled}\n`);
  }
  for (const hint of [...failureHints(summary.failures), ...noPartnerHints(summary.noPartner)]) process.stderr.write(`chorus-flux: ${hint}\n`);
  logger.flush?.();
  return summary.failures.length > 0 || summary.noPartner.length > 0 ? 2 : 0;
}

/**
 * `--threads 1`: the pipeline in this thread, loaded only then; with more threads this thread
 * only lists and hands out files, and each worker thread loads the pipeline (PERFORMANCE.md,
 * thirtieth round).
 */
function runInThisThread(opts: Omit<import('../../runner/embedded').RunOptions, 'deps'> & { config: Config; logger: Logger }): ReturnType<typeof import('../../runner/embedded').runEmbedded> {
  const { createDeps } = require('../../runner/deps') as typeof import('../../runner/deps');
  const { runEmbedded } = require('../../runner/embedded') as typeof import('../../runner/embedded');
  const { config, logger, ...rest } = opts;
  return runEmbedded({ ...rest, deps: createDeps(config, { logger }) });
}
