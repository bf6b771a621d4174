/**
 * The command line loads a command's modules only when that command runs: loading every
 * command at each start took 1.5 s of CPU (BullMQ, express, the Factur-X generator), about a
 * tenth of a `run` over a thousand files (PERFORMANCE.md, thirtieth round). Checked in a child
 * process, whose module cache is its own.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** The files a fresh process has loaded after requiring `modules`. */
function filesLoadedAfter(modules: string[]): string[] {
  const script = `${modules.map((m) => `require('${m}');`).join(' ')} process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['-r', './test/helpers/ts-register.js', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

/** The packages of node_modules a fresh process has loaded after requiring `modules`. */
function packagesLoadedAfter(modules: string[]): string[] {
  return filesLoadedAfter(modules).filter((f) => f.includes('node_modules/')).map((f) => f.split('node_modules/').pop() as string);
}

/** The validation engine and its rules: loading them costs 0.1–0.2 s of CPU. */
const validation = (f: string) => /\/src\/transform\/validate\/(engine|rules\/)/.test(f);

/** What `run` never needs: the daemons' queue and web server, the Factur-X generator and reader. */
const notForRun = (f: string) => /^(bullmq|ioredis|express|@bull-board|@pdf-lib|pdf-lib)\//.test(f);

describe('modules loaded by the command line', () => {
  it('the program alone loads no command', () => {
    const loaded = packagesLoadedAfter(['./src/cli/main']);
    expect(loaded.some((f) => f.startsWith('commander/'))).toBe(true); // the check sees node_modules
    expect(loaded.filter(notForRun)).toEqual([]);
    expect(loaded.filter((f) => f.startsWith('fast-xml-parser/'))).toEqual([]); // nor the pipeline
  }, 60_000);

  it('`run` loads neither the daemons\' modules nor the Factur-X generator, nor the pipeline before it knows which thread runs it', () => {
    const loaded = packagesLoadedAfter(['./src/cli/main', './src/cli/commands/run']);
    expect(loaded.some((f) => f.startsWith('cli-progress/'))).toBe(true);
    expect(loaded.filter(notForRun)).toEqual([]);
    // with --threads 2 this thread only hands files out: the worker threads load the parsers
    expect(loaded.filter((f) => /^(fast-xml-parser|xmlbuilder2)\//.test(f))).toEqual([]);
  }, 60_000);

  it('`run --threads 2`\'s main thread loads no validation rule: its summary only looks for the words of a rule that threw', () => {
    const loaded = filesLoadedAfter(['./src/cli/main', './src/cli/commands/run', './src/runner/threaded']);
    expect(loaded.some((f) => f.endsWith('/src/runner/tally.ts'))).toBe(true); // the check sees the project's own modules
    expect(loaded.filter(validation).map((f) => path.relative(root, f))).toEqual([]);
  }, 60_000);
});
