/**
 * The nightly reconciliation also removes the temp files that crashed writers left in the
 * state tree (marks, lifecycle records) and in the day's archive/ and error/ — folders the
 * start-up sweep does not walk —, in the reports' folder (`watch`, which runs it, sweeps no
 * outbox at its start), and the lock tokens and locks of killed processes in the
 * state tree, and says how many; it keeps those of live processes, and another machine's
 * temp files until they are an hour old. A report-only call removes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, fixturesCopy, runOnce } from '../helpers/run';
import { machineName } from '../../src/util/machine-name';

const HOST = machineName(); // this machine, as its names carry it

it('removes orphan temp files under state/, in the reports’ folder and in the day’s archive/ and error/, and dead lock tokens and locks under state/, keeps the live ones, and reports the count', async () => {
  const { inbox, out } = fixturesCopy();
  const config = bundledConfig(out);
  const summary = await runOnce(inbox, config);
  expect(summary.failures).toEqual([]);
  const day = dayOf(new Date(), config.timezone);

  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const hourAgo = new Date(Date.now() - 2 * 3600_000);
  // a bucket of the lifecycle records (the folder also holds the processes' lock tokens: file-lock.ts tokenDir)
  const bucket = readdirSync(path.join(out, 'state', 'invoices'), { withFileTypes: true }).find((e) => e.isDirectory())!.name;
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
    // a reconciliation killed while writing its report (`watch`'s nightly job sweeps no outbox at start)
    plant(`reports/.reconcile-${day}.json.${HOST}~${dead}~a2.tmp`),
  ];
  // a killed process's token, and a lock it held whose token a later process already removed
  const lockOf = (rel: string, pid: number) => {
    const p = path.join(out, rel);
    writeFileSync(p, `${HOST} ${pid} 0 2026-01-01T00:00:00.000Z\n`);
    return p;
  };
  // (tokens lie in a bucket, as older versions made them, or in the store's folder, as the lifecycle locks link them now)
  orphans.push(lockOf(`state/invoices/${bucket}/.lock-token.${HOST}~${dead}~0`, dead), lockOf(`state/invoices/.lock-token.${HOST}~${dead}~1`, dead), lockOf(`state/invoices/${bucket}/cd34.json.lock`, 2 ** 30));
  // a live process other than the sweeper (one with the sweeper's own pid and no start time in its token is an earlier process's: file-lock.ts)
  const live = process.ppid;
  const kept = [
    lockOf(`state/invoices/${bucket}/.lock-token.${HOST}~${live}~0`, live), // a live process's token
    lockOf(`state/invoices/${bucket}/ef56.json.lock`, live), // held by a live process
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
  expect(r.stdout).toContain('removed 8 temporary or lock file(s) left by crashed processes');
  for (const p of orphans) expect(existsSync(p)).toBe(false);
  for (const p of kept) expect(existsSync(p)).toBe(true);
  const report = JSON.parse(readFileSync(path.join(out, 'reports', `reconcile-${day}.json`), 'utf8'));
  expect(report.status).toBe('clean');
  expect(report.notes).toContain(`Removed 8 temporary or lock file(s) left under state/, the reports' folder or the day's archive/ and error/ by processes that crashed.`);

  // nothing left to remove the next time
  const again = await reconcileDay({ config, date: day });
  expect(again.swept).toBe(0);
});
