/**
 * The nightly reconciliation also removes the temp files that crashed writers left in the
 * state tree (marks, lifecycle records) and in the day's archive/ and error/ — folders the
 * start-up sweep does not walk — and says how many; it keeps those of live writers, and
 * another machine's until they are an hour old. A report-only call removes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, fixturesCopy, runOnce } from '../helpers/run';

const HOST = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');

it('removes orphan temp files under state/ and in the day’s archive/ and error/, keeps the live ones, and reports the count', async () => {
  const { inbox, out } = fixturesCopy();
  const config = bundledConfig(out);
  const summary = await runOnce(inbox, config);
  expect(summary.failures).toEqual([]);
  const day = dayOf(new Date(), config.timezone);

  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const hourAgo = new Date(Date.now() - 2 * 3600_000);
  const bucket = readdirSync(path.join(out, 'state', 'invoices'))[0];
  const plant = (rel: string, old = false) => {
    const p = path.join(out, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, '{"half": ');
    if (old) utimesSync(p, hourAgo, hourAgo);
    return p;
  };
  const orphans = [
    plant(`state/files/ab/.ab12.json.${HOST}~${dead}~9f1.tmp`),
    plant(`state/invoices/${bucket}/.cd34.json.elsewhere~4242~77.tmp`, true),
    plant(`archive/${day}/.facture.xml.${HOST}~${dead}~a0.tmp`),
    plant(`error/${day}/.refus.xml.${HOST}~${dead}~a1.tmp`),
  ];
  const kept = [
    plant(`state/invoices/${bucket}/.ef56.json.elsewhere~4242~78.tmp`), // another machine's, recent: may be writing
    plant(`state/files/ab/.gh78.json.${HOST}~${process.pid}~b2.tmp`), // a live writer of this machine
  ];

  // a report-only call changes nothing
  const dry = await reconcileDay({ config, date: day, write: false });
  expect(dry.swept).toBeUndefined();
  for (const p of [...orphans, ...kept]) expect(existsSync(p)).toBe(true);

  const r = await cli(['reconcile', '--date', day, '--out', out], { timeoutMs: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0); // the temp files are not anomalies: the day is clean
  expect(r.stdout).toContain('removed 4 temporary file(s) left by crashed writers');
  for (const p of orphans) expect(existsSync(p)).toBe(false);
  for (const p of kept) expect(existsSync(p)).toBe(true);
  const report = JSON.parse(readFileSync(path.join(out, 'reports', `reconcile-${day}.json`), 'utf8'));
  expect(report.status).toBe('clean');
  expect(report.notes).toContain(`Removed 4 temporary file(s) left under state/ or the day's archive/ and error/ by writers that crashed.`);

  // nothing left to remove the next time
  const again = await reconcileDay({ config, date: day });
  expect(again.swept).toBe(0);
});
