/**
 * XSD validation with Debian's xmllint (libxml2-utils), the oracle of the pivot and status
 * schemas. Many files are checked in one xmllint call.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface XsdResult {
  file: string;
  valid: boolean;
  errors: string[];
}

function xmllintPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v xmllint'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.trim()) throw new Error('xmllint not found: install libxml2-utils (apt-get install -y libxml2-utils); .ci/run does it');
  return r.stdout.trim();
}

/** Validates files on disk against an XSD. */
export function validateFiles(xsd: string, files: string[]): XsdResult[] {
  if (files.length === 0) return [];
  const r = spawnSync(xmllintPath(), ['--noout', '--schema', xsd, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines = (r.stderr ?? '').split('\n');
  return files.map((file) => {
    const errors = lines.filter((l) => l.startsWith(`${file}:`) && !l.endsWith('validates'));
    const ok = lines.includes(`${file} validates`);
    return { file, valid: ok, errors };
  });
}

/** Validates XML strings (written to temp files). */
export function validateStrings(xsd: string, docs: string[]): XsdResult[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-xsd-'));
  const files = docs.map((d, k) => {
    const f = path.join(dir, `doc-${k}.xml`);
    writeFileSync(f, d);
    return f;
  });
  return validateFiles(xsd, files);
}
