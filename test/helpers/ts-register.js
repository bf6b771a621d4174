/**
 * Lets child processes of the tests run TypeScript sources directly (`node -r
 * ./test/helpers/ts-register.js some.ts`): each .ts file is transpiled to CommonJS on load
 * with TypeScript's own transpiler. No type checking (tsc --noEmit does that).
 */
const fs = require('node:fs');
const ts = require('typescript');

const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true, sourceMap: false, inlineSourceMap: true };

require.extensions['.ts'] = function compile(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};
