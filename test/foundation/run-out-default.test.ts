/**
 * `run` writes where the configuration says when --out is not given (docs/CONFIGURATION.md:
 * "`run --out` overrides paths.out"): it demanded --out all the same. Without --config the
 * bundled example's paths.out is a folder of the project, so --out stays required then.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, ROOT } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

it('takes paths.out from --config when --out is not given', async () => {
  const dir = tempDir('cf-out-default-');
  const config = JSON.parse(readFileSync(path.join(ROOT, 'config/example.json'), 'utf8'));
  config.paths = { out: path.join(dir, 'from-config') };
  for (const p of config.partners) if (p.inbox) p.inbox = path.join(FIXTURES_INBOX, p.id);
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const r = await cli(['run', FIXTURES_INBOX, '--config', file, '-q'], { cwd: dir, timeoutMs: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(readdirSync(path.join(dir, 'from-config'))).toEqual(expect.arrayContaining(['archive', 'error', 'journal', 'pivot', 'state', 'statut']));
  expect(readdirSync(dir).sort()).toEqual(['config.json', 'from-config']);
}, 90_000);

it('asks for --out, exit 2, writing nothing, when neither --out nor --config is given', async () => {
  const dir = tempDir('cf-out-none-');
  const r = await cli(['run', FIXTURES_INBOX, '-q'], { cwd: dir, timeoutMs: 30_000 });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/give --out <dir>, the folder where pivot\/.* \(or --config <file>, whose paths\.out is used\)/);
  expect(readdirSync(dir)).toEqual([]);
}, 60_000);

it('asks for --out when the --config file has no paths.out (its default, ./out beside the file, was used unasked)', async () => {
  const dir = tempDir('cf-out-unsaid-');
  const config = JSON.parse(readFileSync(path.join(ROOT, 'config/example.json'), 'utf8'));
  delete config.paths;
  for (const p of config.partners) if (p.inbox) p.inbox = path.join(FIXTURES_INBOX, p.id);
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const r = await cli(['run', FIXTURES_INBOX, '--config', file, '-q'], { cwd: dir, timeoutMs: 30_000 });
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`chorus-flux: give --out <dir>: ${file} has no paths.out to write to\n`);
  expect(readdirSync(dir)).toEqual(['config.json']);
}, 60_000);

// found by an audit: an --out naming the configured output root (README's `run … --out
// /srv/chorus-flux/out --config …`, every systemd unit) put the state under it instead of the
// configured paths.state: every file already processed went out again, with IdCPROs from 1
it('an --out that is the configured paths.out keeps the configured state folder', async () => {
  const dir = tempDir('cf-out-same-');
  const config = JSON.parse(readFileSync(path.join(ROOT, 'config/example.json'), 'utf8'));
  config.paths = { out: 'out', state: 'state' };
  for (const p of config.partners) delete p.inbox;
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const inbox = path.join(FIXTURES_INBOX, 'op-alpha');
  const first = await cli(['run', inbox, '--config', file, '-q'], { cwd: dir, timeoutMs: 60_000 });
  expect([first.code, first.stderr]).toEqual([0, '']);
  const again = await cli(['run', inbox, '--config', file, '--out', path.join(dir, 'out') + '/', '--no-progress'], { cwd: dir, timeoutMs: 60_000 });
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/TOTAL\s*│ 4\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ 4 /);
  expect(readdirSync(path.join(dir, 'out'))).not.toContain('state');
  // the commands that read the state find it there too
  const traced = await cli(['trace', 'F-2026-0101', '--config', file, '--out', path.join(dir, 'out')], { cwd: dir, timeoutMs: 30_000 });
  expect(traced.stdout).toContain('invoices, as their lifecycle holds them now:');
}, 150_000);
