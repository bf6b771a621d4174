/**
 * CPPFacturePivot V2_02 XML writer (xmlbuilder2's streaming API), driven by the mapping tree.
 * Pure: a PivotFlow in, the XML text out.
 */
import { writeXmlDocument, type XmlStream } from '../../xml/stream-writer';
import type { Invoice } from '../../model/invoice';
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

function clean(attrs: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

function write<T>(s: XmlStream, nodes: PNode<T>[], x: T): void {
  const { w } = s;
  for (const n of nodes) {
    switch (n.kind) {
      case 'leaf': {
        const v = n.get(x);
        if (v === undefined || v === '') {
          if (v === '' || n.required) w.ele(n.el).up(); // <X/>, as the DOM serializer wrote it
        } else if (n.raw) {
          w.ele(n.el);
          s.rawText(v);
          w.up();
        } else w.ele(n.el).txt(v).up();
        break;
      }
      case 'group': {
        if (n.when && !n.when(x)) break;
        w.ele(n.el, clean(n.attrs?.(x)));
        write(s, n.children, x);
        w.up();
        break;
      }
      case 'repeat': {
        const items = n.items(x);
        items.forEach((item, k) => {
          w.ele(n.el, clean(n.attrs?.(item as never, k)));
          write(s, n.children, item as never);
          w.up();
        });
        break;
      }
    }
  }
}

function party(w: XmlStream['w'], el: string, p: EnvelopeParty): void {
  w.ele(el).ele('Id').txt(p.id).up();
  if (p.label !== undefined) w.ele('Libelle').txt(p.label).up();
  w.up();
}

export function serializePivot(flow: PivotFlow): string {
  return writeXmlDocument((s) => {
    const { w } = s;
    w.ele('CPPFacturePivot', { Version: PIVOT_VERSION });
    w.ele('Enveloppe').ele('EnveloppeUnitaire', { NumOrdre: '1' }).ele('Parametres');
    const all = [{ code: 'DtPrd', value: flow.dtPrd }, { code: 'IdFlx', value: flow.idFlx }, ...(flow.parameters ?? [])];
    all.forEach((p, k) => {
      w.ele('ParametreIndiv', { NumOrdre: String(k + 1).padStart(4, '0') });
      w.ele('Code').txt(p.code).up();
      w.ele('Valeurparametre').txt(p.value).up();
      w.up();
    });
    w.up().ele('Partenaires');
    party(w, 'Recepteur', flow.recepteur);
    party(w, 'Emetteur', flow.emetteur);
    w.up().up().up(); // Partenaires, EnveloppeUnitaire, Enveloppe
    w.ele('CPPFactures', { Compteur: String(flow.invoices.length) });
    flow.invoices.forEach((inv, k) => {
      w.ele('CPPFacturePivotUnitaire', { NumOrdre: String(k + 1) });
      write(s, PIVOT_INVOICE, inv);
      w.up();
    });
    w.up().up(); // CPPFactures, CPPFacturePivot
  });
}

/** Output file name: <interface>_<emitter id>_<flow id>.xml (observed Chorus Pro pattern). */
export function pivotFileName(flow: Pick<PivotFlow, 'emetteur' | 'idFlx'>): string {
  return `${PIVOT_INTERFACE}_${flow.emetteur.id}_${flow.idFlx}.xml`;
}
