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
 * SVRL text of each; throws when Saxon fails or a report is missing.
 */
export function saxonValidate(docs: { name: string; syntax: OfficialSyntax; xml: string }[]): Map<string, string> {
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
      if (r.status !== 0) throw new Error(`Saxon failed (${r.status}): ${r.stderr}`);
      const produced = new Set(readdirSync(outDir));
      for (const d of mine) {
        const f = `${d.name}.xml`;
        if (!produced.has(f)) throw new Error(`Saxon produced no report for ${d.name}: ${r.stderr}`);
        out.set(d.name, readFileSync(path.join(outDir, f), 'utf8'));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}
