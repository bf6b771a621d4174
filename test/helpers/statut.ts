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
