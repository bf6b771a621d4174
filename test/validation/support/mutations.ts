/**
 * Invoices we break on purpose: each mutation takes an official example (read in place from
 * corpus/en16931) and edits its text. What the mutation is *expected* to trigger is not written
 * down here: the official XSLT (Saxon) says which fatal rules fire, and our validator must
 * report the same set. The comments only say what the edit aims at.
 */
import { readFileSync } from 'node:fs';
import { corpus } from '../../helpers/corpus';

export interface Mutation {
  name: string;
  syntax: 'UBL' | 'CII';
  base: string;
  aim: string;
  edit: (xml: string) => string;
}

/** Replaces the n-th (0-based) match of a literal or pattern; throws when there is none. */
export function sub(xml: string, find: string | RegExp, replacement: string, n = 0): string {
  const re = typeof find === 'string' ? new RegExp(find.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : new RegExp(find.source, find.flags.includes('g') ? find.flags : `${find.flags}g`);
  let k = 0;
  let done = false;
  const out = xml.replace(re, (m: string, ...groups: unknown[]) => {
    if (k++ === n) {
      done = true;
      return replacement.replace(/\$(&|\d)/g, (_t, g: string) => (g === '&' ? m : String(groups[Number(g) - 1] ?? '')));
    }
    return m;
  });
  if (!done) throw new Error(`mutation: no match ${n} for ${String(find)}`);
  return out;
}

const U1 = 'ubl-examples/ubl-tc434-example1.xml';
const U2 = 'ubl-examples/ubl-tc434-example2.xml';
const UCN = 'ubl-examples/ubl-tc434-creditnote1.xml';
const UG1 = 'ubl-examples/guide-example1.xml';
const C2 = 'cii-examples/CII_example2.xml';
const C4 = 'cii-examples/CII_example4.xml';
const CO = 'cii-examples/XRechnung-O.xml';
const CZ = 'cii-examples/CII_business_example_Z.xml';

const ublLineCategory = (code: string, percent?: string) => (x: string) => {
  const cat = percent === undefined ? `<cbc:ID>${code}</cbc:ID>` : `<cbc:ID>${code}</cbc:ID>\n                <cbc:Percent>${percent}</cbc:Percent>`;
  return sub(x, /<cac:ClassifiedTaxCategory>\s*<cbc:ID>S<\/cbc:ID>\s*<cbc:Percent>6<\/cbc:Percent>/, `<cac:ClassifiedTaxCategory>\n                ${cat}`);
};

const ciiLineCategory = (code: string, rate?: string) => (x: string) =>
  sub(
    x,
    /<ram:CategoryCode>S<\/ram:CategoryCode>\s*<ram:RateApplicablePercent>25<\/ram:RateApplicablePercent>/,
    `<ram:CategoryCode>${code}</ram:CategoryCode>${rate === undefined ? '' : `\n                    <ram:RateApplicablePercent>${rate}</ram:RateApplicablePercent>`}`,
  );

export const MUTATIONS: Mutation[] = [
  // ------------------------------------------------------------------------------- UBL
  { name: 'ubl-no-customization-id', syntax: 'UBL', base: U1, aim: 'BT-24 missing', edit: (x) => sub(x, /<cbc:CustomizationID>[^<]*<\/cbc:CustomizationID>/, '') },
  { name: 'ubl-empty-invoice-number', syntax: 'UBL', base: U1, aim: 'BT-1 empty', edit: (x) => sub(x, '<cbc:ID>12115118</cbc:ID>', '<cbc:ID> </cbc:ID>') },
  { name: 'ubl-no-issue-date', syntax: 'UBL', base: U1, aim: 'BT-2 missing', edit: (x) => sub(x, /<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/, '') },
  { name: 'ubl-type-code-999', syntax: 'UBL', base: U1, aim: 'BT-3 outside UNTDID 1001', edit: (x) => sub(x, '<cbc:InvoiceTypeCode>380', '<cbc:InvoiceTypeCode>999') },
  { name: 'ubl-currency-euro', syntax: 'UBL', base: U1, aim: 'BT-5 outside ISO 4217, no VAT total in it', edit: (x) => sub(x, '<cbc:DocumentCurrencyCode>EUR', '<cbc:DocumentCurrencyCode>EURO') },
  { name: 'ubl-line-total-off', syntax: 'UBL', base: U1, aim: 'BT-106 ≠ Σ BT-131', edit: (x) => sub(x, '<cbc:LineExtensionAmount currencyID="EUR">229.60', '<cbc:LineExtensionAmount currencyID="EUR">229.61') },
  { name: 'ubl-total-with-vat-off', syntax: 'UBL', base: U1, aim: 'BT-112 ≠ BT-109 + BT-110', edit: (x) => sub(x, '<cbc:TaxInclusiveAmount currencyID="EUR">250.33', '<cbc:TaxInclusiveAmount currencyID="EUR">250.34') },
  { name: 'ubl-payable-off', syntax: 'UBL', base: U1, aim: 'BT-115 ≠ BT-112', edit: (x) => sub(x, '<cbc:PayableAmount currencyID="EUR">250.33', '<cbc:PayableAmount currencyID="EUR">250.00') },
  { name: 'ubl-no-seller-name', syntax: 'UBL', base: U1, aim: 'BT-27 missing', edit: (x) => sub(x, '<cbc:RegistrationName>De Koksmaat</cbc:RegistrationName>', '') },
  { name: 'ubl-no-buyer-address', syntax: 'UBL', base: U1, aim: 'BG-8 missing', edit: (x) => sub(x, /<cac:PostalAddress>[\s\S]*?<\/cac:PostalAddress>/, '', 1) },
  { name: 'ubl-country-xx', syntax: 'UBL', base: U1, aim: 'BT-40 outside ISO 3166', edit: (x) => sub(x, '<cbc:IdentificationCode>NL', '<cbc:IdentificationCode>XX') },
  { name: 'ubl-negative-price', syntax: 'UBL', base: U1, aim: 'BT-146 negative', edit: (x) => sub(x, '<cbc:PriceAmount currencyID="EUR">9.95', '<cbc:PriceAmount currencyID="EUR">-9.95') },
  { name: 'ubl-subtotal-tax-off', syntax: 'UBL', base: U1, aim: 'BT-117 inconsistent', edit: (x) => sub(x, '<cbc:TaxAmount currencyID="EUR">10.99', '<cbc:TaxAmount currencyID="EUR">12.99') },
  { name: 'ubl-line-category-q', syntax: 'UBL', base: U1, aim: 'BT-151 outside UNCL 5305', edit: ublLineCategory('Q', '6') },
  { name: 'ubl-line-amount-3-decimals', syntax: 'UBL', base: U1, aim: 'BT-131 with 3 decimals', edit: (x) => sub(x, '<cbc:LineExtensionAmount currencyID="EUR">19.90', '<cbc:LineExtensionAmount currencyID="EUR">19.905') },
  { name: 'ubl-payment-means-300', syntax: 'UBL', base: U1, aim: 'BT-81 outside UNCL 4461, two codes', edit: (x) => sub(x, '<cbc:PaymentMeansCode>30', '<cbc:PaymentMeansCode>300') },
  { name: 'ubl-no-seller-vat', syntax: 'UBL', base: U1, aim: 'standard rated lines without seller VAT id', edit: (x) => sub(x, /<cac:PartyTaxScheme>[\s\S]*?<\/cac:PartyTaxScheme>/, '') },
  { name: 'ubl-two-line-notes', syntax: 'UBL', base: U1, aim: 'BT-127 twice', edit: (x) => sub(x, '<cbc:InvoicedQuantity unitCode="EA">2</cbc:InvoicedQuantity>', '<cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note>$&') },
  { name: 'ubl-unit-code-bad', syntax: 'UBL', base: U1, aim: 'BT-130 outside Rec 20', edit: (x) => sub(x, 'unitCode="EA"', 'unitCode="XYZ1"') },
  { name: 'ubl-currency-id-bad', syntax: 'UBL', base: U1, aim: 'currencyID outside ISO 4217', edit: (x) => sub(x, '<cbc:LineExtensionAmount currencyID="EUR">19.90', '<cbc:LineExtensionAmount currencyID="EUX">19.90') },
  { name: 'ubl-line-reverse-charge', syntax: 'UBL', base: U1, aim: 'AE line without AE breakdown, buyer VAT, rate 0', edit: ublLineCategory('AE', '6') },
  { name: 'ubl-line-intra-community', syntax: 'UBL', base: U1, aim: 'K line', edit: ublLineCategory('K', '0') },
  { name: 'ubl-line-not-subject', syntax: 'UBL', base: U1, aim: 'O line with a rate and seller VAT', edit: ublLineCategory('O', '6') },
  { name: 'ubl-line-zero-rated', syntax: 'UBL', base: U1, aim: 'Z line with rate 6', edit: ublLineCategory('Z', '6') },
  { name: 'ubl-line-export', syntax: 'UBL', base: U1, aim: 'G line', edit: ublLineCategory('G', '0') },
  { name: 'ubl-line-igic', syntax: 'UBL', base: U1, aim: 'L line', edit: ublLineCategory('L', '6') },
  { name: 'ubl-line-ipsi', syntax: 'UBL', base: U1, aim: 'M line', edit: ublLineCategory('M', '6') },
  { name: 'ubl-line-split-payment', syntax: 'UBL', base: U1, aim: 'B line outside Italy', edit: ublLineCategory('B', '6') },
  { name: 'ubl-no-charge-reason', syntax: 'UBL', base: U2, aim: 'BT-104/105 missing', edit: (x) => sub(x, '<cbc:AllowanceChargeReason>Freight</cbc:AllowanceChargeReason>', '') },
  { name: 'ubl-period-reversed', syntax: 'UBL', base: U2, aim: 'BT-74 before BT-73', edit: (x) => sub(x, '<cbc:EndDate>2013-06-30</cbc:EndDate>', '<cbc:EndDate>2013-05-30</cbc:EndDate>') },
  { name: 'ubl-tax-point-and-code', syntax: 'UBL', base: U2, aim: 'BT-7 with BT-8', edit: (x) => sub(x, '<cbc:DueDate>', '<cbc:TaxPointDate>2013-06-30</cbc:TaxPointDate>$&') },
  {
    name: 'ubl-standard-with-exemption',
    syntax: 'UBL',
    base: U2,
    aim: 'S breakdown with an exemption reason',
    edit: (x) => sub(x, /(<cac:TaxSubtotal>\s*<cbc:TaxableAmount currencyID="NOK">1460.50<\/cbc:TaxableAmount>[\s\S]*?<cbc:Percent>25<\/cbc:Percent>)/, '$1<cbc:TaxExemptionReason>none</cbc:TaxExemptionReason>'),
  },
  { name: 'ubl-exempt-without-reason', syntax: 'UBL', base: U2, aim: 'E breakdown without reason', edit: (x) => sub(x, /<cbc:TaxExemptionReason>Exempt New Means of Transport<\/cbc:TaxExemptionReason>/, '') },
  { name: 'ubl-mime-msword', syntax: 'UBL', base: U2, aim: 'mimeCode not allowed', edit: (x) => sub(x, 'mimeCode="application/pdf"', 'mimeCode="application/msword"') },
  { name: 'ubl-no-filename', syntax: 'UBL', base: U2, aim: 'binary object without filename', edit: (x) => sub(x, ' filename="test.pdf"', '') },
  { name: 'ubl-vat-prefix-qq', syntax: 'UBL', base: U2, aim: 'BT-31 prefix not a country', edit: (x) => sub(x, '<cbc:CompanyID>NO123456789MVA', '<cbc:CompanyID>QQ123456789MVA') },
  { name: 'ubl-tax-rep-no-name', syntax: 'UBL', base: U2, aim: 'BT-62 missing', edit: (x) => sub(x, '<cbc:Name>Tax handling company AS</cbc:Name>', '') },
  { name: 'ubl-payee-no-name', syntax: 'UBL', base: U2, aim: 'BT-59 missing', edit: (x) => sub(x, '<cbc:Name>Ebeneser Scrooge AS</cbc:Name>', '') },
  { name: 'ubl-delivery-no-country', syntax: 'UBL', base: U2, aim: 'BT-80 missing', edit: (x) => sub(x, /<cac:Country>\s*<cbc:IdentificationCode>NO<\/cbc:IdentificationCode>\s*<\/cac:Country>/, '', 3) },
  { name: 'ubl-vat-date-code-7', syntax: 'UBL', base: U2, aim: 'BT-8 outside the subset', edit: (x) => sub(x, '<cbc:DescriptionCode>3', '<cbc:DescriptionCode>7') },
  { name: 'ubl-allowance-reason-999', syntax: 'UBL', base: U2, aim: 'BT-98 outside UNCL 5189', edit: (x) => sub(x, '<cbc:AllowanceChargeReasonCode>88', '<cbc:AllowanceChargeReasonCode>999') },
  { name: 'ubl-standard-id-no-scheme', syntax: 'UBL', base: U2, aim: 'BT-157 without scheme', edit: (x) => sub(x, '<cbc:ID schemeID="0088">1234567890128', '<cbc:ID>1234567890128') },
  { name: 'ubl-exempt-tax-not-zero', syntax: 'UBL', base: U2, aim: 'E breakdown with tax', edit: (x) => sub(x, '<cbc:TaxAmount currencyID="NOK">0.00</cbc:TaxAmount>\n            <cac:TaxCategory>\n                <cbc:ID>E', '<cbc:TaxAmount currencyID="NOK">1.00</cbc:TaxAmount>\n            <cac:TaxCategory>\n                <cbc:ID>E') },
  { name: 'ubl-allowance-total-off', syntax: 'UBL', base: U2, aim: 'BT-92 ≠ BT-107', edit: (x) => sub(x, '<cbc:Amount currencyID="NOK">100.00</cbc:Amount>', '<cbc:Amount currencyID="NOK">90.00</cbc:Amount>') },
  { name: 'ubl-charge-indicator-unknown', syntax: 'UBL', base: U2, aim: 'allowance that is neither', edit: (x) => sub(x, '<cbc:ChargeIndicator>0</cbc:ChargeIndicator>', '') },
  { name: 'ubl-credit-note-type-380', syntax: 'UBL', base: UCN, aim: 'credit note type outside the credit note list', edit: (x) => sub(x, '<cbc:CreditNoteTypeCode>381', '<cbc:CreditNoteTypeCode>380') },
  { name: 'ubl-credit-note-no-item-name', syntax: 'UBL', base: UCN, aim: 'BT-153 missing', edit: (x) => sub(x, /(<cac:Item>[\s\S]*?)<cbc:Name>[^<]*<\/cbc:Name>/, '$1') },
  // normalize-space() takes XML white space only: a no-break space (U+00A0) is part of the value
  { name: 'ubl-line-tax-scheme-nbsp', syntax: 'UBL', base: U1, aim: 'line tax scheme "VAT" + no-break space', edit: (x) => sub(x, /(<cac:ClassifiedTaxCategory>\s*<cbc:ID>S<\/cbc:ID>\s*<cbc:Percent>6<\/cbc:Percent>\s*<cac:TaxScheme>\s*<cbc:ID>)VAT/, '$1VAT\u00a0') },
  { name: 'ubl-line-category-nbsp', syntax: 'UBL', base: U1, aim: 'line category "S" + no-break space', edit: (x) => sub(x, /(<cac:ClassifiedTaxCategory>\s*<cbc:ID>)S(<\/cbc:ID>\s*<cbc:Percent>6<)/, '$1S\u00a0$2') },
  { name: 'ubl-two-address-lines', syntax: 'UBL', base: UG1, aim: 'BT-162 twice', edit: (x) => sub(x, '<cac:Country>', '<cac:AddressLine><cbc:Line>a</cbc:Line></cac:AddressLine><cac:AddressLine><cbc:Line>b</cbc:Line></cac:AddressLine>$&') },

  // ------------------------------------------------------------------------------- CII
  { name: 'cii-no-specification-id', syntax: 'CII', base: C4, aim: 'BT-24 missing', edit: (x) => sub(x, /<ram:ID>urn:cen.eu:en16931:2017<\/ram:ID>/, '') },
  { name: 'cii-type-code-999', syntax: 'CII', base: C4, aim: 'BT-3 outside UNTDID 1001', edit: (x) => sub(x, '<ram:TypeCode>380', '<ram:TypeCode>999') },
  { name: 'cii-issue-date-month-13', syntax: 'CII', base: C4, aim: 'format 102 date invalid', edit: (x) => sub(x, '>20130410<', '>20131310<') },
  { name: 'cii-line-total-off', syntax: 'CII', base: C4, aim: 'BT-106 ≠ Σ BT-131', edit: (x) => sub(x, /(<ram:SpecifiedTradeSettlementHeaderMonetarySummation>\s*<ram:LineTotalAmount>)(\d+)/, '$&1') },
  { name: 'cii-grand-total-off', syntax: 'CII', base: C4, aim: 'BT-112 ≠ BT-109 + BT-110', edit: (x) => sub(x, /<ram:GrandTotalAmount>(\d+)/, '$&1') },
  { name: 'cii-due-payable-off', syntax: 'CII', base: C4, aim: 'BT-115 ≠ BT-112', edit: (x) => sub(x, /<ram:DuePayableAmount>(\d+)/, '$&1') },
  { name: 'cii-line-category-q', syntax: 'CII', base: C4, aim: 'BT-151 outside UNCL 5305', edit: ciiLineCategory('Q', '25') },
  { name: 'cii-no-seller-name', syntax: 'CII', base: C4, aim: 'BT-27 missing', edit: (x) => sub(x, '<ram:Name>SellerCompany</ram:Name>', '') },
  { name: 'cii-country-xx', syntax: 'CII', base: C4, aim: 'BT-40 outside ISO 3166', edit: (x) => sub(x, '<ram:CountryID>DK', '<ram:CountryID>XX') },
  { name: 'cii-amount-currency-attribute', syntax: 'CII', base: C4, aim: 'currencyID on a line amount', edit: (x) => sub(x, '<ram:LineTotalAmount>1000', '<ram:LineTotalAmount currencyID="DKK">1000') },
  { name: 'cii-document-id-scheme', syntax: 'CII', base: C4, aim: 'schemeID on BT-1', edit: (x) => sub(x, '<ram:ID>TOSL110', '<ram:ID schemeID="0088">TOSL110') },
  { name: 'cii-vat-amount-off', syntax: 'CII', base: C4, aim: 'BT-117 inconsistent', edit: (x) => sub(x, /<ram:CalculatedAmount>(\d+)/, '$&7') },
  { name: 'cii-unit-code-bad', syntax: 'CII', base: C4, aim: 'BT-130 outside Rec 20', edit: (x) => sub(x, 'unitCode="C62"', 'unitCode="ZZZZ"') },
  { name: 'cii-line-total-3-decimals', syntax: 'CII', base: C4, aim: 'BT-131 with 3 decimals', edit: (x) => sub(x, '<ram:LineTotalAmount>1000<', '<ram:LineTotalAmount>1000.001<') },
  { name: 'cii-payment-means-zz9', syntax: 'CII', base: C4, aim: 'BT-81 outside UNCL 4461', edit: (x) => sub(x, /(<ram:SpecifiedTradeSettlementPaymentMeans>\s*<ram:TypeCode>)\d+/, '$1ZZ9') },
  { name: 'cii-no-seller-vat', syntax: 'CII', base: C4, aim: 'standard rated lines without seller VAT id', edit: (x) => sub(x, /<ram:SpecifiedTaxRegistration>\s*<ram:ID schemeID="VA">DK16356706<\/ram:ID>\s*<\/ram:SpecifiedTaxRegistration>/, '') },
  { name: 'cii-building-name', syntax: 'CII', base: C4, aim: 'BuildingName not used by EN 16931', edit: (x) => sub(x, '<ram:CountryID>DK</ram:CountryID>', '<ram:BuildingName>B4</ram:BuildingName>$&') },
  { name: 'cii-language-id', syntax: 'CII', base: C4, aim: 'languageID on the root', edit: (x) => sub(x, '<rsm:CrossIndustryInvoice ', '<rsm:CrossIndustryInvoice languageID="en" ') },
  { name: 'cii-two-seller-contacts', syntax: 'CII', base: C4, aim: 'BG-6 twice', edit: (x) => sub(x, '<ram:DefinedTradeContact>', '<ram:DefinedTradeContact><ram:PersonName>X</ram:PersonName></ram:DefinedTradeContact>$&') },
  { name: 'cii-issue-date-nbsp', syntax: 'CII', base: C4, aim: 'format 102 date + no-break space', edit: (x) => sub(x, '>20130410<', '>20130410\u00a0<') },
  { name: 'cii-currency-euro', syntax: 'CII', base: C4, aim: 'BT-5 outside ISO 4217', edit: (x) => sub(x, /<ram:InvoiceCurrencyCode>[A-Z]+/, '<ram:InvoiceCurrencyCode>EURO') },
  { name: 'cii-line-reverse-charge', syntax: 'CII', base: C4, aim: 'AE line without AE breakdown', edit: ciiLineCategory('AE', '25') },
  { name: 'cii-line-intra-community', syntax: 'CII', base: C4, aim: 'K line', edit: ciiLineCategory('K', '0') },
  { name: 'cii-line-export', syntax: 'CII', base: C4, aim: 'G line', edit: ciiLineCategory('G', '0') },
  { name: 'cii-line-not-subject', syntax: 'CII', base: C4, aim: 'O line with a rate', edit: ciiLineCategory('O', '25') },
  { name: 'cii-line-zero-rated', syntax: 'CII', base: C4, aim: 'Z line with rate 25', edit: ciiLineCategory('Z', '25') },
  { name: 'cii-line-igic', syntax: 'CII', base: C4, aim: 'L line', edit: ciiLineCategory('L', '25') },
  { name: 'cii-line-ipsi', syntax: 'CII', base: C4, aim: 'M line', edit: ciiLineCategory('M', '25') },
  { name: 'cii-line-split-payment', syntax: 'CII', base: C4, aim: 'B line outside Italy', edit: ciiLineCategory('B', '25') },
  { name: 'cii-standard-with-exemption', syntax: 'CII', base: C2, aim: 'S breakdown with an exemption reason', edit: (x) => sub(x, '<ram:BasisAmount>1460.5</ram:BasisAmount>', '$&<ram:ExemptionReason>none</ram:ExemptionReason>') },
  { name: 'cii-period-reversed', syntax: 'CII', base: C2, aim: 'BT-74 before BT-73', edit: (x) => sub(x, /(<ram:EndDateTime>\s*<udt:DateTimeString format="102">)20130630/, '$120130530') },
  { name: 'cii-charge-without-indicator', syntax: 'CII', base: C2, aim: 'charge indicator missing', edit: (x) => sub(x, /<ram:ChargeIndicator>\s*<udt:Indicator>true<\/udt:Indicator>\s*<\/ram:ChargeIndicator>/, '') },
  { name: 'cii-no-charge-reason', syntax: 'CII', base: C2, aim: 'BT-104/105 missing', edit: (x) => sub(x, '<ram:Reason>Freight</ram:Reason>', '') },
  { name: 'cii-allowance-total-off', syntax: 'CII', base: C2, aim: 'BT-107 ≠ Σ BT-92', edit: (x) => sub(x, '<ram:AllowanceTotalAmount>100', '<ram:AllowanceTotalAmount>90') },
  { name: 'cii-exempt-without-reason', syntax: 'CII', base: C2, aim: 'E breakdown without reason', edit: (x) => sub(x, '<ram:ExemptionReason>Exempt New Means of Transport</ram:ExemptionReason>', '') },
  { name: 'cii-allowance-reason-999', syntax: 'CII', base: C2, aim: 'BT-98 outside UNCL 5189', edit: (x) => sub(x, '<ram:ReasonCode>95', '<ram:ReasonCode>999') },
  { name: 'cii-vat-prefix-qq', syntax: 'CII', base: C2, aim: 'BT-31 prefix not a country', edit: (x) => sub(x, /<ram:ID schemeID="VA">NO/, '<ram:ID schemeID="VA">QQ') },
  { name: 'cii-payee-no-name', syntax: 'CII', base: C2, aim: 'BT-59 missing', edit: (x) => sub(x, '<ram:Name>Ebeneser Scrooge AS</ram:Name>', '') },
  { name: 'cii-tax-point-and-due-code', syntax: 'CII', base: C2, aim: 'BT-7 with BT-8', edit: (x) => sub(x, '<ram:RateApplicablePercent>15</ram:RateApplicablePercent>', '<ram:DueDateTypeCode>5</ram:DueDateTypeCode>$&') },
  { name: 'cii-not-subject-with-standard-line', syntax: 'CII', base: CO, aim: 'O breakdown and an S line', edit: (x) => sub(x, '<ram:CategoryCode>O</ram:CategoryCode>', '<ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>19</ram:RateApplicablePercent>') },
  { name: 'cii-zero-rated-with-tax', syntax: 'CII', base: CZ, aim: 'Z breakdown with tax', edit: (x) => sub(x, '<ram:CalculatedAmount>0.00', '<ram:CalculatedAmount>5.00') },
  { name: 'cii-zero-rated-with-reason', syntax: 'CII', base: CZ, aim: 'Z breakdown with an exemption reason', edit: (x) => sub(x, '<ram:BasisAmount>11693.87</ram:BasisAmount>', '$&<ram:ExemptionReason>x</ram:ExemptionReason>') },
];

export function mutated(m: Mutation): string {
  return m.edit(readFileSync(corpus(`en16931/${m.base}`), 'utf8'));
}
