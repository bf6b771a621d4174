/**
 * package.json's engines says Node >= 20, and npm only warns (EBADENGINE) when installing on
 * an older one (Debian 12's apt nodejs is 18). The command line says so itself, before
 * loading anything that would fail further on without saying why.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/run';

/** bin/chorus-flux.js under a Node that reports `version` (a preload rewrites process.versions). */
function underNode(version: string, args: string[]) {
  const preload = path.join(tempDir('node-version-'), 'fake-node.js');
  writeFileSync(preload, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n`);
  return spawnSync(process.execPath, ['-r', preload, path.join(ROOT, 'bin', 'chorus-flux.js'), ...args], { encoding: 'utf8' });
}

describe('Node version', () => {
  it('engines asks for Node 20 or later', () => {
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node).toBe('>=20');
  });

  it('on Node 18 every command stops at once, exit 2, saying which Node it needs and which it found', () => {
    for (const args of [['--version'], ['run', 'fixtures/inbox', '--out', '/nonexistent/out']]) {
      const r = underNode('18.19.0', args);
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain('Node 20 or later is required; this is Node 18.19.0');
    }
  });

  it('on Node 20 and later it starts', () => {
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    for (const node of ['20.0.0', '22.11.0']) expect(underNode(node, ['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` });
  });
});
