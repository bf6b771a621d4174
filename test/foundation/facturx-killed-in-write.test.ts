/**
 * `facturx -o` SIGKILLed inside its atomic write (found by a kill audit of the commands that
 * write): the PDF under its name is never torn (the old one, or none), but the temp file of
 * the write stayed beside it for ever: the folder is the operator's, and no sweep (of `run`, a
 * worker, the reconciliation) ever walks it. The next `facturx` to the same name now removes it,
 * and only it: another name's temp, or one whose writer is alive, stays.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempNameFor } from '../../src/emit/atomic-write';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

const INVOICE = path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml');
const KILL_IN_TEMP_WRITE = path.resolve(__dirname, '../helpers/kill-in-temp-write.js');

describe('facturx killed while writing its PDF', () => {
  it('leaves no torn PDF, and the next facturx to that name removes the temp file it left', async () => {
    const dir = tempDir('cf-fx-killed-');
    const pdf = path.join(dir, 'facture.pdf');
    writeFileSync(pdf, 'the previous PDF');
    // a temp file of another name, and one of this name whose writer (this test) is alive: kept
    const other = path.join(dir, '.autre.pdf.x~1~0.tmp');
    writeFileSync(other, 'x');
    const live = tempNameFor(pdf);
    writeFileSync(live, 'a live writer');
    const killed = await cli(['facturx', INVOICE, '-o', pdf], { env: { KILL_IN_TEMP_WRITE: 'facture\\.pdf', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${KILL_IN_TEMP_WRITE}`.trim() } });
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(pdf, 'utf8')).toBe('the previous PDF');
    const left = readdirSync(dir).filter((n) => n.startsWith('.facture.pdf.') && path.join(dir, n) !== live);
    expect(left).toHaveLength(1);

    const again = await cli(['facturx', INVOICE, '-o', pdf]);
    expect(again.code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readdirSync(dir).sort()).toEqual([path.basename(other), path.basename(live), 'facture.pdf'].sort());
  }, 60_000);
});
