/**
 * Configuration mistakes an audit found accepted, each misbehaving only later: a state or
 * processing folder nobody can write (every file failed with "ENOENT … mkdir locks"; a watcher
 * claimed nothing for ever), the state or the claimed files inside an outbox (a partner would
 * fetch them), a key written twice (JSON keeps the last: a routing table silently lost), "~user"
 * and "$HOME" made as folders of that very name, partners told under one Recepteur id.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configFromObject, configWarnings, loadConfig } from '../../src/config/config';
import { checkFolders } from '../../src/config/folders';
import { duplicateKeys } from '../../src/config/duplicate-keys';
import { cli } from '../helpers/cli';
import { problemsOf } from '../helpers/config-problems';
import { listFiles, tempDir } from '../helpers/run';
import { mountTmpfs, unmount, warnNotRun } from '../helpers/tmpfs';

const ok = { recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }] };

describe('state and processing folders', () => {
  it('refuses them inside a folder chorus-flux writes its outputs in, or around the output root', () => {
    const dir = tempDir();
    const at = (paths: Record<string, string>) => problemsOf(() => checkFolders(configFromObject({ ...ok, paths: { out: 'o', ...paths } }, dir, '(test)'), 'worker'));
    expect(at({ processing: 'o/statut' })).toEqual([expect.stringMatching(/^paths\.processing: .*\/o\/statut is inside paths\.out statut\/ .*; chorus-flux's own files would go out with its outputs$/)]);
    expect(at({ state: 'o/pivot/VALM01/state' })).toEqual([expect.stringMatching(/^paths\.state: .*\/o\/pivot\/VALM01\/state is inside paths\.out pivot\//)]);
    expect(at({ state: '.' })).toEqual([expect.stringMatching(/^paths\.state: .* holds the output root .*\/o \(paths\.out\); give it a folder of its own$/), expect.stringMatching(/^paths\.processing: .*\/o\/processing and paths\.state \(.*\) overlap/)]);
    expect(at({ state: 'work', processing: 'work/claims' })).toEqual([expect.stringMatching(/^paths\.processing: .*\/work\/claims and paths\.state \(.*\/work\) overlap/)]);
    // the defaults, and folders of their own beside the output root, are fine
    expect(at({})).toEqual([]);
    expect(at({ state: 'state', processing: 'processing' })).toEqual([]);
    expect(listFiles(dir)).toEqual([]);
  });

  it('refuses at start a state or processing folder that cannot be written, naming the key and the real cause', async () => {
    const root = tempDir('cf-ro-');
    const ro = path.join(root, 'ro');
    mkdirSync(ro);
    if (!mountTmpfs(ro, '1m,ro')) return warnNotRun('read-only state folder test');
    try {
      const c = configFromObject({ ...ok, paths: { out: 'out', state: 'ro/state', processing: 'ro/processing' } }, root, '(test)');
      expect(problemsOf(() => checkFolders(c, 'worker'))).toEqual([
        `paths.state: ${ro} cannot be written (EROFS: the file system is read-only)`,
        `paths.processing: ${ro} cannot be written (EROFS: the file system is read-only)`,
      ]);
      // run: refused before anything is written (every file failed with ENOENT … mkdir locks)
      const file = path.join(root, 'config.json');
      writeFileSync(file, JSON.stringify({ ...ok, paths: { out: 'out', state: 'ro/state' } }));
      mkdirSync(path.join(root, 'inbox'));
      writeFileSync(path.join(root, 'inbox', 'a.xml'), '<x/>');
      const r = await cli(['run', path.join(root, 'inbox'), '--config', file, '--no-progress']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`paths.state: ${ro} cannot be written (EROFS`);
      expect(existsSync(path.join(root, 'out'))).toBe(false);
    } finally {
      unmount(ro);
    }
  }, 30000);
});

describe('a key written twice', () => {
  it('is found wherever it is, with its path', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":[{"d":1,"d":2},{"d":3}]},"a":{"x":"\\"a\\""}}')).toEqual(['b.c.0.d', 'a']);
    expect(duplicateKeys('[{"k":"a,b","v":[1,{"k":2}]},{"k":1}]')).toEqual([]);
    // an empty object then a string in one array (it took the string for a key, and crashed)
    expect(duplicateKeys('{"a": [{}, "x", {"b": 1, "b": 2}], "c": {}, "c": 1}')).toEqual(['a.2.b', 'c']);
  });

  it('is refused: JSON keeps the last, so the first routing table was dropped without a word', () => {
    const dir = tempDir('cf-json-');
    const file = path.join(dir, 'twice.json');
    writeFileSync(file, '{\n  "recipients": [{ "siret": "21787789300016", "recepteurId": "VALM01", "requiresCodeService": true, "requiresCodeService": false }],\n  "recipients": [{ "siret": "13000548100010", "recepteurId": "EDU01" }]\n}\n');
    expect(problemsOf(() => loadConfig(file))).toEqual([
      'recipients.0.requiresCodeService: written twice; JSON keeps only the last, so the first would be dropped without a word: keep one',
      'recipients: written twice; JSON keeps only the last, so the first would be dropped without a word: keep one',
    ]);
  });
});

describe('files that are no JSON configuration', () => {
  it('says an empty file, a UTF-16 file and a YAML file for what they are', () => {
    const dir = tempDir('cf-json-');
    const load = (name: string, bytes: string | Buffer) => {
      writeFileSync(path.join(dir, name), bytes);
      return problemsOf(() => loadConfig(path.join(dir, name)));
    };
    expect(load('empty.json', ' \n')).toEqual(['the file is empty: write the configuration in it as JSON (config/example.json is one to start from)']);
    expect(load('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(ok), 'utf16le')]))).toEqual(['the file is not UTF-8 (it reads as UTF-16, with NUL bytes): save it as UTF-8']);
    expect(load('conf.yaml', 'recipients:\n  - siret: "21787789300016"\n')).toEqual(['not valid JSON: this reads as YAML (`key: value`); chorus-flux reads JSON only (config/example.json shows the form)']);
  });
});

it('refuses "~user" and environment variables in a path: no shell expands them, and a folder of that name was made', () => {
  for (const [out, said] of [
    ['~root/out', '"~" is not expanded'],
    ['$HOME/out', 'environment variables are not expanded'],
    ['/srv/${SITE}/out', 'environment variables are not expanded'],
  ]) {
    expect(problemsOf(() => configFromObject({ ...ok, paths: { out } }, '/tmp', '(test)'))).toEqual([`paths.out: ${JSON.stringify(out)}: ${said} (no shell reads this file); write ${said.startsWith('"~"') ? 'the absolute path' : 'the path itself'}`]);
  }
  expect(problemsOf(() => configFromObject({ ...ok, paths: { out: '/srv/prix$/out' } }, '/tmp', '(test)'))).toEqual([]);
});

it('says only what is wrong with a code service written as an object (not also "must be string")', () => {
  expect(problemsOf(() => configFromObject({ recipients: [{ ...ok.recipients[0], codeServices: [{ code: 'X', nom: 'Y' }] }] }, '/tmp', '(test)'))).toEqual(['recipients.0.codeServices.0: unknown key "nom"']);
  // a value of neither form still says both
  expect(problemsOf(() => configFromObject({ recipients: [{ ...ok.recipients[0], codeServices: [7] }] }, '/tmp', '(test)'))).toEqual(['recipients.0.codeServices.0: 7 must be string', 'recipients.0.codeServices.0: 7 must be object']);
});

describe('warned of at start', () => {
  const warnings = (raw: Record<string, unknown>) => configWarnings(configFromObject(raw, '/tmp', '(test)'));

  it('partners that would be written one Recepteur id in their status flows, or differ only by case', () => {
    expect(warnings({ ...ok, partners: [{ id: 'operateur-alpha' }, { id: 'operateur-beta' }, { id: 'op-gamma' }] })).toEqual(['partners: operateur-alpha, operateur-beta are all written Recepteur id "operateu" in their status flows; give each its own statusRecepteurId']);
    expect(warnings({ ...ok, partners: [{ id: 'operateur-alpha', statusRecepteurId: 'OPALPHA' }, { id: 'operateur-beta' }] })).toEqual([]);
    expect(warnings({ ...ok, partners: [{ id: 'OP-A' }, { id: 'op-a' }] })).toEqual(['partners: OP-A, op-a differ only by case; their folders (statut/OP-A/, …) are one folder on a case-insensitive share']);
  });

  it('an empty routing table', () => {
    expect(warnings({ recipients: [] })).toEqual(['recipients: the routing table is empty: every invoice will be refused, its recipient unknown']);
  });
});
