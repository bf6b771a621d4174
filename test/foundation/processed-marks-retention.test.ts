/**
 * Processed marks (state/files/) are kept `retention.processedMarksDays`, then pruned by the
 * nightly job or `chorus-flux prune`. The invariant that makes it safe: a deposit older than
 * the same retention is never replayed, so the same bytes dropped after their mark is gone are
 * a new deposit — known invoices are refused as duplicates, their pivot is not written again.
 * Within the retention a lost mark still means a crash's replay: same outputs, same names.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decideDeposit } from '../../src/lifecycle/deposit';
import type { LifecycleRecord } from '../../src/lifecycle/record';
import { ProcessedFiles } from '../../src/state/processed-files';
import { pruneProcessedMarks } from '../../src/state/prune-marks';
import { sha256 } from '../../src/util/hash';
import { recordPruneDays, replayWindowDays } from '../../src/state/prune-horizon';
import { fixedClock } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, listFiles, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { PAPETERIE } from '../helpers/ubl-attachments';

const DAY = 86_400_000;

describe('decideDeposit: a deposit of the same bytes is a replay only within the retention', () => {
  const at = '2025-01-10T10:00:00.000Z';
  const record = {
    key: 'k',
    state: 'MISE_A_DISPOSITION',
    deposits: [{ sha256: 'aa', index: 0, decision: 'new', renvoi: 'Non', at, done: true }],
  } as unknown as LifecycleRecord;
  const req = { sha256: 'aa', index: 0, completable: false, replayWithinDays: 400 };

  it('replays a recent deposit (a crash lost its mark)', () => {
    expect(decideDeposit(record, { ...req, now: new Date(Date.parse(at) + 10 * DAY) })).toEqual({ decision: 'new', renvoi: 'Non', replay: true });
  });

  it('takes an older one as a new deposit of a known invoice: a duplicate', () => {
    expect(decideDeposit(record, { ...req, now: new Date(Date.parse(at) + 401 * DAY) })).toEqual({ decision: 'duplicate', replay: false });
  });

  it('goes by the latest deposit of the bytes, and replays everything when not told the time', () => {
    const twice = { ...record, deposits: [...record.deposits, { sha256: 'aa', index: 0, decision: 'duplicate', at: new Date(Date.parse(at) + 401 * DAY).toISOString() }] } as unknown as LifecycleRecord;
    expect(decideDeposit(twice, { ...req, now: new Date(Date.parse(at) + 402 * DAY) })).toEqual({ decision: 'duplicate', renvoi: undefined, replay: true });
    expect(decideDeposit(record, { sha256: 'aa', index: 0, completable: false })).toEqual({ decision: 'new', renvoi: 'Non', replay: true });
  });

  it('asks a window given as a function only when an earlier deposit of the bytes is met (the runner reads it from a file)', () => {
    const asked: number[] = [];
    const window = () => (asked.push(400), 400);
    const now = new Date(Date.parse(at) + 10 * DAY);
    expect(decideDeposit(undefined, { ...req, now, replayWithinDays: window })).toEqual({ decision: 'new', renvoi: 'Non', replay: false });
    expect(decideDeposit(record, { ...req, sha256: 'bb', now, replayWithinDays: window })).toEqual({ decision: 'duplicate', replay: false });
    expect(asked).toEqual([]);
    expect(decideDeposit(record, { ...req, now, replayWithinDays: window })).toEqual({ decision: 'new', renvoi: 'Non', replay: true });
    expect(decideDeposit(record, { ...req, now: new Date(Date.parse(at) + 401 * DAY), replayWithinDays: window })).toEqual({ decision: 'duplicate', replay: false });
    expect(asked).toEqual([400, 400]);
  });
});

describe('pruneProcessedMarks', () => {
  const sha = (c: string) => c.repeat(64);
  const ago = (file: string, days: number) => {
    const t = new Date(Date.now() - days * DAY);
    utimesSync(file, t, t);
  };

  function state(): { dir: string; files: Record<string, string> } {
    const dir = tempDir('cf-prune-');
    const bucket = (s: string) => path.join(dir, 'files', s.slice(0, 2));
    const files: Record<string, string> = {};
    const put = (name: string, s: string, text: string, days: number) => {
      mkdirSync(bucket(s), { recursive: true });
      const f = path.join(bucket(s), name);
      writeFileSync(f, text);
      ago(f, days);
      files[name] = f;
    };
    const journaled = `{"sha256":"x","outcome":"accepted","outputs":[],"event":{"event":"outcome"}}\n{"journaled":true}\n`;
    put(`${sha('a')}.json`, sha('a'), journaled, 500); // old: goes
    put(`${sha('a')}.reply-0123456789abcdef`, sha('a'), '{}\n', 10); // its reply: goes with it
    put(`${sha('b')}.json`, sha('b'), journaled, 100); // young: stays
    put(`${sha('c')}.json`, sha('c'), `{"sha256":"x","outcome":"accepted","outputs":[],"event":{"event":"outcome"}}\n`, 500); // old, outcome maybe not journaled: stays
    put(`${sha('d')}.json`, sha('d'), `{"sha256":"x","outcome":"refused","outputs":[]}\n`, 500); // old, written before marks had two states: goes
    put(`.${sha('e')}.json.tmp-1`, sha('e'), 'half', 500); // a writer's temporary file: not ours
    put(`${sha('b')}.reply-fedcba9876543210`, sha('b'), '{}\n', 402); // an old reply of a young mark: stays with it
    put(`${sha('f')}.reply-fedcba9876543210`, sha('f'), '{}\n', 402); // an old reply with no mark: goes
    return { dir, files };
  }

  it('counts without removing in a dry run', async () => {
    const { dir, files } = state();
    const r = await pruneProcessedMarks(dir, { days: 400, dryRun: true });
    expect(r).toMatchObject({ scanned: 7, removed: 2, repliesRemoved: 2, keptUnjournaled: 1 });
    expect(Object.values(files).every((f) => existsSync(f))).toBe(true);
  });

  it('removes journaled marks older than the retention and a day, with their replies', async () => {
    const { dir, files } = state();
    const r = await pruneProcessedMarks(dir, { days: 400 });
    expect(r).toMatchObject({ scanned: 7, removed: 2, repliesRemoved: 2, keptUnjournaled: 1 });
    const left = Object.entries(files).filter(([, f]) => existsSync(f)).map(([n]) => n).sort();
    expect(left).toEqual([`.${sha('e')}.json.tmp-1`, `${sha('b')}.json`, `${sha('b')}.reply-fedcba9876543210`, `${sha('c')}.json`].sort());
    // a second pass finds nothing more; a missing state folder is nothing to do
    expect(await pruneProcessedMarks(dir, { days: 400 })).toMatchObject({ removed: 0, repliesRemoved: 0 });
    expect(await pruneProcessedMarks(path.join(dir, 'none'), { days: 400 })).toMatchObject({ scanned: 0, removed: 0 });
  });

  it('a prune cut short (killed, a crash) leaves no attempt record nor reply of a mark it removed', async () => {
    // an attempt record left without its mark made the same bytes, dropped again by another
    // partner, a replay of the attempt of 400 days before: the first partner was told DOUBLON of
    // its own file, and the new sender "already processed"
    const dir = tempDir('cf-prune-cut-');
    const bucket = path.join(dir, 'files', 'ab');
    mkdirSync(bucket, { recursive: true });
    const journaled = `{"sha256":"x","outcome":"accepted","outputs":[],"event":{"event":"outcome"}}\n{"journaled":true}\n`;
    const shas = ['1', '2', '3', '4'].map((c) => `ab${c.repeat(62)}`);
    for (const s of shas) {
      for (const [name, text] of [[`${s}.json`, journaled], [`${s}.attempt`, '{}\n'], [`${s}.reply-0123456789abcdef`, '{}\n']]) {
        writeFileSync(path.join(bucket, name), text);
        ago(path.join(bucket, name), 500);
      }
    }
    // the progress report is where the command's writes to the terminal happen: cut there, once a mark is gone
    const cut = await pruneProcessedMarks(dir, {
      days: 400,
      progressEvery: 1,
      onProgress: (p) => {
        if (p.removed > 0) throw new Error('killed');
      },
    }).catch((e: Error) => e.message);
    const left = new Set(readdirSync(bucket));
    expect(shas.filter((s) => !left.has(`${s}.json`)).length).toBeGreaterThan(0);
    for (const s of shas) {
      if (left.has(`${s}.json`)) continue;
      expect([cut, left.has(`${s}.attempt`), left.has(`${s}.reply-0123456789abcdef`)]).toEqual([cut, false, false]);
    }
    // run again, it finishes the job
    await pruneProcessedMarks(dir, { days: 400 });
    expect(readdirSync(bucket)).toEqual([]);
  });

  it('a stray file with the name of a bucket does not stop the prune', async () => {
    const { dir, files } = state();
    writeFileSync(path.join(dir, 'files', '0f'), 'not a folder');
    expect(await pruneProcessedMarks(dir, { days: 400 })).toMatchObject({ removed: 2 });
    expect(existsSync(files[`${sha('a')}.json`])).toBe(false);
  });

  it('keeps a mark of the retention plus one day (clocks of two machines a little apart)', async () => {
    const { dir, files } = state();
    ago(files[`${sha('a')}.json`], 400.5);
    expect(await pruneProcessedMarks(dir, { days: 400 })).toMatchObject({ removed: 1 });
    expect(existsSync(files[`${sha('a')}.json`])).toBe(true);
  });
});

describe('the same bytes dropped again', () => {
  function drop(root: string, name: string): string {
    const inbox = path.join(root, name);
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', `${name}.xml`));
    return inbox;
  }
  const marks = (state: string) => readdirSync(path.join(state, 'files'), { recursive: true }).map(String).filter((f) => f.endsWith('.json'));

  it('after its mark was pruned: refused as a duplicate, its pivot of then not written again', async () => {
    const root = tempDir('cf-retention-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const then = new Date(Date.now() - 402 * DAY);
    const first = await runOnce(drop(root, 'in1'), config, { clock: fixedClock(then.toISOString()) });
    expect(first.results.map((r) => r.outcome)).toEqual(['accepted']);
    const pivots = listFiles(out).filter((f) => f.startsWith('pivot/'));
    expect(pivots).toHaveLength(1);
    const pivotBytes = readFileSync(path.join(out, pivots[0]));
    const pivotMtime = statSync(path.join(out, pivots[0])).mtimeMs;

    // the mark is as old as its deposit; the nightly prune (here the command) removes it
    const [mark] = marks(config.paths.state);
    utimesSync(path.join(config.paths.state, 'files', mark), then, then);
    const dry = await cli(['prune', '--out', out, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would remove 1 processed mark\(s\)/);
    expect(marks(config.paths.state)).toHaveLength(1);
    const pruned = await cli(['prune', '--out', out]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/removed 1 processed mark\(s\) and 0 reply mark\(s\) last written before .* \(retention 400 days \+ 1\)/);
    expect(marks(config.paths.state)).toHaveLength(0);

    const again = await runOnce(drop(root, 'in2'), config);
    expect(again.results.map((r) => r.outcome)).toEqual(['duplicate']);
    expect(again.results[0].findings.map((f) => f.rule)).toEqual(['CPRO-DOUBLON']);
    expect(listFiles(out).filter((f) => f.startsWith('pivot/'))).toEqual(pivots);
    expect(readFileSync(path.join(out, pivots[0]))).toEqual(pivotBytes);
    expect(statSync(path.join(out, pivots[0])).mtimeMs).toBe(pivotMtime);
    expect(listFiles(out).filter((f) => f.startsWith('statut/op-alpha/'))).toHaveLength(1);
  });

  it('after prune --days shorter than the retention: refused as a duplicate too (the 400-day window still counted on the mark pruned at 30, and the pivot went out twice)', async () => {
    const root = tempDir('cf-retention-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const then = new Date(Date.now() - 60 * DAY);
    expect((await runOnce(drop(root, 'in1'), config, { clock: fixedClock(then.toISOString()) })).results.map((r) => r.outcome)).toEqual(['accepted']);
    const pivots = listFiles(out).filter((f) => f.startsWith('pivot/'));
    const [mark] = marks(config.paths.state);
    utimesSync(path.join(config.paths.state, 'files', mark), then, then);
    const pruned = await cli(['prune', '--out', out, '--days', '30']);
    expect(pruned.stdout).toMatch(/removed 1 processed mark\(s\)/);
    expect(JSON.parse(readFileSync(path.join(config.paths.state, 'prune-horizon.json'), 'utf8'))).toMatchObject({ days: 30 });
    // a later prune with the configured retention does not lengthen the window again
    expect((await cli(['prune', '--out', out])).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(config.paths.state, 'prune-horizon.json'), 'utf8'))).toMatchObject({ days: 30 });

    const again = await runOnce(drop(root, 'in2'), config);
    expect(again.results.map((r) => [r.outcome, r.findings.map((f) => f.rule)])).toEqual([['duplicate', ['CPRO-DOUBLON']]]);
    expect(listFiles(out).filter((f) => f.startsWith('pivot/'))).toEqual(pivots);
    // a dry run records nothing
    const dry = tempDir('cf-retention-');
    mkdirSync(path.join(dry, 'files'));
    await pruneProcessedMarks(dry, { days: 30, dryRun: true });
    expect(existsSync(path.join(dry, 'prune-horizon.json'))).toBe(false);
  });

  it('the prune horizon: two prunes at once keep the shorter; a damaged file is taken as the shortest prune, never a stop', async () => {
    const dir = tempDir('cf-horizon-');
    await Promise.all([recordPruneDays(dir, 60), recordPruneDays(dir, 30), recordPruneDays(dir, 45)]);
    expect(replayWindowDays(dir, 400)).toBe(30);
    for (const damaged of ['{"days": 3', 'null', '{"days": "x"}', '']) {
      writeFileSync(path.join(dir, 'prune-horizon.json'), damaged);
      expect(replayWindowDays(dir, 400)).toBe(30);
      expect(replayWindowDays(dir, 20)).toBe(20);
    }
    // a prune rewrites it whole, the shorter of 30 and its own
    await recordPruneDays(dir, 90);
    expect(JSON.parse(readFileSync(path.join(dir, 'prune-horizon.json'), 'utf8'))).toMatchObject({ days: 30 });
  });

  it('within the retention, a lost mark is a replay: the same pivot under the same name, no other', async () => {
    const root = tempDir('cf-retention-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const first = await runOnce(drop(root, 'in1'), config, { clock: fixedClock(new Date(Date.now() - 20 * DAY).toISOString()) });
    expect(first.results.map((r) => r.outcome)).toEqual(['accepted']);
    const pivots = listFiles(out).filter((f) => f.startsWith('pivot/'));
    for (const m of marks(config.paths.state)) unlinkSync(path.join(config.paths.state, 'files', m)); // lost in a power cut
    const again = await runOnce(drop(root, 'in2'), config);
    expect(again.results.map((r) => r.outcome)).toEqual(['accepted']);
    expect(again.results[0].outputs.filter((o) => o.kind === 'pivot').map((o) => o.path)).toEqual(pivots);
    expect(listFiles(out).filter((f) => f.startsWith('pivot/'))).toEqual(pivots);
  });

  it('an SI status line applied long ago, sent again once its mark is gone: nothing forwarded again', async () => {
    const root = tempDir('cf-retention-');
    const config = bundledConfig(path.join(root, 'out'));
    const thenIso = new Date(Date.now() - 402 * DAY).toISOString();
    const then = fixedClock(thenIso);
    expect((await runOnce(drop(root, 'in1'), config, { clock: then })).results.map((r) => r.outcome)).toEqual(['accepted']);
    // dated when it was applied (a status dated after the clock that applies it is refused)
    const status = siStatusFlow('SI-0001', [{ supplierId: '99746507500015', buyerSiret: '21787789300016', idStatut: '06', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: 'BL manquant', horodatage: thenIso }]);
    const si = (name: string) => {
      const inbox = path.join(root, name);
      mkdirSync(path.join(inbox, 'si-valmont'), { recursive: true });
      writeFileSync(path.join(inbox, 'si-valmont', 'statut.xml'), status);
      return inbox;
    };
    const applied = (await runOnce(si('si1'), config, { clock: then })).results[0];
    expect(applied.outcome).toBe('status-applied');
    expect(applied.outputs.filter((o) => o.path.startsWith('statut/op-alpha/'))).toHaveLength(1); // SUSPENDU forwarded
    for (const m of marks(config.paths.state)) unlinkSync(path.join(config.paths.state, 'files', m)); // pruned
    const again = (await runOnce(si('si2'), config)).results[0];
    expect(again.outcome).toBe('status-applied');
    expect(again.outputs.filter((o) => o.kind === 'statut' || o.kind === 'cdar')).toEqual([]);
  });

  it('refused bytes dropped again once their mark was pruned: a status flow of its own, not the name and IdFlx of the first refusal', async () => {
    // flow ids came from the content alone: the second refusal overwrote the first one's name
    // with the same IdFlx, and a partner may discard it as a flow already received
    const root = tempDir('cf-retention-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const refused = (name: string) => {
      const inbox = path.join(root, name);
      mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
      copyFileSync(path.resolve(__dirname, '../../fixtures/inbox/op-alpha/destinataire-inconnu.xml'), path.join(inbox, 'op-alpha', 'inconnu.xml'));
      return inbox;
    };
    const then = new Date(Date.now() - 402 * DAY);
    const first = (await runOnce(refused('in1'), config, { clock: fixedClock(then.toISOString()) })).results[0];
    expect(first.outcome).toBe('refused');
    const firstFlows = first.outputs.filter((o) => o.kind === 'statut' || o.kind === 'cdar').map((o) => o.path);
    expect(firstFlows.length).toBeGreaterThan(0);
    for (const f of readdirSync(path.join(config.paths.state, 'files'), { recursive: true }).map(String)) {
      const p = path.join(config.paths.state, 'files', f);
      if (statSync(p).isFile()) utimesSync(p, then, then);
    }
    expect((await pruneProcessedMarks(config.paths.state, { days: 400 })).removed).toBe(1);

    const second = (await runOnce(refused('in2'), config)).results[0];
    expect(second.outcome).toBe('refused');
    const secondFlows = second.outputs.filter((o) => o.kind === 'statut' || o.kind === 'cdar').map((o) => o.path);
    expect(secondFlows).toHaveLength(firstFlows.length);
    for (const f of secondFlows) expect(firstFlows).not.toContain(f);
    // both flows are there, each with its own IdFlx
    const idFlx = (f: string) => /<Code>IdFlx<\/Code>\s*<Valeurparametre>([^<]*)</.exec(readFileSync(path.join(out, f), 'utf8'))?.[1];
    const statut = (flows: string[]) => flows.filter((f) => f.startsWith('statut/'));
    expect(statut(firstFlows).concat(statut(secondFlows)).every((f) => existsSync(path.join(out, f)))).toBe(true);
    expect(idFlx(statut(secondFlows)[0])).toBeDefined();
    expect(idFlx(statut(secondFlows)[0])).not.toBe(idFlx(statut(firstFlows)[0]));
  });

  it('a partner told DOUBLON-FLUX is not told again while the mark stays, however old its reply mark', async () => {
    // the reply mark went once as old as the retention even beside a mark that stayed (one
    // written again since: a replay after a power cut lost it): the partner's next copy got a
    // second reply under the first one's name and IdFlx (same attempt), other bytes
    const root = tempDir('cf-retention-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const from = (partner: string, name: string) => {
      const inbox = path.join(root, name);
      mkdirSync(path.join(inbox, partner), { recursive: true });
      copyFileSync(PAPETERIE, path.join(inbox, partner, 'facture.xml'));
      return inbox;
    };
    expect((await runOnce(from('op-alpha', 'in1'), config)).results[0].outcome).toBe('accepted');
    const told = (await runOnce(from('op-beta', 'in2'), config)).results[0];
    expect(told.outcome).toBe('already-processed');
    const reply = told.outputs.filter((o) => o.path.startsWith('statut/op-beta/')).map((o) => o.path);
    expect(reply).toHaveLength(1);
    const before = readFileSync(path.join(out, reply[0]));
    // the mark lost in a power cut and written again by the replay; the reply mark is of then
    for (const m of marks(config.paths.state)) unlinkSync(path.join(config.paths.state, 'files', m));
    expect((await runOnce(from('op-alpha', 'in3'), config)).results[0].outcome).toBe('accepted');
    const sha = sha256(readFileSync(PAPETERIE));
    const bucket = path.join(config.paths.state, 'files', sha.slice(0, 2));
    const replyMark = readdirSync(bucket).filter((n) => n.includes('.reply-'));
    expect(replyMark).toHaveLength(1);
    const then = new Date(Date.now() - 402 * DAY);
    utimesSync(path.join(bucket, replyMark[0]), then, then);

    expect(await pruneProcessedMarks(config.paths.state, { days: 400 })).toMatchObject({ removed: 0, repliesRemoved: 0 });
    const again = (await runOnce(from('op-beta', 'in4'), config)).results[0];
    expect(again.outcome).toBe('already-processed');
    expect(again.outputs).toEqual([]);
    expect(readFileSync(path.join(out, reply[0]))).toEqual(before);
  });

  it('an attempt record with no mark whose file still waits in processing/ (a failed job) stays, however old', async () => {
    // pruned, `set-aside` of that job months later no longer forgot the invoices the attempt had
    // recorded without sending them, and the corrected file was refused as their DOUBLON
    const root = tempDir('cf-retention-');
    const config = bundledConfig(path.join(root, 'out'));
    const processed = new ProcessedFiles(config.paths.state);
    const bytes = readFileSync(PAPETERIE);
    const waits = sha256(bytes);
    const gone = sha256(Buffer.concat([bytes, Buffer.from('\n')]));
    for (const sha of [waits, gone]) {
      await processed.putAttempt({ sha256: sha, name: 'f.xml', relPath: 'f.xml', partner: 'op-alpha', receivedAt: '2025-01-10T10:00:00.000Z', day: '2025-01-10', at: '2025-01-10T10:00:01.000Z' });
      const f = path.join(config.paths.state, 'files', sha.slice(0, 2), `${sha}.attempt`);
      utimesSync(f, new Date(Date.now() - 500 * DAY), new Date(Date.now() - 500 * DAY));
    }
    // its failed job's file, as the watcher claimed it
    mkdirSync(path.join(config.paths.processing, 'op-alpha'), { recursive: true });
    writeFileSync(path.join(config.paths.processing, 'op-alpha', 'mkq1x2y3-0001__f.xml'), bytes);
    const pruned = await cli(['prune', '--out', config.paths.out]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/1 attempt record\(s\) with them or orphaned\n {2}kept 1 old attempt record\(s\) whose file still waits in the processing area/);
    expect(processed.getAttempt(waits)).toMatchObject({ name: 'f.xml' });
    expect(processed.getAttempt(gone)).toBeUndefined();
  });

  it('prune refuses a retention under 30 days and a folder never processed', async () => {
    const root = tempDir('cf-retention-');
    const short = await cli(['prune', '--out', root, '--days', '7']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/from 30 \(a crash replay must never outlive its mark\) to 36500/);
    const huge = await cli(['prune', '--out', root, '--days', '200000000']); // a date past the year 275760 crashed it
    expect([huge.code, huge.stderr]).toEqual([2, expect.stringMatching(/to 36500/)]);
    const none = await cli(['prune', '--out', path.join(root, 'nothing')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/does not exist: nothing was ever processed there/);
  });
});
