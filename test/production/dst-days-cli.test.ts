/**
 * The command line run at the wall-clock instants of the nights Europe/Paris changes its clock
 * (libfaketime), on a real folder: 28 March 2027 has 23 hours (02:00 becomes 03:00), 31 October
 * 2027 has 25 (02:00–03:00 twice). A file's receipt (its mtime, `receiptTime: "mtime"`) puts it
 * in the archive/ and error/ folder of its day in Paris, whatever the UTC day; the
 * reconciliation of each day counts every file once, the repeated hour as two hours; and
 * `reconcile` with no --date, run just after midnight, reconciles the 23- or 25-hour day.
 * The process runs in UTC: the days are the configuration's zone, not the server's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { brokenFile, invoiceNumbered } from '../helpers/generate-flows';
import { tempDir } from '../helpers/run';
import { ROUTING } from '../helpers/watch';

const hasFaketime = spawnSync('faketime', ['2027-01-01 00:00:00', 'true']).status === 0;
// eslint-disable-next-line no-console
if (!hasFaketime) console.warn('SKIPPED test/production/dst-days-cli.test.ts: faketime is not installed (apt-get install faketime; .ci/run installs it)');
const describeFaketime = hasFaketime ? describe : describe.skip;

/** The CLI from the sources, its wall clock starting at `at` (UTC), the process in UTC. */
const cliAt = (at: string, args: string[]) => cli(args, { wallClockAt: at, env: { TZ: 'UTC' } });

/** Received at (UTC), its day in Paris, and what Paris's clock read. */
const RECEIPTS: [string, string, string][] = [
  ['2027-03-27T23:00:01Z', '2027-03-28', '00:00:01 CET, the first second of the 23-hour day'],
  ['2027-03-28T00:59:58Z', '2027-03-28', '01:59:58 CET, just before the jump'],
  ['2027-03-28T01:00:01Z', '2027-03-28', '03:00:01 CEST, just after'],
  ['2027-03-28T21:59:58Z', '2027-03-28', '23:59:58 CEST, its end'],
  ['2027-10-31T00:30:00Z', '2027-10-31', '02:30 CEST, the first 02:30'],
  ['2027-10-31T01:30:00Z', '2027-10-31', '02:30 CET, the second'],
  ['2027-10-31T22:59:58Z', '2027-10-31', '23:59:58 CET, the end of the 25-hour day'],
];

describeFaketime('the days of a clock change, on the command line at those instants', () => {
  const dir = tempDir('cf-dst-');
  const config = path.join(dir, 'config.json');
  const out = path.join(dir, 'out');
  writeFileSync(config, JSON.stringify({ timezone: 'Europe/Paris', receiptTime: 'mtime', paths: { out: 'out' }, partners: [{ id: 'op-alpha', inbox: 'in/op-alpha', statusFormats: ['CPPStatut', 'CDAR'], notifyAccepted: true }], recipients: ROUTING, facturx: { enabled: false } }));
  const name = (kind: string, i: number) => `${kind}-${i}.xml`;

  beforeAll(async () => {
    for (const [i, [at]] of RECEIPTS.entries()) {
      const inbox = path.join(dir, `in-${i}`, 'op-alpha');
      mkdirSync(inbox, { recursive: true });
      for (const [kind, body] of [['ok', invoiceNumbered(700 + i)], ['bad', brokenFile(700 + i)]]) {
        writeFileSync(path.join(inbox, name(kind, i)), body);
        utimesSync(path.join(inbox, name(kind, i)), new Date(at), new Date(at));
      }
      const r = await cliAt(at, ['run', path.join(dir, `in-${i}`), '-c', config, '--out', out]);
      expect([at, r.code]).toEqual([at, 0]);
    }
  }, 300_000);

  it('puts each file in the archive/ or error/ folder of its day in Paris', () => {
    const where = (root: string) => Object.fromEntries(readdirSync(path.join(out, root)).flatMap((day) => readdirSync(path.join(out, root, day)).filter((n) => n.endsWith('.xml')).map((n) => [n, day])));
    expect(where('archive')).toEqual(Object.fromEntries(RECEIPTS.map(([, day], i) => [name('ok', i), day])));
    expect(where('error')).toEqual(Object.fromEntries(RECEIPTS.map(([, day], i) => [name('bad', i), day])));
  });

  it('dates each pivot with its Paris day, and the CDAR receipt with Paris time (format 204 has no offset: the two 02:30 read the same)', () => {
    const pivots = readdirSync(path.join(out, 'pivot')).flatMap((r) => readdirSync(path.join(out, 'pivot', r)).map((n) => readFileSync(path.join(out, 'pivot', r, n), 'utf8')));
    expect(pivots.map((p) => /<DateReception>([^<]*)</.exec(p)?.[1]).sort()).toEqual(RECEIPTS.map(([, day]) => day).sort());
    const cdar = readdirSync(path.join(out, 'cdar', 'op-alpha')).map((n) => readFileSync(path.join(out, 'cdar', 'op-alpha', n), 'utf8'));
    const receipts = new Set(cdar.flatMap((c) => [...c.matchAll(/ReceiptDateTime>\s*<udt:DateTimeString format="204">(\d+)</g)].map((m) => m[1])));
    expect([...receipts].sort()).toEqual(['20270328000001', '20270328015958', '20270328030001', '20270328235958', '20271031023000', '20271031235958']);
  });

  it('reconciles the 23- and 25-hour days just after their midnight with no --date, and counts every file once over the days', async () => {
    const spring = await cliAt('2027-03-28T22:00:30Z', ['reconcile', '-c', config]);
    const autumn = await cliAt('2027-10-31T23:00:30Z', ['reconcile', '-c', config]);
    expect([spring.code, spring.stdout.split('\n')[0]]).toEqual([0, 'reconciliation of 2027-03-28 (Europe/Paris): CLEAN']);
    expect([autumn.code, autumn.stdout.split('\n')[0]]).toEqual([0, 'reconciliation of 2027-10-31 (Europe/Paris): CLEAN']);
    // a file received in the last seconds of a day is processed, and journaled, on the next
    for (const day of ['2027-03-29', '2027-11-01']) expect((await cliAt('2027-11-05T10:00:00Z', ['reconcile', '-c', config, '--date', day])).code).toBe(0);
    const report = (day: string) => JSON.parse(readFileSync(path.join(out, 'reports', `reconcile-${day}.json`), 'utf8')) as { status: string; hours: { hour: number; utcOffset: string; files: Record<string, number> }[] };
    const files = (h: { files: Record<string, number> }) => Object.values(h.files).reduce((a, b) => a + b, 0);
    const days = ['2027-03-28', '2027-03-29', '2027-10-31', '2027-11-01'];
    expect(days.map((d) => report(d).status)).toEqual(['clean', 'clean', 'clean', 'clean']);
    expect(days.map((d) => report(d).hours.reduce((n, h) => n + files(h), 0)).reduce((a, b) => a + b)).toBe(RECEIPTS.length * 2);
    expect(report('2027-03-28').hours.map((h) => h.hour)).toEqual([0, 1, ...Array.from({ length: 21 }, (_, k) => k + 3)]);
    // the repeated hour: two hours 02, one in summer time, one in winter time, a file pair in each
    expect(report('2027-10-31').hours.filter((h) => h.hour === 2).map((h) => [h.utcOffset, files(h)])).toEqual([['+02:00', 2], ['+01:00', 2]]);
  }, 120_000);
});
