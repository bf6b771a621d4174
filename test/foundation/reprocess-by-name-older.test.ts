/**
 * `chorus-flux reprocess <name>` of a refusal older than the 31 days trace reads by default (the
 * configuration fixed weeks later: a recipient added at the month's end). Until 2026-12-07 the
 * name was looked for in those 31 days only: "nothing named", though its SHA-256 or its error/
 * path worked. Now the kept originals in error/<day>/ are looked in when the window holds nothing
 * of the name to reopen (their .reason.json names the content and the partner's file).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { inboxFiles, journalLines, refusedThenFixed, writeConfig } from '../helpers/reprocess';
import { listFiles, runOnce, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { loadConfig } from '../../src/config/config';
import { dayOf, fixedClock } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';

const DAY = 86_400_000;

describe('reprocess by name of a refusal older than the 31 days of the journal trace reads', () => {
  it('refused 40 days ago: found by its name (error/<day>/ and its .reason.json), reopened, then accepted', async () => {
    const s = await refusedThenFixed('cf-reprocess-old-', 40);
    const journalDays = readdirSync(path.join(s.out, 'journal'));
    expect(journalDays).toHaveLength(1); // the refusal's day only: outside the window
    const r = await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'SIRET added at the month end', 'facture.xml']);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^reopened: facture\\.xml \\(content ${s.sha}\\): refused on ${path.basename(path.dirname(s.original))}; copied back to .*op-alpha/facture\\.xml`))]);
    expect(inboxFiles(s.inbox)).toEqual(['facture.xml']);
    expect(journalLines(s.out).filter((l) => l.event === 'reopened')).toHaveLength(1);
    // run again by name: the reopening under way is found (its mark retired, its reopening recorded)
    const again = await cli(['reprocess', '--config', s.configFile, '--reason', 'again', 'op-alpha/facture.xml']);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/already reopened at .* waiting in /)]);
    expect((await cli(['run', s.inbox, '--config', s.configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    expect(journalLines(s.out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'accepted']);
  });

  it('an unknown name: said so, exit 1, nothing written', async () => {
    const s = await refusedThenFixed('cf-reprocess-old-unknown-', 40);
    const r = await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'x', 'autre.xml']);
    expect([r.code, r.stdout]).toEqual([1, expect.stringMatching(/nothing named "autre\.xml" in the journal since \d{4}-\d{2}-\d{2} nor in error\/ before it: give the SHA-256/)]);
    expect(inboxFiles(s.inbox)).toEqual([]);
  });

  it('three old refusals of one name (two the same day, one kept hash-tagged): the operator is asked for the SHA-256, each listed with its day', async () => {
    const root = tempDir('cf-reprocess-old-two-');
    const inbox = path.join(root, 'in');
    const out = path.join(root, 'out');
    const configFile = path.join(root, 'config.json');
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    writeConfig(configFile, out, false, { receiptTime: 'mtime' });
    const papeterie = readFileSync(PAPETERIE);
    const other = Buffer.from(papeterie.toString('utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0102</cbc:ID>'));
    const third = Buffer.from(papeterie.toString('utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0103</cbc:ID>'));
    // 45 days ago: two contents named facture.xml refused the same day (the second kept hash-tagged); 50 days ago a third
    const refuse = async (bytes: Buffer, daysAgo: number) => {
      const file = path.join(inbox, 'op-alpha', 'facture.xml');
      writeFileSync(file, bytes);
      const then = new Date(Date.now() - daysAgo * DAY);
      utimesSync(file, then, then);
      const r = await runOnce(inbox, loadConfig(configFile), { clock: fixedClock(then.toISOString()) });
      expect(r.results.map((x) => x.outcome)).toEqual(['refused']);
      unlinkSync(file);
    };
    await refuse(papeterie, 45);
    await refuse(other, 45);
    await refuse(third, 50);
    expect(listFiles(out).filter((f) => /^error\/[^/]+\/facture\.[0-9a-f]{12}\.xml$/.test(f))).toHaveLength(1);
    writeConfig(configFile, out, true, { receiptTime: 'mtime' });
    const r = await cli(['reprocess', '--config', configFile, '--inbox', inbox, '--reason', 'x', 'facture.xml']);
    expect(r.code).toBe(1);
    const day = (n: number) => dayOf(new Date(Date.now() - n * DAY), loadConfig(configFile).timezone);
    const [a, b, c] = [papeterie, other, third].map((x) => sha256(x).slice(0, 12));
    expect(r.stdout).toContain(`"facture.xml" names 3 refused contents (`);
    for (const [sha, d] of [[a, day(45)], [b, day(45)], [c, day(50)]]) expect(r.stdout).toContain(`${sha} of ${d}`);
    expect(r.stdout).toContain(`: give the SHA-256 of the one to reprocess (chorus-flux trace "facture.xml" --since ${day(50)} shows them)`);
    expect(inboxFiles(inbox)).toEqual([]);
    expect(journalLines(out).filter((l) => l.event === 'reopened')).toEqual([]);
    // by its SHA-256, the one meant is reopened
    const one = await cli(['reprocess', '--config', configFile, '--inbox', inbox, '--reason', 'x', sha256(other)]);
    expect([one.code, one.stdout]).toEqual([0, expect.stringMatching(/^reopened: /)]);
    // then by name, still two refused and one under way: asked again, none taken by guess
    const again = await cli(['reprocess', '--config', configFile, '--inbox', inbox, '--reason', 'x', 'facture.xml']);
    expect(again.code).toBe(1);
    expect(inboxFiles(inbox)).toEqual(['facture.xml']);
  });

  it('a recent accepted facture.xml does not hide an old refused one: the refused one is taken', async () => {
    const s = await refusedThenFixed('cf-reprocess-old-and-new-', 40);
    // the recipient added: another content named facture.xml accepted today
    const today = tempDir('cf-reprocess-old-and-new-in-');
    mkdirSync(path.join(today, 'op-alpha'));
    writeFileSync(path.join(today, 'op-alpha', 'facture.xml'), readFileSync(PAPETERIE, 'utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0104</cbc:ID>'));
    expect((await cli(['run', today, '--config', s.configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    expect(journalLines(s.out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'accepted']);
    const r = await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'x', 'facture.xml']);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^reopened: facture\\.xml \\(content ${s.sha}\\)`))]);
  });

  it('an old refusal and a recent one of the same name: neither is taken by guess, the operator is asked', async () => {
    const s = await refusedThenFixed('cf-reprocess-old-and-recent-', 40);
    // another content named facture.xml refused today (the recipient not added yet then)
    const recent = tempDir('cf-reprocess-old-and-recent-in-');
    mkdirSync(path.join(recent, 'op-alpha'));
    writeFileSync(path.join(recent, 'op-alpha', 'facture.xml'), readFileSync(PAPETERIE, 'utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0105</cbc:ID>'));
    writeConfig(s.configFile, s.out, false, { receiptTime: 'mtime' });
    expect((await cli(['run', recent, '--config', s.configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    writeConfig(s.configFile, s.out, true, { receiptTime: 'mtime' });
    expect(journalLines(s.out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'refused']);
    const r = await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'x', 'facture.xml']);
    expect([r.code, r.stdout]).toEqual([1, expect.stringMatching(/"facture\.xml" names 2 refused contents \(.*: give the SHA-256 of the one to reprocess \(chorus-flux trace "facture\.xml" --since \d{4}-\d{2}-\d{2} shows them\)/)]);
    expect(r.stdout).toContain(`${s.sha.slice(0, 12)} of ${path.basename(path.dirname(s.original))}`);
    expect(journalLines(s.out).filter((l) => l.event === 'reopened')).toEqual([]);
  });

  it('an old refusal reprocessed and accepted since is not asked about: a later refusal of the name is taken', async () => {
    const s = await refusedThenFixed('cf-reprocess-old-done-', 40);
    expect((await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'x', s.sha])).code).toBe(0);
    expect((await cli(['run', s.inbox, '--config', s.configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    // another content named facture.xml refused 35 days ago (its recipient unknown then)
    const other = Buffer.from(readFileSync(PAPETERIE, 'utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0106</cbc:ID>'));
    const file = path.join(s.inbox, 'op-alpha', 'facture.xml');
    writeFileSync(file, other);
    const then = new Date(Date.now() - 35 * DAY);
    utimesSync(file, then, then);
    writeConfig(s.configFile, s.out, false, { receiptTime: 'mtime' });
    expect((await runOnce(s.inbox, loadConfig(s.configFile), { clock: fixedClock(then.toISOString()) })).results.map((x) => x.outcome)).toEqual(['refused']);
    unlinkSync(file);
    writeConfig(s.configFile, s.out, true, { receiptTime: 'mtime' });
    expect(journalLines(s.out).filter((l) => l.event === 'outcome').map((l) => l.outcome).sort()).toEqual(['accepted', 'refused', 'refused']);
    const r = await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'x', 'facture.xml']);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^reopened: facture\\.xml \\(content ${sha256(other)}\\)`))]);
  });

  it('a file the partner named like a hash-tagged one is not taken for another content of the shorter name', async () => {
    const s = await refusedThenFixed('cf-reprocess-old-lookalike-', 40);
    // the kept original renamed as if tagged, its .reason.json naming another partner file: not facture.xml's
    const day = path.dirname(s.original);
    const tagged = path.join(s.out, day, 'facture.0123456789ab.xml');
    renameSync(path.join(s.out, s.original), tagged);
    const reason = JSON.parse(readFileSync(path.join(s.out, `${s.original}.reason.json`), 'utf8'));
    unlinkSync(path.join(s.out, `${s.original}.reason.json`));
    writeFileSync(`${tagged}.reason.json`, JSON.stringify({ ...reason, file: 'op-alpha/facture.0123456789ab.xml' }));
    const r = await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', 'x', 'facture.xml']);
    expect([r.code, r.stdout]).toEqual([1, expect.stringMatching(/nothing named "facture\.xml"/)]);
  });
});
