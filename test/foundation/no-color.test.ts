/**
 * NO_COLOR (no-color.org): a console log on a terminal without colour codes, for the
 * operators whose terminal or screen reader shows them as noise.
 */
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

const SGR = /\x1b\[[0-9;]*m/; // a colour or style code

it('colours the console log on a terminal, and not with NO_COLOR set', async () => {
  const run = (env: Record<string, string>) => cli(['run', `${FIXTURES_INBOX}/op-gamma`, '--out', tempDir(), '--no-progress', '--threads', '1'], { terminal: true, env, timeoutMs: 60_000 });
  const plain = await run({ NO_COLOR: '1' });
  expect(plain.stdout).toMatch(/refused/);
  expect(plain.stdout).not.toMatch(SGR);
  const coloured = await run({ NO_COLOR: '' });
  expect(coloured.stdout).toMatch(SGR);
}, 130_000);
