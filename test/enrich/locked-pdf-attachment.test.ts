/**
 * A PDF attachment locked by a user password opens for nobody but its supplier: the E2 whose
 * invoice PDF was so locked went out with it as its invoice document (TypePJ 01), and the
 * finance system could not read the invoice. An owner password alone (printing or copying
 * forbidden) opens in every viewer and is taken. qpdf makes the locked files, and says which
 * of them need a password (--requires-password), for every revision of the standard handler.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { needsPassword } from '../../src/transform/enrich/pdf-password';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { run } from '../facturx/oracles';

const E2 = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8');
const FIRST_PDF = /(<cbc:EmbeddedDocumentBinaryObject[^>]*>)([^<]+)</;
const dir = tempDir('cf-locked-pdf-');
const plain = path.join(dir, 'plain.pdf');
writeFileSync(plain, Buffer.from(FIRST_PDF.exec(E2)![2], 'base64'));

/** `plain` encrypted by qpdf with these options; the user password is "" (owner only) or "u". */
function locked(user: string, ...how: string[]): Buffer {
  const out = path.join(dir, `${user || 'owner'}-${how.join('')}.pdf`);
  const r = run('qpdf', ['--allow-weak-crypto', ...how.filter((h) => h.startsWith('--object')), '--encrypt', user, 'o', ...how.filter((h) => !h.startsWith('--object')), '--', plain, out]);
  expect(r.status).toBe(0);
  return readFileSync(out);
}

const HANDLERS: [string, string[]][] = [
  ['RC4 40 bits (R2)', ['40']],
  ['RC4 128 bits (R3)', ['128', '--use-aes=n']],
  ['AES 128 bits (R4)', ['128', '--use-aes=y']],
  ['AES 256 bits (R5)', ['256', '--force-R5']],
  ['AES 256 bits (R6)', ['256']],
  ['AES 256 bits (R6) in an xref stream', ['256', '--object-streams=generate']],
  ['AES 128 bits (R4) in an xref stream', ['128', '--use-aes=y', '--object-streams=generate']],
];

describe('whether a PDF needs a password, as qpdf says', () => {
  it.each(HANDLERS)('%s', (_what, how) => {
    for (const user of ['u', '']) {
      const pdf = locked(user, ...how);
      const oracle = run('qpdf', ['--requires-password', path.join(dir, `${user || 'owner'}-${how.join('')}.pdf`)]).status === 0;
      expect({ user, needs: needsPassword(pdf) }).toEqual({ user, needs: oracle });
      expect(oracle).toBe(user !== '');
    }
  });

  it('a PDF that is not encrypted, or only names /Encrypt in its text, needs none', () => {
    expect(needsPassword(readFileSync(plain))).toBe(false);
    expect(needsPassword(Buffer.from('%PDF-1.4\n1 0 obj (/Encrypt 9 0 R) endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'))).toBe(false);
  });
});

describe('an E2 whose invoice PDF is locked', () => {
  const root = tempDir('cf-locked-run-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const e2With = (pdf: Buffer, number: string) => E2.replace(FIRST_PDF, (_, open: string) => `${open}${pdf.toString('base64')}<`).replace(/FE2-2026-0042/g, number);
  const runOne = (name: string, xml: string) => runFileOnce(root, config, 'op-beta', `${name}.xml`, xml);

  it('is refused with a reason the partner can act on, the original kept in error/', async () => {
    const xml = e2With(locked('u', '256'), 'FE2-LOCK-1');
    const r = await runOne('locked', xml);
    expect(r.outcome).toBe('refused');
    const f = r.findings.filter((x) => x.severity === 'fatal');
    expect(f.map((x) => x.rule)).toEqual(['CPRO-PJ-CONTENU']);
    expect(f[0].message).toBe('Attachment 1 (FE2-LOCK-1.pdf): the PDF is protected by a password: nobody can open it without it; send it without the password.');
    expect(readFileSync(path.join(out, r.outputs.find((o) => o.kind === 'error')!.path), 'utf8')).toBe(xml);
    expect(r.outputs.filter((o) => o.kind === 'pivot')).toEqual([]);
  });

  it('is taken when an owner password alone restricts it: it opens in every viewer', async () => {
    const r = await runOne('owner-only', e2With(locked('', '256'), 'FE2-LOCK-2'));
    expect(r.outcome).toBe('accepted');
    const pivot = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    expect(validateFiles(SCHEMAS.pivot, [pivot])[0].errors).toEqual([]);
  });
});
