/**
 * A seeded, structure-aware mutation fuzz of the ingest contract, through the real command
 * line: valid seeds (the project's fixtures, official UBL and CII examples routed to a
 * recipient, the Chorus Pro pivot and status samples, a finance SI's status flow) mutated by
 * test/helpers/xml-mutations.ts, dropped in a real inbox tree, then `chorus-flux run`,
 * `validate --json` and `reconcile`. For each file: exactly one outcome in the journal; a
 * refused original byte for byte in error/; every output through the official oracle
 * (test/helpers/output-oracle.ts: XSDs, schematrons, a rule id and a reason of at most 300
 * characters in every status flow); nothing written outside the tree; no crash, no stack trace;
 * the day reconciles CLEAN. campaign() returns the problems, one line each.
 * By hand (thousands): node -r ./test/helpers/ts-register.js test/validation/support/ingest-fuzz.ts <seed> <cases> [<batches>]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../../helpers/cli';
import { corpus } from '../../helpers/corpus';
import { prng } from '../../helpers/hostile';
import { outputOracle, journalOutcomes } from '../../helpers/output-oracle';
import { bundledConfig, FIXTURES_INBOX, listFiles, tempDir } from '../../helpers/run';
import { routedCii, routedUbl } from '../../helpers/routed-examples';
import { siStatusFlow } from '../../helpers/statut';
import { EQUIVALENT_MUTATIONS, mutateXml, withOwnNumbers, XML_MUTATIONS } from '../../helpers/xml-mutations';
import { readJournalDay } from '../../../src/journal/journal';

export interface Seed {
  name: string;
  partner: string;
  bytes: Buffer;
}

/** The valid seeds, each with the partner whose inbox it goes to. */
export function seeds(): Seed[] {
  const fixture = (rel: string): Seed => ({ name: path.basename(rel, '.xml'), partner: rel.split('/')[0], bytes: readFileSync(path.join(FIXTURES_INBOX, rel)) });
  const official = (dir: string, file: string, route: (x: string, n: number) => string, n: number): Seed => ({ name: file.replace(/\W+/g, '_').slice(0, 24), partner: 'op-beta', bytes: Buffer.from(route(readFileSync(corpus('en16931', dir, file), 'utf8'), n)) });
  const sample = (dir: string, file: string, partner: string): Seed => ({ name: file.replace(/\W+/g, '_').slice(0, 24), partner, bytes: readFileSync(corpus('chorus-samples', dir, file)) });
  return [
    fixture('op-alpha/facture-e1-papeterie.xml'),
    fixture('op-alpha/avoir-e1-lycee.xml'),
    fixture('op-alpha/decompte-travaux-a4.xml'),
    fixture('op-beta/facture-e2-maintenance.xml'),
    fixture('op-beta/facture-cii-hopital.xml'),
    fixture('op-beta/pivot-laposte-3-factures.xml'),
    official('ubl-examples', 'ubl-tc434-example1.xml', routedUbl, 1),
    official('ubl-examples', 'ubl-tc434-creditnote1.xml', routedUbl, 2),
    official('cii-examples', 'CII_example1.xml', routedCii, 3),
    official('cii-examples', 'CII_business_example_01.xml', routedCii, 4),
    sample('pivot', 'facture-pivot.xml', 'op-alpha'),
    sample('pivot', 'facture_1221.xml', 'op-alpha'),
    sample('statut', 'Example01-FactureStatut-ok.xml', 'si-valmont'),
    sample('mixte', 'Facture-IN_DP_E2_CPP_FACTURE_MIN.xml', 'op-alpha'),
    { name: 'si-status', partner: 'si-valmont', bytes: Buffer.from(siStatusFlow('FUZZ0001', [{ supplierId: '40483304800022', buyerSiret: '21787789300016', idStatut: '06', idFacture: 'FA-2026-0001', dateFacture: '2026-11-02', commentaire: 'Pièce manquante' }])) },
  ];
}

export interface Case {
  file: string;
  bytes: Buffer;
  mutations: string[];
  /** for a rewriting that keeps the document the same: the file of its unmutated control, which must end the same way */
  control?: string;
}

/**
 * `cases` mutants from `seed`, each from a seed flow with invoice numbers of its own (a mutant is
 * no duplicate of another): every mutation first, each on a seed it changes, then drawn at random —
 * one in four a rewriting that keeps the document the same (with its control beside it), the
 * others one hostile mutation, sometimes two or three.
 */
export function mutants(seed: number, cases: number): Case[] {
  const rnd = prng(seed);
  const all = seeds();
  const hostile = Object.keys(XML_MUTATIONS);
  const same = Object.keys(EQUIVALENT_MUTATIONS);
  const out: Case[] = [];
  const first = hostile.length + same.length;
  for (let k = 0; k < cases; k++) {
    const id = `s${seed}-${String(k).padStart(5, '0')}`;
    const own = (s: Seed, tag: string) => withOwnNumbers(s.bytes, `-${k.toString(36)}${tag}`);
    const equivalent = k < first ? k >= hostile.length : rnd() < 0.25;
    const name = k < first ? [...hostile, ...same][k] : equivalent ? same[Math.floor(rnd() * same.length)] : undefined;
    // the first pass: each mutation on a seed it changes (the first from k on), then any seed
    let s = k < first ? all[k % all.length] : all[Math.floor(rnd() * all.length)];
    if (k < first) {
      const probe = prng(seed + k);
      const changes = (x: Seed) => !(equivalent ? EQUIVALENT_MUTATIONS : XML_MUTATIONS)[name!](own(x, 'm'), probe).equals(own(x, 'm'));
      s = [...all.slice(k % all.length), ...all.slice(0, k % all.length)].find(changes) ?? s;
    }
    if (equivalent) {
      const control = `${s.partner}/${id}-control-${s.name}.xml`;
      out.push({ file: control, bytes: own(s, 'c'), mutations: [] });
      out.push({ file: `${s.partner}/${id}-${name}-${s.name}.xml`, bytes: EQUIVALENT_MUTATIONS[name!](own(s, 'm'), rnd), mutations: [name!], control });
      continue;
    }
    const n = k < first ? 1 : [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][Math.floor(rnd() * 10)];
    const { bytes, names } = mutateXml(own(s, 'm'), rnd, n, name);
    out.push({ file: `${s.partner}/${id}-${names[0]}-${s.name}.xml`, bytes, mutations: names });
  }
  return out;
}

/** Only a hang detector (minutes for what takes seconds on a loaded 2-core host), and a bound on memory: 6 GB of address space (a run stays near 0.3 GB resident), so that a file that makes memory explode fails the campaign instead of the host. */
const HANG = 10 * 60_000;
const command = (args: string[]) => cli(args, { timeoutMs: HANG, maxMemoryKb: 6_000_000 });

const STATUS_FORMATS = Object.fromEntries(bundledConfig('/nonexistent').partners.map((p) => [p.id, p.statusFormats]));
const STACK = /\bat [\w.<>]+ \(|TypeError|RangeError|ReferenceError|SyntaxError: |Maximum call stack|heap out of memory/;

/** One campaign in a fresh tree: the problems found (empty when the contract holds), and how the files ended. */
export async function campaign(seed: number, cases: number, opts: { keep?: boolean; log?: (l: string) => void } = {}): Promise<{ problems: string[]; outcomes: Map<string, string>; root: string; written: Case[] }> {
  const log = opts.log ?? (() => undefined);
  const root = tempDir('cf-ingest-fuzz-');
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  const written = mutants(seed, cases);
  for (const w of written) {
    mkdirSync(path.dirname(path.join(inbox, w.file)), { recursive: true });
    writeFileSync(path.join(inbox, w.file), w.bytes);
  }
  const problems: string[] = [];
  const bad = (s: string) => problems.push(s.slice(0, 600));
  const what = (w: Case) => `${w.file} [${w.mutations.join('+')}]`;

  const run = await command(['run', inbox, '--out', out, '--no-progress', '-q']);
  log(`run: exit ${run.code}`);
  if (run.code !== 0) bad(`run: exit ${run.code} ${run.signal ?? ''}: ${run.stderr.slice(0, 400)}`);
  if (STACK.test(run.stdout + run.stderr)) bad(`run: a stack trace or an engine error in its output: ${(STACK.exec(run.stdout + run.stderr)?.input ?? '').slice(0, 400)}`);

  // exactly one outcome each, journaled
  const day = readdirSync(path.join(out, 'journal'))[0];
  const { lines, damaged } = await readJournalDay(path.join(out, 'journal'), day);
  if (damaged.length > 0) bad(`journal damaged: ${JSON.stringify(damaged).slice(0, 300)}`);
  const told = new Map<string, string[]>();
  for (const l of lines) if (l.event === 'outcome' || l.event === 'already-processed') told.set(l.file, [...(told.get(l.file) ?? []), l.event === 'outcome' ? l.outcome : l.event]);
  const outcomes = new Map<string, string>();
  for (const w of written) {
    const t = told.get(w.file) ?? [];
    if (t.length !== 1) bad(`${what(w)}: ${t.length} outcomes in the journal (${t.join(', ')})`);
    else outcomes.set(w.file, t[0]);
  }
  // a rewriting that keeps the document the same ends as its control, with the same fatal rules
  const byOutcome = journalOutcomes(out);
  const fatalRules = (file: string) => {
    const o = byOutcome.find((x) => x.file === file);
    const all = [...(o?.findings ?? []), ...(o?.invoices ?? []).flatMap((i) => i.findings ?? [])] as { rule: string; severity?: string }[];
    return [...new Set(all.filter((f) => f.severity === undefined || f.severity === 'fatal').map((f) => f.rule))].sort().join(',');
  };
  for (const w of written) {
    if (!w.control) continue;
    const [a, b] = [outcomes.get(w.control), outcomes.get(w.file)];
    if (a !== b || fatalRules(w.control) !== fatalRules(w.file)) bad(`${what(w)}: the same document as its control, ended ${b} (${fatalRules(w.file)}), its control ${a} (${fatalRules(w.control)})`);
  }
  // a refused original, byte for byte, in error/
  for (const w of written) {
    const o = byOutcome.find((x) => x.file === w.file);
    if (!o || o.outcome !== 'refused') continue;
    const kept = o.outputs.find((x) => x.kind === 'error');
    if (!kept) bad(`${what(w)}: refused, no original in error/`);
    else if (!readFileSync(path.join(out, kept.path)).equals(w.bytes)) bad(`${what(w)}: the original in error/ differs from what was dropped`);
    for (const f of o.findings ?? []) if (!/^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$/.test(f.rule) || f.message.length === 0) bad(`${what(w)}: a finding without a rule id or a reason: ${JSON.stringify(f).slice(0, 200)}`);
  }
  // the outputs against the official oracle (XSDs, schematrons, rule ids, 300 characters)
  const report = await outputOracle(out, { facturx: true, statusFormats: STATUS_FORMATS });
  // a mutant that cannot fill EN 16931 gets the richest lower profile it fills, by design
  // (docs/FACTURX.md; seed 402, a seller VAT id emptied): its Factur-X is still checked by its own profile's oracle
  for (const p of report.problems) if (!/: Factur-X (MINIMUM|BASIC WL|BASIC), EN 16931 expected$/.test(p)) bad(`oracle: ${p}`);
  log(`oracle: ${JSON.stringify(report.counts)}`);
  // nothing outside the tree: the root holds the inbox as it was and the output tree
  const top = readdirSync(root).sort();
  if (top.join() !== 'inbox,out') bad(`written beside the tree: ${top.join(', ')}`);
  const inboxNow = listFiles(inbox);
  if (inboxNow.join('\n') !== written.map((w) => w.file).sort().join('\n')) bad(`the inbox changed: ${inboxNow.length} files, ${written.length} dropped`);
  for (const w of written) if (!readFileSync(path.join(inbox, w.file)).equals(w.bytes)) bad(`${what(w)}: changed in the inbox`);
  const stray = listFiles(out, ['state', 'logs', 'journal', 'reports', 'pivot', 'statut', 'cdar', 'archive', 'error']);
  if (stray.length > 0) bad(`out of place in the output tree: ${stray.slice(0, 5).join(', ')}`);
  // reconcile CLEAN
  const rec = await command(['reconcile', '--date', day, '--out', out, '-q']);
  if (rec.code !== 0) bad(`reconcile ${day}: exit ${rec.code}: ${(rec.stdout + rec.stderr).slice(0, 400)}`);
  // validate: every file reported, nothing crashes
  const v = await command(['validate', '--json', ...written.map((w) => path.join(inbox, w.file))]);
  if (v.signal || ![0, 1, 2].includes(v.code ?? -1)) bad(`validate: exit ${v.code} ${v.signal}: ${v.stderr.slice(0, 300)}`);
  if (STACK.test(v.stderr)) bad(`validate: a stack trace: ${v.stderr.slice(0, 300)}`);
  try {
    const parsed = JSON.parse(v.stdout) as { file: string; valid: boolean; findings: { rule: string; message: string }[] }[];
    const seen = new Set(parsed.map((r) => r.file));
    for (const w of written) if (!seen.has(path.join(inbox, w.file))) bad(`validate: ${what(w)} not reported`);
    for (const r of parsed) {
      const w = written.find((x) => path.join(inbox, x.file) === r.file);
      if (!r.valid && r.findings.length === 0) bad(`validate: ${r.file} invalid without a finding`);
      // validate and run read the same file: a file run accepted is not invalid by validate, and the other way round
      const o = w ? outcomes.get(w.file) : undefined;
      if (w && o === 'accepted' && !r.valid) bad(`validate: ${what(w)} invalid (${r.findings.map((f) => f.rule).join(', ')}), run accepted it`);
      for (const f of r.findings) if (STACK.test(f.message)) bad(`validate: ${r.file}: an engine error as a finding: ${f.message.slice(0, 200)}`);
    }
  } catch (e) {
    bad(`validate --json: not JSON (${(e as Error).message}): ${v.stdout.slice(0, 200)}`);
  }
  if (!opts.keep && problems.length === 0) rmSync(root, { recursive: true, force: true });
  return { problems, outcomes, root, written };
}

if (require.main === module) {
  const [seed = '1', cases = '200', batches = '1'] = process.argv.slice(2);
  (async () => {
    let total = 0;
    for (let b = 0; b < Number(batches); b++) {
      const s = Number(seed) + b;
      const t0 = Date.now();
      const r = await campaign(s, Number(cases), { keep: true, log: (l) => process.stderr.write(`[seed ${s}] ${l}\n`) });
      const counts: Record<string, number> = {};
      for (const o of r.outcomes.values()) counts[o] = (counts[o] ?? 0) + 1;
      process.stderr.write(`[seed ${s}] ${Number(cases)} cases in ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(counts)}, ${r.problems.length} problems, tree ${r.root}\n`);
      for (const p of r.problems) process.stdout.write(`seed ${s}: ${p}\n`);
      total += r.problems.length;
    }
    process.exit(total > 0 ? 1 : 0);
  })().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(2);
  });
}
