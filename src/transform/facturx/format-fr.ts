/**
 * French presentation of the model's values for the visible invoice: amounts from their
 * decimal strings (never through a binary float), dates, codes turned into words.
 */
import { isIban } from './cii-values';

const NBSP = '\u00a0';

/**
 * "1234.5" → "1 234,50": at least 2 decimals, more when they are not zeros ("12.345" →
 * "12,345"; a pivot's "3245.000000" → "3 245,00", as the CII writes it). A zero has no sign
 * ("-0.00" → "0,00", as the CII writes it). Non-decimals are kept.
 */
export function frAmount(s: string | undefined, minDecimals = 2): string {
  if (s === undefined) return '';
  const t = s.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return t;
  const sign = m[1] === '-' && /[1-9]/.test(t) ? '-' : '';
  const int = (m[2] || '0').replace(/^0+(?=\d)/, '');
  let frac = m[3] ?? '';
  // an amount's zeros past its cents say nothing: dropped (a quantity or rate stays as written)
  if (minDecimals > 0) frac = frac.replace(/0+$/, '');
  while (frac.length < minDecimals) frac += '0';
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return `${sign}${grouped}${frac ? `,${frac}` : ''}`;
}

/** Quantities and rates: as written, decimal comma, no padding. */
export function frNumber(s: string | undefined): string {
  return frAmount(s, 0);
}

const SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£', CHF: 'CHF', JPY: '¥' };

export function frMoney(s: string | undefined, currency: string | undefined): string {
  if (s === undefined) return '';
  const c = (currency ?? '').trim();
  return `${frAmount(s)}${NBSP}${SYMBOLS[c] ?? c}`.trim();
}

/**
 * An amount the total subtracts (an allowance, the amount already paid), with the one sign
 * of its effect: "3.00" → "-3,00 €"; a negative one adds, "-3.00" → "+3,00 €"; zero unsigned.
 */
export function frMoneySubtracted(s: string | undefined, currency: string | undefined): string {
  const t = (s ?? '').trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return frMoney(s, currency); // not a decimal: as written
  const sign = !/[1-9]/.test(t) ? '' : t.startsWith('-') ? '+' : '-';
  return `${sign}${frMoney(t.replace(/^[+-]/, ''), currency)}`;
}

/** True for a decimal equal to 1 ("1", "1.0000"): a price per one unit says nothing more. */
export function isOne(s: string | undefined): boolean {
  return /^\+?0*1(\.0*)?$/.test((s ?? '').trim());
}

/** ISO date → DD/MM/YYYY; other strings are kept. */
export function frDate(d: string | undefined): string {
  if (d === undefined) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d.trim());
  return m ? `${m[3]}/${m[2]}/${m[1]}` : d;
}

/**
 * UNTDID 1001 → the document's title: every type of the French list (380, 389, 393, 501, 386,
 * 500, 384, 471–473, 261, 262, 381, 396, 502, 503) by its name, so that a self-billed one says
 * so (the mention "Autofacturation" is a legal one, CGI art. 242 nonies A), and a factored one
 * too; other codes are an invoice or a credit note.
 */
export function documentTitle(typeCode: string | undefined, creditNote: boolean): string {
  const c = (typeCode ?? '').trim();
  const titles: Record<string, string> = {
    '380': 'FACTURE',
    '389': 'AUTOFACTURE',
    '393': 'FACTURE (AFFACTURAGE)',
    '501': 'AUTOFACTURE (AFFACTURAGE)',
    '386': "FACTURE D'ACOMPTE",
    '500': "AUTOFACTURE D'ACOMPTE",
    '384': 'FACTURE RECTIFICATIVE',
    '471': 'FACTURE RECTIFICATIVE (AUTOFACTURATION)',
    '472': 'FACTURE RECTIFICATIVE (AFFACTURAGE)',
    '473': 'FACTURE RECTIFICATIVE (AUTOFACTURATION, AFFACTURAGE)',
    '261': 'AVOIR (AUTOFACTURATION)',
    '262': 'AVOIR (REMISE GLOBALE)',
    '381': 'AVOIR',
    '396': 'AVOIR (AFFACTURAGE)',
    '502': 'AVOIR (AUTOFACTURATION, AFFACTURAGE)',
    '503': "AVOIR SUR FACTURE D'ACOMPTE",
    '326': 'FACTURE PARTIELLE',
  };
  return titles[c] ?? (creditNote ? 'AVOIR' : 'FACTURE');
}

/** UNTDID 4461 → label. */
export function paymentMeansLabel(code: string | undefined): string | undefined {
  const labels: Record<string, string> = {
    '1': 'Non défini',
    '10': 'Espèces',
    '20': 'Chèque',
    '30': 'Virement',
    '31': 'Virement',
    '42': 'Virement sur compte bancaire',
    '48': 'Carte bancaire',
    '49': 'Prélèvement',
    '57': 'Ordre permanent',
    '58': 'Virement SEPA',
    '59': 'Prélèvement SEPA',
    '97': 'Compensation',
  };
  const c = (code ?? '').trim();
  return c === '' ? undefined : labels[c] ?? `Code ${c}`;
}

/**
 * VAT category code (UNCL 5305) → label. S is every taxed rate (20 %, 10 %, 5,5 %, 2,1 %…),
 * its rate shown beside it: "taux normal" would name the 20 % rate only.
 */
export function vatCategoryLabel(code: string | undefined): string {
  const labels: Record<string, string> = {
    S: 'Taux standard',
    Z: 'Taux zéro',
    E: 'Exonéré',
    AE: 'Autoliquidation',
    K: 'Livraison intracommunautaire',
    G: 'Exportation hors UE',
    O: 'Hors champ de la TVA',
    L: 'IGIC (Canaries)',
    M: 'IPSI (Ceuta et Melilla)',
  };
  const c = (code ?? '').trim();
  return labels[c] ?? c;
}

/**
 * BT-8 VAT point date code → what the VAT is due at: UBL's UNTDID 2005 codes (3, 35, 432) and
 * CII's UNTDID 2475 codes (5, 29, 72) name the same three dates; another code is kept.
 */
export function vatPointDateLabel(code: string | undefined): string | undefined {
  const c = (code ?? '').trim();
  const labels: Record<string, string> = {
    '3': 'à la date de facture',
    '5': 'à la date de facture',
    '35': 'à la livraison',
    '29': 'à la livraison',
    '432': 'au paiement',
    '72': 'au paiement',
  };
  return c === '' ? undefined : labels[c] ?? `code ${c}`;
}

/** Whether `text` begins with `word` (any case, plural "s" allowed), as a whole word. */
export function startsWithWord(text: string, word: string): boolean {
  const t = text.trim().toLocaleLowerCase('fr');
  const w = word.trim().toLocaleLowerCase('fr');
  if (w === '' || !t.startsWith(w)) return false;
  const rest = t.slice(w.length).replace(/^s/, '');
  return rest === '' || !/^[\p{L}\p{N}]/u.test(rest);
}

/** Payment means label and text, the text alone when it starts with the label ("Virement", "Virement SEPA"). */
export function paymentMeansText(code: string | undefined, text: string | undefined): string {
  const label = paymentMeansLabel(code);
  const t = (text ?? '').trim();
  if (label === undefined || t === '') return label ?? t;
  return startsWithWord(t, label) ? t : `${label} – ${t}`;
}

/** Common UN/ECE rec 20 unit codes → short French label; others are shown as the code. */
export function unitLabel(code: string | undefined): string {
  const labels: Record<string, string> = {
    C62: 'u.',
    H87: 'pièce',
    EA: 'u.',
    XPP: 'u.',
    HUR: 'h',
    DAY: 'jour',
    MON: 'mois',
    ANN: 'an',
    KGM: 'kg',
    GRM: 'g',
    TNE: 't',
    MTR: 'm',
    KMT: 'km',
    MTK: 'm²',
    MTQ: 'm³',
    LTR: 'l',
    KWH: 'kWh',
    LS: 'forfait',
    SET: 'lot',
    PR: 'paire',
  };
  const c = (code ?? '').trim();
  return labels[c] ?? c;
}

/** IBAN (as the CII tells one, cii-values.ts) in groups of four for reading; other account ids are kept. */
export function readableAccount(id: string | undefined): string {
  if (id === undefined) return '';
  return isIban(id) ? id.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ') : id;
}
