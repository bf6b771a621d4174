/**
 * Pieces of a CDAR event taken from the canonical invoice model and from validation findings
 * (pure). The pipeline assembles the event (message id, dates, recipient) around them.
 *
 * Seller identifier (MDT-129) — docs/CDAR.md "Identifiers":
 *   French seller: its SIRET (written as SIREN 0002 + SIRET 0009) or its SIREN (0002);
 *   no SIREN: the identifiers of the reform for sellers outside the SIRENE register, which are
 *   those Chorus Pro already uses (Fournisseur/TypeIdentifiant 2 … 5):
 *     EU outside France → 0223 + intra-community VAT number (BT-31),
 *     outside the EU   → 0227 + the pivot's Fournisseur/Identifiant (its own, else the seller's
 *                        VAT or legal id), else ISO country code and the first 16 characters of the name,
 *     New Caledonia    → 0228 (RIDET), French Polynesia → 0229 (TAHITI).
 *   Failing those (e.g. an EU seller without VAT number), BT-30 then BT-29 as written, when
 *   qualified by an ISO 6523 scheme. A seller identified otherwise (TypeIdentifiant 6 "en cours",
 *   7 "particulier", or an unqualified id) has none: only a 501 can be written for it.
 */
import type { Finding } from '../../model/finding';
import type { Invoice, Party } from '../../model/invoice';
import { partySiret } from '../../transform/chorus/siret';
import { CREDIT_NOTE_TYPE_CODES } from '../../transform/enrich/invoice-document';
import { supplierId, supplierIdType } from '../../transform/chorus/supplier-id';
import { ADDRESS_SCHEME, CDAR_INVOICE_TYPE_CODES, type CdarId, type CdarInvoiceRef, type CdarParty, type CdarReason, SIREN_SCHEME, SIRET_SCHEME } from './serialize';
import { type CdarStatusCode, naturalStatusFor, reasonCodeFor } from './tables';

export const EU_VAT_SCHEME = '0223';
export const NON_EU_SCHEME = '0227';
export const RIDET_SCHEME = '0228';
export const TAHITI_SCHEME = '0229';

const nonEmpty = (s: string | undefined): string | undefined => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);

/** SIRET (0009) or SIREN (0002) of a party, when it has one. */
export function frenchId(p: Party): CdarId | undefined {
  const siret = partySiret(p);
  if (siret !== undefined && /^\d{14}$/.test(siret)) return { id: siret, scheme: SIRET_SCHEME };
  const candidates = [p.legalId, ...p.identifiers];
  const siren = candidates.find((i) => i !== undefined && i.scheme === SIREN_SCHEME && /^\d{9}$/.test(i.value.trim()));
  if (siren) return { id: siren.value.trim(), scheme: SIREN_SCHEME };
  return undefined;
}

/** The seller identifier of MDT-129 (see the header); undefined when the seller has none. */
export function cdarSellerId(inv: Invoice): CdarId | undefined {
  return reformSellerId(inv) ?? writtenId(inv.seller);
}

function reformSellerId(inv: Invoice): CdarId | undefined {
  const fr = frenchId(inv.seller);
  const given = nonEmpty(inv.chorus.supplierId);
  switch (supplierIdType(inv)) {
    case '1':
      return fr ?? (given && /^\d{14}$/.test(given) ? { id: given, scheme: SIRET_SCHEME } : undefined);
    case '2': {
      const vat = nonEmpty(inv.seller.vatId) ?? given;
      return vat ? { id: vat.replace(/\s+/g, ''), scheme: EU_VAT_SCHEME } : fr;
    }
    case '3': {
      if (given) return { id: given, scheme: NON_EU_SCHEME };
      if (fr) return fr;
      // the identifier the pivot carries (its VAT or legal id), which the lifecycle record keeps:
      // the statuses a finance SI sends later are built from that record and must name the seller
      // as those written at deposit did (they said "CH<name>", the forwarded ones "CHE…")
      const carried = nonEmpty(supplierId(inv));
      if (carried) return { id: carried, scheme: NON_EU_SCHEME };
      const country = nonEmpty(inv.seller.address?.countryCode);
      const name = nonEmpty(inv.seller.name) ?? nonEmpty(inv.seller.tradingName);
      return country && name ? { id: `${country}${[...name].slice(0, 16).join('')}`, scheme: NON_EU_SCHEME } : fr;
    }
    case '4':
      return given ? { id: given, scheme: RIDET_SCHEME } : fr;
    case '5':
      return given ? { id: given, scheme: TAHITI_SCHEME } : fr;
    default:
      return fr;
  }
}

/** Last resort: the seller's legal registration id (BT-30), else an identifier (BT-29), as written with its scheme. */
function writtenId(p: Party): CdarId | undefined {
  for (const i of [p.legalId, ...p.identifiers]) {
    const v = nonEmpty(i?.value);
    const scheme = nonEmpty(i?.scheme);
    if (v !== undefined && scheme !== undefined && /^[A-Za-z0-9]{4}$/.test(scheme)) return { id: v, scheme };
  }
  return undefined;
}

/**
 * Electronic address (MDT-73) of a party: its BT-34 / BT-49 when it is a French routing address
 * (0225), or when the party has no SIREN (a foreign party's Peppol-style address); otherwise
 * undefined and the writer uses the SIREN as 0225 address.
 */
function uriOf(p: Party, id: CdarId): CdarId | undefined {
  const e = p.electronicAddress;
  const v = nonEmpty(e?.value);
  if (!e || v === undefined || !e.scheme) return undefined;
  if (e.scheme === ADDRESS_SCHEME || (id.scheme !== SIRET_SCHEME && id.scheme !== SIREN_SCHEME)) return { id: v, scheme: e.scheme };
  return undefined;
}

/** The seller as the recipient (role SE) of a status message; undefined when it has no identifier. */
export function cdarSellerParty(inv: Invoice): CdarParty | undefined {
  const id = cdarSellerId(inv);
  if (!id) return undefined;
  return { ...id, name: nonEmpty(inv.seller.name) ?? nonEmpty(inv.seller.tradingName), role: 'SE', uri: uriOf(inv.seller, id) };
}

/** The buyer as the recipient (role BY) of a status message, by its SIRET or SIREN. */
export function cdarBuyerParty(inv: Invoice): CdarParty | undefined {
  const id = frenchId(inv.buyer);
  if (!id) return undefined;
  return { ...id, name: nonEmpty(inv.buyer.name) ?? nonEmpty(inv.buyer.tradingName), role: 'BY', uri: uriOf(inv.buyer, id) };
}

/** MDT-91: BT-3 when BR-FR-04 accepts it, else 381 for a credit note and 380 for an invoice. */
export function cdarTypeCode(inv: Invoice): string {
  const c = (inv.typeCode ?? '').trim();
  if (CDAR_INVOICE_TYPE_CODES.has(c)) return c;
  return CREDIT_NOTE_TYPE_CODES.has(c) || inv.documentKind === 'CreditNote' ? '381' : '380';
}

/** The referenced invoice of a CDAR event; undefined when the invoice has no number. */
export function cdarInvoiceRef(inv: Invoice, receivedAt?: string): CdarInvoiceRef | undefined {
  const number = nonEmpty(inv.number);
  if (number === undefined) return undefined;
  const seller = cdarSellerId(inv);
  const buyer = frenchId(inv.buyer);
  return {
    number,
    typeCode: cdarTypeCode(inv),
    issueDate: inv.issueDate && /^\d{4}-\d{2}-\d{2}$/.test(inv.issueDate) ? inv.issueDate : undefined,
    sellerId: seller?.id,
    sellerScheme: seller?.scheme,
    sellerName: nonEmpty(inv.seller.name) ?? nonEmpty(inv.seller.tradingName),
    receivedAt,
    buyer: buyer ? { ...buyer, name: nonEmpty(inv.buyer.name) } : undefined,
  };
}

/**
 * The status chorus-flux gives an invoice it refuses: 501 (irrecevable) when a fatal finding is
 * a reception-level one (its rule maps to an IRR_* reason), else 213 (rejetée).
 */
export function cdarRejectionStatus(findings: readonly Finding[]): '213' | '501' {
  return findings.some((f) => f.severity === 'fatal' && naturalStatusFor(f.rule) === '501') ? '501' : '213';
}

/**
 * One reason per fatal finding (warnings too when no finding is fatal), with a code allowed for
 * `status`; for 501 only the reception-level findings. Identical code + text pairs are written once.
 */
export function cdarReasons(findings: readonly Finding[], status: CdarStatusCode): CdarReason[] {
  const fatal = findings.filter((f) => f.severity === 'fatal');
  let chosen = fatal.length > 0 ? fatal : [...findings];
  if (status === '501') chosen = chosen.filter((f) => naturalStatusFor(f.rule) === '501');
  const seen = new Set<string>();
  const out: CdarReason[] = [];
  for (const f of chosen) {
    const code = reasonCodeFor(f.rule, status);
    const text = `${f.rule} : ${f.message}`;
    const key = `${code}\u0000${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code, text });
  }
  return out;
}
