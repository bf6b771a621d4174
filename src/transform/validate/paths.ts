/**
 * Where a business term sits in each syntax, so a finding over the model can name the
 * place in the file the operator has in front of them.
 */
import type { SourceSyntax } from '../../model/invoice';

type PathRow = Partial<Record<SourceSyntax, string>>;

const UBL_ROOT = '/Invoice';
const CII_TRANSACTION = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction';
const CII_SETTLEMENT = `${CII_TRANSACTION}/ram:ApplicableHeaderTradeSettlement`;
const CII_AGREEMENT = `${CII_TRANSACTION}/ram:ApplicableHeaderTradeAgreement`;
export const PIVOT_UNIT = '/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire';

export const BT_PATHS: Record<string, PathRow> = {
  'BT-1': { UBL: `${UBL_ROOT}/cbc:ID`, CII: '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID', PIVOT: `${PIVOT_UNIT}/DonneesFacture/Id` },
  'BT-2': { UBL: `${UBL_ROOT}/cbc:IssueDate`, CII: '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString', PIVOT: `${PIVOT_UNIT}/DonneesFacture/DateEmissionFacture` },
  'BT-3': { UBL: `${UBL_ROOT}/cbc:InvoiceTypeCode`, CII: '/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode', PIVOT: `${PIVOT_UNIT}/DonneesFacture/Type` },
  'BT-5': { UBL: `${UBL_ROOT}/cbc:DocumentCurrencyCode`, CII: `${CII_SETTLEMENT}/ram:InvoiceCurrencyCode`, PIVOT: `${PIVOT_UNIT}/DonneesFacture/Devise` },
  'BT-7': { UBL: `${UBL_ROOT}/cbc:TaxPointDate`, CII: `${CII_SETTLEMENT}/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString` },
  'BT-9': { UBL: `${UBL_ROOT}/cbc:DueDate`, CII: `${CII_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString` },
  'BT-10': { UBL: `${UBL_ROOT}/cbc:BuyerReference`, CII: `${CII_AGREEMENT}/ram:BuyerReference`, PIVOT: `${PIVOT_UNIT}/Debiteur/CodeService` },
  'BT-12': { UBL: `${UBL_ROOT}/cac:ContractDocumentReference/cbc:ID`, CII: `${CII_AGREEMENT}/ram:ContractReferencedDocument/ram:IssuerAssignedID`, PIVOT: `${PIVOT_UNIT}/DonneesFacture/Engagement/NumeroMarche` },
  'BT-13': { UBL: `${UBL_ROOT}/cac:OrderReference/cbc:ID`, CII: `${CII_AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID`, PIVOT: `${PIVOT_UNIT}/DonneesFacture/Engagement/NumeroEngagement` },
  'BT-23': { UBL: `${UBL_ROOT}/cbc:ProfileID`, CII: '/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID', PIVOT: `${PIVOT_UNIT}/DonneesFacture/Cadre` },
  'BT-25': { UBL: `${UBL_ROOT}/cac:BillingReference{i}/cac:InvoiceDocumentReference/cbc:ID`, CII: `${CII_SETTLEMENT}/ram:InvoiceReferencedDocument{i}/ram:IssuerAssignedID`, PIVOT: `${PIVOT_UNIT}/DonneesFacture/IdFactureOrigine{i}` },
  'BG-4': { UBL: `${UBL_ROOT}/cac:AccountingSupplierParty/cac:Party`, CII: `${CII_AGREEMENT}/ram:SellerTradeParty`, PIVOT: `${PIVOT_UNIT}/Fournisseur` },
  'BT-30': { UBL: `${UBL_ROOT}/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID`, CII: `${CII_AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID`, PIVOT: `${PIVOT_UNIT}/Fournisseur/Identifiant` },
  'BT-40': { UBL: `${UBL_ROOT}/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode`, CII: `${CII_AGREEMENT}/ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID`, PIVOT: `${PIVOT_UNIT}/Fournisseur/CodePays` },
  'BG-7': { UBL: `${UBL_ROOT}/cac:AccountingCustomerParty/cac:Party`, CII: `${CII_AGREEMENT}/ram:BuyerTradeParty`, PIVOT: `${PIVOT_UNIT}/Debiteur` },
  'BT-47': { UBL: `${UBL_ROOT}/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID`, CII: `${CII_AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID`, PIVOT: `${PIVOT_UNIT}/Debiteur/Identifiant` },
  'BT-72': { UBL: `${UBL_ROOT}/cac:Delivery/cbc:ActualDeliveryDate`, CII: `${CII_TRANSACTION}/ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString` },
  // {i}: where the index of a repeated group goes when it is not the last step (the second BillingReference's date)
  'BG-3': { UBL: `${UBL_ROOT}/cac:BillingReference{i}/cac:InvoiceDocumentReference/cbc:IssueDate`, CII: `${CII_SETTLEMENT}/ram:InvoiceReferencedDocument{i}/ram:FormattedIssueDateTime/qdt:DateTimeString` },
  'BG-14': { UBL: `${UBL_ROOT}/cac:InvoicePeriod`, CII: `${CII_SETTLEMENT}/ram:BillingSpecifiedPeriod` },
  'BG-22': { UBL: `${UBL_ROOT}/cac:LegalMonetaryTotal`, CII: `${CII_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation`, PIVOT: `${PIVOT_UNIT}/DonneesFacture/Montants` },
  'BG-25': { UBL: `${UBL_ROOT}/cac:InvoiceLine`, CII: `${CII_TRANSACTION}/ram:IncludedSupplyChainTradeLineItem` },
  'BG-24': { UBL: `${UBL_ROOT}/cac:AdditionalDocumentReference`, CII: `${CII_AGREEMENT}/ram:AdditionalReferencedDocument`, PIVOT: `${PIVOT_UNIT}/PJ` },
};

/**
 * Where a UBL CreditNote holds what an Invoice names otherwise: its findings pointed at
 * /CreditNote/cac:InvoiceLine[1] or /CreditNote/cbc:DueDate, elements no credit note has.
 */
const UBL_CREDIT_NOTE: Record<string, string> = {
  'BT-3': '/CreditNote/cbc:CreditNoteTypeCode',
  'BT-9': '/CreditNote/cac:PaymentMeans/cbc:PaymentDueDate',
  'BG-25': '/CreditNote/cac:CreditNoteLine',
};

function resolve(bt: string, syntax: SourceSyntax, root: string | undefined): string | undefined {
  const p = BT_PATHS[bt]?.[syntax];
  if (p === undefined || syntax !== 'UBL' || root !== 'CreditNote') return p;
  return UBL_CREDIT_NOTE[bt] ?? p.replace(/^\/Invoice/, '/CreditNote');
}

/** A term's path in one syntax and root: as a template for an index, and as it is without one. */
interface Resolved {
  template: string;
  plain: string;
}

/**
 * The paths resolved once, by syntax and root (a UBL credit note's differ): the rules ask for
 * the same few terms on every invoice, and the answer never changes.
 */
const RESOLVED = new Map<string, Map<string, Resolved | undefined>>();

function resolved(bt: string, syntax: SourceSyntax, root: string | undefined): Resolved | undefined {
  const key = syntax === 'UBL' && root === 'CreditNote' ? 'UBL CreditNote' : syntax;
  let bySyntax = RESOLVED.get(key);
  if (!bySyntax) RESOLVED.set(key, (bySyntax = new Map()));
  let r = bySyntax.get(bt);
  if (r === undefined && !bySyntax.has(bt)) {
    const template = resolve(bt, syntax, root);
    bySyntax.set(bt, (r = template === undefined ? undefined : { template, plain: template.replace('{i}', '') }));
  }
  return r;
}

/** The path of a business term in a syntax; `index` (1-based) addresses a repeated group. */
export function pathOf(bt: string, syntax: SourceSyntax, index?: number, root?: string): string | undefined {
  const r = resolved(bt, syntax, root);
  if (r === undefined) return undefined;
  if (index === undefined) return r.plain;
  const at = `[${index}]`;
  return r.template.includes('{i}') ? r.template.replace('{i}', at) : `${r.template}${at}`;
}
