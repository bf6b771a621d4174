/**
 * What dates a received file. SFTP clients that preserve timestamps (WinSCP's default) leave
 * the source file's mtime on the upload, months old perhaps. The mtime used to date every
 * file: its journal `receivedAt`, the Horodatage of the status flows sent back, its archive/
 * day — and the nightly reconciliation of the day it really arrived never saw it if it was not
 * picked up, while a claimed file was judged stuck in processing at once. By default
 * (`receiptTime: "arrival"`) a file is now dated by its arrival in the file system (its ctime,
 * which no client can set; a claim sets it); `"mtime"` keeps the old rule.
 */
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReceiptTime } from '../../src/ingest/receipt-time';
import { newClaimId } from '../../src/ingest/claim';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded } from '../../src/runner/embedded';
import { dayOf, fixedClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { FIXTURES_INBOX, listFiles, runOnce, tempDir, testConfig } from '../helpers/run';

const PRESERVED = new Date('2026-01-15T10:00:00Z'); // the source file's mtime, kept by the client
const ROUTING = [{ siret: '21787789300016', recepteurId: 'VALM01', codeServices: ['FINANCES'] }];
const invoice = (n: string) => readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', `<cbc:ID>${n}</cbc:ID>`);

/** A source file's mtime from a clock ahead (a partner's PC a year off, a mistyped date): preserved by the client too */
const AHEAD = new Date(Date.now() + 400 * 86_400_000);

function setup(receiptTime?: ReceiptTime) {
  const root = tempDir('cf-receipt-');
  mkdirSync(path.join(root, 'in', 'op-alpha'), { recursive: true });
  const raw = { paths: { out: 'out' }, partners: [{ id: 'op-alpha', inbox: 'in/op-alpha' }], recipients: ROUTING, facturx: { enabled: false }, ...(receiptTime ? { receiptTime } : {}) };
  const config = testConfig(raw, path.join(root, 'out'), root);
  const drop = (name: string, content: string, mtime = PRESERVED) => {
    const f = path.join(root, 'in', 'op-alpha', name);
    writeFileSync(f, content);
    utimesSync(f, mtime, mtime);
    return f;
  };
  return { root, config, inbox: path.join(root, 'in'), drop };
}

function journalLines(out: string): Record<string, string>[] {
  return listFiles(path.join(out, 'journal'))
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(out, 'journal', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
}

describe('dating a received file', () => {
  it('by default, by its arrival: not by the old mtime a client preserved', async () => {
    const s = setup();
    expect(s.config.receiptTime).toBe('arrival');
    s.drop('facture.xml', invoice('F-2026-0801'));
    s.drop('illisible.xml', '<Invoice>');
    const before = Date.now();
    const run = await runOnce(s.inbox, s.config);
    expect(run.results.map((r) => r.outcome).sort()).toEqual(['accepted', 'refused']);
    const today = dayOf(new Date(), s.config.timezone);
    // the originals are kept under the day they arrived, not the preserved one
    expect(readdirSync(path.join(s.config.paths.out, 'archive'))).toEqual([today]);
    expect(readdirSync(path.join(s.config.paths.out, 'error'))).toEqual([today]);
    for (const l of journalLines(s.config.paths.out).filter((x) => x.event === 'received')) expect(Date.parse(l.receivedAt)).toBeGreaterThanOrEqual(before - 60_000);
    // the rejection sent to the partner is stamped with the arrival too
    const statut = listFiles(path.join(s.config.paths.out, 'statut'));
    expect(statut).toHaveLength(1);
    const horodatage = /<Horodatage>([^<]+)<\/Horodatage>/.exec(readFileSync(path.join(s.config.paths.out, 'statut', statut[0]), 'utf8'))![1];
    expect(Date.parse(horodatage)).toBeGreaterThanOrEqual(before - 60_000);
  });

  // found by audit: the arrival was max(ctime, mtime), so a preserved mtime ahead of the clock
  // won: the file was archived under that future day, its partner told it was received then
  // (Horodatage, DateReception), and the reconciliation of the day it came never saw it
  it('by default, by its arrival: not by an mtime ahead of the clock that a client preserved', async () => {
    const s = setup();
    s.drop('facture.xml', invoice('F-2026-0806'), AHEAD);
    const before = Date.now();
    const run = await runOnce(s.inbox, s.config);
    expect(run.results.map((r) => r.outcome)).toEqual(['accepted']);
    const after = Date.now();
    const today = dayOf(new Date(), s.config.timezone);
    expect(readdirSync(path.join(s.config.paths.out, 'archive'))).toEqual([today]);
    const receivedAt = Date.parse(journalLines(s.config.paths.out).find((x) => x.event === 'received')!.receivedAt);
    expect(receivedAt).toBeGreaterThanOrEqual(before - 60_000);
    expect(receivedAt).toBeLessThanOrEqual(after);
    const pivot = listFiles(path.join(s.config.paths.out, 'pivot'));
    expect(pivot).toHaveLength(1);
    expect(/<DateReception>([^<]+)<\/DateReception>/.exec(readFileSync(path.join(s.config.paths.out, 'pivot', pivot[0]), 'utf8'))![1]).toBe(today);
  });

  it('run --min-age takes a file whose mtime is ahead of the clock once it has not changed for that long', async () => {
    const s = setup();
    s.drop('facture.xml', invoice('F-2026-0807'), AHEAD);
    // two minutes later (the clock of --min-age): the upload ended then, whatever its mtime says
    const later = Date.now() + 120_000;
    const run = await runEmbedded({ inbox: s.inbox, deps: createDeps(s.config, { logger: createLogger({ level: 'silent' }) }), minAgeMs: 60_000, now: () => later });
    expect(run.waiting).toEqual([]);
    expect(run.results.map((r) => [r.file, r.outcome])).toEqual([['op-alpha/facture.xml', 'accepted']]);
  });

  it('with receiptTime "mtime", by the mtime as the client left it', async () => {
    const s = setup('mtime');
    s.drop('facture.xml', invoice('F-2026-0802'));
    await runOnce(s.inbox, s.config);
    expect(readdirSync(path.join(s.config.paths.out, 'archive'))).toEqual(['2026-01-15']);
    expect(journalLines(s.config.paths.out).find((x) => x.event === 'received')!.receivedAt).toBe(PRESERVED.toISOString());
  });
});

describe('the nightly reconciliation of the day a file arrived', () => {
  it('reports it as not picked up, and does not judge a file claimed a minute ago stuck', async () => {
    const s = setup();
    const forgotten = s.drop('oubliee.xml', invoice('F-2026-0803'));
    // a file claimed just now, its mtime preserved from January
    const processing = path.join(s.config.paths.processing, 'op-alpha');
    mkdirSync(processing, { recursive: true });
    const claimed = path.join(processing, `${newClaimId()}__en-cours.xml`);
    writeFileSync(claimed, invoice('F-2026-0804'));
    utimesSync(claimed, PRESERVED, PRESERVED);
    const now = new Date();
    const today = dayOf(now, s.config.timezone);

    // two hours later (the threshold is an hour): still in the inbox, never received
    const later = await reconcileDay({ config: s.config, date: today, clock: fixedClock(new Date(now.getTime() + 2 * 3_600_000).toISOString()), write: false });
    expect(later.report!.anomalies.filter((a) => a.type === 'not-picked-up').map((a) => a.file)).toEqual([forgotten]);

    // a minute later: the claim is fresh, whatever its mtime says
    const soon = await reconcileDay({ config: s.config, date: today, clock: fixedClock(new Date(now.getTime() + 60_000).toISOString()), write: false });
    expect(soon.report!.anomalies.filter((a) => a.type === 'stuck-processing')).toEqual([]);
  });

  it('reports a file never taken whose mtime is ahead of the clock, on the day it arrived', async () => {
    const s = setup();
    const ahead = s.drop('en-avance.xml', invoice('F-2026-0808'), AHEAD);
    mkdirSync(path.join(s.config.paths.processing, 'op-alpha'), { recursive: true });
    const now = new Date();
    const today = dayOf(now, s.config.timezone);
    const later = await reconcileDay({ config: s.config, date: today, clock: fixedClock(new Date(now.getTime() + 2 * 3_600_000).toISOString()), write: false });
    expect(later.report!.anomalies.filter((a) => a.type === 'not-picked-up').map((a) => a.file)).toEqual([ahead]);
  });

  // found when this test failed between 23:00 and midnight in Paris: the inbox was judged as of
  // the day's end, so a file uploaded in the day's last hour and never taken was too young for
  // that day's report, and the next day's does not scan it: never reported
  it('reports a file uploaded in the last hour of the day and never taken, at the next night', async () => {
    const s = setup('mtime');
    const late = s.drop('tardive.xml', invoice('F-2026-0805'));
    const uploaded = new Date('2026-12-01T22:30:00Z'); // 23:30 in Paris
    utimesSync(late, uploaded, uploaded);
    mkdirSync(path.join(s.config.paths.processing, 'op-alpha'), { recursive: true }); // the output root, as a watcher leaves it
    const night = await reconcileDay({ config: s.config, date: '2026-12-01', clock: fixedClock('2026-12-02T00:30:00Z'), write: false });
    expect(night.report!.anomalies.filter((a) => a.type === 'not-picked-up').map((a) => [a.file, a.since])).toEqual([[late, uploaded.toISOString()]]);
    // an hour after its upload it is not judged yet
    const early = await reconcileDay({ config: s.config, date: '2026-12-01', clock: fixedClock('2026-12-01T22:50:00Z'), write: false });
    expect(early.report!.anomalies.filter((a) => a.type === 'not-picked-up')).toEqual([]);
  });
});
