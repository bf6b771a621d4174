/**
 * `validate` and `facturx` read only regular files, up to a size: a FIFO named on the command
 * line used to block the command for ever, and a 10 GB file would have been read whole. And
 * `facturx` writes its PDF as every output is written (temp file, fsync, rename).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { facturxCommand } from '../../src/cli/commands/facturx';
import { exitCodeOf, validateCommand } from '../../src/cli/commands/validate';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

function captured() {
  const text = { out: '', err: '' };
  return { text, io: { stdout: (s: string) => void (text.out += s), stderr: (s: string) => void (text.err += s) } };
}

describe('files named on the command line', () => {
  const dir = tempDir('cf-cli-input-');
  const fifo = path.join(dir, 'tube.xml');
  execFileSync('mkfifo', [fifo]);
  const big = path.join(dir, 'enorme.xml');
  writeFileSync(big, '');
  truncateSync(big, 130 * 1024 * 1024); // sparse: takes no room

  it('validate reports a FIFO, a folder with no file and an oversize file as unreadable, exit 2, without reading them', async () => {
    let printed = '';
    // a folder stands for the files under it: this one holds none (a FIFO is not one)
    const empty = path.join(dir, 'vide');
    mkdirSync(empty);
    execFileSync('mkfifo', [path.join(empty, 'autre-tube.xml')]);
    const code = await validateCommand([fifo, empty, big], { json: true }, (s) => (printed += s));
    expect(code).toBe(2);
    const reports = JSON.parse(printed) as { file: string; unreadable: boolean; findings: { rule: string; message: string }[] }[];
    expect(reports.map((r) => [r.file, r.unreadable, r.findings[0].rule])).toEqual([
      [fifo, true, 'FLUX-READ'],
      [empty, true, 'FLUX-READ'],
      [big, true, 'FLUX-TAILLE'],
    ]);
    expect(reports[0].findings[0].message).toContain('is a FIFO, not a regular file');
    expect(reports[1].findings[0].message).toContain('holds no file to validate');
    expect(reports[2].findings[0].message).toContain("The file is 130 MB (136,314,880 bytes); the limit is 120 MB (125,829,120 bytes).");
    expect(exitCodeOf([])).toBe(0);
  });

  it('facturx refuses a FIFO with exit 2, and writes its PDF and XML atomically into new folders', async () => {
    const a = captured();
    expect(await facturxCommand(fifo, { out: path.join(dir, 'x.pdf') }, a.io)).toBe(2);
    expect(a.text.err).toContain('is a FIFO, not a regular file');
    expect(existsSync(path.join(dir, 'x.pdf'))).toBe(false);

    const b = captured();
    const out = path.join(dir, 'sous', 'dossier', 'facture.pdf');
    expect(await facturxCommand(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), { out, xml: path.join(dir, 'sous', 'facture.xml') }, b.io)).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(path.join(dir, 'sous', 'facture.xml'), 'utf8')).toContain('CrossIndustryInvoice');
    // no temp file left beside them
    expect(readdirSync(path.join(dir, 'sous', 'dossier'))).toEqual(['facture.pdf']);
  });
});
