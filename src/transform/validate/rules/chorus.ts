/**
 * Chorus Pro rules (CPRO-*), DESIGN.md §5: SIRET format and key, routing, code service and
 * engagement number when the recipient requires them, the V2_02 pivot's length limits,
 * amounts the pivot can carry, and the attachment limits.
 */
import limits from '../../../../schemas/chorus-attachments.json';
import { findRecipientIn } from '../../chorus/routing';
import { checkSiret, partySiret } from '../../chorus/siret';
import { fractionDigits, isDecimal } from '../../../model/decimal';
import type { Invoice } from '../../../model/invoice';
import { pathOf } from '../paths';
import { contentMime, looksLikePdf } from '../../enrich/mime-sniff';
import { reachesEof } from '../../facturx/pdf-end';
import { needsPassword } from '../../enrich/pdf-password';
import { originalName } from '../../enrich/attachment-names';
import { namedCadre } from '../../chorus/cadre';
import { engagementNumber, isEngagementPlaceholder } from '../../chorus/engagement';
import { xmlTrim } from '../../../xml/xml-space';
import { CODES } from '../codelists';
import { pivotAmount, pivotUnitPrice } from '../../chorus/pivot-amount';
import { once, type Rule, type RuleContext, type Violation } from '../rule';

const ALLOWED_EXT = new Set(limits.allowedExtensions);

function p(ctx: RuleContext, bt: string, index?: number): string | undefined {
  return pathOf(bt, ctx.invoice.syntax, index, ctx.invoice.documentKind);
}

function recipientOf(ctx: RuleContext) {
  return ctx.chorus ? findRecipientIn(ctx.chorus.recipients, partySiret(ctx.invoice.buyer)) : undefined;
}

function isFrenchSeller(inv: Invoice): boolean {
  const c = inv.seller.address?.countryCode?.trim();
  return c === undefined || c === '' || c === 'FR';
}

/** Attachments the supplier sent (not those chorus-flux adds). */
function supplied(inv: Invoice): { a: Invoice['attachments'][number]; k: number }[] {
  const out: { a: Invoice['attachments'][number]; k: number }[] = [];
  const all = inv.attachments;
  for (let k = 0; k < all.length; k++) {
    const a = all[k];
    if (a.content !== undefined || a.contentError !== undefined || a.uri !== undefined) out.push({ a, k });
  }
  return out;
}

/**
 * Why an attachment's bytes are no file a finance system can open: not decoded (bad base64,
 * empty), a PDF cut short — without %%EOF within its last KB, where readers look for it (the
 * inbound Factur-X is refused so, FLUX-PDF) —, or a PDF locked by a user password: an E2's
 * invoice PDF half transferred, or that only its supplier can open, went out as the invoice document.
 */
function contentDefect(a: Invoice['attachments'][number]): string | undefined {
  if (a.contentError !== undefined) return a.contentError;
  const c = a.content;
  if (c === undefined || !looksLikePdf(Buffer.from(c.buffer, c.byteOffset, Math.min(c.length, 1024)).toString('latin1'))) return undefined;
  if (!reachesEof(c)) return 'the PDF is cut short: it does not end with %%EOF, the end mark of a whole PDF (cut during the transfer?); send the whole file again';
  // an owner password alone (printing, copying forbidden) opens in every viewer: not refused
  if (needsPassword(c)) return 'the PDF is protected by a password: nobody can open it without it; send it without the password';
  return undefined;
}

function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i + 1).toUpperCase();
}

/**
 * An attachment's name as a reason shows it: as NomPJOrigine carries it (controls out, at most
 * 50, its middle cut): a 5000-character name filled the 300 characters of the status flow's
 * reason, and the partner never read what was wrong with the attachment.
 */
const shownName = (a: { fileName?: string; id?: string }): string => originalName(a.fileName ?? a.id ?? 'unnamed') || 'unnamed';

/**
 * A value the pivot carries, and the name a finding gives it: `element` alone at the invoice
 * level, `TVA[2]/BaseHt (BT-116)` in a group (made by pivotName only for a finding).
 */
type PivotValue = { element: string; group?: 'TVA' | 'Ligne'; n?: number; value: string | undefined; path: string; index?: number };

const pivotName = (x: PivotValue): string => (x.group === undefined ? x.element : `${x.group}[${x.n}]/${x.element}`);

/** Amounts the pivot carries, as it writes them: "19 positions, at most 6 decimals" (Chorus Pro external specifications). */
function pivotAmounts(inv: Invoice): PivotValue[] {
  const out: PivotValue[] = [
    { element: 'MontantHT (BT-109)', value: pivotAmount(inv.totals.taxExclusive), path: 'BG-22' },
    { element: 'MontantTTC (BT-112)', value: pivotAmount(inv.totals.taxInclusive), path: 'BG-22' },
    { element: 'MontantNetAPayer (BT-115)', value: pivotAmount(inv.totals.payable), path: 'BG-22' },
  ];
  // loops, not forEach callbacks made per invoice (docs/PERFORMANCE.md, thirty-first round)
  for (let k = 0; k < inv.vatBreakdown.length; k++) {
    const v = inv.vatBreakdown[k];
    out.push({ element: 'BaseHt (BT-116)', group: 'TVA', n: k + 1, value: pivotAmount(v.taxableAmount), path: 'BG-22' });
    out.push({ element: 'MontantTVA (BT-117)', group: 'TVA', n: k + 1, value: pivotAmount(v.taxAmount), path: 'BG-22' });
  }
  for (let k = 0; k < inv.lines.length; k++) {
    const l = inv.lines[k];
    out.push({ element: 'MontantHT (BT-131)', group: 'Ligne', n: k + 1, value: pivotAmount(l.netAmount), path: 'BG-25', index: k + 1 });
    out.push({ element: 'PrixUnitaire (BT-146)', group: 'Ligne', n: k + 1, value: pivotUnitPrice(l), path: 'BG-25', index: k + 1 });
  }
  return out;
}

/** Quantities and rates the pivot carries, as sent (Factur-X carries the same values). */
function pivotNumbers(inv: Invoice): PivotValue[] {
  const out: PivotValue[] = inv.vatBreakdown.map((v, k): PivotValue => ({ element: 'Taux (BT-119)', group: 'TVA', n: k + 1, value: v.rate, path: 'BG-22' }));
  for (let k = 0; k < inv.lines.length; k++) {
    const l = inv.lines[k];
    out.push({ element: 'Quantite (BT-129)', group: 'Ligne', n: k + 1, value: l.quantity, path: 'BG-25', index: k + 1 });
    out.push({ element: 'TauxTVA (BT-152)', group: 'Ligne', n: k + 1, value: l.vat.rate, path: 'BG-25', index: k + 1 });
  }
  return out;
}

/**
 * The digits an xs:decimal validator reads: the integer part without its leading zeros, and
 * every decimal, trailing zeros too ("20.000…0" with 23 zeros has 25; xmllint takes at most 24).
 */
function significantDigits(v: string): number {
  const [int, frac = ''] = xmlTrim(v).replace(/^[+-]/, '').split('.');
  return int.replace(/^0+/, '').length + frac.length;
}

/** CPRO-NOMBRE-FORMAT's test (made once: docs/PERFORMANCE.md, thirty-first round) */
const tooManyDigits = (n: PivotValue) => n.value !== undefined && isDecimal(n.value) && significantDigits(n.value) > 19;

const maxLen = (id: string, bt: string, label: string, max: number, get: (i: Invoice) => string | undefined): Rule => ({
  id,
  severity: 'fatal',
  profile: 'chorus',
  appliesTo: 'invoice',
  // the length before the value: a value of hundreds of characters pushed it past the 300 a flow's reason keeps
  message: `${label} is at most ${max} characters in the CPPFacturePivot V2_02; it has {length}: "{value}".`,
  check: (ctx) => {
    const v = get(ctx.invoice);
    // characters, not UTF-16 units; only a value longer in units can be too long in characters
    const length = v === undefined || v.length <= max ? 0 : [...v].length;
    return once(length <= max, p(ctx, bt), { value: v, length });
  },
});

/** The official country list of each syntax (BR-CL-14); a deposited pivot may hold either's. */
const COUNTRIES: Record<Invoice['syntax'], ReadonlySet<string>> = {
  UBL: CODES.countryUbl,
  CII: CODES.countryCii,
  PIVOT: new Set([...CODES.countryUbl, ...CODES.countryCii]),
};

export const CHORUS_RULES: Rule[] = [
  {
    id: 'CPRO-SIRET-FOURNISSEUR',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'seller (French)',
    message: 'A French supplier is identified by its SIRET: give BT-30 (or BT-29) with schemeID 0009, 14 digits.',
    check: (ctx) => once(!isFrenchSeller(ctx.invoice) || ctx.invoice.chorus.supplierIdType !== undefined && ctx.invoice.chorus.supplierIdType !== '1' || partySiret(ctx.invoice.seller) !== undefined, p(ctx, 'BT-30')),
  },
  {
    id: 'CPRO-SIRET-FORMAT',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'seller and buyer SIRET',
    message: 'The {who} SIRET {reason}: a SIRET is 14 digits with a valid key.',
    check: (ctx) => {
      const out: Violation[] = [];
      for (const [who, party, bt] of [['supplier', ctx.invoice.seller, 'BT-30'], ['buyer', ctx.invoice.buyer, 'BT-47']] as const) {
        const s = partySiret(party);
        if (s === undefined) continue;
        const c = checkSiret(s);
        if (!c.ok) out.push({ path: p(ctx, bt), values: { who, reason: c.reason } });
      }
      return out;
    },
  },
  {
    id: 'CPRO-DESTINATAIRE-SIRET',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'buyer',
    message: "The public buyer is routed by its SIRET: give BT-47 (or BT-46 / BT-49) with schemeID 0009.",
    check: (ctx) => once(partySiret(ctx.invoice.buyer) !== undefined, p(ctx, 'BT-47')),
  },
  {
    id: 'CPRO-DESTINATAIRE-INCONNU',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'buyer',
    message: 'The buyer SIRET {siret} is not in the routing table: no finance system is known for this recipient.',
    check: (ctx) => {
      const siret = partySiret(ctx.invoice.buyer);
      if (siret === undefined || !checkSiret(siret).ok) return undefined;
      return once(recipientOf(ctx) !== undefined, p(ctx, 'BT-47'), { siret });
    },
  },
  {
    id: 'CPRO-CODE-SERVICE',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'buyer reference (code service)',
    message: 'The recipient {recipient} requires a code service in BT-10 (Buyer reference); none is given.',
    check: (ctx) => {
      const r = recipientOf(ctx);
      if (!r?.requiresCodeService) return undefined;
      return once((ctx.invoice.buyerReference ?? '').trim() !== '', p(ctx, 'BT-10'), { recipient: r.name ?? r.siret });
    },
  },
  {
    id: 'CPRO-CODE-SERVICE-INCONNU',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'buyer reference (code service)',
    message: 'The code service "{code}" is not one of the recipient {recipient}\'s code services ({known}).',
    check: (ctx) => {
      const r = recipientOf(ctx);
      const code = ctx.invoice.buyerReference?.trim();
      if (!r || !code || r.codeServices.length === 0) return undefined;
      return once(r.codeServices.some((c) => c.code === code), p(ctx, 'BT-10'), () => ({
        code,
        recipient: r.name ?? r.siret,
        known: r.codeServices.map((c) => c.code).slice(0, 10).join(', '),
      }));
    },
  },
  {
    id: 'CPRO-ENGAGEMENT',
    severity: 'fatal',
    profile: 'chorus',
    suspendable: true,
    appliesTo: 'purchase order reference (numéro d\'engagement)',
    message: "The recipient {recipient} requires an engagement number in BT-13 (Purchase order reference); none is given{placeholder}. The supplier can complete the invoice.",
    check: (ctx) => {
      const r = recipientOf(ctx);
      if (!r?.requiresEngagement) return undefined;
      const placeholder = () => (isEngagementPlaceholder(ctx.invoice) ? ` ("${xmlTrim(ctx.invoice.orderReference ?? '')}" in OrderReference/ID is UBL's placeholder for no purchase order)` : '');
      return once((engagementNumber(ctx.invoice) ?? '').trim() !== '', p(ctx, 'BT-13'), () => ({ recipient: r.name ?? r.siret, placeholder: placeholder() }));
    },
  },
  {
    id: 'CPRO-PJ-REQUISE',
    severity: 'fatal',
    profile: 'chorus',
    suspendable: true,
    appliesTo: 'attachments',
    message: 'The recipient {recipient} requires a complementary attachment (BG-24); none is given. The supplier can complete the invoice.',
    check: (ctx) => {
      const r = recipientOf(ctx);
      if (!r?.requiredAttachment) return undefined;
      const has = ctx.invoice.attachments.some((a) => !a.isInvoiceDocument && (a.content !== undefined || a.uri !== undefined) && a.pivot?.categoriePJ !== 'DUPLICATA_FACTUR-X');
      return once(has, p(ctx, 'BG-24'), { recipient: r.name ?? r.siret });
    },
  },
  maxLen('CPRO-LONGUEUR-NUMERO', 'BT-1', 'The invoice number (BT-1, DonneesFacture/Id)', 20, (i) => i.number),
  maxLen('CPRO-LONGUEUR-FACTURE-ORIGINE', 'BT-25', 'The preceding invoice number (BT-25, IdFactureOrigine)', 20, (i) => i.precedingInvoices[0]?.number),
  maxLen('CPRO-LONGUEUR-MARCHE', 'BT-12', 'The contract reference (BT-12, NumeroMarche)', 50, (i) => i.contractReference),
  maxLen('CPRO-LONGUEUR-ENGAGEMENT', 'BT-13', 'The purchase order reference (BT-13, NumeroEngagement)', 50, (i) => i.orderReference),
  maxLen('CPRO-LONGUEUR-CODE-SERVICE', 'BT-10', 'The code service (BT-10, CodeService)', 100, (i) => i.buyerReference?.trim()),
  {
    id: 'CPRO-PAYS',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'seller',
    message: 'The seller country code (BT-40, Fournisseur/CodePays, two characters in the pivot) must be an ISO 3166-1 code of the EN 16931 list; found "{value}".',
    check: (ctx) => {
      // XML's white space only: "FR" and a no-break space is what CodePays would carry (length 3)
      const v = ctx.invoice.seller.address?.countryCode === undefined ? undefined : xmlTrim(ctx.invoice.seller.address.countryCode);
      // the official list (as the schematron's BR-CL-14 has it), "1A" Kosovo included: two characters, not always letters
      return once(v !== undefined && v.length === 2 && COUNTRIES[ctx.invoice.syntax].has(v), p(ctx, 'BT-40'), { value: v ?? '' });
    },
  },
  {
    id: 'CPRO-MONTANT-FORMAT',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'amounts carried by the pivot',
    message: '{name} = "{value}": the pivot takes amounts of at most 19 digits with at most 6 decimals.',
    check: (ctx) => {
      const out: Violation[] = [];
      for (const a of pivotAmounts(ctx.invoice)) {
        if (a.value === undefined || !isDecimal(a.value)) continue;
        const digits = a.value.replace(/[^0-9]/g, '').replace(/^0+(?=\d)/, '');
        if (fractionDigits(a.value) > 6 || digits.length > 19) out.push({ path: p(ctx, a.path, a.index) ?? p(ctx, 'BG-22'), values: { name: pivotName(a), value: a.value } });
      }
      return out;
    },
  },
  {
    id: 'CPRO-NOMBRE-FORMAT',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'quantities and VAT rates carried by the pivot',
    // they had no limit: a quantity printed with 30 decimals ("1.000…0", a float's expansion)
    // made a pivot that fails its XSD (xmllint reads no xs:decimal of more than 24 digits)
    message: '{name} = "{value}" has {digits} digits: the pivot takes numbers of at most 19 digits, as its amounts.',
    check: (ctx) =>
      pivotNumbers(ctx.invoice)
        .filter(tooManyDigits)
        .map((n) => ({ path: p(ctx, n.path, n.index) ?? p(ctx, 'BG-22'), values: { name: pivotName(n), value: n.value, digits: significantDigits(n.value as string) } })),
  },
  {
    id: 'CPRO-PJ-CONTENU',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'each embedded attachment: its base64, and a PDF that does not reach its %%EOF (cut short) or that a user password locks',
    message: 'Attachment {n} ({name}): {reason}.',
    check: (ctx) =>
      supplied(ctx.invoice).flatMap(({ a, k }) => {
        const reason = contentDefect(a);
        return reason === undefined ? [] : [{ path: p(ctx, 'BG-24', k + 1), values: { n: k + 1, name: shownName(a), reason } }];
      }),
  },
  {
    id: 'CPRO-PJ-EXTENSION',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'each embedded attachment',
    // the whole list: the partner who reads it has no copy of ours (274 characters with a 50-character name)
    message: `Attachment {n} "{name}": the extension "{ext}" is not allowed by Chorus Pro; allowed: ${[...limits.allowedExtensions].map((x) => x.toLowerCase()).join(' ')}.`,
    check: (ctx) =>
      supplied(ctx.invoice)
        .filter(({ a }) => a.content !== undefined && a.fileName !== undefined && !ALLOWED_EXT.has(extensionOf(a.fileName)))
        .map(({ a, k }) => ({ path: p(ctx, 'BG-24', k + 1), values: { n: k + 1, name: shownName(a), ext: extensionOf(a.fileName ?? '') || '(none)' } })),
  },
  {
    id: 'CPRO-PJ-MIME',
    severity: 'warning',
    profile: 'chorus',
    appliesTo: 'each embedded attachment (not a deposited pivot\'s, kept as it came)',
    message: 'Attachment {n} "{name}" is declared {declared} but its content is {actual}; the pivot says {actual} (MimeTypePJ, and the extension of NomPJ).',
    check: (ctx) =>
      supplied(ctx.invoice)
        .filter(({ a }) => a.pivot?.typePJ === undefined && a.content !== undefined && a.mimeCode?.trim())
        .flatMap(({ a, k }) => {
          const known = contentMime(a.content, a.mimeCode);
          const actual = known.mime as string;
          if (!known.contradicted) return [];
          return [{ path: p(ctx, 'BG-24', k + 1), values: { n: k + 1, name: shownName(a), declared: (a.mimeCode as string).trim().slice(0, 80), actual } }];
        }),
  },
  {
    id: 'CPRO-PJ-LIGNE',
    severity: 'warning',
    profile: 'chorus',
    appliesTo: 'each invoice line',
    // EN 16931 has supporting documents (BG-24) at document level only; the official UBL rules
    // warn (UBL-CR-544), the CII ones do not: such a document was lost without a word
    // what to do before the document's name (up to 200 characters): past 300 the flow's reason is cut
    message: 'Invoice line {line} has a document attached to it, which neither the pivot nor the Factur-X carries (EN 16931 has none at line level): send it as a supporting document of the invoice (BG-24). The document: {name}.',
    check: (ctx) => {
      const out: Violation[] = [];
      const lines = ctx.invoice.lines;
      for (let k = 0; k < lines.length; k++) {
        const l = lines[k];
        for (const d of l.documents ?? []) out.push({ path: p(ctx, 'BG-25', k + 1), values: { line: l.id ?? k + 1, name: [d.id, d.fileName, d.uri].filter((x) => x !== undefined && x.trim() !== '').join(' – ').slice(0, 200) || 'no name' } });
      }
      return out;
    },
  },
  {
    id: 'CPRO-PJ-TAILLE',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'each embedded attachment',
    message: 'Attachment {n} "{name}" is {size} bytes; each attachment must be under {max} bytes.',
    check: (ctx) => {
      const max = ctx.chorus?.limits.maxAttachmentBytes ?? 10485759;
      return supplied(ctx.invoice)
        .filter(({ a }) => (a.content?.length ?? 0) > max)
        .map(({ a, k }) => ({ path: p(ctx, 'BG-24', k + 1), values: { n: k + 1, name: shownName(a), size: a.content?.length, max: max + 1 } }));
    },
  },
  {
    id: 'CPRO-PJ-TOTAL',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'attachments',
    message: 'The attachments total {size} bytes; an invoice with its attachments is at most {max} bytes.',
    check: (ctx) => {
      const max = ctx.chorus?.limits.maxInvoiceBytes ?? 125829120;
      const size = ctx.invoice.attachments.reduce((s, a) => s + (a.content?.length ?? 0), 0);
      return once(size <= max, p(ctx, 'BG-24'), { size, max });
    },
  },
  {
    id: 'CPRO-PJ-FACTURE-ABSENTE',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'a deposited pivot\'s invoice without lines',
    // a UBL or CII invoice has lines (BR-16), or its XML is the invoice document; a pivot's may
    // have none (AIFE's facture-pivot.xml): then its PJ 01 is the invoice, and without it the
    // finance system got the totals alone
    message: 'The invoice has neither lines nor its invoice document (a PJ with TypePJ 01 and its Contenu or IdUnique): the finance system would receive its totals alone. Send the invoice PDF as TypePJ 01.',
    check: (ctx) => {
      const inv = ctx.invoice;
      if (inv.syntax !== 'PIVOT') return undefined;
      const document = inv.attachments.some((a) => a.isInvoiceDocument && (a.content !== undefined || a.contentError !== undefined || (a.pivot?.idUnique ?? '').trim() !== ''));
      return once(inv.lines.length > 0 || document, p(ctx, 'BG-24'));
    },
  },
  {
    id: 'CPRO-CADRE',
    severity: 'warning',
    profile: 'chorus',
    syntaxes: ['UBL', 'CII'],
    appliesTo: 'invoice (a deposited pivot\'s Cadre is checked by CPRO-PIVOT-CODE)',
    message: 'BT-23 "{value}" names no cadre de facturation of the pivot (A1 … A25 but A11, alone or ending a URN as ":A5"): the invoice goes out with Cadre A1, the default, and is not a works invoice.',
    check: (ctx) => {
      const v = ctx.invoice.profileId?.trim();
      return once(!v || namedCadre(v) !== undefined, p(ctx, 'BT-23'), { value: v?.slice(0, 100) });
    },
  },
  {
    // BG-3 is 0..n in EN 16931 (a credit note for several invoices); the pivot has one
    // IdFactureOrigine and CII D16B one InvoiceReferencedDocument: the others went nowhere, unsaid
    id: 'CPRO-FACTURE-ORIGINE-UNIQUE',
    severity: 'warning',
    profile: 'chorus',
    appliesTo: 'invoice',
    // what becomes of the others before their list, which may run past the 300 characters a flow's reason keeps
    message: 'BT-25: {count} preceding invoices are referenced; the pivot (IdFactureOrigine) and the XML of its Factur-X carry one, the first, "{first}"; the others are only on the Factur-X pages, as text: {others}.',
    check: (ctx) => {
      const refs = ctx.invoice.precedingInvoices.map((r) => r.number?.trim() ?? '').filter((n) => n !== '');
      return once(refs.length <= 1, () => p(ctx, 'BT-25', 2), () => ({ count: refs.length, first: refs[0], others: refs.slice(1).map((n) => `"${n}"`).join(', ') }));
    },
  },
  {
    id: 'CPRO-PJ-NOM',
    severity: 'warning',
    profile: 'chorus',
    appliesTo: 'each embedded attachment',
    // the name last: a file name of 255 bytes hid what is wrong with it past the 300 characters a flow's reason keeps
    message: 'Attachment {n}: the name is longer than 50 characters; it is shortened in the pivot (its middle cut, its start, end and extension kept): "{name}".',
    check: (ctx) =>
      supplied(ctx.invoice)
        .filter(({ a }) => a.fileName !== undefined && [...a.fileName].length > limits.maxNameLength)
        .map(({ a, k }) => ({ path: p(ctx, 'BG-24', k + 1), values: { n: k + 1, name: a.fileName } })),
  },
];
