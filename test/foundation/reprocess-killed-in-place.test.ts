/**
 * `chorus-flux reprocess` of a refused file `run` left in its inbox (no --remove), killed once the
 * refused attempt's mark is retired and before the file is given its new receipt time, then the
 * nightly `run` before the operator runs it again: the file is a new attempt, with a receipt time
 * (so a flow salt, so status flow names and IdFlx) of its own. Before the fix it kept the refused
 * attempt's: refused again, its 93 had the first one's name and IdFlx, written over it, and the
 * partner was told nothing new (found by `killfuzz --kill reprocess`).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { journalLines, writeConfig } from '../helpers/reprocess';
import { tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

describe('reprocess of a file left in the inbox, killed before its new receipt time, a run meanwhile', () => {
  it.each(['after-reopen-retire', 'after-reopen-copy-chosen'])('killed at %s: the run meanwhile takes it as a new attempt, with new flows', async (point) => {
    const root = tempDir('cf-reprocess-in-place-');
    const inbox = path.join(root, 'in');
    const out = path.join(root, 'out');
    const configFile = path.join(root, 'config.json');
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', 'facture.xml'));
    // the recipient unknown, and still so when the file is met again (the configuration not fixed yet): refused twice
    writeConfig(configFile, out, false);
    const run = () => cli(['run', inbox, '--config', configFile, '--threads', '1', '-q']);
    expect((await run()).code).toBe(0);
    const statut = () => readdirSync(path.join(out, 'statut', 'op-alpha')).sort();
    const [first93] = statut();
    const first93Bytes = readFileSync(path.join(out, 'statut', 'op-alpha', first93));

    const killed = await cli(['reprocess', '--config', configFile, '--inbox', inbox, '--reason', 'SIRET added to recipients', 'facture.xml'], { env: { CHORUS_FLUX_FAULT: point } });
    expect(killed.signal).toBe('SIGKILL');
    expect((await run()).code).toBe(0);

    const lines = journalLines(out) as { event: string; outcome?: string; receivedAt?: string }[];
    expect(lines.filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'refused']);
    const received = lines.filter((l) => l.event === 'received').map((l) => l.receivedAt);
    expect(received).toHaveLength(2);
    expect(received[1]).not.toBe(received[0]);
    // a 93 of its own for the second refusal; the first one's as it was sent
    expect(statut()).toHaveLength(2);
    expect(readFileSync(path.join(out, 'statut', 'op-alpha', first93))).toEqual(first93Bytes);
  });
});
