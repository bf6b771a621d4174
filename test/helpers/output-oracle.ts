/**
 * The official oracle over a whole output tree of `chorus-flux run`, and the consistency of its
 * outputs with each other and with the journal:
 *  - every pivot against the CPPFacturePivot V2_02 XSD, every CPPStatut against V1_19 (xmllint,
 *    files in batches), every CDAR against the D22B XSD and the BR-FR-CDV schematron (Saxon-HE);
 *  - every Factur-X a pivot carries: its CII against its profile's Factur-X XSD and schematron
 *    (and the EN 16931 CII schematron for EN 16931), the PDF through `qpdf --check`, its
 *    PDF/A-3 structure (qpdf --json: trailer /ID, /AF, filespec and its AFRelationship, the
 *    embedded file's /Subtype and /Params, an OutputIntent) and its XMP (pdfinfo -meta);
 *  - every invoice the journal says emitted (accepted, completed, recycled) in exactly one pivot
 *    unit of its IdCPRO and Renvoi (Non, Complétée, Recyclée), and no unit that is not one; the Factur-X amounts (BT-109, BT-112, BT-115, BT-110, and from BASIC on
 *    the VAT breakdown and the line count) equal to the pivot's; one Factur-X per unit with it,
 *    none without; the profile EN 16931 for UBL and CII inputs, MINIMUM for pivot inputs
 *    (docs/FACTURX.md);
 *  - every refused file or invoice: its status flow (CPPStatut and/or CDAR, as its partner
 *    takes them) naming a rule id among its findings, every reason at most 300 characters
 *    (IPM4-009), its original and .reason.json under error/ with every finding's rule and message.
 * Used by test/validation/bench-sample-oracle.test.ts on a small seeded bench corpus; on a
 * large one by hand:
 *   node -r ./test/helpers/ts-register.js test/helpers/output-oracle.ts <out> <config.json>
 * (exit 1 and one line per problem when there is any).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractEmbeddedInvoice } from '../../src/transform/facturx/extract';
import { xmlEncodingOf } from '../../src/xml/decode';
import { PROFILES, PROFILE_INFO, type FacturXProfile } from '../../src/transform/facturx/profiles';
import { checkCdar } from '../cdar/oracle';
import { SCHEMAS } from './corpus';
import { facturXFailures } from './hostile';
import { validateFiles } from './xsd';

export interface OracleOptions {
  /** Factur-X enabled in the run's configuration */
  facturx: boolean;
  /** partners by the status formats they take (their configuration's statusFormats) */
  statusFormats: Record<string, ('CPPStatut' | 'CDAR')[]>;
  log?: (line: string) => void;
}

export interface OracleReport {
  problems: string[];
  counts: { pivots: number; statut: number; cdar: number; units: number; accepted: number; refusedChecked: number; facturx: Record<string, number> };
}

interface Finding {
  rule: string;
  message: string;
}
interface Outcome {
  file: string;
  partner: string;
  outcome: string;
  outputs: { kind: string; path: string }[];
  invoices?: { number: string; outcome: string; idCpro?: string; findings?: Finding[] }[];
  findings?: Finding[];
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const chunks = <T>(a: T[], n: number): T[][] => Array.from({ length: Math.ceil(a.length / n) }, (_, k) => a.slice(k * n, k * n + n));
const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const chars = (s: string) => [...unxml(s)].length;
const num = (s: string | undefined) => (s === undefined ? NaN : Number(s));
const tag = (xml: string, name: string) => new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];

/** The Renvoi of the pivot unit an invoice outcome emits (the others emit none). */
const RENVOI_OF: Record<string, string> = { accepted: 'Non', completed: 'Complétée', recycled: 'Recyclée' };

/** The outcome lines of the journal under `out`. */
export function journalOutcomes(out: string): Outcome[] {
  return walk(path.join(out, 'journal'))
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Outcome & { event: string }))
    .filter((j) => j.event === 'outcome');
}

/** Runs xargs -P 2 over `files` with a shell command of "$0" (the file), in one child. */
function eachFile(files: string[], listFile: string, command: string): void {
  // an empty list is one empty line to xargs: the command ran once on "" and wrote ".check",
  // ".json" and ".xmp" into the current folder (seen after a lifecycle run without Factur-X)
  if (files.length === 0) return;
  writeFileSync(listFile, `${files.join('\n')}\n`);
  const r = spawnSync('bash', ['-c', `xargs -d '\\n' -a '${listFile}' -P 2 -n 1 sh -c '${command}'`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xargs ${command}: ${r.stderr}`);
}

export async function outputOracle(out: string, opts: OracleOptions): Promise<OracleReport> {
  const log = opts.log ?? (() => undefined);
  const problems: string[] = [];
  const bad = (s: string) => problems.push(s);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cf-output-oracle-'));
  const counts: OracleReport['counts'] = { pivots: 0, statut: 0, cdar: 0, units: 0, accepted: 0, refusedChecked: 0, facturx: {} };
  try {
    const outcomes = journalOutcomes(out);
    const sourceOf = new Map<string, string>();
    for (const o of outcomes) for (const i of o.invoices ?? []) if (i.outcome === 'accepted' && i.idCpro) sourceOf.set(i.idCpro, o.file);

    // the schemas
    const pivots = walk(path.join(out, 'pivot')).filter((f) => f.endsWith('.xml'));
    const statuts = walk(path.join(out, 'statut')).filter((f) => f.endsWith('.xml'));
    const cdars = walk(path.join(out, 'cdar')).filter((f) => f.endsWith('.xml'));
    Object.assign(counts, { pivots: pivots.length, statut: statuts.length, cdar: cdars.length });
    for (const [xsd, files, what] of [
      [SCHEMAS.pivot, pivots, 'pivot'],
      [SCHEMAS.statut, statuts, 'statut'],
    ] as const) {
      for (const c of chunks(files, 300)) for (const r of validateFiles(xsd, c)) if (!r.valid || r.errors.length > 0) bad(`${what} XSD ${r.file}: ${r.errors.slice(0, 2).join(' | ')}`);
    }
    log(`XSD: ${pivots.length} pivots, ${statuts.length} status flows`);
    for (const c of chunks(cdars, 4000)) {
      const res = checkCdar({}, Object.fromEntries(c.map((f, k) => [`c${k}`, f])));
      c.forEach((f, k) => {
        const r = res.get(`c${k}`);
        if (!r?.xsdValid) bad(`cdar XSD ${f}: ${r?.xsdErrors.slice(0, 2).join(' | ')}`);
        else if (r.fatal.length > 0) bad(`cdar BR-FR-CDV ${f}: ${r.fatal.map((a) => `${a.id} ${a.text}`).join(' | ')}`);
      });
    }
    for (const f of cdars) for (const m of readFileSync(f, 'utf8').matchAll(/<ram:Reason>([^<]*)<\/ram:Reason>/g)) if (chars(m[1]) > 300) bad(`cdar ${f}: a reason of ${chars(m[1])} characters`);
    for (const f of statuts) for (const m of readFileSync(f, 'utf8').matchAll(/<(LibelleErreur|Commentaire|DescriptionErreur)>([^<]*)<\//g)) if (chars(m[2]) > 300) bad(`statut ${f}: ${m[1]} of ${chars(m[2])} characters`);
    log(`CDAR: ${cdars.length}`);

    // the pivot units and their Factur-X
    // units by IdCPRO and Renvoi: an invoice goes out again (Complétée, Recyclée) with its IdCPRO
    const inPivots = new Map<string, number>();
    const ciiDir = path.join(scratch, 'cii');
    const pdfDir = path.join(scratch, 'pdf');
    mkdirSync(ciiDir);
    mkdirSync(pdfDir);
    const byProfile = new Map<FacturXProfile, Map<string, string>>();
    const pdfProfile = new Map<string, FacturXProfile>();
    for (const p of pivots) {
      const xml = readFileSync(p, 'utf8');
      const units = xml.split('<CPPFacturePivotUnitaire').slice(1);
      const compteur = /<CPPFactures Compteur="(\d+)"/.exec(xml)?.[1];
      if (Number(compteur) !== units.length) bad(`pivot ${p}: Compteur ${compteur}, ${units.length} units`);
      for (const u of units) {
        counts.units++;
        const id = tag(u, 'IdCPRO');
        if (!id) {
          bad(`pivot ${p}: a unit without IdCPRO`);
          continue;
        }
        const unit = `${id} ${tag(u, 'Renvoi') ?? 'Non'}`;
        inPivots.set(unit, (inPivots.get(unit) ?? 0) + 1);
        const names = [...u.matchAll(/<NomPJ>([^<]*)<\/NomPJ>/g)].map((m) => m[1].toLowerCase());
        if (new Set(names).size !== names.length) bad(`pivot ${p} IdCPRO ${id}: NomPJ not unique (${names.join(', ')})`);
        const fx = [...u.matchAll(/<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>[^<]*<\/NomPJ>(?:\s*<NomPJOrigine>[^<]*<\/NomPJOrigine>)?\s*<CategoriePJ>DUPLICATA_FACTUR-X</g)];
        if (!opts.facturx) {
          if (fx.length > 0) bad(`pivot ${p} IdCPRO ${id}: a Factur-X, Factur-X disabled`);
          continue;
        }
        if (fx.length !== 1) {
          bad(`pivot ${p} IdCPRO ${id}: ${fx.length} Factur-X`);
          continue;
        }
        const pdf = Buffer.from(fx[0][1], 'base64');
        const pdfFile = path.join(pdfDir, `${id}.pdf`);
        writeFileSync(pdfFile, pdf);
        let cii: string;
        try {
          cii = Buffer.from((await extractEmbeddedInvoice(pdf)).xml).toString('utf8');
        } catch (e) {
          bad(`pivot ${p} IdCPRO ${id}: its Factur-X cannot be read (${(e as Error).message})`);
          continue;
        }
        const guideline = /GuidelineSpecifiedDocumentContextParameter>\s*<ram:ID>([^<]*)</.exec(cii)?.[1];
        const profile = PROFILES.find((k) => PROFILE_INFO[k].guideline === guideline);
        if (!profile) {
          bad(`pivot ${p} IdCPRO ${id}: unknown Factur-X guideline ${guideline}`);
          continue;
        }
        const source = sourceOf.get(id) ?? '?';
        const fromPivot = /<CPPFacturePivot[\s>]/.test(existsSync(path.join(out, 'archive')) ? archived(out, source) : '');
        const wanted: FacturXProfile = fromPivot ? 'MINIMUM' : 'EN 16931';
        const label = `${fromPivot ? 'pivot' : 'invoice'}:${profile}`;
        counts.facturx[label] = (counts.facturx[label] ?? 0) + 1;
        if (profile !== wanted) bad(`pivot ${p} IdCPRO ${id} (${source}): Factur-X ${profile}, ${wanted} expected`);
        pdfProfile.set(pdfFile, profile);
        writeFileSync(path.join(ciiDir, `${id}.xml`), cii);
        const set = byProfile.get(profile) ?? new Map<string, string>();
        set.set(`${id}.xml`, cii);
        byProfile.set(profile, set);
        // the amounts: the pivot's against the Factur-X's
        const montants = /<Montants>[\s\S]*?<\/Montants>/.exec(u)?.[0] ?? '';
        const summation = /<ram:SpecifiedTradeSettlementHeaderMonetarySummation>[\s\S]*?<\/ram:SpecifiedTradeSettlementHeaderMonetarySummation>/.exec(cii)?.[0] ?? '';
        for (const [a, b] of [
          ['MontantHT', 'ram:TaxBasisTotalAmount'],
          ['MontantTTC', 'ram:GrandTotalAmount'],
          ['MontantNetAPayer', 'ram:DuePayableAmount'],
        ]) {
          if (num(tag(montants, a)) !== num(tag(summation, b))) bad(`pivot ${p} IdCPRO ${id}: ${a} ${tag(montants, a)}, Factur-X ${b} ${tag(summation, b)}`);
        }
        const pivotTax = [...u.matchAll(/<MontantTVA>([^<]*)<\/MontantTVA>/g)].reduce((s, m) => s + Math.round(Number(m[1]) * 100), 0);
        if (Math.round(num(tag(summation, 'ram:TaxTotalAmount')) * 100) !== pivotTax) bad(`pivot ${p} IdCPRO ${id}: VAT ${pivotTax / 100}, Factur-X BT-110 ${tag(summation, 'ram:TaxTotalAmount')}`);
        if (profile === 'MINIMUM' || profile === 'BASIC WL') continue;
        const pivotVat = [...u.matchAll(/<TVA>([\s\S]*?)<\/TVA>/g)].map((m) => ['Taux', 'BaseHt', 'MontantTVA'].map((t) => num(tag(m[1], t))).join('/')).sort();
        const settlement = cii.slice(cii.indexOf('<ram:ApplicableHeaderTradeSettlement>'));
        const ciiVat = [...settlement.matchAll(/<ram:ApplicableTradeTax>([\s\S]*?)<\/ram:ApplicableTradeTax>/g)].map((m) => ['ram:RateApplicablePercent', 'ram:BasisAmount', 'ram:CalculatedAmount'].map((t) => num(tag(m[1], t))).join('/')).sort();
        if (pivotVat.join(',') !== ciiVat.join(',')) bad(`pivot ${p} IdCPRO ${id}: VAT breakdown ${pivotVat.join(', ')}, Factur-X ${ciiVat.join(', ')}`);
        const lines = (u.match(/<Ligne NumOrdre=/g) ?? []).length;
        const ciiLines = (cii.match(/<ram:IncludedSupplyChainTradeLineItem>/g) ?? []).length;
        if (lines !== ciiLines) bad(`pivot ${p} IdCPRO ${id}: ${lines} lines, Factur-X ${ciiLines}`);
      }
    }
    log(`pivot units: ${counts.units}`);

    // the journal's accepted invoices, one pivot unit each; refusals told with a rule and a reason
    const read = (rel: string) => readFileSync(path.join(out, rel), 'utf8');
    const emittedUnits = new Map<string, number>();
    for (const o of outcomes) {
      for (const x of o.outputs ?? []) if (!existsSync(path.join(out, x.path))) bad(`${o.file}: output ${x.path} missing`);
      for (const i of o.invoices ?? []) {
        const renvoi = RENVOI_OF[i.outcome];
        if (!renvoi) continue;
        counts.accepted++;
        const unit = `${i.idCpro} ${renvoi}`;
        emittedUnits.set(unit, (emittedUnits.get(unit) ?? 0) + 1);
      }
      const refused = (o.invoices ?? []).filter((i) => i.outcome === 'refused');
      if (o.outcome !== 'refused' && refused.length === 0) continue;
      counts.refusedChecked++;
      const formats = opts.statusFormats[o.partner] ?? ['CPPStatut'];
      const rules = new Set([...(o.findings ?? []), ...refused.flatMap((i) => i.findings ?? [])].map((f) => f.rule));
      // the answers to the sender; a status flow's applied lines go on to their depositors, in theirs
      const toSender = (kind: string) => o.outputs.filter((x) => x.kind === kind && x.path.startsWith(`${kind}/${o.partner}/`)).map((x) => read(x.path));
      const statut = toSender('statut');
      const cdar = toSender('cdar');
      if (formats.includes('CPPStatut')) {
        const codes = statut.flatMap((s) => [...s.matchAll(/<CodeErreur>([^<]*)<\/CodeErreur>/g)].map((m) => m[1]));
        if (statut.length === 0) bad(`${o.file} (${o.outcome}): no CPPStatut`);
        else if (!codes.some((c) => rules.has(c))) bad(`${o.file} (${o.outcome}): CPPStatut error codes ${codes.join(', ')} name none of its rules ${[...rules].join(', ')}`);
        if (o.outcome === 'refused' && !statut.some((s) => /<IdStatut>93<\/IdStatut>/.test(s))) bad(`${o.file}: refused, no flow status 93`);
        if (!statut.some((s) => /<LibelleErreur>[^<]+</.test(s))) bad(`${o.file} (${o.outcome}): no LibelleErreur`);
      } else if (statut.length > 0) bad(`${o.file}: a CPPStatut for a partner that takes ${formats.join(', ')}`);
      if (formats.includes('CDAR')) {
        if (cdar.length === 0) bad(`${o.file} (${o.outcome}): no CDAR`);
        else if (!cdar.some((c) => /<ram:Reason>[^<]+</.test(c))) bad(`${o.file} (${o.outcome}): no CDAR reason`);
      } else if (cdar.length > 0) bad(`${o.file}: a CDAR for a partner that takes ${formats.join(', ')}`);
      if (o.outcome === 'refused') {
        const kept = o.outputs.filter((x) => x.kind === 'error');
        const reasons = o.outputs.filter((x) => x.kind === 'reason');
        if (kept.length !== 1 || reasons.length !== 1) bad(`${o.file}: ${kept.length} originals and ${reasons.length} .reason.json under error/`);
        for (const r of reasons) {
          const findings = (JSON.parse(read(r.path)) as { findings?: Finding[] }).findings ?? [];
          if (findings.length === 0 || !findings.every((f) => f.rule && f.message)) bad(`${r.path}: findings without a rule or a message`);
        }
      }
    }
    for (const [unit, n] of emittedUnits) if ((inPivots.get(unit) ?? 0) !== n) bad(`IdCPRO and Renvoi ${unit}: ${n} invoices emitted in the journal, ${inPivots.get(unit) ?? 0} pivot units`);
    if (counts.accepted !== counts.units) bad(`${counts.accepted} accepted invoices in the journal, ${counts.units} pivot units`);
    log(`journal: ${outcomes.length} outcomes, ${counts.accepted} accepted invoices`);

    if (opts.facturx) {
      for (const [profile, docs] of byProfile) {
        for (const c of chunks([...docs.entries()], 3000)) for (const f of facturXFailures(new Map([[profile, new Map(c)]]), ciiDir)) bad(`Factur-X ${f}`);
        log(`Factur-X ${profile}: ${docs.size}`);
      }
      const pdfs = [...pdfProfile.keys()];
      eachFile(pdfs, path.join(scratch, 'pdfs.txt'), 'qpdf --check "$0" > "$0.check" 2>&1; echo "exit $?" >> "$0.check"; qpdf --json=2 --json-key=qpdf "$0" > "$0.json" 2>&1; pdfinfo -meta "$0" > "$0.xmp" 2>&1; true');
      for (const f of pdfs) {
        const check = readFileSync(`${f}.check`, 'utf8');
        if (!check.includes('No syntax or stream encoding errors found') || !check.trimEnd().endsWith('exit 0') || /warning/i.test(check)) bad(`qpdf --check ${f}: ${check.slice(0, 300)}`);
        const profile = pdfProfile.get(f) as FacturXProfile;
        const why = pdfA3Structure(readFileSync(`${f}.json`, 'utf8'), profile === 'MINIMUM' || profile === 'BASIC WL' ? '/Data' : '/Alternative');
        if (why.length > 0) bad(`PDF/A-3 structure ${f}: ${why.join('; ')}`);
        const xmp = readFileSync(`${f}.xmp`, 'utf8');
        for (const k of ['<pdfaid:part>3<', '<pdfaid:conformance>B<', `<fx:ConformanceLevel>${profile}<`, '<fx:DocumentFileName>factur-x.xml<', '<fx:DocumentType>INVOICE<', '<fx:Version>1.0<']) if (!xmp.includes(k)) bad(`XMP ${f}: no ${k}`);
      }
      log(`PDF: ${pdfs.length}`);
    }
    return { problems, counts };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The archived original of an inbox file (archive/<day>/<its name>), '' when not found. */
function archived(out: string, file: string): string {
  const name = path.basename(file);
  for (const day of readdirSync(path.join(out, 'archive'))) {
    const f = path.join(out, 'archive', day, name);
    if (!existsSync(f)) continue;
    // in the encoding the original says it is in (a UTF-16 pivot is a pivot too)
    const head = readFileSync(f).subarray(0, 8192);
    let encoding = 'utf-8';
    try {
      encoding = xmlEncodingOf(head).encoding;
    } catch {
      // not text in any encoding we read: no root to find
    }
    return new TextDecoder(encoding === 'latin1' ? 'iso-8859-1' : encoding).decode(head).slice(0, 4096);
  }
  return '';
}

/** What a PDF lacks of the PDF/A-3 Factur-X structure, from `qpdf --json=2 --json-key=qpdf`. */
function pdfA3Structure(json: string, relationship: string): string[] {
  type Obj = Record<string, unknown> & { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown> } };
  let objects: Record<string, Obj>;
  try {
    objects = (JSON.parse(json) as { qpdf: [unknown, Record<string, Obj>] }).qpdf[1];
  } catch (e) {
    return [`qpdf --json: ${(e as Error).message}`];
  }
  const at = (ref: unknown) => objects[`obj:${String(ref)}`];
  const trailer = (objects.trailer?.value ?? {}) as Record<string, unknown>;
  const root = (at(trailer['/Root'])?.value ?? {}) as Record<string, unknown>;
  const why: string[] = [];
  if (!Array.isArray(trailer['/ID']) || (trailer['/ID'] as unknown[]).length !== 2) why.push('no trailer /ID');
  if (!root['/Metadata']) why.push('no /Metadata');
  const af = root['/AF'] as unknown[] | undefined;
  const spec = (Array.isArray(af) ? at(af[0])?.value : undefined) as Record<string, unknown> | undefined;
  if (!spec) why.push('no /AF');
  else {
    if (spec['/AFRelationship'] !== relationship) why.push(`/AFRelationship ${String(spec['/AFRelationship'])}, ${relationship} expected`);
    if (spec['/F'] !== 'u:factur-x.xml' || spec['/UF'] !== 'u:factur-x.xml') why.push(`filespec /F ${String(spec['/F'])}`);
    const ef = at((spec['/EF'] as Record<string, unknown> | undefined)?.['/F'])?.stream?.dict ?? {};
    const params = ef['/Params'] as Record<string, unknown> | undefined;
    if (ef['/Subtype'] !== '/text/xml') why.push(`embedded file /Subtype ${String(ef['/Subtype'])}`);
    if (!params?.['/ModDate'] || params['/Size'] === undefined) why.push('embedded file without /Params /ModDate and /Size');
  }
  const intents = root['/OutputIntents'] as unknown[] | undefined;
  const intent = (Array.isArray(intents) ? at(intents[0])?.value : undefined) as Record<string, unknown> | undefined;
  if (!intent || intent['/S'] !== '/GTS_PDFA1' || !intent['/DestOutputProfile']) why.push('no PDF/A OutputIntent with its profile');
  return why;
}

if (require.main === module) {
  const [out, configFile] = process.argv.slice(2);
  if (!out || !configFile) {
    process.stderr.write('usage: node -r ./test/helpers/ts-register.js test/helpers/output-oracle.ts <out> <config.json>\n');
    process.exit(2);
  }
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { partners?: { id: string; statusFormats?: ('CPPStatut' | 'CDAR')[] }[]; facturx?: { enabled?: boolean } };
  const statusFormats: OracleOptions['statusFormats'] = Object.fromEntries((config.partners ?? []).map((p) => [p.id, p.statusFormats ?? ['CPPStatut']]));
  const t0 = Date.now();
  outputOracle(out, { facturx: config.facturx?.enabled === true, statusFormats, log: (l) => process.stderr.write(`[${Math.round((Date.now() - t0) / 1000)} s] ${l}\n`) }).then(
    (r) => {
      for (const p of r.problems) process.stdout.write(`${p}\n`);
      process.stderr.write(`${JSON.stringify(r.counts)}\n${r.problems.length} problems\n`);
      process.exit(r.problems.length > 0 ? 1 : 0);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(2);
    },
  );
}
