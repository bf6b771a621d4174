/**
 * `chorus_flux_reconcile_last_report_seconds` (watch): the alert on its age (26 h) is for "no
 * worker runs the nightly job, or it fails every night". It read any report's write time, so a
 * "day so far" report run by hand in the afternoon, or an old day run again, reset the age and
 * the alert never fired while no night was reconciled. It reads the newest night's whole report.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addDays, dayEnd } from '../../src/reconcile/day';
import { lastReportSeconds } from '../../src/reconcile/missed-days';
import { reportPaths } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { tempDir } from '../helpers/run';

const TZ = 'Europe/Paris';

function report(dir: string, day: string, writtenAt: Date): void {
  const json = reportPaths(dir, day).json;
  writeFileSync(json, '{}\n');
  utimesSync(json, writtenAt, writtenAt);
}

describe('the write time of the newest night report', () => {
  const today = dayOf(new Date(), TZ);
  const lastNight = addDays(today, -3); // the last night a worker ran the nightly job
  const nightWrittenAt = new Date(dayEnd(lastNight, TZ).getTime() + 2 * 3600_000);

  it('is 0 without reports, and the newest whole report otherwise', () => {
    const dir = path.join(tempDir('cf-last-report-'), 'reports');
    expect(lastReportSeconds(dir, TZ)).toBe(0);
    mkdirSync(dir);
    report(dir, addDays(lastNight, -1), new Date(dayEnd(addDays(lastNight, -1), TZ).getTime() + 2 * 3600_000));
    report(dir, lastNight, nightWrittenAt);
    expect(lastReportSeconds(dir, TZ)).toBe(Math.floor(nightWrittenAt.getTime() / 1000));
  });

  it('is not reset by a "day so far" report nor by an older day run again by hand', () => {
    const dir = path.join(tempDir('cf-last-report-'), 'reports');
    mkdirSync(dir);
    report(dir, lastNight, nightWrittenAt);
    const now = new Date();
    report(dir, today, now); // `chorus-flux reconcile --date <today>`: the day so far
    report(dir, addDays(lastNight, -5), now); // an old day looked at again
    expect(lastReportSeconds(dir, TZ)).toBe(Math.floor(nightWrittenAt.getTime() / 1000));
  });
});
