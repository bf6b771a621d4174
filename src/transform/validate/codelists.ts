/**
 * The official EN 16931 code lists, kept as data in schemas/codelists/*.json (taken from the
 * official schematron, see test/validation/official-data.test.ts), loaded once as sets.
 */
import cefEas from '../../../schemas/codelists/cef-eas.json';
import iso3166 from '../../../schemas/codelists/iso-3166.json';
import iso4217 from '../../../schemas/codelists/iso-4217.json';
import iso6523 from '../../../schemas/codelists/iso-6523-icd.json';
import mime from '../../../schemas/codelists/mime.json';
import uncl4451 from '../../../schemas/codelists/uncl-4451.json';
import uncl4461 from '../../../schemas/codelists/uncl-4461.json';
import uncl5189 from '../../../schemas/codelists/uncl-5189.json';
import uncl5305 from '../../../schemas/codelists/uncl-5305.json';
import uncl7161 from '../../../schemas/codelists/uncl-7161.json';
import unece20 from '../../../schemas/codelists/unece-rec20.json';
import untdid1001 from '../../../schemas/codelists/untdid-1001.json';
import untdid1153 from '../../../schemas/codelists/untdid-1153.json';
import untdid2005 from '../../../schemas/codelists/untdid-2005-subset.json';
import untdid7143 from '../../../schemas/codelists/untdid-7143.json';
import vatPrefixes from '../../../schemas/codelists/vat-prefixes.json';
import vatex from '../../../schemas/codelists/vatex.json';

interface CodeListFile {
  name: string;
  codes: Record<string, string[]>;
}

function set(file: CodeListFile, key = 'ALL'): ReadonlySet<string> {
  const codes = file.codes[key];
  if (!codes) throw new Error(`code list ${file.name} has no "${key}" list`);
  return new Set(codes);
}

export const CODES = {
  invoiceTypeUbl: set(untdid1001, 'UBL-Invoice'),
  creditNoteTypeUbl: set(untdid1001, 'UBL-CreditNote'),
  documentTypeCii: set(untdid1001, 'CII'),
  currency: set(iso4217),
  vatDateUbl: set(untdid2005, 'UBL'),
  vatDateCii: set(untdid2005, 'CII'),
  objectScheme: set(untdid1153),
  subjectUbl: set(uncl4451, 'UBL'),
  subjectCii: set(uncl4451, 'CII'),
  icd: set(iso6523),
  itemClassification: set(untdid7143),
  countryUbl: set(iso3166, 'UBL'),
  countryCii: set(iso3166, 'CII'),
  vatPrefixUbl: set(vatPrefixes, 'UBL'),
  vatPrefixCii: set(vatPrefixes, 'CII'),
  paymentMeans: set(uncl4461),
  vatCategory: set(uncl5305),
  allowanceReason: set(uncl5189),
  chargeReason: set(uncl7161),
  vatex: set(vatex),
  unit: set(unece20),
  mime: set(mime),
  eas: set(cefEas),
} as const;

/** The UBL VAT prefix list as the schematron writes it (BR-CO-09 matches a substring of it). */
export const VAT_PREFIX_STRING_UBL = ` ${vatPrefixes.codes.UBL.join(' ')} `;

/** The UBL note subject list as the schematron writes it (BR-CL-08 matches a substring of it). */
export const SUBJECT_STRING_UBL = ` ${uncl4451.codes.UBL.join(' ')} `;
