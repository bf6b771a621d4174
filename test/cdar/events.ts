/**
 * Representative CDAR events: every status chorus-flux emits, with the parties and reasons the
 * pipeline would give them. Expectations never come from the writer: the official XSD and the
 * BR-FR-CDV schematron judge the messages (cdar-oracle.test.ts).
 */
import type { Finding } from '../../src/model/finding';
import { emptyInvoice, type Invoice } from '../../src/model/invoice';
import { cdarInvoiceRef, cdarReasons, cdarRejectionStatus, cdarSellerParty } from '../../src/emit/cdar/build';
import type { CdarEvent, CdarInvoiceRef, CdarParty } from '../../src/emit/cdar/serialize';
import { cppStatutMapping } from '../../src/emit/cdar/tables';

/** A French seller (SIRET with a valid Luhn key) and a public buyer. */
export const SELLER_SIRET = '73282932000074';
export const BUYER_SIRET = '11000201100044';

export const seller: CdarParty = { id: SELLER_SIRET, scheme: '0009', name: 'ATELIER DUPONT SARL', role: 'SE' };
export const buyerAsRecipient: CdarParty = { id: BUYER_SIRET, scheme: '0009', name: 'MINISTERE DES ARMEES', role: 'BY' };

export const invoice: CdarInvoiceRef = {
  number: 'FA-2025-0042',
  typeCode: '380',
  issueDate: '2025-03-14',
  sellerId: SELLER_SIRET,
  sellerScheme: '0009',
  sellerName: 'ATELIER DUPONT SARL',
  receivedAt: '2025-03-14T09:12:30Z',
  buyer: { id: BUYER_SIRET, scheme: '0009', name: 'MINISTERE DES ARMEES' },
};

const base = (status: CdarEvent['status'], id: string): Omit<CdarEvent, 'recipient'> => ({
  messageId: `CF-${id}`,
  issuedAt: '2025-03-14T10:00:05Z',
  statusAt: '2025-03-14T09:59:58Z',
  status,
  invoice,
});

const LONG = `Le service gestionnaire refuse la facture : ${'le bon de commande référencé ne correspond à aucune prestation réalisée pour ce service, merci de vous rapprocher du service acheteur. '.repeat(4)}`;

/** Findings of the kinds the validation produces (rule ids as in src/transform/validate/rules). */
export const findings = {
  rejection: [
    { rule: 'BR-CO-10', severity: 'fatal', message: 'Sum of Invoice line net amount (BT-106) = Σ BT-131: 1250.00 ≠ 1200.00.' },
    { rule: 'BR-CO-15', severity: 'fatal', message: 'Invoice total amount with VAT (BT-112) = BT-109 + BT-110.' },
    { rule: 'BR-S-05', severity: 'fatal', message: 'A line of VAT category S has a rate of 0.' },
    { rule: 'CPRO-SIRET-FOURNISSEUR', severity: 'fatal', message: 'A French supplier is identified by its SIRET: give BT-30 (or BT-29) with schemeID 0009, 14 digits.' },
    { rule: 'CPRO-CODE-SERVICE-INCONNU', severity: 'fatal', message: 'The code service "FIN42" is not one of the recipient\'s code services (FIN01, FIN02).' },
    { rule: 'CPRO-ENGAGEMENT', severity: 'fatal', message: 'The recipient requires an engagement number in BT-13; none is given.' },
    { rule: 'BR-01', severity: 'fatal', message: `An Invoice shall have a Specification identifier (BT-24). ${'x'.repeat(400)}` },
    { rule: 'CPRO-PJ-NOM', severity: 'warning', message: 'Attachment 1: the name is longer than 50 characters.' },
  ] as Finding[],
  duplicate: [{ rule: 'CPRO-DOUBLON', severity: 'fatal', message: 'Invoice FA-2025-0042 of supplier 73282932000074 for 2025 was already received on 2025-03-10.' }] as Finding[],
  unreadable: [
    { rule: 'FLUX-MALFORMED', severity: 'fatal', message: 'Malformed XML at line 12: closing tag </cbc:ID> does not match <cbc:Note>.' },
    { rule: 'CPRO-PJ-EXTENSION', severity: 'fatal', message: 'Attachment 2 "devis.exe": the extension "EXE" is not allowed by Chorus Pro.' },
    { rule: 'BR-CO-10', severity: 'fatal', message: 'a semantic finding, not written under 501' },
  ] as Finding[],
  suspension: [{ rule: 'CPRO-ENGAGEMENT', severity: 'fatal', message: 'The recipient requires an engagement number in BT-13 (Purchase order reference); none is given. The supplier can complete the invoice.' }] as Finding[],
};

export function representativeEvents(): Record<string, CdarEvent> {
  const rejectionStatus = cdarRejectionStatus(findings.rejection);
  const irrStatus = cdarRejectionStatus(findings.unreadable);
  return {
    '200-deposee': { ...base('200', '200'), recipient: { ...seller, uri: { id: `${SELLER_SIRET.slice(0, 9)}_STATUTS`, scheme: '0225' } }, otherRecipients: [{ id: '9998', scheme: '0238', name: 'PPF', role: 'DFH' }] },
    '201-emise': { ...base('201', '201'), recipient: seller, sender: { id: '0042', scheme: '0238', name: 'CHORUS-FLUX' } },
    '203-mise-a-disposition': { ...base('203', '203'), recipient: seller },
    '203-texte-controle': { ...base('203', '203-ctl'), invoice: { ...invoice, sellerName: 'DUPONT\u0001 & FILS <SA>\ud800' }, recipient: { ...seller, name: 'DUPONT\u0007 & FILS' }, reasons: [{ code: 'AUTRE', text: 'texte \ud800 avec \uffff des caractères interdits \u0002' }] },
    '205-approuvee-service-fait': { ...base('205', '205'), recipient: seller },
    '208-suspendue-pipeline': { ...base('208', '208'), recipient: seller, reasons: cdarReasons(findings.suspension, '208') },
    '208-suspendue-si': {
      ...base('208', '208-si'),
      recipient: seller,
      issuer: { id: BUYER_SIRET, scheme: '0009', name: 'MINISTERE DES ARMEES', role: 'BY' },
      reasons: [{ code: cppStatutMapping('06')?.reason as string, text: 'Pièce justificative manquante : procès-verbal de réception.' }],
    },
    '209-completee': { ...base('209', '209'), recipient: buyerAsRecipient },
    '210-refusee': { ...base('210', '210'), recipient: seller, reasons: [{ code: cppStatutMapping('05')?.reason as string, text: LONG }] },
    '211-paiement-transmis': { ...base('211', '211'), recipient: seller, amounts: [{ amount: '1440.00', vatRate: '20', currency: 'EUR' }] },
    '212-encaissee': { ...base('212', '212'), recipient: buyerAsRecipient, amounts: [{ amount: '1200.00', vatRate: '20.00', currency: 'EUR' }, { amount: '105.50', vatRate: '5.5' }] },
    '213-rejetee-plusieurs-motifs': { ...base(rejectionStatus, '213'), recipient: seller, reasons: cdarReasons(findings.rejection, rejectionStatus) },
    '213-doublon': { ...base('213', '213-dup'), recipient: seller, reasons: cdarReasons(findings.duplicate, '213') },
    '221-erreur-routage': { ...base('221', '221'), recipient: seller, reasons: [{ code: cppStatutMapping('04')?.reason as string, text: 'Code service inconnu du destinataire.' }] },
    '501-irrecevable': {
      ...base(irrStatus, '501'),
      invoice: { number: 'facture_dupont_0042.xml' },
      recipient: seller,
      reasons: cdarReasons(findings.unreadable, irrStatus),
    },
    '381-avoir-rejete': { ...base('213', '381'), invoice: { ...invoice, number: 'AV-2025-0007', typeCode: '381' }, recipient: seller, reasons: cdarReasons(findings.duplicate, '213') },
  };
}

/** A UBL-like invoice in the model, for the builders. */
export function modelInvoice(patch: (inv: Invoice) => void): Invoice {
  const inv = emptyInvoice('UBL');
  inv.documentKind = 'Invoice';
  inv.number = 'INV-77';
  inv.typeCode = '380';
  inv.issueDate = '2025-04-02';
  inv.buyer.legalId = { value: BUYER_SIRET, scheme: '0009' };
  inv.buyer.name = 'MINISTERE DES ARMEES';
  patch(inv);
  return inv;
}

/** Sellers without SIRET: EU (VAT number), outside the EU, New Caledonia (pivot RIDET). */
export function foreignSellerEvents(): Record<string, CdarEvent> {
  const eu = modelInvoice((i) => {
    i.seller.name = 'Muster Handel GmbH';
    i.seller.vatId = 'DE 123456789';
    i.seller.address = { countryCode: 'DE' };
  });
  const nonEu = modelInvoice((i) => {
    i.seller.name = 'Nordic Fjord Consulting AS';
    i.seller.vatId = 'NO999888777MVA';
    i.seller.address = { countryCode: 'NO' };
    i.seller.electronicAddress = { value: '999888777', scheme: '0192' };
  });
  const ridet = modelInvoice((i) => {
    i.syntax = 'PIVOT';
    i.chorus.supplierIdType = '4';
    i.chorus.supplierId = '1234567001';
    i.seller.name = 'SARL NOUMEA';
    i.seller.address = { countryCode: 'NC' };
  });
  const ev = (name: string, inv: Invoice, status: CdarEvent['status']): CdarEvent => {
    const ref = cdarInvoiceRef(inv, '2025-04-02T08:00:00+02:00');
    const recipient = cdarSellerParty(inv);
    if (!ref || !recipient) throw new Error(`${name}: no seller identifier`);
    return {
      messageId: `CF-${name}`,
      issuedAt: '2025-04-02T08:01:00+02:00',
      statusAt: '2025-04-02T08:00:30+02:00',
      status,
      invoice: ref,
      recipient,
      reasons: status === '208' ? cdarReasons(findings.suspension, '208') : status === '213' ? cdarReasons(findings.rejection, '213') : undefined,
    };
  };
  return {
    'vendeur-ue-0223-213': ev('ue', eu, '213'),
    'vendeur-hors-ue-0227-203': ev('hors-ue', nonEu, '203'),
    'vendeur-hors-ue-0227-208': ev('hors-ue-208', nonEu, '208'),
    'vendeur-ridet-0228-209': ev('ridet', ridet, '209'),
  };
}
