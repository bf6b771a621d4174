/**
 * The words of a PDF's pages as poppler reads them (`pdftotext -bbox`), an oracle that shares
 * no code with the renderer: their boxes, the lines they make, words drawn over one another.
 */
import { run } from './oracles';

export interface Word {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}
export interface Page {
  width: number;
  height: number;
  words: Word[];
}

/** Every word poppler reads, with its box (y from the top of the page), page by page. */
export function pagesOf(pdf: string): Page[] {
  const r = run('pdftotext', ['-bbox', pdf, '-']);
  if (r.status !== 0) throw new Error(`pdftotext failed on ${pdf}: ${r.stderr}`);
  const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return r.stdout.split('<page ').slice(1).map((p) => ({
    width: Number(/width="([\d.]+)"/.exec(p)?.[1]),
    height: Number(/height="([\d.]+)"/.exec(p)?.[1]),
    words: [...p.matchAll(/<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g)].map((m) => ({
      xMin: Number(m[1]),
      yMin: Number(m[2]),
      xMax: Number(m[3]),
      yMax: Number(m[4]),
      text: unxml(m[5]).normalize('NFC'),
    })),
  }));
}

/** Words whose boxes cross each other by more than a hair: one drawn over the other. */
export function overlaps(page: Page): string[] {
  const out: string[] = [];
  const w = page.words;
  for (let i = 0; i < w.length; i++) {
    for (let j = i + 1; j < w.length; j++) {
      const dx = Math.min(w[i].xMax, w[j].xMax) - Math.max(w[i].xMin, w[j].xMin);
      const dy = Math.min(w[i].yMax, w[j].yMax) - Math.max(w[i].yMin, w[j].yMin);
      if (dx > 0.5 && dy > 0.5) out.push(`${w[i].text} / ${w[j].text}`);
    }
  }
  return out;
}

/** Lines of words as poppler groups them (same baseline), left to right. */
export function lines(page: Page): string[][] {
  const by = new Map<number, Word[]>();
  for (const w of page.words) {
    const k = Math.round(w.yMax * 2);
    by.set(k, [...(by.get(k) ?? []), w]);
  }
  return [...by.keys()].sort((a, b) => a - b).map((k) => (by.get(k) as Word[]).sort((a, b) => a.xMin - b.xMin).map((w) => w.text));
}

/** How many times the amount's words come in a row on one line: "12 345 678 901,23" whole. */
export function occurrences(pages: Page[], amount: string): number {
  const want = amount.split(/[\s\u00a0]+/);
  let n = 0;
  for (const p of pages) {
    for (const l of lines(p)) {
      for (let i = 0; i + want.length <= l.length; i++) if (want.every((t, k) => l[i + k] === t)) n++;
    }
  }
  return n;
}


export const allText = (pages: Page[]) => pages.map((p) => lines(p).map((l) => l.join(' ')).join('\n')).join('\n');
