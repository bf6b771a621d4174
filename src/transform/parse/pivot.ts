/**
 * CPPFacturePivot V1_20 … V2_02 → canonical model, one Invoice per CPPFacturePivotUnitaire.
 * Every field of the pivot has a home in the model so that pivot → model → pivot is lossless
 * (see docs/MAPPING.md).
 */
import type { LiftedContents } from '../../xml/document';
import { all, at, attr, kid, kids, text, type XNode } from '../../xml/nodes';
import { emptyInvoice, emptyLine, type Attachment, type Invoice, type Renvoi } from '../../model/invoice';
import { dayOfXsDate } from '../../model/xs-date';
import { xmlTrim } from '../../xml/xml-space';

export interface PivotEnvelope {
  version?: string;
  parameters: { code: string; value: string; note?: string }[];
  recepteur?: { id?: string; label?: string };
  emetteur?: { id?: string; label?: string };
}

export interface ParsedPivot {
  envelope: PivotEnvelope;
  declaredCount?: string;
  invoices: Invoice[];
}

const RENVOI: readonly string[] = ['Non', 'Complétée', 'Recyclée'];

/** TypePJ as V2_02 writes it: V1_20 types it xs:integer, so "1" and "2" (or " 001 ") are its 01 and 02. */
function typeOfPj(raw: string | undefined): string | undefined {
  const m = raw === undefined ? null : /^\+?0*([12])$/.exec(xmlTrim(raw));
  return m ? `0${m[1]}` : raw;
}

function pj(node: XNode, contents: LiftedContents): Attachment {
  const typePJ = typeOfPj(text(node, 'TypePJ'));
  const a: Attachment = {
    fileName: text(node, 'NomPJ'),
    mimeCode: text(node, 'MimeTypePJ'),
    isInvoiceDocument: typePJ === '01',
    pivot: {
      idUnique: text(node, 'IdUnique'),
      idOriginal: text(node, 'IdOriginal'),
      nomPJ: text(node, 'NomPJ'),
      nomPJOrigine: text(node, 'NomPJOrigine'),
      categoriePJ: text(node, 'CategoriePJ'),
      typePJ: typePJ === '01' || typePJ === '02' ? typePJ : undefined,
      typePJGiven: typePJ === '01' || typePJ === '02' ? undefined : typePJ,
      mimeTypePJ: text(node, 'MimeTypePJ'),
    },
  };
  const contenu = text(node, 'Contenu');
  if (contenu !== undefined) {
    const decoded = contents.decode(contenu);
    if (decoded.ok) a.content = decoded.bytes;
    else a.contentError = decoded.reason;
  }
  return a;
}

function unit(u: XNode, contents: LiftedContents): Invoice {
  const inv = emptyInvoice('PIVOT');
  const f = kid(u, 'Fournisseur');
  inv.chorus.supplierIdType = text(f, 'TypeIdentifiant');
  inv.chorus.supplierId = text(f, 'Identifiant');
  const supplierId = inv.chorus.supplierId;
  if (supplierId !== undefined) {
    // TypeIdentifiant 1 is a SIRET (scheme 0009); other types keep the identifier unqualified
    if (inv.chorus.supplierIdType === '1') inv.seller.legalId = { value: supplierId, scheme: '0009' };
    else inv.seller.identifiers.push({ value: supplierId });
  }
  inv.seller.name = text(f, 'RaisonSociale');
  const country = text(f, 'CodePays');
  if (country !== undefined) inv.seller.address = { countryCode: country };
  const bank = kid(f, 'ReferenceBancaire');
  if (bank !== undefined) {
    const type = attr(bank, 'Type');
    inv.chorus.bankReferenceType = type === 'IBAN' || type === 'RIB' ? type : undefined;
    inv.chorus.bankInstitution = text(bank, 'Etablissement');
    inv.chorus.payeeName = text(bank, 'RaisonSocialeEncaisseur');
    const compte = text(bank, 'Compte');
    if (compte !== undefined) inv.paymentMeans.push({ accounts: [{ id: compte }] });
  }
  inv.chorus.emissionMode = text(f, 'ModeEmission');

  const d = kid(u, 'Debiteur');
  inv.chorus.buyerIdType = text(d, 'TypeIdentifiant');
  const buyerId = text(d, 'Identifiant');
  if (buyerId !== undefined) inv.buyer.legalId = { value: buyerId, scheme: '0009' };
  inv.buyer.name = text(d, 'Nom');
  inv.buyerReference = text(d, 'CodeService');
  inv.chorus.serviceName = text(d, 'NomService');

  const df = kid(u, 'DonneesFacture');
  inv.number = text(df, 'Id');
  inv.chorus.idCpro = text(df, 'IdCPRO');
  const renvoi = text(df, 'Renvoi');
  if (renvoi !== undefined && RENVOI.includes(renvoi)) inv.chorus.renvoi = renvoi as Renvoi;
  const origin = text(df, 'IdFactureOrigine');
  if (origin !== undefined) inv.precedingInvoices.push({ number: origin });
  inv.typeCode = text(df, 'Type');
  inv.profileId = text(df, 'Cadre');
  inv.issueDate = dayOfXsDate(text(df, 'DateEmissionFacture'));
  const livraison = dayOfXsDate(text(df, 'DateLivraison'));
  if (livraison !== undefined) inv.delivery = { date: livraison };
  const mode = kid(df, 'ModePaiement');
  const code = text(mode, 'Code');
  inv.chorus.paymentMeansLabel = text(mode, 'Libelle');
  if (code !== undefined) {
    if (inv.paymentMeans.length === 0) inv.paymentMeans.push({ accounts: [] });
    inv.paymentMeans[0].code = code;
  }
  inv.chorus.receptionDate = dayOfXsDate(text(df, 'DateReception'));
  inv.chorus.moeAvailabilityDate = dayOfXsDate(text(df, 'DateMiseADispositionMOE'));
  inv.currency = text(df, 'Devise');
  const m = kid(df, 'Montants');
  inv.totals.taxExclusive = text(m, 'MontantHT');
  inv.totals.taxInclusive = text(m, 'MontantTTC');
  inv.totals.payable = text(m, 'MontantNetAPayer');
  // The pivot writes TVAs or, in some producers, TVAS
  const tvas = [...all(df, 'TVAs/TVA'), ...all(df, 'TVAS/TVA')];
  inv.vatBreakdown = tvas.map((t) => ({ rate: text(t, 'Taux'), taxableAmount: text(t, 'BaseHt'), taxAmount: text(t, 'MontantTVA') }));
  const eng = kid(df, 'Engagement');
  inv.contractReference = text(eng, 'NumeroMarche');
  inv.orderReference = text(eng, 'NumeroEngagement');
  inv.lines = all(df, 'Lignes/Ligne').map((l) => {
    const line = emptyLine();
    line.id = attr(l, 'NumOrdre');
    line.item.sellerId = text(l, 'ReferenceProduit');
    line.price.net = text(l, 'PrixUnitaire');
    line.quantity = text(l, 'Quantite');
    line.netAmount = text(l, 'MontantHT');
    line.vat.rate = text(l, 'TauxTVA');
    return line;
  });
  inv.attachments = kids(u, 'PJ').map((p) => pj(p, contents));
  const cycle = kids(kid(u, 'CycleDeValidation'), 'ValidationUnitaire');
  if (cycle.length > 0) {
    inv.chorus.validationCycle = cycle.map((v) => {
      const p = kid(v, 'ProducteurStatut');
      return {
        date: text(v, 'DateStatut') ?? '',
        statusCode: text(v, 'CodeStatut') ?? '',
        statusComplement: text(v, 'ComplementStatut'),
        comment: text(v, 'Commentaire'),
        producer: {
          idType: text(p, 'TypeIdentifiant') ?? '',
          id: text(p, 'Id') ?? '',
          name: text(p, 'RaisonSociale') ?? '',
          countryCode: text(p, 'CodePays') ?? '',
          note: text(p, 'Note'),
        },
      };
    });
  }
  return inv;
}

/** `root` is the CPPFacturePivot element. */
/** `contents`: the embedded files the reader lifted out of the tree (readXml). */
export function parsePivot(root: XNode, contents: LiftedContents): ParsedPivot {
  const env = at(root, 'Enveloppe/EnveloppeUnitaire');
  const envelope: PivotEnvelope = {
    version: attr(root, 'Version'),
    parameters: all(env, 'Parametres/ParametreIndiv').map((p) => ({
      code: text(p, 'Code') ?? '',
      value: text(p, 'Valeurparametre') ?? '',
      note: text(p, 'Note'),
    })),
    recepteur: { id: text(env, 'Partenaires/Recepteur/Id'), label: text(env, 'Partenaires/Recepteur/Libelle') },
    emetteur: { id: text(env, 'Partenaires/Emetteur/Id'), label: text(env, 'Partenaires/Emetteur/Libelle') },
  };
  const factures = kid(root, 'CPPFactures');
  return {
    envelope,
    declaredCount: attr(factures, 'Compteur'),
    invoices: kids(factures, 'CPPFacturePivotUnitaire').map((u) => unit(u, contents)),
  };
}

