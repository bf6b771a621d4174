/**
 * The nights the reconciliation missed: days with a journal but no report. The nightly job
 * runs only while a `watch` keeps it scheduled and a worker takes it; a machine down for a
 * weekend, or a Redis that lost the schedule, leaves days that nobody reconciled, and a
 * report that does not exist raises no alarm. The scheduled run reconciles them too, and
 * `watch`'s metrics say when the newest report was written.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import { statePaths } from '../runner/deps';
import { dayOf } from '../util/clock';
import { addDays, dayEnd, isDay } from './day';
import { defaultReportDir, reportPaths } from './reconcile-day';

/**
 * Days before `before` (YYYY-MM-DD), at most `reconcile.catchUpDays` back, whose journal
 * folder holds a file and that have no whole report in `reportDir`; oldest first. A report is
 * whole when its JSON exists (written after its CSV and HTML) and was written after the day
 * ended: a "day so far" report, made during the day, leaves the day to be reconciled. A journal
 * that cannot be read gives none (the reconciliation of `before` itself says what is wrong
 * with it).
 */
export function missedDays(config: Config, before: string, reportDir = defaultReportDir(config)): string[] {
  const days = config.reconcile.catchUpDays;
  const journalDir = statePaths(config).journal;
  if (days <= 0) return [];
  const from = addDays(before, -days);
  let names: string[];
  try {
    names = readdirSync(journalDir);
  } catch {
    return [];
  }
  return names
    .filter((d) => isDay(d) && d >= from && d < before)
    .filter((d) => !wholeReport(reportPaths(reportDir, d).json, dayEnd(d, config.timezone).getTime()) && holdsFiles(path.join(journalDir, d)))
    .sort();
}

/**
 * Whether the work of a nightly job that failed is done since: its day has a whole report (the
 * day asked, `date`; for a scheduled run, the day before the one it ran on, as reconcileDay
 * takes it), or, for a catch-up, no day before its night is left without one. Caught up the
 * next night or run by hand, a failed night is settled: `jobs` no longer counts it.
 */
export function nightlyJobSettled(config: Config, job: { data?: { date?: unknown; catchUpBefore?: unknown }; processedOn?: number; timestamp: number }, reportDir = defaultReportDir(config)): boolean {
  const data = job.data ?? {};
  if (typeof data.catchUpBefore === 'string') return missedDays(config, data.catchUpBefore, reportDir).length === 0;
  const day = typeof data.date === 'string' ? data.date : addDays(dayOf(new Date(job.processedOn ?? job.timestamp), config.timezone), -1);
  return isDay(day) && wholeReport(reportPaths(reportDir, day).json, dayEnd(day, config.timezone).getTime());
}

function wholeReport(json: string, dayOver: number): boolean {
  return wholeReportWritten(json, dayOver) !== undefined;
}

/** When a report written once its day was over (a whole one) was written, in ms; else undefined. */
function wholeReportWritten(json: string, dayOver: number): number | undefined {
  try {
    const written = statSync(json).mtimeMs;
    return written >= dayOver ? written : undefined;
  } catch {
    return undefined; // none, or removed while listed
  }
}

function holdsFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => !n.startsWith('.'));
  } catch {
    return false;
  }
}

/**
 * When the report of the newest day that has a whole one (`reconcile-<day>.json` written after
 * the day ended) was written, in Unix seconds; 0 when there is none (for the metric an alert
 * watches: reports that stop coming). A "day so far" report (today's, run by hand) and an older
 * day run again by hand are no night's work: counted, they reset the alert's age while no
 * worker ran the nightly job (until 2026-12-08 any report's write time counted).
 */
export function lastReportSeconds(reportDir: string, timeZone: string): number {
  let names: string[];
  try {
    names = readdirSync(reportDir);
  } catch {
    return 0;
  }
  const days = names
    .map((n) => /^reconcile-(.+)\.json$/.exec(n)?.[1])
    .filter((d): d is string => d !== undefined && isDay(d))
    .sort()
    .reverse();
  for (const day of days) {
    const written = wholeReportWritten(reportPaths(reportDir, day).json, dayEnd(day, timeZone).getTime());
    if (written !== undefined) return Math.floor(written / 1000);
  }
  return 0;
}
