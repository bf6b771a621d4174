/**
 * Clean-up of temp files left by crashed writers (see sweepTempFiles for when one is an orphan).
 * At start: the outboxes (pivot/, statut/, cdar/, reports/, and the last two days of archive/
 * and error/), a few folders. Nightly, with the reconciliation: the state tree (marks,
 * lifecycle records, id blocks), one entry per file and invoice ever processed, too large to
 * walk at every start, with the lock tokens and locks left there by killed processes, and the
 * reconciled day's archive/ and error/.
 */
import path from 'node:path';
import type { Config } from '../config/config';
import { addDays } from '../reconcile/day';
import { dayOf } from '../util/clock';
import { removeIfLockLeftover } from '../state/file-lock';
import { sweepTempFiles } from './atomic-write';
import { safeSegment } from './outbox';

export async function sweepOutboxes(config: Config, now = new Date()): Promise<number> {
  // yesterday by the calendar: 24 hours before the last hour of a 25-hour day is still today
  const today = dayOf(now, config.timezone);
  const days = [today, addDays(today, -1)];
  const roots = [
    ...['pivot', 'statut', 'cdar', 'reports'].map((d) => path.join(config.paths.out, d)),
    ...days.flatMap((d) => ['archive', 'error'].map((k) => path.join(config.paths.out, k, d))),
  ];
  return sweepRoots(roots);
}

export async function sweepStateAndDay(config: Config, day: string): Promise<number> {
  // the state tree also loses the lock tokens and locks of processes that are gone
  const state = await sweepTempFiles(config.paths.state, undefined, removeIfLockLeftover);
  return state + (await sweepRoots(['archive', 'error'].map((k) => path.join(config.paths.out, k, day))));
}

/**
 * The status folders of one partner, where `chorus-flux reject` and `set-aside` write: one
 * killed while writing a flow left its temp file there, and no start of `run` or of a worker may
 * come to sweep it (a `watch` installation runs for weeks).
 */
export async function sweepPartnerStatus(config: Config, partner: string): Promise<number> {
  return sweepRoots(['statut', 'cdar'].map((d) => path.join(config.paths.out, d, safeSegment(partner))));
}

/**
 * The archive/ and error/ folders of some days, where `set-aside` keeps a refused original and
 * its `.reason.json`: one killed while writing them left its temp file there, swept otherwise
 * only by the night's reconciliation of that day, or a start of `run` or of a worker (today's
 * and yesterday's).
 */
export async function sweepKeptDays(config: Config, days: readonly string[]): Promise<number> {
  return sweepRoots([...new Set(days)].flatMap((d) => ['archive', 'error'].map((k) => path.join(config.paths.out, k, safeSegment(d)))));
}

async function sweepRoots(roots: readonly string[]): Promise<number> {
  let n = 0;
  for (const r of roots) n += await sweepTempFiles(r);
  return n;
}
