/**
 * The chorus-flux command line (commander). Each command lives in ./commands; exit codes
 * follow DESIGN.md §7. Configuration errors and unexpected failures exit 2 with a message.
 */
import { RedisUnusable } from '../queue/redis-unusable';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config';
import { DEFAULT_FILES_IN_FLIGHT, DEFAULT_MAX_BYTES_IN_FLIGHT } from '../runner/in-flight-budget';
import { calendarDay, port, positiveInteger, positiveNumber, retentionDays, seconds, threadCount } from './option-values';
import { ONE_SHOT_REDIS_TIMEOUT_S } from '../queue/redis-lost';

const MIB = 1024 * 1024;
import { VERSION } from '../version';
import { UsageError } from '../util/usage-error';
import { systemErrorHint } from '../util/system-error-hint';
import { refuseRepeatedOptions } from './repeated-options';
import { unknownHelpTopic } from './help-topic';
import { AS_ANY_USER } from './owner-guard';
import { TRACE_DEFAULT_DAYS } from './commands/trace-days';

/**
 * Each command's module, loaded when that command runs: loading them all at every start took
 * 1.5 s of CPU (1,320 modules: BullMQ, express, the Factur-X generator…) where `run` needs half
 * of it, and a thread of `run --threads 2` still less (PERFORMANCE.md, thirtieth round).
 */
const commands = {
  facturx: () => require('./commands/facturx') as typeof import('./commands/facturx'),
  jobs: () => require('./commands/jobs') as typeof import('./commands/jobs'),
  reject: () => require('./commands/reject') as typeof import('./commands/reject'),
  reprocess: () => require('./commands/reprocess') as typeof import('./commands/reprocess'),
  retry: () => require('./commands/retry') as typeof import('./commands/retry'),
  setAside: () => require('./commands/set-aside') as typeof import('./commands/set-aside'),
  prune: () => require('./commands/prune') as typeof import('./commands/prune'),
  trace: () => require('./commands/trace') as typeof import('./commands/trace'),
  dashboard: () => require('./commands/dashboard') as typeof import('./commands/dashboard'),
  reconcile: () => require('./commands/reconcile') as typeof import('./commands/reconcile'),
  run: () => require('./commands/run') as typeof import('./commands/run'),
  validate: () => require('./commands/validate') as typeof import('./commands/validate'),
  watch: () => require('./commands/watch') as typeof import('./commands/watch'),
  worker: () => require('./commands/worker') as typeof import('./commands/worker'),
};

/** The one-shot commands' bound on Redis (redis-lost.ts): each request unanswered this long ends the command, exit 2, saying what was done. */
const REDIS_TIMEOUT = {
  flags: '--redis-timeout <seconds>',
  description: `seconds Redis has to answer each request once connected (default ${ONE_SHOT_REDIS_TIMEOUT_S}): past it the command stops, exit 2, saying which jobs were done and which were not`,
};

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('chorus-flux')
    .description('Batch flux processing for French public e-invoicing (Chorus Pro IPM4 flows).')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  refuseRepeatedOptions(program);

  program
    .command('run')
    .description('process every file of an inbox tree once, in this process (no server)')
    .argument('<inbox>', 'inbox folder: one subfolder per partner, named by its id (a subfolder that names no partner is not taken: it waits, said as an error, exit 2), or files directly (the partner "default")')
    .option('-o, --out <dir>', "output root (pivot/, statut/, cdar/, archive/, error/, journal/, state/, logs/); default: the --config file's paths.out (required when it has none, or without --config)")
    .option('-c, --config <file>', 'configuration file (default: the bundled example config/example.json)')
    .option('--threads <n>', 'worker threads, 1 to 64 (default: one per CPU core, at most 8; 1 = this thread only)', threadCount)
    .option('--concurrency <n>', 'files in flight per thread', positiveInteger, DEFAULT_FILES_IN_FLIGHT)
    .option('--max-in-flight-mb <n>', 'input MiB in flight over all threads (a bigger file runs alone); a flow takes about 5 times its size in memory', positiveNumber, DEFAULT_MAX_BYTES_IN_FLIGHT / MIB)
    .option('--min-age <seconds>', 'leave files modified less than this long ago for the next run (they may still be uploading: use it when run is started on a live SFTP folder)', seconds, 0)
    .option('--remove', 'remove each file from the inbox once its outcome is journaled (its copy is in archive/ or error/), as watch takes files out of its inboxes: for an inbox run reads again and again (a timer)')
    .option('-q, --quiet', 'print nothing but errors: no progress bar, no summary table (the log file keeps every file and the summary)')
    .option('-v, --verbose', 'every file on the console, even with the progress bar')
    .option('--no-progress', 'no progress bar: every file\'s lines on the console instead')
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .action(async (inbox: string, opts) => {
      process.exitCode = await commands.run().runCommand(inbox, opts);
    });

  program
    .command('validate')
    .description('validate invoices: EN 16931 (official rules) and, with the chorus profile, Chorus Pro (exit 0 valid, 1 invalid, 2 unreadable)')
    .argument('<files...>', 'UBL, CII, Factur-X, pivot or CPPStatut files, or folders of them (every file under a folder)')
    .option('--profile <profile>', 'en16931 (EN 16931 only) or chorus (EN 16931 + CPRO-* rules)', 'chorus')
    .option('--json', 'print an array of {file, valid, findings} as JSON')
    .option('-c, --config <file>', 'configuration whose routing table the chorus profile uses (default: the bundled example)')
    .action(async (files: string[], opts) => {
      try {
        process.exitCode = await commands.validate().validateCommand(files, opts);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`chorus-flux validate: ${e.message}\n`);
        process.exitCode = 2;
      }
    });

  program
    .command('watch')
    .description('watch the configured inboxes and queue complete files on Redis (REDIS_URL); runs until SIGTERM')
    .requiredOption('-c, --config <file>', 'configuration file')
    .option('--no-events', 'rely on the periodic rescan only (no file-system events)')
    .option('--metrics-port <n>', '/metrics and /healthz port (default metrics.port)', port)
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .action(async (opts) => {
      process.exitCode = await commands.watch().watchCommand(opts);
    });

  program
    .command('worker')
    .description('process queued files; scale by starting more; runs until SIGTERM')
    .requiredOption('-c, --config <file>', 'configuration file')
    .option('--concurrency <n>', 'files processed at once by this worker (default worker.concurrency)', positiveInteger)
    .option('--metrics-port <n>', '/metrics and /healthz port (default metrics.workerPort; 0 = any free port)', port)
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .action(async (opts) => {
      process.exitCode = await commands.worker().workerCommand(opts);
    });

  program
    .command('dashboard')
    .description('queue dashboard (bull-board) for the flux and reconcile queues; runs until SIGTERM')
    .option('-c, --config <file>', 'configuration file (default: the bundled example)')
    .option('--port <n>', 'port (default dashboard.port)', port)
    .action(async (opts) => {
      process.exitCode = await commands.dashboard().dashboardCommand(opts);
    });

  program
    .command('jobs')
    .description('the flux queue: jobs by state, and the failed ones with their file and reason (exit 0 none failed, 1 some failed or the queue paused, 2 could not read the queue, or Redis was lost on the way: see --redis-timeout)')
    .requiredOption('-c, --config <file>', 'configuration file: the one watch and worker run with (its Redis prefix and processing/ folder)')
    .option('--limit <n>', 'failed jobs listed, newest first', positiveInteger, 50)
    .option('--resume', 'resume the queue if it was paused (from the dashboard), then show it')
    .option('--clear-limits', 'remove a global concurrency or rate limit set on the queues (from a dashboard or a BullMQ client), then show them')
    .option('--json', 'print the counts and the failed jobs as JSON')
    .option(REDIS_TIMEOUT.flags, REDIS_TIMEOUT.description, positiveNumber)
    .action(async (opts) => {
      process.exitCode = await commands.jobs().jobsCommand(opts);
    });

  program
    .command('retry')
    .description('queue failed flux jobs again once their cause is fixed, each with its full attempts (exit 0 all retried, or found queued or finished: run again with the same ids; 1 some could not be, 2 could not read the queue, or Redis was lost on the way: see --redis-timeout)')
    .argument('[ids...]', 'job ids, as `chorus-flux jobs` lists them')
    .requiredOption('-c, --config <file>', 'configuration file: the one watch and worker run with (its Redis prefix and processing/ folder)')
    .option('--all', 'every failed job')
    .option('--json', 'print one {id, file, result, detail} per job as JSON')
    .option(REDIS_TIMEOUT.flags, REDIS_TIMEOUT.description, positiveNumber)
    .action(async (ids: string[], opts) => {
      process.exitCode = await commands.retry().retryCommand(ids, opts);
    });

  program
    .command('set-aside')
    .description('refuse the file of a failed flux job without processing it, with your reason (the partner is told): for a file that cannot be processed, e.g. one that ends its worker every time (exit 0 all set aside, now or before, or found finished; 1 some could not be, 2 could not read the queue, or Redis was lost on the way: see --redis-timeout)')
    .argument('<ids...>', 'job ids, as `chorus-flux jobs` lists them')
    .requiredOption('-r, --reason <text>', 'why, in words for the partner (goes into the refusal, cut to 300 characters)')
    .requiredOption('-c, --config <file>', 'configuration file: the one watch and worker run with (its Redis prefix and processing/ folder)')
    .option('--json', 'print one {id, file, result, detail} per job as JSON')
    .option(REDIS_TIMEOUT.flags, REDIS_TIMEOUT.description, positiveNumber)
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .action(async (ids: string[], opts) => {
      process.exitCode = await commands.setAside().setAsideCommand(ids, opts);
    });

  program
    .command('reject')
    .description("reject an invoice chorus-flux suspended on deposit that its supplier never completed (the report's suspended-past-deadline): REJETEE, the depositor told (CPPStatut 05, CDAR 213), journaled; safe to run again (exit 0 rejected, now or before; 1 it cannot be: unknown IdCPRO, another state, suspended by a finance SI; 2 could not run)")
    .argument('<IdCPRO>', "the invoice's IdCPRO, as the reconciliation's report and `chorus-flux trace` give it")
    .requiredOption('-r, --reason <text>', 'why, in words for the supplier (goes into the status flows cut to 300 characters; the journal keeps it whole)')
    .option('-o, --out <dir>', "output root the invoice was processed with, as given to `run` (default: the configuration's paths.out)")
    .option('-c, --config <file>', 'configuration file (default: the bundled example config/example.json)')
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .addHelpText(
      'after',
      `
Only for an invoice in SUSPENDUE that chorus-flux itself suspended on deposit (a missing
engagement number or required attachment), which no finance SI ever had. An invoice its finance
SI suspended is that SI's to reject (a 05 REJETEE status flow, forwarded to the supplier's side).
A later deposit of the rejected invoice is refused as a duplicate (DOUBLON), as after a finance
SI's rejection. Run again after a crash, it finishes what was left and writes no second flow.

Example:
  chorus-flux reject 1000042 --reason "Bon de commande jamais fourni : facture rejetée" --config /etc/chorus-flux/config.json
`,
    )
    .action(async (idCpro: string, opts) => {
      process.exitCode = await commands.reject().rejectCommand(idCpro, opts);
    });

  program
    .command('reprocess')
    .description("process again a file refused whole because of our side (a recipient or code service missing from the configuration, a limit too low), once the configuration is fixed: journaled `reopened`, its processed mark retired, its kept original copied back into the partner's inbox as a new attempt; safe to run again (exit 0 reopened, now or before; 1 it cannot be: not a whole refusal, not finished, unknown; 2 could not run)")
    .argument('<what...>', 'the refused file: the path of its copy under error/, its SHA-256, or its name (as `chorus-flux trace` finds it in the last 31 days, or as the .reason.json of its copy in error/<day>/ names it before them)')
    .requiredOption('-r, --reason <text>', 'why the refusal was ours and what was fixed (journaled whole; the partner is not sent it)')
    .option('-o, --out <dir>', "output root the file was refused in, as given to `run` (default: the configuration's paths.out)")
    .option('-c, --config <file>', 'configuration file (default: the bundled example config/example.json)')
    .option('--inbox <dir>', "the inbox tree given to `run` (its partner sub-folders): where the copy goes back (default: the partner's configured inbox, else the one inbox run took files from on the refusal's day)")
    .option('--even-if-set-aside', 'reprocess a file an operator set aside (FLUX-ECARTE: it ended its worker at every try) all the same: it may end them again')
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .addHelpText(
      'after',
      `
Only for a file whose outcome was a refusal of the whole file (kept in error/<day>/), finished and
journaled; a file set aside (FLUX-ECARTE) only with --even-if-set-aside. The partner received that refusal's flows (93, CDAR 501): they stay, as do the error/
copy and its .reason.json. The copy put back is a new deposit: new flow names and IdFlx, its own
outcome (pivots, statuses), never already-processed. Run again (after a crash, or to ask), it
finishes what was left and says where the copy waits; once the copy is processed, reprocess is
allowed again only if it was refused whole again.

Example:
  chorus-flux reprocess error/2026-12-07/facture-123.xml --reason "SIRET 21787789300016 added to recipients" --config /etc/chorus-flux/config.json
`,
    )
    .action(async (what: string[], opts) => {
      process.exitCode = await commands.reprocess().reprocessCommand(what, opts);
    });

  program
    .command('facturx')
    .description('make a Factur-X (PDF/A-3b with factur-x.xml) from a UBL, CII, pivot or Factur-X invoice')
    .argument('<invoice>', 'invoice file')
    .requiredOption('-o, --out <pdf>', 'PDF to write')
    .option('-p, --profile <profile>', 'MINIMUM, BASIC WL, BASIC, EN 16931 (default) or EXTENDED')
    .option('--index <n>', 'invoice of a multi-invoice pivot (1-based)')
    .option('--xml <file>', 'also write the embedded factur-x.xml')
    .option('-c, --config <file>', 'configuration whose routing table names the buyer of a pivot without Debiteur/Nom (BT-44), as `run` does (default: none)')
    .action(async (invoice: string, opts) => {
      process.exitCode = await commands.facturx().facturxCommand(invoice, opts);
    });

  program
    .command('reconcile')
    .description('nightly reconciliation of one day: journal vs folders, anomalies, reports under <out>/reports/ (exit 0 clean, 1 anomalies, 2 could not run)')
    .option('-d, --date <YYYY-MM-DD>', 'the day to reconcile, in the configured time zone (default: yesterday)')
    .option('-o, --out <dir>', 'output root to reconcile, as given to `run` (default: the configuration\'s paths.out)')
    .option('-c, --config <file>', 'configuration file (default: the bundled example config/example.json)')
    .option('--reports <dir>', 'where to write reconcile-<date>.json/.csv/.html (default: <out>/reports)')
    .option('-q, --quiet', 'print nothing but why it could not run (exit 2); the exit code and the report files tell')
    .option('--catch-up', 'also reconcile the earlier days of the last reconcile.catchUpDays that have a journal but no report (nights a cron\'d reconcile missed); the exit code is the worst of all the days\'')
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .action(async (opts) => {
      process.exitCode = await commands.reconcile().reconcileCommand(opts);
    });

  program
    .command('trace')
    .description('what happened to a file, an invoice or a flow: its journal lines, what partners said of its flows, the invoices\' lifecycle (exit 0 found, 1 nothing found, 2 could not run)')
    .argument('<what>', 'a file name or inbox path, a SHA-256 (12 hex digits at least), an invoice number, an IdCPRO, an output or flow id')
    .option('-o, --out <dir>', 'output root whose journal to read, as given to `run` (default: the configuration\'s paths.out)')
    .option('-c, --config <file>', 'configuration file (default: the bundled example config/example.json)')
    .option('--since <YYYY-MM-DD>', `first journal day to read (default: ${TRACE_DEFAULT_DAYS} days before --until, or before today)`, calendarDay)
    .option('--until <YYYY-MM-DD>', 'last journal day to read (default: the last there is)', calendarDay)
    .option('--json', 'the journal lines and lifecycle records as JSON')
    .action(async (what: string, opts) => {
      process.exitCode = await commands.trace().traceCommand(what, opts);
    });

  program
    .command('prune')
    .description('remove the processed marks older than retention.processedMarksDays (the nightly job does it under watch; call it from cron with run) (exit 0 done, 2 could not run)')
    .option('-c, --config <file>', 'configuration file (default: the bundled example config/example.json)')
    .option('-o, --out <dir>', 'output root whose state/ to prune, as given to `run` (default: the configuration\'s paths.state is pruned)')
    .option('--days <n>', 'keep marks this many days, 30 to 36500 (default retention.processedMarksDays)', retentionDays)
    .option('--dry-run', 'count what would go, remove nothing')
    .option('-q, --quiet', 'print nothing but why it could not run (exit 2)')
    .option(AS_ANY_USER.flags, AS_ANY_USER.description)
    .action(async (opts) => {
      process.exitCode = await commands.prune().pruneCommand(opts);
    });

  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  const unknownTopic = unknownHelpTopic(program, argv.slice(2));
  if (unknownTopic) process.stderr.write(unknownTopic + '\n');
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // a command that failed must end, whatever it left open (a daemon that failed to start
    // used to hang with its Redis connection, neither running nor exiting)
    setTimeout(() => process.exit(), 3000).unref();
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`chorus-flux: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (e instanceof ConfigError || e instanceof RedisUnusable) {
      process.stderr.write(`chorus-flux: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    const hint = systemErrorHint(e);
    if (hint) process.stderr.write(`chorus-flux: stopped: ${hint}\n`);
    process.stderr.write(`chorus-flux: system failure: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 2;
  }
}
