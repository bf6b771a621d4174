#!/usr/bin/env node
'use strict';
// npm's `prepare`: npm runs it on `npm ci` / `npm install` in this folder, with or without the
// devDependencies, and before `npm pack`. With the build tools installed (a developer, CI, the
// machine that makes the release tarball) it builds dist/ as before. Without them (`npm ci
// --omit=dev` on a server, in an unpacked release that ships dist/) there is nothing to build
// with: a plain `tsc` there failed the whole install (TS2688, or `tsc: not found`).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const resolvable = (id) => {
  try {
    return require.resolve(id, { paths: [root] });
  } catch {
    return undefined;
  }
};
// typescript alone is no sign: a production dependency's optional peer can bring it in
const tsc = resolvable('typescript/bin/tsc');
const buildTools = tsc !== undefined && resolvable('@types/node/package.json') !== undefined;
// a release tarball ships dist/ without the sources and their tsconfig
const sources = fs.existsSync(path.join(root, 'tsconfig.build.json'));

if (buildTools && sources) {
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
if (fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'index.js'))) {
  process.stdout.write('chorus-flux: build tools (devDependencies) not installed; the dist/ already here is used as it is\n');
  process.exit(0);
}
process.stderr.write(
  'chorus-flux: dist/ is not built and the build tools (devDependencies) are not installed.\n' +
    'Install with them and drop them after the build (`npm ci && npm prune --omit=dev`), or install a release tarball made by `npm pack` (docs/OPERATIONS.md, "Installing").\n',
);
process.exit(1);
