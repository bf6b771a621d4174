/**
 * Where `facturx` writes (found by a CLI audit). `-o` or `--xml` naming the invoice read
 * replaced it with the PDF (or the regenerated XML), exit 0: the invoice lost; `--xml` naming
 * the `-o` file left one file holding the XML, reported as the PDF. A folder that cannot be
 * written was found only once the Factur-X was made, and said as a stack trace with a run's
 * advice ("left in the inbox; the next run…"). Now each is refused before any work, exit 2,
 * one plain line, nothing written; a disk that fills while writing is one line too.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { facturxCommand } from '../../src/cli/commands/facturx';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';
import { mountTmpfs, tmpfsVolume } from '../helpers/tmpfs';

const INVOICE = path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml');

function captured() {
  const text = { out: '', err: '' };
  return { text, io: { stdout: (s: string) => void (text.out += s), stderr: (s: string) => void (text.err += s) } };
}

describe('facturx never writes over the invoice it reads', () => {
  const dir = tempDir('cf-fx-paths-');
  const input = path.join(dir, 'facture.xml');
  copyFileSync(INVOICE, input);
  const original = readFileSync(input);
  mkdirSync(path.join(dir, 'sub'));
  symlinkSync('../facture.xml', path.join(dir, 'sub', 'lien.xml'));

  it.each([
    ['-o the input', { out: input }, '-o'],
    ['-o the input by another path', { out: path.join(dir, 'sub', '..', 'facture.xml') }, '-o'],
    ['--xml the input', { out: path.join(dir, 'f.pdf'), xml: input }, '--xml'],
  ])('%s: exit 2, the invoice kept, nothing written', async (_, opts, option) => {
    const c = captured();
    expect(await facturxCommand(input, opts, c.io)).toBe(2);
    expect(c.text.err).toContain(`chorus-flux facturx: ${option} `);
    expect(c.text.err).toContain('is the invoice read');
    expect(readFileSync(input)).toEqual(original);
    expect(readdirSync(dir).sort()).toEqual(['facture.xml', 'sub']);
  });

  it('read through a link, the file it names is the invoice: -o there is refused', async () => {
    const c = captured();
    expect(await facturxCommand(path.join(dir, 'sub', 'lien.xml'), { out: input }, c.io)).toBe(2);
    expect(readFileSync(input)).toEqual(original);
  });

  it('--xml the same file as -o: exit 2, nothing written', async () => {
    const c = captured();
    const pdf = path.join(dir, 'f.pdf');
    expect(await facturxCommand(input, { out: pdf, xml: path.join(dir, 'sub', '..', 'f.pdf') }, c.io)).toBe(2);
    expect(c.text.err).toContain('is also -o');
    expect(readdirSync(dir).sort()).toEqual(['facture.xml', 'sub']);
  });

  it('-o under a file, as if it were a folder: exit 2, one plain line', async () => {
    const c = captured();
    expect(await facturxCommand(input, { out: path.join(input, 'f.pdf') }, c.io)).toBe(2);
    expect(c.text.err).toBe(`chorus-flux facturx: -o ${path.join(input, 'f.pdf')}: cannot be written (ENOTDIR: a folder on its path is a file, or cannot be read).\n`);
    expect(readFileSync(input)).toEqual(original);
  });

  it('-o a link (not the input): the link is replaced, the invoice it named is kept', async () => {
    const c = captured();
    expect(await facturxCommand(input, { out: path.join(dir, 'sub', 'lien.xml') }, c.io)).toBe(0);
    expect(readFileSync(path.join(dir, 'sub', 'lien.xml')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(input)).toEqual(original);
  });
});

describe('facturx into a folder that cannot take the PDF', () => {
  const vol = tmpfsVolume({ prefix: 'cf-fx-full-', name: 'disk', size: '16k', what: 'facturx on a full or read-only disk' });

  vol.maybe('a disk too small for the PDF: one plain line, exit 2, no temp file left', async () => {
    const r = await cli(['facturx', INVOICE, '-o', path.join(vol.dir, 'f.pdf')], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chorus-flux facturx: -o ${path.join(vol.dir, 'f.pdf')}: cannot be written (ENOSPC`);
    expect(r.stderr).not.toContain('system failure');
    expect(r.stderr).not.toContain('inbox');
    expect(readdirSync(vol.dir)).toEqual([]);
  }, 90_000);

  vol.maybe('a read-only folder: refused before the Factur-X is made, one plain line, exit 2', async () => {
    expect(mountTmpfs(vol.dir, '16k,ro', true)).toBe(true);
    const r = await cli(['facturx', INVOICE, '-o', path.join(vol.dir, 'sous', 'f.pdf')], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`chorus-flux facturx: -o ${path.join(vol.dir, 'sous', 'f.pdf')}: ${vol.dir} cannot be written (EROFS: the file system is read-only).`);
    expect(readdirSync(vol.dir)).toEqual([]);
  }, 90_000);
});

// found by a docs audit (2026-12-07): -o in a folder to make on a file system that takes no new
// folders (/proc) passed the check (root may "write" /proc) and the write's recursive mkdir then
// looped for ever (Node's, which src/util/make-folders.ts says of): the command never ended
it('-o in a folder a file system cannot make (/proc): exit 2, one plain line, at once', async () => {
  const target = `/proc/chorus-flux-no-such-${process.pid}/f.pdf`;
  const r = await cli(['facturx', INVOICE, '-o', target], { timeoutMs: 30_000 });
  expect(r.code).toBe(2);
  expect(r.stderr.trim()).toBe(`chorus-flux facturx: -o ${target}: cannot be written (/proc/chorus-flux-no-such-${process.pid}: ENOENT: this file system takes no new folders).`);
}, 60_000);
