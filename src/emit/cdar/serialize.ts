/**
 * CDAR D22B lifecycle-message writer (xmlbuilder2): one `rsm:CrossDomainAcknowledgementAndResponse`
 * of the French "CDV" profile (urn.cpro.gouv.fr:1p0:CDV:invoice) for one invoice status event.
 *
 * Pure. The message validates against the UN/CEFACT CDAR D22B XSD and passes the BR-FR-CDV
 * schematron (V1.4.0) without a fatal failure; `cdarProblems` lists what would break that, and
 * `serializeCdar` refuses such an event. Every reason text passes through cutReason (≤ 300
 * characters, IPM4-009). Conventions: docs/CDAR.md.
 */
import { xmlText } from '../../xml/xml-text';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { sha256 } from '../../util/hash';
import { cutReason } from '../../util/reason';
import {
  CDAR_STATUSES,
  type CdarRole,
  type CdarStatusCode,
  allowedReasonCodes,
  isCdarStatus,
  isReasonCode,
  reasonAllowed,
  reasonLabel,
} from './tables';

export type { CdarRole, CdarStatusCode } from './tables';

export const CDAR_NS = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
} as const;

/** MDT-3: the CDV profile for exchanges between platforms (BR-FR-CDV-02). */
export const CDAR_GUIDELINE = 'urn.cpro.gouv.fr:1p0:CDV:invoice';
/** MDT-2: the only business process value BR-FR-CDV-CL-01 (V1.4.0) lets through outside PPF messages. */
export const CDAR_BUSINESS_PROCESS = 'REGULATED';
/** ISO 6523 ICDs: SIREN, SIRET, French electronic (routing) address. */
export const SIREN_SCHEME = '0002';
export const SIRET_SCHEME = '0009';
export const ADDRESS_SCHEME = '0225';

/** BR-FR-04: invoice type codes (BT-3) the French rules accept for the referenced document. */
export const CDAR_INVOICE_TYPE_CODES: ReadonlySet<string> = new Set([
  '380', '389', '393', '501', '386', '500', '384', '471', '472', '473', '261', '262', '381', '396', '502', '503',
]);

const RECIPIENT_ROLES: ReadonlySet<string> = new Set(['BY', 'AB', 'DL', 'SE', 'SR', 'PE', 'PR', 'II', 'IV', 'WK', 'DFH']);
const PROCESSING_ISSUER_ROLES: ReadonlySet<string> = new Set(['BY', 'AB', 'DL', 'SE', 'SR', 'PE', 'PR', 'II', 'IV']);

/** An identifier with its ISO 6523 scheme (ICD), e.g. { id: '12345678200010', scheme: '0009' }. */
export interface CdarId {
  id: string;
  scheme: string;
}

export interface CdarParty extends CdarId {
  name?: string;
  role: CdarRole;
  /**
   * Electronic address (MDT-73), required by BR-FR-CDV-08 for every recipient but WK and DFH.
   * Default: the SIREN with scheme 0225 when the party has a SIREN or SIRET, else its own id and scheme.
   */
  uri?: CdarId;
}

/** The invoice the status is about (ReferenceReferencedDocument). */
export interface CdarInvoiceRef {
  /** BT-1 (MDT-87). For a 501 on a file whose invoice could not be read: the file name. */
  number: string;
  /** BT-3 (MDT-91), one of CDAR_INVOICE_TYPE_CODES; may be absent only for 501. */
  typeCode?: string;
  /** BT-2, ISO YYYY-MM-DD (MDT-100, format 102); required unless 501 (BR-FR-CDV-11). */
  issueDate?: string;
  /**
   * Seller legal identifier (MDT-129, BR-FR-CDV-13): SIREN (0002) or SIRET (0009, written as its SIREN
   * then the SIRET); a seller without SIREN: 0223 (EU, VAT number), 0227 (outside the EU), 0228 (RIDET),
   * 0229 (TAHITI). Required unless 501.
   */
  sellerId?: string;
  sellerScheme?: '0002' | '0009' | '0223' | '0227' | '0228' | '0229' | (string & {});
  sellerName?: string;
  /** ISO date-time the invoice was received (MDT-95). */
  receivedAt?: string;
  /** The buyer (written as the referenced document's recipient, role BY); also the default issuer of buyer statuses. */
  buyer?: CdarId & { name?: string };
}

export interface CdarReason {
  /** A code of the closed list (BR-FR-CDV-CL-09) allowed for the status; see reasonCodeFor. */
  code: string;
  /** Free text (MDT-114), cut to 300 characters; default: the code's label. */
  text?: string;
}

/** An amount paid or cashed with its VAT rate (characteristic MEN, required for 212). */
export interface CdarAmount {
  amount: string;
  vatRate: string;
  currency?: string;
}

export interface CdarEvent {
  /** MDT-4: unique and stable (the caller's) */
  messageId: string;
  /** MDT-8: ISO date-time the message is produced */
  issuedAt: string;
  /** MDT-78: ISO date-time of the status */
  statusAt: string;
  status: CdarStatusCode;
  invoice: CdarInvoiceRef;
  /** Who the message is for (MDT-57 …): typically the seller (SE) or the buyer (BY). */
  recipient: CdarParty;
  /** Further recipients, e.g. the PPF: { id: '9998', scheme: '0238', name: 'PPF', role: 'DFH' }. */
  otherRecipients?: CdarParty[];
  /** The platform sending the message (role WK); its identifier is optional. */
  sender?: CdarId & { name?: string };
  /**
   * Who took the status decision, for processing-phase statuses (TypeCode 23): BY for 204–208, 210,
   * 211; SE for 209 and 212. Default: invoice.buyer (BY) or the seller (SE). Transmission-phase
   * statuses (305) are issued by the platform (WK) and ignore this field.
   */
  issuer?: CdarParty;
  reasons?: CdarReason[];
  amounts?: CdarAmount[];
}

export interface CdarOptions {
  /** Time zone of the 204 date-times for instants given with an offset; default Europe/Paris. */
  timeZone?: string;
}

export class CdarEventError extends Error {
  constructor(readonly problems: string[]) {
    super(`CDAR event cannot be written: ${problems.join('; ')}`);
    this.name = 'CdarEventError';
  }
}

// ---------------------------------------------------------------- dates

const ISO_DT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const dtfCache = new Map<string, Intl.DateTimeFormat>();

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * CCYYMMDDHHMMSS (format 204) of an ISO date-time. An instant with an offset (Z, +02:00) is
 * shown in `timeZone`; a local date-time without offset is kept as written.
 */
export function toFormat204(iso: string, timeZone = 'Europe/Paris'): string | undefined {
  const m = ISO_DT.exec(iso.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  if (!validDate(+y, +mo, +d) || +h > 23 || +mi > 59 || +s > 59) return undefined;
  if (zone === undefined) return `${y}${mo}${d}${h}${mi}${s}`;
  const t = new Date(iso.trim().replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(t.getTime())) return undefined;
  let f = dtfCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    dtfCache.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map(partEntry));
  return `${p.year}${p.month}${p.day}${p.hour}${p.minute}${p.second}`;
}

const partEntry = (x: Intl.DateTimeFormatPart) => [x.type, x.value];

/** CCYYMMDD (format 102) of an ISO date YYYY-MM-DD. */
export function toFormat102(isoDate: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate.trim());
  if (!m || !validDate(+m[1], +m[2], +m[3])) return undefined;
  return `${m[1]}${m[2]}${m[3]}`;
}

// ---------------------------------------------------------------- identifiers

/** SIREN of a SIRET: its first 9 digits. */
export function sirenOf(siret: string): string {
  return siret.slice(0, 9);
}

/** GlobalIDs of an identifier: a SIRET is written as its SIREN (0002) then itself (0009). */
export function globalIds(p: CdarId): CdarId[] {
  const id = p.id.trim();
  if (p.scheme === SIRET_SCHEME && /^\d{14}$/.test(id)) return [{ id: sirenOf(id), scheme: SIREN_SCHEME }, { id, scheme: SIRET_SCHEME }];
  return [{ id, scheme: p.scheme }];
}

/** The default electronic address of a party: its SIREN as a French routing address (0225), else its own id. */
export function defaultUri(p: CdarId): CdarId {
  const first = globalIds(p)[0];
  return first.scheme === SIREN_SCHEME ? { id: first.id, scheme: ADDRESS_SCHEME } : first;
}

// ---------------------------------------------------------------- checks

function issuerOf(e: CdarEvent): CdarParty | undefined {
  const info = CDAR_STATUSES[e.status];
  if (info.typeCode === '305') return undefined;
  if (e.issuer) return e.issuer;
  if (info.issuerRole === 'SE' && e.invoice.sellerId && e.invoice.sellerScheme) {
    return { id: e.invoice.sellerId, scheme: e.invoice.sellerScheme, name: e.invoice.sellerName, role: 'SE' };
  }
  if (info.issuerRole === 'BY' && e.invoice.buyer) return { ...e.invoice.buyer, role: 'BY' };
  return undefined;
}

function checkId(what: string, p: CdarId | undefined, out: string[]): void {
  if (!p) return;
  if (p.id.trim() === '') {
    out.push(`${what}: no identifier CDAR accepts (a SIREN/SIRET, or a scheme of docs/CDAR.md "Identifiers")`);
    return;
  }
  if (!/^[A-Za-z0-9]{4}$|^[A-Z]{2}$/.test(p.scheme.trim())) out.push(`${what}: the scheme "${p.scheme}" is not an ISO 6523 ICD or EAS code`);
  if (p.scheme === SIRET_SCHEME && !/^\d{14}$/.test(p.id.trim())) out.push(`${what}: a SIRET (0009) is 14 digits, "${p.id}" is not`);
  if (p.scheme === SIREN_SCHEME && !/^\d{9}$/.test(p.id.trim())) out.push(`${what}: a SIREN (0002) is 9 digits, "${p.id}" is not`);
}

/** What would make the message invalid (XSD or a fatal BR-FR-CDV assertion); empty when it can be written. */
export function cdarProblems(e: CdarEvent, options: CdarOptions = {}): string[] {
  const out: string[] = [];
  if (!isCdarStatus(e.status)) return [`status "${e.status}" is not one chorus-flux writes (schemas/cdar-status.json)`];
  const info = CDAR_STATUSES[e.status];
  const irrecevable = e.status === '501';
  if (e.messageId.trim() === '') out.push('messageId is empty');
  if (toFormat204(e.issuedAt, options.timeZone) === undefined) out.push(`issuedAt "${e.issuedAt}" is not an ISO date-time`);
  if (toFormat204(e.statusAt, options.timeZone) === undefined) out.push(`statusAt "${e.statusAt}" is not an ISO date-time`);
  const inv = e.invoice;
  if (inv.number.trim() === '') out.push('invoice.number is empty');
  if (inv.typeCode !== undefined && !CDAR_INVOICE_TYPE_CODES.has(inv.typeCode)) out.push(`invoice.typeCode "${inv.typeCode}" is not a type code of BR-FR-04`);
  if (inv.typeCode === undefined && !irrecevable) out.push('invoice.typeCode is required');
  if (inv.issueDate !== undefined && toFormat102(inv.issueDate) === undefined) out.push(`invoice.issueDate "${inv.issueDate}" is not a date YYYY-MM-DD`);
  if (inv.issueDate === undefined && !irrecevable) out.push('invoice.issueDate is required (BR-FR-CDV-11)');
  if (inv.receivedAt !== undefined && toFormat204(inv.receivedAt, options.timeZone) === undefined) out.push(`invoice.receivedAt "${inv.receivedAt}" is not an ISO date-time`);
  if ((inv.sellerId === undefined) !== (inv.sellerScheme === undefined)) out.push('invoice.sellerId and invoice.sellerScheme go together');
  if (inv.sellerId === undefined && !irrecevable) out.push('the seller identifier is required (BR-FR-CDV-13)');
  if (inv.sellerId !== undefined && inv.sellerScheme !== undefined) checkId('invoice seller', { id: inv.sellerId, scheme: inv.sellerScheme }, out);
  checkId('invoice buyer', inv.buyer, out);
  for (const [k, r] of [e.recipient, ...(e.otherRecipients ?? [])].entries()) {
    const what = k === 0 ? 'recipient' : `otherRecipients[${k - 1}]`;
    checkId(what, r, out);
    if (!RECIPIENT_ROLES.has(r.role)) out.push(`${what}: role "${r.role}" is not allowed (BR-FR-CDV-CL-04)`);
    checkId(`${what} uri`, r.uri, out);
  }
  checkId('sender', e.sender, out);
  if (info.typeCode === '23') {
    const issuer = issuerOf(e);
    if (!issuer) out.push(`status ${e.status} is decided by ${info.issuerRole}: give issuer${info.issuerRole === 'BY' ? ' or invoice.buyer' : ''} (BR-FR-CDV-07)`);
    else {
      checkId('issuer', issuer, out);
      if (!PROCESSING_ISSUER_ROLES.has(issuer.role)) out.push(`issuer: role "${issuer.role}" is not allowed for a processing-phase status (BR-FR-CDV-CL-03)`);
    }
  }
  const reasons = e.reasons ?? [];
  if (info.reasonRequired && reasons.length === 0) out.push(`status ${e.status} needs at least one reason (BR-FR-CDV-15)`);
  for (const r of reasons) {
    if (!isReasonCode(r.code)) out.push(`reason "${r.code}" is not in the closed list (BR-FR-CDV-CL-09)`);
    else if (!reasonAllowed(e.status, r.code)) out.push(`reason "${r.code}" is not allowed for status ${e.status} (allowed: ${allowedReasonCodes(e.status)?.join(', ')})`);
  }
  const amounts = e.amounts ?? [];
  if (info.amountsRequired && amounts.length === 0) out.push(`status ${e.status} needs the amounts cashed with their VAT rate (BR-FR-CDV-14)`);
  for (const a of amounts) {
    if (!/^-?\d+(\.\d+)?$/.test(a.amount.trim())) out.push(`amount "${a.amount}" is not a decimal number`);
    if (!/^\d+(\.\d+)?$/.test(a.vatRate.trim())) out.push(`VAT rate "${a.vatRate}" is not a decimal number`);
  }
  return out;
}

// ---------------------------------------------------------------- writer


function asciiLabel(label: string): string {
  return label.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** File-name-safe form of the message id; a changed or shortened id gets a hash so names stay unique. */
function safeId(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.]+/, '_').slice(0, 100);
  return clean === id ? id : `${clean}_${sha256(id).slice(0, 10)}`;
}

/** The stem of the file name, also written as ExchangedDocument/Name (MDT-5). */
export function cdarDocumentName(e: Pick<CdarEvent, 'messageId' | 'status'>): string {
  const label = isCdarStatus(e.status) ? asciiLabel(CDAR_STATUSES[e.status].label) : 'Statut';
  return `CDV-${e.status}_${label}_${safeId(e.messageId)}`;
}

/** e.g. CDV-213_Rejetee_<message id>.xml: unique per message id, safe as a file name. */
export function cdarFileName(e: Pick<CdarEvent, 'messageId' | 'status'>): string {
  return `${cdarDocumentName(e)}.xml`;
}

function dateTime(parent: XMLBuilder, name: string, value: string, tz: string | undefined): void {
  parent.ele(name).ele('udt:DateTimeString', { format: '204' }).txt(toFormat204(value, tz) as string);
}

function party(parent: XMLBuilder, element: string, p: { ids?: CdarId[]; name?: string; role?: string; uri?: CdarId }): void {
  const el = parent.ele(element);
  for (const g of p.ids ?? []) el.ele('ram:GlobalID', { schemeID: g.scheme }).txt(xmlText(g.id));
  const name = p.name !== undefined ? xmlText(p.name) : '';
  if (name !== '') el.ele('ram:Name').txt(name);
  if (p.role !== undefined) el.ele('ram:RoleCode').txt(p.role);
  if (p.uri !== undefined) el.ele('ram:URIUniversalCommunication').ele('ram:URIID', { schemeID: p.uri.scheme }).txt(xmlText(p.uri.id));
}

function recipientParty(parent: XMLBuilder, r: CdarParty): void {
  const needsUri = r.role !== 'WK' && r.role !== 'DFH';
  party(parent, 'ram:RecipientTradeParty', { ids: globalIds(r), name: r.name, role: r.role, uri: r.uri ?? (needsUri ? defaultUri(r) : undefined) });
}

/** The CDAR D22B message of one invoice status event. Throws CdarEventError when cdarProblems is not empty. */
export function serializeCdar(e: CdarEvent, options: CdarOptions = {}): string {
  const problems = cdarProblems(e, options);
  if (problems.length > 0) throw new CdarEventError(problems);
  const tz = options.timeZone;
  const info = CDAR_STATUSES[e.status];
  const inv = e.invoice;

  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('rsm:CrossDomainAcknowledgementAndResponse', {
    'xmlns:rsm': CDAR_NS.rsm,
    'xmlns:ram': CDAR_NS.ram,
    'xmlns:udt': CDAR_NS.udt,
    'xmlns:qdt': CDAR_NS.qdt,
  });
  const ctx = root.ele('rsm:ExchangedDocumentContext');
  ctx.ele('ram:BusinessProcessSpecifiedDocumentContextParameter').ele('ram:ID').txt(CDAR_BUSINESS_PROCESS);
  ctx.ele('ram:GuidelineSpecifiedDocumentContextParameter').ele('ram:ID').txt(CDAR_GUIDELINE);

  const doc = root.ele('rsm:ExchangedDocument');
  doc.ele('ram:ID').txt(xmlText(e.messageId));
  doc.ele('ram:Name').txt(cdarDocumentName(e));
  dateTime(doc, 'ram:IssueDateTime', e.issuedAt, tz);
  party(doc, 'ram:SenderTradeParty', { ids: e.sender ? globalIds(e.sender) : [], name: e.sender?.name, role: 'WK' });
  const issuer = issuerOf(e);
  if (issuer) party(doc, 'ram:IssuerTradeParty', { ids: globalIds(issuer), name: issuer.name, role: issuer.role });
  else party(doc, 'ram:IssuerTradeParty', { role: 'WK' }); // transmission phase: the platform, without GlobalID
  recipientParty(doc, e.recipient);
  for (const r of e.otherRecipients ?? []) recipientParty(doc, r);

  const ack = root.ele('rsm:AcknowledgementDocument');
  ack.ele('ram:MultipleReferencesIndicator').ele('udt:Indicator').txt('false');
  ack.ele('ram:TypeCode').txt(info.typeCode);
  dateTime(ack, 'ram:IssueDateTime', e.statusAt, tz);

  const ref = ack.ele('ram:ReferenceReferencedDocument');
  ref.ele('ram:IssuerAssignedID').txt(xmlText(inv.number));
  if (info.statusCode !== null) ref.ele('ram:StatusCode').txt(info.statusCode);
  if (inv.typeCode !== undefined) ref.ele('ram:TypeCode').txt(inv.typeCode);
  if (inv.receivedAt !== undefined) dateTime(ref, 'ram:ReceiptDateTime', inv.receivedAt, tz);
  if (inv.issueDate !== undefined) ref.ele('ram:FormattedIssueDateTime').ele('qdt:DateTimeString', { format: '102' }).txt(toFormat102(inv.issueDate) as string);
  ref.ele('ram:ProcessConditionCode').txt(e.status);
  ref.ele('ram:ProcessCondition').txt(info.label);
  if (inv.sellerId !== undefined && inv.sellerScheme !== undefined) {
    party(ref, 'ram:IssuerTradeParty', { ids: globalIds({ id: inv.sellerId, scheme: inv.sellerScheme }), name: inv.sellerName });
  }
  if (inv.buyer) party(ref, 'ram:RecipientTradeParty', { ids: globalIds(inv.buyer), name: inv.buyer.name, role: 'BY' });

  let seq = 0;
  for (const r of e.reasons ?? []) {
    const st = ref.ele('ram:SpecifiedDocumentStatus');
    st.ele('ram:ReasonCode').txt(r.code);
    st.ele('ram:Reason').txt(xmlText(cutReason(r.text !== undefined && r.text.trim() !== '' ? r.text : reasonLabel(r.code))));
    st.ele('ram:SequenceNumeric').txt(String(++seq));
  }
  if (e.amounts && e.amounts.length > 0) {
    const st = ref.ele('ram:SpecifiedDocumentStatus');
    st.ele('ram:SequenceNumeric').txt(String(++seq));
    for (const a of e.amounts) {
      const c = st.ele('ram:SpecifiedDocumentCharacteristic');
      c.ele('ram:TypeCode').txt('MEN');
      c.ele('ram:ValueAmount', a.currency ? { currencyID: a.currency } : {}).txt(a.amount.trim());
      c.ele('ram:ValuePercent').txt(a.vatRate.trim());
    }
  }
  return root.end({ prettyPrint: true, indent: '  ' }) + '\n';
}
