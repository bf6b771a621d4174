/**
 * CDAR D22B messages against the official oracles: the UN/CEFACT CDAR D22B XSD (xmllint) and
 * the French BR-FR-CDV schematron (XSLT 2.0, Saxon-HE). A message passes when it validates and
 * the SVRL holds no failed assertion (the fatal ones are errors; none at all is expected).
 * The oracle itself is proven on the public sample (passes) and the invalid one (fails), and on
 * mutations of our own messages (each mutation trips the rule it targets).
 * Everything is checked in one batch: one xmllint call and one JVM.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cdarInvoiceRef, cdarReasons, cdarSellerParty } from '../../src/emit/cdar/build';
import { type CdarEvent, serializeCdar } from '../../src/emit/cdar/serialize';
import {
  CDAR_REASON_RULES,
  CDAR_STATUSES,
  CDAR_STATUS_CODES,
  type CdarStatusCode,
  allowedReasonCodes,
  cdarStatusForCppStatut,
  reasonCodeFor,
} from '../../src/emit/cdar/tables';
import { parseFlux } from '../../src/transform/parse/flux';
import { corpus, corpusFiles } from '../helpers/corpus';
import { BUYER_SIRET, foreignSellerEvents, invoice, representativeEvents, seller } from './events';
import { CDV_WARNING_XSLT, type OracleResult, checkCdar } from './oracle';

const SAMPLE = corpus('cdar-samples/UC1_F202500003_01-CDV-200_Deposee.xml');
const INVALID = corpus('cdar-samples/invalid_cdar.xml');

/** One event per status of schemas/cdar-status.json, with the reasons and parties it needs. */
function everyStatusEvents(): Record<string, CdarEvent> {
  const out: Record<string, CdarEvent> = {};
  for (const s of CDAR_STATUS_CODES) {
    const info = CDAR_STATUSES[s];
    const allowed = allowedReasonCodes(s);
    out[`statut-${s}`] = {
      messageId: `ALL-${s}`,
      issuedAt: '2025-12-31T23:30:00Z', // 2026-01-01 00:30 in Paris
      statusAt: '2025-12-31T23:29:59Z',
      status: s,
      invoice,
      recipient: info.issuerRole === 'SE' ? { id: BUYER_SIRET, scheme: '0009', role: 'BY' } : seller,
      reasons: info.reasonRequired || allowed ? [{ code: reasonCodeFor('CPRO-DOUBLON', s) }] : undefined,
      amounts: info.amountsRequired ? [{ amount: '10.00', vatRate: '20' }] : undefined,
    };
  }
  return out;
}

/** Per restricted status, one message carrying the reason every table entry resolves to. */
function everyReasonEvents(): Record<string, CdarEvent> {
  const out: Record<string, CdarEvent> = {};
  for (const s of CDAR_STATUS_CODES) {
    const samples = CDAR_REASON_RULES.map((r) => (Array.isArray(r.match) ? r.match[0] : r.match).replace(/\*/g, 'X'));
    const codes = [...new Set([...samples, 'UNKNOWN-RULE'].map((id) => reasonCodeFor(id, s)))];
    out[`motifs-${s}`] = {
      messageId: `REASONS-${s}`,
      issuedAt: '2025-07-01T12:00:00Z',
      statusAt: '2025-07-01T11:59:00Z',
      status: s,
      invoice,
      recipient: CDAR_STATUSES[s].issuerRole === 'SE' ? { id: BUYER_SIRET, scheme: '0009', role: 'BY' } : seller,
      reasons: codes.map((code) => ({ code, text: `motif ${code} pour le statut ${s}` })),
      amounts: CDAR_STATUSES[s].amountsRequired ? [{ amount: '1', vatRate: '0' }] : undefined,
    };
  }
  return out;
}

/** Every CPPStatut invoice status with a CDAR equivalent, as the finance SI would send it. */
function cppStatutEvents(): Record<string, CdarEvent> {
  const out: Record<string, CdarEvent> = {};
  for (let k = 1; k <= 12; k++) {
    const id = String(k).padStart(2, '0');
    const s = cdarStatusForCppStatut(id);
    if (s === null) continue;
    const info = CDAR_STATUSES[s];
    out[`cppstatut-${id}-${s}`] = {
      messageId: `CPP-${id}`,
      issuedAt: '2025-07-01T12:00:00+02:00',
      statusAt: '2025-07-01T11:00:00+02:00',
      status: s,
      invoice,
      recipient: info.issuerRole === 'SE' ? { id: BUYER_SIRET, scheme: '0009', role: 'BY' } : seller,
      reasons: info.reasonRequired || s === '221' ? [{ code: reasonCodeFor('SI-COMMENT', s), text: 'Commentaire du SI financier' }] : undefined,
    };
  }
  return out;
}

/** Real invoices through the project's parsers and the builder: official EN 16931 examples and Chorus pivots. */
async function realInvoiceEvents(): Promise<Record<string, CdarEvent>> {
  const out: Record<string, CdarEvent> = {};
  const files = [...corpusFiles('en16931/ubl-examples'), ...corpusFiles('en16931/cii-examples'), ...corpusFiles('chorus-samples/pivot')];
  let n = 0;
  for (const file of files) {
    const r = await parseFlux(readFileSync(file));
    if (r.kind === 'CPPStatut') continue;
    for (const inv of r.invoices) {
      const ref = cdarInvoiceRef(inv, '2025-07-01T10:00:00Z');
      const recipient = cdarSellerParty(inv);
      if (!ref || !recipient || ref.issueDate === undefined) continue;
      const status: CdarStatusCode = n % 2 === 0 ? '203' : '213';
      out[`reel-${n++}-${path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}`] = {
        messageId: `REAL-${n}`,
        issuedAt: '2025-07-01T10:00:10Z',
        statusAt: '2025-07-01T10:00:05Z',
        status,
        invoice: ref,
        recipient,
        reasons: status === '213' ? cdarReasons([{ rule: 'BR-CO-16', severity: 'fatal', message: 'Amount due for payment (BT-115) is wrong.' }], '213') : undefined,
      };
    }
  }
  return out;
}

/** Mutations of our own messages, each aimed at one BR-FR-CDV rule. */
function mutations(docs: Record<string, string>): Record<string, { xml: string; rule: string }> {
  const rej = docs['213-rejetee-plusieurs-motifs'];
  const susp = docs['208-suspendue-pipeline'];
  const dep = docs['203-mise-a-disposition'];
  return {
    'mut-213-motif-hors-liste': { xml: rej.replace(/<ram:ReasonCode>[^<]*<\/ram:ReasonCode>/, '<ram:ReasonCode>SIRET_ERR</ram:ReasonCode>'), rule: 'BR-FR-CDV-CL-09_MDT-113_213' },
    'mut-208-sans-sequence': { xml: susp.replace(/<ram:SequenceNumeric>1<\/ram:SequenceNumeric>/, ''), rule: 'BR-FR-CDV-16_MDT-124-2' },
    'mut-208-sans-motif': { xml: susp.replace(/<ram:SpecifiedDocumentStatus>[\s\S]*<\/ram:SpecifiedDocumentStatus>/, ''), rule: 'BR-FR-CDV-15_MDT-113' },
    'mut-203-sans-adresse': { xml: dep.replace(/<ram:URIUniversalCommunication>[\s\S]*?<\/ram:URIUniversalCommunication>/, ''), rule: 'BR-FR-CDV-08_MDT-73' },
    'mut-203-sans-vendeur': { xml: dep.replace(/(<ram:ReferenceReferencedDocument>[\s\S]*<ram:IssuerTradeParty>)[\s\S]*?(<ram:Name>)/, '$1$2'), rule: 'BR-FR-CDV-13_MDT-129' },
    'mut-203-type-facture': { xml: dep.replace('<ram:TypeCode>380</ram:TypeCode>', '<ram:TypeCode>326</ram:TypeCode>'), rule: 'BR-FR-04_MDT-91' },
  };
}

describe('CDAR D22B messages against the XSD and the BR-FR-CDV schematron', () => {
  const docs: Record<string, string> = {};
  let muts: Record<string, { xml: string; rule: string }> = {};
  let results: Map<string, OracleResult>;

  beforeAll(async () => {
    const events = { ...representativeEvents(), ...foreignSellerEvents(), ...everyStatusEvents(), ...everyReasonEvents(), ...cppStatutEvents(), ...(await realInvoiceEvents()) };
    for (const [name, e] of Object.entries(events)) docs[name] = serializeCdar(e);
    muts = mutations(docs);
    results = checkCdar({ ...docs, ...Object.fromEntries(Object.entries(muts).map(([k, v]) => [k, v.xml])) }, { 'sample-200-deposee': SAMPLE, 'sample-invalide': INVALID });
  }, 180000);

  it('the oracle accepts the public sample UC1_…-CDV-200_Deposee.xml', () => {
    const r = results.get('sample-200-deposee') as OracleResult;
    expect(r.xsdErrors).toEqual([]);
    expect(r.xsdValid).toBe(true);
    expect(r.failed).toEqual([]);
  });

  it('the oracle refuses the public invalid_cdar.xml (XSD and fatal schematron failures)', () => {
    const r = results.get('sample-invalide') as OracleResult;
    expect(r.xsdValid).toBe(false);
    expect(r.fatal.map((f) => f.id)).toEqual(expect.arrayContaining(['BR-FR-CDV-03_MDT-4', 'BR-FR-CDV-08_MDT-73', 'BR-FR-CDV-13_MDT-129', 'BR-FR-CDV-CL-01_MDT-2']));
  });

  it('each mutation of our messages trips the rule it aims at', () => {
    for (const [name, m] of Object.entries(muts)) {
      const r = results.get(name) as OracleResult;
      expect({ name, fatal: r.fatal.map((f) => f.id) }).toEqual({ name, fatal: expect.arrayContaining([m.rule]) });
    }
  });

  it('covers every status of the table, every representative event and real invoices', () => {
    for (const s of CDAR_STATUS_CODES) expect(Object.keys(docs)).toContain(`statut-${s}`);
    expect(Object.keys(docs).filter((k) => k.startsWith('reel-')).length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(docs).filter((k) => k.startsWith('cppstatut-')).length).toBe(9);
  });

  it('every generated message validates against the XSD and has no failed assertion', () => {
    const bad = Object.keys(docs)
      .map((name) => ({ name, r: results.get(name) as OracleResult }))
      .filter(({ r }) => !r.xsdValid || r.failed.length > 0)
      .map(({ name, r }) => ({ name, xsd: r.xsdErrors, failed: r.failed.map((f) => `${f.flag} ${f.id}: ${f.text.slice(0, 200)}`) }));
    expect(bad).toEqual([]);
  });

  it('every reason text is at most 300 characters', () => {
    let count = 0;
    for (const xml of Object.values(docs)) {
      for (const m of xml.matchAll(/<ram:Reason>([^<]*)<\/ram:Reason>/g)) {
        count++;
        const text = m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'");
        expect([...text].length).toBeLessThanOrEqual(300);
      }
    }
    expect(count).toBeGreaterThan(50);
    // the long refusal text and the long finding were cut, not dropped
    expect(docs['210-refusee']).toMatch(/<ram:Reason>Le service gestionnaire refuse la facture[^<]*…<\/ram:Reason>/);
    expect(docs['213-rejetee-plusieurs-motifs']).toMatch(/<ram:Reason>BR-01 : An Invoice shall have[^<]*…<\/ram:Reason>/);
  });

  it('the 501 message carries only the reception-level reasons', () => {
    const xml = docs['501-irrecevable'];
    const codes = [...xml.matchAll(/<ram:ReasonCode>([^<]*)</g)].map((m) => m[1]);
    expect(codes).toEqual(['IRR_SYNTAX', 'IRR_EXT_DOC']);
  });

  it('the _WARNING variant of the schematron (transition period) reports nothing either', () => {
    const sample = Object.fromEntries(Object.entries(representativeEvents()).map(([k, e]) => [k, serializeCdar(e)]));
    const warn = checkCdar(sample, { 'sample-invalide': INVALID }, CDV_WARNING_XSLT);
    for (const name of Object.keys(sample)) expect({ name, failed: warn.get(name)?.failed }).toEqual({ name, failed: [] });
    // same rules, flagged warning: the invalid sample trips them as warnings, none fatal
    const bad = warn.get('sample-invalide') as OracleResult;
    expect(bad.fatal).toEqual([]);
    expect(bad.failed.map((f) => f.id)).toEqual(expect.arrayContaining(['BR-FR-CDV-03_MDT-4', 'BR-FR-CDV-13_MDT-129']));
  }, 60000);

  it('lists the sample folder it reads (in place, nothing copied)', () => {
    expect(readdirSync(corpus('cdar-samples'))).toEqual(expect.arrayContaining([path.basename(SAMPLE), path.basename(INVALID)]));
  });
});
