/**
 * The official oracle: the EN 16931 schematron XSLT run by Saxon-HE (Debian libsaxonhe-java),
 * one JVM per syntax for a whole folder of documents. SVRL `failed-assert` with
 * flag="fatal" is an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XSLT, type OfficialSyntax } from './official-xslt';

export const SAXON_JAR = process.env.SAXON_JAR ?? '/usr/share/java/Saxon-HE.jar';

export interface SvrlAssert {
  id: string;
  flag: string;
  location: string;
}

/** The failed assertions of one SVRL report. */
export function parseSvrl(svrl: string): SvrlAssert[] {
  const out: SvrlAssert[] = [];
  for (const m of svrl.matchAll(/<svrl:failed-assert\b([^>]*)>/g)) {
    const a = m[1];
    const get = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(a)?.[1] ?? '';
    out.push({ id: get('id'), flag: get('flag'), location: get('location') });
  }
  return out;
}

export function fatalIds(svrl: string): string[] {
  return [...new Set(parseSvrl(svrl).filter((a) => a.flag === 'fatal').map((a) => a.id))].sort();
}

/**
 * Validates documents (name → XML text) with the official XSLT of their syntax. Returns the
 * SVRL text of each; throws when Saxon fails or a report is missing. With `failed`, a document
 * the XSLT itself cannot evaluate (a dynamic error: `xs:date('20130601')`, `xs:decimal('')`,
 * which the official validation does not survive either) is not thrown for: its error is put
 * there, and it gets no report.
 */
export function saxonValidate(docs: { name: string; syntax: OfficialSyntax; xml: string }[], failed?: Map<string, string>): Map<string, string> {
  if (!existsSync(SAXON_JAR)) throw new Error(`Saxon-HE not found at ${SAXON_JAR} (Debian: apt-get install libsaxonhe-java)`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'cf-saxon-'));
  const out = new Map<string, string>();
  try {
    for (const syntax of ['UBL', 'CII'] as const) {
      const mine = docs.filter((d) => d.syntax === syntax);
      if (mine.length === 0) continue;
      const inDir = path.join(work, `${syntax}-in`);
      const outDir = path.join(work, `${syntax}-out`);
      mkdirSync(inDir);
      mkdirSync(outDir);
      for (const d of mine) writeFileSync(path.join(inDir, `${d.name}.xml`), d.xml);
      const r = spawnSync('java', ['-cp', SAXON_JAR, 'net.sf.saxon.Transform', `-s:${inDir}`, `-xsl:${XSLT[syntax]}`, `-o:${outDir}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const errors = new Map<string, string>();
      // Saxon goes on with the other files of the folder and says which failed
      for (const m of r.stderr.matchAll(/^While processing (.+)\.xml: (.*)$/gm)) errors.set(m[1], m[2]);
      if (r.status !== 0 && (!failed || errors.size === 0)) throw new Error(`Saxon failed (${r.status}): ${r.stderr}`);
      const produced = new Set(readdirSync(outDir));
      for (const d of mine) {
        const f = `${d.name}.xml`;
        if (failed && errors.has(d.name)) {
          failed.set(d.name, errors.get(d.name) as string);
          continue;
        }
        if (!produced.has(f)) throw new Error(`Saxon produced no report for ${d.name}: ${r.stderr}`);
        out.set(d.name, readFileSync(path.join(outDir, f), 'utf8'));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}
