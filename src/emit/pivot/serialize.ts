/**
 * CPPFacturePivot V2_02 XML writer (xmlbuilder2), driven by the mapping tree.
 * Pure: a PivotFlow in, the XML text out.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { Invoice } from '../../model/invoice';
import { DomBuild, type DomElement } from '../../xml/dom-build';
import { joinParts, RawTexts } from '../../xml/raw-texts';
import { forXmlbuilder } from '../../xml/xml-text';
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

function write<T>(dom: DomBuild, parent: DomElement, nodes: PNode<T>[], x: T, raws: RawTexts): void {
  for (const n of nodes) {
    switch (n.kind) {
      case 'leaf': {
        const bytes = n.bytes?.(x);
        if (bytes !== undefined) {
          dom.leaf(parent, n.el, raws.holdBase64(bytes));
          break;
        }
        const v = n.get(x);
        if (v !== undefined) dom.leaf(parent, n.el, n.raw ? raws.hold(v) : v);
        else if (n.required) dom.el(parent, n.el);
        break;
      }
      case 'group': {
        if (n.when && !n.when(x)) break;
        write(dom, dom.el(parent, n.el, n.attrs?.(x)), n.children, x, raws);
        break;
      }
      case 'repeat': {
        const items = n.items(x);
        items.forEach((item, k) => {
          const el = dom.el(parent, n.el, n.attrs?.(item as never, k, items as never[]));
          write(dom, el, n.children, item as never, raws);
        });
        break;
      }
    }
  }
}

function party(parent: XMLBuilder, el: string, p: EnvelopeParty): void {
  const e = parent.ele(el);
  e.ele('Id').txt(forXmlbuilder(p.id));
  if (p.label !== undefined) e.ele('Libelle').txt(forXmlbuilder(p.label));
}

export function serializePivot(flow: PivotFlow): string {
  return joinParts(serializePivotParts(flow));
}

/** The pivot as consecutive pieces (big attachments are pieces of their own, written as base64 by the writer). */
export function serializePivotParts(flow: PivotFlow): (string | Base64Part)[] {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('CPPFacturePivot', { Version: PIVOT_VERSION });
  const unit = root.ele('Enveloppe').ele('EnveloppeUnitaire', { NumOrdre: '1' });
  const params = unit.ele('Parametres');
  const all = [{ code: 'DtPrd', value: flow.dtPrd }, { code: 'IdFlx', value: flow.idFlx }, ...(flow.parameters ?? [])];
  all.forEach((p, k) => {
    const e = params.ele('ParametreIndiv', { NumOrdre: String(k + 1).padStart(4, '0') });
    e.ele('Code').txt(forXmlbuilder(p.code));
    e.ele('Valeurparametre').txt(forXmlbuilder(p.value));
  });
  const partners = unit.ele('Partenaires');
  party(partners, 'Recepteur', flow.recepteur);
  party(partners, 'Emetteur', flow.emetteur);
  const factures = root.ele('CPPFactures', { Compteur: String(flow.invoices.length) });
  const raws = new RawTexts();
  // the invoices, most of the document, are built on the DOM directly (dom-build.ts)
  const { dom, node } = DomBuild.under(factures);
  flow.invoices.forEach((inv, k) => {
    write(dom, dom.el(node, 'CPPFacturePivotUnitaire', { NumOrdre: String(k + 1) }), PIVOT_INVOICE, inv, raws);
  });
  return raws.restoreParts(`${root.end({ prettyPrint: true, indent: '  ' })}\n`);
}

/** Output file name: <interface>_<emitter id>_<flow id>.xml (observed Chorus Pro pattern). */
export function pivotFileName(flow: Pick<PivotFlow, 'emetteur' | 'idFlx'>): string {
  return `${PIVOT_INTERFACE}_${flow.emetteur.id}_${flow.idFlx}.xml`;
}
