/**
 * The active content of an inbound Factur-X's PDF that PDF/A-2 and -3 forbid (ISO 19005-2
 * §6.6.1, §6.6.2): JavaScript, Launch, ImportData… actions, and additional actions (/AA)
 * of the catalog, pages, annotations and form fields. A PDF holding them went through
 * without a word; the file is kept as sent (never stripped), so this only names what was
 * found, for warning FACTURX-ACTIONS. Walks the catalog (/OpenAction, /AA, /Names
 * /JavaScript), the page tree, each page's /AA and annotations, and the AcroForm fields —
 * no content stream is decoded. A hostile file (loops, nesting, millions of objects) is
 * bounded by a visit budget; a broken one gives what could be read before it broke.
 */
import { PDFArray, PDFDict, PDFName, type PDFDocument, type PDFObject } from 'pdf-lib';

/** Action types PDF/A-2 and -3 forbid (ISO 19005-2 §6.6.1). */
const FORBIDDEN_ACTIONS: ReadonlySet<string> = new Set([
  'JavaScript',
  'Launch',
  'ImportData',
  'ResetForm',
  'Sound',
  'Movie',
  'Hide',
  'SetOCGState',
  'Rendition',
  'Trans',
  'GoTo3DView',
]);

/** The named actions PDF/A-2 allows (§6.6.1); any other /Named is forbidden. */
const ALLOWED_NAMED: ReadonlySet<string> = new Set(['NextPage', 'PrevPage', 'FirstPage', 'LastPage']);

/** Dictionaries visited at most: more than any real invoice's pages, annotations and fields. */
const MAX_VISITS = 100_000;

/** Nesting bound of the page tree, the field tree and an action's /Next chain. */
const MAX_DEPTH = 64;

class Walk {
  readonly found: string[] = [];
  private readonly seen = new Set<PDFDict>();

  constructor(private readonly doc: PDFDocument) {}

  dict(o: PDFObject | undefined): PDFDict | undefined {
    const r = o === undefined ? undefined : this.doc.context.lookup(o);
    return r instanceof PDFDict ? r : undefined;
  }

  /** false when `d` was visited already or the budget is spent (a loop, a bomb of objects). */
  visit(d: PDFDict): boolean {
    if (this.seen.has(d) || this.seen.size >= MAX_VISITS) return false;
    this.seen.add(d);
    return true;
  }

  private readonly told = new Set<string>();

  /** `what`, once (a Set: 100,000 pages each with an /AA make as many findings). */
  note(what: string): void {
    if (this.told.has(what)) return;
    this.told.add(what);
    this.found.push(what);
  }

  /** The forbidden types of the action `o` and of its /Next chain, in order. */
  forbiddenIn(o: PDFObject | undefined, depth = 0, out: string[] = []): string[] {
    const action = this.dict(o);
    if (!action || depth > MAX_DEPTH || !this.visit(action)) return out;
    const s = action.lookup(PDFName.of('S'));
    const type = s instanceof PDFName ? s.decodeText() : undefined;
    if (type !== undefined && FORBIDDEN_ACTIONS.has(type) && !out.includes(type)) out.push(type);
    if (type === 'Named') {
      const n = action.lookup(PDFName.of('N'));
      const named = n instanceof PDFName ? n.decodeText() : '?';
      if (!ALLOWED_NAMED.has(named) && !out.includes(`named ${named}`)) out.push(`named ${named}`);
    }
    const next = action.lookup(PDFName.of('Next'));
    if (next instanceof PDFArray) for (const a of next.asArray()) this.forbiddenIn(a, depth + 1, out);
    else this.forbiddenIn(next, depth + 1, out);
    return out;
  }

  /** A forbidden action `o` (an /A, an /OpenAction) of `where`. */
  action(o: PDFObject | undefined, where: string): void {
    for (const type of this.forbiddenIn(o)) this.note(`${type === 'JavaScript' ? 'JavaScript' : `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type} action`} in ${where}`);
  }

  /** An /AA entry of `holder`, forbidden whatever it holds. */
  additional(holder: PDFDict, where: string): void {
    const aa = this.dict(holder.get(PDFName.of('AA')));
    if (aa === undefined) return;
    const types = new Set<string>();
    for (const [, a] of aa.entries()) for (const t of this.forbiddenIn(a)) types.add(t);
    this.note(`additional actions (/AA${types.size > 0 ? `: ${[...types].join(', ')}` : ''}) in ${where}`);
  }
}

function walkCatalog(w: Walk, catalog: PDFDict): void {
  // an /OpenAction array is a destination (a page to open at), no action
  w.action(catalog.get(PDFName.of('OpenAction')), "the document's OpenAction");
  w.additional(catalog, 'the document catalog');
  const names = w.dict(catalog.get(PDFName.of('Names')));
  if (names?.has(PDFName.of('JavaScript'))) w.note("JavaScript in the document's name tree");
}

/** The page tree, its leaves numbered in order: each page's /AA, its annotations' /A and /AA. */
function walkPages(w: Walk, node: PDFObject | undefined, depth: number, page = { n: 0 }): void {
  const d = w.dict(node);
  if (!d || depth > MAX_DEPTH || !w.visit(d)) return;
  const kids = d.lookup(PDFName.of('Kids'));
  if (kids instanceof PDFArray) {
    for (const k of kids.asArray()) walkPages(w, k, depth + 1, page);
    return;
  }
  const where = `page ${++page.n}`;
  w.additional(d, where);
  const annots = d.lookup(PDFName.of('Annots'));
  if (!(annots instanceof PDFArray)) return;
  for (const o of annots.asArray()) {
    const annot = w.dict(o);
    if (!annot || !w.visit(annot)) continue;
    w.action(annot.get(PDFName.of('A')), `an annotation on ${where}`);
    w.additional(annot, `an annotation on ${where}`);
  }
}

/**
 * The AcroForm's fields and their kids: /A and /AA. A field merged with its widget was met
 * as an annotation already, and is not told twice.
 */
function walkFields(w: Walk, fields: PDFObject | undefined, depth: number): void {
  if (!(fields instanceof PDFArray) || depth > MAX_DEPTH) return;
  for (const o of fields.asArray()) {
    const field = w.dict(o);
    if (!field || !w.visit(field)) continue;
    w.action(field.get(PDFName.of('A')), 'a form field');
    w.additional(field, 'a form field');
    walkFields(w, field.lookup(PDFName.of('Kids')), depth + 1);
  }
}

/**
 * What `doc` holds that PDF/A-3 forbids, in words ("JavaScript in the document's OpenAction",
 * "a Launch action in an annotation on page 1"), each once, in the order met; empty for a
 * clean PDF. Never throws: a broken structure ends the walk with what was found before it.
 */
export function forbiddenActions(doc: PDFDocument): string[] {
  const w = new Walk(doc);
  try {
    const catalog = doc.catalog;
    walkCatalog(w, catalog);
    walkPages(w, catalog.get(PDFName.of('Pages')), 0);
    const form = w.dict(catalog.get(PDFName.of('AcroForm')));
    if (form) walkFields(w, form.lookup(PDFName.of('Fields')), 0);
  } catch {
    // what was found before the broken part stands
  }
  return w.found;
}
