/**
 * The visible pages read back by poppler (`pdftotext -bbox`): values that stay in their
 * columns, blocks taller than a page that go on to the next one above the footer, one sign per
 * amount, words that say one thing once, and the embedded file that `pdfdetach -savefile`
 * finds by name.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Invoice, InvoiceLine } from '../../src/model/invoice';
import { frMoneySubtracted, isOne, paymentMeansText, vatCategoryLabel } from '../../src/transform/facturx/format-fr';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { run } from './oracles';
import { allText, lines, occurrences, overlaps, pagesOf, type Page } from './page-words';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-visible-'));
let base: Invoice;
beforeAll(async () => {
  const parsed = await parseFlux(readFileSync(PAPETERIE));
  if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
  base = parsed.invoices[0];
});

async function pdfOf(inv: Invoice, name: string): Promise<string> {
  const fx = await makeFacturX(inv);
  const file = path.join(dir, `${name}.pdf`);
  writeFileSync(file, fx.pdf);
  return file;
}

/** The footer: below its rule (50 pt from the bottom) only its own words, and every word inside the page. */
function checkFooter(pages: Page[]): void {
  pages.forEach((p, k) => {
    for (const w of p.words) {
      expect(w.xMin).toBeGreaterThanOrEqual(0);
      expect(w.xMax).toBeLessThanOrEqual(p.width);
      expect(w.yMin).toBeGreaterThanOrEqual(0);
      expect(w.yMax).toBeLessThanOrEqual(p.height);
    }
    const low = p.words.filter((w) => w.yMax > p.height - 50).map((w) => w.text);
    expect(low.join(' ')).toMatch(new RegExp(`^Factur-X EN 16931 — les données de cette facture sont jointes au format structuré \\(factur-x\\.xml\\)\\. Page ${k + 1} / ${pages.length}$`));
  });
}


function line(over: Partial<InvoiceLine>): InvoiceLine {
  return { ...base.lines[0], allowanceCharges: [], ...over, item: { ...base.lines[0].item, attributes: [], ...over.item }, price: { ...base.lines[0].price, ...over.price } };
}

describe('amounts too wide for their column', () => {
  it('keep to their own column, whole, in the lines and VAT tables and the amount due', async () => {
    const big = '12345678901.23';
    const inv: Invoice = {
      ...base,
      lines: [line({ id: '1', quantity: '1', netAmount: big, price: { net: big }, vat: { category: 'S', rate: '20' } })],
      allowanceCharges: [],
      vatBreakdown: [
        { category: 'S', rate: '20', taxableAmount: big, taxAmount: '2469135780.25' },
        { category: 'S', rate: '5.5', taxableAmount: '987654321098.77', taxAmount: '54320987660.43' },
      ],
      totals: { lineExtension: big, taxExclusive: big, taxTotal: '2469135780.25', taxInclusive: '14814814681.48', prepaid: '-985185185318.52', payable: '1000000000000.00' },
    };
    const pages = pagesOf(await pdfOf(inv, 'big'));
    for (const p of pages) expect(overlaps(p)).toEqual([]);
    // price and line amount, VAT base, the totals' HT and lines
    expect(occurrences(pages, '12 345 678 901,23')).toBe(5);
    expect(occurrences(pages, '987 654 321 098,77')).toBe(1);
    expect(occurrences(pages, '1 000 000 000 000,00 €')).toBe(1);
    expect(occurrences(pages, '20 %')).toBe(2);
    expect(occurrences(pages, '5,5 %')).toBe(1);
    expect(allText(pages)).toContain('NET À PAYER');
  });
});

describe('blocks taller than a page', () => {
  it('a seller with 70 identifiers goes on to the next page, above the footer', async () => {
    const identifiers = Array.from({ length: 70 }, (_, k) => ({ value: `ID-FOURNISSEUR-${k + 1}` }));
    const pages = pagesOf(await pdfOf({ ...base, seller: { ...base.seller, identifiers } }, 'ids70'));
    expect(pages.length).toBeGreaterThan(1);
    const text = allText(pages);
    for (let k = 1; k <= 70; k++) expect(text).toMatch(new RegExp(`Identifiant : ID-FOURNISSEUR-${k}\\b`));
    expect(text).toContain('VENDEUR (suite)');
    checkFooter(pages);
    for (const p of pages) expect(overlaps(p)).toEqual([]);
  });

  it('80 VAT rates go on to the next pages, the table header repeated, above the footer', async () => {
    const vatBreakdown = Array.from({ length: 80 }, (_, k) => ({ category: 'S', rate: `${1 + k * 0.25}`, taxableAmount: '100.00', taxAmount: `${(1 + k * 0.25).toFixed(2)}` }));
    const pages = pagesOf(await pdfOf({ ...base, vatBreakdown }, 'rates80'));
    expect(pages.length).toBeGreaterThan(1);
    const rows = pages.flatMap((p) => lines(p)).filter((l) => l.slice(0, 3).join(' ') === 'S Taux standard' && l[4] === '%');
    expect(rows.map((l) => l[3])).toEqual(vatBreakdown.map((v) => v.rate.replace('.', ',')));
    expect(pages.slice(1).filter((p) => lines(p).some((l) => l.join(' ') === 'Catégorie Taux Base HT TVA')).length).toBeGreaterThan(0);
    checkFooter(pages);
    for (const p of pages) expect(overlaps(p)).toEqual([]);
  });

  it('a line with 90 attributes goes on to the next page under the repeated header, above the footer', async () => {
    const attributes = Array.from({ length: 90 }, (_, k) => ({ name: `Attribut ${k + 1}`, value: `Valeur ${k + 1}` }));
    const lines0 = [line({ id: '1', item: { ...base.lines[0].item, name: 'Article à 90 attributs', attributes } }), line({ id: '2', item: { ...base.lines[0].item, name: 'Ligne suivante', attributes: [] } })];
    const pages = pagesOf(await pdfOf({ ...base, lines: lines0 }, 'attr90'));
    const text = allText(pages);
    for (let k = 1; k <= 90; k++) expect(text).toContain(`Attribut ${k} : Valeur ${k}\n`);
    expect(text.indexOf('Attribut 90 :')).toBeLessThan(text.indexOf('Ligne suivante'));
    checkFooter(pages);
    for (const p of pages) expect(overlaps(p)).toEqual([]);
  });
});

describe('a cell longer than a page', () => {
  it('a line id of 3000 characters is cut, marked […], above the footer (it ran over it)', async () => {
    const id = Array.from({ length: 300 }, (_, k) => `ID${String(k).padStart(7, '0')}`).join('');
    const pages = pagesOf(await pdfOf({ ...base, lines: [line({ id })] }, 'longid'));
    expect(allText(pages)).toContain('[…]');
    checkFooter(pages);
    for (const p of pages) expect(overlaps(p)).toEqual([]);
  });
});

describe('signs', () => {
  it('a negative allowance or amount paid shows one sign, that of its effect on the total', async () => {
    const inv: Invoice = {
      ...base,
      lines: [line({ id: '1', allowanceCharges: [{ isCharge: false, amount: '-2.00', reason: 'Remise négative' }] })],
      allowanceCharges: [{ isCharge: false, amount: '-3.00', reason: 'Remise négative doc', vatCategory: 'S', vatRate: '20' }],
      totals: { ...base.totals, allowanceTotal: '-3.00', prepaid: '-5.00' },
    };
    const text = allText(pagesOf(await pdfOf(inv, 'neg')));
    expect(text).not.toMatch(/[-+]{2}/);
    expect(text).toContain('Remise négative : +2,00 €');
    expect(text).toContain('Remise négative doc TVA S 20 % +3,00 €');
    expect(text).toContain('Remises +3,00 €');
    expect(text).toContain('Déjà payé +5,00 €');
  });

  it.each([
    ['3.00', '-3,00 €'],
    ['-3.00', '+3,00 €'],
    ['0.00', '0,00 €'],
    ['+1.5', '-1,50 €'],
    ['n/a', 'n/a €'],
  ])('an amount %s subtracted reads %s', (amount, shown) => {
    expect(frMoneySubtracted(amount, 'EUR')).toBe(shown.replace(/ /g, '\u00a0'));
  });
});

describe('the header', () => {
  it('keeps an 88-character invoice number on the page, whole', async () => {
    const number = `FACTURE-${'0123456789'.repeat(8)}`;
    const pages = pagesOf(await pdfOf({ ...base, number }, 'longnum'));
    const top = pages[0].words.filter((w) => w.yMax < 120);
    for (const w of top) {
      expect(w.xMin).toBeGreaterThanOrEqual(40);
      expect(w.xMax).toBeLessThanOrEqual(pages[0].width - 40 + 0.5);
    }
    expect(top.map((w) => w.text).join('')).toContain(number);
    expect(overlaps(pages[0])).toEqual([]);
  });
});

describe('words said once', () => {
  it.each([
    ['S', 'Taux standard'],
    ['E', 'Exonéré'],
  ])('VAT category %s is "%s", whatever its rate', (code, label) => expect(vatCategoryLabel(code)).toBe(label));

  it.each([
    ['30', 'Virement', 'Virement'],
    ['30', 'virement SEPA', 'virement SEPA'],
    ['30', 'Virements', 'Virements'],
    ['30', 'Paiement à 30 jours', 'Virement – Paiement à 30 jours'],
    ['30', 'Virementbis', 'Virement – Virementbis'],
    ['30', undefined, 'Virement'],
    [undefined, 'Espèces', 'Espèces'],
  ])('payment means %s with text %s reads "%s"', (code, text, shown) => expect(paymentMeansText(code, text)).toBe(shown));

  it.each([
    ['1', true],
    ['1.0000', true],
    ['01.0', true],
    ['10', false],
    ['1.5', false],
    ['0.1', false],
  ])('base quantity %s is one: %s', (q, one) => expect(isOne(q)).toBe(one));

  it('on the page: S rows by their rate, "Remise fidélité", "Virement", no price per 1,0000', async () => {
    const inv: Invoice = {
      ...base,
      lines: [line({ id: '1', price: { net: '10.00', baseQuantity: '1.0000' }, allowanceCharges: [{ isCharge: false, amount: '1.00', reason: 'Remise fidélité' }] })],
      allowanceCharges: [{ isCharge: false, amount: '1.00', reason: 'Remise exceptionnelle', vatCategory: 'S', vatRate: '5.5' }],
      vatBreakdown: [
        { category: 'S', rate: '20', taxableAmount: '9.00', taxAmount: '1.80' },
        { category: 'S', rate: '5.5', taxableAmount: '-1.00', taxAmount: '-0.06' },
      ],
      paymentMeans: base.paymentMeans.map((pm) => ({ ...pm, code: '30', text: 'Virement' })),
    };
    const text = allText(pagesOf(await pdfOf(inv, 'words')));
    expect(text).not.toContain('Taux normal');
    expect(text).toContain('S Taux standard 5,5 %');
    expect(text).toContain('Remise fidélité : -1,00 €');
    expect(text).not.toMatch(/Remise (–|[\d,]+ %)? ?Remise/);
    expect(text).toContain('Mode de paiement Virement');
    expect(text).not.toContain('Virement – Virement');
    expect(text).not.toContain('Prix pour');
  });
});

it('pdfdetach -savefile finds factur-x.xml by its name, as in the official samples', async () => {
  const pdf = await pdfOf(base, 'detach');
  const out = path.join(dir, 'detached.xml');
  const r = run('pdfdetach', ['-savefile', 'factur-x.xml', '-o', out, pdf]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(readFileSync(out, 'utf8')).toBe((await makeFacturX(base)).xml);
});

it('FACTURX.md says right-to-left scripts are not shaped, beside the glyphs the font lacks', () => {
  const doc = readFileSync(path.resolve(__dirname, '../../docs/FACTURX.md'), 'utf8');
  const row = doc.split('\n').find((l) => l.startsWith('| `src/transform/facturx/fonts.ts`')) ?? '';
  expect(row).toMatch(/right-to-left/);
  expect(row).toMatch(/Arabic/);
  expect(row).toMatch(/Hebrew/);
});
