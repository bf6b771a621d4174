/**
 * The trees `run` took files from are scanned by the reconciliation too: a file uploaded on the
 * day into such a tree and never received (left behind: unreadable, or dropped after the run)
 * is reported, under the partner `run` would have given it. The bundled example's own inboxes
 * (the fixtures) are not scanned when the day's runs name theirs.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { readJournalDay } from '../../src/journal/journal';
import { inboxesToScan, reconcileDay } from '../../src/reconcile/reconcile-day';
import { fixedClock } from '../../src/util/clock';
import { at, buildCleanDay, DAY, drop, NEXT_DAY, papeterie, type BuiltDay } from './day-builder';

const AFTER = fixedClock('2026-03-12T03:00:00Z');

let day: BuiltDay;
beforeAll(async () => {
  day = await buildCleanDay();
});

it('each run journals the inbox it took its files from', async () => {
  const inboxes = async (d: string) => ((await readJournalDay(path.join(day.out, 'journal'), d)).lines.filter((l) => l.event === 'start') as { inbox?: string }[]).map((s) => s.inbox).sort();
  expect(await inboxes(DAY)).toEqual(['inbox-a', 'inbox-b', 'inbox-c'].map((d) => path.join(day.root, d)));
  expect(await inboxes(NEXT_DAY)).toEqual([path.join(day.root, 'inbox-x')]); // a run after midnight: scanned for the day too
});

it('a file left in a run inbox and never received is reported as not picked up, with its partner', async () => {
  const left = drop(path.join(day.root, 'inbox-b'), 'op-beta', 'facture-oubliee.xml', papeterie('F-2026-0177'), at(DAY, '10:30'));
  try {
    const r = await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false });
    expect(r.exitCode).toBe(1);
    expect(r.report!.anomalies).toEqual([
      expect.objectContaining({ type: 'not-picked-up', file: left, partner: 'op-beta', message: expect.stringContaining(`${left} (partner op-beta, uploaded `) }),
    ]);
  } finally {
    rmSync(left);
  }
  // the same in the tree of the run after midnight
  const late = drop(path.join(day.root, 'inbox-x'), 'op-alpha', 'facture-tardive.xml', papeterie('F-2026-0178'), at(DAY, '21:00'));
  try {
    const r = await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false });
    expect(r.report!.anomalies).toEqual([expect.objectContaining({ type: 'not-picked-up', file: late, partner: 'op-alpha' })]);
  } finally {
    rmSync(late);
  }
  expect((await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false })).exitCode).toBe(0);
});

it('a file in a run inbox folder that names no partner (which run never takes) is reported with the folder and what to do, under no partner', async () => {
  const left = drop(path.join(day.root, 'inbox-b'), 'op-betta', 'facture-mal-rangee.xml', papeterie('F-2026-0179'), at(DAY, '10:45'));
  try {
    const r = await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false });
    expect(r.exitCode).toBe(1);
    // with its rule id, as the run's log line and trace say it
    expect(r.report!.anomalies).toEqual([expect.objectContaining({ type: 'not-picked-up', file: left, rule: 'FLUX-PARTENAIRE-INCONNU' })]);
    expect(r.report!.anomalies[0].partner).toBeUndefined(); // not "default": it is no one's
    const message = r.report!.anomalies[0].message;
    expect(message.startsWith(`${left} (uploaded `)).toBe(true);
    expect(message).toContain(') was never received by the pipeline: FLUX-PARTENAIRE-INCONNU the folder "op-betta" names no partner (partners, finance SIs and MOEs: op-alpha, op-beta, op-gamma, si-valmont, ');
    expect(r.report!.anomalies[0].message).toContain('It waits in the inbox: rename the folder after its partner\'s id');
  } finally {
    rmSync(path.dirname(left), { recursive: true });
  }
});

it('such a file is reported every night until moved, not on its upload day alone (run never takes it)', async () => {
  const old = drop(path.join(day.root, 'inbox-a'), 'ACME', 'facture-ancienne.xml', papeterie('F-2026-0180'), at('2026-03-07', '09:00'));
  try {
    // put there just now (its change time): given the threshold, as a link is
    expect((await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false })).report!.anomalies.filter((a) => a.file === old)).toEqual([]);
    const later = fixedClock(new Date(Date.now() + 2 * 3_600_000).toISOString());
    const r = await reconcileDay({ config: day.config, date: DAY, clock: later, write: false });
    const found = r.report!.anomalies.filter((a) => a.type === 'not-picked-up');
    expect(found).toEqual([expect.objectContaining({ file: old, since: '2026-03-07T08:00:00.000Z', rule: 'FLUX-PARTENAIRE-INCONNU' })]);
    expect(found[0].message).toContain(`${old} (uploaded 2026-03-07T08:00:00.000Z) was never received by the pipeline: FLUX-PARTENAIRE-INCONNU the folder "ACME" names no partner (partners, finance SIs and MOEs: `);
  } finally {
    rmSync(path.dirname(old), { recursive: true });
  }
  expect((await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false })).exitCode).toBe(0);
});

it('a run inbox removed since is noted, not an error', async () => {
  const moved = path.join(day.root, 'inbox-c');
  const notes: string[] = [];
  const roots = inboxesToScan(day.config, new Set([moved, path.join(day.root, 'gone')]), notes);
  expect(roots.map((r) => r.root)).toContain(moved);
  expect(roots.map((r) => r.root)).not.toContain(path.join(day.root, 'gone'));
  expect(notes).toEqual([`The inbox ${path.join(day.root, 'gone')} that run took files from on the day no longer exists: not scanned for files left behind.`]);
});

it("with the bundled example configuration, the day's run inboxes are scanned instead of the fixtures", () => {
  const bundled = loadConfig(undefined, { out: day.out });
  const fixtureInboxes = bundled.partners.map((p) => p.inbox).filter((i): i is string => !!i);
  expect(fixtureInboxes.length).toBeGreaterThan(0);
  const run = path.join(day.root, 'inbox-a');
  expect(inboxesToScan(bundled, new Set([run]), []).map((r) => r.root)).toEqual([run]);
  // no run that day: nothing (the fixtures are no operator's inbox: a fresh checkout's files,
  // "uploaded" the day before, read as never picked up — watch needs --config, never the example)
  expect(inboxesToScan(bundled, new Set(), [])).toEqual([]);
  // a run's file is given the partner of its first folder, as run gives it
  const [scan] = inboxesToScan(bundled, new Set([run]), []);
  const f = path.join(run, 'op-gamma', readdirSync(path.join(run, 'op-gamma'))[0]);
  expect(scan.ownerFor(f)).toEqual({ partner: 'op-gamma' });
});
