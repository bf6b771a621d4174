/**
 * UBL 2.1 Invoice / CreditNote → canonical model (EN 16931 UBL syntax binding).
 * Prefixes are already gone (see xml/document.ts), so `cbc:ID` and `ID` read the same.
 * The parser is lenient: a missing element leaves the field undefined, validation judges.
 */
import type { LiftedContents } from '../../xml/document';
import { all, at, attr, kid, kids, text, textOf, type XNode } from '../../xml/nodes';
import {
  emptyInvoice,
  emptyLine,
  type AllowanceCharge,
  type Attachment,
  type Identifier,
  type Invoice,
  type InvoiceLine,
  type Party,
  type PaymentMeans,
  type Period,
  type PostalAddress,
} from '../../model/invoice';
import { ublFacts } from '../validate/facts/ubl-facts';
import { dayOfXsDate } from '../../model/xs-date';
import { xsBoolean } from '../validate/facts/walk';
import { ublNote } from './ubl-note';

function ident(node: XNode | undefined): Identifier | undefined {
  const value = textOf(node);
  if (value === undefined) return undefined;
  const scheme = attr(node, 'schemeID');
  return scheme === undefined ? { value } : { value, scheme };
}

function address(node: XNode | undefined): PostalAddress | undefined {
  if (node === undefined) return undefined;
  return {
    line1: text(node, 'StreetName'),
    line2: text(node, 'AdditionalStreetName'),
    line3: text(node, 'AddressLine/Line'),
    city: text(node, 'CityName'),
    postcode: text(node, 'PostalZone'),
    countrySubdivision: text(node, 'CountrySubentity'),
    countryCode: text(node, 'Country/IdentificationCode'),
  };
}

function party(p: XNode | undefined): Party {
  const out: Party = { identifiers: [] };
  if (p === undefined) return out;
  out.electronicAddress = ident(kid(p, 'EndpointID'));
  for (const id of all(p, 'PartyIdentification/ID')) {
    const i = ident(id);
    if (i) out.identifiers.push(i);
  }
  out.tradingName = text(p, 'PartyName/Name');
  out.address = address(kid(p, 'PostalAddress'));
  for (const ts of kids(p, 'PartyTaxScheme')) {
    const company = text(ts, 'CompanyID');
    if (text(ts, 'TaxScheme/ID') === 'VAT') out.vatId ??= company;
    else out.taxRegistrationId ??= company;
  }
  const legal = kid(p, 'PartyLegalEntity');
  out.name = text(legal, 'RegistrationName');
  out.legalId = ident(kid(legal, 'CompanyID'));
  out.legalForm = text(legal, 'CompanyLegalForm');
  const contact = kid(p, 'Contact');
  if (contact !== undefined) {
    out.contact = { name: text(contact, 'Name'), phone: text(contact, 'Telephone'), email: text(contact, 'ElectronicMail') };
  }
  return out;
}

/** A date element's day: an xs:date's time zone dropped (the same calendar day). */
function day(node: XNode | undefined, p: string): string | undefined {
  return dayOfXsDate(text(node, p));
}

function period(node: XNode | undefined): Period | undefined {
  if (node === undefined) return undefined;
  return { start: day(node, 'StartDate'), end: day(node, 'EndDate'), descriptionCode: text(node, 'DescriptionCode') };
}

function allowanceCharge(ac: XNode): AllowanceCharge {
  return {
    // as the official rules read it (xs:boolean: true or 1); neither is refused, CPRO-PIVOT-INDICATEUR
    isCharge: xsBoolean(text(ac, 'ChargeIndicator')) === true,
    amount: text(ac, 'Amount'),
    baseAmount: text(ac, 'BaseAmount'),
    percent: text(ac, 'MultiplierFactorNumeric'),
    vatCategory: text(ac, 'TaxCategory/ID'),
    vatRate: text(ac, 'TaxCategory/Percent'),
    reason: text(ac, 'AllowanceChargeReason'),
    reasonCode: text(ac, 'AllowanceChargeReasonCode'),
  };
}

function attachment(ref: XNode, contents: LiftedContents): Attachment {
  const a: Attachment = {
    id: text(ref, 'ID'),
    description: text(ref, 'DocumentDescription'),
    typeCode: text(ref, 'DocumentTypeCode'),
  };
  const bin = at(ref, 'Attachment/EmbeddedDocumentBinaryObject');
  if (bin !== undefined) {
    a.mimeCode = attr(bin, 'mimeCode');
    a.fileName = attr(bin, 'filename');
    const decoded = contents.decode(textOf(bin) ?? '');
    if (decoded.ok) a.content = decoded.bytes;
    else a.contentError = decoded.reason;
  }
  a.uri = text(ref, 'Attachment/ExternalReference/URI');
  return a;
}

function paymentMeans(pm: XNode): PaymentMeans {
  const codeNode = kid(pm, 'PaymentMeansCode');
  const out: PaymentMeans = {
    code: textOf(codeNode),
    text: attr(codeNode, 'name'),
    remittanceInfo: text(pm, 'PaymentID'),
    accounts: kids(pm, 'PayeeFinancialAccount').map((acc) => ({
      id: text(acc, 'ID'),
      name: text(acc, 'Name'),
      bic: text(acc, 'FinancialInstitutionBranch/ID'),
    })),
  };
  const card = kid(pm, 'CardAccount');
  if (card !== undefined) out.card = { pan: text(card, 'PrimaryAccountNumberID'), holder: text(card, 'HolderName') };
  const mandate = kid(pm, 'PaymentMandate');
  if (mandate !== undefined) {
    out.directDebit = { mandateRef: text(mandate, 'ID'), debitedAccount: text(mandate, 'PayerFinancialAccount/ID') };
  }
  return out;
}

function line(l: XNode, quantityName: string): InvoiceLine {
  const out = emptyLine();
  out.id = text(l, 'ID');
  out.note = text(l, 'Note');
  const qty = kid(l, quantityName);
  out.quantity = textOf(qty);
  out.unitCode = attr(qty, 'unitCode');
  out.netAmount = text(l, 'LineExtensionAmount');
  out.accountingRef = text(l, 'AccountingCost');
  out.period = period(kid(l, 'InvoicePeriod'));
  out.orderLineRef = text(l, 'OrderLineReference/LineID');
  for (const ref of kids(l, 'DocumentReference')) {
    if (text(ref, 'DocumentTypeCode') === '130') out.objectId = ident(kid(ref, 'ID'));
    // a document attached to the line: EN 16931 has no place for it, kept to be named (CPRO-PJ-LIGNE)
    const att = kid(ref, 'Attachment');
    if (att !== undefined) {
      (out.documents ??= []).push({ id: text(ref, 'ID'), fileName: attr(at(att, 'EmbeddedDocumentBinaryObject'), 'filename'), uri: text(att, 'ExternalReference/URI') });
    }
  }
  out.allowanceCharges = kids(l, 'AllowanceCharge').map(allowanceCharge);
  const item = kid(l, 'Item');
  out.item.name = text(item, 'Name');
  out.item.description = text(item, 'Description');
  out.item.sellerId = text(item, 'SellersItemIdentification/ID');
  out.item.buyerId = text(item, 'BuyersItemIdentification/ID');
  out.item.standardId = ident(at(item, 'StandardItemIdentification/ID'));
  out.item.originCountry = text(item, 'OriginCountry/IdentificationCode');
  for (const c of all(item, 'CommodityClassification/ItemClassificationCode')) {
    out.item.classifications.push({ value: textOf(c) ?? '', scheme: attr(c, 'listID') });
  }
  for (const p of kids(item, 'AdditionalItemProperty')) {
    out.item.attributes.push({ name: text(p, 'Name'), value: text(p, 'Value') });
  }
  out.vat = { category: text(item, 'ClassifiedTaxCategory/ID'), rate: text(item, 'ClassifiedTaxCategory/Percent') };
  const price = kid(l, 'Price');
  const baseQty = kid(price, 'BaseQuantity');
  out.price = {
    net: text(price, 'PriceAmount'),
    baseQuantity: textOf(baseQty),
    baseQuantityUnit: attr(baseQty, 'unitCode'),
    discount: text(price, 'AllowanceCharge/Amount'),
    gross: text(price, 'AllowanceCharge/BaseAmount'),
  };
  return out;
}

/** `root` is the Invoice or CreditNote element. */
/** `contents`: the embedded files the reader lifted out of the tree (readXml). */
export function parseUbl(root: XNode, rootName: 'Invoice' | 'CreditNote', contents: LiftedContents): Invoice {
  const inv = emptyInvoice('UBL');
  const credit = rootName === 'CreditNote';
  inv.documentKind = rootName;
  inv.customizationId = text(root, 'CustomizationID');
  inv.profileId = text(root, 'ProfileID');
  inv.number = text(root, 'ID');
  inv.issueDate = day(root, 'IssueDate');
  inv.typeCode = text(root, credit ? 'CreditNoteTypeCode' : 'InvoiceTypeCode');
  inv.dueDate = credit ? day(root, 'PaymentMeans/PaymentDueDate') : day(root, 'DueDate');
  inv.taxPointDate = day(root, 'TaxPointDate');
  inv.currency = text(root, 'DocumentCurrencyCode');
  inv.taxCurrency = text(root, 'TaxCurrencyCode');
  inv.buyerAccountingRef = text(root, 'AccountingCost');
  inv.buyerReference = text(root, 'BuyerReference');
  // BT-21 rides as a "#CODE#" prefix of BT-22 (ubl-note.ts)
  inv.notes = kids(root, 'Note').map((n) => ublNote(textOf(n) ?? ''));
  inv.invoicingPeriod = period(kid(root, 'InvoicePeriod'));
  inv.orderReference = text(root, 'OrderReference/ID');
  inv.salesOrderReference = text(root, 'OrderReference/SalesOrderID');
  inv.precedingInvoices = all(root, 'BillingReference/InvoiceDocumentReference').map((r) => ({
    number: text(r, 'ID'),
    issueDate: day(r, 'IssueDate'),
  }));
  inv.despatchAdviceReference = text(root, 'DespatchDocumentReference/ID');
  inv.receivingAdviceReference = text(root, 'ReceiptDocumentReference/ID');
  inv.tenderReference = text(root, 'OriginatorDocumentReference/ID');
  inv.contractReference = text(root, 'ContractDocumentReference/ID');
  inv.projectReference = text(root, 'ProjectReference/ID');
  for (const ref of kids(root, 'AdditionalDocumentReference')) {
    const code = text(ref, 'DocumentTypeCode');
    if (code === '130') inv.invoicedObjectId = ident(kid(ref, 'ID'));
    // a CreditNote has no cac:ProjectReference: its BT-11 is a document reference typed 50
    else if (credit && code === '50' && kid(ref, 'Attachment') === undefined) inv.projectReference ??= text(ref, 'ID');
    else inv.attachments.push(attachment(ref, contents));
  }
  inv.seller = party(at(root, 'AccountingSupplierParty/Party'));
  inv.buyer = party(at(root, 'AccountingCustomerParty/Party'));
  const payee = kid(root, 'PayeeParty');
  if (payee !== undefined) {
    inv.payee = {
      name: text(payee, 'PartyName/Name'),
      identifier: ident(at(payee, 'PartyIdentification/ID')),
      legalId: ident(at(payee, 'PartyLegalEntity/CompanyID')),
    };
  }
  const rep = kid(root, 'TaxRepresentativeParty');
  if (rep !== undefined) {
    inv.taxRepresentative = {
      name: text(rep, 'PartyName/Name'),
      vatId: text(rep, 'PartyTaxScheme/CompanyID'),
      address: address(kid(rep, 'PostalAddress')),
    };
  }
  const delivery = kid(root, 'Delivery');
  if (delivery !== undefined) {
    inv.delivery = {
      date: day(delivery, 'ActualDeliveryDate'),
      locationId: ident(at(delivery, 'DeliveryLocation/ID')),
      address: address(at(delivery, 'DeliveryLocation/Address')),
      partyName: text(delivery, 'DeliveryParty/PartyName/Name'),
    };
  }
  inv.paymentMeans = kids(root, 'PaymentMeans').map(paymentMeans);
  // BT-90 creditor reference: a SEPA identifier of the seller or the payee
  for (const id of [...all(root, 'AccountingSupplierParty/Party/PartyIdentification/ID'), ...all(root, 'PayeeParty/PartyIdentification/ID')]) {
    if (attr(id, 'schemeID') === 'SEPA') {
      for (const pm of inv.paymentMeans) pm.directDebit = { ...pm.directDebit, creditorRef: textOf(id) };
      if (inv.paymentMeans.length === 0) inv.paymentReferences = { creditorRef: textOf(id) };
    }
  }
  inv.paymentTerms = text(root, 'PaymentTerms/Note');
  inv.allowanceCharges = kids(root, 'AllowanceCharge').map(allowanceCharge);
  for (const tt of kids(root, 'TaxTotal')) {
    const amountNode = kid(tt, 'TaxAmount');
    const cur = attr(amountNode, 'currencyID');
    const subtotals = kids(tt, 'TaxSubtotal');
    if (inv.taxCurrency !== undefined && cur === inv.taxCurrency && cur !== inv.currency) {
      inv.totals.taxTotalAccounting = textOf(amountNode);
    } else if (inv.totals.taxTotal === undefined) {
      inv.totals.taxTotal = textOf(amountNode);
    }
    if (inv.taxCurrency !== undefined && cur === inv.taxCurrency && cur !== inv.currency) continue;
    for (const st of subtotals) {
      inv.vatBreakdown.push({
        taxableAmount: text(st, 'TaxableAmount'),
        taxAmount: text(st, 'TaxAmount'),
        category: text(st, 'TaxCategory/ID'),
        rate: text(st, 'TaxCategory/Percent'),
        exemptionReasonCode: text(st, 'TaxCategory/TaxExemptionReasonCode'),
        exemptionReason: text(st, 'TaxCategory/TaxExemptionReason'),
      });
    }
  }
  const t = kid(root, 'LegalMonetaryTotal');
  inv.totals.lineExtension = text(t, 'LineExtensionAmount');
  inv.totals.taxExclusive = text(t, 'TaxExclusiveAmount');
  inv.totals.taxInclusive = text(t, 'TaxInclusiveAmount');
  inv.totals.allowanceTotal = text(t, 'AllowanceTotalAmount');
  inv.totals.chargeTotal = text(t, 'ChargeTotalAmount');
  inv.totals.prepaid = text(t, 'PrepaidAmount');
  inv.totals.rounding = text(t, 'PayableRoundingAmount');
  inv.totals.payable = text(t, 'PayableAmount');
  inv.lines = kids(root, credit ? 'CreditNoteLine' : 'InvoiceLine').map((l) => line(l, credit ? 'CreditedQuantity' : 'InvoicedQuantity'));
  inv.syntaxFacts = { ubl: ublFacts(root, rootName) };
  return inv;
}
