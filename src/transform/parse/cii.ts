/**
 * UN/CEFACT CII D16B CrossIndustryInvoice → canonical model (EN 16931 CII syntax binding).
 * Also the reader of the XML embedded in a Factur-X PDF.
 */
import type { LiftedContents } from '../../xml/document';
import { all, at, attr, kid, kids, text, textOf, type XNode } from '../../xml/nodes';
import {
  emptyInvoice,
  emptyLine,
  type AllowanceCharge,
  type Identifier,
  type Invoice,
  type InvoiceLine,
  type Party,
  type Period,
  type PostalAddress,
} from '../../model/invoice';
import { ciiFacts } from '../validate/facts/cii-facts';
import { xsBoolean } from '../validate/facts/walk';
import { isXsDate } from '../../model/xs-date';

/** CII dates are `YYYYMMDD` (format 102); anything else is kept as written for validation. */
export function ciiDate(node: XNode | undefined): string | undefined {
  const raw = textOf(node);
  if (raw === undefined) return undefined;
  const format = attr(node, 'format')?.trim();
  // 102 is YYYYMMDD; 203 (YYYYMMDDHHMM) names a day too, read as its day. Anything else (610, a
  // month) is kept as written, so the refusal (CPRO-PIVOT-DATE) quotes what the supplier wrote
  const digits = format === '203' ? 12 : 8;
  const m = new RegExp(`^(\\d{4})(\\d{2})(\\d{2})\\d{${digits - 8}}$`).exec(raw.trim());
  if (!m || (format !== undefined && format !== '102' && format !== '203')) return raw;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  return isXsDate(day) ? day : raw;
}

function ident(node: XNode | undefined): Identifier | undefined {
  const value = textOf(node);
  if (value === undefined) return undefined;
  const scheme = attr(node, 'schemeID');
  return scheme === undefined ? { value } : { value, scheme };
}

function address(node: XNode | undefined): PostalAddress | undefined {
  if (node === undefined) return undefined;
  return {
    line1: text(node, 'LineOne'),
    line2: text(node, 'LineTwo'),
    line3: text(node, 'LineThree'),
    city: text(node, 'CityName'),
    postcode: text(node, 'PostcodeCode'),
    countrySubdivision: text(node, 'CountrySubDivisionName'),
    countryCode: text(node, 'CountryID'),
  };
}

function party(p: XNode | undefined): Party {
  const out: Party = { identifiers: [] };
  if (p === undefined) return out;
  for (const id of kids(p, 'ID')) out.identifiers.push({ value: textOf(id) ?? '' });
  for (const id of kids(p, 'GlobalID')) {
    const i = ident(id);
    if (i) out.identifiers.push(i);
  }
  out.name = text(p, 'Name');
  out.legalForm = text(p, 'Description');
  const legal = kid(p, 'SpecifiedLegalOrganization');
  out.legalId = ident(kid(legal, 'ID'));
  out.tradingName = text(legal, 'TradingBusinessName');
  const contact = kid(p, 'DefinedTradeContact');
  if (contact !== undefined) {
    out.contact = {
      name: text(contact, 'PersonName') ?? text(contact, 'DepartmentName'),
      phone: text(contact, 'TelephoneUniversalCommunication/CompleteNumber'),
      email: text(contact, 'EmailURIUniversalCommunication/URIID'),
    };
  }
  out.address = address(kid(p, 'PostalTradeAddress'));
  out.electronicAddress = ident(at(p, 'URIUniversalCommunication/URIID'));
  for (const reg of kids(p, 'SpecifiedTaxRegistration')) {
    const id = kid(reg, 'ID');
    const scheme = attr(id, 'schemeID');
    if (scheme === 'VA') out.vatId ??= textOf(id);
    else if (scheme === 'FC') out.taxRegistrationId ??= textOf(id);
  }
  return out;
}

function period(node: XNode | undefined): Period | undefined {
  if (node === undefined) return undefined;
  return { start: ciiDate(at(node, 'StartDateTime/DateTimeString')), end: ciiDate(at(node, 'EndDateTime/DateTimeString')) };
}

function allowanceCharge(ac: XNode): AllowanceCharge {
  return {
    // as the official rules read it (xs:boolean: true or 1); neither is refused, CPRO-PIVOT-INDICATEUR
    isCharge: xsBoolean(text(ac, 'ChargeIndicator/Indicator')) === true,
    amount: text(ac, 'ActualAmount'),
    baseAmount: text(ac, 'BasisAmount'),
    percent: text(ac, 'CalculationPercent'),
    vatCategory: text(ac, 'CategoryTradeTax/CategoryCode'),
    vatRate: text(ac, 'CategoryTradeTax/RateApplicablePercent'),
    reason: text(ac, 'Reason'),
    reasonCode: text(ac, 'ReasonCode'),
  };
}

/**
 * D16B lets a note hold several ram:Content (and a line several notes); EN 16931 has one BT-22
 * (BT-127), Factur-X's XSD one Content, and CII-SR-030 only warns: all but the first were lost
 * without a word. They are kept, one per line, in the one text.
 */
function joined(nodes: XNode[]): string | undefined {
  const parts = nodes.map((c) => textOf(c)).filter((t): t is string => t !== undefined);
  return parts.length === 0 ? undefined : parts.join('\n');
}
const noteText = (note: XNode): string | undefined => joined(kids(note, 'Content'));

function line(l: XNode): InvoiceLine {
  const out = emptyLine();
  out.id = text(l, 'AssociatedDocumentLineDocument/LineID');
  out.note = joined(all(l, 'AssociatedDocumentLineDocument/IncludedNote/Content'));
  const product = kid(l, 'SpecifiedTradeProduct');
  out.item.standardId = ident(kid(product, 'GlobalID'));
  out.item.sellerId = text(product, 'SellerAssignedID');
  out.item.buyerId = text(product, 'BuyerAssignedID');
  out.item.name = text(product, 'Name');
  out.item.description = text(product, 'Description');
  out.item.originCountry = text(product, 'OriginTradeCountry/ID');
  for (const c of kids(product, 'ApplicableProductCharacteristic')) {
    out.item.attributes.push({ name: text(c, 'Description'), value: text(c, 'Value') });
  }
  for (const c of all(product, 'DesignatedProductClassification/ClassCode')) {
    out.item.classifications.push({ value: textOf(c) ?? '', scheme: attr(c, 'listID') });
  }
  const agreement = kid(l, 'SpecifiedLineTradeAgreement');
  out.orderLineRef = text(agreement, 'BuyerOrderReferencedDocument/LineID');
  const gross = kid(agreement, 'GrossPriceProductTradePrice');
  const net = kid(agreement, 'NetPriceProductTradePrice');
  const baseQty = kid(net, 'BasisQuantity') ?? kid(gross, 'BasisQuantity');
  out.price = {
    net: text(net, 'ChargeAmount'),
    gross: text(gross, 'ChargeAmount'),
    discount: text(gross, 'AppliedTradeAllowanceCharge/ActualAmount'),
    baseQuantity: textOf(baseQty),
    baseQuantityUnit: attr(baseQty, 'unitCode'),
  };
  const grossQty = kid(gross, 'BasisQuantity');
  if (grossQty !== undefined && grossQty !== baseQty) out.price.grossBaseQuantity = { value: textOf(grossQty), unit: attr(grossQty, 'unitCode') };
  const qty = at(l, 'SpecifiedLineTradeDelivery/BilledQuantity');
  out.quantity = textOf(qty);
  out.unitCode = attr(qty, 'unitCode');
  const settlement = kid(l, 'SpecifiedLineTradeSettlement');
  out.vat = { category: text(settlement, 'ApplicableTradeTax/CategoryCode'), rate: text(settlement, 'ApplicableTradeTax/RateApplicablePercent') };
  out.period = period(kid(settlement, 'BillingSpecifiedPeriod'));
  out.allowanceCharges = kids(settlement, 'SpecifiedTradeAllowanceCharge').map(allowanceCharge);
  out.netAmount = text(settlement, 'SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount');
  for (const ref of kids(settlement, 'AdditionalReferencedDocument')) {
    // a document attached to the line: EN 16931 has no place for it, kept to be named (CPRO-PJ-LIGNE)
    const bin = kid(ref, 'AttachmentBinaryObject');
    const uri = text(ref, 'URIID');
    if (bin !== undefined || uri !== undefined) (out.documents ??= []).push({ id: text(ref, 'IssuerAssignedID'), fileName: attr(bin, 'filename'), uri });
    if (text(ref, 'TypeCode') === '130') {
      const value = text(ref, 'IssuerAssignedID') ?? '';
      const scheme = text(ref, 'ReferenceTypeCode');
      out.objectId = scheme === undefined ? { value } : { value, scheme };
    }
  }
  out.accountingRef = text(settlement, 'ReceivableSpecifiedTradeAccountingAccount/ID');
  return out;
}

/** `root` is the CrossIndustryInvoice element. */
/** `contents`: the embedded files the reader lifted out of the tree (readXml). */
export function parseCii(root: XNode, contents: LiftedContents): Invoice {
  const inv = emptyInvoice('CII');
  const ctx = kid(root, 'ExchangedDocumentContext');
  inv.customizationId = text(ctx, 'GuidelineSpecifiedDocumentContextParameter/ID');
  inv.profileId = text(ctx, 'BusinessProcessSpecifiedDocumentContextParameter/ID');
  const doc = kid(root, 'ExchangedDocument');
  inv.number = text(doc, 'ID');
  inv.typeCode = text(doc, 'TypeCode');
  inv.issueDate = ciiDate(at(doc, 'IssueDateTime/DateTimeString'));
  inv.notes = kids(doc, 'IncludedNote').map((n) => {
    const subjectCode = text(n, 'SubjectCode');
    const t = noteText(n) ?? '';
    return subjectCode === undefined ? { text: t } : { text: t, subjectCode };
  });
  const tx = kid(root, 'SupplyChainTradeTransaction');
  inv.lines = kids(tx, 'IncludedSupplyChainTradeLineItem').map(line);

  const agreement = kid(tx, 'ApplicableHeaderTradeAgreement');
  inv.buyerReference = text(agreement, 'BuyerReference');
  inv.seller = party(kid(agreement, 'SellerTradeParty'));
  inv.buyer = party(kid(agreement, 'BuyerTradeParty'));
  const rep = kid(agreement, 'SellerTaxRepresentativeTradeParty');
  if (rep !== undefined) {
    inv.taxRepresentative = {
      name: text(rep, 'Name'),
      vatId: text(rep, 'SpecifiedTaxRegistration/ID'),
      address: address(kid(rep, 'PostalTradeAddress')),
    };
  }
  inv.salesOrderReference = text(agreement, 'SellerOrderReferencedDocument/IssuerAssignedID');
  inv.orderReference = text(agreement, 'BuyerOrderReferencedDocument/IssuerAssignedID');
  inv.contractReference = text(agreement, 'ContractReferencedDocument/IssuerAssignedID');
  inv.projectReference = text(agreement, 'SpecifiedProcuringProject/ID');
  for (const ref of kids(agreement, 'AdditionalReferencedDocument')) {
    const type = text(ref, 'TypeCode');
    if (type === '130') {
      const value = text(ref, 'IssuerAssignedID') ?? '';
      const scheme = text(ref, 'ReferenceTypeCode');
      inv.invoicedObjectId = scheme === undefined ? { value } : { value, scheme };
    } else if (type === '50') {
      inv.tenderReference = text(ref, 'IssuerAssignedID');
    } else {
      const bin = kid(ref, 'AttachmentBinaryObject');
      const a: Invoice['attachments'][number] = {
        id: text(ref, 'IssuerAssignedID'),
        description: text(ref, 'Name'),
        uri: text(ref, 'URIID'),
        typeCode: type,
      };
      if (bin !== undefined) {
        a.mimeCode = attr(bin, 'mimeCode');
        a.fileName = attr(bin, 'filename');
        const decoded = contents.decode(textOf(bin) ?? '');
        if (decoded.ok) a.content = decoded.bytes;
        else a.contentError = decoded.reason;
      }
      inv.attachments.push(a);
    }
  }

  const delivery = kid(tx, 'ApplicableHeaderTradeDelivery');
  if (delivery !== undefined) {
    const shipTo = kid(delivery, 'ShipToTradeParty');
    const locId = kid(shipTo, 'ID') ?? kid(shipTo, 'GlobalID');
    inv.delivery = {
      partyName: text(shipTo, 'Name'),
      locationId: ident(locId),
      address: address(kid(shipTo, 'PostalTradeAddress')),
      date: ciiDate(at(delivery, 'ActualDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString')),
    };
    inv.despatchAdviceReference = text(delivery, 'DespatchAdviceReferencedDocument/IssuerAssignedID');
    inv.receivingAdviceReference = text(delivery, 'ReceivingAdviceReferencedDocument/IssuerAssignedID');
  }

  const s = kid(tx, 'ApplicableHeaderTradeSettlement');
  const creditorRef = text(s, 'CreditorReferenceID');
  const remittance = text(s, 'PaymentReference');
  inv.taxCurrency = text(s, 'TaxCurrencyCode');
  inv.currency = text(s, 'InvoiceCurrencyCode');
  const payee = kid(s, 'PayeeTradeParty');
  if (payee !== undefined) {
    inv.payee = {
      name: text(payee, 'Name'),
      identifier: ident(kid(payee, 'ID') ?? kid(payee, 'GlobalID')),
      legalId: ident(at(payee, 'SpecifiedLegalOrganization/ID')),
    };
  }
  const terms = kids(s, 'SpecifiedTradePaymentTerms');
  const mandate = terms.map((t) => text(t, 'DirectDebitMandateID')).find((x) => x !== undefined);
  inv.paymentMeans = kids(s, 'SpecifiedTradeSettlementPaymentMeans').map((pm) => {
    const creditor = kid(pm, 'PayeePartyCreditorFinancialAccount');
    const out: Invoice['paymentMeans'][number] = {
      code: text(pm, 'TypeCode'),
      text: text(pm, 'Information'),
      remittanceInfo: remittance,
      accounts: creditor === undefined
        ? []
        : [{
            id: text(creditor, 'IBANID') ?? text(creditor, 'ProprietaryID'),
            name: text(creditor, 'AccountName'),
            bic: text(pm, 'PayeeSpecifiedCreditorFinancialInstitution/BICID'),
          }],
    };
    const card = kid(pm, 'ApplicableTradeSettlementFinancialCard');
    if (card !== undefined) out.card = { pan: text(card, 'ID'), holder: text(card, 'CardholderName') };
    const debtor = text(pm, 'PayerPartyDebtorFinancialAccount/IBANID');
    if (debtor !== undefined || mandate !== undefined || creditorRef !== undefined) {
      out.directDebit = { mandateRef: mandate, creditorRef, debitedAccount: debtor };
    }
    return out;
  });
  if (inv.paymentMeans.length === 0 && (remittance ?? mandate ?? creditorRef) !== undefined) {
    inv.paymentReferences = { remittanceInfo: remittance, mandateRef: mandate, creditorRef };
  }
  for (const tax of kids(s, 'ApplicableTradeTax')) {
    inv.vatBreakdown.push({
      taxAmount: text(tax, 'CalculatedAmount'),
      taxableAmount: text(tax, 'BasisAmount'),
      category: text(tax, 'CategoryCode'),
      rate: text(tax, 'RateApplicablePercent'),
      exemptionReason: text(tax, 'ExemptionReason'),
      exemptionReasonCode: text(tax, 'ExemptionReasonCode'),
    });
    inv.taxPointDate ??= ciiDate(at(tax, 'TaxPointDate/DateString'));
    const dueDateCode = text(tax, 'DueDateTypeCode'); // BT-8
    if (dueDateCode !== undefined) inv.invoicingPeriod = { ...inv.invoicingPeriod, descriptionCode: dueDateCode };
  }
  const billing = period(kid(s, 'BillingSpecifiedPeriod'));
  if (billing) inv.invoicingPeriod = { ...inv.invoicingPeriod, ...billing };
  inv.allowanceCharges = kids(s, 'SpecifiedTradeAllowanceCharge').map(allowanceCharge);
  inv.paymentTerms = terms.map((t) => text(t, 'Description')).find((x) => x !== undefined);
  inv.dueDate = terms.map((t) => ciiDate(at(t, 'DueDateDateTime/DateTimeString'))).find((x) => x !== undefined);
  const sum = kid(s, 'SpecifiedTradeSettlementHeaderMonetarySummation');
  inv.totals.lineExtension = text(sum, 'LineTotalAmount');
  inv.totals.chargeTotal = text(sum, 'ChargeTotalAmount');
  inv.totals.allowanceTotal = text(sum, 'AllowanceTotalAmount');
  inv.totals.taxExclusive = text(sum, 'TaxBasisTotalAmount');
  for (const tt of kids(sum, 'TaxTotalAmount')) {
    const cur = attr(tt, 'currencyID');
    if (inv.taxCurrency !== undefined && cur === inv.taxCurrency && cur !== inv.currency) inv.totals.taxTotalAccounting = textOf(tt);
    else inv.totals.taxTotal ??= textOf(tt);
  }
  inv.totals.rounding = text(sum, 'RoundingAmount');
  inv.totals.taxInclusive = text(sum, 'GrandTotalAmount');
  inv.totals.prepaid = text(sum, 'TotalPrepaidAmount');
  inv.totals.payable = text(sum, 'DuePayableAmount');
  inv.precedingInvoices = kids(s, 'InvoiceReferencedDocument').map((r) => ({
    number: text(r, 'IssuerAssignedID'),
    issueDate: ciiDate(at(r, 'FormattedIssueDateTime/DateTimeString')),
  }));
  inv.buyerAccountingRef = text(s, 'ReceivableSpecifiedTradeAccountingAccount/ID');
  inv.syntaxFacts = { cii: ciiFacts(root) };
  return inv;
}
