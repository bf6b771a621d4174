/**
 * Seeded realistic mutations of the official EN 16931 examples, for the differential test
 * against the official schematron (seeded-mutations-oracle.test.ts, and by hand with
 * `node -r ./test/helpers/ts-register.js test/validation/support/mutant-diff.ts`).
 *
 * Unlike the junk of test/helpers/hostile.ts, each operator makes the kind of mistake a real
 * supplier's software makes: an amount a cent off or rounded otherwise, decimals added, a sign
 * flipped, a VAT category, rate or exemption reason changed or dropped, an allowance or a
 * charge added or dropped (document and line), a date written another way, a code (currency,
 * country, unit, scheme, payment means, type) replaced by a near-valid or invalid one, an
 * optional element dropped, emptied or doubled, white space around a value. What each mutant
 * should trigger is not written anywhere: the official XSLT says it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusFiles } from '../../helpers/corpus';
import { prng } from '../../helpers/hostile';

export type Syntax = 'UBL' | 'CII';

export interface Mutant {
  name: string;
  syntax: Syntax;
  base: string;
  /** the operators applied, with what they changed */
  ops: string[];
  xml: string;
}

type Rnd = () => number;
const pick = <T>(rnd: Rnd, a: readonly T[]): T => a[Math.floor(rnd() * a.length)];

/** A leaf element: `<name attrs>text</name>`, with its offsets in the document. */
export interface Leaf {
  start: number;
  end: number;
  name: string;
  attrs: string;
  text: string;
}

const LEAF = /<((?:[\w-]+:)?[\w-]+)((?:\s[^>]*)?)>([^<]*)<\/\1>/g;

export function leaves(xml: string): Leaf[] {
  const out: Leaf[] = [];
  LEAF.lastIndex = 0;
  for (let m = LEAF.exec(xml); m; m = LEAF.exec(xml)) {
    if (m[2].endsWith('/')) continue;
    out.push({ start: m.index, end: m.index + m[0].length, name: m[1], attrs: m[2], text: m[3] });
  }
  return out;
}

export const local = (name: string) => name.replace(/^.*:/, '');

export function replaceLeaf(xml: string, l: Leaf, text: string, attrs = l.attrs): string {
  return `${xml.slice(0, l.start)}<${l.name}${attrs}>${text}</${l.name}>${xml.slice(l.end)}`;
}

/** An element with its content, nested elements of the same name counted. */
interface Element {
  start: number;
  end: number;
  name: string;
}

function elements(xml: string, names?: (n: string) => boolean): Element[] {
  const out: Element[] = [];
  const open = /<((?:[\w-]+:)?[\w-]+)(?:\s[^>]*)?>/g;
  for (let m = open.exec(xml); m; m = open.exec(xml)) {
    if (m[0].endsWith('/>') || m[0].startsWith('<?')) continue;
    const name = m[1];
    if (names && !names(name)) continue;
    const end = closing(xml, name, m.index + m[0].length);
    if (end > 0) out.push({ start: m.index, end, name });
  }
  return out;
}

function closing(xml: string, name: string, from: number): number {
  const re = new RegExp(`<(/?)${name.replace(/[.-]/g, '\\$&')}(?=[\\s>/])[^>]*>`, 'g');
  re.lastIndex = from;
  let depth = 1;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[1] === '/') depth--;
    else if (!m[0].endsWith('/>')) depth++;
    if (depth === 0) return m.index + m[0].length;
  }
  return -1;
}

/** The parent element name of an offset (the innermost open element around it). */
export function parentOf(xml: string, at: number): string {
  const stack: string[] = [];
  const tag = /<(\/?)((?:[\w-]+:)?[\w-]+)(?:\s[^>]*)?(\/?)>/g;
  for (let m = tag.exec(xml); m && m.index < at; m = tag.exec(xml)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') stack.pop();
    else stack.push(m[2]);
  }
  return stack[stack.length - 1] ?? '';
}

// ------------------------------------------------------------------ value classes
const DEC = /^\s*[+-]?\d+(\.\d+)?\s*$/;
const isAmount = (syntax: Syntax, l: Leaf) => DEC.test(l.text) && (syntax === 'UBL' ? /currencyID=/.test(l.attrs) : /Amount$/.test(local(l.name)));
const isQuantity = (l: Leaf) => DEC.test(l.text) && /Quantity$/.test(local(l.name));
const isPercent = (l: Leaf) => /^(Percent|RateApplicablePercent|CalculationPercent|MultiplierFactorNumeric)$/.test(local(l.name));
const isDate = (syntax: Syntax, l: Leaf) => (syntax === 'UBL' ? /^\d{4}-\d{2}-\d{2}$/.test(l.text.trim()) : local(l.name) === 'DateTimeString');

function fmt(n: number, decimals: number): string {
  return n.toFixed(decimals);
}
const decimalsOf = (s: string) => (s.trim().split('.')[1] ?? '').length;

// ------------------------------------------------------------------ operators
type Op = (xml: string, syntax: Syntax, rnd: Rnd) => { xml: string; what: string } | undefined;

const onLeaf =
  (label: string, filter: (syntax: Syntax, l: Leaf, xml: string) => boolean, change: (l: Leaf, rnd: Rnd, syntax: Syntax) => { text: string; attrs?: string } | undefined): Op =>
  (xml, syntax, rnd) => {
    const ls = leaves(xml).filter((l) => filter(syntax, l, xml));
    if (ls.length === 0) return undefined;
    const l = pick(rnd, ls);
    const c = change(l, rnd, syntax);
    if (!c || (c.text === l.text && (c.attrs ?? l.attrs) === l.attrs)) return undefined;
    return { xml: replaceLeaf(xml, l, c.text, c.attrs), what: `${label} ${local(l.name)} "${l.text}"→"${c.text}"${c.attrs !== undefined && c.attrs !== l.attrs ? ` [${c.attrs.trim()}]` : ''}` };
  };

const amountCent = onLeaf('cent', (s, l) => isAmount(s, l), (l, rnd) => {
  const d = Math.max(2, decimalsOf(l.text));
  return { text: fmt(Number(l.text) + (rnd() < 0.5 ? 0.01 : -0.01), d) };
});

const amountRound = onLeaf('round', (s, l) => isAmount(s, l) || isQuantity(l) || (isPercent(l) && DEC.test(l.text)), (l, rnd) => {
  const n = Number(l.text);
  return { text: pick(rnd, [String(Math.round(n)), fmt(n, 1), String(n), fmt(n, 3), fmt(n, 4), fmt(Math.floor(n * 10) / 10, 2), fmt(Math.ceil(n * 10) / 10, 2), fmt(n + 0.005, 3)]) };
});

const decimalsAdd = onLeaf('decimals', (s, l) => isAmount(s, l) || isQuantity(l) || (isPercent(l) && DEC.test(l.text)), (l, rnd) => ({ text: l.text.includes('.') ? l.text + pick(rnd, ['0', '00', '1', '9', '001']) : `${l.text}.${pick(rnd, ['0', '00', '000', '01', '5'])}` }));

const signFlip = onLeaf('sign', (s, l) => isAmount(s, l) || isQuantity(l) || (isPercent(l) && DEC.test(l.text)), (l, rnd) => ({ text: l.text.trim().startsWith('-') ? l.text.trim().slice(1) : pick(rnd, ['-', '-', '+', '-0']) === '-0' ? '-0.00' : `${pick(rnd, ['-', '+'])}${l.text.trim()}` }));

const CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M', 'B', 'Q', 's', '', ' S', 'VAT'];
const vatCategory = onLeaf('category', (s, l, xml) => (s === 'UBL' ? local(l.name) === 'ID' && /TaxCategory$/.test(local(parentOf(xml, l.start))) : local(l.name) === 'CategoryCode'), (_l, rnd) => ({ text: pick(rnd, CATEGORIES) }));

const RATES = ['0', '0.00', '5.5', '6', '10', '19', '20', '21', '25', '-5', '', '100', '20.0', ' 20 '];
const vatRate = onLeaf('rate', (_s, l) => /^(Percent|RateApplicablePercent)$/.test(local(l.name)), (_l, rnd) => ({ text: pick(rnd, RATES) }));

const REASON_CODES = ['VATEX-EU-79-C', 'VATEX-EU-AE', 'VATEX-EU-G', 'VATEX-EU-IC', 'VATEX-EU-O', 'VATEX-FR-FRANCHISE', 'vatex-eu-ae', 'VATEX-XX', 'AAM', ''];
const exemption: Op = (xml, syntax, rnd) => {
  const ls = leaves(xml);
  const reasons = ls.filter((l) => /^(TaxExemptionReason|TaxExemptionReasonCode|ExemptionReason|ExemptionReasonCode)$/.test(local(l.name)));
  const k = rnd();
  if (reasons.length > 0 && k < 0.4) {
    const l = pick(rnd, reasons);
    if (k < 0.2) return { xml: xml.slice(0, l.start) + xml.slice(l.end), what: `exemption removed ${local(l.name)}` };
    const text = /Code$/.test(l.name) ? pick(rnd, REASON_CODES) : pick(rnd, ['', ' ', 'Exempt', 'Reverse charge']);
    return { xml: replaceLeaf(xml, l, text), what: `exemption ${local(l.name)} "${l.text}"→"${text}"` };
  }
  // add a reason (text or code) after a category's rate, or after its category id
  const anchors = ls.filter((l) => (syntax === 'UBL' ? local(l.name) === 'Percent' && /TaxCategory$/.test(local(parentOf(xml, l.start))) : local(l.name) === 'CategoryCode'));
  if (anchors.length === 0) return undefined;
  const a = pick(rnd, anchors);
  const code = rnd() < 0.5;
  const value = code ? pick(rnd, REASON_CODES) : pick(rnd, ['Exempt', 'Reverse charge', ' ']);
  // UBL: the code precedes the text, both after Percent; CII: ExemptionReason after CategoryCode, the code after it
  const el = syntax === 'UBL' ? (code ? 'cbc:TaxExemptionReasonCode' : 'cbc:TaxExemptionReason') : code ? 'ram:ExemptionReasonCode' : 'ram:ExemptionReason';
  return { xml: `${xml.slice(0, a.end)}<${el}>${value}</${el}>${xml.slice(a.end)}`, what: `exemption added ${local(el)} "${value}" after ${local(a.name)}` };
};

const AC_NAME: Record<Syntax, string> = { UBL: 'cac:AllowanceCharge', CII: 'ram:SpecifiedTradeAllowanceCharge' };
const allowanceCharge: Op = (xml, syntax, rnd) => {
  const acs = elements(xml, (n) => n === AC_NAME[syntax]);
  if (acs.length > 0 && rnd() < 0.4) {
    const e = pick(rnd, acs);
    return { xml: xml.slice(0, e.start) + xml.slice(e.end), what: `allowance/charge removed in ${local(parentOf(xml, e.start))}` };
  }
  const charge = rnd() < 0.5;
  const amount = pick(rnd, ['10.00', '0.01', '5', '12.345', '0.00']);
  if (syntax === 'UBL') {
    const cur = /<cbc:DocumentCurrencyCode[^>]*>([^<]*)</.exec(xml)?.[1] ?? 'EUR';
    const cat = /<cac:ClassifiedTaxCategory>\s*<cbc:ID>([^<]*)<\/cbc:ID>\s*(?:<cbc:Percent>([^<]*)<\/cbc:Percent>)?/.exec(xml);
    const reason = rnd() < 0.7 ? `<cbc:AllowanceChargeReason>${charge ? 'Freight' : 'Discount'}</cbc:AllowanceChargeReason>` : '';
    const line = rnd() < 0.5;
    if (line) {
      const lines = elements(xml, (n) => n === 'cac:InvoiceLine' || n === 'cac:CreditNoteLine');
      if (lines.length === 0) return undefined;
      const l = pick(rnd, lines);
      const block = xml.slice(l.start, l.end);
      const at = block.search(/<cac:Item>/);
      if (at < 0) return undefined;
      const ac = `<cac:AllowanceCharge><cbc:ChargeIndicator>${charge}</cbc:ChargeIndicator>${reason}<cbc:Amount currencyID="${cur}">${amount}</cbc:Amount></cac:AllowanceCharge>`;
      // after the line's own allowance/charges (before TaxTotal, Item)
      const insert = l.start + at;
      return { xml: xml.slice(0, insert) + ac + xml.slice(insert), what: `line ${charge ? 'charge' : 'allowance'} added ${amount}` };
    }
    const catXml = cat ? `<cac:TaxCategory><cbc:ID>${cat[1]}</cbc:ID>${cat[2] !== undefined ? `<cbc:Percent>${cat[2]}</cbc:Percent>` : ''}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>` : '';
    const ac = `<cac:AllowanceCharge><cbc:ChargeIndicator>${charge}</cbc:ChargeIndicator>${reason}<cbc:Amount currencyID="${cur}">${amount}</cbc:Amount>${catXml}</cac:AllowanceCharge>`;
    const m = /<cac:TaxTotal>/.exec(xml);
    if (!m) return undefined;
    // before the first of PaymentTerms / AllowanceCharge / TaxTotal at document level: put it just before TaxTotal, after any existing ones
    return { xml: xml.slice(0, m.index) + ac + xml.slice(m.index), what: `document ${charge ? 'charge' : 'allowance'} added ${amount}${cat ? ` ${cat[1]}` : ''}` };
  }
  const cat = /<ram:ApplicableTradeTax>\s*<ram:TypeCode>VAT<\/ram:TypeCode>\s*<ram:CategoryCode>([^<]*)<\/ram:CategoryCode>\s*(?:<ram:RateApplicablePercent>([^<]*)<\/ram:RateApplicablePercent>)?/.exec(xml);
  const reason = rnd() < 0.7 ? `<ram:Reason>${charge ? 'Freight' : 'Discount'}</ram:Reason>` : '';
  const line = rnd() < 0.5;
  if (line) {
    const lines = elements(xml, (n) => n === 'ram:SpecifiedLineTradeSettlement');
    if (lines.length === 0) return undefined;
    const l = pick(rnd, lines);
    const block = xml.slice(l.start, l.end);
    const at = block.search(/<ram:SpecifiedTradeSettlementLineMonetarySummation>/);
    if (at < 0) return undefined;
    const ac = `<ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>${charge}</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>${amount}</ram:ActualAmount>${reason}</ram:SpecifiedTradeAllowanceCharge>`;
    const insert = l.start + at;
    return { xml: xml.slice(0, insert) + ac + xml.slice(insert), what: `line ${charge ? 'charge' : 'allowance'} added ${amount}` };
  }
  const catXml = cat ? `<ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>${cat[1]}</ram:CategoryCode>${cat[2] !== undefined ? `<ram:RateApplicablePercent>${cat[2]}</ram:RateApplicablePercent>` : ''}</ram:CategoryTradeTax>` : '';
  const ac = `<ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>${charge}</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>${amount}</ram:ActualAmount>${reason}${catXml}</ram:SpecifiedTradeAllowanceCharge>`;
  const m = /<ram:SpecifiedTradePaymentTerms>|<ram:SpecifiedTradeSettlementHeaderMonetarySummation>/.exec(xml);
  if (!m) return undefined;
  return { xml: xml.slice(0, m.index) + ac + xml.slice(m.index), what: `document ${charge ? 'charge' : 'allowance'} added ${amount}${cat ? ` ${cat[1]}` : ''}` };
};

const dateForm = onLeaf('date', (s, l) => isDate(s, l), (l, rnd, syntax) => {
  const t = l.text.trim();
  if (syntax === 'UBL') {
    const [y, m, d] = t.split('-');
    return { text: pick(rnd, [`${y}${m}${d}`, `${y}-${Number(m)}-${Number(d)}`, `${t}Z`, `${t}+01:00`, `${t}T00:00:00`, `${y}-02-30`, `${y}-13-01`, ` ${t} `, `${d}.${m}.${y}`, `${y}/${m}/${d}`, `${t}+14:00`, `-${t}`]) };
  }
  const y = t.slice(0, 4);
  const m = t.slice(4, 6);
  const d = t.slice(6, 8);
  const r = rnd();
  if (r < 0.2) return { text: t, attrs: l.attrs.replace(/format="[^"]*"/, `format="${pick(rnd, ['610', '203', '', '101', '1O2'])}"`) };
  if (r < 0.25) return { text: t, attrs: l.attrs.replace(/\s*format="[^"]*"/, '') };
  return { text: pick(rnd, [`${y}-${m}-${d}`, `${y}${m}${d}0000`, `${y}${m}`, `${y}0230`, `${y}1301`, ` ${t} `, `${y}${m}${d}Z`, `${d}${m}${y}`]) };
});

const CODES: Record<string, readonly string[]> = {
  currency: ['EUR', 'eur', 'EURO', 'XXX', 'USD', 'XEU', 'FRF', 'EU', ' EUR'],
  country: ['FR', 'fr', 'UK', 'EL', 'GR', 'XI', 'XK', 'EU', 'FRA', '1A', 'QQ'],
  unit: ['C62', 'c62', 'H87', 'EA', 'XPP', 'PCE', 'ZZ', 'HUR', 'C 62', ''],
  scheme: ['0009', '0088', '88', '9957', '0002', 'EM', 'VA', 'FC', '9999', 'GLN', '0224', ''],
  means: ['30', '31', '58', '59', '1', '97', 'ZZZ', '030', '42', '49', 'SEPA', ''],
  type: ['380', '381', '384', '389', '326', '751', '261', '396', '383', '386', '875', '82', '71', '0', '380 '],
  mime: ['application/pdf', 'image/png', 'image/jpeg', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.oasis.opendocument.spreadsheet', 'application/xml', 'APPLICATION/PDF'],
  vatdate: ['3', '35', '432', '5', '29', '72', '7'],
  charge: ['true', 'false', '1', '0', 'TRUE', ' true', ''],
  allowanceReason: ['95', '100', '102', '41', '42', '60', '62', '63', '64', '65', '66', '67', '68', '70', '71', '88', '999', 'ZZZ', ''],
  chargeReason: ['AA', 'AAA', 'ABL', 'ADR', 'FC', 'ZZZ', 'XX', 'aa', ''],
};

interface CodeSite {
  kind: keyof typeof CODES;
  /** leaf name (local) or `@attr` */
  where: RegExp;
  attr?: string;
}
const CODE_SITES: Record<Syntax, CodeSite[]> = {
  UBL: [
    { kind: 'currency', where: /^(DocumentCurrencyCode|TaxCurrencyCode)$/ },
    { kind: 'currency', where: /./, attr: 'currencyID' },
    { kind: 'country', where: /^IdentificationCode$/ },
    { kind: 'unit', where: /./, attr: 'unitCode' },
    { kind: 'scheme', where: /./, attr: 'schemeID' },
    { kind: 'means', where: /^PaymentMeansCode$/ },
    { kind: 'type', where: /^(InvoiceTypeCode|CreditNoteTypeCode)$/ },
    { kind: 'mime', where: /./, attr: 'mimeCode' },
    { kind: 'vatdate', where: /^DescriptionCode$/ },
    { kind: 'charge', where: /^ChargeIndicator$/ },
    { kind: 'allowanceReason', where: /^AllowanceChargeReasonCode$/ },
  ],
  CII: [
    { kind: 'currency', where: /^(InvoiceCurrencyCode|TaxCurrencyCode)$/ },
    { kind: 'currency', where: /./, attr: 'currencyID' },
    { kind: 'country', where: /^CountryID$/ },
    { kind: 'unit', where: /./, attr: 'unitCode' },
    { kind: 'scheme', where: /./, attr: 'schemeID' },
    { kind: 'means', where: /^TypeCode$/ },
    { kind: 'type', where: /^TypeCode$/ },
    { kind: 'mime', where: /./, attr: 'mimeCode' },
    { kind: 'vatdate', where: /^DueDateTypeCode$/ },
    { kind: 'charge', where: /^Indicator$/ },
    { kind: 'allowanceReason', where: /^ReasonCode$/ },
    { kind: 'chargeReason', where: /^ReasonCode$/ },
  ],
};

const code: Op = (xml, syntax, rnd) => {
  const site = pick(rnd, CODE_SITES[syntax]);
  const ls = leaves(xml).filter((l) => site.where.test(local(l.name)) && (site.attr === undefined || new RegExp(`\\b${site.attr}="`).test(l.attrs)));
  if (ls.length === 0) return undefined;
  const l = pick(rnd, ls);
  const v = pick(rnd, CODES[site.kind]);
  if (site.attr) {
    const attrs = l.attrs.replace(new RegExp(`\\b${site.attr}="[^"]*"`), `${site.attr}="${v}"`);
    if (attrs === l.attrs) return undefined;
    return { xml: replaceLeaf(xml, l, l.text, attrs), what: `code ${site.kind} @${site.attr} on ${local(l.name)}→"${v}"` };
  }
  if (v === l.text) return undefined;
  return { xml: replaceLeaf(xml, l, v), what: `code ${site.kind} ${local(l.name)} "${l.text}"→"${v}"` };
};

/** Elements never dropped or doubled: the root and the document's skeleton. */
const SKELETON = /^(Invoice|CreditNote|CrossIndustryInvoice|ExchangedDocumentContext|ExchangedDocument|SupplyChainTradeTransaction|ApplicableHeaderTradeAgreement|ApplicableHeaderTradeDelivery|ApplicableHeaderTradeSettlement|UBLExtensions)$/;
const structural =
  (label: 'drop' | 'empty' | 'double'): Op =>
  (xml, _syntax, rnd) => {
    if (label === 'empty') {
      const ls = leaves(xml).filter((l) => l.text.trim() !== '' && !/EmbeddedDocumentBinaryObject|AttachmentBinaryObject/.test(l.name));
      if (ls.length === 0) return undefined;
      const l = pick(rnd, ls);
      const text = pick(rnd, ['', ' ', '\n    ']);
      return { xml: replaceLeaf(xml, l, text), what: `emptied ${local(l.name)} in ${local(parentOf(xml, l.start))}` };
    }
    const es = elements(xml, (n) => !SKELETON.test(local(n)));
    if (es.length === 0) return undefined;
    const e = pick(rnd, es);
    const whole = xml.slice(e.start, e.end);
    const where = local(parentOf(xml, e.start));
    return label === 'drop' ? { xml: xml.slice(0, e.start) + xml.slice(e.end), what: `dropped ${local(e.name)} in ${where}` } : { xml: xml.slice(0, e.end) + whole + xml.slice(e.end), what: `doubled ${local(e.name)} in ${where}` };
  };

const whitespace = onLeaf('space', (_s, l) => l.text.trim() !== '' && l.text.length < 200, (l, rnd) => ({ text: pick(rnd, [` ${l.text}`, `${l.text} `, `\n      ${l.text}\n    `, `\t${l.text}`, `${l.text}\u00a0`]) }));

/** The operators with their weights. */
const OPS: [string, Op, number][] = [
  ['cent', amountCent, 10],
  ['round', amountRound, 8],
  ['decimals', decimalsAdd, 6],
  ['sign', signFlip, 6],
  ['category', vatCategory, 8],
  ['rate', vatRate, 7],
  ['exemption', exemption, 7],
  ['allowance-charge', allowanceCharge, 8],
  ['date', dateForm, 7],
  ['code', code, 14],
  ['drop', structural('drop'), 8],
  ['empty', structural('empty'), 5],
  ['double', structural('double'), 4],
  ['space', whitespace, 5],
];
const TOTAL = OPS.reduce((s, o) => s + o[2], 0);

function oneOp(xml: string, syntax: Syntax, rnd: Rnd): { xml: string; what: string } | undefined {
  for (let tries = 0; tries < 20; tries++) {
    let r = rnd() * TOTAL;
    const op = OPS.find((o) => (r -= o[2]) < 0) ?? OPS[0];
    const out = op[1](xml, syntax, rnd);
    if (out && out.xml !== xml) return out;
  }
  return undefined;
}

export interface Example {
  syntax: Syntax;
  base: string;
  xml: string;
}

/** The official UBL and CII examples (corpus/en16931). */
export function officialExamples(): Example[] {
  const read = (syntax: Syntax, dir: string) => corpusFiles(`en16931/${dir}`).map((f) => ({ syntax, base: path.basename(f), xml: readFileSync(f, 'utf8') }));
  return [...read('UBL', 'ubl-examples'), ...read('CII', 'cii-examples')];
}

/**
 * `count` mutants from `seed`, round-robin over the examples; most carry one mutation, one in
 * four two or three (mistakes come together).
 */
export function seededMutants(seed: number, count: number, examples = officialExamples()): Mutant[] {
  const rnd = prng(seed);
  const out: Mutant[] = [];
  for (let i = 0; out.length < count && i < count * 3; i++) {
    const ex = examples[i % examples.length];
    const n = rnd() < 0.75 ? 1 : 2 + Math.floor(rnd() * 2);
    let xml = ex.xml;
    const ops: string[] = [];
    for (let k = 0; k < n; k++) {
      const r = oneOp(xml, ex.syntax, rnd);
      if (!r) continue;
      xml = r.xml;
      ops.push(r.what);
    }
    if (ops.length === 0) continue;
    out.push({ name: `s${seed}-${String(out.length).padStart(4, '0')}-${ex.base.replace(/\.[^.]+$/, '')}`, syntax: ex.syntax, base: ex.base, ops, xml });
  }
  return out;
}
