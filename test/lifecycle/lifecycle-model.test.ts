/**
 * Random, seeded sequences of lifecycle events over a handful of invoice keys (three suppliers'
 * worth: the Papeterie's invoices to Valmont, its credit notes to the Lycée, which requires an
 * engagement number, and La Poste's multi-invoice pivots), each step real files in an inbox
 * processed by `run` (in process, or now and then by the command line in a new process that
 * reads the state from disk), checked against the reference model of test/helpers/lifecycle-model.ts:
 * every file's journal outcome and its invoices' outcomes, the IdCPRO (new, never another key's,
 * kept across completion and recycling), the pivot units (Renvoi), the status flows (codes, to
 * whom), `reject`'s exit code; at the end the output oracle (official XSDs) and `reconcile` clean.
 *
 * Two seeds here; more by hand: LIFECYCLE_MODEL_SEEDS=200 npx jest test/lifecycle/lifecycle-model
 * (or LIFECYCLE_MODEL_SEED=1234 for one; LIFECYCLE_MODEL_FIRST the first seed, LIFECYCLE_MODEL_STEPS
 * the steps of each). A failure names its seed and step.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config';
import path from 'node:path';
import { prng } from '../../bench/generate';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { depositFileOutcome, onDeposit, onOperatorReject, onSiStatus, SI_CODES, siMay, type DepositVariant, type KeyModel, type SiCode } from '../helpers/lifecycle-model';
import { journalOutcomes, outputOracle } from '../helpers/output-oracle';
import { FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { withAttachments } from '../helpers/ubl-attachments';
import { siStatusFlow } from '../helpers/statut';

type Family = 'valmont' | 'lycee' | 'laposte';
interface Key {
  name: string;
  family: Family;
  number: string;
  supplier: string;
  buyer: string;
  date: string;
  /** the folder its finance SI sends statuses from */
  si: string;
}

const KEYS: Key[] = [
  ...[1, 2].map((n) => ({ name: `V${n}`, family: 'valmont' as const, number: `F-2026-${String(n).padStart(6, '0')}`, supplier: '99746507500015', buyer: '21787789300016', date: '2026-11-02', si: 'si-valmont' })),
  ...[1, 2].map((n) => ({ name: `L${n}`, family: 'lycee' as const, number: `A-2026-900${n}`, supplier: '99746507500015', buyer: '19494032600011', date: '2026-11-05', si: 'LYCJM01' })),
  ...[1, 2, 3].map((n) => ({ name: `P${n}`, family: 'laposte' as const, number: `LP-2026-90000${n}`, supplier: '35600000000010', buyer: '21787789300016', date: '2026-11-08', si: 'si-valmont' })),
];
const DEPOSITORS = ['op-alpha', 'op-beta'];
const STATUS_FORMATS = { 'op-alpha': ['CPPStatut'], 'op-beta': ['CPPStatut', 'CDAR'], 'op-gamma': ['CPPStatut'], 'si-valmont': ['CPPStatut'] } as Record<string, ('CPPStatut' | 'CDAR')[]>;

const EXAMPLE = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8'));
const BL_PDF = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</.exec(readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8'))![1];

/** The bundled example's partners and routing, the Lycée also requiring a complementary attachment. */
function writeConfig(file: string, out: string): void {
  const cfg = { ...EXAMPLE, paths: { out }, partners: EXAMPLE.partners.map(({ inbox: _, ...p }: { inbox?: string }) => p) };
  cfg.recipients = EXAMPLE.recipients.map((r: { recepteurId: string }) => (r.recepteurId === 'LYCJM01' ? { ...r, requiredAttachment: true } : r));
  writeFileSync(file, JSON.stringify(cfg, null, 2));
}

const LYCEE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
const LAPOSTE = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
const LP_HEAD = LAPOSTE.split('<CPPFacturePivotUnitaire')[0];
const LP_UNIT = `<CPPFacturePivotUnitaire${LAPOSTE.split('<CPPFacturePivotUnitaire')[1].replace(/<\/CPPFactures>[\s\S]*$/, '')}`;
const LP_TAIL = `</CPPFactures>${LAPOSTE.split('</CPPFactures>')[1]}`;

/** The file of one deposit: the fixtures with the key's number, unique bytes per step. */
function ublDeposit(key: Key, variant: DepositVariant, tag: string): string {
  if (key.family === 'valmont') {
    const xml = invoiceNumbered(Number(key.number.slice(-6)), ` ${tag}`);
    return variant === 'invalid' ? xml.replace('<cbc:PayableAmount currencyID="EUR">340.65<', '<cbc:PayableAmount currencyID="EUR">999.99<') : xml;
  }
  const source = LYCEE.replace('<cbc:ID>A-2026-0007</cbc:ID>', `<cbc:ID>${key.number}</cbc:ID>`) + `<!-- ${tag} -->\n`;
  let xml = variant === 'noPJ' ? source : withAttachments([{ id: 'BL-1', description: 'Bon de livraison signé', name: 'BL signé.pdf', mime: 'application/pdf', data: BL_PDF }], source);
  if (variant === 'noEJ') xml = xml.replace(/\s*<cac:OrderReference>\s*<cbc:ID>BC-LYC-2026-112<\/cbc:ID>\s*<\/cac:OrderReference>/, '');
  if (variant === 'invalid') xml = xml.replace('<cbc:PayableAmount currencyID="EUR">21.60<', '<cbc:PayableAmount currencyID="EUR">99.99<');
  return xml;
}

/** A La Poste pivot holding one unit per item (a bad one: TTC ≠ HT + TVA). */
function pivotDeposit(items: { key: Key; variant: DepositVariant }[], tag: string): string {
  const units = items.map(({ key, variant }, k) => {
    const u = LP_UNIT.replace(/LP-2026-558812/g, key.number).replace(/NumOrdre="1"/, `NumOrdre="${k + 1}"`);
    return variant === 'invalid' ? u.replace('<MontantTTC>1011.00</MontantTTC>', '<MontantTTC>1111.00</MontantTTC>') : u;
  });
  return LP_HEAD.replace(/Compteur="\d+"/, `Compteur="${items.length}"`).replace('LPO2026110800017', `LPO${tag.replace(/\D/g, '').padStart(13, '0').slice(-13)}`) + units.join('\n') + LP_TAIL;
}

type Step =
  | { kind: 'deposit'; partner: string; items: { key: Key; variant: DepositVariant }[] }
  | { kind: 'status'; sender: string; lines: { key: Key; code: SiCode }[] }
  | { kind: 'reject'; key: Key };

interface World {
  keys: Map<string, KeyModel & { rejectedByOperator?: boolean; completed?: boolean }>;
}

/** (state, event: outcome) pairs the seeds met, printed after many seeds: what the sequences reached. */
const covered = new Set<string>();

/** The next step, drawn with a bias toward what the keys' states make interesting. */
function nextStep(rnd: () => number, w: World): Step {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const r = rnd();
  const model = (k: Key) => w.keys.get(k.name)!;
  if (r < 0.45) {
    const family = pick<Family>(['valmont', 'lycee', 'laposte']);
    const keys = KEYS.filter((k) => k.family === family);
    if (family === 'laposte') {
      const chosen = keys.filter((k) => rnd() < (['SUSP_SI', 'RECYCLE'].includes(model(k).state) ? 0.9 : 0.5));
      if (chosen.length && rnd() < 0.15) chosen.push(pick(chosen)); // the same invoice twice in one flow
      const items = (chosen.length ? chosen : [pick(keys)]).map((key) => ({ key, variant: (rnd() < 0.2 ? 'invalid' : 'valid') as DepositVariant }));
      return { kind: 'deposit', partner: 'op-beta', items };
    }
    // lean on the keys waiting for their supplier: completions and corrections are the rarer paths
    const waiting = keys.filter((k) => ['SUSP_PIPE', 'SUSP_SI', 'RECYCLE'].includes(model(k).state));
    const key = waiting.length && rnd() < 0.6 ? pick(waiting) : pick(keys);
    const state = model(key).state;
    const incomplete = family === 'lycee' && (state === 'NONE' || state === 'SUSP_PIPE') && rnd() < 0.5;
    const variant: DepositVariant = rnd() < 0.15 ? 'invalid' : incomplete ? pick(['noEJ', 'noPJ'] as const) : 'valid';
    return { kind: 'deposit', partner: pick(DEPOSITORS), items: [{ key, variant }] };
  }
  if (r < 0.9) {
    const sent = KEYS.filter((k) => model(k).state === 'SENT');
    const sender = sent.length && rnd() < 0.6 ? pick(sent).si : pick(['si-valmont', 'LYCJM01']);
    const own = KEYS.filter((k) => k.si === sender);
    const chosen = KEYS.filter((k) => (k.si === sender ? rnd() < 0.4 : rnd() < 0.05));
    const lines = (chosen.length ? chosen : [pick(own)])
      .map((key) => {
        const allowed = siMay(model(key).state);
        const other = (Object.keys(SI_CODES) as SiCode[]).filter((c) => SI_CODES[c] !== model(key).state);
        return { key, code: pick(allowed.length && rnd() < 0.7 ? allowed : other) };
      });
    return { kind: 'status', sender, lines };
  }
  const known = KEYS.filter((k) => model(k).idCpro);
  return known.length ? { kind: 'reject', key: pick(known) } : nextStep(rnd, w);
}

const xmlText = (xml: string, el: string) => [...xml.matchAll(new RegExp(`<${el}>([^<]*)</${el}>`, 'g'))].map((m) => m[1]);

async function playSeed(seed: number, steps: number): Promise<void> {
  const rnd = prng(seed);
  const root = tempDir(`cf-model-${seed}-`);
  const out = path.join(root, 'out');
  const configFile = path.join(root, 'config.json');
  writeConfig(configFile, out);
  const config = loadConfig(configFile);
  const w: World = { keys: new Map(KEYS.map((k) => [k.name, { state: 'NONE' as const }])) };
  const owners = new Map<string, string>(); // IdCPRO → key
  let seen = new Set<string>();
  const trail: string[] = [];
  const horodatage = (n: number) => new Date(Date.now() - 3_600_000 + n * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

  for (let n = 1; n <= steps; n++) {
    const step = nextStep(rnd, w);
    const restart = rnd() < 0.2;
    trail.push(`${n}${restart ? '*' : ''} ${JSON.stringify(step, (k, v) => (k === 'key' ? v.name : v))}`);
    const where = () => `seed ${seed}, step ${n}:\n${trail.join('\n')}`;
    const fail = (msg: string) => {
      throw new Error(`${msg}\n${where()}`);
    };
    const inbox = path.join(root, `in-${n}`);
    const drop = (partner: string, name: string, content: string) => {
      mkdirSync(path.join(inbox, partner), { recursive: true });
      writeFileSync(path.join(inbox, partner, name), content);
      return `${partner}/${name}`;
    };
    const runStep = async () => {
      if (restart) {
        const r = await cli(['run', inbox, '--config', configFile, '-q', '--no-progress'], { timeoutMs: 120_000 });
        if (r.code !== 0) fail(`run exit ${r.code}: ${r.stderr}${r.stdout}`);
      } else await runOnce(inbox, config);
    };
    const before = seen;
    const fresh = () => {
      const now = new Set(listFiles(out, ['journal', 'logs', 'state', 'reports']));
      seen = now;
      return [...now].filter((f) => !before.has(f));
    };
    const outcomeOf = (file: string) => {
      const lines = journalOutcomes(out).filter((o) => o.file === file);
      if (lines.length !== 1) fail(`${lines.length} journal outcome lines for ${file}`);
      return lines[0];
    };
    const statutHas = (files: string[], folder: string, re: RegExp) => files.some((f) => f.startsWith(`statut/${folder}/`) && re.test(readFileSync(path.join(out, f), 'utf8')));

    if (step.kind === 'deposit') {
      const file = step.items[0].key.family === 'laposte' ? drop(step.partner, `s${n}-pivot.xml`, pivotDeposit(step.items, `${seed}${n}`)) : drop(step.partner, `s${n}-${step.items[0].key.name}.xml`, ublDeposit(step.items[0].key, step.items[0].variant, `seed ${seed} step ${n}`));
      await runStep();
      const got = outcomeOf(file);
      // one after the other: an invoice twice in one flow meets the state its first left
      const shadow = new Map<string, KeyModel['state']>();
      const expects = step.items.map((it) => {
        const m = w.keys.get(it.key.name)!;
        const e = onDeposit({ ...m, state: shadow.get(it.key.name) ?? m.state }, it.variant);
        shadow.set(it.key.name, e.next);
        return { it, m, e };
      });
      const expectedFile = depositFileOutcome(expects.map((x) => x.e.outcome));
      if (got.outcome !== expectedFile) fail(`file outcome ${got.outcome}, model ${expectedFile}: ${JSON.stringify(got.invoices)} ${JSON.stringify((got as { findings?: unknown }).findings)}`);
      const files = fresh();
      const units = files.filter((f) => f.startsWith('pivot/')).flatMap((f) => {
        const xml = readFileSync(path.join(out, f), 'utf8');
        return xml.split('<CPPFacturePivotUnitaire').slice(1).map((u) => ({ id: xmlText(u, 'IdCPRO')[0], renvoi: xmlText(u, 'Renvoi')[0], number: xmlText(u, 'Id')[0] }));
      });
      const emitted = expects.filter((x) => x.e.renvoi);
      if (units.length !== emitted.length) fail(`${units.length} pivot units out, model ${emitted.length}`);
      for (const [i, { it, m, e }] of expects.entries()) {
        covered.add(`${m.state} ← deposit ${it.variant}${step.items.length > 1 ? ' (in a multi-invoice flow)' : ''}: ${e.outcome}`);
        const inv = got.invoices?.length === step.items.length ? got.invoices[i] : got.invoices?.find((x) => x.number === it.key.number);
        if (inv && inv.number !== it.key.number) fail(`invoice line ${i} is ${inv.number}, not ${it.key.number}`);
        if (e.outcome === 'refused' && step.items.length === 1 && !inv) {
          // a file refused before its invoice is read has no invoice line
        } else {
          if (!inv) fail(`no invoice line for ${it.key.number}`);
          if (inv!.outcome !== e.outcome) fail(`${it.key.name}: invoice outcome ${inv!.outcome}, model ${e.outcome}`);
          if (e.id === 'same' && inv!.idCpro !== m.idCpro) fail(`${it.key.name}: IdCPRO ${inv!.idCpro}, model keeps ${m.idCpro}`);
          if (e.id === 'new') {
            if (!inv!.idCpro || owners.has(inv!.idCpro)) fail(`${it.key.name}: new IdCPRO ${inv!.idCpro} already ${owners.get(inv!.idCpro!)}'s`);
            owners.set(inv!.idCpro!, it.key.name);
            m.idCpro = inv!.idCpro;
          }
        }
        if (e.renvoi) {
          const u = units.find((x) => x.id === m.idCpro);
          if (!u || u.renvoi !== e.renvoi) fail(`${it.key.name}: pivot unit ${JSON.stringify(u)}, model Renvoi ${e.renvoi} IdCPRO ${m.idCpro}`);
        }
        if (e.outcome === 'suspended' && !statutHas(files, step.partner, new RegExp(`<IdStatut>06</IdStatut>[\\s\\S]*<IdFacture>${it.key.number}<`))) fail(`${it.key.name}: no SUSPENDU to ${step.partner}`);
        if (e.outcome === 'completed' && !statutHas(files, it.key.si, new RegExp(`<IdStatut>12</IdStatut>[\\s\\S]*<IdFacture>${it.key.number}<`))) fail(`${it.key.name}: no COMPLETEE to ${it.key.si}`);
        if (e.outcome === 'duplicate' && !statutHas(files, step.partner, /CPRO-DOUBLON/)) fail(`${it.key.name}: no DOUBLON to ${step.partner}`);
        if (e.outcome === 'refused' && !statutHas(files, step.partner, /<IdStatut>9[36]<\/IdStatut>/)) fail(`${it.key.name}: no 93/96 to ${step.partner}`);
        if (e.outcome !== 'refused' && e.outcome !== 'duplicate') m.depositor = step.partner;
        if (e.outcome === 'completed' || e.outcome === 'recycled') m.completed = true;
        m.state = e.next;
      }
    } else if (step.kind === 'status') {
      const file = drop(step.sender, `s${n}-statut.xml`, siStatusFlow(`SI-${seed}-${n}`, step.lines.map((l) => ({ supplierId: l.key.supplier, buyerSiret: l.key.buyer, idStatut: l.code, idFacture: l.key.number, dateFacture: l.key.date, commentaire: `étape ${n}`, horodatage: horodatage(n) }))));
      await runStep();
      const got = outcomeOf(file);
      const expects = step.lines.map((l) => ({ l, m: w.keys.get(l.key.name)!, e: onSiStatus(w.keys.get(l.key.name)!, l.code, l.key.si === step.sender) }));
      const applied = expects.filter((x) => x.e.applied).length;
      const expectedFile = applied ? 'status-applied' : 'refused';
      if (got.outcome !== expectedFile) fail(`file outcome ${got.outcome}, model ${expectedFile}: ${JSON.stringify(got.invoices)}`);
      const files = fresh();
      expects.forEach(({ l, m, e }, i) => {
        covered.add(`${m.state}${m.completed ? '(again)' : ''} ← ${l.code}${l.key.si === step.sender ? '' : ' (other SI)'}: ${e.applied ? 'applied' : 'refused'}`);
        const inv = got.invoices?.[i];
        const gotApplied = inv?.outcome === 'status';
        if (gotApplied !== e.applied) fail(`${l.key.name} (${m.state}) ← ${l.code} from ${step.sender}: ${inv?.outcome} ${JSON.stringify(inv?.findings ?? got.findings)}, model ${e.applied ? 'applied' : 'refused'}`);
        if (e.applied && !statutHas(files, m.depositor!, new RegExp(`<IdStatut>${l.code}</IdStatut>[\\s\\S]*<IdFacture>${l.key.number}<`))) fail(`${l.key.name}: ${l.code} not forwarded to ${m.depositor}`);
        m.state = e.next;
      });
      const back = applied === expects.length ? null : applied ? '96' : '93';
      if (back && !statutHas(files, step.sender, new RegExp(`<CPPFluxStatutUnitaire[\\s\\S]*<IdStatut>${back}</IdStatut>`))) fail(`no ${back} back to ${step.sender}`);
    } else {
      const m = w.keys.get(step.key.name)!;
      const e = onOperatorReject(m);
      covered.add(`${m.state} ← reject: exit ${e.exit}`);
      const r = await cli(['reject', m.idCpro!, '--reason', `Jamais complétée (étape ${n})`, '--config', configFile], { timeoutMs: 120_000 });
      if (r.code !== e.exit) fail(`reject exit ${r.code}, model ${e.exit}: ${r.stdout}${r.stderr}`);
      const files = fresh();
      if (e.writes && !statutHas(files, m.depositor!, new RegExp(`<IdStatut>05</IdStatut>[\\s\\S]*<IdFacture>${step.key.number}<`))) fail(`no 05 REJETEE to ${m.depositor}`);
      if (!e.writes && files.some((f) => f.startsWith('statut/') || f.startsWith('pivot/'))) fail(`reject wrote ${files.join(', ')}`);
      if (e.writes) m.rejectedByOperator = true;
      m.state = e.next;
    }
  }

  const report = await outputOracle(out, { facturx: true, statusFormats: STATUS_FORMATS });
  if (report.problems.length) throw new Error(`oracle: ${report.problems.join('\n')}\nseed ${seed}:\n${trail.join('\n')}`);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  const rec = await cli(['reconcile', '--date', day, '--config', configFile, '-q'], { timeoutMs: 120_000 });
  if (rec.code !== 0) throw new Error(`reconcile exit ${rec.code}: ${rec.stdout}${rec.stderr}\nseed ${seed}:\n${trail.join('\n')}`);
}

const one = process.env.LIFECYCLE_MODEL_SEED;
const many = Number(process.env.LIFECYCLE_MODEL_SEEDS ?? 0);
const first = Number(process.env.LIFECYCLE_MODEL_FIRST ?? 1000);
// in CI two sequences of 7 steps (about 10 s each on an idle host): 42 meets duplicates (a rule that
// made them recycled fails it), 117 a completion after a finance SI's 06 in a multi-invoice pivot
// (one that made it Recyclée fails it); by hand as many as asked, of 5 to 15 steps
const SEEDS = one ? [Number(one)] : many ? Array.from({ length: many }, (_, k) => first + k) : [42, 117];
const stepsOf = (seed: number) => Number(process.env.LIFECYCLE_MODEL_STEPS ?? (one || many ? 5 + (seed % 11) : 7));

describe('the lifecycle against its reference model, on random sequences of real files', () => {
  it.each(SEEDS)('seed %i', async (seed) => {
    await playSeed(seed, stepsOf(seed));
  }, 600_000);
  afterAll(() => {
    if (many) process.stdout.write(`${[...covered].sort().join('\n')}\n`);
  });
});
