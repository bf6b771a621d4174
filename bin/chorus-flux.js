#!/usr/bin/env node
'use strict';
// Built by `npm run build` (run automatically by `npm ci` through the prepare script).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('chorus-flux: not built yet; run `npm run build` (or `npm ci`) first.\n');
  process.exit(2);
}
require(entry);
