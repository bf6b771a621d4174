#!/usr/bin/env node
'use strict';
// Built by `npm run build` (run automatically by `npm ci` through the prepare script).
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');

// Before anything else is loaded: on an older Node (Debian 12's apt nodejs is 18) the
// dependencies or the code fail somewhere in the middle, with an error that does not say why.
const wanted = /^>=\s*(\d+)/.exec(require(path.join(root, 'package.json')).engines.node);
const major = Number(process.versions.node.split('.')[0]);
if (wanted && major < Number(wanted[1])) {
  process.stderr.write(`chorus-flux: Node ${wanted[1]} or later is required; this is Node ${process.versions.node} (${process.execPath}). Install Node ${wanted[1]} LTS (docs/OPERATIONS.md, "Installing").\n`);
  process.exit(2);
}

const entry = path.join(root, 'dist', 'src', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('chorus-flux: not built yet; run `npm run build` (or `npm ci`) first.\n');
  process.exit(2);
}
require(entry);
