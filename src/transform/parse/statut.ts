/**
 * CPPStatut V1_19 (a finance SI's status flow) → plain data: invoice statuses
 * (CPPFactureStatuts) and flow acknowledgements (CPPFluxStatuts).
 */
import { all, attr, kid, kids, text, type XNode } from '../../xml/nodes';

export interface InboundInvoiceStatus {
  /** 0-based position in the file */
  index: number;
  supplier: { typeId?: string; id?: string; name?: string; country?: string };
  buyer: { id?: string; name?: string; codeService?: string; serviceName?: string };
  idStatut?: string;
  complement?: string;
  commentaire?: string;
  horodatage?: string;
  idFacture?: string;
  dateFacture?: string;
  idMandatDP?: string;
}

export interface InboundFluxStatus {
  index: number;
  idStatut?: string;
  complement?: string;
  commentaire?: string;
  horodatage?: string;
  idFlux?: string;
  /** Details/LigneErreurDetail: why the receiver refused the flow */
  errors: { nature?: string; code?: string; libelle?: string; description?: string }[];
}

export interface ParsedStatut {
  idFlx?: string;
  emetteurId?: string;
  invoices: InboundInvoiceStatus[];
  flux: InboundFluxStatus[];
}

/**
 * An IdStatut as its value: the XSD types it xs:nonNegativeInteger, so `6`, `006` and `+06`
 * are the enumeration's `06` (and `090` its `90`); written with two digits, as the tables read
 * codes. Anything else is kept as it is, for the checks to refuse with what was sent.
 */
export function statusCodeValue(s: string | undefined): string | undefined {
  const m = s === undefined ? null : /^\+?0*(\d+)$/.exec(s);
  return m ? m[1].padStart(2, '0') : s;
}

export function parseStatut(root: XNode): ParsedStatut {
  const params = all(root, 'Enveloppe/EnveloppeUnitaire/Parametres/ParametreIndiv');
  const idFlx = params.map((p) => (text(p, 'Code') === 'IdFlx' ? text(p, 'Valeurparametre') : undefined)).find((v) => v !== undefined);
  const invoices = kids(kid(root, 'CPPFactureStatuts'), 'CPPFactureStatutUnitaire').map((u, index): InboundInvoiceStatus => {
    const f = kid(u, 'Fournisseur');
    const d = kid(u, 'Debiteur');
    const s = kid(u, 'DonneesStatut');
    return {
      index,
      supplier: { typeId: text(f, 'TypeIdentifiant'), id: text(f, 'Identifiant')?.trim(), name: text(f, 'RaisonSociale'), country: text(f, 'CodePays') },
      buyer: { id: text(d, 'Identifiant')?.trim(), name: text(d, 'Nom'), codeService: text(d, 'CodeService'), serviceName: text(d, 'NomService') },
      idStatut: statusCodeValue(text(s, 'IdStatut')?.trim()),
      complement: text(s, 'ComplementStatut'),
      commentaire: text(s, 'Commentaire'),
      horodatage: text(s, 'Horodatage'),
      idFacture: text(s, 'IdFacture')?.trim(),
      dateFacture: text(s, 'DateFacture')?.trim(),
      idMandatDP: text(s, 'IdMandatDP'),
    };
  });
  const flux = kids(kid(root, 'CPPFluxStatuts'), 'CPPFluxStatutUnitaire').map((u, index): InboundFluxStatus => {
    const s = kid(u, 'DonneesStatut');
    const errors = kids(kid(s, 'Details'), 'LigneErreurDetail').map((l) => ({ nature: text(l, 'NatureErreur'), code: text(l, 'CodeErreur'), libelle: text(l, 'LibelleErreur'), description: text(l, 'DescriptionErreur') }));
    return { index, idStatut: statusCodeValue(text(s, 'IdStatut')?.trim()), complement: text(s, 'ComplementStatut'), commentaire: text(s, 'Commentaire'), horodatage: text(s, 'Horodatage'), idFlux: text(s, 'IdFlux')?.trim(), errors };
  });
  return { idFlx, emetteurId: text(root, 'Enveloppe/EnveloppeUnitaire/Partenaires/Emetteur/Id') ?? attr(root, 'Version'), invoices, flux };
}
