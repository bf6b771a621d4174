/**
 * `chorus-flux reprocess` SIGKILLed at each of its fault points (src/util/fault.ts), then run
 * again with the same command: it converges. At no point is the mark retired without its
 * `reopened` line; run again it finishes with one line and one copy in the inbox, says the copy
 * waits when run once more, and the copy is then accepted as a new attempt.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { inboxFiles, journalLines, refusedThenFixed } from '../helpers/reprocess';

const POINTS = ['after-reopen-record', 'after-reopen-journal', 'after-reopen-journaled', 'after-reopen-retire-attempt', 'after-reopen-retire', 'after-reopen-copy-chosen', 'after-reopen-copy-temp', 'after-reopen-copy'];

describe('reprocess killed at its fault points, then run again', () => {
  it.each(POINTS)('killed at %s', async (point) => {
    const s = await refusedThenFixed('cf-reprocess-killed-');
    const bucket = path.join(s.out, 'state', 'files', s.sha.slice(0, 2));
    const args = ['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'SIRET added to recipients', s.sha];
    const killed = await cli(args, { env: { CHORUS_FLUX_FAULT: point } });
    expect(killed.signal).toBe('SIGKILL');
    const lines = () => journalLines(s.out).filter((l) => l.event === 'reopened');
    expect(lines().length).toBeLessThanOrEqual(1);
    // never the mark retired without the line
    if (!existsSync(path.join(bucket, `${s.sha}.json`))) expect(lines()).toHaveLength(1);
    expect(inboxFiles(s.inbox).filter((f) => !f.startsWith('.')).length).toBeLessThanOrEqual(1);

    const again = await cli(args);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/^reopened: .*op-alpha\/facture\.xml/)]);
    expect(lines()).toHaveLength(1);
    expect(inboxFiles(s.inbox)).toEqual(['facture.xml']);
    expect(readdirSync(bucket).filter((f) => f === `${s.sha}.json` || f === `${s.sha}.attempt`)).toEqual([]);

    const once = await cli(args);
    expect([once.code, once.stdout]).toEqual([0, expect.stringMatching(/already reopened at .* waiting in .*op-alpha\/facture\.xml/)]);
    expect(lines()).toHaveLength(1);

    const run = await cli(['run', s.inbox, '--config', s.configFile, '--threads', '1', '--remove', '-q']);
    expect(run.code).toBe(0);
    expect(journalLines(s.out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'accepted']);
  });
});
