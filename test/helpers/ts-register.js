/**
 * Lets child processes of the tests run TypeScript sources directly (`node -r
 * ./test/helpers/ts-register.js some.ts`): each .ts file is transpiled to CommonJS on load
 * with TypeScript's own transpiler, cached under .cache/ts-register by content hash.
 * No type checking (tsc --noEmit does that).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

let ts; // loaded only on a cache miss: requiring typescript costs ~0.5 s
const options = { module: 1 /* CommonJS */, target: 9 /* ES2022 */, esModuleInterop: true, resolveJsonModule: true, sourceMap: false, inlineSourceMap: true };
const cacheDir = path.resolve(__dirname, '../../.cache/ts-register');

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    ts ??= require('typescript');
    output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, cached);
    } catch {
      /* cache is best effort */
    }
  }
  module._compile(output, filename);
};
