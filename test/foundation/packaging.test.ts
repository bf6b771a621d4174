/**
 * The release tarball (`npm pack`) as an operator installs it on a server: it holds what the
 * commands need at run time and not the tests, benches and sources; unpacked with the
 * production dependencies only (no typescript build, no jest, no ../shared/corpus beside it),
 * `npm run prepare` (what `npm ci --omit=dev` runs there) passes and the commands work from
 * another folder, writing nothing next to the code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';

interface Packed {
  filename: string;
  size: number;
  files: { path: string }[];
}

let dir: string;
let packed: Packed;
let pkg: string; // the unpacked package

beforeAll(() => {
  // CI's `npm ci` built dist/ (prepare); a fresh checkout may not have
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'index.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  dir = tempDir('packaging-');
  const json = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  packed = (JSON.parse(json) as Packed[])[0];
  const unpacked = path.join(dir, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', path.join(dir, packed.filename), '-C', unpacked]);
  pkg = path.join(unpacked, 'package');
  // the production dependencies only, as `npm install --omit=dev` leaves them (their own
  // dependencies resolve from where the links point)
  const prod = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const top = new Set<string>();
  for (const line of prod.split('\n')) {
    const m = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)$/.exec(line);
    if (m && !line.slice(0, m.index).includes('node_modules')) top.add(m[1]);
  }
  for (const name of top) {
    mkdirSync(path.dirname(path.join(pkg, 'node_modules', name)), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(pkg, 'node_modules', name));
  }
}, 120000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file of the unpacked package but node_modules, with its size and mtime. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (p === path.join(root, 'node_modules')) continue;
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(root, p)} ${statSync(p).size} ${statSync(p).mtimeMs}`);
    }
  };
  walk(root);
  return out.sort();
}

function chorusFlux(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [path.join(pkg, 'bin', 'chorus-flux.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the release tarball (npm pack)', () => {
  it('holds what the commands need at run time', () => {
    const files = new Set(packed.files.map((f) => f.path));
    const needed = [
      'package.json',
      'bin/chorus-flux.js',
      'dist/src/cli/index.js',
      'dist/src/runner/thread-worker.js',
      'dist/src/runner/job-thread.js',
      'dist/package.json',
      'dist/schemas/config.schema.json',
      'dist/schemas/ubl-2.1.structure.json',
      'schemas/config.schema.json',
      'config/example.json',
      'scripts/prepare.js',
      'deploy/systemd/chorus-flux-watch.service',
      'docs/OPERATIONS.md',
      'README.md',
    ];
    expect(needed.filter((f) => !files.has(f))).toEqual([]);
  });

  it('holds no tests, benches, TypeScript sources or CI files (they were half its size)', () => {
    const devOnly = packed.files.map((f) => f.path).filter((f) => /^(test|bench|src|\.ci|dist\/bench|dist\/test)\//.test(f) || /^(tsconfig[^/]*\.json|jest\.config\.js)$/.test(f));
    expect(devOnly).toEqual([]);
    expect(packed.size).toBeLessThan(2 * 1024 * 1024);
  });

  it('unpacked without devDependencies, its prepare script (`npm ci --omit=dev`) keeps the dist/ it ships', () => {
    expect(existsSync(path.join(pkg, 'node_modules', '@types', 'node'))).toBe(false);
    const r = spawnSync('npm', ['run', 'prepare'], { cwd: pkg, encoding: 'utf8' });
    expect([r.status, r.stderr.includes('error')]).toEqual([0, false]);
  });

  it('runs from another folder with the production dependencies, no ../shared and no test/ beside it, writing nothing next to the code', () => {
    expect(existsSync(path.join(pkg, '..', 'shared'))).toBe(false);
    const work = path.join(dir, 'work');
    mkdirSync(work);
    cpSync(FIXTURES_INBOX, path.join(work, 'in'), { recursive: true });
    const before = snapshot(pkg);
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(chorusFlux(['--version'], work)).toMatchObject({ code: 0, stdout: `${version}\n` });

    const run = chorusFlux(['run', 'in', '--out', 'out', '-q'], work);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(readdirSync(path.join(work, 'out', 'pivot')).length).toBeGreaterThan(0);

    const invoice = path.join('in', 'op-alpha', 'facture-e1-papeterie.xml');
    expect(chorusFlux(['validate', invoice], work)).toMatchObject({ code: 0, stdout: `${invoice}: valid\n` });
    const fx = chorusFlux(['facturx', invoice, '-o', 'fx.pdf'], work);
    expect([fx.code, fx.stderr]).toEqual([0, '']);
    expect(readFileSync(path.join(work, 'fx.pdf')).subarray(0, 5).toString()).toBe('%PDF-');

    const day = readdirSync(path.join(work, 'out', 'journal'))[0];
    const rec = chorusFlux(['reconcile', '--date', day, '--out', 'out', '-q'], work);
    expect([rec.code, rec.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(work, 'out', 'reports', `reconcile-${day}.json`))).toBe(true);

    expect(snapshot(pkg)).toEqual(before);
  }, 120000);

  it('no code under src/ names ../shared, test/ or bench/ but the two that never run on a server', () => {
    // a path literal such as '../shared/corpus' or 'test/…' (comments aside)
    const literal = /['"`](\.\.\/)*(shared|test|bench)(\/|['"`])/;
    const allowed = new Set([
      'src/runner/job-threads.ts', // the test loader, only when run from the .ts sources (jest)
      'src/transform/validate/structure/build-content-model.ts', // `npm run schemas:structure`, a maintainer's script
    ]);
    const found: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          const rel = path.relative(ROOT, p);
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (!/^\s*(\/\/|\*|\/\*)/.test(line) && literal.test(line) && !allowed.has(rel)) found.push(`${rel}:${i + 1}`);
            });
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(found).toEqual([]);
  });
});
