/** docs/MAPPING.md is generated from the mapping tables; it must be up to date. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mappingMarkdown } from '../../src/docs/mapping-doc';

it('docs/MAPPING.md matches the mapping tables (run `npm run docs:mapping`)', () => {
  expect(readFileSync(path.resolve(__dirname, '../../docs/MAPPING.md'), 'utf8')).toBe(mappingMarkdown());
});

it('docs/CONFIGURATION.md matches schemas/config.schema.json (run `npm run docs:config`)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { configMarkdown } = require('../../src/docs/config-doc') as typeof import('../../src/docs/config-doc');
  expect(readFileSync(path.resolve(__dirname, '../../docs/CONFIGURATION.md'), 'utf8')).toBe(configMarkdown());
});
