/**
 * The seeded mutants of seeded-mutants.ts against the official XSLT: for each, our fatal rule
 * ids (profile en16931) and the schematron's failed-assert fatal ids, and whether the mutant
 * is still schema-valid (the element structure check, FLUX-SCHEMA, which the pipeline runs
 * first). By hand, for large runs:
 *
 *   node -r ./test/helpers/ts-register.js test/validation/support/mutant-diff.ts [seed] [count] [out.json] [coherent]
 *
 * (`coherent`: the mutants of coherent-mutants.ts instead)
 */
import { writeFileSync } from 'node:fs';
import { isFluxError } from '../../../src/model/flux-error';
import { parseFlux } from '../../../src/transform/parse/flux';
import { validateInvoice } from '../../../src/transform/validate/engine';
import { PIVOT_CONFORMANCE_RULES } from '../../../src/transform/validate/rules/pivot-conformance';
import { coherentMutants } from './coherent-mutants';
import { fatalIds, saxonValidate } from './saxon';
import { officialExamples, seededMutants, type Mutant } from './seeded-mutants';

/** the official id set of a document the XSLT fails on */
export const XSLT_ERROR = '(XSLT error)';

export interface Verdict {
  /** the XSLT's dynamic error, when it could not evaluate the document */
  xsltError?: string;
  mutant: Mutant;
  official: string[];
  ours: string[];
  /** the first finding that is not an EN 16931 one: the document is not read, or leaves its XSD */
  refusal?: string;
  /** the CPRO-PIVOT-* findings, for a document the XSLT cannot evaluate */
  chorus?: string[];
  /** official fatal ids we miss */
  missed: string[];
  /** fatal ids we report that the schematron does not */
  extra: string[];
}

export async function ourFatal(xml: string): Promise<string[]> {
  const flux = await parseFlux(Buffer.from(xml, 'utf8'), { schemaStructure: false });
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  const ids = new Set<string>();
  for (const inv of flux.invoices) for (const f of validateInvoice({ invoice: inv }, 'en16931')) if (f.severity === 'fatal') ids.add(f.rule);
  return [...ids].sort();
}

/**
 * The pivot conformance guard's fatal ids (CPRO-PIVOT-*, profile chorus): what refuses in the
 * pipeline a value no EN 16931 rule of ours names (an impossible date, an empty indicator).
 */
export async function chorusFatal(xml: string): Promise<string[]> {
  const flux = await parseFlux(Buffer.from(xml, 'utf8'), { schemaStructure: false });
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  const chorus = { recipients: [], limits: { maxAttachmentBytes: 1e9, maxInvoiceBytes: 1e9 } };
  const ids = new Set<string>();
  for (const inv of flux.invoices) for (const f of validateInvoice({ invoice: inv, chorus }, 'chorus', PIVOT_CONFORMANCE_RULES)) if (f.severity === 'fatal') ids.add(f.rule);
  return [...ids].sort();
}

/** The flux-level refusal of the pipeline (FLUX-SCHEMA, FLUX-MALFORMED…), if any. */
export async function fluxRefusal(xml: string): Promise<string | undefined> {
  try {
    await parseFlux(Buffer.from(xml, 'utf8'));
    return undefined;
  } catch (e) {
    if (isFluxError(e)) return `${e.rule}: ${e.message.slice(0, 200)}`;
    throw e;
  }
}

export async function judge(mutants: Mutant[]): Promise<Verdict[]> {
  const failed = new Map<string, string>();
  const svrl = saxonValidate(mutants.map((m) => ({ name: m.name, syntax: m.syntax, xml: m.xml })), failed);
  const out: Verdict[] = [];
  for (const m of mutants) {
    const error = failed.get(m.name);
    if (error !== undefined) {
      // the XSLT cannot evaluate it (an invalid date or decimal cast): refused, no rule named
      const ours = await ourFatal(m.xml).catch(() => ['(unread)']);
      out.push({ mutant: m, official: [XSLT_ERROR], ours, chorus: await chorusFatal(m.xml).catch(() => []), xsltError: error, refusal: await fluxRefusal(m.xml), missed: ours.length === 0 ? [XSLT_ERROR] : [], extra: [] });
      continue;
    }
    const official = fatalIds(svrl.get(m.name) as string);
    let ours: string[];
    try {
      ours = await ourFatal(m.xml);
    } catch (e) {
      ours = [`(${isFluxError(e) ? e.rule : 'THROWS'})`];
    }
    out.push({ mutant: m, official, ours, refusal: await fluxRefusal(m.xml), missed: official.filter((r) => !ours.includes(r)), extra: ours.filter((r) => !official.includes(r)) });
  }
  return out;
}

export type DiffClass =
  | 'schema-invalid'
  | 'xslt-error, refused by CPRO-PIVOT'
  | 'xslt-error on a repeated element (CII)'
  | 'negative zero (Saxon-HE 9.9)'
  | 'unexplained';

/**
 * Why we and the XSLT disagree on a mutant, when it is one of the known, documented reasons
 * (docs/VALIDATION.md, "Where the official XSLT and the engine differ"); else 'unexplained'.
 */
export function classify(v: Verdict, base: string): DiffClass {
  if (v.refusal) return 'schema-invalid';
  if (v.xsltError !== undefined) {
    if ((v.chorus ?? []).length > 0) return 'xslt-error, refused by CPRO-PIVOT';
    return v.mutant.syntax === 'CII' && /sequence of more than one item/.test(v.xsltError) ? 'xslt-error on a repeated element (CII)' : 'unexplained';
  }
  if (/>-0(\.0+)?</.test(v.mutant.xml) && !/>-0(\.0+)?</.test(base)) return 'negative zero (Saxon-HE 9.9)';
  return 'unexplained';
}

async function main(): Promise<void> {
  const seed = Number(process.argv[2] ?? 1);
  const count = Number(process.argv[3] ?? 500);
  const file = process.argv[4] ?? `/tmp/mutant-diff-${seed}.json`;
  const t0 = Date.now();
  const mutants = process.argv[5] === 'coherent' ? coherentMutants(seed, count, officialExamples()) : seededMutants(seed, count);
  const v = await judge(mutants);
  const diff = v.filter((x) => x.missed.length + x.extra.length > 0);
  writeFileSync(file, JSON.stringify(diff.map((d) => ({ name: d.mutant.name, base: d.mutant.base, ops: d.mutant.ops, xsltError: d.xsltError, chorus: d.chorus, official: d.official, ours: d.ours, missed: d.missed, extra: d.extra, refusal: d.refusal })), null, 1));
  const clusters = new Map<string, number>();
  for (const d of diff) for (const k of [...d.missed.map((r) => `missed ${r}`), ...d.extra.map((r) => `extra ${r}`)]) clusters.set(`${d.mutant.syntax} ${k}${d.refusal ? ' (schema-invalid)' : ''}`, (clusters.get(`${d.mutant.syntax} ${k}${d.refusal ? ' (schema-invalid)' : ''}`) ?? 0) + 1);
  process.stdout.write(`${v.length} mutants, ${v.length - diff.length} agree, ${diff.length} disagree (${diff.filter((d) => d.refusal).length} of them schema-invalid), ${v.filter((x) => x.xsltError).length} the XSLT cannot evaluate, ${v.filter((x) => x.official.length === 0).length} valid for the XSLT; ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const bases = new Map(officialExamples().map((e) => [e.base, e.xml]));
  const classes = new Map<string, Verdict[]>();
  for (const d of diff) {
    const c = classify(d, bases.get(d.mutant.base) as string);
    classes.set(c, [...(classes.get(c) ?? []), d]);
  }
  for (const [c, ds] of classes) process.stdout.write(`${String(ds.length).padStart(5)}  ${c}\n`);
  for (const d of classes.get('unexplained') ?? []) process.stdout.write(`  ${d.mutant.name} ${JSON.stringify(d.mutant.ops)} official ${d.official} ours ${d.ours}${d.xsltError ? ` xslt: ${d.xsltError.slice(0, 90)}` : ''}\n`);
  for (const [k, n] of [...clusters].sort((a, b) => b[1] - a[1])) process.stdout.write(`${String(n).padStart(5)}  ${k}\n`);
}

if (require.main === module) main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
