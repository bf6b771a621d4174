/**
 * Typed attachments (IPM4-001): TypePJ, CategoriePJ, MimeTypePJ from the content, NomPJ and
 * NomPJOrigine; hostile names never become paths; invalid base64 is refused with a reason.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlux } from '../../src/transform/parse/flux';
import { originalName, safeName, uniqueNames } from '../../src/transform/enrich/attachment-names';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { withAttachments } from '../helpers/ubl-attachments';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const E2 = path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml');
const PDF_B64 = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</.exec(readFileSync(E2, 'utf8'))![1];
const PNG_B64 = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]).toString('base64');

interface PJ {
  nom: string;
  origine: string;
  categorie: string;
  type: string;
  mime: string;
  contenu: boolean;
  idUnique: string;
}

function pjs(pivotFile: string): PJ[] {
  const n = Number(xpath(pivotFile, 'count(//PJ)'));
  return Array.from({ length: n }, (_, k) => {
    const v = (el: string) => xpath(pivotFile, `string((//PJ)[${k + 1}]/${el})`);
    return { nom: v('NomPJ'), origine: v('NomPJOrigine'), categorie: v('CategoriePJ'), type: v('TypePJ'), mime: v('MimeTypePJ'), contenu: v('Contenu') !== '', idUnique: v('IdUnique') };
  });
}

async function pipeline(files: Record<string, string>) {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    writeFileSync(path.join(inbox, 'op-alpha', name), text);
  }
  const summary = await runOnce(inbox, bundledConfig(out));
  return { inbox, out, summary };
}

describe('E2 flow: the supplier PDF is the invoice document', () => {
  it('gives TypePJ 01 to the invoice PDF and 02 with a category to the delivery note', async () => {
    const parsed = await parseFlux(readFileSync(E2));
    expect(parsed.kind).toBe('IN_DP_E2_UBL_INVOICE_MIN');
    const inbox = tempDir('cf-inbox-');
    const out = tempDir('cf-out-');
    mkdirSync(path.join(inbox, 'op-beta'));
    writeFileSync(path.join(inbox, 'op-beta', 'e2.xml'), readFileSync(E2));
    const s = await runOnce(inbox, bundledConfig(out));
    const pivot = path.join(out, s.results[0].outputs.find((o) => o.kind === 'pivot')!.path);
    const list = pjs(pivot).filter((p) => p.categorie !== 'DUPLICATA_FACTUR-X');
    expect(list[0]).toMatchObject({ type: '01', mime: 'application/pdf', categorie: 'Facture PDF', nom: 'FE2-2026-0042.pdf', contenu: true });
    expect(list[1]).toMatchObject({ type: '02', mime: 'application/pdf', categorie: 'Bon de livraison', nom: 'bon-livraison-7781.pdf', origine: 'bon-livraison-7781.pdf' });
    expect(list.filter((p) => p.type === '01')).toHaveLength(1);
    // "Nom d'origine de la pièce jointe (sauf facture originale)": the V2_02 XSD keeps NomPJOrigine for the others
    expect(xpath(pivot, "count(//PJ[TypePJ='01']/NomPJOrigine)")).toBe('0');
  });
});

describe('E1 flow: the inbound XML is the invoice document', () => {
  it('puts the original UBL first as TypePJ 01 application/xml', async () => {
    const { out, summary } = await pipeline({ 'f.xml': readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8') });
    const pivot = path.join(out, summary.results[0].outputs.find((o) => o.kind === 'pivot')!.path);
    const first = pjs(pivot)[0];
    expect(first).toMatchObject({ type: '01', mime: 'application/xml', nom: 'f.xml', origine: '', contenu: true });
    const b64 = xpath(pivot, 'string((//PJ)[1]/Contenu)');
    expect(Buffer.from(b64, 'base64')).toEqual(readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
  });
});

describe('MIME type from the content', () => {
  it('a PDF declared image/png gets a warning and MimeTypePJ application/pdf', async () => {
    const { out, summary } = await pipeline({ 'mime.xml': withAttachments([{ id: 'BL1', name: 'bon de livraison.png', mime: 'image/png', data: PDF_B64 }]) });
    const r = summary.results[0];
    expect(r.outcome).toBe('accepted');
    const w = r.findings.find((f) => f.rule === 'CPRO-PJ-MIME')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toContain('image/png');
    expect(w.message).toContain('application/pdf');
    const pj = pjs(path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path)).find((p) => p.origine === 'bon de livraison.png')!;
    expect(pj.mime).toBe('application/pdf');
    expect(pj.categorie).toBe('Bon de livraison');
    // named by what it is, and numbered as the other attachment rules number it (not counting the invoice XML)
    expect(pj.nom).toBe('bon_de_livraison.pdf');
    expect(w.message).toMatch(/^Attachment 1 "bon de livraison.png" is declared image\/png but its content is application\/pdf/);
  });
  it('a real PNG declared image/png is image/png without warning', async () => {
    const { summary, out } = await pipeline({ 'png.xml': withAttachments([{ id: 'PH', name: 'photo-chantier.png', mime: 'image/png', data: PNG_B64 }]) });
    const r = summary.results[0];
    expect(r.findings.filter((f) => f.rule === 'CPRO-PJ-MIME')).toEqual([]);
    expect(pjs(path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path)).find((p) => p.origine === 'photo-chantier.png')!.mime).toBe('image/png');
  });
});

describe('hostile attachment names', () => {
  const hostile = [
    '../../x.pdf',
    'C:\\a\\b.pdf',
    `${'très-long-nom-de-pièce-jointe-'.repeat(10)}.pdf`,
    'nul\t\n-ctrl.pdf',
    'devis 2026.pdf',
    'devis_2026.pdf',
    '/etc/passwd.txt',
  ];
  let out: string;
  let inbox: string;
  let result: Awaited<ReturnType<typeof pipeline>>['summary']['results'][number];

  beforeAll(async () => {
    const xml = withAttachments(hostile.map((name, k) => ({ id: `PJ${k}`, name, mime: 'application/pdf', data: PDF_B64 })))
      // XML 1.0 forbids the other control characters even as references (such a file is
      // refused as malformed): tab and line feed are the ones a name can carry, as references
      .replace('nul\t\n-ctrl.pdf', 'nul&#9;&#10;-ctrl.pdf');
    const r = await pipeline({ 'hostile.xml': xml });
    out = r.out;
    inbox = r.inbox;
    result = r.summary.results[0];
  });

  it('accepts the invoice and writes a pivot valid against the XSD', () => {
    expect(result.outcome).toBe('accepted');
    const pivot = path.join(out, result.outputs.find((o) => o.kind === 'pivot')!.path);
    expect(validateFiles(SCHEMAS.pivot, [pivot])[0].errors).toEqual([]);
  });

  it('gives valid, distinct NomPJ values: safe characters, at most 50, extension kept', () => {
    const list = pjs(path.join(out, result.outputs.find((o) => o.kind === 'pivot')!.path)).filter((p) => p.type === '02' && p.categorie !== 'DUPLICATA_FACTUR-X');
    expect(list).toHaveLength(hostile.length);
    const names = list.map((p) => p.nom);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    for (const n of names) {
      expect(n).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect([...n].length).toBeLessThanOrEqual(50);
      expect(n).not.toContain('..');
    }
    expect(names[0]).toBe('x.pdf');
    expect(names[1]).toBe('b.pdf');
    expect(names[2].endsWith('.pdf')).toBe(true);
    expect(names[4]).toBe('devis_2026.pdf');
    expect(names[5]).toBe('devis_2026_2.pdf');
    for (const p of list) expect([...p.origine].length).toBeLessThanOrEqual(50);
    expect(list[2].origine.endsWith('.pdf')).toBe(true);
    expect(list[3].origine).toBe('nul-ctrl.pdf');
  });

  it('never turns a name into a path: nothing written outside the output root, no file named after an attachment', () => {
    const files = listFiles(out);
    for (const f of files) for (const n of ['x.pdf', 'b.pdf', 'passwd.txt']) expect(path.basename(f)).not.toBe(n);
    expect(listFiles(inbox)).toEqual(['op-alpha/hostile.xml']);
  });
});

describe('attachment names of a pivot input', () => {
  // a pivot's NomPJ went out as it came: 51 characters made a pivot the XSD refuses, and a path stayed a path
  const LAPOSTE = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
  const long = `${'releve-de-prestations-postales-novembre-'.repeat(2)}.pdf`.slice(-51);
  it('keeps a plain name as it came, and makes safe a name the XSD refuses or that reads as a path (no NomPJOrigine for the invoice document)', async () => {
    expect([...long].length).toBe(51);
    const xml = LAPOSTE.replace('<NomPJ>LP-2026-558812.pdf</NomPJ>', `<NomPJ>${long}</NomPJ>`).replace('<NomPJ>LP-2026-558813.pdf</NomPJ>', '<NomPJ>../../../etc/cron.d/x.pdf</NomPJ>');
    const inbox = tempDir('cf-inbox-');
    const out = tempDir('cf-out-');
    mkdirSync(path.join(inbox, 'op-beta'), { recursive: true });
    writeFileSync(path.join(inbox, 'op-beta', 'pivot.xml'), xml);
    const r = (await runOnce(inbox, bundledConfig(out))).results[0];
    expect(r.outcome).toBe('partial');
    expect(r.findings.filter((f) => f.rule === 'CPRO-PJ-NOM').map((f) => f.message)).toEqual([`Facture LP-2026-558812 : Attachment 1: the name is longer than 50 characters; it is shortened in the pivot (its middle cut, its start, end and extension kept): "${long}".`]);
    const pivots = r.outputs.filter((o) => o.kind === 'pivot').map((o) => path.join(out, o.path));
    expect(pivots).toHaveLength(2);
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((v) => v.errors)).toEqual([]);
    const all = pivots.flatMap((f) => pjs(f)).filter((p) => p.type === '01');
    expect(all.map((p) => [p.nom, p.origine]).sort()).toEqual(
      [
        // 47 characters of stem into 46: its middle cut, its start and its end kept
        [`${long.slice(0, 23)}_${long.slice(25, 47)}.pdf`, ''],
        ['x.pdf', ''],
      ].sort(),
    );
  });
});

describe('refusals', () => {
  it('an attachment with invalid base64 refuses the invoice with a reason', async () => {
    const { summary, out } = await pipeline({ 'b64.xml': withAttachments([{ id: 'BAD', name: 'pv.pdf', mime: 'application/pdf', data: 'JVBERi0xLjQK***not base64***' }]) });
    const r = summary.results[0];
    expect(r.outcome).toBe('refused');
    const f = r.findings.find((x) => x.rule === 'CPRO-PJ-CONTENU')!;
    expect(f.severity).toBe('fatal');
    expect(f.message).toMatch(/not valid base64/);
    const reason = JSON.parse(readFileSync(path.join(out, `${r.outputs.find((o) => o.kind === 'error')!.path}.reason.json`), 'utf8'));
    expect(reason.findings.map((x: { rule: string }) => x.rule)).toContain('CPRO-PJ-CONTENU');
  });
  it('an attachment with a forbidden extension is refused', async () => {
    const { summary } = await pipeline({ 'exe.xml': withAttachments([{ id: 'X', name: 'outil.exe', mime: 'application/octet-stream', data: PDF_B64 }]) });
    expect(summary.results[0].findings.map((f) => f.rule)).toContain('CPRO-PJ-EXTENSION');
    expect(summary.results[0].outcome).toBe('refused');
  });
  it('an attachment given only by URI is listed, not fetched', async () => {
    const { summary, out } = await pipeline({ 'uri.xml': withAttachments([{ id: 'DGD', uri: 'https://example.invalid/docs/decompte.pdf', description: 'Décompte général' }]) });
    const r = summary.results[0];
    expect(r.outcome).toBe('accepted');
    const pj = pjs(path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path)).find((p) => p.idUnique.startsWith('https://'))!;
    expect(pj).toMatchObject({ contenu: false, nom: 'decompte.pdf', categorie: 'Décompte', type: '02' });
  });
});

describe('name cleaning', () => {
  it('cuts a long name in its middle: its start and its end (where the number that tells it apart often is) are kept', () => {
    const name = '843312_2021-09-30_HU_E-INVOICE_21-620198615-006.pdf'; // 51 characters (the official HUF example's)
    expect(originalName(name)).toBe('843312_2021-09-30_HU_E-…VOICE_21-620198615-006.pdf');
    expect(safeName(name, 'PJ1')).toBe('843312_2021-09-30_HU_E-_VOICE_21-620198615-006.pdf');
    // numbered when two collide: still its end kept
    expect(uniqueNames([safeName(name, 'PJ1'), safeName(name, 'PJ2')])[1]).toMatch(/^843312_2021-09-30_HU_E.*-620198615-006_2\.pdf$/);
    expect([...originalName(`Relevé ${'é'.repeat(60)} n°42.pdf`)]).toHaveLength(50);
    expect(originalName(`Relevé ${'é'.repeat(60)} n°42.pdf`)).toMatch(/^Relevé é+…é+ n°42\.pdf$/);
  });

  it('keeps the extension when shortening and numbers duplicates', () => {
    expect(safeName('Procès-verbal de réception.PDF', 'PJ1')).toBe('Proces-verbal_de_reception.pdf');
    expect(safeName('', 'PJ3', 'pdf')).toBe('PJ3.pdf');
    expect(safeName('....', 'PJ4')).toBe('PJ4');
    expect(uniqueNames(['a.pdf', 'A.pdf', 'a.pdf'])).toEqual(['a.pdf', 'A_2.pdf', 'a_3.pdf']);
    const long = safeName(`${'x'.repeat(80)}.docx`, 'PJ');
    expect(long.length).toBe(50);
    expect(long.endsWith('.docx')).toBe(true);
  });
  it('never gives a name Windows reserves for a device', () => {
    expect(safeName('NUL.pdf', 'PJ1')).toBe('NUL_.pdf');
    expect(safeName('aux.txt', 'PJ1')).toBe('aux_.txt');
    expect(safeName('com1', 'PJ1', 'pdf')).toBe('com1_.pdf');
    expect(safeName('LPT9.tar.gz', 'PJ1')).toBe('LPT9_.tar.gz'); // Windows reads the name before its first dot
    expect(safeName('console.pdf', 'PJ1')).toBe('console.pdf');
    expect(safeName('nul-report.pdf', 'PJ1')).toBe('nul-report.pdf');
  });
});
