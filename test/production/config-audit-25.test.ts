/**
 * Configuration and routing mistakes a later audit found accepted, each misbehaving only later:
 * a file saved as Latin-1 (each accented letter silently became "\ufffd" in every flow).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/run';

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
