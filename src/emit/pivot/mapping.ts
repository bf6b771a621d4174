/**
 * The EN 16931 (canonical model) → CPPFacturePivot V2_02 mapping, as data.
 *
 * The tree below is in the XSD's element order; `serialize.ts` walks it to write XML and
 * `scripts/mapping-doc.ts` walks it to write docs/MAPPING.md, so the code and the documented
 * table cannot drift apart. A leaf whose getter returns undefined is omitted (the XSD's
 * minOccurs=0 elements); `required` leaves are written even when empty, so the schema, not
 * the mapping, says what is missing — validation refuses such invoices before emission.
 */
import paymentMeans from '../../../schemas/payment-means.json';
import type { Attachment, Invoice, InvoiceLine, ValidationStep, VatBreakdown } from '../../model/invoice';
import { dec } from '../../model/decimal';
import { pivotCadre } from '../../transform/chorus/cadre';
import { engagementNumber } from '../../transform/chorus/engagement';
import { supplierId, supplierIdType } from '../../transform/chorus/supplier-id';
import { pivotAmount, pivotUnitPrice } from '../../transform/chorus/pivot-amount';
import { CREDIT_NOTE_TYPE_CODES } from '../../transform/enrich/invoice-document';

import { partySiret } from '../../transform/chorus/siret';

export interface Leaf<T> {
  el: string;
  /** the business term or rule the value comes from, for the documentation */
  from: string;
  get: (x: T) => string | undefined;
  required?: boolean;
  /** the value never needs XML escaping (base64): large ones are spliced in after serialization */
  raw?: boolean;
  /** the bytes whose base64 is the value: the writer encodes them as it writes the file */
  bytes?: (x: T) => Uint8Array | undefined;
}

export interface Group<T> {
  el: string;
  from: string;
  /** omitted when false */
  when?: (x: T) => boolean;
  attrs?: (x: T) => Record<string, string | undefined>;
  children: PNode<T>[];
}

export interface Repeat<T> {
  el: string;
  from: string;
  items: (x: T) => unknown[];
  /** `all`: the items of the repeat, for an attribute that depends on the others (a line's NumOrdre) */
  attrs?: (item: never, index: number, all: readonly never[]) => Record<string, string | undefined>;
  children: PNode<never>[];
}

export type PNode<T> = ({ kind: 'leaf' } & Leaf<T>) | ({ kind: 'group' } & Group<T>) | ({ kind: 'repeat' } & Repeat<T>);

const leaf = <T>(el: string, from: string, get: (x: T) => string | undefined, required = false, raw = false, bytes?: (x: T) => Uint8Array | undefined): PNode<T> => ({ kind: 'leaf', el, from, get, required, raw, bytes });
const group = <T>(el: string, from: string, children: PNode<T>[], opts: Partial<Pick<Group<T>, 'when' | 'attrs'>> = {}): PNode<T> => ({ kind: 'group', el, from, children, ...opts });
function repeat<T, I>(
  el: string,
  from: string,
  items: (x: T) => I[],
  children: PNode<I>[],
  attrs?: (item: I, index: number, all: readonly I[]) => Record<string, string | undefined>,
): PNode<T> {
  return { kind: 'repeat', el, from, items, children: children as PNode<never>[], attrs: attrs as Repeat<T>['attrs'] };
}

// ---- derived values -------------------------------------------------------------------

const PM = paymentMeans as { map: Record<string, { pivot: string }>; default: string };

/** BT-81 → pivot ModePaiement/Code (schemas/payment-means.json). */
export function pivotPaymentCode(code: string | undefined): string {
  const c = (code ?? '').trim();
  return PM.map[c]?.pivot ?? PM.default;
}

/** Pivot Type: 381 for UNTDID 1001 credit-note codes and UBL CreditNote documents, else 380. */
export function pivotType(inv: Invoice): string {
  const c = (inv.typeCode ?? '').trim();
  if (inv.syntax === 'PIVOT' && (c === '380' || c === '381')) return c;
  if (CREDIT_NOTE_TYPE_CODES.has(c)) return '381';
  return '380';
}


/**
 * The value of an optional typed leaf (xs:date, xs:decimal: DateLivraison, TauxTVA …), none
 * when left blank in the input: an empty element of those types fails the pivot XSD, where an
 * empty xs:string (NumeroMarche) is kept as written.
 */
function present(v: string | undefined): string | undefined {
  return v !== undefined && /\S/.test(v) ? v : undefined;
}

function firstAccount(inv: Invoice) {
  for (const pm of inv.paymentMeans) for (const a of pm.accounts) if (a.id !== undefined) return a;
  return undefined;
}

function payeeName(inv: Invoice): string | undefined {
  return inv.chorus.payeeName ?? present(inv.payee?.name);
}

/** written when there is an account, a bank, or a payee to name (BT-59 without an account: a direct debit) */
function hasBankReference(inv: Invoice): boolean {
  return firstAccount(inv) !== undefined || inv.chorus.bankReferenceType !== undefined || inv.chorus.bankInstitution !== undefined || payeeName(inv) !== undefined;
}

function bankType(inv: Invoice): string | undefined {
  if (inv.chorus.bankReferenceType) return inv.chorus.bankReferenceType;
  const id = firstAccount(inv)?.id?.replace(/\s+/g, '') ?? '';
  return /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(id) ? 'IBAN' : id ? 'RIB' : undefined;
}

/** Pivot ModePaiement/Libelle: as read from a pivot, else BT-82 payment means text. */
function paymentLabel(inv: Invoice): string | undefined {
  return inv.chorus.paymentMeansLabel ?? inv.paymentMeans[0]?.text;
}

function hasEngagement(inv: Invoice): boolean {
  return inv.contractReference !== undefined || engagementNumber(inv) !== undefined;
}

/** The pivot attachments in order: as enriched (pivot fields), else as read. */
export function pivotAttachments(inv: Invoice): Attachment[] {
  return inv.attachments.filter((a) => a.pivot?.nomPJ !== undefined || a.content !== undefined || a.pivot?.idOriginal !== undefined || a.pivot?.idUnique !== undefined);
}

function contenu(a: Attachment): string | undefined {
  return a.content === undefined ? undefined : Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength).toString('base64');
}

// ---- the tree ------------------------------------------------------------------------

const TVA: PNode<VatBreakdown>[] = [
  leaf('Taux', 'BT-119 VAT category rate (0 when absent or blank)', (v) => (v.rate?.trim() ? v.rate : '0'), true),
  leaf('BaseHt', 'BT-116 VAT category taxable amount', (v) => pivotAmount(v.taxableAmount), true),
  leaf('MontantTVA', 'BT-117 VAT category tax amount', (v) => pivotAmount(v.taxAmount), true),
];

const LIGNE: PNode<InvoiceLine>[] = [
  leaf('ReferenceProduit', "BT-155 Item seller's identifier, else BT-153 Item name", (l) => present(l.item.sellerId) ?? l.item.name),
  leaf('PrixUnitaire', 'BT-146 Item net price ÷ BT-149 Item price base quantity (the pivot has none; rounded half up to 6 decimals; zeros past the sixth decimal dropped)', pivotUnitPrice, true),
  leaf('Quantite', 'BT-129 Invoiced quantity', (l) => l.quantity, true),
  leaf('MontantHT', 'BT-131 Invoice line net amount', (l) => pivotAmount(l.netAmount), true),
  leaf('TauxTVA', 'BT-152 Invoiced item VAT rate', (l) => present(l.vat.rate)),
];

/** A line id (BT-126) as a NumOrdre, when it is a number. */
const numericLineId = (l: InvoiceLine): string | undefined => {
  const id = l.id?.trim() ?? '';
  return /^\d{1,9}$/.test(id) ? String(Number(id)) : undefined;
};

// lines "2" and "02", or "A" at the second place beside a line "2", shared a NumOrdre: the
// ids are kept only when each line has one and no two read the same number, else positions
const idsNumberLines = new WeakMap<readonly InvoiceLine[], boolean>();
const isDefined = (id: unknown) => id !== undefined;

function lineNumber(l: InvoiceLine, k: number, lines: readonly InvoiceLine[]): Record<string, string> {
  let byId = idsNumberLines.get(lines);
  if (byId === undefined) {
    const ids = lines.map(numericLineId);
    byId = ids.every(isDefined) && new Set(ids).size === ids.length;
    idsNumberLines.set(lines, byId);
  }
  return { NumOrdre: byId ? (numericLineId(l) as string) : String(k + 1) };
}

const VALIDATION: PNode<ValidationStep>[] = [
  leaf('DateStatut', 'pivot input', (v) => v.date, true),
  leaf('CodeStatut', 'pivot input', (v) => v.statusCode, true),
  leaf('ComplementStatut', 'pivot input', (v) => v.statusComplement),
  leaf('Commentaire', 'pivot input', (v) => v.comment),
  group('ProducteurStatut', 'pivot input', [
    leaf('TypeIdentifiant', 'pivot input', (v) => v.producer.idType, true),
    leaf('Id', 'pivot input', (v) => v.producer.id, true),
    leaf('RaisonSociale', 'pivot input', (v) => v.producer.name, true),
    leaf('CodePays', 'pivot input', (v) => v.producer.countryCode, true),
    leaf('Note', 'pivot input', (v) => v.producer.note),
  ]),
];

const PJ: PNode<Attachment>[] = [
  leaf('IdUnique', 'pivot input; else BT-124 external document location of an attachment given by address only (listed, never fetched)', (a) => a.pivot?.idUnique),
  leaf('IdOriginal', 'pivot input only (IPM4: not valued)', (a) => a.pivot?.idOriginal),
  leaf('Contenu', 'BT-125 attached document, base64', contenu, false, true, (a) => a.content),
  leaf('NomPJ', 'safe name derived from BT-125 filename (≤ 50, unique in the invoice) — enrichment', (a) => a.pivot?.nomPJ ?? a.fileName, true),
  leaf('NomPJOrigine', 'BT-125 filename as sent (≤ 50: its middle cut, extension kept), not for the invoice document (TypePJ 01: "sauf facture originale", V2_02 XSD) — IPM4-001', (a) => a.pivot?.nomPJOrigine),
  leaf('CategoriePJ', 'category table (schemas/attachment-categories.json) — IPM4-001', (a) => a.pivot?.categoriePJ),
  leaf('TypePJ', '01 invoice document, 02 complementary — IPM4-001', (a) => a.pivot?.typePJ ?? (a.isInvoiceDocument ? '01' : '02'), true),
  leaf('MimeTypePJ', 'MIME type from the content magic bytes, else BT-125 mimeCode — IPM4-001', (a) => a.pivot?.mimeTypePJ ?? present(a.mimeCode) ?? 'application/octet-stream', true),
];

export const PIVOT_INVOICE: PNode<Invoice>[] = [
  group('Fournisseur', 'BG-4 Seller', [
    leaf('TypeIdentifiant', '1 when a SIRET is known (scheme 0009); else by the scheme of BT-30/BT-29: 2 EU VAT (0223), 3 outside the EU (0227), 4 RIDET (0228), 5 TAHITI (0229); else by BT-40: 2 EU, 3 outside the EU', supplierIdType, true),
    leaf('Identifiant', 'SIRET (BT-30/BT-29 scheme 0009), else BT-30/BT-29 with scheme 0223, 0227, 0228 or 0229, else BT-31 VAT id, else BT-30/BT-29', supplierId, true),
    leaf('RaisonSociale', 'BT-27 Seller name, else BT-28 trading name', (i) => present(i.seller.name) ?? i.seller.tradingName, true),
    leaf('CodePays', 'BT-40 Seller country code', (i) => i.seller.address?.countryCode, true),
    group('ReferenceBancaire', 'BG-17 first credit transfer account, or BG-10 payee alone', [
      leaf('Compte', 'BT-84 Payment account identifier (IBAN)', (i) => firstAccount(i)?.id),
      leaf('Etablissement', 'BT-86 Payment service provider identifier (BIC)', (i) => present(i.chorus.bankInstitution) ?? firstAccount(i)?.bic),
      leaf('RaisonSocialeEncaisseur', 'BT-59 Payee name', payeeName),
    ], { when: hasBankReference, attrs: (i) => ({ Type: bankType(i) }) }),
    leaf('ModeEmission', '"flux" for every structured flow', (i) => i.chorus.emissionMode ?? 'flux', true),
  ]),
  group('Debiteur', 'BG-7 Buyer', [
    leaf('TypeIdentifiant', '1 (SIRET)', (i) => i.chorus.buyerIdType ?? '1', true),
    leaf('Identifiant', 'Buyer SIRET: BT-47 / BT-46 / BT-49 with scheme 0009', (i) => partySiret(i.buyer), true),
    leaf('Nom', 'BT-44 Buyer name', (i) => present(i.buyer.name) ?? i.buyer.tradingName),
    // as routed and checked (routeOf, CPRO-CODE-SERVICE-INCONNU): a no-break space around it made
    // the finance SI read "\u00a0FINANCES", no code service of its own, after FINANCES was validated
    leaf('CodeService', 'BT-10 Buyer reference (code service), without the spaces around it (no-break spaces too): the code routed on', (i) => i.buyerReference?.trim()),
    leaf('NomService', 'code service name from the routing table', (i) => i.chorus.serviceName),
  ]),
  group('DonneesFacture', 'BG-2 / BG-22 document data', [
    leaf('Id', 'BT-1 Invoice number', (i) => i.number, true),
    leaf('IdCPRO', "technical ID allocated once per invoice by chorus-flux (IPM4-AIFE-2); a deposited pivot's own is replaced, journaled as the invoice's sourceIdCpro (trace finds it)", (i) => i.chorus.idCpro),
    leaf('Renvoi', "Non on first delivery; Complétée for a completed invoice — also when chorus-flux itself suspended it on deposit, so that its first delivery (DESIGN §4: the finance SI gets the COMPLETEE too); Recyclée for a recycled one (IPM4), by chorus-flux's lifecycle (a deposited pivot's is not kept)", (i) => i.chorus.renvoi),
    leaf('IdFactureOrigine', 'BT-25 Preceding invoice reference: the first (the pivot has one; warning CPRO-FACTURE-ORIGINE-UNIQUE names the others)', (i) => i.precedingInvoices[0]?.number),
    leaf('Type', 'BT-3 Invoice type code: 381 for credit notes (UNTDID 1001), else 380', pivotType, true),
    leaf('Cadre', 'BT-23 Business process type (A1 … A25, default A1)', pivotCadre, true),
    leaf('DateEmissionFacture', 'BT-2 Invoice issue date', (i) => i.issueDate, true),
    leaf('DateLivraison', 'BT-72 Actual delivery date, else BT-2 (IPM4)', (i) => present(i.chorus.deliveryDate) ?? present(i.delivery?.date)),
    group('ModePaiement', 'BG-16 Payment instructions', [
      leaf('Code', 'BT-81 Payment means type code, mapped (schemas/payment-means.json)', (i) => pivotPaymentCode(i.paymentMeans[0]?.code), true),
      leaf('Libelle', 'BT-82 Payment means text', paymentLabel),
    ]),
    leaf('DateReception', 'date the flux was received by chorus-flux; a deposited pivot keeps its own (the day its first platform received it)', (i) => i.chorus.receptionDate, true),
    leaf('DateMiseADispositionMOE', 'date made available: the day the flux was received, on every works invoice (cadre A4–A8, A13–A20, A22–A25; IPM4-027), whether the routing table sends it to an MOE or not; a deposited pivot keeps its own', (i) => present(i.chorus.moeAvailabilityDate)),
    leaf('Devise', 'BT-5 Invoice currency code', (i) => i.currency, true),
    group('Montants', 'BG-22 Document totals', [
      leaf('MontantHT', 'BT-109 Invoice total amount without VAT', (i) => pivotAmount(i.totals.taxExclusive), true),
      leaf('MontantTTC', 'BT-112 Invoice total amount with VAT', (i) => pivotAmount(i.totals.taxInclusive), true),
      leaf('MontantNetAPayer', 'BT-115 Amount due for payment', (i) => pivotAmount(i.totals.payable), true),
    ]),
    group('TVAs', 'BG-23 VAT breakdown', [repeat<Invoice, VatBreakdown>('TVA', 'BG-23 one per VAT category and rate', (i) => i.vatBreakdown, TVA)], {
      when: (i) => i.vatBreakdown.length > 0,
    }),
    group('Engagement', 'references', [
      leaf('NumeroMarche', 'BT-12 Contract reference (numéro de marché)', (i) => i.contractReference),
      leaf('NumeroEngagement', "BT-13 Purchase order reference (numéro d'engagement); none when a UBL writes NA there, its placeholder for no purchase order", engagementNumber),
    ], { when: hasEngagement }),
    group('Lignes', 'BG-25 Invoice lines', [repeat<Invoice, InvoiceLine>('Ligne', 'BG-25 (NumOrdre: BT-126 when every line has a number there and no two the same, else the position)', (i) => i.lines, LIGNE, lineNumber)], {
      when: (i) => i.lines.length > 0,
    }),
  ]),
  repeat<Invoice, Attachment>('PJ', 'BG-24 Additional supporting documents with content (BT-125) or an address (BT-124), not a reference alone, + the invoice document (IPM4-001)', pivotAttachments, PJ, (_a, k) => ({ NumOrdre: String(k + 1) })),
  group('CycleDeValidation', 'validation cycle, carried over from pivot input', [
    repeat<Invoice, ValidationStep>('ValidationUnitaire', 'pivot input', (i) => i.chorus.validationCycle ?? [], VALIDATION),
  ], { when: (i) => (i.chorus.validationCycle?.length ?? 0) > 0 }),
];
