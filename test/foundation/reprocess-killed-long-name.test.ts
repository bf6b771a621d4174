/**
 * `chorus-flux reprocess` of a file whose name is long (up to the 255 bytes of a name, in
 * multi-byte UTF-8), killed once its temp copy is written in the inbox and before it is named
 * (CHORUS_FLUX_FAULT=after-reopen-copy-temp), then run again: the re-run finds its dead temp
 * file and removes it, for any name length. Before the fix it looked for `.<name>.…` while
 * tempNameFor had cut the name to fit beside its suffix: the dot-file stayed in the inbox for
 * good (the watcher and run pass dot-files over). And a long name taken in the inbox by another
 * file: the suffixed name (`-2`) is cut to 255 bytes (it was not: ENAMETOOLONG, nothing copied).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { inboxFiles, journalLines, writeConfig } from '../helpers/reprocess';
import { tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { sha256 } from '../../src/util/hash';

// 2-byte letters, 3-byte ones, the 255 bytes of a name at most
const NAMES = [['é', 121, 'facture-'], ['€', 83, 'f-'], ['é', 90, '']].map(([ch, n, head]) => `${head as string}${(ch as string).repeat(n as number)}.xml`);

/** The papeterie invoice dropped under `name`, refused by `run --remove` (its buyer not routed), then the buyer added to the configuration. */
async function refusedThenFixed(name: string) {
  const root = tempDir('cf-reprocess-long-');
  const inbox = path.join(root, 'in');
  const out = path.join(root, 'out');
  const configFile = path.join(root, 'config.json');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', name));
  writeConfig(configFile, out, false);
  expect((await cli(['run', inbox, '--config', configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
  expect(inboxFiles(inbox)).toEqual([]);
  writeConfig(configFile, out, true);
  return { inbox, out, configFile, sha: sha256(readFileSync(PAPETERIE)) };
}

describe('reprocess of a long multi-byte name killed with its temp copy in the inbox, then run again', () => {
  it.each(NAMES.map((n) => [Buffer.byteLength(n), n]))('a name of %d bytes: the re-run removes its dead temp file and makes the copy', async (_bytes, name) => {
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    const { inbox, out, configFile, sha } = await refusedThenFixed(name);
    const args = ['reprocess', '--config', configFile, '--inbox', inbox, '--reason', 'SIRET added to recipients', sha];

    const killed = await cli(args, { env: { CHORUS_FLUX_FAULT: 'after-reopen-copy-temp' } });
    expect(killed.signal).toBe('SIGKILL');
    // its temp copy, a dot-file, is all there is in the inbox
    const left = inboxFiles(inbox);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\..*~\d+~[0-9a-f]+\.tmp$/);

    const again = await cli(args);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/^reopened: .*copied back to /)]);
    expect(inboxFiles(inbox)).toEqual([name]);
    expect(readFileSync(path.join(inbox, 'op-alpha', name))).toEqual(readFileSync(PAPETERIE));
    expect(journalLines(out).filter((l) => l.event === 'reopened')).toHaveLength(1);

    const run = await cli(['run', inbox, '--config', configFile, '--threads', '1', '--remove', '-q']);
    expect(run.code).toBe(0);
    expect(journalLines(out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'accepted']);
    expect(inboxFiles(inbox)).toEqual([]);
  });
});

describe('reprocess of a long multi-byte name whose name is taken in the inbox by another file', () => {
  it.each(NAMES.map((n) => [Buffer.byteLength(n), n]))('a name of %d bytes: copied back under a suffixed name cut to 255 bytes', async (_bytes, name) => {
    const { inbox, configFile, sha } = await refusedThenFixed(name);
    // the partner drops another file under the same name, not processed yet
    const other = Buffer.from('<autre/>');
    writeFileSync(path.join(inbox, 'op-alpha', name), other);

    const r = await cli(['reprocess', '--config', configFile, '--inbox', inbox, '--reason', 'SIRET added to recipients', sha]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const names = inboxFiles(inbox);
    expect(names).toHaveLength(2);
    const copy = names.find((n) => n !== name) as string;
    expect(Buffer.byteLength(copy)).toBeLessThanOrEqual(255);
    expect(copy).toMatch(/-2\.xml$/);
    expect(name.startsWith(copy.slice(0, -'-2.xml'.length))).toBe(true);
    expect(readFileSync(path.join(inbox, 'op-alpha', copy))).toEqual(readFileSync(PAPETERIE));
    expect(readFileSync(path.join(inbox, 'op-alpha', name))).toEqual(other);
  });
});
