/**
 * `chorus-flux reprocess` run again once the copy it put back was claimed (under `watch`, the
 * watcher may take it before the command ends or before it is run again: killfuzz --kill
 * reprocess-watch): the copy is in `processing/`, no outcome yet. The command says the copy was
 * taken and is being processed, exit 0, and writes nothing: no second copy in the inbox, no second
 * `reopened` line. Once the copy has its outcome, it says processed again since, exit 1.
 */
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { inboxFiles, journalLines, refusedThenFixed } from '../helpers/reprocess';

describe('reprocess run again while its copy is claimed', () => {
  it('says the copy is being processed, copies nothing again; then processed again since', async () => {
    const s = await refusedThenFixed('cf-reprocess-claimed-');
    const args = ['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'SIRET added to recipients', s.sha];
    const first = await cli(args);
    expect([first.code, first.stdout]).toEqual([0, expect.stringMatching(/^reopened: .*op-alpha\/facture\.xml/)]);
    // the watcher's claim: the copy moved into processing/<partner>/ under a name of its own
    const claimed = path.join(s.out, 'processing', 'op-alpha');
    mkdirSync(claimed, { recursive: true });
    renameSync(path.join(s.inbox, 'op-alpha', 'facture.xml'), path.join(claimed, 'claim-1-facture.xml'));

    const again = await cli(args);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/already reopened at .*; its copy .*op-alpha\/facture\.xml was taken and is being processed \(no outcome yet\)/)]);
    expect(inboxFiles(s.inbox)).toEqual([]);
    expect(journalLines(s.out).filter((l) => l.event === 'reopened')).toHaveLength(1);

    // the attempt done: the copy back where a run takes it, processed
    renameSync(path.join(claimed, 'claim-1-facture.xml'), path.join(s.inbox, 'op-alpha', 'facture.xml'));
    expect(readdirSync(claimed)).toEqual([]);
    const run = await cli(['run', s.inbox, '--config', s.configFile, '--threads', '1', '--remove', '-q']);
    expect(run.code).toBe(0);
    const once = await cli(args);
    expect([once.code, once.stdout]).toEqual([1, expect.stringMatching(/processed again since: .* was accepted/)]);
    expect(journalLines(s.out).filter((l) => l.event === 'reopened')).toHaveLength(1);
  });
});
