/**
 * CII D16B generator: walks the mapping table (cii-mapping.ts) for one Factur-X profile and
 * writes the XML (the bytes xmlbuilder2 wrote, see renderCii). Pure: the same invoice and profile give the same bytes.
 */
import type { Invoice } from '../../model/invoice';
import type { Base64Part } from '../../emit/atomic-write';
import { bytesOfParts, joinParts } from '../../xml/raw-texts';
import { CII_INVOICE, CII_NS } from './cii-mapping';
import { overTwoDecimals, unsignedZero, withTwoDecimals, type Attrs, type CNode } from './cii-tree';
import { PROFILE_INFO, type FacturXProfile } from './profiles';
import { walkedTree, type WalkedElement } from './walked-tree';
import type { LiftedContents } from '../../xml/document';
import type { XNode } from '../../xml/nodes';

/** A mandatory element the model has no value for, or a value the profile's rules refuse. */
export interface CiiProblem {
  /** element path, e.g. /rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID */
  path: string;
  /** the business term */
  bt: string;
  /** what is wrong with a value that is there (absent: the value is missing) */
  detail?: string;
}

/** A problem in words: "missing BT-27 seller name", "BT-115 …: "12.345" has more than 2 decimals (BR-DEC)". */
export function describeProblem(p: CiiProblem): string {
  return p.detail === undefined ? `missing ${p.bt}` : `${p.bt}: ${p.detail}`;
}

export interface CiiResult {
  /** the XML as consecutive pieces, BT-125 contents as bytes; built on first read */
  readonly parts: readonly (string | Base64Part)[];
  /** the XML as text (joined from the parts) */
  readonly xml: string;
  /** the XML as UTF-8 bytes, filled from the parts: no string of the whole document */
  bytes(): Buffer;
  /**
   * The tree `readXml` gives for these bytes, made from the walk without parsing them
   * (walked-tree.ts); read it before the XML is built, which lets the walk go.
   */
  tree(): { node: XNode; contents: LiftedContents };
  problems: CiiProblem[];
}

/** A walked element: its text, or bytes written as their base64. */
type XEl = WalkedElement;

function cleanAttrs(a: Attrs | undefined): Record<string, string> | undefined {
  if (!a) return undefined;
  let out: Record<string, string> | undefined;
  for (const k in a) {
    const v = a[k];
    if (v !== undefined && v !== '') (out ??= {})[k] = v;
  }
  return out;
}

function decimalsProblem(path: string, bt: string, value: string): CiiProblem {
  return { path, bt, detail: `"${value.trim().slice(0, 30)}" has more than 2 decimals (BR-DEC)` };
}

class Walker {
  readonly problems: CiiProblem[] = [];
  /**
   * The path of the element being walked, as its steps below the root ("ram:X", "ram:Y[2]"):
   * the text of a path is made only for a problem, not for every element walked.
   */
  private readonly steps: string[] = [];

  constructor(private readonly level: number, private readonly root: string) {}

  private included(n: CNode<unknown>, inherited: number): number | undefined {
    const min = n.min === undefined ? inherited : PROFILE_INFO[n.min].level;
    return min <= this.level ? min : undefined;
  }

  /** The path of the child `el` of the element being walked (what the walk once built for every element). */
  private pathOf(el: string): string {
    let p = this.root;
    for (const s of this.steps) p += `/${s}`;
    return `${p}/${el}`;
  }

  private problem(el: string, bt: string): void {
    this.problems.push({ path: this.pathOf(el), bt });
  }

  /** The elements of `nodes` for `x`, walked below the element of the current steps. */
  walk<T>(nodes: CNode<T>[], x: T, inherited: number): XEl[] {
    const out: XEl[] = [];
    for (const n of nodes) {
      const min = this.included(n as CNode<unknown>, inherited);
      if (min === undefined) continue;
      switch (n.kind) {
        case 'leaf': {
          const got = n.get(x);
          if (got === undefined || (got.length === 0 && !n.empty)) {
            if (n.required) this.problem(n.el, n.bt);
            break;
          }
          const v = n.amount && typeof got === 'string' ? withTwoDecimals(unsignedZero(got)) : got;
          if (n.amount && typeof v === 'string' && overTwoDecimals(v, n.amount)) this.problems.push(decimalsProblem(this.pathOf(n.el), n.bt, v));
          const a = cleanAttrs(n.attrs?.(x));
          if (n.requiredAttrs) {
            for (const [name, bt] of Object.entries(n.requiredAttrs)) if (a?.[name] === undefined) this.problems.push({ path: `${this.pathOf(n.el)}/@${name}`, bt });
          }
          out.push(a ? { n: n.el, a, t: v } : { n: n.el, t: v });
          break;
        }
        case 'values':
          for (const item of n.items(x)) {
            const v = n.amount ? { ...item, text: withTwoDecimals(unsignedZero(item.text)) } : item;
            if (n.amount && overTwoDecimals(v.text, n.amount)) this.problems.push(decimalsProblem(this.pathOf(n.el), n.bt, v.text));
            const a = cleanAttrs(v.attrs);
            out.push(a ? { n: n.el, a, t: v.text } : { n: n.el, t: v.text });
          }
          break;
        case 'group': {
          if (n.when && !n.when(x)) {
            if (n.required) this.problem(n.el, n.bt);
            break;
          }
          this.push(out, n.el, this.below(n.el, n.children, x, min), n.required, n.always, n.bt);
          break;
        }
        case 'sub': {
          const y = n.of(x);
          if (y === undefined || y === null) {
            if (n.required) this.problem(n.el, n.bt);
            if (n.always) out.push({ n: n.el });
            break;
          }
          this.push(out, n.el, this.below(n.el, n.children, y as never, min), n.required, n.always, n.bt);
          break;
        }
        case 'repeat': {
          const items = n.items(x);
          if (items.length === 0 && n.required) this.problem(n.el, n.bt);
          for (let k = 0; k < items.length; k++) {
            const c = this.below(`${n.el}[${k + 1}]`, n.children, items[k] as never, min);
            if (c.length > 0) out.push({ n: n.el, c });
          }
          break;
        }
      }
    }
    return out;
  }

  /** The walk of `nodes` inside the child step `step` of the current element (a throw ends the whole walk). */
  private below<T>(step: string, nodes: CNode<T>[], x: T, inherited: number): XEl[] {
    this.steps.push(step);
    const c = this.walk(nodes, x, inherited);
    this.steps.pop();
    return c;
  }

  private push(out: XEl[], el: string, c: XEl[], required: boolean | undefined, always: boolean | undefined, bt: string): void {
    if (c.length > 0) out.push({ n: el, c });
    else {
      if (required && !always) this.problem(el, bt);
      if (always) out.push({ n: el });
    }
  }
}

/** Text as xmlbuilder2's serializer writes it (after `forXmlbuilder`): "&", "<", ">" escaped. */
function escText(t: string): string {
  return /[&<>]/.test(t) ? t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : t;
}

/** An attribute value as xmlbuilder2 writes it: '"' escaped too. */
function escAttr(t: string): string {
  return /[&<>"]/.test(t) ? escText(t).replace(/"/g, '&quot;') : t;
}

/** The bytes below which BT-125 contents are written inline as base64, as RawTexts.holdBase64 did. */
const INLINE_BASE64_MAX = 3072;

/**
 * The serialized elements, indented as xmlbuilder2's pretty printer does ("  " per level; an
 * element with text on one line, an empty one self-closed), appended to `out`: the last item is
 * the text being written, base64 of large contents a part of its own.
 */
function write(out: (string | Base64Part)[], els: XEl[], depth: number): void {
  const indent = INDENTS[depth] ?? '  '.repeat(depth);
  for (const e of els) {
    let open = `${indent}<${e.n}`;
    if (e.a) for (const k in e.a) open += ` ${k}="${escAttr(e.a[k])}"`;
    const t = e.t;
    if (t === undefined ? e.c === undefined : t === '') {
      out[out.length - 1] += `${open}/>\n`;
    } else if (t === undefined) {
      out[out.length - 1] += `${open}>\n`;
      write(out, e.c as XEl[], depth + 1);
      out[out.length - 1] += `${indent}</${e.n}>\n`;
    } else if (typeof t === 'string') {
      out[out.length - 1] += `${open}>${escText(t)}</${e.n}>\n`;
    } else if (t.byteLength === 0) {
      out[out.length - 1] += `${open}/>\n`;
    } else if (t.byteLength < INLINE_BASE64_MAX) {
      out[out.length - 1] += `${open}>${Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64')}</${e.n}>\n`;
    } else {
      out[out.length - 1] += `${open}>`;
      out.push({ base64Of: t }, `</${e.n}>\n`);
    }
  }
}

const INDENTS = Array.from({ length: 16 }, (_, k) => '  '.repeat(k));

const ROOT_OPEN = `<rsm:CrossIndustryInvoice xmlns:rsm="${CII_NS.rsm}" xmlns:qdt="${CII_NS.qdt}" xmlns:ram="${CII_NS.ram}" xmlns:udt="${CII_NS.udt}">`;

/** The elements of the CII of one invoice for one profile, and what the profile needs that the model lacks. */
export function walkCii(invoice: Invoice, profile: FacturXProfile): { body: WalkedElement[]; problems: CiiProblem[] } {
  const walker = new Walker(PROFILE_INFO[profile].level, '/rsm:CrossIndustryInvoice');
  const body = walker.walk(CII_INVOICE, { invoice, profile }, 0);
  return { body, problems: walker.problems };
}

/**
 * The CII of one invoice for one profile, and what the profile needs that the model lacks.
 * The problems come from the walk; the XML is built when first read: the pipeline tries the
 * profiles from the richest down and builds only the document of the one it keeps.
 */
export function generateCii(invoice: Invoice, profile: FacturXProfile): CiiResult {
  const { body, problems } = walkCii(invoice, profile);
  let pending: XEl[] | undefined = body;
  let parts: (string | Base64Part)[] | undefined;
  return {
    problems,
    get parts() {
      if (parts === undefined) {
        parts = renderCii(pending as XEl[]);
        pending = undefined; // the walked tree is no longer needed
      }
      return parts;
    },
    get xml() {
      return joinParts(this.parts);
    },
    bytes() {
      return bytesOfParts(this.parts);
    },
    tree() {
      if (pending === undefined) throw new Error('generateCii: the tree is read before the XML is built');
      return walkedTree('rsm:CrossIndustryInvoice', pending);
    },
  };
}

/**
 * The XML of the walked elements, written directly: the bytes xmlbuilder2's DOM and pretty
 * serializer gave (`test/facturx/cii-serialize.test.ts` holds them equal), for a fifth of the
 * time and none of the DOM's garbage. The namespaces are declared on the root.
 */
export function renderCii(body: XEl[]): (string | Base64Part)[] {
  if (body.length === 0) return [`${XML_DECL}<rsm:CrossIndustryInvoice/>\n`];
  const out: (string | Base64Part)[] = [`${XML_DECL}${ROOT_OPEN}\n`];
  write(out, body, 1);
  out[out.length - 1] += '</rsm:CrossIndustryInvoice>\n';
  return out;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
