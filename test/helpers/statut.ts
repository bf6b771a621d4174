/**
 * CPPStatut documents as a finance SI sends them (CPPFactureStatuts), for the lifecycle tests.
 */
export interface SiStatus {
  supplierId: string;
  supplierName?: string;
  buyerSiret: string;
  idStatut: string;
  idFacture: string;
  dateFacture?: string;
  commentaire?: string;
  horodatage?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A flow status line (CPPFluxStatuts) a partner sends about a flow it received. */
export interface SiFlowStatus {
  idStatut: string;
  idFlux: string;
  commentaire?: string;
  horodatage?: string;
  errors?: { code: string; libelle: string; description?: string }[];
}

/** A CPPStatut holding flow statuses (CPPFluxStatuts), as a finance SI acknowledges or refuses the pivots it received. */
export function siFlowStatusFlow(idFlx: string, lines: SiFlowStatus[]): string {
  const units = lines
    .map((l, k) => {
      const details = l.errors?.length
        ? `<Details NbLignesErreur="${l.errors.length}">${l.errors.map((e, i) => `<LigneErreurDetail IdLigne="${i + 1}"><NatureErreur>F</NatureErreur><CodeErreur>${esc(e.code)}</CodeErreur><LibelleErreur>${esc(e.libelle)}</LibelleErreur>${e.description ? `<DescriptionErreur>${esc(e.description)}</DescriptionErreur>` : ''}</LigneErreurDetail>`).join('')}</Details>`
        : '';
      return `    <CPPFluxStatutUnitaire NumOrdre="${k + 1}">
      <DonneesStatut>
        <IdStatut>${esc(l.idStatut)}</IdStatut>
        ${l.commentaire ? `<Commentaire>${esc(l.commentaire)}</Commentaire>` : ''}
        <Horodatage>${l.horodatage ?? '2026-11-21T08:00:00+01:00'}</Horodatage>
        <IdFlux>${esc(l.idFlux)}</IdFlux>${details}
      </DonneesStatut>
    </CPPFluxStatutUnitaire>`;
    })
    .join('\n');
  return siStatusFlow(idFlx, []).replace(/<CPPFactureStatuts[^]*<\/CPPFactureStatuts>/, `<CPPFluxStatuts compteur="${lines.length}">\n${units}\n  </CPPFluxStatuts>`);
}

export function siStatusFlow(idFlx: string, lines: SiStatus[]): string {
  const units = lines
    .map(
      (l, k) => `    <CPPFactureStatutUnitaire NumOrdre="${k + 1}">
      <Fournisseur>
        <TypeIdentifiant>1</TypeIdentifiant>
        <Identifiant>${l.supplierId}</Identifiant>
        <RaisonSociale>${esc(l.supplierName ?? 'Fournisseur')}</RaisonSociale>
      </Fournisseur>
      <Debiteur>
        <TypeIdentifiant>1</TypeIdentifiant>
        <Identifiant>${l.buyerSiret}</Identifiant>
      </Debiteur>
      <DonneesStatut>
        <IdStatut>${l.idStatut}</IdStatut>
        ${l.commentaire ? `<Commentaire>${esc(l.commentaire)}</Commentaire>` : ''}
        <Horodatage>${l.horodatage ?? '2026-11-20T10:00:00+01:00'}</Horodatage>
        <IdFacture>${l.idFacture}</IdFacture>
        ${l.dateFacture ? `<DateFacture>${l.dateFacture}</DateFacture>` : ''}
      </DonneesStatut>
    </CPPFactureStatutUnitaire>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<CPPStatut>
  <Enveloppe>
    <EnveloppeUnitaire NumOrdre="1">
      <Parametres>
        <ParametreIndiv NumOrdre="0001"><Code>DtPrd</Code><Valeurparametre>2026-11-20</Valeurparametre></ParametreIndiv>
        <ParametreIndiv NumOrdre="0002"><Code>IdFlx</Code><Valeurparametre>${idFlx}</Valeurparametre></ParametreIndiv>
      </Parametres>
      <Partenaires>
        <Recepteur><Id>CFX001</Id></Recepteur>
        <Emetteur><Id>SIVAL01</Id></Emetteur>
      </Partenaires>
    </EnveloppeUnitaire>
  </Enveloppe>
  <CPPFactureStatuts compteur="${lines.length}">
${units}
  </CPPFactureStatuts>
</CPPStatut>
`;
}
