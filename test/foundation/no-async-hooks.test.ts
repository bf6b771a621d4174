/**
 * Processing files turns on no async hook. An AsyncLocalStorage once used (the write batch
 * was found through one until 2026-12-07), or any async hook, makes Node call its hooks for
 * every promise of the thread from then on: about 280 promises per file, 2 % of the
 * instructions of a run without Factur-X (PERFORMANCE.md, thirty-first round). Checked in a
 * child process (jest's own machinery is no concern of the pipeline's): with promise hooks on,
 * a `then` callback runs under an async id of its own; with none, under 0.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

const script = `
  const ah = require('node:async_hooks');
  const { cpSync, mkdtempSync } = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { loadConfig } = require('./src/config/config');
  const { createDeps } = require('./src/runner/deps');
  const { runEmbedded } = require('./src/runner/embedded');
  const { createLogger } = require('./src/util/logger');
  const idInThen = () => new Promise((r) => Promise.resolve().then(() => r(ah.executionAsyncId())));
  (async () => {
    const before = await idInThen();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-no-hooks-'));
    const inbox = path.join(dir, 'inbox');
    cpSync('fixtures/inbox', inbox, { recursive: true });
    const config = loadConfig(undefined, { out: path.join(dir, 'out') });
    config.facturx.enabled = false;
    const s = await runEmbedded({ inbox, deps: createDeps(config, { logger: createLogger({ level: 'silent' }) }) });
    process.stdout.write(JSON.stringify({ files: s.results.length, outputs: s.results.reduce((n, r) => n + r.outputs.length, 0), before, after: await idInThen() }));
  })();
`;

describe('async hooks', () => {
  it('processing files leaves promise hooks off: a then callback still runs under async id 0', () => {
    const out = JSON.parse(execFileSync(process.execPath, ['-r', './test/helpers/ts-register.js', '-e', script], { cwd: root, encoding: 'utf8' })) as { files: number; outputs: number; before: number; after: number };
    expect(out.files).toBeGreaterThan(3);
    expect(out.outputs).toBeGreaterThan(3); // files were written through their write batches
    expect(out.before).toBe(0);
    expect(out.after).toBe(0);
  }, 120_000);
});
