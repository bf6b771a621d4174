/**
 * Builds days for the reconciliation tests by really running the pipeline (runEmbedded /
 * processFile with createDeps and a fixed clock per batch), on the fixtures and on files
 * derived from them. Several writers (one per batch, as several machines would be).
 *
 * The pipeline writes its outputs at the machine's real time; after each batch the mtime of
 * what it wrote under pivot/, statut/, cdar/ is moved to the batch's clock time, so the tree
 * looks like the simulated day's (the reconciliation finds orphans in those folders by mtime).
 * Inbound files get an mtime on the day too (archive/<day>/ and error/<day>/ follow it).
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configFromObject, type Config } from '../../src/config/config';
import type { JournalOutput } from '../../src/journal/events';
import { Outbox } from '../../src/emit/outbox';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded, type RunSummary } from '../../src/runner/embedded';
import { processFile, type FileResult } from '../../src/runner/process-file';
import { fixedClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';

export const DAY = '2026-03-10';
export const NEXT_DAY = '2026-03-11';
/** Paris is UTC+1 in March before the switch to summer time */
export const at = (day: string, hhmm: string) => `${day}T${hhmm}:00+01:00`;

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const LYCEE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
export const SUPPLIER = '99746507500015';
export const VALMONT = '21787789300016';

/** The bundled example configuration, with partner inboxes under `root/sftp/` and no Factur-X (faster). */
export function dayConfigObject(root: string): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8')) as Record<string, any>;
  for (const p of raw.partners) if (p.inbox) p.inbox = path.join(root, 'sftp', p.id);
  raw.facturx = { enabled: false, profile: 'EN 16931' };
  // the days are built by dating each upload with its mtime, as a client preserving timestamps would
  raw.receiptTime = 'mtime';
  delete raw.paths;
  return raw;
}

export function dayConfig(root: string, out: string): Config {
  return configFromObject(dayConfigObject(root), root, '(reconcile test)', { out });
}

export function writeConfigFile(root: string): string {
  const file = path.join(root, 'config.json');
  writeFileSync(file, JSON.stringify(dayConfigObject(root), null, 2));
  return file;
}

function setTime(file: string, iso: string): void {
  const t = new Date(iso);
  utimesSync(file, t, t);
}

/** Drops a file into a batch inbox (<inbox>/<partner>/<name>) with an upload time. */
export function drop(inbox: string, partner: string, name: string, content: string | Buffer, uploadedAt: string): string {
  const dir = path.join(inbox, partner);
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  writeFileSync(f, content);
  setTime(f, uploadedAt);
  return f;
}

export function dropFixture(inbox: string, rel: string, uploadedAt: string, as?: string): string {
  const [partner, name] = rel.split('/');
  return drop(inbox, partner, as ?? name, readFileSync(path.join(FIXTURES_INBOX, rel)), uploadedAt);
}

function outputFiles(out: string): Set<string> {
  const found = new Set<string>();
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else found.add(p);
    }
  };
  for (const k of ['pivot', 'statut', 'cdar']) walk(path.join(out, k));
  return found;
}

/** Moves the mtime of the outputs written since `before` to `iso`. */
function settle(out: string, before: Set<string>, iso: string): void {
  for (const f of outputFiles(out)) if (!before.has(f)) setTime(f, iso);
}

/** One batch: runEmbedded over `inbox` as writer `writer`, the clock fixed at `iso`. */
export async function batch(config: Config, inbox: string, writer: string, iso: string): Promise<RunSummary> {
  const before = outputFiles(config.paths.out);
  const deps = createDeps(config, { logger: createLogger({ level: 'silent' }), clock: fixedClock(iso), journalWriterId: writer });
  const s = await runEmbedded({ inbox, deps, concurrency: 1 }); // one at a time: IdCPRO order is reproducible
  settle(config.paths.out, before, iso);
  return s;
}

/** An outbox whose pivots cannot be written: the machine crashes in the middle of a file. */
class FailingOutbox extends Outbox {
  override async writePivot(): Promise<JournalOutput> {
    throw new Error('No space left on device (simulated)');
  }
}

/**
 * processFile on one file with an outbox that fails: `received` is journaled, no outcome —
 * as a worker that dies in the middle. The file stays where it is.
 */
export async function crashOn(config: Config, file: { path: string; relPath: string; partner: string }, writer: string, iso: string): Promise<Error> {
  const deps = createDeps(config, { logger: createLogger({ level: 'silent' }), clock: fixedClock(iso), journalWriterId: writer });
  deps.outbox = new FailingOutbox(config.paths.out);
  try {
    await processFile(deps, { path: file.path, name: path.basename(file.path), relPath: file.relPath, partner: file.partner });
    throw new Error('expected the simulated crash');
  } catch (e) {
    return e as Error;
  } finally {
    await deps.journal.close();
  }
}

export function papeterie(number: string, buyerReference = 'FINANCES'): string {
  return PAPETERIE.replace('<cbc:ID>F-2026-0101</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`).replace('<cbc:BuyerReference>FINANCES</cbc:BuyerReference>', `<cbc:BuyerReference>${buyerReference}</cbc:BuyerReference>`);
}

export function lyceeWithoutEngagement(number = 'A-2026-0007'): string {
  return LYCEE.replace(/\s*<cac:OrderReference>\s*<cbc:ID>BC-LYC-2026-112<\/cbc:ID>\s*<\/cac:OrderReference>/, '').replace('<cbc:ID>A-2026-0007</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`);
}

export interface BuiltDay {
  root: string;
  out: string;
  config: Config;
  batches: Record<string, RunSummary>;
  /** the file a worker crashed on late on the day and another finished after midnight */
  retried: { relPath: string; sha256: string };
  result(file: string): FileResult;
}

/**
 * A clean day, 2026-03-10, on four writers:
 *  - node-a 08:15 — op-alpha (accepted, refused, works invoice to the MOE, a credit note
 *    suspended for its missing engagement number) and op-gamma (six broken files, refused);
 *  - node-b 11:40 — op-beta (accepted, partial), the credit note completed (Renvoi Complétée),
 *    the finance SI of Valmont asks to recycle F-2026-0101 (04) and suspends F-2026-0102 (06);
 *  - node-c 16:05 — F-2026-0101 corrected (Renvoi Recyclée), the same invoice again in
 *    another file (DOUBLON), and copies of node-a's files (already processed);
 *  - node-x 22:50 crashes on op-beta/retry.xml after journaling `received`; node-y finishes it
 *    on 2026-03-11 at 00:20 (outcome on the next day, by another writer).
 */
export async function buildCleanDay(): Promise<BuiltDay> {
  const root = tempDir('cf-reconcile-');
  const out = path.join(root, 'out');
  mkdirSync(out, { recursive: true });
  const config = dayConfig(root, out);
  const up = at(DAY, '07:30');
  const batches: Record<string, RunSummary> = {};

  const a = path.join(root, 'inbox-a');
  for (const f of ['op-alpha/facture-e1-papeterie.xml', 'op-alpha/destinataire-inconnu.xml', 'op-alpha/decompte-travaux-a4.xml']) dropFixture(a, f, up);
  for (const f of readdirSync(path.join(FIXTURES_INBOX, 'op-gamma'))) dropFixture(a, `op-gamma/${f}`, up);
  drop(a, 'op-alpha', 'avoir-sans-engagement.xml', lyceeWithoutEngagement(), up);
  drop(a, 'op-alpha', 'facture-0102.xml', papeterie('F-2026-0102'), up);
  batches.a = await batch(config, a, 'node-a', at(DAY, '08:15'));

  const b = path.join(root, 'inbox-b');
  for (const f of readdirSync(path.join(FIXTURES_INBOX, 'op-beta'))) dropFixture(b, `op-beta/${f}`, at(DAY, '11:00'));
  dropFixture(b, 'op-alpha/avoir-e1-lycee.xml', at(DAY, '11:05'));
  drop(b, 'si-valmont', 'statut-recycler.xml', siStatusFlow('SI-R-0001', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '04', idFacture: 'F-2026-0101', commentaire: 'Code service erroné : utiliser SCOLAIRE', horodatage: at(DAY, '11:09') }]), at(DAY, '11:10'));
  drop(b, 'si-valmont', 'statut-suspendre.xml', siStatusFlow('SI-S-0002', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '06', idFacture: 'F-2026-0102', commentaire: 'Bon de livraison manquant', horodatage: at(DAY, '11:11') }]), at(DAY, '11:12'));
  batches.b = await batch(config, b, 'node-b', at(DAY, '11:40'));

  const c = path.join(root, 'inbox-c');
  drop(c, 'op-alpha', 'facture-corrigee.xml', papeterie('F-2026-0101', 'SCOLAIRE'), at(DAY, '15:50'));
  drop(c, 'op-beta', 'facture-renvoyee.xml', `${papeterie('F-2026-0101', 'SCOLAIRE')}\n<!-- renvoi -->\n`, at(DAY, '15:55'));
  for (const f of ['op-alpha/facture-e1-papeterie.xml', 'op-gamma/vide.xml']) dropFixture(c, f, at(DAY, '15:58'));
  batches.c = await batch(config, c, 'node-c', at(DAY, '16:05'));

  const x = path.join(root, 'inbox-x');
  const retryPath = drop(x, 'op-beta', 'retry.xml', papeterie('F-2026-0150'), at(DAY, '22:45'));
  await crashOn(config, { path: retryPath, relPath: 'op-beta/retry.xml', partner: 'op-beta' }, 'node-x', at(DAY, '22:50'));
  batches.y = await batch(config, x, 'node-y', at(NEXT_DAY, '00:20'));
  const retried = batches.y.results.find((r) => r.file === 'op-beta/retry.xml');
  if (!retried) throw new Error('retry not processed');

  const all = Object.values(batches).flatMap((s) => s.results);
  return {
    root,
    out,
    config,
    batches,
    retried: { relPath: 'op-beta/retry.xml', sha256: retried.sha256 },
    result(file: string) {
      const r = all.filter((x) => x.file === file && x.outcome !== 'already-processed').pop();
      if (!r) throw new Error(`no result for ${file}`);
      return r;
    },
  };
}

/** A copy of a built day's root (the output tree, the state, the inboxes) to damage. */
export function copyDay(day: BuiltDay): BuiltDay {
  const root = tempDir('cf-reconcile-copy-');
  cpSync(day.root, root, { recursive: true, preserveTimestamps: true });
  const out = path.join(root, 'out');
  return { ...day, root, out, config: dayConfig(root, out) };
}

export { copyFileSync, setTime };

/**
 * A day with one of each kind of damage, for the HTML report and its screenshot: a pivot
 * duplicated, an output altered, an archived original deleted, a worker dead on a file left
 * in processing, a stray status flow, a suspended invoice forgotten for 40 days.
 */
export async function damageForSample(day: BuiltDay): Promise<void> {
  const fs = { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync };
  const out = day.out;
  const p0102 = day.result('op-alpha/facture-0102.xml').outputs.find((o) => o.kind === 'pivot')!;
  const dup = path.posix.join(path.posix.dirname(p0102.path), 'FEN0036A_CFX001_CFX000DUPLICATE00000000.xml');
  fs.copyFileSync(path.join(out, p0102.path), path.join(out, dup));
  setTime(path.join(out, dup), at(DAY, '12:00'));

  const hop = day.result('op-beta/facture-cii-hopital.xml').outputs.find((o) => o.kind === 'pivot')!;
  const hopFile = path.join(out, hop.path);
  fs.writeFileSync(hopFile, fs.readFileSync(hopFile, 'utf8').replace(/<MontantTTC>[^<]*</, '<MontantTTC>1.00<'));

  const archived = day.result('op-alpha/decompte-travaux-a4.xml').outputs.find((o) => o.kind === 'archive')!;
  fs.rmSync(path.join(out, archived.path));

  const claimed = path.join(day.config.paths.processing, 'op-beta', 'lxk2m9-a1b2c3d4e5__facture-0160.xml');
  fs.mkdirSync(path.dirname(claimed), { recursive: true });
  fs.writeFileSync(claimed, papeterie('F-2026-0160'));
  setTime(claimed, at(DAY, '09:00'));
  await crashOn(day.config, { path: claimed, relPath: 'op-beta/facture-0160.xml', partner: 'op-beta' }, 'node-z', at(DAY, '09:05'));

  const refused = day.result('op-alpha/destinataire-inconnu.xml').outputs.find((o) => o.kind === 'statut')!;
  const stray = path.join(out, 'statut/op-alpha/FEN1200A_CFX001_CFX0000ORPHAN000000000.xml');
  fs.writeFileSync(stray, fs.readFileSync(path.join(out, refused.path), 'utf8').replace(/CFX[0-9A-F]{21}/, 'CFX0000ORPHAN000000000'));
  setTime(stray, at(DAY, '13:00'));

  const old = '2026-01-29';
  const inbox = path.join(day.root, 'inbox-old');
  drop(inbox, 'op-alpha', 'avoir-0042.xml', lyceeWithoutEngagement('A-2026-0042'), at(old, '09:00'));
  await batch(day.config, inbox, 'node-old', at(old, '09:30'));
}
