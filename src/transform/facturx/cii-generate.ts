/**
 * CII D16B generator: walks the mapping table (cii-mapping.ts) for one Factur-X profile and
 * writes the XML with xmlbuilder2. Pure: the same invoice and profile give the same bytes.
 */
import { create } from 'xmlbuilder2';
import type { Invoice } from '../../model/invoice';
import { DomBuild, type DomElement } from '../../xml/dom-build';
import type { Base64Part } from '../../emit/atomic-write';
import { bytesOfParts, joinParts, RawTexts } from '../../xml/raw-texts';
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
  constructor(private readonly level: number) {}

  private included(n: CNode<unknown>, inherited: number): number | undefined {
    const min = n.min === undefined ? inherited : PROFILE_INFO[n.min].level;
    return min <= this.level ? min : undefined;
  }

  walk<T>(nodes: CNode<T>[], x: T, path: string, inherited: number): XEl[] {
    const out: XEl[] = [];
    for (const n of nodes) {
      const min = this.included(n as CNode<unknown>, inherited);
      if (min === undefined) continue;
      const p = `${path}/${n.el}`;
      switch (n.kind) {
        case 'leaf': {
          const got = n.get(x);
          if (got === undefined || (got.length === 0 && !n.empty)) {
            if (n.required) this.problems.push({ path: p, bt: n.bt });
            break;
          }
          const v = n.amount && typeof got === 'string' ? withTwoDecimals(unsignedZero(got)) : got;
          if (n.amount && typeof v === 'string' && overTwoDecimals(v, n.amount)) this.problems.push(decimalsProblem(p, n.bt, v));
          const a = cleanAttrs(n.attrs?.(x));
          if (n.requiredAttrs) {
            for (const [name, bt] of Object.entries(n.requiredAttrs)) if (a?.[name] === undefined) this.problems.push({ path: `${p}/@${name}`, bt });
          }
          out.push(a ? { n: n.el, a, t: v } : { n: n.el, t: v });
          break;
        }
        case 'values':
          for (const item of n.items(x)) {
            const v = n.amount ? { ...item, text: withTwoDecimals(unsignedZero(item.text)) } : item;
            if (n.amount && overTwoDecimals(v.text, n.amount)) this.problems.push(decimalsProblem(p, n.bt, v.text));
            const a = cleanAttrs(v.attrs);
            out.push(a ? { n: n.el, a, t: v.text } : { n: n.el, t: v.text });
          }
          break;
        case 'group': {
          if (n.when && !n.when(x)) {
            if (n.required) this.problems.push({ path: p, bt: n.bt });
            break;
          }
          this.push(out, n.el, this.walk(n.children, x, p, min), n.required, n.always, p, n.bt);
          break;
        }
        case 'sub': {
          const y = n.of(x);
          if (y === undefined || y === null) {
            if (n.required) this.problems.push({ path: p, bt: n.bt });
            if (n.always) out.push({ n: n.el });
            break;
          }
          this.push(out, n.el, this.walk(n.children, y as never, p, min), n.required, n.always, p, n.bt);
          break;
        }
        case 'repeat': {
          const items = n.items(x);
          if (items.length === 0 && n.required) this.problems.push({ path: p, bt: n.bt });
          items.forEach((item, k) => {
            const c = this.walk(n.children, item as never, `${p}[${k + 1}]`, min);
            if (c.length > 0) out.push({ n: n.el, c });
          });
          break;
        }
      }
    }
    return out;
  }

  private push(out: XEl[], el: string, c: XEl[], required: boolean | undefined, always: boolean | undefined, p: string, bt: string): void {
    if (c.length > 0) out.push({ n: el, c });
    else {
      if (required && !always) this.problems.push({ path: p, bt });
      if (always) out.push({ n: el });
    }
  }
}

function write(dom: DomBuild, parent: DomElement, els: XEl[], raws: RawTexts): void {
  for (const e of els) {
    const node = dom.el(parent, e.n, e.a);
    if (e.t !== undefined) dom.text(node, typeof e.t === 'string' ? e.t : raws.holdBase64(e.t));
    else if (e.c) write(dom, node, e.c, raws);
  }
}

const ROOT_OPEN = `<rsm:CrossIndustryInvoice xmlns:rsm="${CII_NS.rsm}" xmlns:qdt="${CII_NS.qdt}" xmlns:ram="${CII_NS.ram}" xmlns:udt="${CII_NS.udt}">`;

/**
 * The CII of one invoice for one profile, and what the profile needs that the model lacks.
 * The problems come from the walk; the XML is built when first read: the pipeline tries the
 * profiles from the richest down and builds only the document of the one it keeps.
 */
export function generateCii(invoice: Invoice, profile: FacturXProfile): CiiResult {
  const walker = new Walker(PROFILE_INFO[profile].level);
  const root = '/rsm:CrossIndustryInvoice';
  const body = walker.walk(CII_INVOICE, { invoice, profile }, root, 0);
  let pending: XEl[] | undefined = body;
  let parts: (string | Base64Part)[] | undefined;
  return {
    problems: walker.problems,
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

function renderCii(body: XEl[]): (string | Base64Part)[] {
  // The elements are built with their prefixed names and the four namespaces are declared on
  // the root once serialized: xmlbuilder2 then takes its plain serializer, not the DOM
  // namespace algorithm (prefix maps copied per element), which was most of the time here.
  // The bytes are the same as with the declarations given to xmlbuilder2.
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('rsm:CrossIndustryInvoice');
  const raws = new RawTexts();
  const { dom, node } = DomBuild.under(doc);
  write(dom, node, body, raws);
  return [...raws.restoreParts(doc.end({ prettyPrint: true, indent: '  ' }).replace('<rsm:CrossIndustryInvoice>', ROOT_OPEN)), '\n'];
}
