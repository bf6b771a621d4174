/**
 * CII D16B syntax facts (see src/model/syntax-facts.ts): the places the EN 16931 CII rules
 * look at, read once at parse time, plus one walk of the whole document for the rules whose
 * context is "anywhere" (CII-DT data type restrictions, code lists, scheme identifiers…).
 */
import type { XNode } from '../../../xml/nodes';
import { at, kid, kids, text, textOf } from '../../../xml/nodes';
import type {
  AttrFact,
  CiiAllowanceChargeFact,
  CiiDateFact,
  CiiFacts,
  CiiLineFact,
  CiiPeriodFact,
  CiiTaxFact,
  TextFact,
} from '../../../model/syntax-facts';
import { at as attrAt, attrNames, childKeys, countKids, countPath, hasElementChildren, isObj, step, xsBoolean } from './walk';

const TX = 'SupplyChainTradeTransaction';
const AGR = `${TX}/ApplicableHeaderTradeAgreement`;
const SET = `${TX}/ApplicableHeaderTradeSettlement`;
const SUM = `${SET}/SpecifiedTradeSettlementHeaderMonetarySummation`;

/** Summation amounts the CII-SR-477…494 rules allow at most once. */
export const CII_SUMMATION_AMOUNTS = [
  'LineTotalAmount',
  'ChargeTotalAmount',
  'AllowanceTotalAmount',
  'TaxBasisTotalAmount',
  'RoundingAmount',
  'GrandTotalAmount',
  'InformationAmount',
  'TotalPrepaidAmount',
  'TotalDiscountAmount',
  'TotalAllowanceChargeAmount',
  'DuePayableAmount',
  'RetailValueExcludingTaxInformationAmount',
  'TotalDepositFeeInformationAmount',
  'ProductValueExcludingTobaccoTaxInformationAmount',
  'TotalRetailValueInformationAmount',
  'GrossLineTotalAmount',
  'NetLineTotalAmount',
  'NetIncludingTaxesLineTotalAmount',
] as const;

/** Counts (from rsm:CrossIndustryInvoice) the CII-SR rules bound. */
export const CII_ROOT_COUNTS = [
  'ExchangedDocumentContext',
  'ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter',
  'ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID',
  'ExchangedDocument',
  'ExchangedDocument/TypeCode',
  AGR,
  `${AGR}/SellerTradeParty/DefinedTradeContact`,
  `${AGR}/BuyerTradeParty/DefinedTradeContact`,
  `${AGR}/SellerTradeParty/URIUniversalCommunication`,
  `${AGR}/BuyerTradeParty/URIUniversalCommunication`,
  SET,
  `${SET}/ApplicableTradeTax/TaxPointDate`,
  `${SET}/PaymentReference`,
  SUM,
  ...CII_SUMMATION_AMOUNTS.map((a) => `${SUM}/${a}`),
] as const;

const SPLIT = new Map<string, string[]>();
function split(p: string): string[] {
  let s = SPLIT.get(p);
  if (!s) SPLIT.set(p, (s = p.split('/')));
  return s;
}

const RSM = new Set(['ExchangedDocumentContext', 'ExchangedDocument', 'SupplyChainTradeTransaction']);
const UDT = new Set(['DateTimeString', 'DateString', 'Indicator']);

function prefixOf(name: string, parent: string): string {
  if (RSM.has(name) && parent === 'CrossIndustryInvoice') return 'rsm:';
  if (UDT.has(name)) return parent === 'FormattedIssueDateTime' ? 'qdt:' : 'udt:';
  return 'ram:';
}

const ROOT_PATH = '/rsm:CrossIndustryInvoice';

/** Path of a fixed chain of first children (ram: prefixes), for facts read outside the walk. */
function pathOf(rel: string): string {
  let parent = 'CrossIndustryInvoice';
  let p = ROOT_PATH;
  for (const s of split(rel)) {
    p += `/${prefixOf(s, parent)}${s}`;
    parent = s;
  }
  return p;
}

function indexed(nodes: XNode[], base: string, name: string, parent: string): { node: XNode; path: string }[] {
  const many = nodes.length > 1;
  const prefix = prefixOf(name, parent);
  return nodes.map((node, i) => ({ node, path: `${base}${step(prefix, name, i, many)}` }));
}

/** Facts already read for a node during this extraction (the structured read and the walk meet the same nodes). */
let seenTax: Map<XNode, CiiTaxFact> | undefined;
let seenAc: Map<XNode, CiiAllowanceChargeFact> | undefined;

function tax(node: XNode, path: string): CiiTaxFact {
  const hit = seenTax?.get(node);
  if (hit) return hit;
  const t = readTax(node, path);
  seenTax?.set(node, t);
  return t;
}

function readTax(node: XNode, path: string): CiiTaxFact {
  return {
    path,
    categoryCode: text(node, 'CategoryCode'),
    typeCode: text(node, 'TypeCode'),
    rate: text(node, 'RateApplicablePercent'),
    basisAmount: text(node, 'BasisAmount'),
    calculatedAmount: text(node, 'CalculatedAmount'),
    hasExemptionReason: kid(node, 'ExemptionReason') !== undefined,
    hasExemptionReasonCode: kid(node, 'ExemptionReasonCode') !== undefined,
  };
}

function allowanceCharge(node: XNode, path: string): CiiAllowanceChargeFact {
  const hit = seenAc?.get(node);
  if (hit) return hit;
  const a = readAllowanceCharge(node, path);
  seenAc?.set(node, a);
  return a;
}

function readAllowanceCharge(node: XNode, path: string): CiiAllowanceChargeFact {
  const indicator = text(node, 'ChargeIndicator/Indicator');
  return {
    path,
    indicator,
    charge: xsBoolean(indicator),
    hasChargeIndicator: kid(node, 'ChargeIndicator') !== undefined,
    actualAmountCount: countKids(node, 'ActualAmount'),
    actualAmount: text(node, 'ActualAmount'),
    basisAmount: text(node, 'BasisAmount'),
    hasReason: kid(node, 'Reason') !== undefined || kid(node, 'ReasonCode') !== undefined,
    rateCount: countKids(node, 'RateApplicablePercent'),
    taxes: indexed(kids(node, 'CategoryTradeTax'), path, 'CategoryTradeTax', 'SpecifiedTradeAllowanceCharge').map(({ node: n, path: p }) => tax(n, p)),
  };
}

function dateFact(node: XNode | undefined, path: string): CiiDateFact | undefined {
  const s = kid(node, 'DateTimeString');
  if (s === undefined) return undefined;
  return { path: `${path}/udt:DateTimeString`, text: textOf(s) ?? '', format: attrAt(s, '@format') };
}

function period(node: XNode | undefined, path: string): CiiPeriodFact | undefined {
  if (node === undefined) return undefined;
  const start = kid(node, 'StartDateTime');
  const end = kid(node, 'EndDateTime');
  return {
    path,
    hasStart: start !== undefined,
    hasEnd: end !== undefined,
    start: dateFact(start, `${path}/ram:StartDateTime`),
    end: dateFact(end, `${path}/ram:EndDateTime`),
  };
}

function taxIds(party: XNode | undefined, base: string): AttrFact[] {
  const out: AttrFact[] = [];
  for (const { node, path } of indexed(kids(party, 'SpecifiedTaxRegistration'), base, 'SpecifiedTaxRegistration', '')) {
    for (const id of kids(node, 'ID')) out.push({ path: `${path}/ram:ID`, name: 'ID', text: textOf(id) ?? '', attr: attrAt(id, '@schemeID') });
  }
  return out;
}

const texts = (nodes: XNode[]): string[] => nodes.map((n) => textOf(n) ?? '');

export function ciiFacts(root: XNode): CiiFacts {
  seenTax = new Map();
  seenAc = new Map();
  try {
    return readFacts(root);
  } finally {
    seenTax = undefined;
    seenAc = undefined;
  }
}

function readFacts(root: XNode): CiiFacts {
  const counts: Record<string, number> = {};
  for (const p of CII_ROOT_COUNTS) counts[p] = countPath(root, split(p));
  const agreement = at(root, AGR);
  const settlement = at(root, SET);
  const seller = kid(agreement, 'SellerTradeParty');
  const buyer = kid(agreement, 'BuyerTradeParty');
  const sellerPath = pathOf(`${AGR}/SellerTradeParty`);
  const buyerPath = pathOf(`${AGR}/BuyerTradeParty`);
  const setPath = pathOf(SET);
  const summation = kid(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');
  const delivery = at(root, `${TX}/ApplicableHeaderTradeDelivery`);
  const shipTo = kid(delivery, 'ShipToTradeParty');
  const shipToAddress = kid(shipTo, 'PostalTradeAddress');
  const issue = at(root, 'ExchangedDocument/IssueDateTime');

  const f: CiiFacts = {
    counts,
    rootAttributes: attrNames(root),
    issueDate: dateFact(issue, pathOf('ExchangedDocument/IssueDateTime')),
    headerTaxes: indexed(kids(settlement, 'ApplicableTradeTax'), setPath, 'ApplicableTradeTax', '').map(({ node, path }) => tax(node, path)),
    allowanceCharges: indexed(kids(settlement, 'SpecifiedTradeAllowanceCharge'), setPath, 'SpecifiedTradeAllowanceCharge', '').map(({ node, path }) => allowanceCharge(node, path)),
    lines: [],
    hasMonetarySummation: summation !== undefined,
    summationPath: summation !== undefined ? pathOf(SUM) : undefined,
    taxTotalAmounts: kids(summation, 'TaxTotalAmount').map((n) => ({ path: `${pathOf(SUM)}/ram:TaxTotalAmount`, name: 'TaxTotalAmount', text: textOf(n) ?? '', attr: attrAt(n, '@currencyID') })),
    invoicePeriod: period(kid(settlement, 'BillingSpecifiedPeriod'), `${setPath}/ram:BillingSpecifiedPeriod`),
    hasDelivery: delivery !== undefined,
    deliveryPath: delivery !== undefined ? pathOf(`${TX}/ApplicableHeaderTradeDelivery`) : undefined,
    hasDeliveryDate: at(delivery, 'ActualDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString') !== undefined,
    shipToAddress: shipToAddress !== undefined ? { path: pathOf(`${TX}/ApplicableHeaderTradeDelivery/ShipToTradeParty/PostalTradeAddress`), countryId: text(shipToAddress, 'CountryID') } : undefined,
    taxRepresentative: undefined,
    sellerTaxIds: taxIds(seller, sellerPath),
    buyerTaxIds: taxIds(buyer, buyerPath),
    taxRepTaxIds: [],
    hasSeller: seller !== undefined,
    sellerPath,
    sellerIds: texts(kids(seller, 'ID')),
    sellerGlobalIdCount: countKids(seller, 'GlobalID'),
    sellerLegalIds: texts(kids(kid(seller, 'SpecifiedLegalOrganization'), 'ID')),
    buyerLegalIdCount: countPath(buyer, ['SpecifiedLegalOrganization', 'ID']),
    sellerUriScheme: attrAt(at(seller, 'URIUniversalCommunication/URIID'), '@schemeID'),
    buyerUriScheme: attrAt(at(buyer, 'URIUniversalCommunication/URIID'), '@schemeID'),
    sellerHasUri: kid(seller, 'URIUniversalCommunication') !== undefined,
    buyerHasUri: kid(buyer, 'URIUniversalCommunication') !== undefined,
    sellerAddressCountry: text(seller, 'PostalTradeAddress/CountryID'),
    buyerAddressCountry: text(buyer, 'PostalTradeAddress/CountryID'),
    sellerNames: texts(kids(seller, 'Name')),
    payee: undefined,
    paymentMeans: [],
    precedingInvoices: indexed(kids(settlement, 'InvoiceReferencedDocument'), setPath, 'InvoiceReferencedDocument', '').map(({ node, path }) => ({ path, issuerAssignedId: text(node, 'IssuerAssignedID') })),
    dueDateTypeCodes: [],
    taxPointDateCount: 0,
    countryIds: [],
    originCountryIds: [],
    categoryCodes: [],
    categoryTradeTaxes: [],
    applicableTradeTaxes: [],
    allAllowanceCharges: [],
    grossPriceAllowances: [],
    allowanceReasonCodes: [],
    additionalDocuments: [],
    financialCards: [],
    characteristics: [],
    classifications: [],
    idAttributes: [],
    fixedIdAttributes: [],
    typeCodeAttributes: [],
    referencedDocuments: [],
    amounts: [],
    quantities: [],
    hasBilledQuantityUnitCode: false,
    tradeTaxTypeCodes: [],
    billingPeriods: [],
    postalAddresses: [],
    dates102: [],
    globalIdSchemes: [],
    idSchemes: [],
    classCodeListIds: [],
    uriSchemes: [],
    referenceTypeCodes: [],
    subjectCodes: [],
    exemptionReasonCodes: [],
    paymentMeansTypeCodes: [],
    invoiceCurrencyCodes: [],
    taxCurrencyCodes: [],
    documentTypeCodes: [],
    attachmentMimeCodes: [],
    unitCodes: [],
  };

  const rep = kid(agreement, 'SellerTaxRepresentativeTradeParty');
  if (rep !== undefined) {
    const path = pathOf(`${AGR}/SellerTaxRepresentativeTradeParty`);
    f.taxRepTaxIds = taxIds(rep, path);
    f.taxRepresentative = {
      path,
      name: text(rep, 'Name'),
      hasAddress: kid(rep, 'PostalTradeAddress') !== undefined,
      addressCountry: text(rep, 'PostalTradeAddress/CountryID'),
    };
  }
  const payee = kid(settlement, 'PayeeTradeParty');
  if (payee !== undefined) {
    f.payee = {
      path: `${setPath}/ram:PayeeTradeParty`,
      names: texts(kids(payee, 'Name')),
      ids: texts(kids(payee, 'ID')),
      legalIds: texts(kids(kid(payee, 'SpecifiedLegalOrganization'), 'ID')),
    };
  }
  f.paymentMeans = indexed(kids(settlement, 'SpecifiedTradeSettlementPaymentMeans'), setPath, 'SpecifiedTradeSettlementPaymentMeans', '').map(({ node, path }) => ({
    path,
    typeCode: text(node, 'TypeCode'),
    hasTypeCode: kid(node, 'TypeCode') !== undefined,
    informations: texts(kids(node, 'Information')),
    accounts: indexed(kids(node, 'PayeePartyCreditorFinancialAccount'), path, 'PayeePartyCreditorFinancialAccount', '').map(({ node: a, path: p }) => ({
      path: p,
      iban: text(a, 'IBANID'),
      proprietary: text(a, 'ProprietaryID'),
    })),
  }));

  const txPath = pathOf(TX);
  for (const { node: l, path } of indexed(kids(at(root, TX), 'IncludedSupplyChainTradeLineItem'), txPath, 'IncludedSupplyChainTradeLineItem', '')) {
    const ls = kid(l, 'SpecifiedLineTradeSettlement');
    const lsPath = `${path}/ram:SpecifiedLineTradeSettlement`;
    const product = kid(l, 'SpecifiedTradeProduct');
    const agr = kid(l, 'SpecifiedLineTradeAgreement');
    const line: CiiLineFact = {
      path,
      taxes: indexed(kids(ls, 'ApplicableTradeTax'), lsPath, 'ApplicableTradeTax', '').map(({ node, path: p }) => tax(node, p)),
      allowanceCharges: indexed(kids(ls, 'SpecifiedTradeAllowanceCharge'), lsPath, 'SpecifiedTradeAllowanceCharge', '').map(({ node, path: p }) => allowanceCharge(node, p)),
      period: period(kid(ls, 'BillingSpecifiedPeriod'), `${lsPath}/ram:BillingSpecifiedPeriod`),
      hasAgreement: agr !== undefined,
      netPriceChargeAmountCount: countPath(agr, ['NetPriceProductTradePrice', 'ChargeAmount']),
      productPath: product !== undefined ? `${path}/ram:SpecifiedTradeProduct` : undefined,
      globalIdCount: countKids(product, 'GlobalID'),
      globalIdSchemeCount: kids(product, 'GlobalID').filter((g) => attrAt(g, '@schemeID') !== undefined).length,
      originCountryCount: countKids(product, 'OriginTradeCountry'),
      originCountryIdCount: countPath(product, ['OriginTradeCountry', 'ID']),
    };
    f.lines.push(line);
  }

  walk(root, ROOT_PATH, 'CrossIndustryInvoice', f, 0);
  return f;
}

/* ------------------------------------------------------------------ whole-document walk */

const IN_PRODUCT = 1;
const IN_SHIPTO = 2;
const IN_TAXREG = 4;
const IN_HEADER_SETTLEMENT = 8;

const afact = (path: string, name: string, node: XNode, a: `@${string}`): AttrFact => ({ path, name, text: textOf(node) ?? '', attr: attrAt(node, a) });
const tfact = (path: string, node: XNode): TextFact => ({ path, text: textOf(node) ?? '' });

const REF_DOC = 'ReferencedDocument';

function walk(node: XNode, path: string, name: string, f: CiiFacts, flags: number): void {
  if (!isObj(node)) return;
  for (const key in node) {
    const c0 = key.charCodeAt(0);
    if (c0 === 64 || c0 === 35) continue;
    const v = node[key];
    const many = Array.isArray(v);
    const list = many ? (v as XNode[]) : [v as XNode];
    for (let i = 0; i < list.length; i++) {
      const child = list[i];
      const p = `${path}${step(prefixOf(key, name), key, i, many)}`;
      visit(child, key, p, name, node, f, flags);
      if (hasElementChildren(child)) {
        let fl = flags;
        if (key === 'SpecifiedTradeProduct') fl |= IN_PRODUCT;
        else if (key === 'ShipToTradeParty') fl |= IN_SHIPTO;
        else if (key === 'SpecifiedTaxRegistration') fl |= IN_TAXREG;
        if (key === 'ApplicableHeaderTradeSettlement') fl |= IN_HEADER_SETTLEMENT;
        else if (key === 'IncludedSupplyChainTradeLineItem' || key === 'SpecifiedLineTradeSettlement') fl &= ~IN_HEADER_SETTLEMENT;
        walk(child, p, key, f, fl);
      }
    }
  }
}

function visit(node: XNode, name: string, path: string, parent: string, parentNode: XNode, f: CiiFacts, flags: number): void {
  if (name.endsWith('Amount')) {
    f.amounts.push({ path, name, text: textOf(node) ?? '', attr: attrAt(node, '@currencyID'), attrs: attrNames(node) });
  } else if (name.endsWith('Quantity')) {
    f.quantities.push({ path, name, text: textOf(node) ?? '', attr: attrAt(node, '@unitCode'), attrs: attrNames(node) });
    if ((name === 'BasisQuantity' || name === 'BilledQuantity') && attrAt(node, '@unitCode') !== undefined) f.unitCodes.push(afact(path, name, node, '@unitCode'));
    if (name === 'BilledQuantity' && parent === 'SpecifiedLineTradeDelivery' && attrAt(node, '@unitCode') !== undefined) f.hasBilledQuantityUnitCode = true;
  } else if (name.endsWith('TradeTax')) {
    f.tradeTaxTypeCodes.push({ path, typeCode: text(node, 'TypeCode'), hasTypeCode: kid(node, 'TypeCode') !== undefined });
    if (name === 'CategoryTradeTax') f.categoryTradeTaxes.push(tax(node, path));
    else if (name === 'ApplicableTradeTax') f.applicableTradeTaxes.push(tax(node, path));
  } else if (name.endsWith(REF_DOC)) {
    f.referencedDocuments.push({ path, name, children: childKeys(node), typeCode: text(node, 'TypeCode') });
    if (name === 'AdditionalReferencedDocument') f.additionalDocuments.push({ path, issuerAssignedId: text(node, 'IssuerAssignedID') });
  }
  if (name.endsWith('ID')) {
    const attrs = attrNames(node);
    const fixed =
      (name === 'ID' && (parent === 'GuidelineSpecifiedDocumentContextParameter' || parent === 'ExchangedDocument')) ||
      (name === 'LineID' && parent === 'AssociatedDocumentLineDocument') ||
      (name === 'SellerAssignedID' && parent === 'SpecifiedTradeProduct');
    if (attrs.length > 0) f.idAttributes.push({ path, name, attrs, fixed });
    if (fixed) f.fixedIdAttributes.push({ path, attrs });
    if (name === 'GlobalID' && attrAt(node, '@schemeID') !== undefined) {
      f.globalIdSchemes.push({ path, name, text: textOf(node) ?? '', attr: attrAt(node, '@schemeID'), inProduct: (flags & IN_PRODUCT) !== 0, inShipTo: (flags & IN_SHIPTO) !== 0, shipToDirect: parent === 'ShipToTradeParty' && (flags & IN_SHIPTO) !== 0, productDirect: parent === 'SpecifiedTradeProduct' });
    } else if (name === 'ID' && attrAt(node, '@schemeID') !== undefined) {
      f.idSchemes.push({ path, name, text: textOf(node) ?? '', attr: attrAt(node, '@schemeID'), inTaxRegistration: (flags & IN_TAXREG) !== 0 || parent === 'SpecifiedTaxRegistration' });
    } else if (name === 'URIID' && parent === 'URIUniversalCommunication' && attrAt(node, '@schemeID') !== undefined) {
      f.uriSchemes.push(afact(path, name, node, '@schemeID'));
    }
    if (name === 'CountryID') f.countryIds.push(tfact(path, node));
    else if (name === 'ID' && parent === 'OriginTradeCountry') f.originCountryIds.push(tfact(path, node));
    else if (name === 'ID' && parent === 'ApplicableTradeSettlementFinancialCard') f.financialCards.push(tfact(path, node));
    return;
  }
  switch (name) {
    case 'TypeCode':
      f.typeCodeAttributes.push({ path, attrs: attrNames(node) });
      if (parent === 'ExchangedDocument') f.documentTypeCodes.push(tfact(path, node));
      else if (parent === 'SpecifiedTradeSettlementPaymentMeans') f.paymentMeansTypeCodes.push(tfact(path, node));
      break;
    case 'CategoryCode':
      f.categoryCodes.push(tfact(path, node));
      break;
    case 'SpecifiedTradeAllowanceCharge':
      f.allAllowanceCharges.push(allowanceCharge(node, path));
      for (const rc of kids(node, 'ReasonCode')) f.allowanceReasonCodes.push({ path: `${path}/ram:ReasonCode`, text: textOf(rc) ?? '', charge: xsBoolean(text(node, 'ChargeIndicator/Indicator')) });
      break;
    case 'AppliedTradeAllowanceCharge':
      if (parent === 'GrossPriceProductTradePrice') {
        const indicator = text(node, 'ChargeIndicator/Indicator');
        f.grossPriceAllowances.push({ path, actualAmountCount: countKids(node, 'ActualAmount'), indicator, charge: xsBoolean(indicator) });
      }
      break;
    case 'BillingSpecifiedPeriod':
      f.billingPeriods.push({ path, children: childKeys(node), startDateTime: at(node, 'StartDateTime/DateTime') !== undefined, endDateTime: at(node, 'EndDateTime/DateTime') !== undefined });
      break;
    case 'PostalTradeAddress':
      f.postalAddresses.push({ path, children: childKeys(node) });
      break;
    case 'DateTimeString':
      if (parent !== 'FormattedIssueDateTime' && attrAt(node, '@format') === '102') f.dates102.push({ path, text: textOf(node) ?? '', format: '102' });
      break;
    case 'ApplicableProductCharacteristic':
      f.characteristics.push({ path, descriptionCount: countKids(node, 'Description'), valueCount: countKids(node, 'Value'), inProduct: parent === 'SpecifiedTradeProduct' });
      break;
    case 'DesignatedProductClassification':
      f.classifications.push({ path, hasClassCode: kid(node, 'ClassCode') !== undefined, listId: attrAt(kid(node, 'ClassCode'), '@listID') });
      break;
    case 'ClassCode':
      if (attrAt(node, '@listID') !== undefined) f.classCodeListIds.push(afact(path, name, node, '@listID'));
      break;
    case 'ReferenceTypeCode':
      f.referenceTypeCodes.push(tfact(path, node));
      break;
    case 'SubjectCode':
      f.subjectCodes.push(tfact(path, node));
      break;
    case 'ExemptionReasonCode':
      f.exemptionReasonCodes.push(tfact(path, node));
      break;
    case 'InvoiceCurrencyCode':
      f.invoiceCurrencyCodes.push(tfact(path, node));
      break;
    case 'TaxCurrencyCode':
      f.taxCurrencyCodes.push(tfact(path, node));
      break;
    case 'DueDateTypeCode':
      f.dueDateTypeCodes.push(tfact(path, node));
      break;
    case 'TaxPointDate':
      f.taxPointDateCount++;
      break;
    case 'AttachmentBinaryObject':
      // without the base64 text: no rule reads it, and it would keep the file's text alive
      if (attrAt(node, '@mimeCode') !== undefined) f.attachmentMimeCodes.push({ ...afact(path, name, node, '@mimeCode'), text: '' });
      break;
    default:
      break;
  }
  void parentNode;
}
