/**
 * Randomized crash campaign ("nothing lost, nothing twice"): a seeded mixed corpus (the bench
 * generator's flows, the bundled fixtures with their refused files, DOUBLONs under other bytes,
 * byte-identical copies, finance SI status flows), processed by `run` (or `watch` + workers on
 * Redis) that is SIGKILLed at random instants and restarted until it finishes; then the
 * invariants are checked on disk.
 *
 *   node dist/bench/killfuzz.js <dir> [--mode run|watch | --kill redis|redis-freeze [--watchers 2] | --kill reject | --kill set-aside | --kill retry-cycle | --kill prune | --kill reprocess | --kill reprocess-watch | --kill reconcile] [--campaigns 5] [--seed 1] [--invoices 300] [--kills 12]
 *
 * `--kill redis` kills Redis itself (one of the campaign's own, without persistence) under
 * `watch` and two workers, instead of the processes: see redisCampaign. `--watchers 2` runs two
 * `watch` on the same inboxes (as on two machines), both rescanning after each restart.
 * `--kill reject` kills the operator's `chorus-flux reject` instead, once `run` has processed
 * the corpus: see rejectCampaign. `--kill set-aside` kills the operator's `chorus-flux set-aside`
 * on the jobs of files that end their worker every time (test/helpers/kill-on-poison.js), under
 * `watch` and two workers on a Redis of the campaign's own: see setAsideCampaign. `--kill
 * retry-cycle` is that campaign with `chorus-flux retry` run on those jobs still poisoned (killed
 * one run in three, half of them at its after-retry-queued), each command's ids retried then set
 * aside, set aside (killed) then retried then set aside, or retried and set aside at the same
 * moment by two operators: see setAsideCampaign. `--kill prune`
 * kills `chorus-flux prune` (at random instants, at its fault points after-prune-horizon,
 * after-prune-attempt, after-prune-reply, or inside the write of prune-horizon.json), sometimes
 * beside a second prune, over processed marks most of which a `run` made 500 days ago (an
 * in-process run on a fixed clock, its files' mtimes set back as much), in rounds from the same
 * state until the kills are spent; then checks what went, what stayed, that nothing else
 * changed, and the same bytes dropped again: see pruneCampaign. `--kill reprocess` kills
 * `chorus-flux reprocess` (at random instants, at its after-reopen-* points, inside its copy into
 * the inbox), sometimes beside a second operator or a `run`, on files `run` refused whole for an
 * unknown recipient since added to the configuration; then the final run, and each accepted
 * once, one `reopened` line, the first refusal as it was: see reprocessCampaign. `--kill
 * reprocess-watch` is that campaign under `watch` and two workers on a Redis of its own: the
 * files refused by a worker, the workers restarted with the fixed configuration, reprocess killed
 * while the watcher may already claim its copy, sometimes a worker SIGKILLed on a reopened copy;
 * `jobs` none failed at the end: see reprocessWatchCampaign.
 * `--kill reconcile` kills `chorus-flux reconcile --date` (at random instants, or inside the write
 * of one of its reports) once `run` has processed the corpus, and checks each report under its
 * final name whole after every kill, and the last run's reports and exit code those of an unkilled
 * one: see reconcileCampaign.
 *
 * Besides the kills from outside, one start in three of `run` (one in two of `watch` and the
 * workers, at the campaign's start too) is armed with a fault point (CHORUS_FLUX_FAULT, src/util/fault.ts): the process
 * SIGKILLs itself the first time it gets there, at the instants the crash tests chose (FAULTS).
 * op-delta marks its finished uploads (`doneMarker`), so that the points of the `.done` markers
 * (between-removals, after-claim) are reached.
 *
 * Exit 1 when a campaign breaks an invariant (each is printed), 0 otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config';
import { findByIdCpro } from '../src/lifecycle/operator-reject';
import { createDeps } from '../src/runner/deps';
import { runEmbedded } from '../src/runner/embedded';
import { fixedClock } from '../src/util/clock';
import { createLogger } from '../src/util/logger';
import { generateCorpus, prng } from './generate';

// bench/ run from source, or dist/bench/ built
const ROOT = path.resolve(__dirname, '..', existsSync(path.resolve(__dirname, '..', 'config/example.json')) ? '' : '..');
const BIN = path.join(ROOT, 'bin/chorus-flux.js');
const SCHEMAS = path.resolve(ROOT, '../shared/corpus/schemas/chorus');

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * The fault points (src/util/fault.ts) each process reaches, to arm one of its restarts with
 * (the thread:<point> faults of `run --threads` end a thread, not the process: left out).
 */
const PROCESSING = ['after-archive', 'after-error', 'after-pivots', 'after-status', 'after-status-lines', 'before-journal', 'after-mark'];
export const FAULTS = {
  run: [...PROCESSING, 'between-removals'], // between-removals: --remove, a partner with doneMarker
  watch: ['after-claim'], // a partner with doneMarker
  worker: [...PROCESSING, 'before-unlink'],
  reject: ['after-reject-lifecycle', 'after-reject-flows', 'after-reject-journal'], // --kill reject
  setAside: ['after-error', 'before-journal', 'after-mark', 'after-set-aside-refusal', 'after-set-aside-unlink'], // --kill set-aside: its refusal's points, then its own
  reprocess: ['after-reopen-record', 'after-reopen-journal', 'after-reopen-journaled', 'after-reopen-retire-attempt', 'after-reopen-retire', 'after-reopen-copy-chosen', 'after-reopen-copy-temp', 'after-reopen-copy'], // --kill reprocess
} as const;

/** The points of `role` in turn, from the seed's: over a few campaigns every point is armed, not only those a draw favours. */
function faultTurns(role: keyof typeof FAULTS, seed: number): () => string {
  let n = seed;
  return () => FAULTS[role][n++ % FAULTS[role].length];
}

/** The partner of the generated corpus that drops `<name>.done` beside each finished upload. */
const MARKED = 'op-delta';
const isMarker = (f: string) => f.endsWith('.done');

function walk(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]));
}

interface Line { event: string; ts?: string; by?: string; receivedAt?: string; findings?: { rule: string }[]; sha256?: string; file?: string; partner?: string; outcome?: string; rejectedAt?: string; outputs?: { kind: string; path: string; sha256: string; idCpro?: string[] }[]; invoices?: { key?: string; idCpro?: string; number?: string; outcome: string; reason?: string }[] }

/** The journal's lines; `live`: read while daemons write, a last line not ended yet is left for the next read (it is being written). */
function journal(out: string, live = false): Line[] {
  return walk(path.join(out, 'journal')).flatMap((f) => {
    const lines = readFileSync(path.join(out, 'journal', f), 'utf8').split('\n');
    return (live ? lines.slice(0, -1) : lines).filter(Boolean).map((l) => JSON.parse(l) as Line);
  });
}

/** A finance SI's CPPStatut about one invoice (as test/helpers/statut.ts writes them). */
function siStatus(idFlx: string, supplier: string, buyer: string, number: string, idStatut: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<CPPStatut><Enveloppe><EnveloppeUnitaire NumOrdre="1"><Parametres><ParametreIndiv NumOrdre="0001"><Code>DtPrd</Code><Valeurparametre>2026-11-20</Valeurparametre></ParametreIndiv><ParametreIndiv NumOrdre="0002"><Code>IdFlx</Code><Valeurparametre>${idFlx}</Valeurparametre></ParametreIndiv></Parametres><Partenaires><Recepteur><Id>CFX001</Id></Recepteur><Emetteur><Id>VALM01</Id></Emetteur></Partenaires></EnveloppeUnitaire></Enveloppe>
<CPPFactureStatuts compteur="1"><CPPFactureStatutUnitaire NumOrdre="1"><Fournisseur><TypeIdentifiant>1</TypeIdentifiant><Identifiant>${supplier}</Identifiant><RaisonSociale>Fournisseur</RaisonSociale></Fournisseur><Debiteur><TypeIdentifiant>1</TypeIdentifiant><Identifiant>${buyer}</Identifiant></Debiteur><DonneesStatut><IdStatut>${idStatut}</IdStatut><Commentaire>Pièce manquante</Commentaire><Horodatage>2026-11-20T10:00:00+01:00</Horodatage><IdFacture>${number}</IdFacture></DonneesStatut></CPPFactureStatutUnitaire></CPPFactureStatuts></CPPStatut>
`;
}

/** The corpus: generated flows + fixtures + DOUBLONs + byte-identical copies + SI status flows; returns name → bytes. */
export function corpus(dir: string, seed: number, invoices: number, redis?: { url: string; prefix: string }): { inbox: string; config: string; files: Map<string, Buffer> } {
  const sum = generateCorpus(dir, { seed, invoices });
  const rnd = prng(seed * 7919);
  const gen = JSON.parse(readFileSync(sum.configFile, 'utf8'));
  const example = JSON.parse(readFileSync(path.join(ROOT, 'config/example.json'), 'utf8'));
  const inbox = sum.inbox;
  mkdirSync(path.join(inbox, 'si-valmont'), { recursive: true });
  for (const p of readdirSync(path.join(ROOT, 'fixtures/inbox'))) for (const f of readdirSync(path.join(ROOT, 'fixtures/inbox', p))) copyFileSync(path.join(ROOT, 'fixtures/inbox', p, f), path.join(inbox, p, `fx-${f}`));
  const generated = walk(inbox).filter((f) => !f.includes('fx-') && !f.startsWith('si-'));
  for (const f of generated) {
    const r = rnd();
    const [p, name] = f.split('/');
    if (r < 0.08) writeFileSync(path.join(inbox, p, `renvoi-${name}`), readFileSync(path.join(inbox, f), 'utf8') + '<!-- renvoi -->\n'); // DOUBLON: same invoices, other bytes
    else if (r < 0.12) copyFileSync(path.join(inbox, f), path.join(inbox, p === 'op-alpha' ? 'op-beta' : 'op-alpha', `copie-${name}`)); // same bytes, another partner
  }
  // the finance SI of Valmont: a status about the fixture's accepted invoice, one about an unknown one
  writeFileSync(path.join(inbox, 'si-valmont', 'statut-suspendu.xml'), siStatus(`SI${seed}A`, '99746507500015', '21787789300016', 'F-2026-0101', '06'));
  writeFileSync(path.join(inbox, 'si-valmont', 'statut-inconnu.xml'), siStatus(`SI${seed}B`, '99746507500015', '21787789300016', 'F-2026-9999', '07'));
  const config = {
    partners: [...example.partners.map((p: { inbox?: string }) => ({ ...p, inbox: undefined })), { id: MARKED, doneMarker: true }].map((p: { id: string }) => ({ ...p, ...(redis ? { inbox: path.join(inbox, p.id) } : {}) })),
    recipients: [...example.recipients, ...gen.recipients],
    facturx: { enabled: true },
    ...(redis
      ? {
          paths: { out: path.join(dir, 'out') },
          redis,
          watch: { stableMs: 200, pollMs: 100, rescanMs: 1000 },
          worker: { concurrency: 3, lockDurationMs: 3000, attempts: 100, backoffMs: 100 },
          metrics: { port: 0, workerPort: 0 },
        }
      : {}),
  };
  for (const p of config.partners) mkdirSync(path.join(inbox, p.id), { recursive: true });
  for (const f of readdirSync(path.join(inbox, MARKED))) writeFileSync(path.join(inbox, MARKED, `${f}.done`), '');
  const cfg = path.join(dir, 'campaign.json');
  writeFileSync(cfg, JSON.stringify(config, null, 2));
  // the inputs (a .done marker is not one: it goes with its file)
  const files = new Map(walk(inbox).filter((f) => !isMarker(f)).map((f) => [f, readFileSync(path.join(inbox, f))]));
  return { inbox, config: cfg, files };
}

/** Every invariant, on disk; returns the broken ones. */
export function check(out: string, files: Map<string, Buffer>, processing: string, config: string, reopened: Set<string> = new Set()): string[] {
  const bad: string[] = [];
  const lines = journal(out);
  const bySha = new Map<string, Line[]>();
  for (const l of lines.filter((x) => x.event === 'outcome')) bySha.set(l.sha256!, [...(bySha.get(l.sha256!) ?? []), l]);
  for (const [name, bytes] of files) if (!bySha.has(sha(bytes))) bad.push(`no outcome: ${name}`);
  for (const [s, ls] of bySha) {
    const sig = (l: Line) => JSON.stringify([l.outcome, (l.outputs ?? []).map((o) => [o.path, o.sha256]).sort()]);
    // a content reopened (`--kill reprocess`): refused, then the new attempt's outcome (the campaign checks which)
    if (reopened.has(s) ? ls.length !== 2 || [...ls].sort((x, y) => x.ts!.localeCompare(y.ts!))[0].outcome !== 'refused' : new Set(ls.map(sig)).size > 1) bad.push(`two different outcomes for ${ls[0].file} (${s.slice(0, 8)}): ${ls.map(sig).join(' / ')}`);
    const o = ls[0];
    const kinds = new Set((o.outputs ?? []).map((x) => x.kind));
    if (['accepted', 'partial', 'suspended', 'duplicate', 'status-applied'].includes(o.outcome!) && !kinds.has('archive') && !kinds.has('error')) bad.push(`${o.file}: ${o.outcome} without its original kept`);
    if (o.outcome === 'refused' && !(kinds.has('error') && kinds.has('reason'))) bad.push(`${o.file}: refused without error/ + reason.json`);
  }
  const listed = new Map<string, string>();
  // the operator's rejections (`--kill reject`) journal the status flows they write
  for (const l of lines) if (l.event === 'outcome' || l.event === 'already-processed' || l.event === 'invoice-rejected') for (const o of l.outputs ?? []) listed.set(o.path, o.sha256);
  for (const [p, s] of listed) if (!existsSync(path.join(out, p))) bad.push(`journaled output missing: ${p}`);
  else if (sha(readFileSync(path.join(out, p))) !== s) bad.push(`journaled output changed: ${p}`);
  const outFiles = ['pivot', 'statut', 'cdar', 'archive', 'error'].flatMap((d) => walk(path.join(out, d)).map((f) => `${d}/${f}`));
  for (const f of outFiles) if (!listed.has(f)) bad.push(`output in no outcome (twice under another name?): ${f}`);
  // the outboxes (the state tree's leftovers of a kill are swept nightly, by design: emit/sweep.ts)
  for (const f of outFiles.concat(walk(path.join(out, 'reports')).map((f) => `reports/${f}`))) if (/\.tmp$|\.tmp-|~$/.test(f) || path.basename(f).startsWith('.')) bad.push(`temporary file left: ${f}`);
  if (walk(processing).length) bad.push(`processing/ not empty: ${walk(processing).join(', ')}`);
  // no invoice in two pivots, no IdCPRO twice
  const pivots = outFiles.filter((f) => f.startsWith('pivot/'));
  const ids = new Map<string, string>();
  const numbers = new Map<string, string>();
  for (const p of pivots) {
    const xml = readFileSync(path.join(out, p), 'utf8');
    for (const m of xml.matchAll(/<IdCPRO>([^<]*)<\/IdCPRO>/g)) {
      if (ids.has(m[1])) bad.push(`IdCPRO ${m[1]} in ${ids.get(m[1])} and ${p}`);
      ids.set(m[1], p);
    }
    for (const u of xml.split('<CPPFacturePivotUnitaire').slice(1)) {
      const key = `${/<Fournisseur>[^]*?<Identifiant>([^<]*)/.exec(u)?.[1]}|${/<DonneesFacture>\s*<Id>([^<]*)/.exec(u)?.[1]}`;
      if (numbers.has(key)) bad.push(`invoice ${key} in ${numbers.get(key)} and ${p}`);
      numbers.set(key, p);
    }
  }
  // the official schemas
  const lint = (xsd: string, list: string[]) => {
    for (let i = 0; i < list.length; i += 200) {
      const r = spawnSync('xmllint', ['--noout', '--schema', path.join(SCHEMAS, xsd), ...list.slice(i, i + 200).map((f) => path.join(out, f))], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) bad.push(`${xsd}: ${r.stderr.split('\n').filter((l) => !l.endsWith(' validates')).slice(0, 5).join(' | ')}`);
    }
  };
  lint('CPPFacturePivot_V2_02.xsd', pivots);
  lint('CPPStatutPivot_V1_19.xsd', outFiles.filter((f) => f.startsWith('statut/')));
  // the reconciliation of every day journaled
  for (const day of readdirSync(path.join(out, 'journal'))) {
    const d = day.replace(/\.jsonl$/, '');
    const r = spawnSync(process.execPath, [BIN, 'reconcile', '--date', d, '--out', out, '--config', config, '-q'], { encoding: 'utf8' });
    if (r.status !== 0) bad.push(`reconcile ${d}: exit ${r.status} ${r.stderr.slice(0, 300)} ${JSON.stringify(JSON.parse(readFileSync(path.join(out, 'reports', `reconcile-${d}.json`), 'utf8')).anomalies ?? '').slice(0, 600)}`);
  }
  return bad;
}

/** Outcome lines in the journal so far (a cheap count: no parse). */
function outcomeCount(out: string): number {
  const shas = new Set<string>();
  for (const f of walk(path.join(out, 'journal'))) for (const m of readFileSync(path.join(out, 'journal', f), 'utf8').matchAll(/"event":"outcome","sha256":"([0-9a-f]+)"/g)) shas.add(m[1]);
  return shas.size;
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

async function runCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void): Promise<{ kills: number; bad: string[] }> {
  const { inbox, config, files } = corpus(dir, seed, invoices);
  const out = path.join(dir, 'out');
  const rnd = prng(seed * 104729);
  const remove = rnd() < 0.5;
  let kills = 0;
  const faults = faultTally();
  const nextFault = faultTurns('run', seed);
  for (let attempt = 0; ; attempt++) {
    const args = [BIN, 'run', inbox, '--out', out, '--config', config, '-q', ...(remove ? ['--remove'] : [])];
    // one start in three armed with a fault point: it kills itself there (or finishes, never getting there)
    const fault = kills < maxKills && rnd() < 1 / 3 ? nextFault() : undefined;
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(fault ? { CHORUS_FLUX_FAULT: fault } : {}) } });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    if (fault) {
      await exited(p);
      if (p.signalCode === 'SIGKILL') {
        kills++;
        faults.hit(fault);
        if (process.env.KILLFUZZ_VERBOSE) log(`killed itself at ${fault}: ${outcomeCount(out)} outcomes journaled`);
        continue;
      }
    } else if (kills < maxKills) {
      // a machine's load sets how long a run takes: kill when the journal has reached a random
      // number of outcomes (plus a random few ms), so kills land mid-run on a busy host too; one
      // time in four at a random instant of the first 3 s, in the restart's recovery (the sweep
      // of temporary files, attempts of the killed run taken again)
      const doneBefore = outcomeCount(out);
      const early = rnd() < 0.25;
      const target = doneBefore + 1 + Math.floor(rnd() * Math.max(1, Math.min(files.size - doneBefore, files.size / 5)));
      const extra = Math.floor(rnd() * 400);
      let finished = false;
      p.once('exit', () => (finished = true));
      if (early) await Promise.race([exited(p), sleep(Math.floor(rnd() * 3000))]);
      else while (!finished && outcomeCount(out) < target) await sleep(40);
      if (!early && !finished) await Promise.race([exited(p), sleep(extra)]);
      if (!finished) {
        p.kill('SIGKILL');
        await exited(p);
        kills++;
        if (process.env.KILLFUZZ_VERBOSE) log(`killed ${early ? 'early' : `at ${target} outcomes + ${extra} ms`}: ${outcomeCount(out)} outcomes journaled`);
        continue;
      }
    }
    const code = await exited(p);
    if (code === 0) break;
    log(`run exit ${code}: ${err.slice(0, 400)}`);
    if (attempt > maxKills + 5) return { kills, bad: [`run never finished: exit ${code} ${err.slice(0, 400)}`] };
  }
  const processing = path.join(out, 'processing');
  const bad = check(out, files, processing, config);
  // a kill between a marked file's two removals leaves the file, its marker gone (by design:
  // docs/OPERATIONS.md, never a marker alone): fine when the file has its outcome
  const waiting = walk(inbox).filter((f) => f.startsWith(`${MARKED}/`) && !isMarker(f) && !existsSync(path.join(inbox, `${f}.done`)) && files.has(f) && journal(out).some((l) => l.event === 'outcome' && l.sha256 === sha(files.get(f)!)));
  if (remove) for (const f of walk(inbox)) if (!waiting.includes(f)) bad.push(`--remove left ${f} in the inbox`);
  log(`${faults.said()}${waiting.length ? `; left waiting for a marker, as documented: ${waiting.join(', ')}` : ''}`);
  return { kills, bad };
}

/** `--kill reject`'s fourth point, after its three fault points: the process kills itself at the fsync of a flow's temp file (test/helpers/kill-in-temp-write.js). */
const IN_TEMP_WRITE = 'in-temp-write';

/** The Lycée's avoir without the engagement number its recipient requires: chorus-flux suspends it on deposit. */
const LYCEE_NO_ENGAGEMENT = [/\s*<cac:OrderReference>\s*<cbc:ID>BC-LYC-2026-112<\/cbc:ID>\s*<\/cac:OrderReference>/, '<cbc:ID>A-2026-0007</cbc:ID>'] as const;

/** `n` invoices suspended on deposit, by op-alpha (told by CPPStatut) and op-beta (CPPStatut and CDAR), added to `files`. */
function suspendedOnDeposit(inbox: string, seed: number, n: number, files: Map<string, Buffer>): void {
  const lycee = readFileSync(path.join(ROOT, 'fixtures/inbox/op-alpha/avoir-e1-lycee.xml'), 'utf8');
  if (!LYCEE_NO_ENGAGEMENT[0].test(lycee) || !lycee.includes(LYCEE_NO_ENGAGEMENT[1])) throw new Error('fixtures/inbox/op-alpha/avoir-e1-lycee.xml changed: update LYCEE_NO_ENGAGEMENT');
  for (let k = 1; k <= n; k++) {
    const name = `${k % 2 ? 'op-alpha' : 'op-beta'}/suspendu-${k}.xml`;
    const xml = Buffer.from(lycee.replace(LYCEE_NO_ENGAGEMENT[0], '').replace(LYCEE_NO_ENGAGEMENT[1], `<cbc:ID>S-${seed}-${k}</cbc:ID>`));
    writeFileSync(path.join(inbox, name), xml);
    files.set(name, xml);
  }
}

/** The files of the outboxes and the journal's size: what a command that must write nothing leaves as it was. */
function outboxState(out: string): string {
  const files = ['pivot', 'statut', 'cdar', 'archive', 'error'].flatMap((d) => walk(path.join(out, d)).map((f) => `${d}/${f}`));
  return JSON.stringify([files.sort(), walk(path.join(out, 'journal')).map((f) => [f, statSync(path.join(out, 'journal', f)).size])]);
}

/**
 * `--kill reject`: `run` processes the corpus plus 6–12 invoices it suspends on deposit (no
 * kill: the other modes test that); then `chorus-flux reject` is run on each of them, and on a
 * few it must refuse (accepted invoices, the one the finance SI suspended), as an operator
 * would: SIGKILLed at a random instant of its run, or armed with one of its fault points or
 * to kill itself inside the write of a flow (IN_TEMP_WRITE), and
 * run again (with other words) until it ends; sometimes two at once on the same invoice (two
 * operators). Then: each invoice rejected once in its lifecycle, with the first run's words,
 * marked journaled; one `invoice-rejected` line, one CPPStatut 05 (and one CDAR 213 for op-beta)
 * carrying those words; the refused ones untouched; the invariants of `check` (every output
 * journaled, no temporary file, reconcile clean); run once more, each says `already` and
 * writes nothing.
 */
async function rejectCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void): Promise<{ kills: number; bad: string[] }> {
  const { inbox, config, files } = corpus(dir, seed, invoices);
  const out = path.join(dir, 'out');
  const rnd = prng(seed * 49979687);
  suspendedOnDeposit(inbox, seed, 6 + Math.floor(rnd() * 7), files);
  const run = spawnSync(process.execPath, [BIN, 'run', inbox, '--out', out, '--config', config, '-q'], { encoding: 'utf8' });
  if (run.status !== 0) return { kills: 0, bad: [`run exit ${run.status}: ${run.stderr.slice(0, 400)}`] };
  const bad: string[] = [];
  const cfg = loadConfig(config);
  const invoicesOf = (outcome: string) => journal(out).filter((l) => l.event === 'outcome').flatMap((l) => (l.invoices ?? []).filter((i) => i.outcome === outcome && i.idCpro).map((i) => ({ idCpro: i.idCpro!, number: i.number!, partner: l.partner! })));
  const suspended = invoicesOf('suspended');
  if (suspended.length === 0) return { kills: 0, bad: ['no invoice suspended on deposit: nothing to reject'] };
  // refused: 3 accepted ones, and the fixture's F-2026-0101 its finance SI suspended (statut-suspendu.xml)
  const accepted = invoicesOf('accepted');
  const controls = [...new Map([...accepted.filter((i) => i.number === 'F-2026-0101'), ...accepted.map((i) => ({ i, r: rnd() })).sort((a, b) => a.r - b.r).slice(0, 3).map((x) => x.i)].map((i) => [i.idCpro, i])).values()];
  const stateOf = async (id: string) => JSON.stringify((await findByIdCpro(cfg, id)).records);
  const controlsBefore = new Map(await Promise.all(controls.map(async (c) => [c.idCpro, await stateOf(c.idCpro)] as const)));
  const targets = [...suspended.map((t) => ({ ...t, refused: false })), ...controls.map((t) => ({ ...t, refused: true }))].map((t) => ({ t, r: rnd() })).sort((a, b) => a.r - b.r).map((x) => x.t);
  const faults = faultTally();
  // its fault points, and a kill inside the write of a flow (its temp file written, not renamed):
  // a window of a few ms that random kills hardly ever meet
  const points = [...FAULTS.reject, IN_TEMP_WRITE];
  let turn = seed;
  const nextFault = () => points[turn++ % points.length];
  let kills = 0;
  let twice = 0;
  let mean = 1000; // a reject's time, most of it Node's start: the random kills land over the whole of it
  const armed = (fault: string) =>
    fault === IN_TEMP_WRITE ? { KILL_IN_TEMP_WRITE: '/(statut|cdar)/', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'test/helpers/kill-in-temp-write.js')}`.trim() } : { CHORUS_FLUX_FAULT: fault };
  const start = (id: string, reason: string, fault?: string) => {
    const p = spawn(process.execPath, [BIN, 'reject', id, '--reason', reason, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(fault ? armed(fault) : {}) } });
    const said = { text: '' };
    p.stdout!.on('data', (d) => (said.text += d));
    p.stderr!.on('data', (d) => (said.text += d));
    return { p, said };
  };
  for (const t of targets) {
    for (let attempt = 1; ; attempt++) {
      if (attempt > maxKills + 5) {
        bad.push(`reject ${t.idCpro} never ended`);
        break;
      }
      const reason = `Engagement jamais fourni (motif ${attempt})`;
      const kill = kills < maxKills;
      const fault = kill && rnd() < 1 / 3 ? nextFault() : undefined;
      const t0 = Date.now();
      const a = start(t.idCpro, reason, fault);
      const b = rnd() < 0.15 ? start(t.idCpro, `${reason}, par un second opérateur`) : undefined;
      if (b) twice++;
      if (kill && !fault) {
        const at = Math.floor(mean * (0.4 + 0.7 * rnd()));
        await Promise.race([exited(a.p), sleep(at)]);
        if (a.p.exitCode === null && a.p.signalCode === null) a.p.kill('SIGKILL');
        else if (process.env.KILLFUZZ_VERBOSE) log(`reject ${t.idCpro} ended before its kill at ${at} ms`);
      }
      await Promise.all([exited(a.p), b && exited(b.p)]);
      const expected = t.refused ? 1 : 0;
      if (b && b.p.exitCode !== expected) bad.push(`reject ${t.idCpro} by a second operator at once: exit ${b.p.exitCode ?? b.p.signalCode} ${b.said.text.slice(0, 300)}`);
      if (a.p.signalCode === 'SIGKILL') {
        kills++;
        if (fault) faults.hit(fault);
        if (process.env.KILLFUZZ_VERBOSE) log(`reject ${t.idCpro} killed ${fault ? `at ${fault}` : `after ${Date.now() - t0} ms`} (attempt ${attempt})`);
        continue;
      }
      if (!b) mean = 0.7 * mean + 0.3 * (Date.now() - t0);
      if (a.p.exitCode !== expected) bad.push(`reject ${t.idCpro} (${t.number}${t.refused ? ', to refuse' : ''}): exit ${a.p.exitCode}, not ${expected}: ${a.said.text.slice(0, 300)}`);
      break;
    }
  }
  // the invariants of each invoice
  const lines = journal(out);
  for (const t of targets) {
    const rejections = lines.filter((l) => l.event === 'invoice-rejected' && (l.invoices ?? []).some((i) => i.idCpro === t.idCpro));
    const { records } = await findByIdCpro(cfg, t.idCpro);
    const rec = records[0];
    const what = `${t.number} (IdCPRO ${t.idCpro}, ${t.partner})`;
    if (t.refused) {
      if (rejections.length) bad.push(`${what}: refused, yet journaled rejected`);
      if ((await stateOf(t.idCpro)) !== controlsBefore.get(t.idCpro)) bad.push(`${what}: refused, yet its lifecycle record changed`);
      continue;
    }
    if (records.length !== 1 || rec.state !== 'REJETEE') {
      bad.push(`${what}: ${records.length} record(s), state ${rec?.state}`);
      continue;
    }
    const byOperator = rec.history.filter((h) => h.state === 'REJETEE');
    if (byOperator.length !== 1 || byOperator[0].by !== 'operator') bad.push(`${what}: rejected ${byOperator.length} times in its lifecycle (${byOperator.map((h) => `${h.by} ${h.at}`).join(', ')})`);
    const first = rec.operatorRejection;
    if (!first?.journaled) bad.push(`${what}: its rejection not marked journaled`);
    if (rejections.length !== 1) bad.push(`${what}: ${rejections.length} invoice-rejected lines`);
    const line = rejections[0];
    if (line && (line.rejectedAt !== first?.at || line.invoices![0].reason !== first?.reason)) bad.push(`${what}: its journal line says ${line.rejectedAt} "${line.invoices![0].reason}", its lifecycle ${first?.at} "${first?.reason}"`);
    const recorded = rec.outputs.filter((o) => o.source === 'operator').map((o) => o.path).sort();
    if (line && JSON.stringify(recorded) !== JSON.stringify((line.outputs ?? []).map((o) => o.path).sort())) bad.push(`${what}: its lifecycle lists ${recorded.join(', ')}, its journal line ${(line.outputs ?? []).map((o) => o.path).join(', ')}`);
    // the flows on disk that carry the rejection: one of each kind the partner takes, with the first run's words
    const flow = (f: string) => !path.basename(f).startsWith('.'); // a temp file: check() names it
    const statut = walk(path.join(out, 'statut', t.partner)).filter(flow).filter((f) => {
      const x = readFileSync(path.join(out, 'statut', t.partner, f), 'utf8');
      return x.includes(`<IdFacture>${t.number}</IdFacture>`) && x.includes('<IdStatut>05</IdStatut>');
    });
    if (statut.length !== 1) bad.push(`${what}: ${statut.length} CPPStatut 05 flows (${statut.join(', ')})`);
    for (const f of statut) {
      const said = /<Commentaire>([^<]*)<\/Commentaire>/.exec(readFileSync(path.join(out, 'statut', t.partner, f), 'utf8'))?.[1];
      if (said !== first?.reason) bad.push(`${what}: its CPPStatut 05 says "${said}", its lifecycle "${first?.reason}"`);
    }
    const cdar = walk(path.join(out, 'cdar', t.partner)).filter(flow).filter((f) => f.startsWith('CDV-213') && readFileSync(path.join(out, 'cdar', t.partner, f), 'utf8').includes(`>${t.number}<`));
    if (cdar.length !== (t.partner === 'op-beta' ? 1 : 0)) bad.push(`${what}: ${cdar.length} CDAR 213 flows (${cdar.join(', ')})`);
  }
  bad.push(...check(out, files, path.join(out, 'processing'), config));
  // run once more: rejected already (or refused), nothing written
  const before = outboxState(out);
  for (const t of targets) {
    const r = spawnSync(process.execPath, [BIN, 'reject', t.idCpro, '--reason', 'encore', '--config', config], { encoding: 'utf8' });
    if (r.status !== (t.refused ? 1 : 0) || (!t.refused && !r.stdout.includes('was already rejected by the operator'))) bad.push(`reject ${t.idCpro} once more: exit ${r.status} ${(r.stdout + r.stderr).slice(0, 300)}`);
  }
  if (outboxState(out) !== before) bad.push('reject once more wrote into the outboxes or the journal');
  log(`${suspended.length} rejected, ${controls.length} refused, ${twice} times by two operators at once; ${faults.said()}`);
  return { kills, bad };
}

/** Drops a staged input into the watched inbox, then its .done marker if it has one (an upload finished, then announced). */
function drop(staging: string, watched: string, f: string, bytes: Buffer, asUpload = false): void {
  const to = path.join(watched, f);
  mkdirSync(path.dirname(to), { recursive: true });
  if (asUpload) {
    writeFileSync(`${to}.filepart`, bytes);
    renameSync(`${to}.filepart`, to);
  } else writeFileSync(to, bytes);
  if (existsSync(path.join(staging, `${f}.done`))) writeFileSync(`${to}.done`, '');
}

/** Counts the fault points a campaign's processes reached (they killed themselves there). */
function faultTally(): { hit: (point: string) => void; said: () => string } {
  const hits = new Map<string, number>();
  return {
    hit: (point) => hits.set(point, (hits.get(point) ?? 0) + 1),
    said: () => (hits.size ? `fault points reached: ${[...hits].sort().map(([p, n]) => `${p} ×${n}`).join(', ')}` : 'no fault point reached'),
  };
}

/**
 * A corpus generated into a staging inbox (dropped into the watched one once watch runs), and
 * the configuration of a watch over `<dir>/inbox/<partner>` writing into `<dir>/out`.
 */
function watchedCorpus(dir: string, seed: number, invoices: number, url: string, prefix: string) {
  const staging = path.join(dir, 'staging');
  const { inbox, config, files } = corpus(staging, seed, invoices, { url, prefix });
  const cfg = JSON.parse(readFileSync(config, 'utf8'));
  const watched = path.join(dir, 'inbox');
  for (const p of cfg.partners) {
    p.inbox = path.join(watched, p.id);
    mkdirSync(p.inbox, { recursive: true });
  }
  cfg.paths = { out: path.join(dir, 'out') };
  const configFile = path.join(dir, 'watch.json');
  writeFileSync(configFile, JSON.stringify(cfg, null, 2));
  return { inbox, watched, files, configFile, out: cfg.paths.out as string };
}

async function watchCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void): Promise<{ kills: number; bad: string[] }> {
  const prefix = `killfuzz-${process.pid}-${seed}-${Date.now()}`;
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { inbox, watched, files, configFile, out } = watchedCorpus(dir, seed, invoices, url, prefix);
  const rnd = prng(seed * 15485863);
  const faults = faultTally();
  const armed = new Map<ChildProcess, string>();
  const start = (cmd: 'watch' | 'worker', fault?: string) => {
    const p = spawn(process.execPath, [BIN, cmd, '-c', configFile, '--metrics-port', '0'], { stdio: 'ignore', env: { ...process.env, ...(fault ? { CHORUS_FLUX_FAULT: fault } : {}) } });
    if (fault) armed.set(p, fault);
    return p;
  };
  // a process started armed with a fault point of its role one time in two, at the start too (most files flow early)
  const turns = { watch: faultTurns('watch', seed), worker: faultTurns('worker', seed) };
  const arm = (r: 'watch' | 'worker') => (rnd() < 0.5 ? turns[r]() : undefined);
  const procs: ChildProcess[] = [start('watch', arm('watch')), start('worker', arm('worker')), ...(rnd() < 0.5 ? [start('worker', arm('worker'))] : [])];
  const role = (k: number) => (k === 0 ? 'watch' : 'worker');
  // a process armed with a fault that killed itself is started again, unarmed, as systemd would
  let selfKills = 0;
  const reap = () => {
    procs.forEach((p, k) => {
      if (p.exitCode === null && p.signalCode === null) return;
      if (p.signalCode === 'SIGKILL' && armed.has(p)) {
        faults.hit(armed.get(p)!);
        selfKills++;
        if (process.env.KILLFUZZ_VERBOSE) log(`${role(k)} ${k} killed itself at ${armed.get(p)} (${outcomeCount(out)} outcomes)`);
      } else bad.push(`${role(k)} ${k} exited by itself: ${p.exitCode ?? p.signalCode}`);
      procs[k] = start(role(k));
    });
  };
  const bad: string[] = [];
  await sleep(1500);
  for (const f of walk(inbox).filter((x) => !isMarker(x))) drop(inbox, watched, f, files.get(f)!);
  const outcomes = () => new Set(journal(out, true).filter((l) => l.event === 'outcome').map((l) => l.sha256));
  const shas = new Set([...files.values()].map(sha));
  let kills = 0;
  const deadline = Date.now() + 15 * 60_000;
  // a job on a worker at two of its deaths fails (`job stalled more than allowable limit`,
  // docs/OPERATIONS.md "Failed jobs"): retried as an operator would, once the kills are over
  let retried = 0;
  const retryFailed = () => {
    retried = Date.now();
    spawnSync(process.execPath, [BIN, 'retry', '--all', '-c', configFile], { stdio: 'ignore' });
  };
  const allDone = () => [...shas].every((s) => outcomes().has(s)) && walk(path.join(out, 'processing')).length === 0 && walk(watched).length === 0;
  // nothing journaled for 20 s: the jobs left are failed ones (a fault point kills a worker at its
  // first file, so its jobs meet two deaths more often than random kills make them): retried now
  let seen = -1;
  let seenAt = Date.now();
  const unstick = () => {
    const n = outcomeCount(out);
    if (n !== seen) [seen, seenAt] = [n, Date.now()];
    else if (Date.now() - seenAt > 20_000 && Date.now() - retried > 20_000) retryFailed();
  };
  while (Date.now() < deadline && !allDone()) {
    reap();
    if (kills >= maxKills) {
      if (Date.now() - retried > 20_000) retryFailed();
      await sleep(500);
      continue;
    }
    // the next kill: once a random number of further outcomes is journaled (kills spread over the
    // run whatever the load), sometimes at once (a process killed again during its recovery)
    const target = outcomeCount(out) + Math.floor(rnd() * ((2 * files.size) / maxKills));
    const extra = Math.floor(rnd() * 400);
    while (Date.now() < deadline && outcomeCount(out) < target && !allDone()) {
      reap();
      unstick();
      await sleep(50);
    }
    await sleep(extra);
    reap();
    const k = Math.floor(rnd() * procs.length);
    procs[k].kill('SIGKILL');
    await exited(procs[k]);
    kills++;
    if (process.env.KILLFUZZ_VERBOSE) log(`killed ${role(k)} ${k} at ${outcomeCount(out)} outcomes`);
    if (rnd() < 0.5) await sleep(Math.floor(rnd() * 1000));
    procs[k] = start(role(k), arm(role(k)));
  }
  reap();
  for (const p of procs) p.kill('SIGTERM');
  const codes = await Promise.all(procs.map(exited));
  bad.push(...check(out, files, path.join(out, 'processing'), configFile));
  if (codes.some((c) => c !== 0)) bad.push(`exit codes after SIGTERM: ${codes.join(',')}`);
  for (const f of walk(watched)) bad.push(`left in the inbox: ${f}`);
  spawnSync('redis-cli', ['-u', url, '--scan', '--pattern', `${prefix}:*`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).forEach((k) => spawnSync('redis-cli', ['-u', url, 'del', k]));
  log(`${kills} kills, ${selfKills} of them at a fault point; ${faults.said()}`);
  return { kills: kills + selfKills, bad };
}

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A daemon's shutdown bound in the campaigns (worker.shutdownTimeoutMs's default) plus the second shutdown.ts adds. */
const STOP_BOUND_MS = 20_000 + 1000;

const redisPing = (port: number) => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';

/**
 * `--kill redis`: the Redis of `watch` and two workers, one of the campaign's own (no
 * persistence, as production's: every restart is empty), SIGKILLed at random moments while the
 * files arrive as an SFTP server drops them (`<name>.filepart`, then renamed), and started again
 * at once, after 0–3 s, or after 10–40 s. The harness restarts a daemon that exits, as systemd's
 * `Restart=always` would, and counts it. Once the files are all in and the kills are over,
 * everything must settle by itself (no `retry`): then the invariants of `check`, `jobs` clean and
 * the nightly schedule back in Redis, the daemons alive and stopping on SIGTERM.
 */
async function redisCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void, watchers = 1, freeze = false): Promise<{ kills: number; bad: string[] }> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const prefix = `killfuzz-redis-${seed}`;
  const redisDir = path.join(dir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  let redis: ChildProcess | undefined;
  const redisUp = async () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' });
    for (const end = Date.now() + 20_000; !redisPing(port); await sleep(50)) if (Date.now() > end || redis.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
  };
  await redisUp();
  const { inbox, watched, files, configFile, out } = watchedCorpus(dir, seed, invoices, url, prefix);
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const rnd = prng(seed * 32452843);
  const bad: string[] = [];
  // the daemons, each restarted 2 s after it exits (systemd's Restart=always, RestartSec=2)
  const names = [...Array.from({ length: watchers }, (_, k) => (k === 0 ? 'watch' : `watch-${k + 1}`)), 'worker-1', 'worker-2'];
  const procs: ChildProcess[] = [];
  const restarts: string[] = [];
  let stopping = false;
  const restartedByHand = new Set<ChildProcess>();
  const logOf: string[] = [];
  const start = (k: number, n = 0) => {
    const err = path.join(logs, `${names[k]}-${n}.log`);
    logOf[k] = err;
    writeFileSync(err, '', { flag: 'a' });
    const p = spawn(process.execPath, [BIN, names[k].startsWith('watch') ? 'watch' : 'worker', '-c', configFile, '--metrics-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d: Buffer) => {
      writeFileSync(err, d, { flag: 'a' });
      tail = (tail + d.toString()).slice(-600);
    };
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    p.once('exit', (code, signal) => {
      if (stopping || restartedByHand.has(p)) return;
      restarts.push(`${names[k]} exited ${code ?? signal}: ${tail.split('\n').filter(Boolean).slice(-2).join(' | ').slice(0, 400)}`);
      if (process.env.KILLFUZZ_VERBOSE) log(restarts[restarts.length - 1]);
      setTimeout(() => {
        if (!stopping) procs[k] = start(k, n + 1);
      }, 2000);
    });
    return p;
  };
  for (let k = 0; k < names.length; k++) procs.push(start(k));
  await sleep(1500);
  // the files arrive in random batches, each as an upload: a .filepart renamed once complete
  const order = walk(inbox).filter((f) => !isMarker(f)).sort((a, b) => a.localeCompare(b)).map((f) => ({ f, r: rnd() })).sort((a, b) => a.r - b.r).map((x) => x.f);
  let fed = 0;
  const feeding = (async () => {
    while (fed < order.length) {
      const n = 1 + Math.floor(rnd() * 6);
      for (const f of order.slice(fed, fed + n)) drop(inbox, watched, f, files.get(f)!, true);
      fed = Math.min(order.length, fed + n);
      await sleep(Math.floor(rnd() * 2000));
    }
  })();
  const outcomes = () => new Set(journal(out, true).filter((l) => l.event === 'outcome').map((l) => l.sha256));
  const shas = new Set([...files.values()].map(sha));
  const allDone = () => fed >= order.length && [...shas].every((s) => outcomes().has(s)) && walk(path.join(out, 'processing')).length === 0 && walk(watched).length === 0;
  let kills = 0;
  let longDowns = 0;
  // --kill redis-freeze: Redis SIGSTOPped (its connections stay open, nothing answers: a frozen
  // or swapping host, a silent partition), then SIGCONT; sometimes a daemon is stopped (SIGTERM,
  // a deploy) or killed meanwhile, and started again at once, against the frozen Redis
  const freezes: number[] = [];
  const stops: string[] = [];
  const freezeRedis = async () => {
    // under the 3 s deadline (redis-answers.ts), about it, or far over (once a campaign at least)
    const r = rnd();
    const ms = (kills === maxKills && !freezes.some((f) => f >= 10_000)) || r < 0.3 ? 10_000 + Math.floor(rnd() * 10_000) : r < 0.6 ? 500 + Math.floor(rnd() * 2000) : r < 0.8 ? 2500 + Math.floor(rnd() * 1500) : 4000 + Math.floor(rnd() * 6000);
    freezes.push(ms);
    const frozenAt = Date.now();
    redis!.kill('SIGSTOP');
    const thawed = sleep(ms).then(() => redis!.kill('SIGCONT'));
    if (process.env.KILLFUZZ_VERBOSE) log(`Redis frozen at ${outcomeCount(out)} outcomes, ${fed}/${order.length} files fed, for ${ms} ms`);
    if (rnd() < 0.5) {
      await sleep(Math.floor(rnd() * ms * 0.8));
      const k = Math.floor(rnd() * procs.length);
      const p = procs[k];
      const signal = rnd() < 0.7 ? 'SIGTERM' : 'SIGKILL';
      const at = Date.now() - frozenAt;
      restartedByHand.add(p);
      p.kill(signal);
      const code = await Promise.race([exited(p), sleep(STOP_BOUND_MS + 15_000).then(() => 'none' as const)]);
      const took = Date.now() - frozenAt - at;
      const said = `${names[k]} ${signal} ${(at / 1000).toFixed(1)} s into a freeze of ${(ms / 1000).toFixed(1)} s`;
      if (signal === 'SIGTERM') {
        stops.push(`${said}: exit ${code} after ${(took / 1000).toFixed(1)} s`);
        if (code === 'none') bad.push(`${said}: still running ${(took / 1000).toFixed(0)} s later (hung)`);
        else if (code !== 0) bad.push(`${said}: exit ${code}`);
        else if (took > STOP_BOUND_MS + 4000) bad.push(`${said}: took ${(took / 1000).toFixed(1)} s, past its bound`);
      }
      if (code === 'none') {
        p.kill('SIGKILL');
        await exited(p);
      }
      if (process.env.KILLFUZZ_VERBOSE) log(`${said}: exit ${code ?? p.signalCode} after ${took} ms, started again`);
      procs[k] = start(k, 100 + kills);
    }
    await thawed;
  };
  const deadline = Date.now() + 15 * 60_000;
  while (kills < maxKills && Date.now() < deadline && !allDone()) {
    // the next kill: after a random number of further outcomes, or at a random instant
    const target = outcomeCount(out) + Math.floor(rnd() * ((1.5 * files.size) / maxKills));
    if (rnd() < 0.3) await sleep(Math.floor(rnd() * 5000));
    else while (Date.now() < deadline && outcomeCount(out) < target && !allDone()) await sleep(50);
    await sleep(Math.floor(rnd() * 400));
    kills++;
    if (freeze) {
      await freezeRedis();
      continue;
    }
    redis!.kill('SIGKILL');
    await exited(redis!);
    // down for: nothing, a moment, or 10–40 s (one long stop at least per campaign)
    const r = rnd();
    let down = (kills === maxKills && longDowns === 0) || r < 0.35 ? 10_000 + Math.floor(rnd() * 30_000) : r < 0.7 ? Math.floor(rnd() * 3000) : 0;
    if (down >= 10_000) longDowns++;
    if (process.env.KILLFUZZ_VERBOSE) log(`Redis killed at ${outcomeCount(out)} outcomes, ${fed}/${order.length} files fed; down ${down} ms`);
    // sometimes a daemon is restarted (systemctl restart, a deploy) while Redis is down: it must
    // stop on SIGTERM (exit 0) and start again without Redis, waiting for it
    if (down >= 10_000 && rnd() < 0.5) {
      await sleep(Math.floor(rnd() * 3000));
      const k = Math.floor(rnd() * procs.length);
      const p = procs[k];
      restartedByHand.add(p);
      p.kill('SIGTERM');
      const code = await Promise.race([exited(p), sleep(60_000).then(() => 'none')]);
      if (code !== 0) bad.push(`${names[k]} SIGTERMed while Redis was down: exit ${code}`);
      if (code === 'none') {
        p.kill('SIGKILL');
        await exited(p);
      }
      if (process.env.KILLFUZZ_VERBOSE) log(`${names[k]} restarted while Redis was down (exit ${code})`);
      procs[k] = start(k, 100 + kills);
      down = Math.max(0, down - 3000);
    }
    await sleep(down);
    await redisUp();
  }
  await feeding;
  // settle by itself: no retry, no restart by hand
  const settleBy = Date.now() + 4 * 60_000;
  while (Date.now() < settleBy && !allDone()) await sleep(500);
  if (!allDone()) {
    const missing = [...files].filter(([, b]) => !outcomes().has(sha(b))).map(([n]) => n);
    bad.push(`not settled 4 min after the last kill: ${missing.length} file(s) without outcome (${missing.slice(0, 5).join(', ')}), processing/ holds ${walk(path.join(out, 'processing')).slice(0, 5).join(', ') || 'nothing'}, inbox holds ${walk(watched).slice(0, 5).join(', ') || 'nothing'}`);
  }
  // jobs: nothing failed, the nightly schedule back in Redis
  // a job's completion follows its outcome by a moment, and a job whose worker went (its lock
  // lapsed in a freeze) is taken again at the next stalled check: 30 s to settle
  const quiet = (j: { counts?: Record<string, number> }) => ['waiting', 'active', 'delayed'].every((s) => !j.counts?.[s]);
  let jobs = spawnSync(process.execPath, [BIN, 'jobs', '-c', configFile, '--json'], { encoding: 'utf8' });
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(1000)) {
    try {
      if (quiet(JSON.parse(jobs.stdout))) break;
    } catch {
      break;
    }
    jobs = spawnSync(process.execPath, [BIN, 'jobs', '-c', configFile, '--json'], { encoding: 'utf8' });
  }
  try {
    const j = JSON.parse(jobs.stdout);
    if (!quiet(j)) {
      // what the jobs still there are, to read
      const cli = (...a: string[]) => spawnSync('redis-cli', ['-p', String(port), ...a], { encoding: 'utf8' }).stdout.trim();
      for (const key of cli('--scan', '--pattern', `${prefix}:*`).split('\n').filter((k) => /:(active|wait|delayed)$/.test(k))) {
        const ids = key.endsWith('delayed') ? cli('zrange', key, '0', '-1').split('\n') : cli('lrange', key, '0', '-1').split('\n');
        for (const id of ids.filter(Boolean)) bad.push(`  ${key} ${id}: ${cli('hmget', `${key.replace(/:[a-z]+$/, '')}:${id}`, 'data', 'processedOn', 'attemptsMade', 'stalledCounter').replace(/\n/g, ' | ').slice(0, 400)}; lock ${cli('exists', `${key.replace(/:[a-z]+$/, '')}:${id}:lock`)}`);
      }
    }
    // a freeze past the lock lapses it: a job that stalled so twice, the second time its file
    // finished (its completion refused), fails with its outcome journaled; named, not counted
    const shaDone = outcomes();
    const finished = (f: { inProcessing?: boolean; sha256?: string }) => freeze && f.inProcessing === false && shaDone.has(f.sha256);
    const stalledDone = (j.failed ?? []).filter(finished);
    if (stalledDone.length) log(`failed by its stalls after its file's outcome (lock lapsed in two freezes): ${stalledDone.map((f: { file: string }) => f.file).join(', ')}`);
    const others = (j.failed ?? []).filter((f: { inProcessing?: boolean; sha256?: string }) => !finished(f));
    if (jobs.status !== 0 && (others.length || j.nightly?.failed || !stalledDone.length)) bad.push(`jobs exit ${jobs.status}: counts ${JSON.stringify(j.counts)}, failed ${JSON.stringify(others).slice(0, 400)}, nightly ${JSON.stringify(j.nightly)}`);
    if (!j.schedule) bad.push('jobs: the nightly reconciliation is NOT scheduled in Redis after the restarts');
    for (const s of ['waiting', 'active', 'delayed'] as const) if (j.counts?.[s]) bad.push(`jobs: ${j.counts[s]} ${s} once settled`);
  } catch {
    bad.push(`jobs: exit ${jobs.status} ${jobs.stderr.slice(0, 300)}`);
  }
  const alive = procs.map((p, k) => (p.exitCode === null && p.signalCode === null ? '' : names[k])).filter(Boolean);
  if (alive.length) bad.push(`not running at the end: ${alive.join(', ')}`);
  stopping = true;
  for (const p of procs) p.kill('SIGTERM');
  const codes = await Promise.all(procs.map(exited));
  redis!.kill('SIGKILL');
  await exited(redis!);
  bad.push(...check(out, files, path.join(out, 'processing'), configFile));
  if (codes.some((c) => c !== 0)) bad.push(`exit codes after SIGTERM: ${codes.join(',')}`);
  for (const f of walk(watched)) bad.push(`left in the inbox: ${f}`);
  // a daemon that exited on a Redis kill must say why in a sentence, not a stack trace
  for (const r of restarts) if (!/chorus-flux: /.test(r) || /\n\s+at /.test(r)) bad.push(`a daemon exited without a plain reason: ${r}`);
  if (freeze) {
    // a daemon that said Redis does not answer must say it answers again once it does (one
    // started against the frozen Redis says `… waiting for it`, then `… started`: that is its answer)
    for (const [k, f] of logOf.entries()) {
      const text = readFileSync(f, 'utf8');
      const silent = Math.max(text.lastIndexOf('"msg":"watch: Redis does not answer'), text.lastIndexOf('"msg":"worker: Redis does not answer'));
      if (silent > text.lastIndexOf('answers again')) bad.push(`${names[k]} said Redis did not answer, never that it answers again (${path.basename(f)})`);
    }
    // what the daemons said at warn and above, for a reader to judge (numbers masked)
    const said = new Map<string, number>();
    for (const f of walk(logs)) for (const l of readFileSync(path.join(logs, f), 'utf8').split('\n')) {
      let j: { level?: number; msg?: string; err?: { message?: string } };
      try {
        j = JSON.parse(l);
      } catch {
        continue;
      }
      if ((j.level ?? 0) < 40) continue;
      const m = `${f.replace(/-\d+\.log$/, '')} ${j.level}: ${j.msg}${j.err?.message ? ` [${j.err.message}]` : ''}`.replace(/\d+/g, 'N').slice(0, 300);
      said.set(m, (said.get(m) ?? 0) + 1);
    }
    log(`${kills} Redis freezes (${freezes.map((f) => (f / 1000).toFixed(1)).join(', ')} s), ${stops.length} SIGTERM during one: ${stops.join(' ; ') || 'none'}; ${restarts.length} daemon restart(s)${restarts.length ? `: ${restarts.join(' ; ')}` : ''}`);
    if (process.env.KILLFUZZ_VERBOSE) for (const [m, n] of [...said].sort()) log(`  ×${n} ${m}`);
    writeFileSync(path.join(dir, 'said.txt'), [...said].sort().map(([m, n]) => `×${n} ${m}`).join('\n') + '\n');
  } else log(`${kills} Redis kills (${longDowns} down 10–40 s), ${restarts.length} daemon restart(s)${restarts.length ? `: ${restarts.join(' ; ')}` : ''}`);
  return { kills, bad };
}

/** `--kill set-aside`'s workers preload it: a file named `poison-open-…` or `poison-late-…` ends its worker every time (test/helpers/kill-on-poison.js). */
const POISON_PRELOAD = path.join(ROOT, 'test/helpers/kill-on-poison.js');

/**
 * `--kill set-aside`: `watch` and two workers on a Redis of the campaign's own (`--save ''
 * --appendonly no`) process the corpus, in which 4–8 files of op-alpha (told by CPPStatut) and
 * op-beta (CPPStatut and CDAR) end their worker every time (the workers preload
 * kill-on-poison.js: killed as they open the file, or after judging its invoices); a worker that
 * dies is started again, as systemd would, and each of those jobs fails after two deaths
 * (`job stalled more than allowable limit`). Then, the daemons still running, `chorus-flux
 * set-aside` is run on those jobs (one at a time, or a few in one command), as an operator
 * would: the first run of each command and three in four of the next are SIGKILLed (up to
 * --kills), at a random instant or, one in two, armed with a
 * fault point of the refusal (after-error, before-journal, after-mark), of set-aside
 * (after-set-aside-refusal, after-set-aside-unlink) or inside the write of a flow (IN_TEMP_WRITE),
 * and it is run again, with other words, until it ends, exit 0; one run in seven beside a second
 * operator's on the same ids. Then, for each file set aside: refused once (rule FLUX-ECARTE, its
 * outcome lines agreeing), no other line about its content but its attempts' and the queue's,
 * its original in error/ with its `.reason.json`, one 93 (and one CDAR 501 for op-beta), all
 * with the words of the run whose refusal went through, no flow rewritten with other bytes once
 * named, its job gone from the failed list, its file gone from processing/; the other files'
 * outputs and lines untouched; `check`'s invariants (reconcile clean); `set-aside` once more:
 * `already-set-aside`, nothing written; the daemons stop on SIGTERM, exit 0.
 *
 * One killed command in three (drawn apart from the rest: a seed's set-asides are drawn as
 * before) is followed by `chorus-flux retry` on its ids instead of set-aside again, the operator
 * having fixed the cause: their poison is disarmed first (KILL_ON_POISON_DISARMED), so that a
 * worker takes them. Such a file whose refusal was recorded when the kill came (its attempt
 * record's `refusal`) must end as a file set aside (all of the above; `retry`'s line saying the
 * worker finishes that refusal, or `finished` when its outcome was journaled); one whose refusal
 * was not may end with any outcome, but never with the set-aside's words in a flow naming it nor
 * a copy in error/ beside a pivot or an archived original; `check` finds no flow no line lists.
 *
 * `--kill retry-cycle` (`cycle`): the operator retries without having fixed anything, the poison
 * still armed, so that each retried job ends its workers and fails again, and is then set aside.
 * Each command's ids go through one of three cycles, drawn from a generator of their own:
 * retry → fail again (one in three twice) → set-aside; set-aside killed (at its first kill) →
 * retry → fail again (or `finished`, its refusal journaled) → set-aside; retry and set-aside at
 * the same moment from two operators (the set-aside may find the job queued again: `not-failed`,
 * exit 1, the only exit 1 allowed) → set-aside. A `retry` is SIGKILLed one run in three (not the
 * one beside a set-aside), at a random instant or at its after-retry-queued; it queued the job
 * again when the job is then no longer the failure it was. Each set-aside is killed and run again
 * until it ends as above. Then all of the above, and: each file's `requeued` lines are its
 * retries' (`by: retry`), one per retry that queued it again, none after its outcome; its words
 * those of the first refusal a set-aside recorded (read from the attempt record after each run);
 * `set-aside` once more says `already-set-aside` (or `finished`, a job a worker completed).
 */
async function setAsideCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void, cycle = false): Promise<{ kills: number; bad: string[] }> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redisDir = path.join(dir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' });
  for (const end = Date.now() + 20_000; !redisPing(port); await sleep(50)) if (Date.now() > end || redis.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
  const { inbox, watched, files, configFile, out } = watchedCorpus(dir, seed, invoices, url, `killfuzz-set-aside-${seed}`);
  const rnd = prng(seed * 86028121);
  // one file at a time per worker: a worker that dies holds no other file's job (kill-on-poison.js)
  const cfgJson = JSON.parse(readFileSync(configFile, 'utf8'));
  cfgJson.worker = { ...cfgJson.worker, concurrency: 1 };
  writeFileSync(configFile, JSON.stringify(cfgJson, null, 2));
  // the poison files: contents of their own (no copy, no DOUBLON under other bytes), by op-alpha and op-beta
  const shaCount = new Map<string, number>();
  for (const b of files.values()) shaCount.set(sha(b), (shaCount.get(sha(b)) ?? 0) + 1);
  const candidates = [...files.keys()]
    .filter((f) => /^op-(alpha|beta)\/[^/]+$/.test(f) && !/\/(fx-|renvoi-|copie-)/.test(f) && shaCount.get(sha(files.get(f)!)) === 1 && !files.has(f.replace('/', '/renvoi-')))
    .sort()
    .map((f) => ({ f, r: rnd() }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.f);
  const n = 4 + Math.floor(rnd() * 5);
  const chosen = [...candidates.filter((f) => f.startsWith('op-alpha/')).slice(0, Math.ceil(n / 2)), ...candidates.filter((f) => f.startsWith('op-beta/')).slice(0, Math.floor(n / 2))];
  const poison = new Map<string, { partner: string; sha: string }>();
  chosen.forEach((f, k) => {
    const [p, name] = f.split('/');
    const to = `${p}/poison-${k % 2 ? 'late' : 'open'}-${name}`;
    renameSync(path.join(inbox, f), path.join(inbox, to));
    files.set(to, files.get(f)!);
    files.delete(f);
    poison.set(to, { partner: p, sha: sha(files.get(to)!) });
  });
  const poisonShas = new Set([...poison.values()].map((p) => p.sha));
  const bad: string[] = [];
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  // the daemons, a worker that dies started again after 500 ms (systemd's Restart=always)
  const names = ['watch', 'worker-1', 'worker-2'];
  const procs: ChildProcess[] = [];
  // the poison files the operator fixed and retried instead of setting aside: no longer kill (kill-on-poison.js)
  const disarmList = path.join(dir, 'disarmed.txt');
  writeFileSync(disarmList, '');
  let stopping = false;
  let workerDeaths = 0;
  const start = (k: number, n = 0): ChildProcess => {
    const err = path.join(logs, `${names[k]}-${n}.log`);
    const env = k === 0 ? process.env : { ...process.env, KILL_ON_POISON_DISARMED: disarmList, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${POISON_PRELOAD}`.trim() };
    const p = spawn(process.execPath, [BIN, k === 0 ? 'watch' : 'worker', '-c', configFile, '--metrics-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    p.stdout!.on('data', (d) => writeFileSync(err, d, { flag: 'a' }));
    p.stderr!.on('data', (d) => writeFileSync(err, d, { flag: 'a' }));
    p.once('exit', (code, signal) => {
      if (stopping) return;
      if (k === 0 || signal !== 'SIGKILL') bad.push(`${names[k]} exited by itself: ${code ?? signal} (${path.basename(err)})`);
      else workerDeaths++;
      setTimeout(() => {
        if (!stopping) procs[k] = start(k, n + 1);
      }, 500);
    });
    return p;
  };
  for (let k = 0; k < names.length; k++) procs.push(start(k));
  await sleep(1500);
  for (const f of walk(inbox).filter((x) => !isMarker(x))) drop(inbox, watched, f, files.get(f)!);
  const jobsNow = (): { counts?: Record<string, number>; failed?: { id: string; file?: string; sha256?: string; inProcessing?: boolean; reason?: string }[] } | undefined => {
    const r = spawnSync(process.execPath, [BIN, 'jobs', '-c', configFile, '--json', '--limit', '1000'], { encoding: 'utf8' });
    try {
      return JSON.parse(r.stdout);
    } catch {
      return undefined;
    }
  };
  const others = [...files.values()].map(sha).filter((s) => !poisonShas.has(s));
  const outcomes = () => new Set(journal(out, true).filter((l) => l.event === 'outcome').map((l) => l.sha256));
  let failed: { id: string; file?: string; sha256?: string }[] = [];
  const quiet = (j: ReturnType<typeof jobsNow>) => ['waiting', 'active', 'delayed'].every((s) => !j?.counts?.[s]);
  for (const deadline = Date.now() + 10 * 60_000; ; await sleep(1000)) {
    const j = jobsNow();
    failed = j?.failed ?? [];
    const done = outcomes();
    if (others.every((s) => done.has(s)) && walk(watched).length === 0 && quiet(j) && failed.length >= poison.size) break;
    // a job that failed without poison (it should not): retried, and said
    for (const f of failed.filter((x) => !poisonShas.has(x.sha256 ?? ''))) {
      bad.push(`a job failed that has no poison: ${f.id} ${f.file}`);
      spawnSync(process.execPath, [BIN, 'retry', f.id, '-c', configFile], { stdio: 'ignore' });
    }
    if (Date.now() > deadline) {
      bad.push(`the corpus not settled in 10 min: ${others.filter((s) => !done.has(s)).length} file(s) without outcome, ${failed.length}/${poison.size} poison jobs failed, counts ${JSON.stringify(j?.counts)}`);
      break;
    }
  }
  const ids = new Map<string, string>(); // job id → poison file
  for (const f of failed) {
    const name = [...poison].find(([, p]) => p.sha === f.sha256)?.[0];
    if (name) ids.set(f.id, name);
  }
  if (ids.size !== poison.size) bad.push(`${ids.size} failed jobs for ${poison.size} poison files: ${JSON.stringify(failed).slice(0, 400)}`);
  for (const s of poisonShas) if (outcomes().has(s)) bad.push(`a poison file has an outcome before set-aside: ${s.slice(0, 8)}`);
  // what the set-asides must leave as it is: every output so far, the journal's lines so far
  const outboxFiles = () => new Map(['pivot', 'statut', 'cdar', 'archive', 'error'].flatMap((d) => walk(path.join(out, d)).filter((f) => !path.basename(f).startsWith('.')).map((f) => [`${d}/${f}`, sha(readFileSync(path.join(out, d, f)))] as const)));
  const before = outboxFiles();
  // (a day's journal is a folder of one file per writer: a set-aside's file may sort before a worker's, so lines are compared, not counted)
  const linesBefore = new Set(journal(out).map((l) => JSON.stringify(l)));
  // the set-asides
  const faults = faultTally();
  const points = [...FAULTS.setAside, IN_TEMP_WRITE];
  let turn = seed;
  const nextFault = () => points[turn++ % points.length];
  const armed = (fault: string) =>
    fault === IN_TEMP_WRITE ? { KILL_IN_TEMP_WRITE: '/(statut|cdar)/', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'test/helpers/kill-in-temp-write.js')}`.trim() } : { CHORUS_FLUX_FAULT: fault };
  const run = (group: string[], reason: string, fault?: string) => {
    const p = spawn(process.execPath, [BIN, 'set-aside', ...group, '--reason', reason, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(fault ? armed(fault) : {}) } });
    const said = { text: '' };
    p.stdout!.on('data', (d) => (said.text += d));
    p.stderr!.on('data', (d) => (said.text += d));
    return { p, said };
  };
  // named flows: path → SHA-256 as first seen; a flow rewritten with other bytes once named (a partner may have taken it) is broken
  const seen = new Map<string, string>();
  const watchFlows = () => {
    for (const [f, s] of outboxFiles()) {
      if (!seen.has(f)) seen.set(f, s);
      else if (seen.get(f) !== s) {
        bad.push(`${f} rewritten with other bytes after it was named`);
        seen.set(f, s);
      }
    }
  };
  let kills = 0;
  let twice = 0;
  // (--kill retry-cycle: shorter at first, its set-asides often on files a retry left as they were)
  let mean = cycle ? 800 : 1500;
  const order = [...ids.keys()].map((id) => ({ id, r: rnd() })).sort((a, b) => a.r - b.r).map((x) => x.id);
  const groups: string[][] = [];
  for (let k = 0; k < order.length; ) {
    const size = rnd() < 0.3 ? 2 + Math.floor(rnd() * 2) : 1;
    groups.push(order.slice(k, k + size));
    k += size;
  }
  const reasons = new Map<string, string[]>(); // id → the words of each run that was on it
  // one killed set-aside in three is followed by `chorus-flux retry` on its jobs instead (the
  // operator fixed the cause): drawn apart, so that a seed's set-asides are drawn as before
  const rRetry = prng(seed * 104729);
  const stateDir = loadConfig(configFile).paths.state;
  const attemptOf = (s: string): { refusal?: { message: string } } | undefined => {
    try {
      return JSON.parse(readFileSync(path.join(stateDir, 'files', s.slice(0, 2), `${s}.attempt`), 'utf8'));
    } catch {
      return undefined;
    }
  };
  const marked = (s: string) => existsSync(path.join(stateDir, 'files', s.slice(0, 2), `${s}.json`));
  /** job id → whether its set-aside's refusal was recorded (the content's attempt record) when it was killed, its mark's presence then, what retry said */
  const retried = new Map<string, { recorded: boolean; marked: boolean; said: string }>();
  const retryInstead = async (group: string[], after: string): Promise<void> => {
    const state = group.map((id) => {
      const s = poison.get(ids.get(id)!)!.sha;
      return { id, s, recorded: attemptOf(s)?.refusal !== undefined, marked: marked(s) };
    });
    writeFileSync(disarmList, group.map((id) => path.basename(ids.get(id)!)).join('\n') + '\n', { flag: 'a' });
    const r = spawnSync(process.execPath, [BIN, 'retry', ...group, '--config', configFile, '--json'], { encoding: 'utf8' });
    let reports: { id: string; result: string; detail: string }[] = [];
    try {
      reports = JSON.parse(r.stdout);
    } catch {
      bad.push(`retry ${group.join(' ')} after ${after}: exit ${r.status} ${r.stderr.slice(0, 300)}`);
    }
    if (r.status !== 0) bad.push(`retry ${group.join(' ')} after ${after}: exit ${r.status}: ${r.stdout.slice(0, 400)} ${r.stderr.slice(0, 300)}`);
    for (const x of state) {
      const rep = reports.find((y) => y.id === x.id);
      retried.set(x.id, { recorded: x.recorded, marked: x.marked, said: `${rep?.result}: ${rep?.detail}` });
      // retry tells the operator the worker finishes the refusal, when it does
      if (rep?.result === 'retried' && x.recorded && !x.marked && !/finishes that refusal/.test(rep.detail)) bad.push(`retry ${x.id} after ${after}: the refusal recorded, but its line does not say the worker finishes it: ${rep.detail}`);
      if (rep?.result === 'retried' && !x.recorded && /finishes that refusal/.test(rep.detail)) bad.push(`retry ${x.id} after ${after}: no refusal recorded, but its line says the worker finishes one: ${rep.detail}`);
      if (process.env.KILLFUZZ_VERBOSE) log(`retry ${x.id} after ${after} (refusal ${x.recorded ? '' : 'not '}recorded${x.marked ? ', marked' : ''}): ${rep?.result} ${rep?.detail.slice(0, 200)}`);
    }
    // the workers take them: each with its outcome, the queue quiet
    for (const end = Date.now() + 120_000; ; await sleep(500)) {
      const done = outcomes();
      const j = jobsNow();
      if (state.every((x) => done.has(x.s)) && quiet(j) && !(j?.failed ?? []).some((f) => group.includes(f.id))) break;
      if (Date.now() > end) {
        bad.push(`retry ${group.join(' ')} after ${after}: not settled in 2 min: ${state.filter((x) => !done.has(x.s)).length} without outcome, counts ${JSON.stringify(j?.counts)}, failed ${JSON.stringify((j?.failed ?? []).filter((f) => group.includes(f.id))).slice(0, 300)}`);
        break;
      }
    }
  };
  /**
   * `set-aside` on `group`, killed and run again until it ends. `then`: after a kill, one time in
   * three (`retry-instead`: its poison disarmed, `--kill set-aside`) or at the first
   * (`stop`: `--kill retry-cycle` retries it still armed), what the caller does instead.
   */
  const setAsideUntilEnds = async (group: string[], then: 'retry-instead' | 'stop' | 'none'): Promise<'ended' | 'killed'> => {
    for (let attempt = 1; ; attempt++) {
      if (attempt > maxKills + 5) {
        bad.push(`set-aside ${group.join(' ')} never ended`);
        return 'ended';
      }
      const reason = `Le fichier arrête le traitement à chaque essai (motif ${seed}-${group[0].slice(0, 6)}-${attempt})`;
      // each command's first run killed, three in four of the next ones; one kill in two at a point
      const kill = kills < maxKills && (attempt === 1 || rnd() < 0.75);
      const fault = kill && rnd() < 1 / 2 ? nextFault() : undefined;
      const t0 = Date.now();
      const a = run(group, reason, fault);
      const second = rnd() < 0.15 ? `${reason}, par un second opérateur` : undefined;
      const b = second ? run(group, second) : undefined;
      for (const id of group) reasons.set(id, [...(reasons.get(id) ?? []), reason, ...(second ? [second] : [])]);
      if (b) twice++;
      if (kill && !fault) {
        const at = Math.floor(mean * (0.4 + 0.7 * rnd()));
        await Promise.race([exited(a.p), sleep(at)]);
        if (a.p.exitCode === null && a.p.signalCode === null) a.p.kill('SIGKILL');
      }
      await Promise.all([exited(a.p), b && exited(b.p)]);
      watchFlows();
      noteRefusals(group);
      if (b && b.p.exitCode !== 0) bad.push(`set-aside ${group.join(' ')} by a second operator at once: exit ${b.p.exitCode ?? b.p.signalCode} ${b.said.text.slice(0, 300)}`);
      if (a.p.signalCode === 'SIGKILL') {
        kills++;
        if (fault) faults.hit(fault);
        if (process.env.KILLFUZZ_VERBOSE) log(`set-aside ${group.join(' ')} killed ${fault ? `at ${fault}` : `after ${Date.now() - t0} ms`} (attempt ${attempt})`);
        if (then === 'stop') return 'killed';
        if (then === 'retry-instead' && rRetry() < 1 / 3) {
          await retryInstead(group, fault ? `a kill at ${fault}` : 'a kill');
          watchFlows();
          return 'ended';
        }
        continue;
      }
      if (fault && process.env.KILLFUZZ_VERBOSE) log(`set-aside ${group.join(' ')} armed with ${fault} ended by itself (never got there)`);
      if (!b) mean = 0.7 * mean + 0.3 * (Date.now() - t0);
      if (a.p.exitCode !== 0) bad.push(`set-aside ${group.join(' ')}: exit ${a.p.exitCode}: ${a.said.text.slice(0, 400)}`);
      else if (process.env.KILLFUZZ_VERBOSE) log(`set-aside ${group.join(' ')}: ${a.said.text.trim().split('\n').join(' | ').slice(0, 600)}`);
      return 'ended';
    }
  };
  /** content → the words of the first refusal a set-aside recorded for it (its attempt record), as read after each run */
  const firstRefusal = new Map<string, string>();
  const noteRefusals = (group: string[]) => {
    for (const id of group) {
      const s = poison.get(ids.get(id)!)!.sha;
      const m = attemptOf(s)?.refusal?.message;
      if (m && !firstRefusal.has(s)) firstRefusal.set(s, m);
    }
  };
  /** `--kill retry-cycle`: job id → the `requeued` lines its retries must have left (one per retry that queued it again) */
  const requeues = new Map<string, number>();
  const plans = new Map<string, string>(); // job id → its cycle, said at the end
  const rCycle = prng(seed * 15485863);
  let retryKills = 0;
  let retryRuns = 0;
  /** the failed jobs, id → when each failed (BullMQ's finishedOn, as `jobs` says it) */
  const failedNow = () => new Map((jobsNow()?.failed ?? []).map((f) => [f.id, (f as { failedAt?: string }).failedAt ?? '']));
  /**
   * `--kill retry-cycle`: `chorus-flux retry` on `group`, its poison still armed (the operator
   * retries without having fixed anything), SIGKILLed one run in three at a random instant; then
   * the workers take the jobs again and die on them until each fails again (or has its outcome:
   * a refusal journaled meanwhile). A killed run queued a job again when the job is no longer
   * the failure it was (its state, or its failure's time).
   */
  const retryArmed = async (group: string[], after: string, beside?: Promise<unknown>): Promise<void> => {
    const was = failedNow();
    // (not beside a set-aside: its kill is told by what became of the job, which the set-aside removes)
    const kill = kills < maxKills && rCycle() < 1 / 3 && !beside;
    // one kill in two at its point after-retry-queued (a job queued again, its line not journaled yet)
    const atPoint = kill && rCycle() < 1 / 2;
    retryRuns++;
    const p = spawn(process.execPath, [BIN, 'retry', ...group, '--config', configFile, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(atPoint ? { CHORUS_FLUX_FAULT: 'after-retry-queued' } : {}) } });
    let text = '';
    let err = '';
    p.stdout!.on('data', (d) => (text += d));
    p.stderr!.on('data', (d) => (err += d));
    if (kill && !atPoint) {
      await Promise.race([exited(p), sleep(Math.floor(retryMean * (0.3 + 0.8 * rCycle())))]);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
    const t0 = Date.now();
    await exited(p);
    await beside;
    if (p.signalCode === 'SIGKILL') {
      kills++;
      retryKills++;
      if (atPoint) faults.hit('after-retry-queued');
      const now = failedNow();
      for (const id of group) {
        const requeued = was.has(id) && now.get(id) !== was.get(id);
        if (requeued) requeues.set(id, (requeues.get(id) ?? 0) + 1);
        if (process.env.KILLFUZZ_VERBOSE) log(`retry ${id} after ${after}: killed${atPoint ? ' at after-retry-queued' : ''} (${requeued ? 'queued again' : 'not queued again'})`);
      }
    } else {
      retryMean = 0.7 * retryMean + 0.3 * (Date.now() - t0);
      let reports: { id: string; result: string; detail: string }[] = [];
      try {
        reports = JSON.parse(text);
      } catch {
        bad.push(`retry ${group.join(' ')} after ${after}: exit ${p.exitCode} ${err.slice(0, 300)}`);
      }
      if (p.exitCode !== 0) bad.push(`retry ${group.join(' ')} after ${after}: exit ${p.exitCode}: ${text.slice(0, 300)} ${err.slice(0, 300)}`);
      for (const id of group) {
        const rep = reports.find((y) => y.id === id);
        if (rep?.result === 'retried') requeues.set(id, (requeues.get(id) ?? 0) + 1);
        else if (!['finished', 'already-queued'].includes(rep?.result ?? '')) bad.push(`retry ${id} after ${after}: ${rep?.result}: ${rep?.detail}`);
        if (process.env.KILLFUZZ_VERBOSE) log(`retry ${id} after ${after}: ${rep?.result} ${rep?.detail.slice(0, 200)}`);
      }
    }
    // the workers take them, still poisoned: each fails again, or has its outcome
    for (const end = Date.now() + 120_000; ; await sleep(500)) {
      const done = outcomes();
      const j = jobsNow();
      const failedIds = new Set((j?.failed ?? []).map((f) => f.id));
      if (quiet(j) && group.every((id) => failedIds.has(id) || done.has(poison.get(ids.get(id)!)!.sha))) break;
      if (Date.now() > end) {
        bad.push(`retry ${group.join(' ')} after ${after}: not failed again nor finished in 2 min: counts ${JSON.stringify(j?.counts)}`);
        break;
      }
    }
    watchFlows();
    noteRefusals(group);
  };
  let retryMean = 1500;
  for (const group of groups) {
    if (!cycle) {
      await setAsideUntilEnds(group, 'retry-instead');
      continue;
    }
    // --kill retry-cycle: each command's ids retried, still armed, and set aside, in one of three orders
    const plan = (['retry-then-set-aside', 'set-aside-killed-retry', 'retry-and-set-aside-at-once'] as const)[Math.floor(rCycle() * 3)];
    for (const id of group) plans.set(id, plan);
    if (plan === 'retry-then-set-aside') {
      await retryArmed(group, 'nothing');
      if (rCycle() < 1 / 3) await retryArmed(group, 'a retry that failed again');
    } else if (plan === 'set-aside-killed-retry') {
      if ((await setAsideUntilEnds(group, 'stop')) === 'killed') await retryArmed(group, 'a killed set-aside');
    } else {
      // two operators: one retries, the other sets aside, at the same moment
      const reason = `Écarté pendant qu'un autre opérateur relance (motif ${seed}-${group[0].slice(0, 6)})`;
      for (const id of group) reasons.set(id, [...(reasons.get(id) ?? []), reason]);
      const b = run(group, reason);
      await retryArmed(group, 'nothing, a set-aside at the same moment', exited(b.p));
      // the retry first: the set-aside finds the job queued again, `not-failed` (exit 1), and leaves it
      const queuedFirst = b.said.text.split('\n').filter((l) => /^not-failed /.test(l));
      if (queuedFirst.some((l) => !/the job is (waiting|active|delayed|prioritized), not failed: left as it is$/.test(l))) bad.push(`set-aside ${group.join(' ')} beside a retry: ${queuedFirst.join(' | ').slice(0, 300)}`);
      if (b.p.exitCode !== 0 && !(b.p.exitCode === 1 && queuedFirst.length)) bad.push(`set-aside ${group.join(' ')} beside a retry: exit ${b.p.exitCode ?? b.p.signalCode} ${b.said.text.slice(0, 300)}`);
      else if (process.env.KILLFUZZ_VERBOSE) log(`set-aside ${group.join(' ')} beside a retry: ${b.said.text.trim().split('\n').join(' | ').slice(0, 600)}`);
    }
    // then set aside until it ends (already set aside, or finished: said, exit 0)
    await setAsideUntilEnds(group, 'none');
  }
  // the daemons' rescans and stalled checks go on meanwhile: a few seconds for them to act on what set-aside left
  await sleep(3000);
  watchFlows();
  // each file set aside
  const lines = journal(out);
  for (const [id, name] of ids) {
    const { partner, sha: s } = poison.get(name)!;
    const what = `${name} (job ${id})`;
    const about = lines.filter((l) => l.sha256 === s);
    const outcome = about.filter((l) => l.event === 'outcome');
    // (a job retried instead: its `requeued` line)
    const other = about.filter((l) => !['outcome', 'received', 'claimed', 'system-error', ...(retried.has(id) || cycle ? ['requeued'] : [])].includes(l.event));
    if (other.length) bad.push(`${what}: lines ${other.map((l) => l.event).join(', ')} beside its outcome`);
    if (cycle) {
      // one `requeued` line per retry that queued the job again, none after its outcome
      const requeued = about.filter((l) => l.event === 'requeued');
      const byRetry = requeued.filter((l) => l.by === 'retry').length;
      if (byRetry !== (requeues.get(id) ?? 0)) bad.push(`${what} (${plans.get(id)}): ${byRetry} requeued line(s) by retry for ${requeues.get(id) ?? 0} retr(y/ies) that queued it again`);
      const notByRetry = requeued.filter((l) => l.by !== 'retry');
      if (notByRetry.length) bad.push(`${what} (${plans.get(id)}): requeued line(s) not by retry: ${notByRetry.map((l) => JSON.stringify(l)).join(' ').slice(0, 300)}`);
      const firstOutcome = about.filter((l) => l.event === 'outcome').map((l) => l.ts!).sort()[0];
      const late = requeued.filter((l) => firstOutcome !== undefined && l.ts! > firstOutcome);
      if (late.length) bad.push(`${what} (${plans.get(id)}): requeued by retry after its outcome was journaled (${late.map((l) => l.ts).join(', ')} > ${firstOutcome})`);
    }
    if (outcome.length === 0) {
      bad.push(`${what}: no outcome`);
      continue;
    }
    if (outcome.length > 1) log(`${what}: its outcome line ×${outcome.length} (identical: a kill between the line and its mark's note)`);
    const o = outcome[0] as Line & { findings?: { rule: string; message: string }[] };
    const r = retried.get(id);
    if (r && !r.recorded && !(o.outcome === 'refused' && o.findings?.[0]?.rule === 'FLUX-ECARTE')) {
      // retried before its set-aside recorded a refusal: processed as any file, but never with the set-aside's flows beside its own
      const kinds = new Set((o.outputs ?? []).map((x) => x.kind));
      const words = reasons.get(id) ?? [];
      // (the words of a command on several ids are theirs all: the flows about this file are those naming it)
      const told = ['statut', 'cdar'].flatMap((d) => walk(path.join(out, d, partner)).map((f) => `${d}/${partner}/${f}`)).filter((f) => !path.basename(f).startsWith('.')).filter((f) => {
        const text = readFileSync(path.join(out, f), 'utf8');
        return text.includes(path.basename(name)) && words.some((w) => text.includes(w));
      });
      if (told.length) bad.push(`${what}: retried, ${o.outcome}, and flows carry its set-aside's words: ${told.join(', ')}`);
      const copy = walk(path.join(out, 'error')).filter((f) => !f.endsWith('.reason.json') && sha(readFileSync(path.join(out, 'error', f))) === s);
      if ((kinds.has('pivot') || kinds.has('archive')) && copy.length) bad.push(`${what}: retried, ${o.outcome} with ${[...kinds].join(', ')}, and a copy in error/: ${copy.join(', ')}`);
      continue;
    }
    if (r) log(`${what}: retried after its set-aside was killed ${r.recorded ? 'with its refusal recorded' : 'before its refusal was recorded'}${r.marked ? ' (marked)' : ''}: ${o.outcome} ${o.findings?.[0]?.rule ?? ''} (retry said ${r.said.slice(0, 160)})`);
    if (o.outcome !== 'refused' || o.findings?.[0]?.rule !== 'FLUX-ECARTE') {
      bad.push(`${what}: outcome ${o.outcome} ${o.findings?.[0]?.rule}${r ? ` (retried after its set-aside recorded its refusal; retry said ${r.said.slice(0, 200)})` : ''}`);
      continue;
    }
    const words = /^The file was set aside by the operator without being processed: (.*)$/.exec(o.findings[0].message)?.[1];
    if (!words || !(reasons.get(id) ?? []).includes(words)) bad.push(`${what}: set aside with words no run gave: ${o.findings[0].message}`);
    // the words of the first refusal recorded stand, whatever ran after it
    if (firstRefusal.has(s) && firstRefusal.get(s) !== o.findings[0].message) bad.push(`${what}${cycle ? ` (${plans.get(id)})` : ''}: set aside with other words than the first refusal recorded (${firstRefusal.get(s)}): ${o.findings[0].message}`);
    const kinds = (o.outputs ?? []).map((x) => x.kind).sort();
    const want = partner === 'op-beta' ? ['cdar', 'error', 'reason', 'statut'] : ['error', 'reason', 'statut'];
    if (JSON.stringify(kinds) !== JSON.stringify(want)) bad.push(`${what}: outputs ${kinds.join(', ')}, not ${want.join(', ')}`);
    for (const x of o.outputs ?? []) {
      const f = path.join(out, x.path);
      if (!existsSync(f)) continue; // check() names it
      const text = readFileSync(f, 'utf8');
      if (x.kind === 'statut' && !text.includes(words ?? '\u0000')) bad.push(`${what}: its 93 does not carry the words of its outcome`);
      if (x.kind === 'cdar' && !text.includes(words ?? '\u0000')) bad.push(`${what}: its CDAR 501 does not carry the words of its outcome`);
      if (x.kind === 'reason' && JSON.parse(text).findings?.[0]?.message !== o.findings[0].message) bad.push(`${what}: its .reason.json says ${JSON.parse(text).findings?.[0]?.message}`);
      if (x.kind === 'error' && sha(readFileSync(f)) !== s) bad.push(`${what}: its copy in error/ is not its bytes`);
    }
  }
  // one 93 per file set aside, and the flows of the others untouched
  const after = outboxFiles();
  for (const [f, s] of before) if (after.get(f) !== s) bad.push(`${f} (not set aside) ${after.has(f) ? 'changed' : 'gone'} during the set-asides`);
  const ecarte = [...after.keys()].filter((f) => f.startsWith('statut/') && readFileSync(path.join(out, f), 'utf8').includes('FLUX-ECARTE'));
  const setAside = new Set(lines.filter((l) => l.event === 'outcome' && l.outcome === 'refused' && l.findings?.[0]?.rule === 'FLUX-ECARTE' && poisonShas.has(l.sha256 ?? '')).map((l) => l.sha256));
  if (ecarte.length !== setAside.size) bad.push(`${ecarte.length} 93 flows FLUX-ECARTE for ${setAside.size} files set aside: ${ecarte.join(', ')}`);
  for (const [id, r] of retried) if (r.recorded && !setAside.has(poison.get(ids.get(id)!)!.sha)) bad.push(`${ids.get(id)} (job ${id}): retried after its refusal was recorded, and not refused FLUX-ECARTE`);
  // (--kill retry-cycle: the workers that died on the jobs retried journal their starts again)
  const newLines = journal(out).filter((l) => !linesBefore.has(JSON.stringify(l)) && !poisonShas.has(l.sha256 ?? '') && !(cycle && l.event === 'start'));
  if (newLines.length) bad.push(`journal lines about other files during the set-asides: ${newLines.map((l) => `${l.event} ${l.file}`).join(', ').slice(0, 400)}`);
  // the queue: no failed job left, none waiting
  const j = jobsNow();
  if (!j || j.failed?.length || !quiet(j)) bad.push(`jobs after the set-asides: counts ${JSON.stringify(j?.counts)}, failed ${JSON.stringify(j?.failed).slice(0, 400)}`);
  for (const f of walk(path.join(out, 'processing'))) bad.push(`left in processing/: ${f}`);
  bad.push(...check(out, files, path.join(out, 'processing'), configFile));
  // once more: already set aside, nothing written
  const state = outboxState(out);
  // (the jobs retried are completed or gone: set-aside says `finished` of them, not `already-set-aside`)
  const notRetried = [...ids.keys()].filter((id) => !retried.has(id));
  // (--kill retry-cycle: a job a worker completed on the refusal is `finished`)
  const again = notRetried.length ? spawnSync(process.execPath, [BIN, 'set-aside', ...notRetried, '--reason', 'encore', '--config', configFile, '--json'], { encoding: 'utf8' }) : { status: 0, stdout: '[]', stderr: '' };
  try {
    const rs = JSON.parse(again.stdout) as { id: string; result: string }[];
    if (again.status !== 0 || rs.some((r) => r.result !== 'already-set-aside' && !(cycle && r.result === 'finished'))) bad.push(`set-aside once more: exit ${again.status}: ${rs.map((r) => `${r.id.slice(0, 8)} ${r.result}`).join(', ')}`);
  } catch {
    bad.push(`set-aside once more: exit ${again.status} ${again.stderr.slice(0, 300)}`);
  }
  if (outboxState(out) !== state) bad.push('set-aside once more wrote into the outboxes or the journal');
  stopping = true;
  for (const p of procs) p.kill('SIGTERM');
  const codes = await Promise.all(procs.map(exited));
  if (codes.some((c) => c !== 0)) bad.push(`exit codes after SIGTERM: ${codes.join(',')}`);
  redis.kill('SIGKILL');
  await exited(redis);
  const rec = [...retried.values()].filter((r) => r.recorded).length;
  if (cycle) {
    const byPlan = new Map<string, number>();
    for (const p of plans.values()) byPlan.set(p, (byPlan.get(p) ?? 0) + 1);
    log(`retry-cycle: ${[...byPlan].map(([p, n]) => `${n} ${p}`).join(', ')}; ${retryRuns} retry runs (${retryKills} killed), ${[...requeues.values()].reduce((a, b) => a + b, 0)} requeues; ${kills - retryKills} set-aside kills`);
  }
  log(`${poison.size} files set aside (${[...poison.keys()].join(', ')}), after ${workerDeaths} worker deaths on them; ${groups.length} commands (${groups.filter((g) => g.length > 1).length} of several ids), ${twice} times beside a second operator; ${retried.size} retried instead after a kill (${rec} with the refusal recorded, ${retried.size - rec} before); ${faults.said()}`);
  return { kills, bad };
}

/** The files under `root` with their SHA-256 and mtime, but for `skip`'s: a listing to compare before and after. */
function hashed(root: string, skip: (f: string) => boolean = () => false): Map<string, string> {
  return new Map(walk(root).filter((f) => !skip(f)).map((f) => [f, `${sha(readFileSync(path.join(root, f)))} ${statSync(path.join(root, f)).mtimeMs}`]));
}

/** A temporary file or a lock (or a lock token) under state/. */
const stateLeftover = (f: string) => (/\.tmp$|\.tmp-|~$|\.lock$/.test(f) || path.basename(f).startsWith('.')) && !f.includes(`~${process.pid}~`); // this process's own lock tokens (its run of 500 days ago) live as long as it

/**
 * `--kill prune`: most of the corpus is processed by an in-process `run` whose clock is 500 days
 * back (its processed marks, replies and attempt records then aged as much), the rest by `run`
 * now; then `chorus-flux prune` (the configured retention, 400 days) is SIGKILLed at random
 * instants, or armed with its fault points (after-prune-horizon, after-prune-attempt,
 * after-prune-reply) or a kill inside the write of prune-horizon.json, and run again until it
 * ends; sometimes a second prune runs beside it. Then: every content with an old mark has lost
 * mark, attempt record and replies; every other file of state/files/ is as it was; the outboxes,
 * journal, reports, lifecycle and the rest of state/ are as they were. Then a few pruned files
 * and a few young ones are dropped again: the pruned are new deposits (an outcome line, their
 * known invoices refused CPRO-DOUBLON, no pivot written, nothing written before replaced), the
 * young ones already-processed; `reconcile` of today is clean and sweeps what a killed prune left
 * in state/ (a lock token): nothing temporary or locked is left there.
 */
async function pruneCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void): Promise<{ kills: number; bad: string[] }> {
  const { inbox, config, files } = corpus(dir, seed, invoices);
  const out = path.join(dir, 'out');
  const rnd = prng(seed * 15485863);
  const bad: string[] = [];
  // a few files processed now: their marks are young
  const youngInbox = path.join(dir, 'inbox-young');
  const young = [...files.keys()].filter(() => rnd() < 0.15);
  for (const f of young) {
    mkdirSync(path.join(youngInbox, path.dirname(f)), { recursive: true });
    renameSync(path.join(inbox, f), path.join(youngInbox, f));
    if (existsSync(path.join(inbox, `${f}.done`))) renameSync(path.join(inbox, `${f}.done`), path.join(youngInbox, `${f}.done`));
  }
  const then = new Date(Date.now() - 500 * 86_400_000);
  const cfg = loadConfig(config, { out });
  // uploaded then, processed then: receipt time, journal, archive/ and error/ of that day
  for (const f of walk(inbox)) utimesSync(path.join(inbox, f), then, then);
  const summary = await runEmbedded({ inbox, deps: createDeps({ ...cfg, receiptTime: 'mtime' }, { logger: createLogger({ level: 'silent' }), clock: fixedClock(then.toISOString()) }) });
  if (summary.results.length === 0) return { kills: 0, bad: ['the run of 500 days ago processed nothing'] };
  // the same bytes from another partner: a CPRO-DOUBLON-FLUX reply, and its reply mark beside the mark
  const copies = summary.results.filter((r) => ['op-alpha', 'op-beta'].includes(r.partner) && r.outcome !== 'already-processed').slice(0, 6);
  const copyInbox = path.join(dir, 'inbox-copies');
  for (const [k, r] of copies.entries()) {
    const other = r.partner === 'op-alpha' ? 'op-beta' : 'op-alpha';
    // the first half then (old replies), the others with the young files (a young reply beside an old mark)
    const to = path.join(k % 2 ? youngInbox : copyInbox, other, `copie-${path.basename(r.file)}`);
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, files.get(r.file)!);
    utimesSync(to, k % 2 ? new Date() : then, k % 2 ? new Date() : then);
  }
  if (existsSync(copyInbox)) await runEmbedded({ inbox: copyInbox, deps: createDeps({ ...cfg, receiptTime: 'mtime' }, { logger: createLogger({ level: 'silent' }), clock: fixedClock(then.toISOString()) }) });
  const filesDir = path.join(cfg.paths.state, 'files');
  // written then: the marks, replies and attempt records, and the outputs (a reconciliation of today looks at those of today)
  for (const f of walk(out)) if (!f.startsWith('state/') || f.startsWith('state/files/')) utimesSync(path.join(out, f), then, then);
  const yr = spawnSync(process.execPath, [BIN, 'run', youngInbox, '--out', out, '--config', config, '-q'], { encoding: 'utf8' });
  if (yr.status !== 0) return { kills: 0, bad: [`run of the young files: exit ${yr.status} ${yr.stderr.slice(0, 400)}`] };
  // what prune must remove: every file of a content whose mark is old, and old replies with no mark
  const cutoff = Date.now() - (cfg.retention.processedMarksDays + 1) * 86_400_000;
  let stateBefore = hashed(filesDir);
  const oldFiles = new Set(walk(filesDir).filter((f) => statSync(path.join(filesDir, f)).mtimeMs < cutoff));
  const isOld = (f: string) => oldFiles.has(f);
  const oldMarks = new Set(walk(filesDir).filter((f) => f.endsWith('.json') && isOld(f)).map((f) => path.basename(f).slice(0, 64)));
  const marked = new Set(walk(filesDir).filter((f) => f.endsWith('.json')).map((f) => path.basename(f).slice(0, 64)));
  // an old reply goes alone only with no mark beside it: one that stays keeps its replies
  const goes = (f: string) => oldMarks.has(path.basename(f).slice(0, 64)) || (/\.reply-/.test(f) && isOld(f) && !marked.has(path.basename(f).slice(0, 64)));
  const rest = hashed(out, (f) => f.startsWith('state/files/') || f === 'state/prune-horizon.json' || f.startsWith('state/locks/') || stateLeftover(f));
  // prune, killed
  const faults = faultTally();
  const points = ['after-prune-horizon', 'after-prune-attempt', 'after-prune-reply', IN_TEMP_WRITE];
  let turn = seed;
  let kills = 0;
  let twice = 0;
  // a prune's time, most of it Node's start: the random kills land over the whole of it
  const dry = Date.now();
  spawnSync(process.execPath, [BIN, 'prune', '--out', out, '--config', config, '--dry-run', '-q']);
  let mean = Date.now() - dry;
  const start = (fault?: string) => {
    const env = fault === IN_TEMP_WRITE ? { KILL_IN_TEMP_WRITE: 'prune-horizon', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'test/helpers/kill-in-temp-write.js')}`.trim() } : fault ? { CHORUS_FLUX_FAULT: fault } : {};
    const p = spawn(process.execPath, [BIN, 'prune', '--out', out, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const said = { text: '' };
    p.stdout!.on('data', (d) => (said.text += d));
    p.stderr!.on('data', (d) => (said.text += d));
    return { p, said };
  };
  // state/files/ as the runs left it: each round prunes it again from there, until the kills are spent
  const aged = path.join(dir, 'state-files-aged');
  cpSync(filesDir, aged, { recursive: true, preserveTimestamps: true });
  let rounds = 0;
  let removed = 0;
  for (let attempt = 1; ; attempt++) {
    if (attempt > maxKills + 5 * (rounds + 1)) {
      bad.push('prune never ended');
      break;
    }
    const kill = kills < maxKills;
    const fault = kill && rnd() < 0.4 ? points[turn++ % points.length] : undefined;
    const t0 = Date.now();
    const a = start(fault);
    const b = rnd() < 0.2 ? start() : undefined;
    if (b) twice++;
    if (kill && !fault) {
      const at = Math.floor(mean * (0.5 + 0.6 * rnd()));
      await Promise.race([exited(a.p), sleep(at)]);
      if (a.p.exitCode === null && a.p.signalCode === null) a.p.kill('SIGKILL');
    }
    await Promise.all([exited(a.p), b && exited(b.p)]);
    if (b && b.p.exitCode !== 0) bad.push(`a second prune at once: exit ${b.p.exitCode ?? b.p.signalCode} ${b.said.text.slice(0, 300)}`);
    if (a.p.signalCode === 'SIGKILL') {
      kills++;
      if (fault) faults.hit(fault);
      if (process.env.KILLFUZZ_VERBOSE) log(`prune killed ${fault ? `at ${fault}` : `after ${Date.now() - t0} ms`}: ${walk(filesDir).length} files left in state/files/`);
      continue;
    }
    if (!b) mean = 0.7 * mean + 0.3 * (Date.now() - t0);
    if (a.p.exitCode !== 0) bad.push(`prune: exit ${a.p.exitCode}: ${a.said.text.slice(0, 300)}`);
    rounds++;
    // state/files/: the old contents gone whole, the rest untouched
    const stateAfter = hashed(filesDir);
    removed = 0;
    for (const [f, h] of stateBefore) {
      if (goes(f)) {
        if (stateAfter.has(f)) bad.push(`round ${rounds}: not pruned: state/files/${f}`);
        else removed++;
      } else if (stateAfter.get(f) !== h) bad.push(`round ${rounds}: young file of state/files/ ${stateAfter.has(f) ? 'changed' : 'removed'}: ${f}`);
    }
    for (const f of stateAfter.keys()) if (!stateBefore.has(f)) bad.push(`round ${rounds}: new file in state/files/: ${f}`);
    if (kills >= maxKills || rounds >= 10 || bad.length) break;
    rmSync(filesDir, { recursive: true });
    cpSync(aged, filesDir, { recursive: true, preserveTimestamps: true });
    rmSync(path.join(cfg.paths.state, 'prune-horizon.json'), { force: true }); // written again by the next round: its write killed too
    stateBefore = hashed(filesDir); // a copy's mtimes may lose their fraction of a millisecond
  }
  if (oldMarks.size === 0 || stateBefore.size - removed === 0) bad.push(`nothing to compare: ${oldMarks.size} old marks, ${stateBefore.size - removed} young files`);
  const restAfter = hashed(out, (f) => f.startsWith('state/files/') || f === 'state/prune-horizon.json' || f.startsWith('state/locks/') || stateLeftover(f));
  for (const [f, h] of rest) if (restAfter.get(f) !== h) bad.push(`prune ${restAfter.has(f) ? 'changed' : 'removed'} ${f}`);
  for (const f of restAfter.keys()) if (!rest.has(f)) bad.push(`prune wrote ${f}`);
  const leftByKills = walk(cfg.paths.state).filter(stateLeftover);
  // the same bytes again: pruned ones (new deposits), young ones (already processed)
  const pruned = summary.results.filter((r) => oldMarks.has(r.sha256) && r.outcome !== 'already-processed').map((r) => ({ f: r.file, r: rnd() })).sort((x, y) => x.r - y.r).slice(0, 5).map((x) => x.f);
  const youngAgain = young.filter((f) => !oldMarks.has(sha(files.get(f)!))).map((f) => ({ f, r: rnd() })).sort((x, y) => x.r - y.r).slice(0, 3).map((x) => x.f);
  const againInbox = path.join(dir, 'inbox-again');
  const againName = (f: string) => `${path.dirname(f)}/again-${path.basename(f)}`;
  for (const f of [...pruned, ...youngAgain]) {
    const to = path.join(againInbox, againName(f));
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, files.get(f)!);
    if (f.startsWith(`${MARKED}/`)) writeFileSync(`${to}.done`, '');
  }
  const pivotsBefore = walk(path.join(out, 'pivot'));
  const before = hashed(out, (f) => f.startsWith('state/') || f.startsWith('journal/') || f.startsWith('reports/'));
  // compared as a set: a new writer's journal file may sort before the others
  const oldLines = journal(out);
  const seen = new Set(oldLines.map((l) => JSON.stringify(l)));
  const ar = spawnSync(process.execPath, [BIN, 'run', againInbox, '--out', out, '--config', config, '-q'], { encoding: 'utf8' });
  if (ar.status !== 0) bad.push(`run of the files dropped again: exit ${ar.status} ${ar.stderr.slice(0, 400)}`);
  const lines = journal(out).filter((l) => !seen.has(JSON.stringify(l)));
  let doublons = 0;
  for (const f of pruned) {
    const mine = lines.filter((l) => l.file === againName(f) && (l.event === 'outcome' || l.event === 'already-processed'));
    const first = oldLines.find((l) => l.event === 'outcome' && l.sha256 === sha(files.get(f)!));
    if (mine.length !== 1 || mine[0].event !== 'outcome') {
      bad.push(`${f} pruned then dropped again: ${mine.map((l) => `${l.event} ${l.outcome ?? ''}`).join(', ') || 'no line'}, not a new deposit`);
      continue;
    }
    for (const inv of mine[0].invoices ?? []) {
      const was = first?.invoices?.find((i) => i.key === inv.key || (i.number === inv.number && i.number !== undefined));
      if (!was || !['accepted', 'partial'].includes(was.outcome)) continue;
      doublons++;
      if (inv.outcome !== 'duplicate' || !(mine[0].findings ?? []).some((x) => x.rule === 'CPRO-DOUBLON')) bad.push(`${f} pruned then dropped again: its invoice ${inv.number} ${inv.outcome}, not refused CPRO-DOUBLON`);
    }
  }
  for (const f of youngAgain) {
    const mine = lines.filter((l) => l.file === againName(f) && (l.event === 'outcome' || l.event === 'already-processed'));
    if (mine.length !== 1 || mine[0].event !== 'already-processed') bad.push(`${f} not pruned, dropped again: ${mine.map((l) => `${l.event} ${l.outcome ?? ''}`).join(', ') || 'no line'}, not already-processed`);
  }
  const newPivots = walk(path.join(out, 'pivot')).filter((p) => !pivotsBefore.includes(p));
  if (newPivots.length) bad.push(`pivots emitted again: ${newPivots.join(', ')}`);
  const after = hashed(out, (f) => f.startsWith('state/') || f.startsWith('journal/') || f.startsWith('reports/'));
  for (const [f, h] of before) if (after.get(f) !== h) bad.push(`dropping again ${after.has(f) ? 'replaced' : 'removed'} ${f}`);
  // today's reconciliation: clean, and its sweep of state/ leaves nothing temporary or locked
  const today = readdirSync(path.join(out, 'journal')).map((d) => d.replace(/\.jsonl$/, '')).sort().pop()!;
  const rc = spawnSync(process.execPath, [BIN, 'reconcile', '--date', today, '--out', out, '--config', config, '-q'], { encoding: 'utf8' });
  if (rc.status !== 0) bad.push(`reconcile ${today}: exit ${rc.status} ${rc.stderr.slice(0, 300)} ${existsSync(path.join(out, 'reports', `reconcile-${today}.json`)) ? JSON.stringify(JSON.parse(readFileSync(path.join(out, 'reports', `reconcile-${today}.json`), 'utf8')).anomalies ?? '').slice(0, 600) : ''}`);
  const left = walk(cfg.paths.state).filter(stateLeftover);
  if (left.length) bad.push(`left in state/ after the reconciliation's sweep: ${left.join(', ')}`);
  log(`${rounds} rounds of prune; ${oldMarks.size} old marks, ${removed} files pruned, ${stateBefore.size - removed} young kept; ${twice} times two prunes at once; left by the kills before the sweep: ${leftByKills.join(', ') || 'nothing'}; dropped again: ${pruned.length} pruned (${doublons} invoices accepted then, refused CPRO-DOUBLON now), ${youngAgain.length} young; ${faults.said()}`);
  return { kills, bad };
}

/** The buyer `--kill reprocess`'s refused files name: missing from the routing table at their first run, added before the reprocess. */
const REPRISE_SIRET = '21370261300018';

/** The papeterie fixture's UBL, its buyer a recipient unknown (REPRISE_SIRET) and its number `number`: refused whole, for our routing. */
function unroutedInvoice(number: string): Buffer {
  const xml = readFileSync(path.join(ROOT, 'fixtures/inbox/op-alpha/facture-e1-papeterie.xml'), 'utf8');
  if (!xml.includes('21787789300016') || !xml.includes('<cbc:ID>F-2026-0101</cbc:ID>')) throw new Error('fixtures/inbox/op-alpha/facture-e1-papeterie.xml changed: update unroutedInvoice');
  return Buffer.from(xml.replaceAll('21787789300016', REPRISE_SIRET).replace('<cbc:ID>F-2026-0101</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`));
}

/** The contents a reprocess campaign reopens: 8 to 12 invoices to a buyer not in the routing table, dropped for op-alpha, op-beta and the partner with .done markers. */
function dropReprises(inbox: string, files: Map<string, Buffer | string>, seed: number, rnd: () => number): { file: string; sha: string }[] {
  const partners = ['op-alpha', 'op-beta', MARKED];
  const n = 8 + Math.floor(rnd() * 5);
  const targets: { file: string; sha: string }[] = [];
  for (let k = 1; k <= n; k++) {
    const file = `${partners[k % partners.length]}/reprise-${seed}-${k}.xml`;
    const bytes = unroutedInvoice(`R-${seed}-${k}`);
    writeFileSync(path.join(inbox, file), bytes);
    if (file.startsWith(`${MARKED}/`)) writeFileSync(path.join(inbox, `${file}.done`), '');
    files.set(file, bytes);
    targets.push({ file, sha: sha(bytes) });
  }
  return targets;
}

/**
 * After the first pass: each target's refusal (whole, for its unknown recipient), the first
 * refusal's record (its 93, CDAR 501, error/ copy and .reason.json, byte for byte), and two
 * contents reprocess must refuse: an accepted one, and one partly integrated, a duplicate or a
 * status flow (not a whole refusal).
 */
function firstRefusals(out: string, targets: { file: string; sha: string }[]): { firstLines: Line[]; refusal: Map<string, Line>; firstRecord: Map<string, string>; controls: Line[]; bad: string[] } {
  const firstLines = journal(out);
  const refusal = new Map<string, Line>();
  const bad: string[] = [];
  for (const t of targets) {
    const l = firstLines.find((x) => x.event === 'outcome' && x.sha256 === t.sha);
    if (l?.outcome !== 'refused') bad.push(`${t.file}: ${l?.outcome ?? 'no outcome'} at its first attempt, not refused (unknown recipient)`);
    else refusal.set(t.sha, l);
  }
  const firstRecord = new Map(bad.length ? [] : targets.flatMap((t) => (refusal.get(t.sha)!.outputs ?? []).map((o) => [o.path, sha(readFileSync(path.join(out, o.path)))] as const)));
  const controls = [firstLines.find((l) => l.event === 'outcome' && l.outcome === 'accepted'), firstLines.find((l) => l.event === 'outcome' && ['partial', 'duplicate', 'suspended', 'status-applied'].includes(l.outcome!))].filter((l): l is Line => l !== undefined);
  return { firstLines, refusal, firstRecord, controls, bad };
}

/** The configuration fixed: the reprises' buyer added to the routing table. */
function addRepriseRecipient(config: string): void {
  const cfg = JSON.parse(readFileSync(config, 'utf8'));
  const valmont = cfg.recipients.find((r: { siret: string }) => r.siret === '21787789300016');
  cfg.recipients.push({ ...valmont, siret: REPRISE_SIRET, recepteurId: 'REPR01', name: 'Commune de Reprise', moe: undefined, statusPartner: undefined });
  writeFileSync(config, JSON.stringify(cfg, null, 2));
}

/** The fault points `reprocess` is armed with in turn (inside its copy, then each after-reopen-*), from `seed`, and their tally. */
function reprocessFaultCycle(seed: number) {
  const faults = faultTally();
  const points = [IN_TEMP_WRITE, ...FAULTS.reprocess];
  let turn = seed;
  return { faults, nextFault: () => points[turn++ % points.length] };
}

/** A reprocess's time, most of it Node's start, measured on a content it does not know (exit 1, nothing written): the random kills land over the whole of it. */
function reprocessTimeMs(args: string[]): number {
  const dry = Date.now();
  spawnSync(process.execPath, [BIN, 'reprocess', '0'.repeat(64), '--reason', 'mesure', ...args]);
  return Date.now() - dry;
}

/** A chorus-flux command run in the background, all it says (stdout and stderr) gathered. */
function spawnSaid(args: string[], env: Record<string, string> = {}) {
  const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const said = { text: '' };
  p.stdout!.on('data', (d) => (said.text += d));
  p.stderr!.on('data', (d) => (said.text += d));
  return { p, said };
}

/** The environment of a reprocess killed at `fault`: a fault point, or inside its copy's temp write. */
function armedReprocess(fault: string): Record<string, string> {
  return fault === IN_TEMP_WRITE ? { KILL_IN_TEMP_WRITE: 'reprise-', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'test/helpers/kill-in-temp-write.js')}`.trim() } : { CHORUS_FLUX_FAULT: fault };
}

/**
 * `--kill reprocess`: the corpus plus 8–12 invoices whose buyer is missing from the routing
 * table (REPRISE_SIRET), spread over op-alpha, op-beta and op-delta (doneMarker), processed by
 * `run` (with `--remove` or not: the refused file copied back, or left in the inbox and given a
 * new receipt time), no kill: they are refused whole. Then the recipient is added to the
 * configuration and `chorus-flux reprocess` is run on each (named by its kept original's path,
 * absolute or as trace prints it, its SHA-256 or its name; with `--inbox` or from the run's
 * `start` line), as an operator would: SIGKILLed at a random instant of its run, or armed with
 * one of its fault points (after-reopen-*) or to kill itself inside the copy into the inbox
 * (IN_TEMP_WRITE), and run again until it ends; sometimes beside a second operator on the same
 * file, sometimes beside a `run` of the inbox, or with one between a kill and the next try (which may take the copy before the reprocess is
 * run again: then exit 1, `processed again since`, as documented). Two contents it must refuse
 * (an accepted one, one partly integrated, a duplicate or a status flow) are asked too. Then the final `run`, and:
 * each reopened content accepted once, after its refusal, received with a receipt time of its
 * own (a new flow salt); one `reopened` line each; the first
 * refusal's 93, CDAR, error/ copy and .reason.json as they were; no second copy of it in the
 * inbox nor taken under another name; no temporary file in the inbox; the invariants of `check`
 * (every output journaled, pivots schema-valid, reconcile clean); trace telling the chain; and
 * reprocess once more refused (exit 1), writing nothing.
 */
async function reprocessCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void): Promise<{ kills: number; bad: string[] }> {
  const { inbox, config, files } = corpus(dir, seed, invoices);
  const out = path.join(dir, 'out');
  const rnd = prng(seed * 86028121);
  const remove = rnd() < 0.5;
  const targets = dropReprises(inbox, files, seed, rnd);
  const run = spawnSync(process.execPath, [BIN, 'run', inbox, '--out', out, '--config', config, '-q', ...(remove ? ['--remove'] : [])], { encoding: 'utf8' });
  if (run.status !== 0) return { kills: 0, bad: [`run exit ${run.status}: ${run.stderr.slice(0, 400)}`] };
  const bad: string[] = [];
  const first = firstRefusals(out, targets);
  if (first.bad.length) return { kills: 0, bad: first.bad };
  const { firstLines, refusal, firstRecord, controls } = first;
  // the configuration fixed: the recipient added
  addRepriseRecipient(config);
  const { faults, nextFault } = reprocessFaultCycle(seed);
  let kills = 0;
  let twice = 0;
  let beside = 0;
  let between_ = 0;
  let randomKills = 0;
  let takenMeanwhile = 0;
  let mean = reprocessTimeMs(['--config', config, '--out', out]);
  const armed = armedReprocess;
  const original = (t: { sha: string }) => refusal.get(t.sha)!.outputs!.find((o) => o.kind === 'error')!.path;
  const named = (t: { file: string; sha: string }) => {
    const r = rnd();
    if (!refusal.has(t.sha)) return r < 0.5 ? t.sha : path.basename(t.file); // a control
    return r < 0.25 ? path.join(out, original(t)) : r < 0.5 ? original(t) : r < 0.75 ? (r < 0.62 ? t.sha : t.sha.toUpperCase()) : path.basename(t.file);
  };
  const reprocess = (what: string, reason: string, fault?: string) => spawnSaid(['reprocess', what, '--reason', reason, '--config', config, '--out', out, ...(rnd() < 0.5 ? ['--inbox', inbox] : [])], fault ? armed(fault) : {});
  const taken = new Set<string>();
  for (const t of [...targets, ...controls.map((c) => ({ file: c.file!, sha: c.sha256!, control: true }))]) {
    const control = 'control' in t;
    let runBeside = false;
    for (let attempt = 1; ; attempt++) {
      if (attempt > maxKills + 5) {
        bad.push(`reprocess ${t.file} never ended`);
        break;
      }
      const reason = `SIRET ${REPRISE_SIRET} ajouté aux destinataires (ticket ${seed}-${attempt})`;
      const kill = kills < maxKills && !control && rnd() < 0.8;
      const fault = kill && rnd() < 0.5 ? nextFault() : undefined;
      const t0 = Date.now();
      const a = reprocess(named(t), reason, fault);
      const b = !control && rnd() < 0.15 ? reprocess(named(t), `${reason}, par un second opérateur`) : undefined;
      if (b) twice++;
      const r = !control && rnd() < 0.2 ? spawnSaid(['run', inbox, '--out', out, '--config', config, '-q', ...(remove ? ['--remove'] : [])]) : undefined;
      if (r) [beside, runBeside] = [beside + 1, true];
      if (kill && !fault) {
        const at = Math.floor(mean * (0.3 + 0.8 * rnd()));
        await Promise.race([exited(a.p), sleep(at)]);
        if (a.p.exitCode === null && a.p.signalCode === null) a.p.kill('SIGKILL');
      }
      await Promise.all([exited(a.p), b && exited(b.p), r && exited(r.p)]);
      if (r && r.p.exitCode !== 0) bad.push(`a run beside reprocess ${t.file}: exit ${r.p.exitCode ?? r.p.signalCode} ${r.said.text.slice(0, 300)}`);
      // the copy taken by a run beside it, before this reprocess (or the other) was run again: documented exit 1
      const processedSince = (s: { p: ChildProcess; said: { text: string } }) => runBeside && s.p.exitCode === 1 && /processed again since: .* was accepted/.test(s.said.text);
      if (b && b.p.exitCode !== (control ? 1 : 0) && b.p.signalCode === null && !processedSince(b)) bad.push(`reprocess ${t.file} by a second operator at once: exit ${b.p.exitCode} ${b.said.text.slice(0, 300)}`);
      if (a.p.signalCode === 'SIGKILL') {
        kills++;
        if (fault) faults.hit(fault);
        else randomKills++;
        if (process.env.KILLFUZZ_VERBOSE) log(`reprocess ${t.file} killed ${fault ? `at ${fault}` : `after ${Date.now() - t0} ms`} (attempt ${attempt})`);
        // the nightly run comes before the operator runs it again
        if (rnd() < 0.3) {
          const between = spawnSync(process.execPath, [BIN, 'run', inbox, '--out', out, '--config', config, '-q', ...(remove ? ['--remove'] : [])], { encoding: 'utf8' });
          if (between.status !== 0) bad.push(`a run after a killed reprocess of ${t.file}: exit ${between.status} ${between.stderr.slice(0, 300)}`);
          [between_, runBeside] = [between_ + 1, true];
        }
        continue;
      }
      if (kill && process.env.KILLFUZZ_VERBOSE) log(`reprocess ${t.file} ended before its kill ${fault ? `at ${fault}` : ''} (attempt ${attempt}, ${Date.now() - t0} ms): exit ${a.p.exitCode} ${a.said.text.slice(0, 200)}`);
      if (!b && !r) mean = 0.7 * mean + 0.3 * (Date.now() - t0);
      if (processedSince(a)) takenMeanwhile++;
      else if (a.p.exitCode !== (control ? 1 : 0)) bad.push(`reprocess ${t.file}${control ? ' (to refuse)' : ''}: exit ${a.p.exitCode}, not ${control ? 1 : 0}: ${a.said.text.slice(0, 300)}`);
      if (runBeside) taken.add(t.sha);
      break;
    }
  }
  const fin = spawnSync(process.execPath, [BIN, 'run', inbox, '--out', out, '--config', config, '-q', ...(remove ? ['--remove'] : [])], { encoding: 'utf8' });
  if (fin.status !== 0) bad.push(`final run: exit ${fin.status} ${fin.stderr.slice(0, 400)}`);
  // in time order: a new writer's journal file may sort before the others
  const lines = journal(out).sort((x, y) => x.ts!.localeCompare(y.ts!));
  for (const t of targets) {
    const outcomes = lines.filter((l) => l.event === 'outcome' && l.sha256 === t.sha);
    const said = outcomes.map((l) => `${l.outcome} ${l.file}`).join(', ');
    if (outcomes.length !== 2 || outcomes[0].outcome !== 'refused' || outcomes[1].outcome !== 'accepted') bad.push(`${t.file}: outcomes ${said}, not refused then accepted once`);
    // a new attempt: a receipt time, so a flow salt (flow names, IdFlx), of its own
    const received = lines.filter((l) => l.event === 'received' && l.sha256 === t.sha).map((l) => l.receivedAt);
    if (new Set(received).size !== received.length) bad.push(`${t.file}: received again with the refused attempt's receipt time (${received.join(', ')}): its flow salt`);
    const reopened = lines.filter((l) => l.event === 'reopened' && l.sha256 === t.sha);
    if (reopened.length !== 1) bad.push(`${t.file}: ${reopened.length} reopened lines`);
    // taken again under another name: a second copy was made
    for (const l of lines.filter((x) => (x.event === 'outcome' || x.event === 'already-processed') && x.sha256 === t.sha)) if (l.file !== t.file) bad.push(`${t.file}: taken as ${l.file} (${l.event}): a second copy`);
    const inInbox = walk(inbox).filter((f) => !isMarker(f) && sha(readFileSync(path.join(inbox, f))) === t.sha);
    if (inInbox.length > (remove ? 0 : 1)) bad.push(`${t.file}: in the inbox as ${inInbox.join(', ')}`);
    const tr = spawnSync(process.execPath, [BIN, 'trace', t.sha, '--config', config, '--out', out], { encoding: 'utf8' });
    if (tr.status !== 0 || !/outcome: refused[^]*reopened by \S+ \(chorus-flux reprocess\)[^]*outcome: accepted/.test(tr.stdout)) bad.push(`trace ${t.file}: exit ${tr.status}, not the chain refused, reopened, accepted: ${tr.stdout.slice(0, 600)}`);
  }
  for (const c of controls) if (lines.some((l) => l.event === 'reopened' && l.sha256 === c.sha256)) bad.push(`${c.file} (${c.outcome}): reopened`);
  for (const [p, h] of firstRecord) if (!existsSync(path.join(out, p)) || sha(readFileSync(path.join(out, p))) !== h) bad.push(`the first refusal's ${p} ${existsSync(path.join(out, p)) ? 'changed' : 'gone'}`);
  for (const f of walk(inbox)) if (/\.tmp$|\.tmp-|~$/.test(f) || path.basename(f).startsWith('.')) bad.push(`temporary file left in the inbox: ${f}`);
  bad.push(...check(out, files, path.join(out, 'processing'), config, new Set(targets.map((t) => t.sha))));
  // once more: processed again since, refused; nothing written
  const before = outboxState(out);
  for (const t of targets) {
    const r = spawnSync(process.execPath, [BIN, 'reprocess', t.sha, '--reason', 'encore', '--config', config, '--out', out], { encoding: 'utf8' });
    if (r.status !== 1 || !/processed again since: .* was accepted/.test(r.stdout)) bad.push(`reprocess ${t.file} once more: exit ${r.status} ${(r.stdout + r.stderr).slice(0, 300)}`);
  }
  if (outboxState(out) !== before) bad.push('reprocess once more wrote into the outboxes or the journal');
  log(`${targets.length} reopened (${remove ? 'run --remove: copied back' : 'left in the inbox: new receipt time'}), ${controls.length} refused; ${twice} times by two operators at once, ${beside} times beside a run, ${between_} runs between a kill and the next reprocess (${takenMeanwhile} copies taken before the reprocess ended: exit 1 as documented); ${randomKills} killed at a random instant; ${faults.said()}`);
  return { kills, bad };
}

/**
 * `--kill reprocess-watch`: the reprocess campaign under `watch` and two workers on a Redis of
 * the campaign's own (`--save '' --appendonly no`). The corpus plus 8–12 invoices for an unknown
 * recipient (REPRISE_SIRET), over op-alpha, op-beta and op-delta (doneMarker), dropped into the
 * watched inboxes: the workers refuse them whole. Then the recipient is added to the
 * configuration and the workers restarted with it (SIGTERM, exit 0, started again), and
 * `chorus-flux reprocess` is run on each, as in reprocessCampaign: SIGKILLed at a random instant,
 * at one of its after-reopen-* points or inside its copy into the inbox, and run again until it
 * ends; sometimes beside a second operator on the same file. `watch` and the workers run all the
 * while: the watcher may claim the copy (and a worker accept it) while the reprocess is still
 * finishing or before it is run again (then exit 1, `processed again since`, as documented, or
 * exit 0, `was taken and is being processed`, while the worker holds it). One reopened copy in four, a worker is SIGKILLed
 * while it processes it (0–60 ms after its `received` line) (both workers one time in three; the harness starts them again, as
 * systemd would, and the job is taken again at the next stalled check). Then, everything
 * settled: each reopened content refused then accepted once, one `reopened` line each, a receipt
 * time of its own; the first refusal's flows byte for byte; no second copy, no temporary file in
 * the inbox; `check`'s invariants (processing/ empty, pivots schema-valid, reconcile clean);
 * `jobs`: none failed, nothing waiting; trace telling the chain; reprocess once more refused;
 * the daemons stop on SIGTERM, exit 0.
 */
async function reprocessWatchCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void): Promise<{ kills: number; bad: string[] }> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redisDir = path.join(dir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' });
  for (const end = Date.now() + 20_000; !redisPing(port); await sleep(50)) if (Date.now() > end || redis.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
  const bad: string[] = [];
  try {
    return await reprocessWatchIn(dir, seed, invoices, maxKills, log, url, bad);
  } finally {
    redis.kill('SIGKILL');
    await exited(redis);
  }
}

async function reprocessWatchIn(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void, url: string, bad: string[]): Promise<{ kills: number; bad: string[] }> {
  const { inbox, watched, files, configFile: config, out } = watchedCorpus(dir, seed, invoices, url, `killfuzz-reprocess-watch-${seed}`);
  const rnd = prng(seed * 49979687);
  const targets = dropReprises(inbox, files, seed, rnd);
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  // the daemons: one that exits unasked is said and started again after 500 ms (systemd's Restart=always)
  const names = ['watch', 'worker-1', 'worker-2'];
  const procs: ChildProcess[] = [];
  let stopping = false;
  const byHand = new Set<ChildProcess>();
  let workerKills = 0;
  const start = (k: number, n = 0): ChildProcess => {
    const err = path.join(logs, `${names[k]}-${n}.log`);
    const p = spawn(process.execPath, [BIN, k === 0 ? 'watch' : 'worker', '-c', config, '--metrics-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d) => writeFileSync(err, d, { flag: 'a' }));
    p.stderr!.on('data', (d) => writeFileSync(err, d, { flag: 'a' }));
    p.once('exit', (code, signal) => {
      if (stopping || byHand.has(p)) return;
      if (signal !== 'SIGKILL') bad.push(`${names[k]} exited by itself: ${code ?? signal} (${path.basename(err)})`);
      setTimeout(() => {
        if (!stopping) procs[k] = start(k, n + 1);
      }, 500);
    });
    return p;
  };
  for (let k = 0; k < names.length; k++) procs.push(start(k));
  const stopDaemons = async () => {
    stopping = true;
    for (const p of procs) p.kill('SIGTERM');
    return Promise.all(procs.map(exited));
  };
  await sleep(1500);
  for (const f of walk(inbox).filter((x) => !isMarker(x))) drop(inbox, watched, f, files.get(f)!);
  const jobsNow = (): { counts?: Record<string, number>; failed?: { id: string; file?: string }[]; schedule?: unknown } | undefined => {
    const r = spawnSync(process.execPath, [BIN, 'jobs', '-c', config, '--json', '--limit', '1000'], { encoding: 'utf8' });
    try {
      return JSON.parse(r.stdout);
    } catch {
      return undefined;
    }
  };
  const quiet = (j: ReturnType<typeof jobsNow>) => j !== undefined && ['waiting', 'active', 'delayed'].every((s) => !j.counts?.[s]);
  const settled = (want: (ls: Line[]) => boolean, within: number, what: string) => async () => {
    for (const deadline = Date.now() + within; ; await sleep(1000)) {
      const ls = journal(out, true);
      if (want(ls) && walk(watched).length === 0 && walk(path.join(out, 'processing')).length === 0 && quiet(jobsNow())) return true;
      if (Date.now() > deadline) {
        bad.push(`${what} not settled in ${within / 60_000} min: inbox ${walk(watched).slice(0, 5).join(', ') || 'empty'}, processing/ ${walk(path.join(out, 'processing')).slice(0, 5).join(', ') || 'empty'}, jobs ${JSON.stringify(jobsNow()?.counts)}`);
        return false;
      }
    }
  };
  const shas = [...files.values()].map(sha);
  if (!(await settled((ls) => { const o = new Set(ls.filter((l) => l.event === 'outcome').map((l) => l.sha256)); return shas.every((s) => o.has(s)); }, 10 * 60_000, 'the corpus')())) {
    await stopDaemons();
    return { kills: 0, bad };
  }
  const first = firstRefusals(out, targets);
  if (first.bad.length) {
    bad.push(...first.bad);
    await stopDaemons();
    return { kills: 0, bad };
  }
  const { firstLines, refusal, firstRecord, controls } = first;
  // the configuration fixed, the workers restarted with it (SIGTERM: exit 0)
  addRepriseRecipient(config);
  for (const k of [1, 2]) {
    const p = procs[k];
    byHand.add(p);
    p.kill('SIGTERM');
    const code = await exited(p);
    if (code !== 0) bad.push(`${names[k]} SIGTERMed to take the fixed configuration: exit ${code ?? p.signalCode}`);
    procs[k] = start(k, 50);
  }
  await sleep(1000);
  const { faults, nextFault } = reprocessFaultCycle(seed);
  let kills = 0;
  let twice = 0;
  let randomKills = 0;
  let takenMeanwhile = 0;
  let beingProcessed = 0;
  let takenAgain = 0;
  let killedBefore = 0;
  let mean = reprocessTimeMs(['--config', config]);
  const armed = armedReprocess;
  const original = (t: { sha: string }) => refusal.get(t.sha)!.outputs!.find((o) => o.kind === 'error')!.path;
  const named = (t: { file: string; sha: string }) => {
    const r = rnd();
    if (!refusal.has(t.sha)) return r < 0.5 ? t.sha : path.basename(t.file);
    return r < 0.25 ? path.join(out, original(t)) : r < 0.5 ? original(t) : r < 0.75 ? t.sha : path.basename(t.file);
  };
  // (under watch, the partner's inbox is the configuration's: no --inbox)
  const reprocess = (what: string, reason: string, fault?: string) => spawnSaid(['reprocess', what, '--reason', reason, '--config', config], fault ? armed(fault) : {});
  // the watcher took the copy (and a worker accepted it, or holds it) before this reprocess was run again
  const meanwhile = (s: { p: ChildProcess; said: { text: string } }) => s.p.exitCode === 1 && /processed again since: .* was accepted/.test(s.said.text);
  // a worker SIGKILLed while it processes a reopened copy
  // (once a worker journaled `received` for the copy: it is processing it; killed before the new outcome: a hit)
  const receipts = (s: string) => journal(out, true).filter((l) => l.event === 'received' && l.sha256 === s).length;
  const killedAt = new Map<string, string>();
  const killWorkerOn = async (t: { file: string; sha: string }) => {
    for (const end = Date.now() + 20_000; receipts(t.sha) < 2 && Date.now() < end; await sleep(10));
    if (receipts(t.sha) < 2) return;
    await sleep(Math.floor(rnd() * 60));
    const which = rnd() < 1 / 3 ? [1, 2] : [1 + Math.floor(rnd() * 2)];
    for (const k of which) procs[k].kill('SIGKILL');
    killedAt.set(t.sha, new Date().toISOString());
    workerKills += which.length;
    if (process.env.KILLFUZZ_VERBOSE) log(`${which.map((k) => names[k]).join(' and ')} SIGKILLed on the reopened ${t.file}`);
  };
  for (const t of [...targets, ...controls.map((c) => ({ file: c.file!, sha: c.sha256!, control: true }))]) {
    const control = 'control' in t;
    const killWorker = !control && rnd() < 0.25;
    let watching: Promise<void> | undefined;
    for (let attempt = 1; ; attempt++) {
      if (attempt > maxKills + 5) {
        bad.push(`reprocess ${t.file} never ended`);
        break;
      }
      const reason = `SIRET ${REPRISE_SIRET} ajouté aux destinataires (ticket ${seed}-${attempt})`;
      const kill = kills < maxKills && !control && rnd() < 0.8;
      const fault = kill && rnd() < 0.5 ? nextFault() : undefined;
      const t0 = Date.now();
      const a = reprocess(named(t), reason, fault);
      const b = !control && rnd() < 0.15 ? reprocess(named(t), `${reason}, par un second opérateur`) : undefined;
      if (b) twice++;
      if (killWorker && !watching) watching = killWorkerOn(t);
      if (kill && !fault) {
        const at = Math.floor(mean * (0.3 + 0.8 * rnd()));
        await Promise.race([exited(a.p), sleep(at)]);
        if (a.p.exitCode === null && a.p.signalCode === null) a.p.kill('SIGKILL');
      }
      await Promise.all([exited(a.p), b && exited(b.p)]);
      if (b && b.p.exitCode !== (control ? 1 : 0) && b.p.signalCode === null && !meanwhile(b)) bad.push(`reprocess ${t.file} by a second operator at once: exit ${b.p.exitCode} ${b.said.text.slice(0, 300)}`);
      if (a.p.signalCode === 'SIGKILL') {
        kills++;
        if (fault) faults.hit(fault);
        else randomKills++;
        if (process.env.KILLFUZZ_VERBOSE) log(`reprocess ${t.file} killed ${fault ? `at ${fault}` : `after ${Date.now() - t0} ms`} (attempt ${attempt})`);
        // the operator comes back after a moment, or at once
        await sleep(rnd() < 0.5 ? Math.floor(rnd() * 3000) : 0);
        continue;
      }
      if (!b) mean = 0.7 * mean + 0.3 * (Date.now() - t0);
      if (/was taken and is being processed/.test(a.said.text)) beingProcessed++;
      if (!control && meanwhile(a)) takenMeanwhile++;
      else if (a.p.exitCode !== (control ? 1 : 0)) bad.push(`reprocess ${t.file}${control ? ' (to refuse)' : ''}: exit ${a.p.exitCode}, not ${control ? 1 : 0}: ${a.said.text.slice(0, 300)}`);
      break;
    }
    await watching;
  }
  // a worker killed on the last copy is started again 500 ms later: up (its SIGTERM handler set) before the settling and the stop
  const down = () => procs.map((p, k) => (p.exitCode === null && p.signalCode === null ? '' : names[k])).filter(Boolean);
  for (const end = Date.now() + 5000; down().length && Date.now() < end; await sleep(100));
  await sleep(3000);
  const accepted = (ls: Line[]) => targets.every((t) => ls.some((l) => l.event === 'outcome' && l.sha256 === t.sha && l.outcome === 'accepted'));
  await settled(accepted, 5 * 60_000, 'the reopened files')();
  const j = jobsNow();
  if (!j) bad.push('jobs: no answer');
  else {
    if (j.failed?.length) bad.push(`jobs: ${j.failed.length} failed: ${JSON.stringify(j.failed).slice(0, 400)}`);
    if (!j.schedule) bad.push('jobs: the nightly reconciliation is not scheduled');
  }
  if (down().length) bad.push(`not running at the end: ${down().join(', ')}`);
  const codes = await stopDaemons();
  if (codes.some((c) => c !== 0)) bad.push(`exit codes after SIGTERM: ${codes.join(',')}`);
  const lines = journal(out).sort((x, y) => x.ts!.localeCompare(y.ts!));
  for (const t of targets) {
    const outcomes = lines.filter((l) => l.event === 'outcome' && l.sha256 === t.sha);
    if (outcomes.length !== 2 || outcomes[0].outcome !== 'refused' || outcomes[1].outcome !== 'accepted') bad.push(`${t.file}: outcomes ${outcomes.map((l) => `${l.outcome} ${l.file}`).join(', ')}, not refused then accepted once`);
    // the new attempt's receipt time its own (a worker killed on it and its job taken again journals `received` again, with that same time)
    const reopened = lines.filter((l) => l.event === 'reopened' && l.sha256 === t.sha);
    const firstAt = new Set(lines.filter((l) => l.event === 'received' && l.sha256 === t.sha && l.ts! <= outcomes[0]?.ts!).map((l) => l.receivedAt));
    const again = lines.filter((l) => l.event === 'received' && l.sha256 === t.sha && l.ts! > outcomes[0]?.ts!).map((l) => l.receivedAt);
    if (firstAt.size !== 1 || !again.length || again.some((r) => firstAt.has(r))) bad.push(`${t.file}: received with the refused attempt's receipt time, or not received again (${[...firstAt].join(', ')} then ${again.join(', ')})`);
    if (again.length > 1) takenAgain++;
    if (killedAt.has(t.sha) && outcomes[1]?.ts! > killedAt.get(t.sha)!) killedBefore++;
    if (reopened.length !== 1) bad.push(`${t.file}: ${reopened.length} reopened lines`);
    for (const l of lines.filter((x) => (x.event === 'outcome' || x.event === 'already-processed') && x.sha256 === t.sha)) if (l.file !== t.file) bad.push(`${t.file}: taken as ${l.file} (${l.event}): a second copy`);
    const tr = spawnSync(process.execPath, [BIN, 'trace', t.sha, '--config', config], { encoding: 'utf8' });
    if (tr.status !== 0 || !/outcome: refused[^]*reopened by \S+ \(chorus-flux reprocess\)[^]*outcome: accepted/.test(tr.stdout)) bad.push(`trace ${t.file}: exit ${tr.status}, not the chain refused, reopened, accepted: ${tr.stdout.slice(0, 600)}`);
  }
  for (const c of controls) if (lines.some((l) => l.event === 'reopened' && l.sha256 === c.sha256)) bad.push(`${c.file} (${c.outcome}): reopened`);
  for (const [p, h] of firstRecord) if (!existsSync(path.join(out, p)) || sha(readFileSync(path.join(out, p))) !== h) bad.push(`the first refusal's ${p} ${existsSync(path.join(out, p)) ? 'changed' : 'gone'}`);
  for (const f of walk(watched)) bad.push(`left in the inbox: ${f}`);
  bad.push(...check(out, files, path.join(out, 'processing'), config, new Set(targets.map((t) => t.sha))));
  const before = outboxState(out);
  for (const t of targets) {
    const r = spawnSync(process.execPath, [BIN, 'reprocess', t.sha, '--reason', 'encore', '--config', config], { encoding: 'utf8' });
    if (r.status !== 1 || !/processed again since: .* was accepted/.test(r.stdout)) bad.push(`reprocess ${t.file} once more: exit ${r.status} ${(r.stdout + r.stderr).slice(0, 300)}`);
  }
  if (outboxState(out) !== before) bad.push('reprocess once more wrote into the outboxes or the journal');
  log(`${targets.length} reopened under watch, ${controls.length} refused; ${twice} times by two operators at once; ${takenMeanwhile} copies accepted (exit 1 as documented) and ${beingProcessed} held by a worker (exit 0, being processed) before the reprocess was run again; ${workerKills} workers SIGKILLed on ${killedAt.size} reopened copies (${killedBefore} before the copy's outcome, ${takenAgain} received again by the next worker); ${randomKills} reprocess killed at a random instant; ${faults.said()}`);
  return { kills, bad };
}

/** A report with what differs from one run to the next taken out: its time, the "day so far" note, and the note of temp files a killed run left (swept by the next). */
function reportGist(json: string): string {
  const r = JSON.parse(json) as { asOf?: string; notes: string[] };
  delete r.asOf;
  r.notes = r.notes.filter((n) => !/^Removed \d+ temporary or lock file/.test(n) && !/ is today: this is the day so far/.test(n));
  return JSON.stringify(r);
}

/**
 * `--kill reconcile`: `run` processes the corpus unkilled, `reconcile --date <the day>` is run
 * once unkilled into a folder of its own (the reference), then `reconcile` is SIGKILLed again
 * and again: at a random instant (0.4 to 1.1 times its mean time, most of it Node's start), or one
 * run in three inside the atomic write of one of its three reports (`kill-in-temp-write.js`, the
 * CSV, the HTML or the JSON), one run in three from no report at all (the day's first write), one
 * in six beside a second `reconcile` of the same day (the nightly job and an operator). After each
 * kill (every other campaign, seeds even, with a pivot removed from its outbox first: a day with
 * anomalies, exit 1), each report under its final name is whole: the JSON and the CSV as the reference's (the
 * JSON less its time and notes of the run), the HTML ended. A run that ends must exit as the
 * reference did, its reports written. Then a last `reconcile`, unkilled: the same exit code and
 * summary line (CLEAN stays CLEAN), the same reports, and no temporary file left in reports/,
 * state/ or the day's archive/ and error/ (it sweeps them).
 */
async function reconcileCampaign(dir: string, seed: number, invoices: number, maxKills: number, log: (s: string) => void): Promise<{ kills: number; bad: string[] }> {
  const { inbox, config, files } = corpus(dir, seed, invoices);
  const out = path.join(dir, 'out');
  const run = spawnSync(process.execPath, [BIN, 'run', inbox, '--out', out, '--config', config, '-q'], { encoding: 'utf8' });
  if (run.status !== 0) return { kills: 0, bad: [`run exit ${run.status}: ${run.stderr.slice(0, 400)}`] };
  const bad: string[] = [...check(out, files, path.join(out, 'processing'), config)];
  const days = readdirSync(path.join(out, 'journal')).filter((d) => /^\d{4}-\d\d-\d\d$/.test(d)).sort();
  const date = days[days.length - 1];
  const reports = path.join(out, 'reports');
  const names = ['csv', 'html', 'json'].map((k) => `reconcile-${date}.${k}`);
  const rnd = prng(seed * 15485863);
  // every other campaign, a day with anomalies (ANOMALIES must stay ANOMALIES, exit 1): a pivot gone from its outbox
  const pivots = seed % 2 === 0 ? walk(path.join(out, 'pivot')).filter((f) => !path.basename(f).startsWith('.')) : [];
  const removed = pivots.length ? pivots[Math.floor(rnd() * pivots.length)] : undefined;
  if (removed) rmSync(path.join(out, 'pivot', removed));
  // the reports check() wrote: of the day before that removal
  for (const n of names) rmSync(path.join(reports, n), { force: true });
  const reconcile = (reportDir?: string, env: Record<string, string> = {}) => {
    const p = spawn(process.execPath, [BIN, 'reconcile', '--date', date, '--config', config, ...(reportDir ? ['--reports', reportDir] : [])], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const said = { text: '' };
    p.stdout!.on('data', (d) => (said.text += d));
    p.stderr!.on('data', (d) => (said.text += d));
    return { p, said };
  };
  const reference = path.join(dir, 'reference');
  const t0 = Date.now();
  const ref = reconcile(reference);
  const refExit = await exited(ref.p);
  if (refExit !== 0 && refExit !== 1) return { kills: 0, bad: [...bad, `reconcile (the reference): exit ${refExit} ${ref.said.text.slice(0, 300)}`] };
  const refHead = ref.said.text.split('\n')[0];
  const refJson = reportGist(readFileSync(path.join(reference, names[2]), 'utf8'));
  const refCsv = readFileSync(path.join(reference, names[0]));
  // the reports under their final names: the reference's, or not there
  const whole = (when: string) => {
    for (const n of names) {
      const f = path.join(reports, n);
      if (!existsSync(f)) continue;
      const text = readFileSync(f, 'utf8');
      if (n.endsWith('.json')) {
        let gist: string | undefined;
        try {
          gist = reportGist(text);
        } catch (e) {
          bad.push(`${when}: ${n} torn (${(e as Error).message}, ${text.length} bytes)`);
        }
        if (gist !== undefined && gist !== refJson) bad.push(`${when}: ${n} is not the reference's`);
      } else if (n.endsWith('.csv') && !refCsv.equals(Buffer.from(text))) bad.push(`${when}: ${n} is not the reference's (${text.length} bytes, ${refCsv.length})`);
      else if (n.endsWith('.html') && !/<\/html>\s*$/.test(text)) bad.push(`${when}: ${n} torn (${text.length} bytes)`);
    }
  };
  let mean = Date.now() - t0;
  let kills = 0;
  let inWrite = 0;
  let fresh = 0;
  let twice = 0;
  let ended = 0;
  for (let attempt = 1; kills < maxKills; attempt++) {
    if (attempt > maxKills * 3 + 10) {
      bad.push(`only ${kills} kills in ${attempt - 1} runs`);
      break;
    }
    if (rnd() < 1 / 3) {
      for (const n of names) rmSync(path.join(reports, n), { force: true });
      fresh++;
    }
    const which = rnd() < 1 / 3 ? names[Math.floor(rnd() * 3)] : undefined;
    const t = Date.now();
    const a = reconcile(undefined, which ? { KILL_IN_TEMP_WRITE: `/reports/\\.${which.replace(/\./g, '\\.')}\\.`, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'test/helpers/kill-in-temp-write.js')}`.trim() } : {});
    const b = rnd() < 1 / 6 ? reconcile() : undefined;
    if (b) twice++;
    if (!which) {
      await Promise.race([exited(a.p), sleep(Math.floor(mean * (0.4 + 0.7 * rnd())))]);
      if (a.p.exitCode === null && a.p.signalCode === null) a.p.kill('SIGKILL');
    }
    await Promise.all([exited(a.p), b && exited(b.p)]);
    if (b && b.p.exitCode !== refExit) bad.push(`a second reconcile beside one killed: exit ${b.p.exitCode ?? b.p.signalCode} ${b.said.text.slice(0, 300)}`);
    if (a.p.signalCode === 'SIGKILL') {
      kills++;
      if (which) inWrite++;
      whole(`after a kill ${which ? `inside the write of ${which}` : `at ${Date.now() - t} ms`}`);
      continue;
    }
    ended++;
    if (!b) mean = 0.7 * mean + 0.3 * (Date.now() - t);
    if (a.p.exitCode !== refExit) bad.push(`reconcile not killed: exit ${a.p.exitCode}, not ${refExit}: ${a.said.text.slice(0, 300)}`);
    for (const n of names) if (!existsSync(path.join(reports, n))) bad.push(`reconcile exit ${a.p.exitCode} (${a.said.text.split('\n')[0]}), ${n} not written`);
    whole('after a reconcile that ended');
  }
  const last = reconcile();
  const lastExit = await exited(last.p);
  if (lastExit !== refExit || last.said.text.split('\n')[0] !== refHead) bad.push(`the last reconcile: exit ${lastExit}, "${last.said.text.split('\n')[0]}"; the reference: exit ${refExit}, "${refHead}"`);
  for (const n of names) if (!existsSync(path.join(reports, n))) bad.push(`the last reconcile left no ${n}`);
  whole('after the last reconcile');
  for (const f of walk(out)) if (/(^|\/)\.[^/]*\.tmp$/.test(f) && (f.startsWith('reports/') || f.startsWith('state/') || f.startsWith(`archive/${date}/`) || f.startsWith(`error/${date}/`))) bad.push(`temporary file left after the last reconcile: ${f}`);
  log(`${date}${removed ? ` (pivot/${removed} removed)` : ''}: reference exit ${refExit} (${refHead}); ${kills} reconcile killed (${inWrite} inside a report's write, ${kills - inWrite} at random instants), ${ended} ended before their kill, ${fresh} runs from no report, ${twice} beside a second reconcile`);
  return { kills, bad };
}

/** The campaigns where an operator's command is killed, by `--kill` value. */
const OPERATOR_CAMPAIGNS: Record<string, (dir: string, seed: number, invoices: number, kills: number, log: (s: string) => void) => Promise<{ kills: number; bad: string[] }>> = {
  reject: rejectCampaign,
  'set-aside': setAsideCampaign,
  'retry-cycle': (d, s, i, k, l) => setAsideCampaign(d, s, i, k, l, true),
  prune: pruneCampaign,
  reprocess: reprocessCampaign,
  'reprocess-watch': reprocessWatchCampaign,
  reconcile: reconcileCampaign,
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { mode: { type: 'string', default: 'run' }, kill: { type: 'string', default: 'process' }, campaigns: { type: 'string', default: '5' }, seed: { type: 'string', default: '1' }, invoices: { type: 'string', default: '300' }, kills: { type: 'string', default: '12' }, watchers: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } } });
  const root = positionals[0];
  if (!root) throw new Error('usage: killfuzz <dir> [--mode run|watch | --kill redis|redis-freeze [--watchers 2] | --kill reject | --kill set-aside | --kill retry-cycle | --kill prune | --kill reprocess | --kill reprocess-watch | --kill reconcile] [--campaigns 5] [--seed 1] [--invoices 300] [--kills 12] [--keep]');
  let failed = 0;
  let totalKills = 0;
  for (let c = 0; c < Number(values.campaigns); c++) {
    const seed = Number(values.seed) + c;
    const onRedis = values.kill === 'redis' || values.kill === 'redis-freeze';
    const dir = path.join(root, `${onRedis || Object.hasOwn(OPERATOR_CAMPAIGNS, values.kill as string) ? values.kill : values.mode}-${seed}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const t0 = Date.now();
    const log = (s: string) => console.log(`  [seed ${seed}] ${s}`);
    const operator = Object.hasOwn(OPERATOR_CAMPAIGNS, values.kill as string) ? OPERATOR_CAMPAIGNS[values.kill as string] : undefined;
    const r = onRedis ? await redisCampaign(dir, seed, Number(values.invoices), Number(values.kills), log, Number(values.watchers), values.kill === 'redis-freeze') : await (operator ?? (values.mode === 'watch' ? watchCampaign : runCampaign))(dir, seed, Number(values.invoices), Number(values.kills), log);
    totalKills += r.kills;
    console.log(`seed ${seed}: ${r.kills} kills, ${r.bad.length ? `${r.bad.length} BROKEN` : 'clean'} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    for (const b of r.bad.slice(0, 30)) console.log(`  ${b}`);
    if (r.bad.length) failed++;
    else if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${values.campaigns} campaigns, ${totalKills} kills, ${failed} broken`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) void main();
