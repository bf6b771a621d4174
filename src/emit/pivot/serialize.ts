/**
 * CPPFacturePivot V2_02 XML writer, driven by the mapping tree. Pure: a PivotFlow in, the XML
 * text out — written directly, the bytes xmlbuilder2's DOM and pretty printer wrote before, in a
 * third of the time and without the DOM's garbage (`test/foundation/pivot-serialize.test.ts`
 * keeps that serializer as the reference and holds the two equal), as the CII is written.
 */
import type { Invoice } from '../../model/invoice';
import { joinParts } from '../../xml/raw-texts';
import type { Base64Part } from '../atomic-write';
import { PIVOT_INVOICE, type PNode } from './mapping';

export const PIVOT_VERSION = 'V2_02';
/** Chorus Pro interface code of the pivot flow, first part of the output file name */
export const PIVOT_INTERFACE = 'FEN0036A';

export interface EnvelopeParty {
  /** 3 to 8 characters */
  id: string;
  label?: string;
}

export interface PivotFlow {
  /** DtPrd: production date of the flow, YYYY-MM-DD */
  dtPrd: string;
  /** IdFlx: unique, stable flow id */
  idFlx: string;
  /** further envelope parameters, e.g. CSMOE (5-character codes) */
  parameters?: { code: string; value: string }[];
  recepteur: EnvelopeParty;
  emetteur: EnvelopeParty;
  invoices: Invoice[];
}

/** Text as xmlbuilder2's serializer wrote it (given `forXmlbuilder`'s text): "&", "<", ">" escaped. */
function escText(t: string): string {
  return /[&<>]/.test(t) ? t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : t;
}

/** An attribute value as xmlbuilder2 wrote it: '"' escaped too. */
function escAttr(t: string): string {
  return /[&<>"]/.test(t) ? escText(t).replace(/"/g, '&quot;') : t;
}

/** Below this, a raw text was escaped like any other; from it on, spliced in as it is (RawTexts.hold). */
const RAW_MIN = 4096;
/** The bytes below which an attachment is written inline as base64, a part of its own from it on (RawTexts.holdBase64). */
const INLINE_BASE64_MAX = 3072;

const INDENTS = Array.from({ length: 16 }, (_, k) => '  '.repeat(k));

/**
 * Appends to `out` (its last item the text being written; a big attachment, or a raw text of
 * RAW_MIN or more, a part of its own) what xmlbuilder2's pretty printer wrote: "  " per level,
 * an element with text on one line, an element with no child or an empty text self-closed.
 */
class Writer {
  /** The start tag of the group being written while it has no child yet: closed by ">" or "/>" once known. */
  private pending: string | undefined;

  constructor(readonly out: (string | Base64Part)[]) {}

  add(s: string): void {
    if (this.pending !== undefined) {
      s = `${this.pending}>\n${s}`;
      this.pending = undefined;
    }
    this.out[this.out.length - 1] += s;
  }

  /** `<name attrs` at `depth`, the attributes whose value is defined in key order (DomBuild.el). */
  open(depth: number, name: string, attrs?: Readonly<Record<string, string | undefined>>): string {
    let s = `${INDENTS[depth] ?? '  '.repeat(depth)}<${name}`;
    if (attrs) for (const k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) s += ` ${k}="${escAttr(attrs[k] as string)}"`;
    return s;
  }

  /** An element holding `text` (escaped), self-closed when empty. */
  leaf(depth: number, name: string, text: string): void {
    const open = this.open(depth, name);
    this.add(text === '' ? `${open}/>\n` : `${open}>${escText(text)}</${name}>\n`);
  }

  /** An element holding a text or bytes spliced in unescaped, as RawTexts did. */
  held(depth: number, name: string, x: string | Uint8Array): void {
    const open = this.open(depth, name);
    if (typeof x === 'string' ? x.length < RAW_MIN : x.byteLength < INLINE_BASE64_MAX) {
      this.leaf(depth, name, typeof x === 'string' ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64'));
      return;
    }
    this.add(`${open}>`);
    this.out.push(typeof x === 'string' ? x : { base64Of: x }, `</${name}>\n`);
  }

  /** An element whose children `body` writes (one level deeper), self-closed when it writes none. */
  group(depth: number, name: string, attrs: Readonly<Record<string, string | undefined>> | undefined, body: () => void): void {
    const open = this.start(depth, name, attrs);
    body();
    this.end(depth, name, open);
  }

  /*
   * start and end of a group, for the loops over the mapping tables and the invoices: a body
   * closure made per element lost its optimized code at every full collection
   * (docs/PERFORMANCE.md, thirty-first round).
   */

  /** The start tag, held until the group turns out to have content; returns it for end(). */
  start(depth: number, name: string, attrs?: Readonly<Record<string, string | undefined>>): string {
    const open = this.open(depth, name, attrs);
    this.add(''); // the parent's start tag, if still pending, is now followed by a child
    this.pending = open;
    return open;
  }

  /** `<name/>` when nothing came since start(), else the end tag. */
  end(depth: number, name: string, open: string): void {
    if (this.pending !== undefined) {
      this.pending = undefined;
      this.add(`${open}/>\n`);
    } else this.add(`${INDENTS[depth] ?? '  '.repeat(depth)}</${name}>\n`);
  }

  nodes<T>(depth: number, nodes: PNode<T>[], x: T): void {
    for (const n of nodes) {
      switch (n.kind) {
        case 'leaf': {
          const bytes = n.bytes?.(x);
          if (bytes !== undefined) {
            this.held(depth, n.el, bytes);
            break;
          }
          const v = n.get(x);
          if (v !== undefined) {
            if (n.raw) this.held(depth, n.el, v);
            else this.leaf(depth, n.el, v);
          } else if (n.required) this.add(`${this.open(depth, n.el)}/>\n`);
          break;
        }
        case 'group': {
          if (n.when && !n.when(x)) break;
          const open = this.start(depth, n.el, n.attrs?.(x));
          this.nodes(depth + 1, n.children, x);
          this.end(depth, n.el, open);
          break;
        }
        case 'repeat': {
          const items = n.items(x);
          for (let k = 0; k < items.length; k++) {
            const item = items[k];
            const open = this.start(depth, n.el, n.attrs?.(item as never, k, items as never[]));
            this.nodes(depth + 1, n.children, item as never);
            this.end(depth, n.el, open);
          }
          break;
        }
      }
    }
  }

  party(depth: number, el: string, p: EnvelopeParty): void {
    this.group(depth, el, undefined, () => {
      this.leaf(depth + 1, 'Id', p.id);
      if (p.label !== undefined) this.leaf(depth + 1, 'Libelle', p.label);
    });
  }
}

export function serializePivot(flow: PivotFlow): string {
  return joinParts(serializePivotParts(flow));
}

/** The pivot as consecutive pieces (big attachments are pieces of their own, written as base64 by the writer). */
export function serializePivotParts(flow: PivotFlow): (string | Base64Part)[] {
  const w = new Writer([`<?xml version="1.0" encoding="UTF-8"?>\n`]);
  w.group(0, 'CPPFacturePivot', { Version: PIVOT_VERSION }, () => {
    w.group(1, 'Enveloppe', undefined, () => {
      w.group(2, 'EnveloppeUnitaire', { NumOrdre: '1' }, () => {
        w.group(3, 'Parametres', undefined, () => {
          const all = [{ code: 'DtPrd', value: flow.dtPrd }, { code: 'IdFlx', value: flow.idFlx }, ...(flow.parameters ?? [])];
          for (let k = 0; k < all.length; k++) {
            const open = w.start(4, 'ParametreIndiv', { NumOrdre: String(k + 1).padStart(4, '0') });
            w.leaf(5, 'Code', all[k].code);
            w.leaf(5, 'Valeurparametre', all[k].value);
            w.end(4, 'ParametreIndiv', open);
          }
        });
        w.group(3, 'Partenaires', undefined, () => {
          w.party(4, 'Recepteur', flow.recepteur);
          w.party(4, 'Emetteur', flow.emetteur);
        });
      });
    });
    w.group(1, 'CPPFactures', { Compteur: String(flow.invoices.length) }, () => {
      for (let k = 0; k < flow.invoices.length; k++) {
        const open = w.start(2, 'CPPFacturePivotUnitaire', { NumOrdre: String(k + 1) });
        w.nodes(3, PIVOT_INVOICE, flow.invoices[k]);
        w.end(2, 'CPPFacturePivotUnitaire', open);
      }
    });
  });
  return w.out;
}

/** Output file name: <interface>_<emitter id>_<flow id>.xml (observed Chorus Pro pattern). */
export function pivotFileName(flow: Pick<PivotFlow, 'emetteur' | 'idFlx'>): string {
  return `${PIVOT_INTERFACE}_${flow.emetteur.id}_${flow.idFlx}.xml`;
}
