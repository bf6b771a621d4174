/**
 * Configuration and routing mistakes a later audit found accepted, each misbehaving only later:
 * a file saved as Latin-1 (each accented letter silently became "\ufffd" in every flow); a
 * partner's inbox given to `run` by another path than the configuration's (a link).
 */
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { cli } from '../helpers/cli';
import { listFiles, tempDir } from '../helpers/run';

const FIXTURES = path.resolve(__dirname, '../../fixtures/inbox');

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('a configuration file that is not UTF-8', () => {
  const latin1 = '{\n  "emitter": { "id": "CFX001", "name": "Op\xe9rateur" },\n  "recipients": [{ "siret": "21787789300016", "recepteurId": "VALM01" }]\n}\n';

  it('is refused with the line, the column and the byte, not read with "\\ufffd" in place of its letters', () => {
    const dir = tempDir('cf-enc-');
    writeFileSync(path.join(dir, 'latin1.json'), Buffer.from(latin1, 'latin1'));
    expect(problemsOf(() => loadConfig(path.join(dir, 'latin1.json')))).toEqual([
      'the file is not UTF-8: at line 2, column 43, the byte 0xE9 is no UTF-8 (saved as "ANSI", Latin-1 or Windows-1252? there it is "é"): save the file as UTF-8',
    ]);
    // the same text in UTF-8, and a "\ufffd" written in it, are read as they are
    writeFileSync(path.join(dir, 'utf8.json'), latin1.replace('Op\xe9rateur', 'Op\ufffd \xe9rateur'), 'utf8');
    expect(loadConfig(path.join(dir, 'utf8.json')).emitter.name).toBe('Op\ufffd \xe9rateur');
  });

  it('stops run with exit 2 before anything is written', async () => {
    const dir = tempDir('cf-enc-');
    writeFileSync(path.join(dir, 'config.json'), Buffer.from(latin1, 'latin1'));
    const r = await cli(['run', dir, '--out', path.join(dir, 'out'), '--config', path.join(dir, 'config.json'), '--no-progress'], { timeoutMs: 30000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the file is not UTF-8: at line 2, column 43, the byte 0xE9');
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  }, 30000);
});

describe('a partner inbox named through a link', () => {
  it('is the partner\'s whichever of its paths run is given: its status flows go to it and its doneMarker holds', async () => {
    const dir = tempDir('cf-link-');
    // the configuration names /srv/sftp/op-a, through a link to where the files are; run is given
    // their real folder /data/op-a (by a cron job written with it)
    mkdirSync(path.join(dir, 'data/op-a'), { recursive: true });
    mkdirSync(path.join(dir, 'srv'));
    symlinkSync(path.join(dir, 'data'), path.join(dir, 'srv/sftp'));
    copyFileSync(path.join(FIXTURES, 'op-alpha/destinataire-inconnu.xml'), path.join(dir, 'data/op-a/refused.xml'));
    writeFileSync(path.join(dir, 'data/op-a/refused.xml.done'), '');
    copyFileSync(path.join(FIXTURES, 'op-alpha/facture-e1-papeterie.xml'), path.join(dir, 'data/op-a/uploading.xml'));
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        paths: { out: 'out' },
        partners: [{ id: 'op-a', inbox: 'srv/sftp/op-a', doneMarker: true }],
        recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }],
      }),
    );
    const r = await cli(['run', path.join(dir, 'data/op-a'), '--config', path.join(dir, 'config.json'), '--no-progress'], { timeoutMs: 60000 });
    expect(r.code).toBe(0);
    // the refusal is told to op-a (it went to statut/default/, which nobody reads), and the file
    // without its .done is left for the next run (it was taken, half uploaded, and refused)
    expect(listFiles(path.join(dir, 'out/statut'))).toEqual([expect.stringMatching(/^op-a\/FEN1200A_/)]);
    expect(existsSync(path.join(dir, 'out/archive'))).toBe(false);
    expect(r.stdout).toMatch(/waiting/);
  }, 60000);
});
