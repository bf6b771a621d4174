/**
 * Found by an operator audit: `chorus-flux run /srv/sftp --out /srv/chorus-flux/out`, the
 * --config forgotten, processed the partners' files into the production tree with the bundled
 * example configuration: its emitter id in every pivot, its routing table (every invoice to
 * another buyer refused, its partner sent a 93), and processed marks that made the same uploads
 * "already processed" once run again with the right --config; exit 0, the one sign a note after
 * the summary. `reject` likewise wrote its status flows as the example's. Now both refuse such
 * a tree, exit 2, naming the configuration its journal was written with, and write nothing.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, filesUnder as tree, tempDir } from '../helpers/run';
import { productionTree } from '../helpers/production-tree';

describe('run and reject without --config on a tree a configuration file wrote', () => {
  const { dir, out, file } = productionTree('cf-forgotten-config-');
  const later = path.join(dir, 'later');
  cpSync(path.join(FIXTURES_INBOX, 'op-alpha'), path.join(later, 'op-alpha'), { recursive: true });

  beforeAll(async () => {
    const first = await cli(['run', path.join(FIXTURES_INBOX, 'op-beta'), '--config', file, '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect([first.code, first.stderr]).toEqual([0, '']);
  }, 90_000);

  it('run: refused, exit 2, naming the configuration to give; nothing written', async () => {
    const before = tree(out);
    const r = await cli(['run', later, '--out', out, '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chorus-flux: run refused: ${out} was written with the configuration ${file}`);
    expect(r.stderr).toContain(`Give --config ${file}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(tree(out)).toEqual(before);
  }, 60_000);

  it('reject: refused, exit 2, nothing written', async () => {
    const before = tree(out);
    const r = await cli(['reject', '1', '--reason', 'jamais complétée', '--out', out], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chorus-flux: reject refused: ${out} was written with the configuration ${file}`);
    expect(tree(out)).toEqual(before);
  }, 60_000);

  it('with the --config: the run goes through', async () => {
    const r = await cli(['run', later, '--config', file, '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect([r.code, r.stderr]).toEqual([0, '']);
  }, 60_000);
});

it('a tree the bundled example wrote is not refused without --config', async () => {
  const dir = tempDir('cf-bundled-tree-');
  const out = path.join(dir, 'out');
  const inbox = path.join(FIXTURES_INBOX, 'op-alpha');
  for (let i = 0; i < 2; i++) {
    const r = await cli(['run', inbox, '--out', out, '-q'], { cwd: dir, timeoutMs: 60_000 });
    expect([r.code, r.stderr]).toEqual([0, '']);
  }
}, 120_000);
