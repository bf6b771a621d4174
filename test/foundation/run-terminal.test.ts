/**
 * `run` at a terminal: the progress bar, and the warnings of every file refused written as
 * pino-pretty writes them ("WARN: refused: …"), whether a file was processed on the main thread
 * or in a processing thread. A thread's stderr is a pipe: it used to write raw JSON lines
 * beside the bar.
 */
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
