/**
 * reconcile reads and writes under the output root it is given: a folder that is not one
 * (an inbox given by mistake), or an empty one (an output volume not mounted), is refused
 * before anything is written.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, fixturesCopy, runOnce, tempDir } from '../helpers/run';

it('refuses a folder with files but no journal/: an inbox given as --out got reports/ and could read CLEAN', async () => {
  const inbox = tempDir();
  mkdirSync(path.join(inbox, 'op-alpha'));
  writeFileSync(path.join(inbox, 'op-alpha', 'facture.xml'), '<Invoice/>');
  const r = await cli(['reconcile', '--out', inbox], { timeoutMs: 60_000 });
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`chorus-flux reconcile: could not run: ${inbox} has no journal/ (nor state/, pivot/, archive/, error/): it is not a chorus-flux output root; give the folder \`run --out\` or paths.out wrote to\n`);
  expect(r.stdout).toBe('');
  expect(readdirSync(inbox)).toEqual(['op-alpha']);
}, 60_000);

it('refuses an empty --out, which reconciled the current folder', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'notes.txt'), 'x');
  const r = await cli(['reconcile', '--out', ''], { cwd: dir, timeoutMs: 60_000 });
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('chorus-flux: --out is empty: give the output root to reconcile\n');
  expect(readdirSync(dir)).toEqual(['notes.txt']);
}, 60_000);

it('refuses an empty output root, writing nothing: the mount point of a volume not mounted read CLEAN every night', async () => {
  const out = tempDir();
  const r = await cli(['reconcile', '--out', out], { timeoutMs: 60_000 });
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`chorus-flux reconcile: could not run: the output root ${out} is empty: nothing was ever written there. A volume not mounted? (On a new install where nothing has run yet, there is nothing to reconcile.)\n`);
  expect(readdirSync(out)).toEqual([]);
}, 60_000);

it.each(['journal', 'archive', 'state'])('takes a folder with %s/ for an output root, even with other files beside it', async (mark) => {
  const out = tempDir();
  mkdirSync(path.join(out, mark));
  writeFileSync(path.join(out, 'README.txt'), 'outputs of chorus-flux');
  const r = await reconcileDay({ config: bundledConfig(out), write: false });
  expect(r.error).toBeUndefined();
  expect(r.exitCode).toBe(0);
});

it('a day written with a configuration is refused without it, naming the --config to give', async () => {
  const dir = tempDir('cf-reconcile-config-');
  const inbox = path.join(dir, 'inbox');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  writeFileSync(path.join(inbox, 'op-alpha', 'facture.xml'), require('node:fs').readFileSync(path.resolve(__dirname, '../../fixtures/inbox/op-alpha/facture-e1-papeterie.xml')));
  // the example configuration, copied under another name and with its own output root
  const example = JSON.parse(require('node:fs').readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8'));
  const configFile = path.join(dir, 'prod.json');
  writeFileSync(configFile, JSON.stringify({ ...example, paths: { ...example.paths, out: path.join(dir, 'out') } }, null, 2));
  expect((await cli(['run', inbox, '--config', configFile, '--out', path.join(dir, 'out'), '--quiet'], { timeoutMs: 60_000 })).code).toBe(0);
  const without = await cli(['reconcile', '--out', path.join(dir, 'out')], { timeoutMs: 60_000 });
  expect(without.code).toBe(2);
  // refused for the whole tree first, before any day is read (tree-config.ts: a day without
  // journal lines of its own escaped the day's check; test/foundation/tree-commands-forgotten-config.test.ts)
  expect(without.stderr).toContain(`chorus-flux: reconcile refused: ${path.join(dir, 'out')} was written with the configuration ${configFile} (its journal of `);
  expect(without.stderr).toContain(`Give --config ${configFile}`);
  // the day's own check stands behind it (reconcileDay, as the scheduled job and the tests call it)
  const day = await reconcileDay({ config: bundledConfig(path.join(dir, 'out')), date: dayOf(new Date(), 'Europe/Paris'), write: false });
  expect(day.exitCode).toBe(2);
  expect(day.error).toContain(`the journal of `);
  expect(day.error).toContain(`was written by chorus-flux run running with the configuration ${configFile}: reconcile with --config ${configFile} (without it, the bundled example's inboxes, time zone and thresholds would judge the day)`);
  const withIt = await cli(['reconcile', '--config', configFile], { timeoutMs: 60_000 });
  expect(withIt.stderr).toBe('');
  expect([withIt.code, withIt.stdout]).toEqual([0, expect.stringContaining('CLEAN')]);
}, 120_000);

it('refuses a day before the first day of the journal (a typo in the year read CLEAN), and says when another configuration wrote the day', async () => {
  const { inbox, out } = fixturesCopy();
  expect((await runOnce(inbox, bundledConfig(out))).failures).toEqual([]);
  const r = await cli(['reconcile', '--out', out, '--date', '1999-01-01'], { timeoutMs: 60_000 });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/could not run: --date 1999-01-01 is before the first day of the journal \(\d{4}-\d\d-\d\d\): nothing was processed then/);
  // yesterday, taken by default (a first night, a watch started after midnight): a day with nothing to report
  const yesterday = await cli(['reconcile', '--out', out, '-q'], { timeoutMs: 60_000 });
  expect(yesterday.code).toBe(0);
  // the same configuration under another name: reconciled, and said
  const copy = path.join(out, '..', 'copie.json');
  writeFileSync(copy, require('node:fs').readFileSync(path.resolve(__dirname, '../../config/example.json')));
  const config = { ...bundledConfig(out), source: copy };
  const withCopy = await reconcileDay({ config, date: dayOf(new Date(), config.timezone), write: false });
  expect(withCopy.report?.notes.some((n) => /^The journal lines read for .* were written with the configuration .*example\.json \(bundled example\); this reconciliation reads .*copie\.json/.test(n))).toBe(true);
}, 60_000);

it('fails at once, with one plain line, on a --reports folder that cannot be made (/proc): Node\'s recursive mkdir looped for ever there', async () => {
  const out = tempDir();
  mkdirSync(path.join(out, 'journal'));
  const started = Date.now();
  const r = await cli(['reconcile', '--out', out, '--reports', '/proc/chorus-flux-reports/x'], { timeoutMs: 30_000 });
  expect(r.signal).toBeNull();
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('chorus-flux: --reports /proc/chorus-flux-reports/x cannot be made: /proc/chorus-flux-reports (ENOENT: this file system takes no new folders)\n');
  expect(Date.now() - started).toBeLessThan(20_000);
}, 40_000);
