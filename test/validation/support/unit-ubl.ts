/**
 * The official per-rule unit tests (corpus/en16931/unit-ubl, VEFA testSet format): every
 * <test> holds an <assert> with one or more <success>RULE</success> / <error>RULE</error>
 * and one UBL document (often a fragment). The documents are taken out as XML text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { corpus } from '../../helpers/corpus';

export interface UnitCase {
  /** e.g. Invoice-unit-UBL/BR-CO-15.xml#3 */
  name: string;
  file: string;
  expect: { kind: 'success' | 'error'; rule: string }[];
  /** the Invoice / CreditNote element, as written */
  xml: string;
}

const TEST = /<test\b[^>]*>([\s\S]*?)<\/test>/g;
const EXPECT = /<(success|error)\b[^>]*>\s*([^<\s]+)\s*<\/\1>/g;
const ROOT = /<(?:[A-Za-z_][\w.-]*:)?(Invoice|CreditNote)\b/;

export function unitCases(): UnitCase[] {
  const out: UnitCase[] = [];
  const base = corpus('en16931/unit-ubl');
  for (const dir of readdirSync(base).sort()) {
    for (const f of readdirSync(path.join(base, dir)).filter((x) => x.endsWith('.xml')).sort()) {
      const text = readFileSync(path.join(base, dir, f), 'utf8');
      let k = 0;
      for (const m of text.matchAll(TEST)) {
        const block = m[1];
        const end = block.indexOf('</assert>');
        const expect = [...block.slice(0, end).matchAll(EXPECT)].map((e) => ({ kind: e[1] as 'success' | 'error', rule: e[2] }));
        const rest = block.slice(end + '</assert>'.length);
        const root = ROOT.exec(rest);
        if (!root) throw new Error(`${dir}/${f}: a test without an Invoice or CreditNote document`);
        out.push({ name: `${dir}/${f}#${k}`, file: `${dir}/${f}`, expect, xml: `<?xml version="1.0" encoding="UTF-8"?>\n${rest.slice(root.index).trim()}` });
        k++;
      }
    }
  }
  return out;
}
