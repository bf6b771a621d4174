/**
 * `chorus-flux reconcile --date <YYYY-MM-DD> --out <dir> [--config <file>] [--reports <dir>]`
 * — the nightly reconciliation of one day (docs/RECONCILIATION.md). Writes
 * reconcile-<date>.json / .csv / .html under <out>/reports/ (or --reports) and prints a
 * short summary. Exit 0 clean, 1 anomalies, 2 could not run. With --catch-up, also the
 * earlier days of the last reconcile.catchUpDays that have a journal but no report (what a
 * cron'd reconcile missed while the machine was down), as the scheduled job does; the exit
 * code is then the worst of all the days'.
 */
import { isBundledExample, loadConfig, outputRootOrigin } from '../../config/config';
import { reportsFolderProblem } from '../../config/folders';
import { missedDays } from '../../reconcile/missed-days';
import { reconcileDay, type ReconcileDayResult } from '../../reconcile/reconcile-day';
import { sentFlowText } from '../../reconcile/sent-flows';
import { UsageError } from '../../util/usage-error';
import { makeFolders } from '../../util/make-folders';
import { ANOMALY_TITLES, type AmountPair, type AnomalyType } from '../../reconcile/types';
import { existsSync, statSync } from 'node:fs';
import { refuseForeignOwner } from '../owner-guard';
import { refuseTreeOfOtherConfig } from '../tree-config';

export interface ReconcileCommandOptions {
  date?: string;
  out?: string;
  config?: string;
  reports?: string;
  quiet?: boolean;
  catchUp?: boolean;
  asAnyUser?: boolean;
}

export async function reconcileCommand(opts: ReconcileCommandOptions): Promise<number> {
  // an empty --out resolves to the current folder
  if (opts.out === '') throw new UsageError('--out is empty: give the output root to reconcile');
  if (opts.reports === '') throw new UsageError('--reports is empty: give the folder the reports go to (without it, <out>/reports/)');
  // a file there made "EEXIST: file already exists, mkdir" of the first report
  if (opts.reports !== undefined && existsSync(opts.reports) && !statSync(opts.reports).isDirectory()) throw new UsageError(`--reports ${opts.reports} is a file, not a folder: give the folder the reports go to`);
  const config = loadConfig(opts.config, { out: opts.out });
  refuseForeignOwner('reconcile', config, opts);
  // --config forgotten on a tree a configuration file wrote: the day's own check (reconcile-day.ts)
  // finds no other configuration in a day without journal lines, which then read CLEAN by the
  // example's inboxes (tree-config.ts); refused before --reports is made
  refuseTreeOfOtherConfig('reconcile', config, "the bundled example's inboxes, time zone and thresholds would judge the day, and its report be written as the day's");
  const misplaced = opts.reports === undefined ? undefined : reportsFolderProblem(config, opts.reports);
  if (misplaced) throw new UsageError(`--reports ${opts.reports}: ${misplaced}`);
  // made here, one folder at a time: Node's recursive mkdir looped for ever on --reports /proc/x
  const refused = opts.reports === undefined ? undefined : makeFolders(opts.reports);
  if (refused) throw new UsageError(`--reports ${opts.reports} cannot be made: ${refused.refused} (${refused.why})`);
  const r = await reconcileDay({ config, date: opts.date, reportDir: opts.reports });
  // an output root that is not there, without --config: the bundled example's, not the operator's
  if (r.exitCode === 2 && isBundledExample(config) && opts.out === undefined && !existsSync(config.paths.out)) r.error = `${r.error ?? 'unknown error'} (${outputRootOrigin(config, false)})`;
  let exitCode = report(r, opts.quiet);
  if (opts.catchUp && r.date) {
    const missed = missedDays(config, r.date, opts.reports);
    if (!opts.quiet) process.stdout.write(missed.length ? `catching up ${missed.length} earlier day(s) without a report: ${missed.join(', ')}\n` : `no earlier day of the last ${config.reconcile.catchUpDays} without a report\n`);
    for (const day of missed) exitCode = Math.max(exitCode, report(await reconcileDay({ config, date: day, reportDir: opts.reports }), opts.quiet, true));
  }
  return exitCode;
}

/** TTC per currency, euros first: `1200.00 EUR + 300.00 USD` (never one sum of several currencies). */
function ttcText(p: AmountPair): string {
  const list = p.byCurrency.length ? p.byCurrency : [{ currency: p.currency, ttc: p.ttc }];
  return list.map((c) => `${c.ttc} ${c.currency}`).join(' + ');
}

/** Prints one day's summary (or why it could not run, `named` with its day); its exit code. */
function report(r: ReconcileDayResult, quiet?: boolean, named = false): number {
  if (r.exitCode === 2 || !r.report) {
    process.stderr.write(`chorus-flux reconcile: ${named ? `${r.date}: ` : ''}could not run: ${r.error ?? 'unknown error'}\n`);
    return 2;
  }
  if (!quiet) {
    const t = r.report.totals;
    const lines = [
      `reconciliation of ${r.report.date} (${r.report.timezone}): ${r.report.status === 'clean' ? 'CLEAN' : `${r.report.anomalies.length} anomal${r.report.anomalies.length === 1 ? 'y' : 'ies'}`}`,
      `  files ${t.files.files} (accepted ${t.files.accepted}, partial ${t.files.partial}, refused ${t.files.refused}, suspended ${t.files.suspended}, duplicate ${t.files.duplicate}, status ${t.files.statusApplied}, lost ${t.files.lost}; already processed ${t.files.alreadyProcessed})`,
      `  invoices ${t.invoices.invoices} (accepted ${t.invoices.accepted}, refused ${t.invoices.refused}, suspended ${t.invoices.suspended}, completed ${t.invoices.completed}, recycled ${t.invoices.recycled}, duplicate ${t.invoices.duplicate}${t.invoices.rejectedByOperator ? `; rejected by the operator ${t.invoices.rejectedByOperator}` : ''})`,
      `  TTC in ${ttcText(t.amounts.in)}, out ${ttcText(t.amounts.out)}; ${r.report.outputs.checked} outputs checked${r.report.outputs.taken > 0 ? ` (${r.report.outputs.taken} taken by their transfer)` : ''}`,
    ];
    for (const [type, n] of Object.entries(r.report.anomalyCounts)) lines.push(`  ! ${n} × ${ANOMALY_TITLES[type as AnomalyType]}`);
    const fs = r.report.flowStatuses;
    if (fs.acknowledged + fs.rejected + fs.partial > 0) lines.push(`  flows sent, as their receivers say: ${fs.acknowledged} acknowledged, ${fs.rejected} refused, ${fs.partial} partly integrated`);
    for (const x of fs.refusals) {
      lines.push(`  ! ${x.partner} ${x.verdict === 'rejected' ? 'refused' : 'partly integrated'} flow ${x.flow ?? x.sent?.output ?? x.idFlux} (${x.idStatut}${x.reason ? `: ${x.reason}` : ''}) — its invoices need an operator: chorus-flux trace ${x.idFlux}`);
      lines.push(`      ${sentFlowText(x.sent, fs.lookbackDays)}`);
    }
    if (r.swept) lines.push(`  removed ${r.swept} temporary or lock file(s) left by crashed processes`);
    if (r.files) lines.push(`report: ${r.files.html}`, `        ${r.files.json}`, `        ${r.files.csv}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return r.exitCode;
}
