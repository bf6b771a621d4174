/**
 * The other profiles, pivot input, pagination, the PJ file name and the `facturx` command.
 * Oracles: the Factur-X MINIMUM / BASIC XSD and schematrons (the corpus has no BASIC WL nor
 * EXTENDED schema: those are checked against the full CII D16B XSD, and BASIC WL against
 * BASIC without its lines, which is what the Factur-X specification says it is).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { facturxCommand } from '../../src/cli/commands/facturx';
import type { Invoice } from '../../src/model/invoice';
import { facturXFileName } from '../../src/transform/facturx/file-name';
import { facturXData, makeBestFacturX, makeFacturX } from '../../src/transform/facturx/make';
import { parseProfile, type FacturXProfile } from '../../src/transform/facturx/profiles';
import { parseFlux } from '../../src/transform/parse/flux';
import { corpusFiles } from '../helpers/corpus';
import { FIXTURES_INBOX } from '../helpers/run';
import { validateStrings } from '../helpers/xsd';
import { enFatal, fxErrors, run, saxonBatch, SCHEMATRON, XSD } from './oracles';

const SOURCES = [...corpusFiles('en16931/ubl-examples', /\.(xml|XML)$/), ...corpusFiles('en16931/cii-examples')];

async function invoiceOf(file: string, index = 0): Promise<Invoice> {
  const p = await parseFlux(readFileSync(file));
  if (p.kind === 'CPPStatut') throw new Error('not an invoice');
  return p.invoices[index];
}

let invoices: Invoice[];
beforeAll(async () => {
  invoices = await Promise.all(SOURCES.map((f) => invoiceOf(f)));
});

describe.each(['MINIMUM', 'BASIC'] as FacturXProfile[])('profile %s over the official examples', (profile) => {
  it('is XSD-valid, and passes the profile schematron exactly when the generator reports no problem', () => {
    const data = invoices.map((inv) => facturXData(inv, profile));
    const xsd = validateStrings(XSD[profile as 'MINIMUM' | 'BASIC'], data.map((d) => d.xml));
    xsd.forEach((r) => expect(r.errors).toEqual([]));
    const svrl = saxonBatch(SCHEMATRON.facturx[profile as 'MINIMUM' | 'BASIC'], new Map(data.map((d, k) => [String(k), d.xml])));
    data.forEach((d, k) => {
      const errors = fxErrors(svrl.get(String(k)) as ReturnType<typeof saxonBatch> extends Map<string, infer S> ? S : never);
      if (d.problems.length === 0) expect(errors.map((e) => `${SOURCES[k]}: ${e.text}`)).toEqual([]);
      else expect(errors.length).toBeGreaterThan(0);
    });
    // the only examples MINIMUM cannot carry are those whose seller has only a BT-29
    const refused = data.filter((d) => d.problems.length > 0).length;
    expect(refused).toBeLessThanOrEqual(profile === 'MINIMUM' ? 2 : 0);
    for (const d of data) expect(d.xml).toContain(profile === 'MINIMUM' ? 'urn:factur-x.eu:1p0:minimum' : 'urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic');
  }, 120_000);
});

describe('profiles BASIC WL and EXTENDED', () => {
  it('are valid CII D16B; BASIC WL is BASIC without its lines', () => {
    for (const profile of ['BASIC WL', 'EXTENDED'] as FacturXProfile[]) {
      const xmls = invoices.map((inv) => facturXData(inv, profile).xml);
      validateStrings(XSD.D16B, xmls).forEach((r) => expect(r.errors).toEqual([]));
    }
    invoices.forEach((inv) => {
      const wl = facturXData(inv, 'BASIC WL').xml;
      const basic = facturXData(inv, 'BASIC').xml.replace(/\n\s*<ram:IncludedSupplyChainTradeLineItem>[\s\S]*?<\/ram:IncludedSupplyChainTradeLineItem>/g, '');
      expect(wl.replace('urn:factur-x.eu:1p0:basicwl', 'G')).toBe(basic.replace('urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic', 'G'));
      expect(wl).not.toContain('IncludedSupplyChainTradeLineItem');
    });
  });

  it('reads profile names as written in configs and on the command line', () => {
    expect(parseProfile('en16931')).toBe('EN 16931');
    expect(parseProfile('basic-wl')).toBe('BASIC WL');
    expect(parseProfile('BASIC WL')).toBe('BASIC WL');
    expect(parseProfile('extended')).toBe('EXTENDED');
    expect(parseProfile('gold')).toBeUndefined();
  });
});

describe('pivot input', () => {
  const pivot = path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml');

  it('says what a pivot lacks for EN 16931 (BT-130, seller VAT id) and makes a valid MINIMUM instead', async () => {
    const xmls: string[] = [];
    for (let k = 0; k < 3; k++) {
      const inv = await invoiceOf(pivot, k);
      const bts = facturXData(inv, 'EN 16931').problems.map((p) => p.bt);
      expect(bts).toEqual(expect.arrayContaining([expect.stringMatching(/^BT-130/), expect.stringMatching(/^BT-31 \/ BT-32/)]));
      const best = await makeBestFacturX(inv, 'EN 16931');
      expect(best.profile).toBe('MINIMUM');
      expect(best.problems).toEqual([]);
      xmls.push(best.xml);
    }
    validateStrings(XSD.MINIMUM, xmls).forEach((r) => expect(r.errors).toEqual([]));
    const fx = saxonBatch(SCHEMATRON.facturx.MINIMUM, new Map(xmls.map((x, k) => [String(k), x])));
    xmls.forEach((_x, k) => expect(fxErrors(fx.get(String(k)) as never).map((f) => f.text)).toEqual([]));
  }, 120_000);

  it('completes a pivot (categories, item names, BT-106, BT-110, buyer country) into a valid EN 16931 once it has units and a VAT id', async () => {
    const all: string[] = [];
    for (let k = 0; k < 3; k++) {
      const inv = await invoiceOf(pivot, k);
      const given: Invoice = { ...inv, seller: { ...inv.seller, vatId: 'FR39356000000' }, lines: inv.lines.map((l) => ({ ...l, unitCode: 'C62' })) };
      const d = facturXData(given, 'EN 16931');
      expect(d.problems).toEqual([]);
      expect(d.invoice.vatBreakdown.every((v) => v.category === 'S')).toBe(true);
      expect(d.invoice.totals.lineExtension).toBeDefined();
      expect(d.invoice.buyer.address?.countryCode).toBe('FR');
      all.push(d.xml);
    }
    validateStrings(XSD['EN 16931'], all).forEach((r) => expect(r.errors).toEqual([]));
    const en = saxonBatch(SCHEMATRON.en16931Cii, new Map(all.map((x, k) => [String(k), x])));
    const fx = saxonBatch(SCHEMATRON.facturx['EN 16931'], new Map(all.map((x, k) => [String(k), x])));
    all.forEach((_x, k) => {
      expect(enFatal(en.get(String(k)) as never).map((f) => f.text)).toEqual([]);
      expect(fxErrors(fx.get(String(k)) as never).map((f) => f.text)).toEqual([]);
    });
  }, 120_000);

  it('falls back to a profile the invoice fills when the asked one cannot be made', async () => {
    const inv = await invoiceOf(pivot, 0);
    // a 0 % rate has no derivable VAT category: EN 16931 and BASIC cannot be made, MINIMUM can
    const zero: Invoice = { ...inv, vatBreakdown: [{ ...inv.vatBreakdown[0], rate: '0' }], lines: inv.lines.map((l) => ({ ...l, vat: { rate: '0' } })) };
    expect(facturXData(zero, 'EN 16931').problems.map((p) => p.bt)).toEqual(expect.arrayContaining([expect.stringMatching(/^BT-151\/152/), expect.stringMatching(/^BT-118/)]));
    const r = await makeBestFacturX({ ...zero, seller: { ...zero.seller, vatId: 'FR39356000000' }, lines: zero.lines.map((l) => ({ ...l, unitCode: 'C62' })) }, 'EN 16931');
    expect(r.profile).toBe('MINIMUM');
    expect(r.problems).toEqual([]);
    expect(run('pdfinfo', ['-meta', writeTemp(r.pdf)]).stdout).toContain('<fx:ConformanceLevel>MINIMUM</fx:ConformanceLevel>');
  });
});

function writeTemp(bytes: Uint8Array, name = 'x.pdf'): string {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'cf-fx-')), name);
  writeFileSync(f, bytes);
  return f;
}

describe('the visible invoice', () => {
  it('is paginated for a long invoice, every page with its footer, accents and € drawn', async () => {
    const inv = await invoiceOf(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'));
    const lines = Array.from({ length: 120 }, (_x, k) => ({
      ...inv.lines[k % 3],
      id: String(k + 1),
      item: { ...inv.lines[k % 3].item, description: `Ligne n°${k + 1} : fournitures livrées à l'école élémentaire — tarif négocié (marché ${k % 7})` },
    }));
    const r = await makeFacturX({ ...inv, lines });
    expect(r.pages).toBeGreaterThanOrEqual(4);
    const pdf = writeTemp(r.pdf);
    expect(run('qpdf', ['--check', pdf]).status).toBe(0);
    const text = run('pdftotext', ['-layout', pdf, '-']).stdout;
    expect(text).toContain(`Page 1 / ${r.pages}`);
    expect(text).toContain(`Page ${r.pages} / ${r.pages}`);
    expect(text).toContain('Ligne n°120 : fournitures livrées à l');
    expect(text).toContain('NET À PAYER');
    expect(text).toContain('340,65 €');
    expect(text).toContain('Désignation');
    expect(text.split('Désignation').length - 1).toBeGreaterThanOrEqual(r.pages - 1);
  });
});

describe('the PJ file name', () => {
  it('is FX_<number>.pdf, safe characters, at most 50 characters', () => {
    expect(facturXFileName('F-2026-0101')).toBe('FX_F-2026-0101.pdf');
    expect(facturXFileName('Fact n° 12/2026 (été)')).toBe('FX_Fact_n_12_2026_ete.pdf');
    expect(facturXFileName(undefined)).toBe('FX_facture.pdf');
    const long = facturXFileName('X'.repeat(80));
    expect(long.length).toBeLessThanOrEqual(50);
    expect(long).toMatch(/^FX_X+\.pdf$/);
  });
});

describe('chorus-flux facturx', () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { stdout: (s: string) => (o.out += s), stderr: (s: string) => (o.err += s) } };
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-fx-cli-'));

  it('exits 0 and writes the PDF (and the XML when asked)', async () => {
    const { o, io: sink } = io();
    const out = path.join(dir, 'a.pdf');
    const code = await facturxCommand(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), { out, xml: path.join(dir, 'a.xml'), profile: 'en16931' }, sink);
    expect(code).toBe(0);
    expect(o.out).toContain('Factur-X EN 16931');
    expect(run('pdfdetach', ['-list', out]).stdout).toContain('factur-x.xml');
    expect(readFileSync(path.join(dir, 'a.xml'), 'utf8')).toContain('<ram:ID>F-2026-0101</ram:ID>');
  });

  it('makes a UBL E2 whose attachments carry a DocumentTypeCode (UBL-SR-43, a fact of the input UBL, not of the CII written) into a valid Factur-X, as run does', async () => {
    const { o, io: sink } = io();
    const out = path.join(dir, 'e2.pdf');
    const xml = path.join(dir, 'e2.xml');
    const code = await facturxCommand(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), { out, xml }, sink);
    expect(o.err).toBe('');
    expect(code).toBe(0);
    const written = readFileSync(xml, 'utf8');
    validateStrings(XSD['EN 16931'], [written]).forEach((r) => expect(r.errors).toEqual([]));
    const svrl = saxonBatch(SCHEMATRON['en16931Cii'], new Map([['e2', written]]));
    expect(enFatal(svrl.get('e2')!).map((e) => e.text)).toEqual([]);
    const fx = saxonBatch(SCHEMATRON.facturx['EN 16931'], new Map([['e2', written]]));
    expect(fxErrors(fx.get('e2')!).map((e) => e.text)).toEqual([]);
  }, 120_000);

  it('exits 1 with the reasons when the invoice cannot make a valid Factur-X, and writes nothing', async () => {
    const { o, io: sink } = io();
    const out = path.join(dir, 'b.pdf');
    const code = await facturxCommand(corpusFiles('facturx-pdfs', /MINIMUM\.pdf$/)[0], { out }, sink);
    expect(code).toBe(1);
    expect(o.err).toMatch(/cannot make a valid Factur-X EN 16931/);
    expect(o.err).toMatch(/BG-25 invoice line/);
    expect(run('ls', [out]).status).not.toBe(0);
  });

  it('exits 1 and writes nothing for totals that do not add up (BR-CO-15), judged on the factur-x.xml as the official schematron judges it', async () => {
    const source = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
    const broken = source.replace(/(<cbc:TaxInclusiveAmount currencyID="EUR">)[^<]*/, '$1999.99').replace(/(<cbc:PayableAmount currencyID="EUR">)[^<]*/, '$1999.99');
    expect(broken).not.toBe(source);
    const input = path.join(dir, 'broken.xml');
    writeFileSync(input, broken);
    for (const profile of ['basic', 'en16931', 'extended']) {
      const { o, io: sink } = io();
      const out = path.join(dir, `broken-${profile}.pdf`);
      const code = await facturxCommand(input, { out, xml: path.join(dir, `broken-${profile}.xml`), profile }, sink);
      expect({ profile, code, err: o.err }).toMatchObject({ profile, code: 1, err: expect.stringMatching(/cannot make a valid Factur-X .*\n {2}- BR-CO-15: Invoice total amount with VAT/s) });
      expect(existsSync(out)).toBe(false);
      expect(existsSync(path.join(dir, `broken-${profile}.xml`))).toBe(false);
    }
    // the oracle agrees: the CII the generator makes of it fails BR-CO-15 in the official schematron
    const parsed = await parseFlux(Buffer.from(broken));
    if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
    const written = Buffer.from(facturXData(parsed.invoices[0], 'EN 16931').xmlBytes()).toString('utf8');
    const svrl = saxonBatch(SCHEMATRON['en16931Cii'], new Map([['broken', written]]));
    expect(enFatal(svrl.get('broken')!).map((e) => e.id)).toContain('BR-CO-15');
  }, 120_000);

  it('exits 2 for a multi-invoice pivot without --index (a missing argument) or with a bad one, 0 with a good one', async () => {
    const pivot = path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml');
    const a = io();
    expect(await facturxCommand(pivot, { out: path.join(dir, 'c.pdf') }, a.io)).toBe(2);
    expect(a.o.err).toMatch(/holds 3 invoices/);
    const bad = io();
    expect(await facturxCommand(pivot, { out: path.join(dir, 'c.pdf'), index: 'abc' }, bad.io)).toBe(2);
    expect(bad.o.err).toBe('chorus-flux facturx: --index abc: a whole number of at least 1 is expected.\n');
    const over = io();
    expect(await facturxCommand(pivot, { out: path.join(dir, 'c.pdf'), index: '4' }, over.io)).toBe(2);
    expect(over.o.err).toMatch(/--index 4: .* holds 3 invoice\(s\)/);
    const b = io();
    // a pivot has no units nor seller VAT id: EN 16931 is refused with the reasons, MINIMUM is made
    expect(await facturxCommand(pivot, { out: path.join(dir, 'c.pdf'), index: '2' }, b.io)).toBe(1);
    expect(b.o.err).toMatch(/BT-130/);
    const c = io();
    expect(await facturxCommand(pivot, { out: path.join(dir, 'c.pdf'), index: '2', profile: 'minimum' }, c.io)).toBe(0);
    expect(c.o.out).toContain('Factur-X MINIMUM, invoice LP-2026-558813');
  });

  it("names the buyer of a pivot without Debiteur/Nom from the routing table of --config, as run does, and says so when none is given", async () => {
    const nameless = path.join(dir, 'sans-nom.xml');
    writeFileSync(nameless, readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8').replace(/<Nom>[^<]*<\/Nom>/g, ''));
    const without = io();
    expect(await facturxCommand(nameless, { out: path.join(dir, 'n.pdf'), index: '1', profile: 'minimum' }, without.io)).toBe(1);
    expect(without.o.err).toMatch(/missing BT-44 buyer name \(.*\): the pivot has no Debiteur\/Nom; give --config so that the routing table names the buyer/);
    const withConfig = io();
    const xml = path.join(dir, 'n.xml');
    expect(await facturxCommand(nameless, { out: path.join(dir, 'n.pdf'), xml, index: '1', profile: 'minimum', config: path.resolve(__dirname, '../../config/example.json') }, withConfig.io)).toBe(0);
    const written = readFileSync(xml, 'utf8');
    expect(written).toMatch(/<ram:BuyerTradeParty>\s*<ram:Name>Commune de Valmont-sur-Loire<\/ram:Name>/);
    validateStrings(XSD.MINIMUM, [written]).forEach((r) => expect(r.errors).toEqual([]));
    expect(fxErrors(saxonBatch(SCHEMATRON.facturx.MINIMUM, new Map([['n', written]])).get('n')!).map((e) => e.text)).toEqual([]);
    const badConfig = io();
    expect(await facturxCommand(nameless, { out: path.join(dir, 'n.pdf'), index: '1', config: path.join(dir, 'nope.json') }, badConfig.io)).toBe(2);
    expect(badConfig.o.err).toMatch(/^chorus-flux facturx: --config .*nope\.json: /);
  }, 60_000);

  it('exits 2 on unreadable input, a missing file, a status flow or an unknown profile', async () => {
    const t = io();
    expect(await facturxCommand(path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml'), { out: path.join(dir, 'd.pdf') }, t.io)).toBe(2);
    expect(t.o.err).toMatch(/FLUX-MALFORMED/);
    expect(await facturxCommand(path.join(dir, 'nope.xml'), { out: path.join(dir, 'd.pdf') }, io().io)).toBe(2);
    const statut = corpusFiles('chorus-samples/statut')[0];
    expect(await facturxCommand(statut, { out: path.join(dir, 'd.pdf') }, io().io)).toBe(2);
    expect(await facturxCommand(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), { out: path.join(dir, 'd.pdf'), profile: 'gold' }, io().io)).toBe(2);
  });

  it('exits 2 with one plain line for standard input, an output that is a directory or empty', async () => {
    const papeterie = path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml');
    const stdin = io();
    expect(await facturxCommand('-', { out: path.join(dir, 'e.pdf') }, stdin.io)).toBe(2);
    expect(stdin.o.err).toBe('chorus-flux facturx: -: Reading from standard input ("-") is not supported: give the path of the file.\n');
    const toDir = io();
    expect(await facturxCommand(papeterie, { out: dir }, toDir.io)).toBe(2);
    expect(toDir.o.err).toBe(`chorus-flux facturx: -o ${dir}: is a directory: name the file to write.\n`);
    const xmlToDir = io();
    expect(await facturxCommand(papeterie, { out: path.join(dir, 'e.pdf'), xml: dir }, xmlToDir.io)).toBe(2);
    expect(xmlToDir.o.err).toMatch(/^chorus-flux facturx: --xml .*: is a directory/);
    const empty = io();
    expect(await facturxCommand(papeterie, { out: '' }, empty.io)).toBe(2);
    expect(empty.o.err).toBe('chorus-flux facturx: -o : the path is empty.\n');
    // "-" is no file to make in the current folder (validate refuses it as standard input too)
    const dash = io();
    expect(await facturxCommand(papeterie, { out: '-' }, dash.io)).toBe(2);
    expect(dash.o.err).toBe('chorus-flux facturx: -o -: standard output is not written to: name the file to write.\n');
    // a path that cannot be written (under a file; in a folder nobody may write, as sysfs even
    // for root, or one of another owner): it said "stopped: … Give this user read access to the
    // inboxes … the next run recognises those already done", with a stack trace, through
    // `run`'s hint for a system failure
    writeFileSync(path.join(dir, 'a-file'), '');
    const cases = [
      ['-o', { out: path.join(dir, 'a-file', 'f.pdf') }, 'ENOTDIR'],
      ['--xml', { out: path.join(dir, 'f.pdf'), xml: path.join(dir, 'a-file', 'f.xml') }, 'ENOTDIR'],
      ...(existsSync('/sys/kernel') ? [['-o', { out: '/sys/f.pdf' }, 'EACCES'] as const] : []),
    ] as const;
    for (const [option, opts, why] of cases) {
      const unwritable = io();
      expect(await facturxCommand(papeterie, opts, unwritable.io)).toBe(2);
      const target = option === '-o' ? opts.out : (opts as { xml: string }).xml;
      expect(unwritable.o.err).toMatch(new RegExp(`^chorus-flux facturx: ${option} ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (\\S+ )?cannot be written \\(${why}`));
      expect(unwritable.o.err.split('\n')).toHaveLength(2);
    }
  });
});
