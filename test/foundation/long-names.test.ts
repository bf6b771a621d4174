/**
 * Names at the file system's limit (255 bytes in UTF-8). A partner's name of 125 accented
 * letters fits in its inbox but used to overflow once chorus-flux added to it (a temp-file
 * suffix, the content hash, `.reason.json`, a claim id): the file failed with ENAMETOOLONG at
 * every run and was never processed, and the watcher could never claim it.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempNameFor } from '../../src/emit/atomic-write';
import { safeSegment } from '../../src/emit/outbox';
import { claimFile } from '../../src/ingest/claim';
import { scanInbox, type SkippedEntry } from '../../src/ingest/scan';
import { fitName, utf8Prefix } from '../../src/util/fit-name';
import { bundledConfig, FIXTURES_INBOX, nestPastPathMax, runOnce, tempDir } from '../helpers/run';

const bytes = (s: string) => Buffer.byteLength(s);
const LONG = `${'é'.repeat(125)}.xml`; // 254 bytes: the longest such name a file system takes

describe('fitting a name', () => {
  it('keeps a name that fits, cuts a long one before its extension on a character boundary', () => {
    expect(fitName('facture.xml', 200)).toBe('facture.xml');
    expect(bytes(LONG)).toBe(254);
    const cut = fitName(LONG, 200);
    expect(cut).toBe(`${'é'.repeat(98)}.xml`);
    expect(bytes(cut)).toBe(200);
    // an odd budget never splits a 2-byte letter
    expect(fitName(LONG, 201)).toBe(cut);
    // emoji are 4 bytes and two UTF-16 units: never split either
    expect(utf8Prefix('😀😀😀', 9)).toBe('😀😀');
    // a long "extension" is not one: the whole name is cut
    expect(fitName(`a.${'b'.repeat(300)}`, 50)).toBe(`a.${'b'.repeat(48)}`);
    expect(safeSegment(LONG)).toBe(cut);
  });

  it('a temp file name stays within 255 bytes, whatever the target name', () => {
    const t = path.basename(tempNameFor(`/tmp/x/${LONG}.reason.json`));
    expect(bytes(t)).toBeLessThanOrEqual(255);
    expect(t.startsWith('.éé')).toBe(true);
    expect(t.endsWith('.tmp')).toBe(true);
  });

  it('a claim of a 254-byte name succeeds, and keeps the whole name for the job', async () => {
    const dir = tempDir('cf-long-claim-');
    mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(dir, 'in', LONG), 'x');
    const c = await claimFile(path.join(dir, 'in', LONG), path.join(dir, 'processing'), 'op-alpha');
    expect(c).toBeDefined();
    expect(c!.name).toBe(LONG);
    expect(bytes(path.basename(c!.path))).toBeLessThanOrEqual(255);
    expect(readFileSync(c!.path, 'utf8')).toBe('x');
  });
});

describe('run over 254-byte names', () => {
  it('accepts, refuses and keeps same-name originals, each under a name that fits', async () => {
    const root = tempDir('cf-long-run-');
    const inbox = path.join(root, 'inbox');
    for (const d of ['op-alpha', 'op-beta']) mkdirSync(path.join(inbox, d), { recursive: true });
    const papeterie = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
    // two different invoices under the same long name: the second is kept under the hashed name
    writeFileSync(path.join(inbox, 'op-alpha', LONG), papeterie.replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0601</cbc:ID>'));
    writeFileSync(path.join(inbox, 'op-beta', LONG), papeterie.replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0602</cbc:ID>'));
    const refusedName = `${'è'.repeat(125)}.txt`;
    writeFileSync(path.join(inbox, 'op-alpha', refusedName), '<Invoice><unclosed>');
    const config = bundledConfig(path.join(root, 'out'));

    const run = await runOnce(inbox, config);
    expect(run.failures).toEqual([]);
    expect(run.results.map((r) => r.outcome).sort()).toEqual(['accepted', 'accepted', 'refused']);
    const day = readdirSync(path.join(config.paths.out, 'archive'))[0];
    const archived = readdirSync(path.join(config.paths.out, 'archive', day)).sort();
    expect(archived).toHaveLength(2);
    expect(archived).toContain(fitName(LONG, 200));
    for (const n of archived) expect(bytes(n)).toBeLessThanOrEqual(255);
    const refused = readdirSync(path.join(config.paths.out, 'error', day)).sort();
    expect(refused).toEqual([fitName(refusedName, 200), `${fitName(refusedName, 200)}.reason.json`]);
    expect(readFileSync(path.join(config.paths.out, 'error', day, refused[0]), 'utf8')).toBe('<Invoice><unclosed>');
    // nothing half-written left behind
    expect(readdirSync(path.join(config.paths.out, 'archive', day)).filter((n) => n.startsWith('.'))).toEqual([]);

    const again = await runOnce(inbox, config);
    expect(again.failures).toEqual([]);
    expect(again.results.map((r) => r.outcome)).toEqual(['already-processed', 'already-processed', 'already-processed']);
  });
});

describe('a folder too deep to read', () => {
  it('is reported as skipped, and the rest of the inbox is still processed (one partner cannot stop the run)', async () => {
    const root = tempDir('cf-deep-');
    const inbox = path.join(root, 'inbox');
    mkdirSync(inbox);
    writeFileSync(path.join(inbox, 'facture.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    // folders nested past PATH_MAX (4,096 bytes), a file at the bottom
    nestPastPathMax(inbox, () => writeFileSync('deep.xml', '<a/>'));
    const skipped: SkippedEntry[] = [];
    const entries = await scanInbox(inbox, (e) => skipped.push(e));
    expect(entries.map((e) => e.rel)).toEqual(['facture.xml']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].why).toBe('folder not readable (ENAMETOOLONG)');

    const run = await runOnce(inbox, bundledConfig(path.join(root, 'out')));
    expect(run.failures).toEqual([]);
    expect(run.results.map((r) => [r.file, r.outcome])).toEqual([['facture.xml', 'accepted']]);
    expect(run.skipped.map((e) => e.why)).toEqual(['folder not readable (ENAMETOOLONG)']);
  });
});

it('keeps a name with backslashes whole (a letter of a Linux name, not a separator), and never a path', () => {
  expect(safeSegment('back\\..\\..\\slash.xml')).toBe('back_.._.._slash.xml');
  expect(safeSegment('../../etc/passwd')).toBe('passwd');
  expect(safeSegment('..\\')).toBe('.._');
  expect(safeSegment('..')).toBe('unnamed');
});
