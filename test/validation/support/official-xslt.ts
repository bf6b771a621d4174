/**
 * Reads the official EN 16931 schematron (compiled to XSLT, corpus/en16931/xslt) as data:
 * every assertion with its id, flag, rule context, XPath test and message. Used to check that
 * the rule messages/severities and the code lists kept in the project are the official ones,
 * and to regenerate them (UPDATE_OFFICIAL_DATA=1).
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { corpus } from '../../helpers/corpus';

export type OfficialSyntax = 'UBL' | 'CII';

export interface OfficialAssert {
  id: string;
  flag: string;
  /** pattern mode of the compiled schematron (M11, M12…) */
  mode: string;
  context: string;
  test: string;
  text: string;
}

export const XSLT: Record<OfficialSyntax, string> = {
  UBL: corpus('en16931/xslt/EN16931-UBL-validation.xslt'),
  CII: corpus('en16931/xslt/EN16931-CII-validation.xslt'),
};

type Node = Record<string, unknown>;
const asArray = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);

function textOf(n: unknown): string {
  if (typeof n === 'string') return n;
  if (n && typeof n === 'object') {
    const t = (n as Node)['#text'];
    return typeof t === 'string' ? t : t === undefined ? '' : String(t);
  }
  return '';
}

/** All `xsl:choose` under a node, depth first (asserts sit in templates, sometimes nested). */
function chooses(node: Node, out: Node[] = []): Node[] {
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') || k === '#text') continue;
    for (const c of asArray(v)) {
      if (typeof c !== 'object' || c === null) continue;
      if (k === 'choose') out.push(c);
      chooses(c, out);
    }
  }
  return out;
}

const cache = new Map<OfficialSyntax, OfficialAssert[]>();

export function officialAsserts(syntax: OfficialSyntax): OfficialAssert[] {
  const hit = cache.get(syntax);
  if (hit) return hit;
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false, trimValues: true });
  const doc = parser.parse(readFileSync(XSLT[syntax], 'utf8')) as Node;
  const sheet = doc.stylesheet as Node;
  const out: OfficialAssert[] = [];
  for (const t of asArray(sheet.template)) {
    const mode = t['@mode'];
    if (typeof mode !== 'string' || !/^M\d+$/.test(mode)) continue;
    const context = String(t['@match'] ?? '');
    for (const ch of chooses(t)) {
      const when = asArray(ch.when)[0];
      const fa = asArray((asArray(ch.otherwise)[0] ?? {})['failed-assert'])[0];
      if (!when || !fa) continue;
      const attrs: Record<string, string> = {};
      for (const a of asArray(fa.attribute)) attrs[String(a['@name'])] = textOf(a).trim();
      out.push({
        id: attrs.id,
        flag: attrs.flag,
        mode,
        context,
        test: String(when['@test'] ?? ''),
        text: textOf(fa.text).replace(/\s+/g, ' ').trim(),
      });
    }
  }
  cache.set(syntax, out);
  return out;
}

/** Every list literal `contains(' A B C ', …)` of an assertion, as code arrays, in order. */
export function listLiterals(test: string): string[][] {
  const out: string[][] = [];
  const re = /contains\(\s*'( [^']+ )'/g;
  for (let m = re.exec(test); m; m = re.exec(test)) out.push(m[1].trim().split(/\s+/));
  return out;
}

/** The mime codes of BR-CL-24 (written as `@mimeCode = '…'` alternatives). */
export function mimeLiterals(test: string): string[] {
  return [...test.matchAll(/@mimeCode\s*=\s*'([^']+)'/g)].map((m) => m[1]);
}
