/**
 * `run` at a terminal: the progress bar, and the warnings of every file refused written as
 * pino-pretty writes them ("WARN: refused: …"), whether a file was processed on the main thread
 * or in a processing thread. A thread's stderr is a pipe: it used to write raw JSON lines
 * beside the bar.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

describe.each(['1', '2'])('run --threads %s on a terminal', (threads) => {
  it('draws the bar and writes each refusal as a readable warning, no JSON line', async () => {
    const out = tempDir('cf-tty-');
    const r = await cli(['run', FIXTURES_INBOX, '--out', out, '--threads', threads], { terminal: true, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, ''); // colours and cursor moves
    expect(text).toMatch(/\d+% \| 13\/13 files/);
    // the fixtures refuse 7 files before or at validation: each is one warning, readable
    for (const rule of ['FLUX-DTD', 'FLUX-ROOT', 'FLUX-EMPTY', 'FLUX-ENCODING', 'FLUX-MALFORMED', 'CPRO-DESTINATAIRE-INCONNU']) {
      expect(text).toMatch(new RegExp(`WARN: refused: ${rule} `));
    }
    expect(text).not.toMatch(/\{"level":\d+/);
  }, 90_000);
});

it('a file name holding an escape sequence and a newline: shown escaped on the bar, not sent to the terminal', async () => {
  const root = tempDir('cf-tty-name-');
  mkdirSync(path.join(root, 'inbox', 'op-gamma'), { recursive: true });
  writeFileSync(path.join(root, 'inbox', 'op-gamma', 'a\u001b[2Jb\nc.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml')));
  const r = await cli(['run', path.join(root, 'inbox'), '--out', path.join(root, 'out'), '--threads', '1'], { terminal: true, timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  // the clear-screen sequence never reaches the terminal; the bar names the file escaped
  expect(r.stdout).not.toContain('\u001b[2J');
  expect(r.stdout).toContain('refused a\\u001b[2Jb\\nc.xml');
}, 90_000);
