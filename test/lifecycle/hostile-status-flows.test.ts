/**
 * Hostile status flows from a finance SI, against a lifecycle that holds real invoices: the
 * SI's CPPStatut files carry every status code and junk ones, comments of any length, dates
 * of any shape, lines doubled or dropped (the seeded mutations of the invoice tests), while
 * the suppliers deposit their invoices again (completions of suspended ones, corrections of
 * recycled ones, duplicates), and flow statuses about the pivots sent (real ones by flow id or
 * file name, unknown and hostile names, junk codes). Over several runs, every file gets one outcome, every output
 * passes its official oracle (CPPStatut XSD, CPPFacturePivot XSD, CDAR XSD and BR-FR-CDV
 * schematron), the lifecycle only holds known states, and each day (a day per round, as the
 * files' mtimes and a clock say) reconciles clean.
 *
 * It found the status flows forwarded to depositors failing their XSD: the SI's Horodatage was
 * forwarded whenever Date.parse took it ("1", "2026-11-20", "December 17, 1995 03:24:00"), and
 * its echoed CodePays and TypeIdentifiant as they were. Such a line is now refused
 * (CPRO-STATUT-HORODATAGE, CPRO-STATUT-DATE), and the forwarded line names the parties as the
 * invoice was deposited.
 */
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INVOICE_STATES } from '../../src/lifecycle/states';
import { isXsDateTime } from '../../src/model/xs-date';
import type { StoredFile } from '../../src/lifecycle/store';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf, fixedClock } from '../../src/util/clock';
import { checkCdar } from '../cdar/oracle';
import { SCHEMAS } from '../helpers/corpus';
import { JUNK, mutate, prng, walk } from '../helpers/hostile';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow, type SiStatus } from '../helpers/statut';
import { validateFiles } from '../helpers/xsd';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const SUPPLIER = '99746507500015';
const VALMONT = '21787789300016';
const INVOICES = 40;
const number = (i: number) => `F-2026-H${i}`;
const invoice = (i: number) => PAPETERIE.replace(/F-2026-0101/g, number(i));

const CODES = [...Object.keys(INVOICE_STATES), '04', '05', '06', '06', '07', '08', '11', '13', '6', ' 06 ', 'SUSPENDUE'];
const WORDS = ['Bon de livraison manquant.', 'Montant erroné & à revoir <urgent>', 'é'.repeat(400), ...JUNK];
const STAMPS = ['2026-11-20T10:00:00+01:00', '2026-11-21T08:15:30Z', '2026-11-22T23:59:59.5', '2026-11-23T00:00:00-05:00'];
const BAD_STAMPS = [undefined, '2026-11-20', '1', 'December 17, 1995 03:24:00', '2026-11-20T25:00:00Z', '+275760-09-13T00:00:00Z', ''];

/** The pivots sent on the first day: what the SI's flow statuses name (set once they exist). */
let sentPivots: string[] = [];
const FLOW_CODES = ['90', '92', '92', '94', '96', '93', '97', '', ' 92 '];

/** Flow statuses (CPPFluxStatuts) about the pivots sent, a flow nobody sent, or a hostile name. */
function fluxAck(rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 3);
  const units = Array.from({ length: n }, (_, k) => {
    const pivot = sentPivots.length ? pick(rnd, sentPivots) : 'FEN0036A_CFX001_CFX0001.xml';
    const idFlux = pick(rnd, [pivot, pivot.replace(/^FEN0036A_CFX001_|\.xml$/g, ''), 'CFX0001', '../pivot/VALM01', ...JUNK.slice(0, 3)]);
    return `<CPPFluxStatutUnitaire NumOrdre="${k + 1}"><DonneesStatut><IdStatut>${pick(rnd, FLOW_CODES)}</IdStatut><ComplementStatut>Reçu destinataire final</ComplementStatut><Horodatage>${rnd() < 0.9 ? pick(rnd, STAMPS) : '2026-11-20'}</Horodatage><IdFlux>${idFlux.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</IdFlux></DonneesStatut></CPPFluxStatutUnitaire>`;
  });
  return `<CPPFluxStatuts compteur="${n}">${units.join('')}</CPPFluxStatuts>`;
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

function statusFile(rnd: () => number, serial: number): string {
  const lines: SiStatus[] = [];
  for (let k = 0, n = 1 + Math.floor(rnd() * 3); k < n; k++) {
    lines.push({
      supplierId: rnd() < 0.95 ? SUPPLIER : pick(rnd, JUNK),
      buyerSiret: rnd() < 0.9 ? VALMONT : pick(rnd, JUNK),
      idStatut: pick(rnd, CODES),
      idFacture: number(Math.floor(rnd() * (INVOICES + 3))),
      dateFacture: rnd() < 0.7 ? '2026-11-02' : pick(rnd, [undefined, '2025-11-02', '2026-13-45', '']),
      commentaire: rnd() < 0.6 ? pick(rnd, WORDS) : undefined,
      horodatage: rnd() < 0.85 ? pick(rnd, STAMPS) : pick(rnd, BAD_STAMPS),
    });
  }
  // the optional parts the SI may echo, for the mutations to reach: the supplier's country, the
  // buyer's service, the SI's own reference of the invoice
  let flow = siStatusFlow(`SI-H${serial}`, lines)
    .replace(/(<\/RaisonSociale>)/g, '$1<CodePays>FR</CodePays>')
    .replace(/(<Debiteur>\s*<TypeIdentifiant>1<\/TypeIdentifiant>\s*<Identifiant>[^<]*<\/Identifiant>)/g, '$1<Nom>Commune</Nom><CodeService>FINANCES</CodeService><NomService>Finances</NomService>')
    .replace(/(<\/DateFacture>|<\/IdFacture>)(\s*<\/DonneesStatut>)/g, '$1<IdMandatDP>MDP-1</IdMandatDP>$2');
  // now and then a flow acknowledgement (CPPFluxStatuts) rather than invoice statuses
  if (rnd() < 0.15) flow = flow.replace(/<CPPFactureStatuts[^]*<\/CPPFactureStatuts>/, () => fluxAck(rnd));
  return rnd() < 0.6 ? mutate(flow, rnd) : flow;
}

/** Writes a file into a partner's folder, received on `day` when given (mtime, receiptTime "mtime"). */
function drop(inbox: string, partner: string, name: string, content: string, day?: Date): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  const file = path.join(inbox, partner, name);
  writeFileSync(file, content);
  if (day) utimesSync(file, day, day);
}

const DAY0 = Date.parse('2026-11-23T09:00:00Z');
const dayN = (n: number) => new Date(DAY0 + n * 86_400_000);

const SEEDS = process.env.HS_SEED ? [Number(process.env.HS_SEED)] : [3, 11];

it.each(SEEDS)('seed %i: every status flow and redeposit gets one outcome, and every output passes the official oracle', async (seed) => {
  const root = tempDir('cf-hostile-status-');
  const inbox = path.join(root, 'inbox');
  // a day per round, as files dated by their mtime and a clock of that day: statuses and
  // completions come on later days than the deposits they concern
  const config = { ...bundledConfig(path.join(root, 'out')), receiptTime: 'mtime' as const };
  const out = config.paths.out;
  const rnd = prng(seed);
  // op-beta takes CDAR as well as CPPStatut: the forwarded statuses go out in both
  for (let i = 0; i < INVOICES; i++) drop(inbox, i % 2 ? 'op-alpha' : 'op-beta', `f${i}.xml`, invoice(i), dayN(0));
  const first = await runOnce(inbox, config, { clock: fixedClock(dayN(0).toISOString()) });
  expect(first.results.filter((r) => r.outcome === 'accepted')).toHaveLength(INVOICES);
  sentPivots = first.results.flatMap((r) => r.outputs.filter((o) => o.kind === 'pivot' && o.recepteurId === 'VALM01').map((o) => path.basename(o.path)));
  const flowsSeen: NonNullable<(typeof first.results)[number]['flows']> = [];

  const outcomes = new Map<string, number>();
  for (let round = 0; round < 4; round++) {
    const inbox = path.join(root, `inbox-${round}`);
    for (let j = 0; j < 120; j++) drop(inbox, 'si-valmont', `r${round}-s${j}.xml`, statusFile(rnd, round * 1000 + j), dayN(round + 1));
    // the suppliers deposit again: completions, corrections, duplicates (some changed)
    for (let j = 0; j < 15; j++) {
      const i = Math.floor(rnd() * INVOICES);
      drop(inbox, i % 2 ? 'op-alpha' : 'op-beta', `r${round}-f${i}-${j}.xml`, rnd() < 0.3 ? mutate(invoice(i), rnd) : invoice(i).replace('</Invoice>', `<!-- ${round}.${j} --></Invoice>`), dayN(round + 1));
    }
    const s = await runOnce(inbox, config, { clock: fixedClock(dayN(round + 1).toISOString()) });
    expect(s.failures).toEqual([]);
    expect(s.files).toBe(135);
    for (const r of s.results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    flowsSeen.push(...s.results.flatMap((r) => r.flows ?? []));
    for (const i of s.results.flatMap((r) => r.invoices)) outcomes.set(`invoice ${i.outcome}`, (outcomes.get(`invoice ${i.outcome}`) ?? 0) + 1);
  }
  // the flow statuses: judged, each one a pivot sent when it names one, never a path elsewhere
  expect(new Set(flowsSeen.map((f) => f.verdict))).toEqual(new Set(['acknowledged', 'rejected', 'partial']));
  expect(flowsSeen.filter((f) => f.flow).length).toBeGreaterThan(3);
  for (const f of flowsSeen) if (f.flow) expect(sentPivots.map((p) => `pivot/VALM01/${p}`)).toContain(f.flow);
  // the statuses were exercised, applied and refused
  expect(outcomes.get('status-applied')).toBeGreaterThan(50);
  expect(outcomes.get('refused')).toBeGreaterThan(50);
  if (process.env.HS_SEED) console.log(Object.fromEntries(outcomes));

  const statut = walk(path.join(out, 'statut'));
  const pivots = walk(path.join(out, 'pivot'));
  const cdar = walk(path.join(out, 'cdar'));
  expect(cdar.length).toBeGreaterThan(20);
  const invalid = (files: string[], xsd: string) => validateFiles(xsd, files).filter((r) => r.errors.length > 0).map((r) => `${path.relative(out, r.file)}: ${r.errors[0]}`);
  expect(invalid(statut, SCHEMAS.statut)).toEqual([]);
  expect(invalid(pivots, SCHEMAS.pivot)).toEqual([]);
  const oracle = checkCdar(Object.fromEntries(cdar.map((f) => [path.relative(out, f).replace(/\//g, '__'), readFileSync(f, 'utf8')])));
  expect([...oracle.entries()].filter(([, r]) => !r.xsdValid || r.fatal.length > 0).map(([k, r]) => `${k}: ${r.xsdErrors[0] ?? `${r.fatal[0]?.id} ${r.fatal[0]?.text}`}`)).toEqual([]);

  // the lifecycle holds only known states, and every invoice a state
  const states = new Set<string>(Object.values(INVOICE_STATES));
  const records = readdirSync(path.join(config.paths.state, 'invoices'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(path.join(config.paths.state, 'invoices', f), 'utf8')) as StoredFile).records);
  // one record per business key; the 40 deposited are there (a redeposit whose number a
  // mutation changed is another invoice, with its own record)
  const keys = records.map((rec) => rec.key);
  expect(new Set(keys).size).toBe(keys.length);
  for (let i = 0; i < INVOICES; i++) expect(keys).toContain(`${SUPPLIER}|${number(i)}|2026`);
  expect(records.filter((rec) => !states.has(rec.state)).map((rec) => `${rec.number}: ${rec.state}`)).toEqual([]);
  // every day reconciles clean: what it received, what it wrote, what came of it
  for (let n = 0; n <= 4; n++) {
    const date = dayOf(dayN(n), config.timezone);
    const r = await reconcileDay({ config, date });
    expect([date, r.error, r.report?.anomalies, r.exitCode]).toEqual([date, undefined, [], 0]);
    expect(r.report?.totals.files.files).toBe(n === 0 ? INVOICES : 135 - (r.report?.totals.files.alreadyProcessed ?? 0));
  }
}, 600_000);

describe('one by one', () => {
  it('reads xs:dateTime as the CPPStatut XSD does', () => {
    for (const ok of ['2026-11-20T10:00:00', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00.125+01:00', ' 2026-02-28T23:59:59-14:00 ', '2024-02-29T00:00:00+14:00']) expect([ok, isXsDateTime(ok)]).toEqual([ok, true]);
    for (const bad of ['', '1', '2026-11-20', '2026-11-20 10:00:00', '2026-11-20T24:00:00', '2026-11-20T10:60:00', '2026-02-29T10:00:00', '2026-11-20T10:00:00+15:00', '+275760-09-13T00:00:00Z', 'December 17, 1995 03:24:00', '٢٠٢٦-11-20T10:00:00']) {
      expect([bad, isXsDateTime(bad)]).toEqual([bad, false]);
    }
  });

  it('refuses a status line without a valid Horodatage or DateFacture, saying which, and forwards the others with the invoice as deposited', async () => {
    const root = tempDir('cf-hostile-status-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const inbox0 = path.join(root, 'inbox-0');
    for (let i = 0; i < 4; i++) drop(inbox0, 'op-beta', `f${i}.xml`, invoice(i));
    await runOnce(inbox0, config);
    const inbox1 = path.join(root, 'inbox-1');
    const flow = siStatusFlow('SI-ONE', [
      { supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: number(0), horodatage: '2026-11-20' },
      { supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: number(1), dateFacture: '2026-13-45' },
      { supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: number(2), horodatage: '2026-11-21T09:30:00+01:00' },
    ])
      // the SI echoes parties the XSD cannot carry: they are not forwarded
      .replace('<TypeIdentifiant>1</TypeIdentifiant>', '<TypeIdentifiant>NaN</TypeIdentifiant>')
      .replace(/(<\/RaisonSociale>)/g, '$1<CodePays>France</CodePays>');
    drop(inbox1, 'si-valmont', 'statuts.xml', flow);
    // without its Horodatage, a line leaves the CPPStatut XSD: the flow is refused whole, as
    // Chorus Pro refuses a flow its schema refuses, and kept as it came
    const headless = flow.replace(/<Horodatage>2026-11-20T10:00:00\+01:00<\/Horodatage>(\s*<IdFacture>F-2026-H1<)/, '$1');
    expect(headless).not.toBe(flow);
    drop(inbox1, 'si-valmont', 'statuts-sans-horodatage.xml', headless);
    const run1 = await runOnce(inbox1, config);
    const r = run1.results.find((x) => x.file.endsWith('statuts.xml')) as (typeof run1.results)[number];
    expect(r.outcome).toBe('status-applied');
    expect(r.invoices.map((i) => [i.number, i.outcome, i.findings?.[0]?.rule])).toEqual([
      [number(0), 'refused', 'CPRO-STATUT-HORODATAGE'],
      [number(1), 'refused', 'CPRO-STATUT-DATE'],
      [number(2), 'status', undefined],
    ]);
    expect(r.invoices[0].findings?.[0].message).toBe(
      `Statut 1 (facture ${number(0)} du fournisseur ${SUPPLIER}) : Horodatage "2026-11-20" is not a date and time: the moment the status was produced is required, as xs:dateTime (2026-11-20T10:00:00+01:00).`,
    );
    const whole = run1.results.find((x) => x.file.endsWith('statuts-sans-horodatage.xml')) as (typeof run1.results)[number];
    expect([whole.outcome, whole.findings.map((f) => f.rule)]).toEqual(['refused', ['FLUX-SCHEMA']]);
    expect(whole.findings[0].message).toMatch(/^At line \d+, <IdFacture> is not allowed in <DonneesStatut> here: the CPPStatut V1_19 schema expects .*Horodatage/);
    const kept = whole.outputs.find((o) => o.kind === 'error');
    expect(readFileSync(path.join(out, kept?.path ?? '?'), 'utf8')).toBe(headless);
    expect(JSON.parse(readFileSync(path.join(out, `${kept?.path}.reason.json`), 'utf8'))).toMatchObject({ findings: [{ rule: 'FLUX-SCHEMA' }] });
    // the SI is told: a 93 flow status naming the rule
    const told = whole.outputs.filter((o) => o.kind === 'statut').map((o) => readFileSync(path.join(out, o.path), 'utf8'));
    expect(told).toEqual([expect.stringMatching(/<IdStatut>93<\/IdStatut>[^]*<CodeErreur>FLUX-SCHEMA<\/CodeErreur>/)]);
    // with its Horodatage, the bad DateFacture is what is said
    const inbox2 = path.join(root, 'inbox-2');
    drop(inbox2, 'si-valmont', 'statuts.xml', siStatusFlow('SI-TWO', [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut: '07', idFacture: number(1), dateFacture: '2026-13-45' }]));
    const [r2] = (await runOnce(inbox2, config)).results;
    expect(r2.outcome).toBe('refused');
    expect(r2.findings.map((f) => f.rule)).toEqual(['CPRO-STATUT-DATE']);

    // the applied line went to the depositor with the SI's moment and the invoice's own parties
    const forwarded = r.outputs.filter((o) => o.kind === 'statut').map((o) => path.join(out, o.path));
    const toDepositor = forwarded.map((f) => readFileSync(f, 'utf8')).find((x) => x.includes('<IdStatut>07</IdStatut>'));
    expect(toDepositor).toBeDefined();
    expect(toDepositor).toContain('<Horodatage>2026-11-21T09:30:00+01:00</Horodatage>');
    expect(toDepositor).toMatch(/<Fournisseur>\s*<TypeIdentifiant>1<\/TypeIdentifiant>/);
    expect(toDepositor).not.toContain('CodePays');
    expect(validateFiles(SCHEMAS.statut, forwarded).flatMap((v) => v.errors)).toEqual([]);
  });
});
