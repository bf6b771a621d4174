/**
 * Validation throughput: our EN 16931 validator against the official schematron run by
 * SaxonJS, side by side in one run, on the official examples (corpus/en16931, 18 UBL + 15 CII).
 *
 * - ours: the validator (validateInvoice(…, 'en16931') over a parsed invoice), the validator
 *   with the syntax facts it needs (read from the parsed XML tree, as the parser does), and end
 *   to end (bytes → parseFlux → validateInvoice);
 * - official: SaxonJS 2 (npm saxon-js) running the official XSLT compiled once to SEF
 *   (cached under .cache/sef, git-ignored; compiling takes a minute or two per syntax).
 * Both verdicts (sets of fatal rule ids) are compared per invoice. Throughput is given in wall
 * time and in CPU time of this process (steadier on a shared machine); the ratios use both.
 * The result is printed and written to the "Validation" section of docs/PERFORMANCE.md.
 *
 * `npm run bench` (bench/index.ts calls main()), or alone: node dist/bench/validate.js.
 * BENCH_SECONDS (default 5) bounds our loops; BENCH_SAXON_PASSES (default 3) the measured SaxonJS passes (after one warm-up pass).
 * Each throughput is the median round's (one round = one pass over the examples).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Invoice } from '../src/model/invoice';
import { parseFlux, readXml } from '../src/transform/parse/flux';
import { ciiFacts } from '../src/transform/validate/facts/cii-facts';
import { ublFacts } from '../src/transform/validate/facts/ubl-facts';
import { validateInvoice } from '../src/transform/validate/engine';
import { projectRoot } from '../src/util/project-root';

type Syntax = 'UBL' | 'CII';

interface Doc {
  name: string;
  syntax: Syntax;
  bytes: Buffer;
}

export interface Throughput {
  invoices: number;
  wallMs: number;
  cpuMs: number;
  perSecondWall: number;
  perSecondCpu: number;
}

export interface ValidateBenchResult {
  date: string;
  machine: { cpu: string; cores: number; ramGiB: number; os: string; node: string };
  examples: number;
  /** validateInvoice over parsed invoices (model + syntax facts) */
  validator: Throughput;
  /** the syntax facts read from the parsed XML tree, then validateInvoice */
  validation: Throughput;
  /** bytes → parseFlux → validateInvoice */
  endToEnd: Throughput;
  saxonjs: Throughput;
  /** validator vs SaxonJS */
  ratioCpu: number;
  ratioWall: number;
  /** facts + validator vs SaxonJS */
  ratioValidationCpu: number;
  ratioValidationWall: number;
  /** bytes → findings vs SaxonJS */
  ratioEndToEndCpu: number;
  ratioEndToEndWall: number;
  loadAverage: number;
  sameVerdicts: number;
  differences: { name: string; ours: string[]; official: string[] }[];
}

const XSLT_NAME: Record<Syntax, string> = { UBL: 'EN16931-UBL-validation', CII: 'EN16931-CII-validation' };

function corpusDir(): string {
  return path.resolve(projectRoot(), '../shared/corpus');
}

function loadDocs(): Doc[] {
  const docs: Doc[] = [];
  for (const [dir, syntax] of [
    ['ubl-examples', 'UBL'],
    ['cii-examples', 'CII'],
  ] as const) {
    const d = path.join(corpusDir(), 'en16931', dir);
    for (const f of readdirSync(d).filter((x) => /\.xml$/i.test(x)).sort()) docs.push({ name: `${dir}/${f}`, syntax, bytes: readFileSync(path.join(d, f)) });
  }
  return docs;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The median of per-round measures: steadier than a mean on a machine shared with other work. */
function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * Runs `pass` (one pass over the docs) in rounds for about `seconds`; the throughput is the
 * median round's, in wall and in CPU time.
 */
async function rounds(seconds: number, docs: number, pass: () => Promise<void> | void, minRounds = 1, before?: () => void): Promise<Throughput> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let n = 0;
  let totalWall = 0;
  let totalCpu = 0;
  const end = performance.now() + seconds * 1000;
  do {
    before?.();
    const w0 = performance.now();
    const c0 = cpuMs();
    await pass();
    const w = performance.now() - w0;
    const c = cpuMs() - c0;
    wall.push(w / docs);
    cpu.push(c / docs);
    totalWall += w;
    totalCpu += c;
    n += docs;
  } while (performance.now() < end || wall.length < minRounds);
  return { invoices: n, wallMs: totalWall, cpuMs: totalCpu, perSecondWall: 1000 / median(wall), perSecondCpu: 1000 / median(cpu) };
}

function fatalOf(invoices: Invoice[]): string[] {
  const ids = new Set<string>();
  for (const invoice of invoices) for (const f of validateInvoice({ invoice }, 'en16931')) if (f.severity === 'fatal') ids.add(f.rule);
  return [...ids].sort();
}

/** The official XSLT compiled to SEF by xslt3 (once; cached under .cache/sef). */
function sefPath(syntax: Syntax): string {
  const root = projectRoot();
  const dir = path.join(root, '.cache', 'sef');
  const sef = path.join(dir, `${XSLT_NAME[syntax]}.sef.json`);
  if (existsSync(sef)) return sef;
  mkdirSync(dir, { recursive: true });
  const xslt = path.join(corpusDir(), 'en16931', 'xslt', `${XSLT_NAME[syntax]}.xslt`);
  process.stderr.write(`bench/validate: compiling ${path.basename(xslt)} to SEF (once, cached in .cache/sef)…\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'xslt3', 'xslt3.js'), `-xsl:${xslt}`, `-export:${sef}`, '-nogo', '-relocate:on'], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(sef)) throw new Error(`xslt3 could not compile ${xslt}: ${r.stderr}`);
  return sef;
}

function svrlFatal(svrl: string): string[] {
  const ids = new Set<string>();
  for (const m of svrl.matchAll(/<svrl:failed-assert\b([^>]*)>/g)) {
    const a = m[1];
    if (/\bflag="fatal"/.test(a)) ids.add(/\bid="([^"]*)"/.exec(a)?.[1] ?? '');
  }
  return [...ids].sort();
}

const HEADING = '## Validation (EN 16931): chorus-flux against the official schematron';

/**
 * Writes the validation section of docs/PERFORMANCE.md: the heading, then the body between
 * markers. The markers sit after the heading so that benchmarks which rewrite their own
 * section "up to the next ## heading" never touch them.
 */
export function writeValidationSection(body: string, file = path.join(projectRoot(), 'docs', 'PERFORMANCE.md')): void {
  const begin = '<!-- bench:validate:begin -->';
  const end = '<!-- bench:validate:end -->';
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i >= 0 && j > i && text.lastIndexOf(HEADING, i) >= 0) {
    text = `${text.slice(0, i)}${begin}\n${body.trim()}\n${text.slice(j)}`;
  } else {
    // no section yet (or a damaged one): drop any leftover and append a fresh one
    const h = text.indexOf(HEADING);
    if (h >= 0) {
      const next = text.slice(h + HEADING.length).search(/^## /m);
      text = text.slice(0, h) + (next < 0 ? '' : text.slice(h + HEADING.length + next));
    }
    text = text.split(begin).join('').split(end).join('');
    text = `${text.replace(/\n*$/, '\n\n')}${HEADING}\n\n${begin}\n${body.trim()}\n${end}\n`;
  }
  writeFileSync(file, text.replace(/\n{3,}/g, '\n\n'));
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function row(label: string, t: Throughput, d = 0): string {
  return `| ${label} | ${fmt(t.invoices)} | ${fmt(t.wallMs)} | ${fmt(t.cpuMs)} | ${fmt(t.perSecondWall, d)} | ${fmt(t.perSecondCpu, d)} |`;
}

function report(r: ValidateBenchResult): string {
  return [
    `Measured ${r.date} on ${r.machine.cpu}, ${r.machine.cores} cores, ${fmt(r.machine.ramGiB, 1)} GiB RAM, ${r.machine.os}, Node ${r.machine.node} (load average ${fmt(r.loadAverage, 1)} during the run), by \`bench/validate.ts\` (\`npm run bench\`).`,
    `Corpus: the ${r.examples} official EN 16931 examples (18 UBL, 15 CII), each validated with profile \`en16931\`.`,
    '',
    '| what runs | invoices run | wall ms | CPU ms | invoices/s (wall) | invoices/s (CPU) |',
    '|---|---:|---:|---:|---:|---:|',
    row('chorus-flux validator: `validateInvoice` over a parsed invoice (model + syntax facts)', r.validator),
    row('chorus-flux syntax facts (read from the parsed XML tree) + validator', r.validation),
    row('chorus-flux end to end: bytes → XML → model + facts → findings', r.endToEnd),
    row('official schematron on SaxonJS 2 (XSLT compiled once to SEF): XML text → SVRL', r.saxonjs, 2),
    '',
    `**The validator is ${fmt(r.ratioCpu)}× faster than the official schematron on SaxonJS in CPU time (${fmt(r.ratioWall)}× in wall time), with the same verdicts (set of fatal rule ids) on ${r.sameVerdicts} / ${r.examples} invoices.** With the syntax facts it needs: ${fmt(r.ratioValidationCpu)}× (${fmt(r.ratioValidationWall)}× wall). End to end from the bytes, where our XML reading (fast-xml-parser) takes most of the time: ${fmt(r.ratioEndToEndCpu)}× (${fmt(r.ratioEndToEndWall)}× wall).`,
    ...(r.differences.length ? ['', 'Differences:', ...r.differences.map((d) => `- ${d.name}: ours ${d.ours.join(' ') || '(none)'}, official ${d.official.join(' ') || '(none)'}`)] : []),
    '',
    'Each throughput is that of the median round (one round = one pass over the 33 examples; SaxonJS: one warm-up pass first, as V8 speeds it up markedly, then the measured passes). CPU time is the time this process spent (user + system), steadier than wall time on a machine shared with other work. The validator row rebuilds the syntax facts before each round, outside the timing, so nothing is reused from one round to the next.',
  ].join('\n');
}

export async function main(): Promise<ValidateBenchResult> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const passes = Math.max(1, Number(process.env.BENCH_SAXON_PASSES ?? 3));
  const docs = loadDocs();

  // ours: warm up, then measure
  const parsed: Invoice[][] = [];
  for (const d of docs) {
    const flux = await parseFlux(d.bytes);
    if (flux.kind === 'CPPStatut') throw new Error(`${d.name} is not an invoice`);
    parsed.push(flux.invoices);
  }
  const oursFatal = parsed.map(fatalOf);
  await rounds(Math.min(1, seconds / 5), docs.length, async () => {
    for (const d of docs) {
      const flux = await parseFlux(d.bytes);
      if (flux.kind !== 'CPPStatut') fatalOf(flux.invoices);
    }
  });
  const endToEnd = await rounds(seconds, docs.length, async () => {
    for (const d of docs) {
      const flux = await parseFlux(d.bytes);
      if (flux.kind !== 'CPPStatut') for (const invoice of flux.invoices) validateInvoice({ invoice }, 'en16931');
    }
  });

  // the syntax facts are read from the parsed XML tree (the parser does it in the pipeline)
  const trees = docs.map((d) => readXml(d.bytes));
  const freshFacts = () => {
    for (let k = 0; k < docs.length; k++) {
      const t = trees[k];
      for (const invoice of parsed[k]) {
        invoice.syntaxFacts = t.root.localName === 'CrossIndustryInvoice' ? { cii: ciiFacts(t.node) } : { ubl: ublFacts(t.node, t.root.localName as 'Invoice' | 'CreditNote') };
      }
    }
  };
  // the validator: validateInvoice on freshly parsed invoices (nothing cached from a previous round)
  const validator = await rounds(seconds, docs.length, () => {
    for (const invs of parsed) for (const invoice of invs) validateInvoice({ invoice }, 'en16931');
  }, 1, freshFacts);
  // validation: syntax facts + validator
  const validation = await rounds(seconds, docs.length, () => {
    freshFacts();
    for (const invs of parsed) for (const invoice of invs) validateInvoice({ invoice }, 'en16931');
  });

  // official: SaxonJS over the same documents
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SaxonJS = require('saxon-js') as { transform(o: Record<string, unknown>, mode: 'sync'): { principalResult: string } };
  const sef: Record<Syntax, unknown> = {
    UBL: JSON.parse(readFileSync(sefPath('UBL'), 'utf8')),
    CII: JSON.parse(readFileSync(sefPath('CII'), 'utf8')),
  };
  const texts = docs.map((d) => d.bytes.toString('utf8'));
  const run = (k: number) => SaxonJS.transform({ stylesheetInternal: sef[docs[k].syntax], sourceText: texts[k], destination: 'serialized' }, 'sync').principalResult;
  // a warm-up pass (SaxonJS gets markedly faster once V8 has optimised it), then measured passes
  const officialFatal: string[][] = docs.map((_d, k) => svrlFatal(run(k)));
  const saxonjs = await rounds(0, docs.length, () => {
    for (let k = 0; k < docs.length; k++) run(k);
  }, passes);

  const differences = docs
    .map((d, k) => ({ name: d.name, ours: oursFatal[k], official: officialFatal[k] }))
    .filter((x) => x.ours.join(' ') !== x.official.join(' '));
  const result: ValidateBenchResult = {
    date: new Date().toISOString().slice(0, 10),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, ramGiB: os.totalmem() / 2 ** 30, os: `${os.type()} ${os.release()}`, node: process.version },
    examples: docs.length,
    validator,
    validation,
    endToEnd,
    saxonjs,
    ratioCpu: validator.perSecondCpu / saxonjs.perSecondCpu,
    ratioWall: validator.perSecondWall / saxonjs.perSecondWall,
    ratioValidationCpu: validation.perSecondCpu / saxonjs.perSecondCpu,
    ratioValidationWall: validation.perSecondWall / saxonjs.perSecondWall,
    ratioEndToEndCpu: endToEnd.perSecondCpu / saxonjs.perSecondCpu,
    ratioEndToEndWall: endToEnd.perSecondWall / saxonjs.perSecondWall,
    loadAverage: os.loadavg()[0],
    sameVerdicts: docs.length - differences.length,
    differences,
  };
  const text = report(result);
  process.stdout.write(`${HEADING}\n\n${text}\n`);
  writeValidationSection(text);
  return result;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench/validate: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
