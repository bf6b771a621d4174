/**
 * The code lists (schemas/codelists/*.json) and the rule messages/flags
 * (src/transform/validate/rules/official.json) are the official ones: they are compared with
 * what the official schematron XSLT holds. UPDATE_OFFICIAL_DATA=1 rewrites them from the XSLT.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { codeListsFromXslt, officialRuleData } from './support/official-data';

const ROOT = path.resolve(__dirname, '../..');
const CODELISTS = path.join(ROOT, 'schemas/codelists');
const OFFICIAL = path.join(ROOT, 'src/transform/validate/rules/official.json');
const update = process.env.UPDATE_OFFICIAL_DATA === '1';

describe('official data kept by the project', () => {
  const lists = codeListsFromXslt();

  test.each(lists.map((l) => [l.name, l]))('code list %s equals the official XSLT', (name, list) => {
    const file = path.join(CODELISTS, `${name}.json`);
    if (update) {
      mkdirSync(CODELISTS, { recursive: true });
      writeFileSync(file, `${JSON.stringify(list, null, 1)}\n`);
    }
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(list);
  });

  it('rule messages and flags equal the official XSLT', () => {
    const data = officialRuleData();
    if (update) writeFileSync(OFFICIAL, `${JSON.stringify(data, null, 1)}\n`);
    expect(JSON.parse(readFileSync(OFFICIAL, 'utf8'))).toEqual(data);
  });
});
