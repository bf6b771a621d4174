/**
 * Runs the embedded pipeline in-process on an inbox, into a fresh temporary output root.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configFromObject, loadConfig, type Config } from '../../src/config/config';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded, type RunSummary } from '../../src/runner/embedded';
import type { Clock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';

export const FIXTURES_INBOX = path.resolve(__dirname, '../../fixtures/inbox');

export function tempDir(prefix = 'cf-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function bundledConfig(out: string): Config {
  return loadConfig(undefined, { out });
}

/** A configuration built in the test (relative paths against `baseDir`). */
export function testConfig(raw: Record<string, unknown>, out: string, baseDir = out): Config {
  return configFromObject(raw, baseDir, '(test)', { out });
}

/**
 * One partner `op-fx` dropping Factur-X PDFs into `<out>/inbox/op-fx`, for the one buyer the
 * Factur-X samples and fixtures name that the routing table knows (Commune de Valmont-sur-Loire),
 * Factur-X outputs on at EN 16931.
 */
export function facturxInboxConfig(out: string): Config {
  return testConfig(
    {
      partners: [{ id: 'op-fx', inbox: 'inbox/op-fx' }],
      recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', name: 'Commune de Valmont-sur-Loire', codeServices: ['FINANCES'] }],
      facturx: { enabled: true, profile: 'EN 16931' },
    },
    out,
  );
}

/** A fresh temporary folder holding a copy of the fixtures' inbox (new mtimes: uploaded now) and an output root for it. */
export function fixturesCopy(): { root: string; inbox: string; out: string } {
  const root = tempDir();
  const inbox = path.join(root, 'inbox');
  cpSync(FIXTURES_INBOX, inbox, { recursive: true });
  return { root, inbox, out: path.join(root, 'out') };
}

/** The result of one file of a run (by its inbox-relative path); throws when the run has none. */
export function resultOf(s: RunSummary, file: string): RunSummary['results'][number] {
  const r = s.results.find((x) => x.file === file);
  if (!r) throw new Error(`no result for ${file} in ${s.results.map((x) => x.file).join(', ')}`);
  return r;
}

export async function runOnce(inbox: string, config: Config, opts: { clock?: Clock } = {}): Promise<RunSummary> {
  const deps = createDeps(config, { logger: createLogger({ level: 'silent' }), clock: opts.clock });
  return runEmbedded({ inbox, deps });
}

let inboxCount = 0;

/**
 * Files dropped for their partners (`[partner, name, content]`) in an inbox of their own under
 * `root`, processed by one run with `config` (the state and outputs stay in config.paths): a
 * step of a scenario played over several runs.
 */
export async function runFilesOnce(root: string, config: Config, files: [string, string, string | Buffer][]): Promise<RunSummary> {
  const inbox = path.join(root, `in-${++inboxCount}`);
  for (const [partner, name, content] of files) {
    mkdirSync(path.join(inbox, partner), { recursive: true });
    writeFileSync(path.join(inbox, partner, name), content);
  }
  return runOnce(inbox, config);
}

/**
 * One file dropped for `partner` in an inbox of its own under `root` (`name` there), processed
 * by one run with `config`: its result (the state and outputs stay in config.paths).
 */
export async function runFileOnce(root: string, config: Config, partner: string, name: string, content: string | Buffer): Promise<RunSummary['results'][number]> {
  const inbox = path.join(root, `in-${++inboxCount}`);
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
  return (await runOnce(inbox, config)).results[0];
}

/** Every file under a folder, relative, sorted (optionally without some top folders). */
export function listFiles(root: string, exclude: string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      const rel = path.relative(root, p).split(path.sep).join('/');
      if (exclude.some((x) => rel === x || rel.startsWith(`${x}/`))) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.push(rel);
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Folders nested under `dir` past PATH_MAX (4,096 bytes), each made relative to the one above;
 * `atBottom` runs with the deepest as the current folder (no path can name it).
 */
export function nestPastPathMax(dir: string, atBottom?: () => void, levels = 150): void {
  const here = process.cwd();
  const name = 'd'.repeat(40);
  try {
    process.chdir(dir);
    for (let i = 0; i < levels; i++) {
      mkdirSync(name);
      process.chdir(name);
    }
    atBottom?.();
  } finally {
    process.chdir(here);
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
export const filesUnder = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
