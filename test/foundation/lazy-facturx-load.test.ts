/**
 * A run without Factur-X does not load the Factur-X generator (fontkit, the layout) nor pdf-lib
 * (the reader of an inbound Factur-X) until they are needed: loading them took 0.3–0.5 s of CPU
 * in every processing thread (PERFORMANCE.md, twenty-eighth round). Checked in a child process,
 * whose module cache is its own.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** The modules of node_modules a fresh process has loaded after `script`, by package. */
function packagesLoadedAfter(script: string): string[] {
  const out = execFileSync(
    process.execPath,
    ['-r', './test/helpers/ts-register.js', '-e', `${script}; process.stdout.write(JSON.stringify(Object.keys(require.cache)))`],
    { cwd: root, encoding: 'utf8' },
  );
  return (JSON.parse(out) as string[]).filter((f) => f.includes('node_modules')).map((f) => f.split('node_modules/')[1]);
}

const pipeline = (facturx: boolean) => `
  const { loadConfig } = require('./src/config/config');
  const { createDeps } = require('./src/runner/deps');
  require('./src/runner/process-file');
  const config = loadConfig('config/example.json', { out: require('node:os').tmpdir() + '/cf-lazy-load-' + process.pid });
  config.facturx.enabled = ${facturx};
  createDeps(config, { logger: require('./src/util/logger').createLogger({ level: 'silent' }) });
`;

describe('modules loaded by the pipeline', () => {
  it('without Factur-X: neither fontkit nor pdf-lib', () => {
    const loaded = packagesLoadedAfter(pipeline(false));
    expect(loaded.some((f) => f.startsWith('fast-xml-parser/'))).toBe(true); // the check sees node_modules
    expect(loaded.filter((f) => f.startsWith('@pdf-lib/') || f.startsWith('pdf-lib/'))).toEqual([]);
  }, 60_000);

  it('with Factur-X: the generator is loaded when the pipeline is set up (a broken install fails at start, not at the first invoice)', () => {
    const loaded = packagesLoadedAfter(pipeline(true));
    expect(loaded.some((f) => f.startsWith('@pdf-lib/fontkit/'))).toBe(true);
    expect(loaded.some((f) => f.startsWith('pdf-lib/'))).toBe(true);
  }, 60_000);
});
