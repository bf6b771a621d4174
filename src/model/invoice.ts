/**
 * The canonical invoice model: one shape for UBL, CII, Factur-X and pivot input.
 *
 * Conventions:
 * - Amounts, quantities and rates are kept as the decimal strings the source wrote
 *   (trimmed). Money is never stored or computed as a binary float; arithmetic goes
 *   through `src/model/decimal.ts`.
 * - Dates are ISO `YYYY-MM-DD` strings (CII `102` dates are converted).
 * - `undefined` means "absent in the source"; an empty string means "present but empty".
 * - Comments give the EN 16931 business term (BT/BG) each field carries.
 */

import type { SyntaxFacts } from './syntax-facts';

export type { SyntaxFacts } from './syntax-facts';

export type DecimalString = string;
export type IsoDate = string;

export interface Identifier {
  value: string;
  /** schemeID (UBL) / schemeID attribute (CII), e.g. 0009 for SIRET, 0088 for GLN. */
  scheme?: string;
}

export interface PostalAddress {
  line1?: string; // BT-35 / BT-50 / BT-64 / BT-75
  line2?: string; // BT-36 / BT-51
  line3?: string; // BT-162 / BT-163
  city?: string; // BT-37 / BT-52
  postcode?: string; // BT-38 / BT-53
  countrySubdivision?: string; // BT-39 / BT-54
  countryCode?: string; // BT-40 / BT-55 / BT-69 / BT-80
}

export interface Contact {
  name?: string; // BT-41 / BT-56
  phone?: string; // BT-42 / BT-57
  email?: string; // BT-43 / BT-58
}

/** Seller (BG-4) or buyer (BG-7). */
export interface Party {
  name?: string; // BT-27 / BT-44 legal name
  tradingName?: string; // BT-28 / BT-45
  identifiers: Identifier[]; // BT-29 / BT-46
  legalId?: Identifier; // BT-30 / BT-47 legal registration identifier (SIRET when scheme 0009)
  vatId?: string; // BT-31 / BT-48
  taxRegistrationId?: string; // BT-32 (seller, "FC" scheme)
  legalForm?: string; // BT-33 (seller only)
  electronicAddress?: Identifier; // BT-34 / BT-49
  address?: PostalAddress; // BG-5 / BG-8
  contact?: Contact; // BG-6 / BG-9
}

export interface Payee {
  name?: string; // BT-59
  identifier?: Identifier; // BT-60
  legalId?: Identifier; // BT-61
}

export interface TaxRepresentative {
  name?: string; // BT-62
  vatId?: string; // BT-63
  address?: PostalAddress; // BG-12
}

export interface Delivery {
  partyName?: string; // BT-70
  locationId?: Identifier; // BT-71
  date?: IsoDate; // BT-72 actual delivery date
  address?: PostalAddress; // BG-15
}

export interface Period {
  start?: IsoDate; // BT-73 / BT-134
  end?: IsoDate; // BT-74 / BT-135
  descriptionCode?: string; // BT-8 (UBL carries it in InvoicePeriod)
}

export interface PaymentMeans {
  code?: string; // BT-81 as written (UNTDID 4461)
  text?: string; // BT-82
  remittanceInfo?: string; // BT-83
  accounts: PaymentAccount[]; // BG-17 credit transfer
  card?: { pan?: string; holder?: string }; // BG-18 (BT-87, BT-88)
  directDebit?: { mandateRef?: string; creditorRef?: string; debitedAccount?: string }; // BG-19 (BT-89..91)
}

export interface PaymentAccount {
  id?: string; // BT-84 IBAN or account number
  name?: string; // BT-85
  bic?: string; // BT-86
}

/** Document-level allowance (BG-20) or charge (BG-21), or line-level (BG-27 / BG-28). */
export interface AllowanceCharge {
  isCharge: boolean;
  amount?: DecimalString; // BT-92 / BT-99 / BT-136 / BT-141
  baseAmount?: DecimalString; // BT-93 / BT-100 / BT-137 / BT-142
  percent?: DecimalString; // BT-94 / BT-101 / BT-138 / BT-143
  vatCategory?: string; // BT-95 / BT-102
  vatRate?: DecimalString; // BT-96 / BT-103
  reason?: string; // BT-97 / BT-104 / BT-139 / BT-144
  reasonCode?: string; // BT-98 / BT-105 / BT-140 / BT-145
}

/** VAT breakdown (BG-23). */
export interface VatBreakdown {
  taxableAmount?: DecimalString; // BT-116
  taxAmount?: DecimalString; // BT-117
  category?: string; // BT-118
  rate?: DecimalString; // BT-119
  exemptionReason?: string; // BT-120
  exemptionReasonCode?: string; // BT-121
}

/** Document totals (BG-22). */
export interface Totals {
  lineExtension?: DecimalString; // BT-106
  allowanceTotal?: DecimalString; // BT-107
  chargeTotal?: DecimalString; // BT-108
  taxExclusive?: DecimalString; // BT-109
  taxTotal?: DecimalString; // BT-110 (in document currency)
  taxTotalAccounting?: DecimalString; // BT-111 (in VAT accounting currency BT-6)
  taxInclusive?: DecimalString; // BT-112
  prepaid?: DecimalString; // BT-113
  rounding?: DecimalString; // BT-114
  payable?: DecimalString; // BT-115
}

export interface ItemAttribute {
  name?: string; // BT-160
  value?: string; // BT-161
}

export interface Item {
  name?: string; // BT-153
  description?: string; // BT-154
  sellerId?: string; // BT-155 (pivot ReferenceProduit)
  buyerId?: string; // BT-156
  standardId?: Identifier; // BT-157
  classifications: Identifier[]; // BT-158 (scheme = listID)
  originCountry?: string; // BT-159
  attributes: ItemAttribute[]; // BG-32
}

export interface Price {
  net?: DecimalString; // BT-146
  gross?: DecimalString; // BT-148
  discount?: DecimalString; // BT-147
  baseQuantity?: DecimalString; // BT-149
  baseQuantityUnit?: string; // BT-150
  /** the gross price's own base quantity where a CII gives one that differs (EN 16931 has one BT-149, the net's) */
  grossBaseQuantity?: { value?: DecimalString; unit?: string };
}

export interface InvoiceLine {
  id?: string; // BT-126
  note?: string; // BT-127
  objectId?: Identifier; // BT-128
  quantity?: DecimalString; // BT-129
  unitCode?: string; // BT-130
  netAmount?: DecimalString; // BT-131
  orderLineRef?: string; // BT-132
  accountingRef?: string; // BT-133
  period?: Period; // BG-26
  allowanceCharges: AllowanceCharge[]; // BG-27 / BG-28
  price: Price; // BG-29
  vat: { category?: string; rate?: DecimalString }; // BG-30 (BT-151, BT-152)
  item: Item; // BG-31
  /**
   * Documents attached to the line itself (UBL cac:DocumentReference/cac:Attachment, CII line
   * ram:AdditionalReferencedDocument with bytes or an address). EN 16931 has none at line level
   * (UBL-CR-544): not carried to the pivot nor the Factur-X, named by warning CPRO-PJ-LIGNE.
   */
  documents?: { id?: string; fileName?: string; uri?: string }[];
}

/** Chorus Pro attachment typing (IPM4-001), filled by enrichment or read from a pivot. */
export interface PivotAttachmentFields {
  typePJ?: '01' | '02';
  /** a pivot input's TypePJ that is neither 01 nor 02 (refused by CPRO-PIVOT-CODE), as written */
  typePJGiven?: string;
  categoriePJ?: string;
  mimeTypePJ?: string;
  nomPJ?: string;
  nomPJOrigine?: string;
  idUnique?: string;
  idOriginal?: string;
}

/** Supporting document (BG-24), or the invoice PDF of an E2 flow, or a pivot PJ. */
export interface Attachment {
  id?: string; // BT-122
  description?: string; // BT-123
  uri?: string; // BT-124 external location: listed, never fetched
  content?: Uint8Array; // BT-125 decoded bytes
  /** set when the embedded base64 could not be decoded: the reason, the bytes are absent */
  contentError?: string;
  mimeCode?: string; // BT-125 mimeCode as declared
  fileName?: string; // BT-125 filename as declared (never used as a path)
  typeCode?: string; // UBL cbc:DocumentTypeCode / CII TypeCode (130 invoiced object, 916 supporting doc, 50 tender…)
  /** true for the invoice document itself (the PDF of an E2 flow, a pivot PJ with TypePJ 01) */
  isInvoiceDocument?: boolean;
  pivot?: PivotAttachmentFields;
}

/** Step of a pivot's CycleDeValidation, kept so a pivot in gives the same pivot out. */
export interface ValidationStep {
  date: IsoDate;
  statusCode: string;
  statusComplement?: string;
  comment?: string;
  producer: { idType: string; id: string; name: string; countryCode: string; note?: string };
}

export type Renvoi = 'Non' | 'Complétée' | 'Recyclée';

/** Chorus Pro data that EN 16931 does not carry, read from pivot input or set by enrichment. */
export interface ChorusData {
  supplierIdType?: string; // Fournisseur/TypeIdentifiant (1 SIRET … 7 particulier)
  supplierId?: string; // Fournisseur/Identifiant when it came from a pivot
  buyerIdType?: string; // Debiteur/TypeIdentifiant
  emissionMode?: string; // Fournisseur/ModeEmission
  bankReferenceType?: 'IBAN' | 'RIB';
  bankInstitution?: string; // ReferenceBancaire/Etablissement
  payeeName?: string; // ReferenceBancaire/RaisonSocialeEncaisseur
  serviceName?: string; // Debiteur/NomService
  paymentMeansLabel?: string; // ModePaiement/Libelle
  receptionDate?: IsoDate; // DateReception
  /** DateLivraison as the pivot carries it: BT-72, else the issue date (set by enrichment; BT-72 itself is left as sent) */
  deliveryDate?: IsoDate;
  idCpro?: string; // IdCPRO (IPM4-AIFE-2)
  renvoi?: Renvoi; // Renvoi (IPM4)
  moeAvailabilityDate?: IsoDate; // DateMiseADispositionMOE (IPM4-027)
  validationCycle?: ValidationStep[];
}

export type SourceSyntax = 'UBL' | 'CII' | 'PIVOT';

export interface Invoice {
  syntax: SourceSyntax;
  /** UBL root: Invoice or CreditNote */
  documentKind?: 'Invoice' | 'CreditNote';
  customizationId?: string; // BT-24
  profileId?: string; // BT-23 as written
  number?: string; // BT-1
  typeCode?: string; // BT-3 (UNTDID 1001)
  issueDate?: IsoDate; // BT-2
  dueDate?: IsoDate; // BT-9
  taxPointDate?: IsoDate; // BT-7
  currency?: string; // BT-5
  taxCurrency?: string; // BT-6
  buyerAccountingRef?: string; // BT-19
  notes: { subjectCode?: string; text: string }[]; // BG-1 (BT-21, BT-22)
  buyerReference?: string; // BT-10 = Chorus Pro code service
  projectReference?: string; // BT-11
  contractReference?: string; // BT-12 = numéro de marché
  orderReference?: string; // BT-13 = numéro d'engagement
  salesOrderReference?: string; // BT-14
  receivingAdviceReference?: string; // BT-15
  despatchAdviceReference?: string; // BT-16
  tenderReference?: string; // BT-17
  invoicedObjectId?: Identifier; // BT-18
  precedingInvoices: { number?: string; issueDate?: IsoDate }[]; // BG-3
  invoicingPeriod?: Period; // BG-14
  seller: Party; // BG-4
  buyer: Party; // BG-7
  payee?: Payee; // BG-10
  taxRepresentative?: TaxRepresentative; // BG-11
  delivery?: Delivery; // BG-13
  paymentMeans: PaymentMeans[]; // BG-16
  /** BT-83, BT-89, BT-90 given without any payment means (BG-16): CII and UBL's SEPA id hold them outside it */
  paymentReferences?: { remittanceInfo?: string; mandateRef?: string; creditorRef?: string };
  paymentTerms?: string; // BT-20
  allowanceCharges: AllowanceCharge[]; // BG-20 / BG-21
  vatBreakdown: VatBreakdown[]; // BG-23
  totals: Totals; // BG-22
  lines: InvoiceLine[]; // BG-25
  attachments: Attachment[]; // BG-24 (+ the E2 invoice PDF)
  chorus: ChorusData;
  /**
   * Syntax-level facts of a UBL or CII source (codes and attributes as written, repeated or
   * empty elements…) for the EN 16931 rules; absent for pivot input. Not part of the business
   * content: never serialized into outputs.
   */
  syntaxFacts?: SyntaxFacts;
  /**
   * What the PDF of an inbound Factur-X says of itself in its XMP metadata (fx:ConformanceLevel,
   * pdfaid:part, as written): judged against the embedded XML (FACTURX-XMP, FACTURX-PDFA);
   * and the active content PDF/A-3 forbids that it holds, in words (FACTURX-ACTIONS).
   * Absent for any other source; never serialized into outputs.
   */
  facturxPdf?: { conformance?: string; pdfaPart?: string; actions?: readonly string[] };
}

export function emptyParty(): Party {
  return { identifiers: [] };
}

export function emptyInvoice(syntax: SourceSyntax): Invoice {
  return {
    syntax,
    notes: [],
    precedingInvoices: [],
    seller: emptyParty(),
    buyer: emptyParty(),
    paymentMeans: [],
    allowanceCharges: [],
    vatBreakdown: [],
    totals: {},
    lines: [],
    attachments: [],
    chorus: {},
  };
}

export function emptyLine(): InvoiceLine {
  return { allowanceCharges: [], price: {}, vat: {}, item: { classifications: [], attributes: [] } };
}
