/**
 * CPPStatut V1_19 writer (xmlbuilder2): flow statuses (90–96, with error details) or
 * invoice statuses (01–12). One CPPStatut holds one or the other (the XSD's choice).
 * Every reason passes through cutReason (≤ 300 characters, IPM4-009), and every value through
 * xmlText (xmlbuilder2 would write a value's "&#1;" or "&amp;" as markup).
 */
import { xmlText } from '../../xml/xml-text';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { cutReason } from '../../util/reason';
import type { EnvelopeParty } from '../pivot/serialize';

export const STATUT_INTERFACE = 'FEN1200A';

export interface ErrorDetail {
  nature: string;
  code: string;
  libelle: string;
  description?: string;
  idLigne?: string;
}

export interface FluxStatusLine {
  idStatut: '90' | '91' | '92' | '93' | '94' | '95' | '96';
  complement?: string;
  commentaire?: string;
  horodatage: string;
  idFlux: string;
  errors?: ErrorDetail[];
}

export interface InvoiceStatusLine {
  supplier: { typeId: string; id: string; name: string; country?: string };
  buyer: { id: string; name?: string; codeService?: string; serviceName?: string };
  idStatut: string;
  complement?: string;
  commentaire?: string;
  horodatage: string;
  idFacture: string;
  dateFacture?: string;
  idMandatDP?: string;
}

export interface StatutFlow {
  dtPrd: string;
  idFlx: string;
  recepteur: EnvelopeParty;
  emetteur: EnvelopeParty;
  flux?: FluxStatusLine[];
  factures?: InvoiceStatusLine[];
}

const FLUX_COMPLEMENT: Record<FluxStatusLine['idStatut'], string> = {
  '90': 'Reçu',
  '91': 'En cours de transmission',
  '92': 'Reçu destinataire final',
  '93': 'Erreur réception',
  '94': 'Erreur réception destinataire final',
  '95': 'Erreur de transmission',
  '96': 'Reçu - intégration partielle',
};

function opt(parent: XMLBuilder, name: string, value: string | undefined): void {
  if (value !== undefined) parent.ele(name).txt(xmlText(value));
}

export function serializeStatut(flow: StatutFlow): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('CPPStatut', { Version: 'V1_19' });
  const unit = root.ele('Enveloppe').ele('EnveloppeUnitaire', { NumOrdre: '1' });
  const params = unit.ele('Parametres');
  [{ code: 'DtPrd', value: flow.dtPrd }, { code: 'IdFlx', value: flow.idFlx }].forEach((p, k) => {
    const e = params.ele('ParametreIndiv', { NumOrdre: String(k + 1).padStart(4, '0') });
    e.ele('Code').txt(xmlText(p.code));
    e.ele('Valeurparametre').txt(xmlText(p.value));
  });
  const partners = unit.ele('Partenaires');
  for (const [el, p] of [['Recepteur', flow.recepteur], ['Emetteur', flow.emetteur]] as const) {
    const e = partners.ele(el);
    e.ele('Id').txt(xmlText(p.id));
    opt(e, 'Libelle', p.label);
  }
  if (flow.flux && flow.flux.length > 0) {
    const list = root.ele('CPPFluxStatuts', { compteur: String(flow.flux.length) });
    flow.flux.forEach((s, k) => {
      const d = list.ele('CPPFluxStatutUnitaire', { NumOrdre: String(k + 1) }).ele('DonneesStatut');
      d.ele('IdStatut').txt(s.idStatut);
      d.ele('ComplementStatut').txt(xmlText(cutReason(s.complement ?? FLUX_COMPLEMENT[s.idStatut], 40)));
      if (s.commentaire !== undefined) d.ele('Commentaire').txt(xmlText(cutReason(s.commentaire)));
      d.ele('Horodatage').txt(s.horodatage);
      d.ele('IdFlux').txt(xmlText(s.idFlux));
      if (s.errors && s.errors.length > 0) {
        const details = d.ele('Details', { NbLignesErreur: String(s.errors.length) });
        s.errors.forEach((e, i) => {
          const l = details.ele('LigneErreurDetail', { IdLigne: e.idLigne ?? String(i + 1) });
          l.ele('NatureErreur').txt(xmlText(e.nature));
          l.ele('CodeErreur').txt(xmlText(e.code));
          l.ele('LibelleErreur').txt(xmlText(cutReason(e.libelle)));
          if (e.description !== undefined) l.ele('DescriptionErreur').txt(xmlText(cutReason(e.description)));
        });
      }
    });
  } else {
    const list = root.ele('CPPFactureStatuts', { compteur: String(flow.factures?.length ?? 0) });
    (flow.factures ?? []).forEach((s, k) => {
      const u = list.ele('CPPFactureStatutUnitaire', { NumOrdre: String(k + 1) });
      const f = u.ele('Fournisseur');
      f.ele('TypeIdentifiant').txt(xmlText(s.supplier.typeId));
      f.ele('Identifiant').txt(xmlText(s.supplier.id));
      f.ele('RaisonSociale').txt(xmlText(s.supplier.name));
      opt(f, 'CodePays', s.supplier.country);
      const b = u.ele('Debiteur');
      b.ele('TypeIdentifiant').txt('1');
      b.ele('Identifiant').txt(xmlText(s.buyer.id));
      opt(b, 'Nom', s.buyer.name);
      opt(b, 'CodeService', s.buyer.codeService);
      opt(b, 'NomService', s.buyer.serviceName);
      const d = u.ele('DonneesStatut');
      d.ele('IdStatut').txt(s.idStatut);
      if (s.complement !== undefined) d.ele('ComplementStatut').txt(xmlText(cutReason(s.complement, 40))); // maxLength 40, as for flow lines
      if (s.commentaire !== undefined) d.ele('Commentaire').txt(xmlText(cutReason(s.commentaire)));
      d.ele('Horodatage').txt(s.horodatage);
      d.ele('IdFacture').txt(xmlText(s.idFacture));
      opt(d, 'DateFacture', s.dateFacture);
      opt(d, 'IdMandatDP', s.idMandatDP);
    });
  }
  return root.end({ prettyPrint: true, indent: '  ' }) + '\n';
}

export function statutFileName(flow: Pick<StatutFlow, 'emetteur' | 'idFlx'>): string {
  return `${STATUT_INTERFACE}_${flow.emetteur.id}_${flow.idFlx}.xml`;
}
