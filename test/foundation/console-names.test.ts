/**
 * A partner's file name on the console (found by a CLI audit). A Linux name may hold a
 * newline: `facture.xml: valid⏎autre.xml`, unreadable, printed `validate`'s verdict line
 * "…/facture.xml: valid" for it, and `trace` a line of its own; an escape sequence went to the
 * terminal as is. Now the name is shown on its one line, its control characters escaped as in
 * JSON; the --json outputs keep the real name.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { traceCommand } from '../../src/cli/commands/trace';
import { validateCommand } from '../../src/cli/commands/validate';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';

const NAME = 'facture.xml: valid\nautre\u001b[2J.xml';
const SHOWN = 'facture.xml: valid\\nautre\\u001b[2J.xml';

describe('a file name holding a newline and an escape sequence', () => {
  const root = tempDir('cf-console-names-');
  const inbox = path.join(root, 'inbox');
  mkdirSync(path.join(inbox, 'op-gamma'), { recursive: true });
  // unreadable: truncated XML
  writeFileSync(path.join(inbox, 'op-gamma', NAME), readFileSync(path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml')));

  it('validate prints one verdict line for it, UNREADABLE, the name escaped; --json keeps the name', async () => {
    let text = '';
    expect(await validateCommand([path.join(inbox, 'op-gamma')], {}, (s) => (text += s), () => undefined)).toBe(2);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`${path.join(inbox, 'op-gamma', SHOWN)}: UNREADABLE (1 fatal, 0 warnings)`);
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    expect(text).not.toContain('\u001b');
    expect(text).not.toMatch(/: valid$/m);

    let json = '';
    await validateCommand([path.join(inbox, 'op-gamma')], { json: true }, (s) => (json += s), () => undefined);
    expect((JSON.parse(json) as { file: string }[])[0].file).toBe(path.join(inbox, 'op-gamma', NAME));
  });

  it('trace shows the file on one line, the name escaped', async () => {
    const config = bundledConfig(path.join(root, 'out'));
    await runOnce(inbox, config);
    const sha = createHash('sha256').update(readFileSync(path.join(inbox, 'op-gamma', NAME))).digest('hex');
    let text = '';
    expect(await traceCommand(sha, { out: config.paths.out }, (s) => (text += s))).toBe(0);
    expect(text).toContain(`file op-gamma/${SHOWN} (partner op-gamma)`);
    expect(text).not.toContain('\u001b');
    expect(text.split('\n').some((l) => l.startsWith('autre'))).toBe(false);
  }, 60_000);
});
