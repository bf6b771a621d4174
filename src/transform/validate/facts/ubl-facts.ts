/**
 * UBL syntax facts (see src/model/syntax-facts.ts): one structured pass over the places the
 * EN 16931 UBL rules look at, plus one walk of the whole document for the rules whose
 * context is "anywhere" (every amount, every identifier scheme, every code…).
 */
import type { XNode } from '../../../xml/nodes';
import { at, kid, kids, text, textOf } from '../../../xml/nodes';
import type {
  AttrFact,
  TextFact,
  UblAllowanceChargeFact,
  UblFacts,
  UblLineFact,
  UblPartyTaxSchemeFact,
  UblSubtotalFact,
  UblTaxCategoryFact,
  UblTaxTotalFact,
} from '../../../model/syntax-facts';
import { ns } from '../xpath';
import { at as attrAt, countKids, countPath, hasElementChildren, isObj, step, xsBoolean } from './walk';

/** Document-level counts the UBL-SR rules bound (relative to the root). */
export const UBL_ROOT_COUNTS = [
  'ContractDocumentReference/ID',
  'ReceiptDocumentReference/ID',
  'DespatchDocumentReference/ID',
  'PaymentTerms/Note',
  'InvoicePeriod',
  'AccountingSupplierParty/Party/PartyLegalEntity/RegistrationName',
  'AccountingSupplierParty/Party/PartyName/Name',
  'AccountingSupplierParty/Party/PartyLegalEntity/CompanyID',
  'AccountingSupplierParty/Party/PartyLegalEntity/CompanyLegalForm',
  'AccountingSupplierParty/Party/PartyTaxScheme',
  'AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName',
  'AccountingCustomerParty/Party/PartyIdentification/ID',
  'AccountingCustomerParty/Party/PartyLegalEntity/CompanyID',
  'AccountingCustomerParty/Party/PartyName/Name',
  'Delivery',
  'ProjectReference/ID',
  'PaymentMeans/PaymentDueDate',
  'PaymentMeans/CardAccount',
  'PaymentMeans/PaymentMandate',
  'InvoicePeriod/DescriptionCode',
  'OriginatorDocumentReference/ID',
] as const;

/** Line-level counts the UBL-SR rules bound (relative to the line). */
export const UBL_LINE_COUNTS = ['Note', 'OrderLineReference/LineID', 'InvoicePeriod', 'Price/AllowanceCharge/Amount', 'Item/ClassifiedTaxCategory', 'Item/Description', 'DocumentReference'] as const;

const SPLIT = new Map<string, string[]>();
function split(p: string): string[] {
  let s = SPLIT.get(p);
  if (!s) SPLIT.set(p, (s = p.split('/')));
  return s;
}

// normalize-space(), as the schematron reads them: XML white space only (a JavaScript \s or
// trim() also takes the no-break space, so "VAT\u00a0" passed for VAT and "S\u00a0" for S)
const isVat = (scheme: string | undefined): boolean => scheme !== undefined && ns(scheme).toUpperCase() === 'VAT';

function taxCategory(node: XNode, path: string): UblTaxCategoryFact {
  const id = text(node, 'ID');
  return {
    path,
    id,
    code: ns(id),
    vat: kids(node, 'TaxScheme').some((s) => isVat(text(s, 'ID'))),
    percent: text(node, 'Percent'),
    exemptionReasonCount: countKids(node, 'TaxExemptionReason'),
    exemptionReasonCode: text(node, 'TaxExemptionReasonCode'),
  };
}

function indexed(nodes: XNode[], base: string, prefixed: string): { node: XNode; path: string }[] {
  const many = nodes.length > 1;
  return nodes.map((node, i) => ({ node, path: `${base}${step('', prefixed, i, many)}` }));
}

function allowanceCharge(node: XNode, path: string): UblAllowanceChargeFact {
  return {
    path,
    indicator: text(node, 'ChargeIndicator'),
    charge: xsBoolean(text(node, 'ChargeIndicator')),
    amount: text(node, 'Amount'),
    reasonCount: countKids(node, 'AllowanceChargeReason'),
    taxCategories: indexed(kids(node, 'TaxCategory'), path, 'cac:TaxCategory').map(({ node: n, path: p }) => taxCategory(n, p)),
  };
}

function partyTaxSchemes(party: XNode | undefined, base: string): UblPartyTaxSchemeFact[] {
  return indexed(kids(party, 'PartyTaxScheme'), base, 'cac:PartyTaxScheme').map(({ node, path }) => {
    const scheme = text(node, 'TaxScheme/ID');
    return { path, scheme, vat: isVat(scheme), companyId: text(node, 'CompanyID'), companyIdCount: countKids(node, 'CompanyID') };
  });
}

/** Elements of the generic walk, by local name (UBL local names are unique enough). */
const AMOUNT_SUFFIX = 'Amount';

export function ublFacts(root: XNode, rootName: 'Invoice' | 'CreditNote'): UblFacts {
  const R = `/${rootName}`;
  const counts: Record<string, number> = {};
  for (const p of UBL_ROOT_COUNTS) counts[p] = countPath(root, split(p));

  const supplierParty = at(root, 'AccountingSupplierParty/Party');
  const customerParty = at(root, 'AccountingCustomerParty/Party');
  const sellerBase = `${R}/cac:AccountingSupplierParty/cac:Party`;
  const buyerBase = `${R}/cac:AccountingCustomerParty/cac:Party`;

  const f: UblFacts = {
    root: rootName,
    counts,
    hasLegalMonetaryTotal: kid(root, 'LegalMonetaryTotal') !== undefined,
    hasSupplierParty: kid(root, 'AccountingSupplierParty') !== undefined,
    allowanceCharges: indexed(kids(root, 'AllowanceCharge'), R, 'cac:AllowanceCharge').map(({ node, path }) => allowanceCharge(node, path)),
    taxTotals: [],
    lines: [],
    sellerTaxSchemes: partyTaxSchemes(supplierParty, sellerBase),
    buyerTaxSchemes: partyTaxSchemes(customerParty, buyerBase),
    taxRepTaxSchemes: partyTaxSchemes(kid(root, 'TaxRepresentativeParty'), `${R}/cac:TaxRepresentativeParty`),
    partyTaxSchemes: [],
    sellerPartyIds: indexed(kids(supplierParty, 'PartyIdentification'), sellerBase, 'cac:PartyIdentification').flatMap(({ node, path }) =>
      kids(node, 'ID').map((id) => ({ path: `${path}/cbc:ID`, name: 'ID', text: textOf(id) ?? '', attr: attrAt(id, '@schemeID') })),
    ),
    sellerPartyNames: kids(supplierParty, 'PartyName').flatMap((n) => kids(n, 'Name').map((x) => textOf(x) ?? '')),
    sellerRegistrationNames: kids(supplierParty, 'PartyLegalEntity').flatMap((n) => kids(n, 'RegistrationName').map((x) => textOf(x) ?? '')),
    rootTypeCodes: [...kids(root, 'InvoiceTypeCode'), ...kids(root, 'CreditNoteTypeCode')].map((x) => textOf(x) ?? ''),
    rootTaxCurrencyCodes: kids(root, 'TaxCurrencyCode').map((x) => textOf(x) ?? ''),
    billingReferences: indexed(kids(root, 'BillingReference'), R, 'cac:BillingReference').map(({ node, path }) => ({
      path,
      docRefCount: countKids(node, 'InvoiceDocumentReference'),
      hasId: kids(node, 'InvoiceDocumentReference').some((d) => kid(d, 'ID') !== undefined),
    })),
    documentReferences: indexed(kids(root, 'AdditionalDocumentReference'), R, 'cac:AdditionalDocumentReference').map(({ node, path }) => {
      const id = kid(node, 'ID');
      return {
        path,
        id: textOf(id),
        idScheme: attrAt(id, '@schemeID'),
        typeCode: text(node, 'DocumentTypeCode'),
        descriptionCount: countKids(node, 'DocumentDescription'),
        hasAttachment: kid(node, 'Attachment') !== undefined,
      };
    }),
    paymentMeans: indexed(kids(root, 'PaymentMeans'), R, 'cac:PaymentMeans').map(({ node, path }) => ({
      path,
      codeCount: countKids(node, 'PaymentMeansCode'),
      codeNameCount: kids(node, 'PaymentMeansCode').filter((c) => attrAt(c, '@name') !== undefined).length,
      paymentIdCount: countKids(node, 'PaymentID'),
      mandateIdCount: countPath(node, ['PaymentMandate', 'ID']),
      accountPaths: indexed(kids(node, 'PayeeFinancialAccount'), path, 'cac:PayeeFinancialAccount').map((x) => x.path),
    })),
    deliveries: indexed(kids(root, 'Delivery'), R, 'cac:Delivery').map(({ node, path }) => ({ path, partyNameCount: countPath(node, ['DeliveryParty', 'PartyName', 'Name']) })),
    invoicePeriods: indexed(kids(root, 'InvoicePeriod'), R, 'cac:InvoicePeriod').map(({ node, path }) => ({
      path,
      start: text(node, 'StartDate'),
      end: text(node, 'EndDate'),
      descriptionCode: text(node, 'DescriptionCode'),
      hasStart: kid(node, 'StartDate') !== undefined,
      hasEnd: kid(node, 'EndDate') !== undefined,
    })),
    amounts: [],
    binaryObjects: [],
    identificationCodes: [],
    addressLineCounts: [],
    paymentIds: [],
    paymentMeansCodes: [],
    partyIdentificationSchemes: [],
    legalEntitySchemes: [],
    classificationListIds: [],
    taxCategoryIds: [],
    classifiedTaxCategoryIds: [],
    allowanceReasonCodes: [],
    standardItemSchemes: [],
    exemptionReasonCodes: [],
    quantityUnitCodes: [],
    endpointSchemes: [],
    deliveryLocationSchemes: [],
    objectIdSchemes: [],
    descriptionCodes: [],
    typeCodes: [],
    documentCurrencyCodes: [],
    taxCurrencyCodes: [],
    notes: [],
  };

  const payee = kid(root, 'PayeeParty');
  if (payee !== undefined) {
    const path = `${R}/cac:PayeeParty`;
    f.payee = {
      path,
      names: kids(payee, 'PartyName').flatMap((n) => kids(n, 'Name').map((x) => textOf(x) ?? '')),
      ids: kids(payee, 'PartyIdentification').flatMap((n) => kids(n, 'ID').map((id) => ({ path: `${path}/cac:PartyIdentification/cbc:ID`, name: 'ID', text: textOf(id) ?? '', attr: attrAt(id, '@schemeID') }))),
      legalIdCount: countPath(payee, ['PartyLegalEntity', 'CompanyID']),
    };
  }
  const rep = kid(root, 'TaxRepresentativeParty');
  if (rep !== undefined) {
    f.taxRepresentative = {
      path: `${R}/cac:TaxRepresentativeParty`,
      nameCount: countPath(rep, ['PartyName', 'Name']),
      vatCompanyIdCount: countPath(rep, ['PartyTaxScheme', 'CompanyID']),
      addressPath: kid(rep, 'PostalAddress') !== undefined ? `${R}/cac:TaxRepresentativeParty/cac:PostalAddress` : undefined,
    };
  }

  for (const { node: tt, path } of indexed(kids(root, 'TaxTotal'), R, 'cac:TaxTotal')) {
    const amountNode = kid(tt, 'TaxAmount');
    const total: UblTaxTotalFact = { path, amount: textOf(amountNode), currencyID: attrAt(amountNode, '@currencyID'), subtotals: [] };
    for (const { node: st, path: sp } of indexed(kids(tt, 'TaxSubtotal'), path, 'cac:TaxSubtotal')) {
      const cat = kid(st, 'TaxCategory');
      const sub: UblSubtotalFact = {
        path: sp,
        taxableAmount: text(st, 'TaxableAmount'),
        taxAmount: text(st, 'TaxAmount'),
        category: cat === undefined ? undefined : taxCategory(cat, `${sp}/cac:TaxCategory`),
        exemptionReasonCount: countPath(st, ['TaxCategory', 'TaxExemptionReason']),
      };
      total.subtotals.push(sub);
    }
    f.taxTotals.push(total);
  }

  const lineName = rootName === 'CreditNote' ? 'CreditNoteLine' : 'InvoiceLine';
  for (const { node: l, path } of indexed(kids(root, lineName), R, `cac:${lineName}`)) {
    const lc: Record<string, number> = {};
    for (const p of UBL_LINE_COUNTS) lc[p] = countPath(l, split(p));
    const item = kid(l, 'Item');
    const line: UblLineFact = {
      path,
      classified: indexed(kids(item, 'ClassifiedTaxCategory'), `${path}/cac:Item`, 'cac:ClassifiedTaxCategory').map(({ node, path: p }) => taxCategory(node, p)),
      allowanceCharges: indexed(kids(l, 'AllowanceCharge'), path, 'cac:AllowanceCharge').map(({ node, path: p }) => allowanceCharge(node, p)),
      priceAllowanceCharges: indexed(kids(kid(l, 'Price'), 'AllowanceCharge'), `${path}/cac:Price`, 'cac:AllowanceCharge').map(({ node, path: p }) => allowanceCharge(node, p)),
      invoicePeriodPath: kid(l, 'InvoicePeriod') !== undefined ? `${path}/cac:InvoicePeriod` : undefined,
      counts: lc,
    };
    f.lines.push(line);
  }

  walk(root, R, rootName, f, 0);
  return f;
}

/* ------------------------------------------------------------------ whole-document walk */

const IN_SUPPLIER = 1;
const IN_PAYEE = 2;
const IN_PRICE_AC = 4;
const IN_PRICE = 8;

const fact = (path: string, name: string, node: XNode, attrName: `@${string}`): AttrFact => ({ path, name, text: textOf(node) ?? '', attr: attrAt(node, attrName) });
const tfact = (path: string, node: XNode): TextFact => ({ path, text: textOf(node) ?? '' });

function walk(node: XNode, path: string, name: string, f: UblFacts, flags: number): void {
  if (!isObj(node)) return;
  for (const key in node) {
    const c0 = key.charCodeAt(0);
    if (c0 === 64 || c0 === 35) continue;
    const v = node[key];
    const many = Array.isArray(v);
    const list = many ? (v as XNode[]) : [v as XNode];
    for (let i = 0; i < list.length; i++) {
      const child = list[i];
      const aggregate = hasElementChildren(child);
      const p = `${path}${step(aggregate ? 'cac:' : 'cbc:', key, i, many)}`;
      visit(child, key, p, name, node, f, flags);
      if (aggregate) {
        let fl = flags;
        if (key === 'AccountingSupplierParty') fl |= IN_SUPPLIER;
        else if (key === 'PayeeParty') fl |= IN_PAYEE;
        else if (key === 'Price') fl |= IN_PRICE;
        else if (key === 'AllowanceCharge' && flags & IN_PRICE && name === 'Price') fl |= IN_PRICE_AC;
        walk(child, p, key, f, fl);
      }
    }
  }
}

function visit(node: XNode, name: string, path: string, parent: string, parentNode: XNode, f: UblFacts, flags: number): void {
  if (name.endsWith(AMOUNT_SUFFIX)) {
    f.amounts.push({ path, name, text: textOf(node) ?? '', attr: attrAt(node, '@currencyID'), underPriceAllowance: (flags & IN_PRICE_AC) !== 0 });
    return;
  }
  if (name.endsWith('BinaryObject')) {
    // no rule reads the base64 itself: keeping it would keep the whole file's text alive
    // (a slice of it) for as long as the invoice lives — 100 MB for a big flow
    f.binaryObjects.push({ path, name, text: '', attr: attrAt(node, '@mimeCode'), filename: attrAt(node, '@filename') });
    return;
  }
  switch (name) {
    case 'IdentificationCode':
      f.identificationCodes.push({ path, text: textOf(node) ?? '', parent });
      break;
    case 'PostalAddress':
    case 'Address':
      f.addressLineCounts.push({ path, count: countKids(node, 'AddressLine') });
      break;
    case 'PartyTaxScheme': {
      const scheme = text(node, 'TaxScheme/ID');
      f.partyTaxSchemes.push({ path, scheme, vat: isVat(scheme), companyId: text(node, 'CompanyID'), companyIdCount: countKids(node, 'CompanyID') });
      break;
    }
    case 'PaymentID':
      f.paymentIds.push(tfact(path, node));
      break;
    case 'PaymentMeansCode':
      f.paymentMeansCodes.push({ path, text: textOf(node) ?? '', underPaymentMeans: parent === 'PaymentMeans' });
      break;
    case 'ID':
      if (parent === 'PartyIdentification') {
        if (attrAt(node, '@schemeID') !== undefined) f.partyIdentificationSchemes.push({ path, name, text: textOf(node) ?? '', attr: attrAt(node, '@schemeID'), inSupplierOrPayee: (flags & (IN_SUPPLIER | IN_PAYEE)) !== 0 });
      } else if (parent === 'TaxCategory') f.taxCategoryIds.push(tfact(path, node));
      else if (parent === 'ClassifiedTaxCategory') f.classifiedTaxCategoryIds.push(tfact(path, node));
      else if (parent === 'StandardItemIdentification') {
        if (attrAt(node, '@schemeID') !== undefined) f.standardItemSchemes.push(fact(path, name, node, '@schemeID'));
      } else if (parent === 'DeliveryLocation') {
        if (attrAt(node, '@schemeID') !== undefined) f.deliveryLocationSchemes.push(fact(path, name, node, '@schemeID'));
      } else if (parent === 'AdditionalDocumentReference' || parent === 'DocumentReference') {
        if (attrAt(node, '@schemeID') !== undefined && kids(parentNode, 'DocumentTypeCode').some((t) => textOf(t) === '130')) f.objectIdSchemes.push(fact(path, name, node, '@schemeID'));
      }
      break;
    case 'CompanyID':
      if (parent === 'PartyLegalEntity' && attrAt(node, '@schemeID') !== undefined) f.legalEntitySchemes.push(fact(path, name, node, '@schemeID'));
      break;
    case 'ItemClassificationCode':
      if (parent === 'CommodityClassification' && attrAt(node, '@listID') !== undefined) f.classificationListIds.push(fact(path, name, node, '@listID'));
      break;
    case 'AllowanceChargeReasonCode':
      if (parent === 'AllowanceCharge') f.allowanceReasonCodes.push({ path, text: textOf(node) ?? '', charge: xsBoolean(text(parentNode, 'ChargeIndicator')) });
      break;
    case 'TaxExemptionReasonCode':
      f.exemptionReasonCodes.push(tfact(path, node));
      break;
    case 'InvoicedQuantity':
    case 'BaseQuantity':
    case 'CreditedQuantity':
      if (attrAt(node, '@unitCode') !== undefined) f.quantityUnitCodes.push(fact(path, name, node, '@unitCode'));
      break;
    case 'EndpointID':
      if (attrAt(node, '@schemeID') !== undefined) f.endpointSchemes.push(fact(path, name, node, '@schemeID'));
      break;
    case 'DescriptionCode':
      if (parent === 'InvoicePeriod') f.descriptionCodes.push(tfact(path, node));
      break;
    case 'InvoiceTypeCode':
    case 'CreditNoteTypeCode':
      f.typeCodes.push({ path, text: textOf(node) ?? '', name });
      break;
    case 'DocumentCurrencyCode':
      f.documentCurrencyCodes.push(tfact(path, node));
      break;
    case 'TaxCurrencyCode':
      f.taxCurrencyCodes.push(tfact(path, node));
      break;
    case 'Note':
      if (parent === 'Invoice' || parent === 'CreditNote') f.notes.push(tfact(path, node));
      break;
    default:
      break;
  }
}
