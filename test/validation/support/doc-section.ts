/**
 * docs/VALIDATION.md keeps generated tables between markers
 * `<!-- NAME:begin -->` … `<!-- NAME:end -->`. A test computes the table from the real
 * corpus; with UPDATE_VALIDATION_DOC=1 it writes the section, otherwise it checks that the
 * committed document holds exactly that section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const VALIDATION_DOC = path.resolve(__dirname, '../../../docs/VALIDATION.md');

function markers(name: string): [string, string] {
  return [`<!-- ${name}:begin -->`, `<!-- ${name}:end -->`];
}

/** The section as committed, or undefined when the document or the markers are missing. */
export function readSection(name: string, file = VALIDATION_DOC): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const [b, e] = markers(name);
  const i = text.indexOf(b);
  const j = text.indexOf(e);
  if (i < 0 || j < i) return undefined;
  return text.slice(i + b.length, j).replace(/^\n/, '').replace(/\n$/, '');
}

/** Writes the section when UPDATE_VALIDATION_DOC=1 (appending the markers if needed); returns the committed section. */
export function syncSection(name: string, content: string, file = VALIDATION_DOC): string | undefined {
  if (process.env.UPDATE_VALIDATION_DOC === '1') {
    const [b, e] = markers(name);
    const block = `${b}\n${content}\n${e}`;
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Validation\n';
    const i = text.indexOf(b);
    const j = text.indexOf(e);
    const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + e.length) : `${text.replace(/\n*$/, '\n\n')}${block}\n`;
    writeFileSync(file, next);
  }
  return readSection(name, file);
}
