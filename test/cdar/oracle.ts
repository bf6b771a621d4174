/**
 * The official oracles of a CDAR D22B message, read in place from ../shared/corpus:
 *  - the UN/CEFACT CDAR D22B XSD, with Debian's xmllint (one call for the whole batch);
 *  - the French BR-FR-CDV schematron compiled to XSLT 2.0, run by Saxon-HE (Debian
 *    libsaxonhe-java) over a whole folder in one JVM (`-s:dir -o:dir`); its SVRL output
 *    reports each failed assertion as <svrl:failed-assert id=… flag="fatal"|"warning">.
 * Corpus files are linked (not copied) into the temporary batch folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpus } from '../helpers/corpus';
import { validateFiles } from '../helpers/xsd';

export const CDAR_XSD = corpus('schemas/cdar-d22b/CrossDomainAcknowledgementAndResponse_100pD22B.xsd');
export const CDV_XSLT = corpus('schemas/cdar-d22b/br-fr-cdv/BR-FR-CDV-Schematron-CDAR.xslt');
export const CDV_WARNING_XSLT = corpus('schemas/cdar-d22b/br-fr-cdv/BR-FR-CDV-Schematron-CDAR_WARNING.xslt');
export const SAXON_JAR = process.env.SAXON_JAR ?? '/usr/share/java/Saxon-HE.jar';

export interface Assertion {
  id: string;
  flag: string;
  text: string;
}

export interface OracleResult {
  xsdValid: boolean;
  xsdErrors: string[];
  /** every failed-assert of the SVRL */
  failed: Assertion[];
  /** the failed-asserts flagged fatal: each one is an error */
  fatal: Assertion[];
}

function attr(tag: string, name: string): string {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
}

/** The failed assertions of an SVRL report. */
export function svrlFailures(svrl: string): Assertion[] {
  const out: Assertion[] = [];
  const re = /<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g;
  for (let m = re.exec(svrl); m; m = re.exec(svrl)) {
    const text = /<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(m[2])?.[1]?.replace(/\s+/g, ' ').trim() ?? '';
    out.push({ id: attr(m[1], 'id'), flag: attr(m[1], 'flag'), text });
  }
  return out;
}

/** Runs an XSLT over every file of a folder in one JVM; returns the SVRL text per file name. */
export function saxonFolder(dir: string, xslt: string): Map<string, string> {
  if (!existsSync(SAXON_JAR)) throw new Error(`Saxon-HE not found at ${SAXON_JAR}: install libsaxonhe-java (apt-get install -y libsaxonhe-java)`);
  const out = mkdtempSync(path.join(os.tmpdir(), 'cf-cdar-svrl-'));
  const r = spawnSync('java', ['-cp', SAXON_JAR, 'net.sf.saxon.Transform', `-s:${dir}`, `-xsl:${xslt}`, `-o:${out}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`Saxon failed (${r.status}): ${r.stderr}`);
  const res = new Map<string, string>();
  for (const f of readdirSync(out)) res.set(f, readFileSync(path.join(out, f), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  return res;
}

/**
 * Checks a batch: `docs` are generated messages (name → XML text), `files` are existing files
 * (name → path, linked into the batch). One xmllint call and one JVM for all of them.
 */
export function checkCdar(docs: Record<string, string>, files: Record<string, string> = {}, xslt = CDV_XSLT): Map<string, OracleResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-cdar-'));
  try {
    const names = [...Object.keys(docs), ...Object.keys(files)];
    if (new Set(names).size !== names.length) throw new Error('duplicate document names in the batch');
    for (const [name, xml] of Object.entries(docs)) writeFileSync(path.join(dir, `${name}.xml`), xml);
    for (const [name, file] of Object.entries(files)) symlinkSync(file, path.join(dir, `${name}.xml`));
    const paths = names.map((n) => path.join(dir, `${n}.xml`));
    const xsd = validateFiles(CDAR_XSD, paths);
    const svrl = saxonFolder(dir, xslt);
    const res = new Map<string, OracleResult>();
    names.forEach((n, k) => {
      const report = svrl.get(`${n}.xml`);
      if (report === undefined) throw new Error(`no SVRL report for ${n}`);
      const failed = svrlFailures(report);
      res.set(n, { xsdValid: xsd[k].valid, xsdErrors: xsd[k].errors, failed, fatal: failed.filter((f) => f.flag === 'fatal') });
    });
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
