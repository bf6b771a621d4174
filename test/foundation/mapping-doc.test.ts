/** docs/MAPPING.md is generated from the mapping tables; it must be up to date. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mappingMarkdown } from '../../src/docs/mapping-doc';

it('docs/MAPPING.md matches the mapping tables (run `npm run docs:mapping`)', () => {
  expect(readFileSync(path.resolve(__dirname, '../../docs/MAPPING.md'), 'utf8')).toBe(mappingMarkdown());
});
