/**
 * The process killed (SIGKILL) in the middle of a completion — after the pivot, before the
 * COMPLETEE status flow; after both, before the journal; after the processed mark, before the
 * outcome line — then restarted: both outputs exist exactly once, no temporary file is left,
 * and the journal has one outcome.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, listFiles, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { withAttachments } from '../helpers/ubl-attachments';
import { xpath } from '../helpers/xpath';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const BL_PDF = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</.exec(readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8'))![1];

function drop(inbox: string, partner: string, name: string, content: string): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

describe.each(['after-pivots', 'after-status', 'before-journal', 'after-mark'])('killed at %s during a completion', (fault) => {
  it('leaves, after a restart, the COMPLETEE flow and the Complétée pivot exactly once', async () => {
    const inbox = tempDir('cf-inbox-');
    const out = tempDir('cf-out-');
    const run = (env: Record<string, string> = {}) => cli(['run', inbox, '--out', out, '--no-progress', '-q'], { env, timeoutMs: 60000 });
    drop(inbox, 'op-alpha', '1.xml', PAPETERIE);
    expect((await run()).code).toBe(0);
    drop(inbox, 'si-valmont', '2.xml', siStatusFlow('SI-1', [{ supplierId: '99746507500015', buyerSiret: '21787789300016', idStatut: '06', idFacture: 'F-2026-0101', commentaire: 'BL manquant' }]));
    expect((await run()).code).toBe(0);
    drop(inbox, 'op-alpha', '3.xml', withAttachments([{ id: 'BL', name: 'BL.pdf', mime: 'application/pdf', data: BL_PDF }]));

    const killed = await run({ CHORUS_FLUX_FAULT: fault });
    expect(killed.signal).toBe('SIGKILL');

    const restarted = await run();
    expect(restarted.code).toBe(0);

    const files = listFiles(out);
    expect(files.filter((f) => /\.tmp$/.test(f))).toEqual([]);
    const pivots = files.filter((f) => f.startsWith('pivot/VALM01/')).map((f) => path.join(out, f));
    const renvois = pivots.map((p) => xpath(p, 'string(//Renvoi)')).sort();
    expect(renvois).toEqual(['Complétée', 'Non']);
    const ids = new Set(pivots.map((p) => xpath(p, 'string(//IdCPRO)')));
    expect(ids.size).toBe(1);
    const completee = files.filter((f) => f.startsWith('statut/si-valmont/')).map((f) => path.join(out, f)).filter((f) => xpath(f, 'string(//IdStatut)') === '12');
    expect(completee).toHaveLength(1);

    const { lines } = await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), 'Europe/Paris'));
    const sha = (lines.find((l) => l.event === 'received' && l.file === 'op-alpha/3.xml') as { sha256: string }).sha256;
    expect(lines.filter((l) => l.event === 'outcome' && l.sha256 === sha)).toHaveLength(1);
  });
});
