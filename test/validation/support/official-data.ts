/**
 * What the project keeps as data from the official schematron: the code lists
 * (schemas/codelists/*.json) and the rule messages and flags
 * (src/transform/validate/rules/official.json). Both are derived here from the XSLT, so a
 * test can prove the committed files are the official ones.
 */
import { listLiterals, mimeLiterals, officialAsserts, type OfficialSyntax } from './official-xslt';

export interface CodeListSpec {
  name: string;
  description: string;
  /** key ("UBL", "CII", "UBL-CreditNote"…) → where the list literal sits in which XSLT */
  sources: Record<string, { syntax: OfficialSyntax; rule: string; index?: number; mime?: boolean }[]>;
}

/** Every code list of the BR-CL rules (and BR-CO-09's VAT prefixes). Several rules share a list. */
export const CODE_LISTS: CodeListSpec[] = [
  {
    name: 'untdid-1001',
    description: 'UNTDID 1001 document type codes (BT-3), invoice and credit note subsets (BR-CL-01)',
    sources: {
      'UBL-Invoice': [{ syntax: 'UBL', rule: 'BR-CL-01', index: 0 }],
      'UBL-CreditNote': [{ syntax: 'UBL', rule: 'BR-CL-01', index: 1 }],
      CII: [{ syntax: 'CII', rule: 'BR-CL-01' }],
    },
  },
  {
    name: 'iso-4217',
    description: 'ISO 4217 alpha-3 currency codes (BR-CL-03, BR-CL-04, BR-CL-05)',
    sources: {
      ALL: ['BR-CL-03', 'BR-CL-04', 'BR-CL-05'].flatMap((rule) => [{ syntax: 'UBL' as const, rule }, { syntax: 'CII' as const, rule }]),
    },
  },
  {
    name: 'untdid-2005-subset',
    description: 'VAT point date codes (BR-CL-06): UBL binds BT-8 to InvoicePeriod/DescriptionCode (UNTDID 2005 3, 35, 432), CII to DueDateTypeCode (UNTDID 2475 5, 29, 72)',
    sources: { UBL: [{ syntax: 'UBL', rule: 'BR-CL-06' }], CII: [{ syntax: 'CII', rule: 'BR-CL-06' }] },
  },
  {
    name: 'untdid-1153',
    description: 'UNTDID 1153 reference code qualifiers, invoiced object identifier scheme (BR-CL-07)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-07' }, { syntax: 'CII', rule: 'BR-CL-07' }] },
  },
  {
    name: 'uncl-4451',
    description: 'UNCL 4451 text subject codes, invoice note subject (BR-CL-08)',
    sources: { UBL: [{ syntax: 'UBL', rule: 'BR-CL-08' }], CII: [{ syntax: 'CII', rule: 'BR-CL-08' }] },
  },
  {
    name: 'iso-6523-icd',
    description: 'ISO 6523 ICD identifier schemes (BR-CL-10, BR-CL-11, BR-CL-21, BR-CL-26)',
    sources: {
      ALL: [
        { syntax: 'UBL', rule: 'BR-CL-10', index: 0 },
        ...['BR-CL-11', 'BR-CL-21', 'BR-CL-26'].map((rule) => ({ syntax: 'UBL' as const, rule })),
        ...['BR-CL-10', 'BR-CL-11', 'BR-CL-21', 'BR-CL-26'].map((rule) => ({ syntax: 'CII' as const, rule })),
      ],
    },
  },
  {
    name: 'untdid-7143',
    description: 'UNTDID 7143 item type identification codes, item classification scheme (BR-CL-13)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-13' }, { syntax: 'CII', rule: 'BR-CL-13' }] },
  },
  {
    name: 'iso-3166',
    description: 'ISO 3166-1 alpha-2 country codes (BR-CL-14, BR-CL-15)',
    sources: {
      UBL: [{ syntax: 'UBL', rule: 'BR-CL-14' }, { syntax: 'UBL', rule: 'BR-CL-15' }],
      CII: [{ syntax: 'CII', rule: 'BR-CL-14' }, { syntax: 'CII', rule: 'BR-CL-15' }],
    },
  },
  {
    name: 'vat-prefixes',
    description: 'Country prefixes of VAT identifiers (BR-CO-09): ISO 3166-1 alpha-2 plus EL for Greece',
    sources: { UBL: [{ syntax: 'UBL', rule: 'BR-CO-09' }], CII: [{ syntax: 'CII', rule: 'BR-CO-09' }] },
  },
  {
    name: 'uncl-4461',
    description: 'UNCL 4461 payment means codes (BR-CL-16)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-16' }, { syntax: 'CII', rule: 'BR-CL-16' }] },
  },
  {
    name: 'uncl-5305',
    description: 'UNCL 5305 duty/tax/fee category codes, VAT categories (BR-CL-17, BR-CL-18)',
    sources: { ALL: ['BR-CL-17', 'BR-CL-18'].flatMap((rule) => [{ syntax: 'UBL' as const, rule }, { syntax: 'CII' as const, rule }]) },
  },
  {
    name: 'uncl-5189',
    description: 'UNCL 5189 allowance reason codes (BR-CL-19)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-19' }, { syntax: 'CII', rule: 'BR-CL-19' }] },
  },
  {
    name: 'uncl-7161',
    description: 'UNCL 7161 charge reason codes (BR-CL-20)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-20' }, { syntax: 'CII', rule: 'BR-CL-20' }] },
  },
  {
    name: 'vatex',
    description: 'CEF VATEX VAT exemption reason codes (BR-CL-22), compared upper-cased',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-22' }, { syntax: 'CII', rule: 'BR-CL-22' }] },
  },
  {
    name: 'unece-rec20',
    description: 'UN/ECE Recommendation 20 with Rec 21 extension, units of measure (BR-CL-23)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-23' }, { syntax: 'CII', rule: 'BR-CL-23' }] },
  },
  {
    name: 'mime',
    description: 'MIME types allowed for attached documents (BR-CL-24)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-24', mime: true }, { syntax: 'CII', rule: 'BR-CL-24', mime: true }] },
  },
  {
    name: 'cef-eas',
    description: 'CEF EAS electronic address schemes (BR-CL-25)',
    sources: { ALL: [{ syntax: 'UBL', rule: 'BR-CL-25' }, { syntax: 'CII', rule: 'BR-CL-25' }] },
  },
];

export interface CodeListFile {
  name: string;
  description: string;
  source: string;
  codes: Record<string, string[]>;
}

function literal(syntax: OfficialSyntax, rule: string, index: number | undefined, mime: boolean | undefined): string[] {
  const asserts = officialAsserts(syntax).filter((a) => a.id === rule);
  if (asserts.length === 0) throw new Error(`${rule} not found in the ${syntax} XSLT`);
  const lists = asserts.map((a) => (mime ? mimeLiterals(a.test) : listLiterals(a.test)[index ?? 0]));
  for (const l of lists) {
    if (!l || l.length === 0) throw new Error(`no list literal ${index ?? 0} in ${syntax} ${rule}`);
    if (l.join(' ') !== lists[0].join(' ')) throw new Error(`${syntax} ${rule} has differing list literals`);
  }
  return lists[0];
}

/** The code list files as they follow from the official XSLT. Throws when sources disagree. */
export function codeListsFromXslt(): CodeListFile[] {
  return CODE_LISTS.map((spec) => {
    const codes: Record<string, string[]> = {};
    for (const [key, sources] of Object.entries(spec.sources)) {
      const lists = sources.map((s) => literal(s.syntax, s.rule, s.index, s.mime));
      for (const [k, l] of lists.entries()) {
        if (l.join(' ') !== lists[0].join(' ')) throw new Error(`${spec.name}/${key}: ${sources[k].syntax} ${sources[k].rule} differs from ${sources[0].syntax} ${sources[0].rule}`);
      }
      codes[key] = lists[0];
    }
    return {
      name: spec.name,
      description: spec.description,
      source: 'CEN/TC 434 EN 16931 validation artefacts 1.3.16, corpus/en16931/xslt (inline code lists of the schematron)',
      codes,
    };
  });
}

export interface OfficialRuleData {
  source: string;
  UBL: Record<string, { flag: string; text: string }>;
  CII: Record<string, { flag: string; text: string }>;
}

/** Message text (without the "[ID]-" prefix) and flag of every fatal rule, plus BR-51. */
export function officialRuleData(): OfficialRuleData {
  const out: OfficialRuleData = { source: 'CEN/TC 434 EN 16931 validation artefacts 1.3.16 (corpus/en16931/xslt)', UBL: {}, CII: {} };
  for (const syntax of ['UBL', 'CII'] as const) {
    const seen: Record<string, { flag: string; text: string }> = {};
    for (const a of officialAsserts(syntax)) {
      if (a.flag !== 'fatal' && a.id !== 'BR-51') continue;
      const text = a.text.replace(/^\[[^\]]+\]\s*-\s*/, '').trim();
      seen[a.id] ??= { flag: a.flag, text };
    }
    out[syntax] = Object.fromEntries(Object.entries(seen).sort(([a], [b]) => a.localeCompare(b)));
  }
  return out;
}
