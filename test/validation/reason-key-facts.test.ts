/**
 * A reason written into a status flow (LibelleErreur, CDAR Reason) is cut at 300 characters
 * (util/reason, IPM4-009); the journal keeps it whole. Each message template of the rule tables
 * is rendered here with the longest realistic values of its placeholders, and what an operator
 * must read — the field, the value found, the value expected, the rule's key fact — has to lie
 * in what the flow keeps: facts first, the why after.
 */
import { olderThanAnswered, olderThanLast } from '../../src/lifecycle/older-status';
import { INVOICE_STATES, type StateName } from '../../src/lifecycle/states';
import { flowLineProblem, invoiceLineFinding, invoiceLineProblem } from '../../src/lifecycle/status-line-checks';
import type { InboundFluxStatus, InboundInvoiceStatus } from '../../src/transform/parse/statut';
import { ALL_RULES } from '../../src/transform/validate/rules';
import { cutReason } from '../../src/util/reason';

const NAME_255 = `${'Facture-fournisseur-releve-detaille-'.repeat(7)}x`.slice(0, 250) + '.docm'; // a file name of 255 bytes
const TOO_LONG = 'Commande passée le 02/11/2026 par le service achats, '.repeat(6); // a free text pasted in a reference field (318)
const RECIPIENT = "Direction régionale des finances publiques de Provence-Alpes-Côte d'Azur"; // a recipient's name from the routing table
const AMOUNT = '-9999999999999.999999'; // 19 positions, 6 decimals, signed
const TOO_MANY = '12345678901234567890123.1234567'; // an amount the pivot cannot carry
const STAMP = '20261120';
const NOM_PJ_ORIGINE = NAME_255; // as a deposited pivot carries it
const INVISIBLE = Array(35).fill('U+00A0').join(' '); // a name padded with 35 no-break spaces

/** Per rule: its placeholders' values, and the facts the flow's reason must carry. */
const CASES: Record<string, { values: Record<string, string | number>; facts: string[] }> = {
  'FACTURX-PROFIL': { values: { profile: 'MINIMUM', guideline: 'urn:factur-x.eu:1p0:minimum' }, facts: ['MINIMUM', 'urn:factur-x.eu:1p0:minimum', 'BASIC, EN 16931 or EXTENDED'] },
  'FACTURX-XMP': { values: { said: 'EXTENDED', is: 'BASIC WL', guideline: 'urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended' }, facts: ['EXTENDED', 'BASIC WL', 'the invoice is read from the XML'] },
  'FACTURX-PDFA': { values: { found: '; it says part 2' }, facts: ['PDF/A-3', 'it says part 2', 'read from its embedded XML'] },
  'FACTURX-ACTIONS': { values: { found: 'JavaScript on page 1; and 40 more' }, facts: ['JavaScript on page 1; and 40 more', 'read from its embedded XML'] },
  'CPRO-SIRET-FORMAT': { values: { who: 'seller', reason: '"FR123456789012345" is not 14 digits' }, facts: ['seller', 'FR123456789012345', '14 digits with a valid key'] },
  'CPRO-DESTINATAIRE-INCONNU': { values: { siret: '11000201100044' }, facts: ['11000201100044', 'not in the routing table'] },
  'CPRO-CODE-SERVICE': { values: { recipient: RECIPIENT }, facts: [RECIPIENT, 'BT-10'] },
  'CPRO-CODE-SERVICE-INCONNU': { values: { code: 'SERVICE-ACHATS-'.repeat(6), recipient: RECIPIENT, known: Array.from({ length: 10 }, (_, k) => `SERVICE-${k}`).join(', ') }, facts: ['SERVICE-ACHATS-'.repeat(6), RECIPIENT, 'SERVICE-0'] },
  'CPRO-ENGAGEMENT': { values: { recipient: RECIPIENT, placeholder: ' ("NA" in OrderReference/ID is UBL\'s placeholder for no purchase order)' }, facts: [RECIPIENT, 'BT-13', '"NA"'] },
  'CPRO-PJ-REQUISE': { values: { recipient: RECIPIENT }, facts: [RECIPIENT, 'BG-24', 'The supplier can complete the invoice'] },
  'CPRO-LONGUEUR-NUMERO': { values: { value: TOO_LONG, length: [...TOO_LONG].length }, facts: ['BT-1', 'at most 20 characters', `has ${[...TOO_LONG].length}`] },
  'CPRO-LONGUEUR-FACTURE-ORIGINE': { values: { value: TOO_LONG, length: [...TOO_LONG].length }, facts: ['BT-25', 'at most 20 characters', `has ${[...TOO_LONG].length}`] },
  'CPRO-LONGUEUR-MARCHE': { values: { value: TOO_LONG, length: [...TOO_LONG].length }, facts: ['BT-12', 'at most 50 characters', `has ${[...TOO_LONG].length}`] },
  'CPRO-LONGUEUR-ENGAGEMENT': { values: { value: TOO_LONG, length: [...TOO_LONG].length }, facts: ['BT-13', 'at most 50 characters', `has ${[...TOO_LONG].length}`] },
  'CPRO-LONGUEUR-CODE-SERVICE': { values: { value: TOO_LONG, length: [...TOO_LONG].length }, facts: ['BT-10', 'at most 100 characters', `has ${[...TOO_LONG].length}`] },
  'CPRO-PAYS': { values: { value: 'FRANCE' }, facts: ['BT-40', 'ISO 3166-1', '"FRANCE"'] },
  'CPRO-MONTANT-FORMAT': { values: { name: 'Ligne[9999]/PrixUnitaire (BT-146)', value: TOO_MANY }, facts: ['Ligne[9999]/PrixUnitaire (BT-146)', TOO_MANY, 'at most 19 digits with at most 6 decimals'] },
  'CPRO-NOMBRE-FORMAT': { values: { name: 'Ligne[9999]/Quantite (BT-129)', value: TOO_MANY, digits: 30 }, facts: ['Ligne[9999]/Quantite (BT-129)', TOO_MANY, 'has 30 digits', 'at most 19 digits'] },
  // the attachment's name as shownName gives it: at most 50 characters
  'CPRO-PJ-CONTENU': { values: { n: 99, name: NAME_255.slice(0, 50), reason: 'the PDF is cut short: it does not end with %%EOF, the end mark of a whole PDF (cut during the transfer?); send the whole file again' }, facts: ['Attachment 99', NAME_255.slice(0, 50), 'send the whole file again'] },
  'CPRO-PJ-EXTENSION': { values: { n: 99, name: NAME_255.slice(0, 50), ext: 'NUMBERS' }, facts: ['Attachment 99', '"NUMBERS"', 'not allowed', 'xlm pptx.'] },
  'CPRO-PJ-MIME': { values: { n: 99, name: NAME_255.slice(0, 50), declared: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', actual: 'application/pdf' }, facts: ['Attachment 99', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'its content is application/pdf'] },
  // a line's document: its id, file name and URI, at most 200 characters
  'CPRO-PJ-LIGNE': { values: { line: 'LIGNE-0000000009999', name: `DOC-1 – ${NAME_255}`.slice(0, 200) }, facts: ['Invoice line LIGNE-0000000009999', 'has a document attached', 'BG-24'] },
  'CPRO-PJ-TAILLE': { values: { n: 99, name: NAME_255.slice(0, 50), size: 1073741824, max: 10485760 }, facts: ['Attachment 99', '1073741824 bytes', 'under 10485760 bytes'] },
  'CPRO-PJ-TOTAL': { values: { size: 1073741824, max: 125829120 }, facts: ['1073741824 bytes', 'at most 125829120 bytes'] },
  'CPRO-CADRE': { values: { value: 'urn:'.padEnd(100, 'x') }, facts: ['BT-23', 'names no cadre', 'Cadre A1'] },
  'CPRO-FACTURE-ORIGINE-UNIQUE': {
    values: { count: 12, first: 'FA-2026-000000000001', others: Array.from({ length: 11 }, (_, k) => `"FA-2026-0000000000${String(k + 2).padStart(2, '0')}"`).join(', ') },
    facts: ['12 preceding invoices', '"FA-2026-000000000001"', 'only on the Factur-X pages'],
  },
  // the name as sent (a file name of 255 bytes): what is wrong is that it is long
  'CPRO-PJ-NOM': { values: { n: 99, name: NAME_255 }, facts: ['Attachment 99', 'longer than 50 characters', 'shortened in the pivot'] },
  'CPRO-PIVOT-REQUIS': { values: { name: 'ValidationUnitaire 99 DateStatut' }, facts: ['ValidationUnitaire 99 DateStatut', 'missing or empty'] },
  'CPRO-PIVOT-NOM': { values: { name: 'seller name (BT-27, Fournisseur/RaisonSociale)', codes: INVISIBLE, rule: 'BR-6' }, facts: ['seller name (BT-27, Fournisseur/RaisonSociale)', 'invisible characters only', 'BR-6 requires'] },
  'CPRO-PIVOT-DECIMAL': { values: { name: 'Ligne[9999]/Quantite (BT-129)', value: '1 234 567,890 EUR' }, facts: ['Ligne[9999]/Quantite (BT-129)', '"1 234 567,890 EUR"', 'not a decimal number'] },
  'CPRO-PIVOT-DATE': { values: { name: 'ValidationUnitaire 99 DateStatut', value: `${STAMP}T10:00:00+01:00` }, facts: ['ValidationUnitaire 99 DateStatut', `${STAMP}T10:00:00+01:00`, 'YYYY-MM-DD'] },
  // a deposited pivot's NomPJOrigine is a file name: 255 bytes, against at most 50
  'CPRO-PIVOT-CODE': { values: { name: 'PJ 99 NomPJOrigine', value: NOM_PJ_ORIGINE, allowed: 'at most 50 characters' }, facts: ['PJ 99 NomPJOrigine', 'not a value the CPPFacturePivot allows', 'at most 50 characters'] },
  'CPRO-PIVOT-INDICATEUR': { values: { value: 'VRAI' }, facts: ['"VRAI"', 'neither true nor false'] },
  'CPRO-PIVOT-DEVISE': { values: { value: 'EURO' }, facts: ['"EURO"', 'ISO 4217'] },
  'CPRO-PIVOT-TTC': { values: { ttc: AMOUNT, ht: AMOUNT, tax: AMOUNT, expected: AMOUNT }, facts: [`MontantTTC ${AMOUNT}`, `MontantHT ${AMOUNT}`, `= ${AMOUNT}`] },
  'CPRO-PIVOT-TTC-SANS-TVA': { values: { ttc: AMOUNT, ht: AMOUNT, vat: AMOUNT }, facts: [`MontantTTC ${AMOUNT}`, `MontantHT ${AMOUNT}`, 'no TVAs', `VAT of ${AMOUNT}`] },
  'CPRO-PIVOT-BASE-HT': { values: { bases: AMOUNT, ht: AMOUNT }, facts: [`add up to ${AMOUNT}`, `MontantHT ${AMOUNT}`] },
  'CPRO-PIVOT-TVA': { values: { index: 99, tax: AMOUNT, base: AMOUNT, rate: '19.600000', expected: AMOUNT }, facts: ['TVA 99', `MontantTVA ${AMOUNT}`, `BaseHt ${AMOUNT}`, 'Taux 19.600000 %', `= ${AMOUNT}`] },
  'CPRO-PIVOT-NET-A-PAYER': { values: { payable: AMOUNT, ttc: AMOUNT }, facts: [`MontantNetAPayer ${AMOUNT}`, `MontantTTC ${AMOUNT}`] },
  'CPRO-PIVOT-LIGNES': { values: { lines: AMOUNT, ht: AMOUNT }, facts: [`add up to ${AMOUNT}`, `MontantHT ${AMOUNT}`] },
};

const templated = ALL_RULES.filter((r) => /\{\w+\}/.test(r.message));
const render = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (m, k: string) => (values[k] === undefined ? m : String(values[k])));

it('has a case for every rule whose message has placeholders (a new rule is looked at too)', () => {
  expect([...new Set(templated.map((r) => r.id))].sort()).toEqual(Object.keys(CASES).sort());
});

describe.each(templated.map((r) => [r.id, r] as const))('%s', (_id, rule) => {
  it('keeps its key facts within the 300 characters a status flow carries', () => {
    const { values, facts } = CASES[rule.id];
    const message = render(rule.message, values);
    expect(message).not.toMatch(/\{\w+\}/); // every placeholder has a value
    const kept = cutReason(message);
    expect(facts.filter((f) => !kept.includes(f))).toEqual([]);
  });
});

/**
 * A finance SI's status line refused before any lifecycle is read: named by its position, its
 * invoice (20 characters) and supplier (a SIRET), a value quoted at most 40 characters (shown).
 */
describe('the refusals of an inbound status line', () => {
  const base: InboundInvoiceStatus = { index: 998, supplier: { typeId: '1', id: '12345678200010' }, buyer: { id: '11000201100044' }, idFacture: 'FA-2026-000000000001', idStatut: '07', horodatage: '2026-11-20T10:00:00+01:00' };
  const LONG = 'le 20 novembre 2026 à 10 heures, heure de Paris (service fait constaté)';
  const invoiceCases: [string, Partial<InboundInvoiceStatus>, string[]][] = [
    ['CPRO-STATUT-FACTURE', { supplier: { typeId: '1' } }, ['Fournisseur/Identifiant and IdFacture are required']],
    ['CPRO-STATUT-CODE', { idStatut: '0000000000000000000013' }, ['"0000000000000000000013"', '01 to 12']],
    ['CPRO-STATUT-HORODATAGE', { horodatage: LONG }, [`"${LONG.slice(0, 40)}…" is not a date and time`, 'xs:dateTime']],
    ['CPRO-STATUT-DATE', { dateFacture: LONG }, [`DateFacture "${LONG.slice(0, 40)}…" is not a date`, 'xs:date']],
  ];
  it.each(invoiceCases)('%s keeps its key facts within 300 characters', (rule, change, facts) => {
    const f = invoiceLineProblem({ ...base, ...change });
    expect(f?.rule).toBe(rule);
    const kept = cutReason(f?.message ?? '');
    expect(['Statut 999', 'FA-2026-000000000001', ...facts].filter((x) => !kept.includes(x))).toEqual([]);
  });
  const flow: InboundFluxStatus = { index: 998, idStatut: '93', idFlux: 'FLX-'.padEnd(50, '0'), horodatage: '2026-11-20T10:00:00+01:00', errors: [] };
  const flowCases: [string, Partial<InboundFluxStatus>, string[]][] = [
    ['CPRO-STATUT-CODE', { idStatut: LONG }, [`"${LONG.slice(0, 40)}…"`, '90 to 96']],
    ['CPRO-STATUT-FLUX', { idFlux: undefined }, ['IdFlux is empty']],
    ['CPRO-STATUT-HORODATAGE', { horodatage: LONG }, [`"${LONG.slice(0, 40)}…" is not a date and time`]],
  ];
  it.each(flowCases)('%s of a flow status keeps its key facts within 300 characters', (rule, change, facts) => {
    const f = flowLineProblem({ ...flow, ...change });
    expect(f?.rule).toBe(rule);
    const kept = cutReason(f?.message ?? '');
    expect(['Statut de flux 999', ...facts].filter((x) => !kept.includes(x))).toEqual([]);
  });
});

/**
 * CPRO-STATUT-ANTERIEUR, a status older than one the invoice has: its line's label, two
 * Horodatage of 35 characters (nanoseconds, an offset), every pair of statuses and every state
 * the invoice may have been in at that moment. Its words are the facts and a short why: the whole
 * reason fits, nothing cut (with the state names, 371 characters: the why was lost).
 */
describe('CPRO-STATUT-ANTERIEUR', () => {
  const line: InboundInvoiceStatus = { index: 998, supplier: { typeId: '1', id: '12345678200010' }, buyer: { id: '11000201100044' }, idFacture: 'FA-2026-000000000001', idStatut: '07', horodatage: '' };
  const AT = '2026-11-20T10:00:00.123456789+01:00';
  const NEWER = '2026-11-20T10:00:01.123456789+01:00';
  const states = Object.values(INVOICE_STATES) as StateName[];
  const code = (s: StateName) => Object.entries(INVOICE_STATES).find(([, n]) => n === s)![0];
  const cases = states.flatMap((to) =>
    states.flatMap((newer) => {
      const older = { to, siAt: AT, newer: { to: newer, siAt: NEWER } };
      const facts = [`status ${code(to)} of ${AT}`, `${code(newer)} of ${NEWER}`];
      return [
        { message: olderThanLast(older), facts: [...facts, 'does not replace a newer one'] },
        ...states.map((then) => ({ message: olderThanLast(older, then), facts: [...facts, `then ${code(then)}`, 'does not replace a newer one'] })),
        ...['Complétée', 'Recyclée'].map((renvoi) => ({ message: olderThanAnswered(older, renvoi), facts: [...facts, `Renvoi ${renvoi}`, 'as it was'] })),
      ];
    }),
  );
  it(`each of its ${cases.length} reasons is whole within the 300 characters a status flow carries, its facts first`, () => {
    const cut = cases.map(({ message, facts }) => ({ reason: invoiceLineFinding(line, 'CPRO-STATUT-ANTERIEUR', message).message, facts })).filter(({ reason, facts }) => cutReason(reason) !== reason || facts.some((f) => !reason.includes(f)));
    expect(cut).toEqual([]);
  });
});
