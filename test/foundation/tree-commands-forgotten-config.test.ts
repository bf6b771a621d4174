/**
 * The other commands that write into an output tree and fall back to the bundled example
 * without --config (run and reject: run-forgotten-config.test.ts). On a tree a configuration
 * file wrote, with the --config forgotten:
 * - `prune` removed the processed marks by the example's retention (400 days): a mark the
 *   configuration keeps 800 days, 500 days old, was removed, so the same bytes dropped again
 *   were processed as a new deposit;
 * - `reprocess` reopened a refused file by the example's partners (not their configured inboxes
 *   nor `.done` markers), journaled in its time zone;
 * - `reconcile` of a day without journal lines of its own (a quiet day: its own check, which
 *   refuses a day another configuration journaled, found none) judged it by the example's
 *   inboxes and thresholds and wrote its report into the tree (the catch-up then skips it).
 * Now each refuses the tree, exit 2, naming the configuration, and writes nothing; a dry run of
 * prune and an explicit `--config config/example.json` are not refused.
 */
import { cpSync, existsSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addDays } from '../../src/reconcile/day';
import { dayOf } from '../../src/util/clock';
import { cli, ROOT } from '../helpers/cli';
import { FIXTURES_INBOX, filesUnder as tree, tempDir } from '../helpers/run';
import { productionTree } from '../helpers/production-tree';

describe('prune, reprocess and reconcile without --config on a tree a configuration file wrote', () => {
  const { dir, out, file } = productionTree('cf-forgotten-config-tree-', (config) => {
    config.retention = { processedMarksDays: 800 };
    // its files are taken once their `.done` marker is there (the example's op-alpha has none)
    config.partners.find((p: { id: string }) => p.id === 'op-alpha').doneMarker = true;
  });
  const inbox = path.join(dir, 'inbox');
  cpSync(path.join(FIXTURES_INBOX, 'op-alpha'), path.join(inbox, 'op-alpha'), { recursive: true });
  for (const f of readdirSync(path.join(inbox, 'op-alpha'))) writeFileSync(path.join(inbox, 'op-alpha', `${f}.done`), '');
  const today = dayOf(new Date(), 'Europe/Paris');
  const written = addDays(today, -5);
  const quiet = addDays(today, -2);
  let oldMark = '';
  let refused = '';

  beforeAll(async () => {
    const first = await cli(['run', inbox, '--config', file, '--remove', '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(tree(inbox)).toEqual([]);
    // a processed mark 500 days old: the configuration keeps it (800 days), the example's 400 would not
    oldMark = tree(out).find((f) => /^state\/files\/[0-9a-f]{2}\/[0-9a-f]{64}\.json$/.test(f)) ?? '';
    expect(oldMark).not.toBe('');
    const then = new Date(Date.now() - 500 * 86_400_000);
    utimesSync(path.join(out, oldMark), then, then);
    refused = path.join(out, 'error', today, 'destinataire-inconnu.xml');
    expect(existsSync(refused)).toBe(true);
  }, 90_000);

  it('prune: refused, exit 2, naming the configuration; the mark the configuration keeps stays', async () => {
    const before = tree(out);
    const r = await cli(['prune', '--out', out, '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chorus-flux: prune refused: ${out} was written with the configuration ${file} (its journal of ${today})`);
    expect(r.stderr).toContain("the bundled example's retention (400 days)");
    expect(r.stderr).toContain(`Give --config ${file}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(tree(out)).toEqual(before);
    // --days given: refused all the same (the example's state and processing folders)
    const days = await cli(['prune', '--out', out, '--days', '450', '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect(days.code).toBe(2);
    expect(days.stderr).toContain('chorus-flux: prune refused: ');
    expect(tree(out)).toEqual(before);
  }, 90_000);

  it('prune --dry-run (it removes nothing, and says the retention it counted with) and an explicit --config config/example.json are not refused', async () => {
    const dry = await cli(['prune', '--out', out, '--dry-run'], { cwd: dir, timeoutMs: 60_000 });
    expect([dry.code, dry.stderr]).toEqual([0, '']);
    expect(dry.stdout).toContain('would remove 1 processed mark(s)');
    expect(dry.stdout).toContain('retention 400 days + 1');
    expect(existsSync(path.join(out, oldMark))).toBe(true);
    const explicit = await cli(['prune', '--out', out, '--config', path.join(ROOT, 'config/example.json'), '--days', '36500', '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect([explicit.code, explicit.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(out, oldMark))).toBe(true);
  }, 90_000);

  it('reprocess: refused, exit 2, nothing reopened nor copied back (it was copied back without its .done marker)', async () => {
    const before = tree(out);
    const r = await cli(['reprocess', refused, '--reason', 'SIRET added to recipients', '--out', out], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chorus-flux: reprocess refused: ${out} was written with the configuration ${file}`);
    expect(r.stderr).toContain(`Give --config ${file}`);
    expect(r.stdout).toBe('');
    expect(tree(out)).toEqual(before);
    expect(tree(inbox)).toEqual([]);
  }, 60_000);

  it('reconcile of a day without journal lines: refused, exit 2, no report written; with an explicit --config config/example.json it runs', async () => {
    // the tree's activity five days ago: the days around `quiet` have no journal line
    renameSync(path.join(out, 'journal', today), path.join(out, 'journal', written));
    const before = tree(out);
    const r = await cli(['reconcile', '--out', out, '--date', quiet], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chorus-flux: reconcile refused: ${out} was written with the configuration ${file} (its journal of ${written})`);
    expect(r.stdout).toBe('');
    expect(tree(out)).toEqual(before);
    const reports = tempDir('cf-forgotten-config-reports-');
    const explicit = await cli(['reconcile', '--out', out, '--date', quiet, '--config', path.join(ROOT, 'config/example.json'), '--reports', reports, '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect([explicit.code === 0 || explicit.code === 1, explicit.stderr]).toEqual([true, '']);
    expect(readdirSync(reports).sort()).toEqual([`reconcile-${quiet}.csv`, `reconcile-${quiet}.html`, `reconcile-${quiet}.json`]);
  }, 90_000);
});
