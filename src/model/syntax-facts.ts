/**
 * Syntax-level facts: what the canonical model cannot hold but the EN 16931 rules look at —
 * a code or an attribute as written, an element present but empty, how many times an element
 * occurs, the VAT scheme qualifier of a tax category, the charge indicator as an xs:boolean…
 *
 * The UBL and CII parsers fill `Invoice.syntaxFacts` (src/transform/validate/facts/*); the rules of
 * src/transform/validate/rules read it. Values are the trimmed text as written; `undefined`
 * means "absent". Every `path` is an XPath-like location in the source document.
 */
import type { Invoice } from './invoice';

/** A node's text as written and where it sits. */
export interface Located {
  path: string;
}

export interface TextFact extends Located {
  text: string;
}

/** An element whose attribute (schemeID, listID, unitCode, currencyID, mimeCode…) matters. */
export interface AttrFact extends Located {
  /** local name of the element */
  name: string;
  text: string;
  /** the attribute value, undefined when the attribute is absent */
  attr?: string;
}

/* ----------------------------------------------------------------------------------- UBL */

/** cac:TaxCategory / cac:ClassifiedTaxCategory */
export interface UblTaxCategoryFact extends Located {
  id?: string;
  /** normalize-space(cbc:ID) ('' when absent) */
  code: string;
  /** cac:TaxScheme/cbc:ID is "VAT" (normalised, upper-cased) */
  vat: boolean;
  percent?: string;
  exemptionReasonCount: number;
  exemptionReasonCode?: string;
}

/** cac:AllowanceCharge */
export interface UblAllowanceChargeFact extends Located {
  /** cbc:ChargeIndicator as written */
  indicator?: string;
  /** cbc:ChargeIndicator as xs:boolean; undefined when absent or not a boolean */
  charge?: boolean;
  amount?: string;
  reasonCount: number;
  taxCategories: UblTaxCategoryFact[];
}

/** cac:TaxTotal/cac:TaxSubtotal */
export interface UblSubtotalFact extends Located {
  taxableAmount?: string;
  taxAmount?: string;
  category?: UblTaxCategoryFact;
  /** count(cac:TaxCategory/cbc:TaxExemptionReason) */
  exemptionReasonCount: number;
}

/** cac:TaxTotal at the document level */
export interface UblTaxTotalFact extends Located {
  amount?: string;
  currencyID?: string;
  subtotals: UblSubtotalFact[];
}

/** cac:PartyTaxScheme */
export interface UblPartyTaxSchemeFact extends Located {
  /** cac:TaxScheme/cbc:ID as written, undefined when absent */
  scheme?: string;
  /** normalize-space(upper-case(cac:TaxScheme/cbc:ID)) = 'VAT' */
  vat: boolean;
  companyId?: string;
  companyIdCount: number;
}

export interface UblLineFact extends Located {
  classified: UblTaxCategoryFact[];
  /** parallel to InvoiceLine.allowanceCharges */
  allowanceCharges: UblAllowanceChargeFact[];
  /** cac:Price/cac:AllowanceCharge (BT-147): the official rules' `//cac:AllowanceCharge` reach it too */
  priceAllowanceCharges: UblAllowanceChargeFact[];
  invoicePeriodPath?: string;
  /** counts for UBL-SR rules at line level, keyed by relative path */
  counts: Record<string, number>;
}

export interface UblFacts {
  root: 'Invoice' | 'CreditNote';
  /** counts for UBL-SR rules at document level, keyed by relative path */
  counts: Record<string, number>;
  hasLegalMonetaryTotal: boolean;
  hasSupplierParty: boolean;
  /** parallel to Invoice.allowanceCharges */
  allowanceCharges: UblAllowanceChargeFact[];
  taxTotals: UblTaxTotalFact[];
  lines: UblLineFact[];
  sellerTaxSchemes: UblPartyTaxSchemeFact[];
  buyerTaxSchemes: UblPartyTaxSchemeFact[];
  taxRepTaxSchemes: UblPartyTaxSchemeFact[];
  /** every cac:PartyTaxScheme of the document */
  partyTaxSchemes: UblPartyTaxSchemeFact[];
  /** seller cac:PartyIdentification/cbc:ID (value, schemeID) */
  sellerPartyIds: AttrFact[];
  /** every seller cac:PartyName/cbc:Name */
  sellerPartyNames: string[];
  /** every seller cac:PartyLegalEntity/cbc:RegistrationName */
  sellerRegistrationNames: string[];
  /** cbc:InvoiceTypeCode and cbc:CreditNoteTypeCode children of the root */
  rootTypeCodes: string[];
  /** cbc:TaxCurrencyCode children of the root */
  rootTaxCurrencyCodes: string[];
  /** cac:PayeeParty facts */
  payee?: { path: string; names: string[]; ids: AttrFact[]; legalIdCount: number };
  taxRepresentative?: { path: string; nameCount: number; vatCompanyIdCount: number; addressPath?: string };
  /** cac:BillingReference: number of InvoiceDocumentReference and whether one has an ID */
  billingReferences: (Located & { docRefCount: number; hasId: boolean })[];
  /** cac:AdditionalDocumentReference */
  documentReferences: (Located & { id?: string; idScheme?: string; typeCode?: string; descriptionCount: number; hasAttachment: boolean })[];
  paymentMeans: (Located & { codeCount: number; codeNameCount: number; paymentIdCount: number; mandateIdCount: number; accountPaths: string[] })[];
  deliveries: (Located & { partyNameCount: number })[];
  /** cac:InvoicePeriod at the document level */
  invoicePeriods: (Located & { start?: string; end?: string; descriptionCode?: string; hasStart: boolean; hasEnd: boolean })[];

  /* whole-document facts (any depth), for the rules whose context is //… */
  /** every element whose name ends with "Amount" */
  amounts: (AttrFact & { underPriceAllowance: boolean })[];
  /** every element whose name ends with "BinaryObject" (attr = mimeCode) */
  binaryObjects: (AttrFact & { filename?: string })[];
  /** every cbc:IdentificationCode, with its parent's local name */
  identificationCodes: (TextFact & { parent: string })[];
  /** count(cac:AddressLine) of every cac:PostalAddress / cac:Address */
  addressLineCounts: (Located & { count: number })[];
  paymentIds: TextFact[];
  paymentMeansCodes: (TextFact & { underPaymentMeans: boolean })[];
  /** cac:PartyIdentification/cbc:ID with a schemeID; inSupplierOrPayee for the SEPA exception */
  partyIdentificationSchemes: (AttrFact & { inSupplierOrPayee: boolean })[];
  legalEntitySchemes: AttrFact[];
  classificationListIds: AttrFact[];
  taxCategoryIds: TextFact[];
  classifiedTaxCategoryIds: TextFact[];
  allowanceReasonCodes: (TextFact & { charge?: boolean })[];
  standardItemSchemes: AttrFact[];
  exemptionReasonCodes: TextFact[];
  quantityUnitCodes: AttrFact[];
  endpointSchemes: AttrFact[];
  deliveryLocationSchemes: AttrFact[];
  /** cbc:ID[@schemeID] of an (Additional)DocumentReference whose DocumentTypeCode is 130 */
  objectIdSchemes: AttrFact[];
  descriptionCodes: TextFact[];
  typeCodes: (TextFact & { name: 'InvoiceTypeCode' | 'CreditNoteTypeCode' })[];
  documentCurrencyCodes: TextFact[];
  taxCurrencyCodes: TextFact[];
  notes: TextFact[];
}

/* ----------------------------------------------------------------------------------- CII */

/** ram:ApplicableTradeTax / ram:CategoryTradeTax */
export interface CiiTaxFact extends Located {
  categoryCode?: string;
  typeCode?: string;
  rate?: string;
  basisAmount?: string;
  calculatedAmount?: string;
  hasExemptionReason: boolean;
  hasExemptionReasonCode: boolean;
}

/** ram:SpecifiedTradeAllowanceCharge */
export interface CiiAllowanceChargeFact extends Located {
  /** ram:ChargeIndicator/udt:Indicator as written */
  indicator?: string;
  /** the indicator as xs:boolean (true/1, false/0); undefined when absent or not a boolean */
  charge?: boolean;
  hasChargeIndicator: boolean;
  actualAmountCount: number;
  /** first ram:ActualAmount */
  actualAmount?: string;
  basisAmount?: string;
  /** ram:Reason or ram:ReasonCode present */
  hasReason: boolean;
  /** count(ram:RateApplicablePercent) directly under the allowance/charge */
  rateCount: number;
  taxes: CiiTaxFact[];
}

/** udt:DateTimeString with its format attribute */
export interface CiiDateFact extends Located {
  text: string;
  format?: string;
}

/** ram:BillingSpecifiedPeriod */
export interface CiiPeriodFact extends Located {
  hasStart: boolean;
  hasEnd: boolean;
  start?: CiiDateFact;
  end?: CiiDateFact;
}

export interface CiiLineFact extends Located {
  /** ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax */
  taxes: CiiTaxFact[];
  /** parallel to InvoiceLine.allowanceCharges */
  allowanceCharges: CiiAllowanceChargeFact[];
  period?: CiiPeriodFact;
  hasAgreement: boolean;
  netPriceChargeAmountCount: number;
  productPath?: string;
  globalIdCount: number;
  globalIdSchemeCount: number;
  originCountryCount: number;
  originCountryIdCount: number;
}

export interface CiiFacts {
  /** counts of fixed paths from rsm:CrossIndustryInvoice (see CII_ROOT_COUNTS) */
  counts: Record<string, number>;
  rootAttributes: string[];
  issueDate?: CiiDateFact;
  /** ApplicableHeaderTradeSettlement/ApplicableTradeTax, parallel to Invoice.vatBreakdown */
  headerTaxes: CiiTaxFact[];
  /** header SpecifiedTradeAllowanceCharge, parallel to Invoice.allowanceCharges */
  allowanceCharges: CiiAllowanceChargeFact[];
  lines: CiiLineFact[];
  hasMonetarySummation: boolean;
  summationPath?: string;
  /** ram:TaxTotalAmount of the monetary summation, attr = currencyID */
  taxTotalAmounts: AttrFact[];
  invoicePeriod?: CiiPeriodFact;
  hasDelivery: boolean;
  deliveryPath?: string;
  /** ActualDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString present */
  hasDeliveryDate: boolean;
  shipToAddress?: { path: string; countryId?: string };
  taxRepresentative?: { path: string; name?: string; hasAddress: boolean; addressCountry?: string };
  /** ram:SpecifiedTaxRegistration/ram:ID (attr = schemeID) */
  sellerTaxIds: AttrFact[];
  buyerTaxIds: AttrFact[];
  taxRepTaxIds: AttrFact[];
  hasSeller: boolean;
  sellerPath: string;
  sellerIds: string[];
  sellerGlobalIdCount: number;
  sellerLegalIds: string[];
  buyerLegalIdCount: number;
  sellerUriScheme?: string;
  buyerUriScheme?: string;
  sellerHasUri: boolean;
  buyerHasUri: boolean;
  sellerAddressCountry?: string;
  buyerAddressCountry?: string;
  sellerNames: string[];
  payee?: { path: string; names: string[]; ids: string[]; legalIds: string[] };
  paymentMeans: (Located & { typeCode?: string; hasTypeCode: boolean; informations: string[]; accounts: (Located & { iban?: string; proprietary?: string })[] })[];
  /** ram:InvoiceReferencedDocument of the settlement */
  precedingInvoices: (Located & { issuerAssignedId?: string })[];

  /* whole-document facts */
  /** every ram:DueDateTypeCode */
  dueDateTypeCodes: TextFact[];
  /** count of every ram:TaxPointDate */
  taxPointDateCount: number;
  countryIds: TextFact[];
  originCountryIds: TextFact[];
  /** every ram:CategoryCode */
  categoryCodes: TextFact[];
  /** every ram:CategoryTradeTax */
  categoryTradeTaxes: CiiTaxFact[];
  /** every ram:ApplicableTradeTax (header and lines) */
  applicableTradeTaxes: CiiTaxFact[];
  /** every ram:SpecifiedTradeAllowanceCharge (header and lines) */
  allAllowanceCharges: CiiAllowanceChargeFact[];
  /** every ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge */
  grossPriceAllowances: (Located & { actualAmountCount: number; indicator?: string; charge?: boolean })[];
  /** every ram:ReasonCode of a ram:SpecifiedTradeAllowanceCharge, with its indicator */
  allowanceReasonCodes: (TextFact & { charge?: boolean })[];
  /** every ram:AdditionalReferencedDocument */
  additionalDocuments: (Located & { issuerAssignedId?: string })[];
  /** ram:ApplicableTradeSettlementFinancialCard/ram:ID */
  financialCards: TextFact[];
  characteristics: (Located & { descriptionCount: number; valueCount: number; inProduct: boolean })[];
  classifications: (Located & { hasClassCode: boolean; listId?: string })[];
  /** every ram:*ID element that carries attributes; fixed: one of the four ids of CII-DT-001…007 */
  idAttributes: (Located & { name: string; attrs: string[]; fixed: boolean })[];
  /** the four ids CII-DT-001…007 look at, with their attributes */
  fixedIdAttributes: (Located & { attrs: string[] })[];
  /** every ram:TypeCode with its attributes */
  typeCodeAttributes: (Located & { attrs: string[] })[];
  /** every ram:*ReferencedDocument with its child element names */
  referencedDocuments: (Located & { name: string; children: string[]; typeCode?: string })[];
  /** every ram:*Amount (attr = currencyID) with all its attributes */
  amounts: (AttrFact & { attrs: string[] })[];
  /** every ram:*Quantity (attr = unitCode) with all its attributes */
  quantities: (AttrFact & { attrs: string[] })[];
  /** some line's BilledQuantity has a unitCode */
  hasBilledQuantityUnitCode: boolean;
  /** every ram:*TradeTax and its ram:TypeCode */
  tradeTaxTypeCodes: (Located & { typeCode?: string; hasTypeCode: boolean })[];
  billingPeriods: (Located & { children: string[]; startDateTime: boolean; endDateTime: boolean })[];
  postalAddresses: (Located & { children: string[] })[];
  /** every udt:DateTimeString with format 102 */
  dates102: CiiDateFact[];
  globalIdSchemes: (AttrFact & { inProduct: boolean; inShipTo: boolean; shipToDirect: boolean; productDirect: boolean })[];
  idSchemes: (AttrFact & { inTaxRegistration: boolean })[];
  classCodeListIds: AttrFact[];
  uriSchemes: AttrFact[];
  referenceTypeCodes: TextFact[];
  subjectCodes: TextFact[];
  exemptionReasonCodes: TextFact[];
  paymentMeansTypeCodes: TextFact[];
  invoiceCurrencyCodes: TextFact[];
  taxCurrencyCodes: TextFact[];
  documentTypeCodes: TextFact[];
  attachmentMimeCodes: AttrFact[];
  unitCodes: AttrFact[];
}

export interface SyntaxFacts {
  ubl?: UblFacts;
  cii?: CiiFacts;
  /**
   * The same invoice read with its values as written, when some value had XML white space at
   * an end (the invoice itself holds them trimmed): the EN 16931 rules judge this one, as the
   * official schematron reads `S `, ` EUR` or `100.00\n` as written (parse/flux.ts).
   */
  asWritten?: Invoice;
}
