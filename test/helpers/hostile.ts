/**
 * What the hostile-value tests share: seeded mutations of sample flows (junk values, elements
 * doubled or dropped), and the official oracle for the Factur-X attachments of the pivots a
 * run wrote (each by the profile its BT-24 names).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractEmbeddedInvoice } from '../../src/transform/facturx/extract';
import { PROFILES, PROFILE_INFO, type FacturXProfile } from '../../src/transform/facturx/profiles';
import { enFatal, fxErrors, saxonBatch, SCHEMATRON, XSD } from '../facturx/oracles';
import { validateFiles } from './xsd';

export const JUNK = ['', ' ', '-1', '+5', '-0', '0', '1e309', 'NaN', '1,5', '12.345', '0.0000001', '99999999999999999999.999', 'abc', '٣', '2026-13-45', '&amp;', '00000000000000', 'x'.repeat(1000),
  // text shaped like a reference once read ("&#1;", "&amp;x": xmlbuilder2 wrote them as markup),
  // a number of more digits than an xs:decimal validator reads
  '&amp;#1;', '&amp;amp;x', '1.00000000000000000000000000'];

/** xorshift32: the same files on every run. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/**
 * `source` with `least` to `least` + 2 mutations: a text value swapped for junk, an element
 * doubled or dropped, and with `attributes`, an attribute value swapped for junk too.
 */
export function mutate(source: string, rnd: () => number, least = 1, opts: { attributes?: boolean } = {}): string {
  let s = source;
  const n = least + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(rnd() * s.length);
    const k = rnd();
    const text = />([^<]{1,40})</g;
    const element = /<([A-Za-z:]+)[ >]/g;
    const attribute = /\s(?!xmlns)[A-Za-z:]+="([^"<]{0,40})"/g; // in these sources, only tags hold name="value"
    if (opts.attributes && k < 0.3) {
      attribute.lastIndex = pos;
      const m = attribute.exec(s);
      if (m) {
        const at = m.index + m[0].length - m[1].length - 1;
        s = s.slice(0, at) + ATTRIBUTE_JUNK[Math.floor(rnd() * ATTRIBUTE_JUNK.length)] + s.slice(at + m[1].length);
      }
    } else if (k < 0.6) {
      text.lastIndex = pos;
      const m = text.exec(s);
      if (m) s = s.slice(0, m.index + 1) + JUNK[Math.floor(rnd() * JUNK.length)] + s.slice(m.index + 1 + m[1].length);
    } else {
      element.lastIndex = pos;
      const m = element.exec(s);
      const end = m ? s.indexOf(`</${m[1]}>`, m.index) : -1;
      if (m && end > 0) {
        const whole = s.slice(m.index, end + m[1].length + 3);
        s = s.slice(0, m.index) + (k < 0.8 ? whole + whole : '') + s.slice(end + m[1].length + 3);
      }
    }
  }
  return s;
}

/** Junk for attribute values (quotes and "<" escaped: the file stays well-formed). */
export const ATTRIBUTE_JUNK = ['', ' ', 'x', 'EUR ', 'eur', 'XXX', '0009', '9999', 'H87', 'zz', 'application/x-msdownload', '../../etc/passwd', 'a/b\\c.pdf', 'CON', 'x'.repeat(300), '&amp;&lt;', 'é', '٣', '1e309', 'NaN', '-1', 'true'];

/** Every .xml file under `dir`. */
export function walk(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const n of names) {
    const p = path.join(dir, n);
    out = n.endsWith('.xml') ? [...out, p] : [...out, ...walk(p)];
  }
  return out;
}

/** The factur-x.xml of every DUPLICATA_FACTUR-X a pivot carries, by the profile its BT-24 names, written under `dir`. */
export async function facturXAttachments(pivots: string[], dir: string): Promise<Map<FacturXProfile, Map<string, string>>> {
  const byProfile = new Map<FacturXProfile, Map<string, string>>();
  mkdirSync(dir, { recursive: true });
  for (const p of pivots) {
    const xml = readFileSync(p, 'utf8');
    for (const m of xml.matchAll(/<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>([^<]*)<\/NomPJ>\s*<CategoriePJ>DUPLICATA_FACTUR-X</g)) {
      const cii = Buffer.from((await extractEmbeddedInvoice(Buffer.from(m[1], 'base64'))).xml).toString('utf8');
      const guideline = /GuidelineSpecifiedDocumentContextParameter>\s*<ram:ID>([^<]*)</.exec(cii)?.[1];
      const profile = PROFILES.find((k) => PROFILE_INFO[k].guideline === guideline);
      if (!profile) throw new Error(`${m[2]} in ${p}: unknown guideline ${guideline}`);
      const name = `${path.basename(p, '.xml')}__${m[2]}.xml`;
      writeFileSync(path.join(dir, name), cii);
      const set = byProfile.get(profile) ?? new Map<string, string>();
      set.set(name, cii);
      byProfile.set(profile, set);
    }
  }
  return byProfile;
}

/**
 * Each Factur-X against its own profile's oracle: the Factur-X XSD (the CII D16B one for the
 * profiles the corpus has none for) and schematron, and for EN 16931 the EN 16931 CII
 * schematron too. Returns "file: first error" for each that fails.
 */
export function facturXFailures(byProfile: Map<FacturXProfile, Map<string, string>>, dir: string): string[] {
  const bad: string[] = [];
  for (const [profile, docs] of byProfile) {
    const xsd = (XSD as Record<string, string>)[profile] ?? XSD.D16B;
    for (const r of validateFiles(xsd, [...docs.keys()].map((n) => path.join(dir, n)))) if (r.errors.length > 0) bad.push(`${path.basename(r.file)} (${profile}): ${r.errors[0]}`);
    const fx = (SCHEMATRON.facturx as Record<string, string>)[profile];
    if (fx) for (const [n, svrl] of saxonBatch(fx, docs)) for (const e of fxErrors(svrl).slice(0, 1)) bad.push(`${n} (${profile}): ${e.id} ${e.text}`);
    if (profile === 'EN 16931') for (const [n, svrl] of saxonBatch(SCHEMATRON.en16931Cii, docs)) for (const e of enFatal(svrl).slice(0, 1)) bad.push(`${n} (EN 16931 CII): ${e.id} ${e.text}`);
  }
  return bad;
}

