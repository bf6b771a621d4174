/**
 * The CDAR tables (schemas/cdar-status.json, schemas/cdar-reasons.json) against the official
 * BR-FR-CDV schematron XSLT: the closed reason list, the per-status reason lists, the status list,
 * the statuses that need a reason and the phase status codes are read from the XSLT, not restated.
 * Then every rule id the project's sources name resolves, for every status, to a reason the
 * schematron accepts; and the writer's own checks and formats.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { cdarBuyerParty, cdarSellerId, cdarSellerParty, cdarTypeCode } from '../../src/emit/cdar/build';
import {
  CdarEventError,
  type CdarEvent,
  cdarFileName,
  cdarProblems,
  globalIds,
  serializeCdar,
  sirenOf,
  toFormat102,
  toFormat204,
} from '../../src/emit/cdar/serialize';
import {
  CDAR_REASON_CODES,
  CDAR_REASON_RULES,
  CDAR_STATUSES,
  CDAR_STATUS_CODES,
  allowedReasonCodes,
  cdarStatusForCppStatut,
  naturalStatusFor,
  reasonAllowed,
  reasonCodeFor,
} from '../../src/emit/cdar/tables';
import { CDV_XSLT } from './oracle';
import { BUYER_SIRET, invoice, modelInvoice, seller } from './events';
import reasonsJson from '../../schemas/cdar-reasons.json';

const xslt = readFileSync(CDV_XSLT, 'utf8');

/** The whitespace-separated list a custom:… function of the XSLT holds. */
function functionList(name: string): string[] {
  const m = new RegExp(`name="custom:${name}"[\\s\\S]*?select="'([^']*)'"`).exec(xslt);
  if (!m) throw new Error(`custom:${name} not found in the XSLT`);
  return m[1].trim().split(/\s+/);
}

/** The `test` expression of the assertion whose id is given (as the compiled failed-assert repeats it). */
function assertTest(id: string): string {
  const re = /<svrl:failed-assert\b[^>]*?\btest="([^"]*)"[^>]*>\s*<xsl:attribute name="id">([^<]*)<\/xsl:attribute>/g;
  for (let m = re.exec(xslt); m; m = re.exec(xslt)) {
    if (m[2] === id) return m[1].replace(/&apos;/g, "'").replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
  }
  throw new Error(`assertion ${id} not found`);
}

/** The codes `(.) = 'X'` an assertion accepts. */
function acceptedCodes(id: string): string[] {
  return [...assertTest(id).matchAll(/\(\.\) = '([A-Z0-9_]+)'/g)].map((m) => m[1]);
}

const RESTRICTED = ['200', '206', '207', '208', '210', '213', '221', '501'];

describe('tables read from the official BR-FR-CDV XSLT', () => {
  it('the closed reason list is the XSLT one (BR-FR-CDV-CL-09)', () => {
    expect(Object.keys(CDAR_REASON_CODES).sort()).toEqual(functionList('is-valid-status-reason-code').sort());
  });

  it.each(RESTRICTED)('the reasons allowed for %s are those of BR-FR-CDV-CL-09_MDT-113_<status>', (s) => {
    expect([...(allowedReasonCodes(s) ?? [])].sort()).toEqual(acceptedCodes(`BR-FR-CDV-CL-09_MDT-113_${s}`).sort());
  });

  it('no other status has its own reason list', () => {
    const ids = [...xslt.matchAll(/<xsl:attribute name="id">BR-FR-CDV-CL-09_MDT-113_(\d+)<\/xsl:attribute>/g)].map((m) => m[1]);
    expect([...new Set(ids)].sort()).toEqual([...RESTRICTED].sort());
    expect(Object.keys((reasonsJson as { allowedByStatus: object }).allowedByStatus).sort()).toEqual([...RESTRICTED].sort());
  });

  it('every status written is in the XSLT status list (BR-FR-CDV-CL-06)', () => {
    const list = functionList('is-valid-invoice-status-code');
    for (const s of CDAR_STATUS_CODES) expect(list).toContain(s);
  });

  it('a reason is required exactly for the statuses of BR-FR-CDV-15', () => {
    const test = assertTest('BR-FR-CDV-15_MDT-113');
    const needing = [...new Set([...test.matchAll(/\(\.\) = '(\d+)'/g)].map((m) => m[1]))];
    for (const s of CDAR_STATUS_CODES) expect({ s, required: CDAR_STATUSES[s].reasonRequired }).toEqual({ s, required: needing.includes(s) });
  });

  it('the phase status codes are those BR-FR-CDV-CL-05 allows for the phase', () => {
    const allowed = (id: string) => [...assertTest(id).matchAll(/ram:StatusCode = '(\d+)'/g)].map((m) => m[1]);
    const byPhase = { '305': allowed('BR-FR-CDV-CL-05_MDT-88_305'), '23': allowed('BR-FR-CDV-CL-05_MDT-88_23') };
    expect(byPhase['305'].length).toBeGreaterThan(3);
    for (const s of CDAR_STATUS_CODES) {
      const info = CDAR_STATUSES[s];
      if (info.statusCode !== null) expect({ s, ok: byPhase[info.typeCode].includes(info.statusCode) }).toEqual({ s, ok: true });
      // BR-FR-CDV-CL-03: a transmission-phase status is issued by the platform (WK)
      expect({ s, wk: info.issuerRole === 'WK' }).toEqual({ s, wk: info.typeCode === '305' });
    }
  });

  it('only 212 needs the amounts cashed (BR-FR-CDV-14)', () => {
    expect(assertTest('BR-FR-CDV-14_MDT-207')).toContain("ram:ProcessConditionCode = '212'");
    expect(CDAR_STATUS_CODES.filter((s) => CDAR_STATUSES[s].amountsRequired)).toEqual(['212']);
  });
});

/** Every rule id the sources name (validation rules, flux errors, runner findings). */
function projectRuleIds(): string[] {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(f)) for (const m of readFileSync(p, 'utf8').matchAll(/['"]((?:FLUX|CPRO|BR)-[A-Z0-9]+(?:-[A-Z0-9]+)*)['"]/g)) ids.add(m[1]);
    }
  };
  walk(path.resolve(__dirname, '../../src'));
  return [...ids].sort();
}

describe('rule ids to reason codes', () => {
  const ids = projectRuleIds();

  it('finds the project rule ids', () => {
    expect(ids).toEqual(expect.arrayContaining(['FLUX-MALFORMED', 'FLUX-TAILLE', 'CPRO-DOUBLON', 'CPRO-ENGAGEMENT', 'CPRO-SIRET-FOURNISSEUR', 'CPRO-PJ-TAILLE']));
    expect(ids.length).toBeGreaterThan(40);
  });

  it('every table entry is consistent: its reason is allowed under its own status, its overrides under theirs', () => {
    for (const r of CDAR_REASON_RULES) {
      expect({ m: r.match, ok: reasonAllowed(r.status, r.reason) }).toEqual({ m: r.match, ok: true });
      for (const [s, code] of Object.entries(r.byStatus ?? {})) expect({ m: r.match, s, ok: reasonAllowed(s, code as string) }).toEqual({ m: r.match, s, ok: true });
    }
  });

  it('for every project rule id and every status written, the reason is one the schematron accepts', () => {
    const bad: string[] = [];
    for (const id of [...ids, 'SOMETHING-NEW', 'FLUX-NOUVEAU', 'CPRO-NOUVEAU', 'BR-NOUVEAU']) {
      for (const s of CDAR_STATUS_CODES) {
        const code = reasonCodeFor(id, s);
        if (!reasonAllowed(s, code)) bad.push(`${id} @${s} → ${code}`);
      }
      if (!reasonAllowed(naturalStatusFor(id), reasonCodeFor(id))) bad.push(`${id} natural → ${reasonCodeFor(id)}`);
    }
    expect(bad).toEqual([]);
  });

  it('reception-level rules are 501 with IRR_* reasons; suspendable rules are 208', () => {
    for (const id of ids.filter((i) => i.startsWith('FLUX-'))) {
      expect(naturalStatusFor(id)).toBe('501');
      expect(reasonCodeFor(id)).toMatch(/^IRR_/);
    }
    expect(reasonCodeFor('FLUX-EMPTY')).toBe('IRR_VIDE_F');
    expect(reasonCodeFor('FLUX-TAILLE')).toBe('IRR_TAILLE_F');
    expect(reasonCodeFor('FLUX-ROOT')).toBe('IRR_TYPE_F');
    expect(reasonCodeFor('CPRO-PJ-TAILLE')).toBe('IRR_TAILLE_PJ');
    expect(naturalStatusFor('CPRO-ENGAGEMENT')).toBe('208');
    expect(naturalStatusFor('CPRO-PJ-REQUISE')).toBe('208');
    expect(reasonCodeFor('CPRO-PJ-REQUISE', '208')).toBe('JUSTIF_ABS');
  });

  it('maps by family and prefix, and specific entries win over the VAT globs', () => {
    expect(reasonCodeFor('CPRO-DOUBLON', '213')).toBe('DOUBLON');
    expect(reasonCodeFor('CPRO-DESTINATAIRE-INCONNU', '213')).toBe('DEST_INC');
    expect(reasonCodeFor('CPRO-SIRET-FORMAT', '208')).toBe('SIRET_ERR');
    expect(reasonCodeFor('CPRO-CODE-SERVICE', '208')).toBe('CODE_ROUTAGE_ERR');
    expect(reasonCodeFor('BR-CO-10')).toBe('CALCUL_ERR');
    expect(reasonCodeFor('BR-CO-16')).toBe('MONTANTTOTAL_ERR');
    expect(reasonCodeFor('BR-CO-25')).toBe('REJ_COH');
    expect(reasonCodeFor('BR-S-08')).toBe('CALCUL_ERR');
    expect(reasonCodeFor('BR-AE-09')).toBe('CALCUL_ERR');
    expect(reasonCodeFor('BR-S-05', '210')).toBe('TX_TVA_ERR');
    expect(reasonCodeFor('BR-CL-05')).toBe('REJ_SEMAN');
    expect(reasonCodeFor('BR-DEC-09')).toBe('REJ_SEMAN');
    expect(reasonCodeFor('BR-12')).toBe('REJ_SEMAN');
    expect(reasonCodeFor('br-co-15 ')).toBe('MONTANTTOTAL_ERR');
  });
});

describe('CPPStatut → CDAR', () => {
  it('maps the statuses the brief names and leaves the accounting steps CPPStatut-only', () => {
    const m = Object.fromEntries(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((k) => [k, cdarStatusForCppStatut(k)]));
    expect(m).toMatchObject({ '01': '200', '03': '203', '05': '210', '06': '208', '11': '211', '12': '209', '08': null, '09': null, '10': null });
    expect(cdarStatusForCppStatut('1')).toBe('200');
    expect(cdarStatusForCppStatut('93')).toBeNull();
  });
});

describe('writer checks and formats', () => {
  const ok: CdarEvent = { messageId: 'M-1', issuedAt: '2025-07-01T12:00:00Z', statusAt: '2025-07-01T11:00:00Z', status: '203', invoice, recipient: seller };

  it('accepts a plain event', () => expect(cdarProblems(ok)).toEqual([]));

  it.each<[string, Partial<CdarEvent>, RegExp]>([
    ['213 without reason', { status: '213' }, /needs at least one reason/],
    ['reason outside the status list', { status: '213', reasons: [{ code: 'SIRET_ERR' }] }, /not allowed for status 213/],
    ['reason outside the closed list', { status: '203', reasons: [{ code: 'NOPE' }] }, /closed list/],
    ['212 without amounts', { status: '212' }, /amounts/],
    ['208 without issuer nor buyer', { status: '208', reasons: [{ code: 'JUSTIF_ABS' }], invoice: { ...invoice, buyer: undefined } }, /issuer/],
    ['bad date-time', { issuedAt: '01/07/2025' }, /issuedAt/],
    ['bad invoice type', { invoice: { ...invoice, typeCode: '326' } }, /BR-FR-04/],
    ['no seller', { invoice: { ...invoice, sellerId: undefined, sellerScheme: undefined } }, /seller identifier/],
    ['SIRET not 14 digits', { recipient: { ...seller, id: '123' } }, /14 digits/],
    ['recipient role', { recipient: { ...seller, role: 'XX' as never } }, /CL-04/],
    ['unknown status', { status: '999' as never }, /not one chorus-flux writes/],
  ])('refuses: %s', (_name, patch, message) => {
    const e = { ...ok, ...patch } as CdarEvent;
    expect(cdarProblems(e).join(' | ')).toMatch(message);
    expect(() => serializeCdar(e)).toThrow(CdarEventError);
  });

  it('501 needs neither seller, type nor issue date', () => {
    expect(cdarProblems({ ...ok, status: '501', invoice: { number: 'flux.xml' }, reasons: [{ code: 'IRR_SYNTAX' }] })).toEqual([]);
  });

  it('writes 204 date-times in Paris time, 102 dates, and keeps local date-times as written', () => {
    expect(toFormat204('2025-07-01T13:10:00Z')).toBe('20250701151000'); // CEST, UTC+2
    expect(toFormat204('2025-01-15T13:10:00.123Z')).toBe('20250115141000'); // CET, UTC+1
    expect(toFormat204('2025-12-31T23:30:00Z')).toBe('20260101003000');
    expect(toFormat204('2025-07-01T15:10:00+02:00', 'UTC')).toBe('20250701131000');
    expect(toFormat204('2025-07-01T15:10:00')).toBe('20250701151000');
    expect(toFormat204('2025-07-01T15:10:00+0000')).toBe('20250701171000');
    expect(toFormat204('2025-07-01')).toBe('20250701000000');
    expect(toFormat204('2025-02-30T10:00:00Z')).toBeUndefined();
    expect(toFormat102('2024-02-29')).toBe('20240229');
    expect(toFormat102('2025-02-29')).toBeUndefined();
  });

  it('writes a SIRET as its SIREN (first 9 digits, 0002) then the SIRET (0009)', () => {
    expect(sirenOf('73282932000074')).toBe('732829320');
    expect(globalIds({ id: '73282932000074', scheme: '0009' })).toEqual([{ id: '732829320', scheme: '0002' }, { id: '73282932000074', scheme: '0009' }]);
    expect(globalIds({ id: 'DE123456789', scheme: '0223' })).toEqual([{ id: 'DE123456789', scheme: '0223' }]);
  });

  it('gives file names that are safe and unique per message id', () => {
    const a = cdarFileName({ messageId: 'F1#380/2025', status: '213' });
    const b = cdarFileName({ messageId: 'F1_380_2025', status: '213' });
    expect(a).toMatch(/^CDV-213_Rejetee_[A-Za-z0-9._-]+\.xml$/);
    expect(b).toBe('CDV-213_Rejetee_F1_380_2025.xml');
    expect(a).not.toBe(b);
    expect(cdarFileName({ messageId: '../../etc/passwd', status: '200' })).not.toContain('/');
    expect(cdarFileName({ messageId: 'x'.repeat(500), status: '200' }).length).toBeLessThan(160);
  });
});

describe('docs/CDAR.md', () => {
  const doc = readFileSync(path.resolve(__dirname, '../../docs/CDAR.md'), 'utf8');
  it('documents every status and every reason rule of the tables', () => {
    for (const s of CDAR_STATUS_CODES) expect(doc).toContain(`| ${s} | ${CDAR_STATUSES[s].label} |`);
    for (const r of CDAR_REASON_RULES) for (const m of Array.isArray(r.match) ? r.match : [r.match]) expect({ m, documented: doc.includes(m) }).toEqual({ m, documented: true });
    for (const [s, list] of Object.entries((reasonsJson as { allowedByStatus: Record<string, string[]> }).allowedByStatus)) expect(doc).toContain(`| ${s} | ${list.join(' ')} |`);
  });
});

describe('builders from the invoice model', () => {
  it('identifies French, EU, non-EU, RIDET and TAHITI sellers', () => {
    const fr = modelInvoice((i) => (i.seller.legalId = { value: '73282932000074', scheme: '0009' }));
    const siren = modelInvoice((i) => (i.seller.legalId = { value: '732829320', scheme: '0002' }));
    const eu = modelInvoice((i) => Object.assign(i.seller, { vatId: 'IT 01234567890', address: { countryCode: 'IT' } }));
    const nonEu = modelInvoice((i) => Object.assign(i.seller, { name: 'Swiss Precision Instruments SA', address: { countryCode: 'CH' } }));
    const tahiti = modelInvoice((i) => Object.assign(i.chorus, { supplierIdType: '5', supplierId: 'A12345678' }));
    const person = modelInvoice((i) => Object.assign(i.chorus, { supplierIdType: '7', supplierId: 'DURAND JEAN' }));
    expect(cdarSellerId(fr)).toEqual({ id: '73282932000074', scheme: '0009' });
    expect(cdarSellerId(siren)).toEqual({ id: '732829320', scheme: '0002' });
    expect(cdarSellerId(eu)).toEqual({ id: 'IT01234567890', scheme: '0223' });
    expect(cdarSellerId(nonEu)).toEqual({ id: 'CHSwiss Precision ', scheme: '0227' });
    expect(cdarSellerId(tahiti)).toEqual({ id: 'A12345678', scheme: '0229' });
    expect(cdarSellerId(person)).toBeUndefined();
  });

  it('takes the electronic address of a party only when it is a 0225 address or the party has no SIREN', () => {
    const fr = modelInvoice((i) => Object.assign(i.seller, { legalId: { value: '73282932000074', scheme: '0009' }, electronicAddress: { value: '73282932000074', scheme: '0009' } }));
    const fr225 = modelInvoice((i) => Object.assign(i.seller, { legalId: { value: '73282932000074', scheme: '0009' }, electronicAddress: { value: '732829320_FACTURES', scheme: '0225' } }));
    const de = modelInvoice((i) => Object.assign(i.seller, { vatId: 'DE123456789', address: { countryCode: 'DE' }, electronicAddress: { value: '4000001123452', scheme: '0088' } }));
    expect(cdarSellerParty(fr)?.uri).toBeUndefined();
    expect(cdarSellerParty(fr225)?.uri).toEqual({ id: '732829320_FACTURES', scheme: '0225' });
    expect(cdarSellerParty(de)).toEqual({ id: 'DE123456789', scheme: '0223', name: undefined, role: 'SE', uri: { id: '4000001123452', scheme: '0088' } });
    expect(cdarBuyerParty(de)).toMatchObject({ id: BUYER_SIRET, scheme: '0009', role: 'BY' });
  });

  it('keeps BT-3 when BR-FR-04 accepts it, else 380 / 381', () => {
    expect(cdarTypeCode(modelInvoice((i) => (i.typeCode = '381')))).toBe('381');
    expect(cdarTypeCode(modelInvoice((i) => (i.typeCode = '389')))).toBe('389');
    expect(cdarTypeCode(modelInvoice((i) => (i.typeCode = '326')))).toBe('380');
    expect(cdarTypeCode(modelInvoice((i) => ((i.typeCode = undefined), (i.documentKind = 'CreditNote'))))).toBe('381');
    expect(cdarTypeCode(modelInvoice((i) => (i.typeCode = '458')))).toBe('381');
  });

  it('the corpus XSLT the tables are checked against exists in place', () => {
    expect(existsSync(CDV_XSLT)).toBe(true);
    expect(BUYER_SIRET).toMatch(/^\d{14}$/);
  });
});
