/**
 * lexical.ts's built-in types against xmllint on edge values the official examples never hold:
 * years before 1 (XML Schema 1.0, appendix E: a year's leap day is the year's number divisible
 * by 4, not by 100 unless by 400: -0004 has 29 February, -0001 and -0005 do not), five-digit
 * years, time zones at their limits, 24:00:00, decimals with no digit on one side, '-0'.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LexicalType } from '../../src/transform/validate/structure/content-model';
import { lexicalProblem } from '../../src/transform/validate/structure/lexical';
import { validateStrings } from '../helpers/xsd';

const TYPES: LexicalType[] = ['date', 'time', 'dateTime', 'decimal', 'integer', 'nonNegativeInteger', 'boolean'];
const CASES: Record<LexicalType, string[]> = {
  date: ['-0001-02-29', '-0004-02-29', '-0005-02-29', '-0100-02-29', '-0400-02-29', '-0001-01-01', '0000-01-01', '-0000-01-01', '+2026-01-25', '10000-01-01', '010000-01-01', '1900-02-29', '2000-02-29', '2026-01-25+14:00', '2026-01-25+14:01', '2026-01-25-13:59'],
  time: ['24:00:00', '24:00:01', '23:59:60', '10:30:00.', '10:30:00-14:00'],
  dateTime: ['-0004-02-29T00:00:00', '-0001-02-29T00:00:00', '2026-12-31T24:00:00', '2026-01-25t10:00:00'],
  decimal: ['.5', '5.', '+.5', '-.5', '.', '+', '1e3'],
  integer: ['+5', '-5', '5.0', '+'],
  nonNegativeInteger: ['+0', '-0', '-00', '-1'],
  boolean: ['1', '0', 'True', '01'],
};

describe('the lexical forms of the built-in types, as xmllint (XML Schema 1.0) reads them', () => {
  it('agrees with xmllint on every edge value', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-lex-'));
    const xsd = path.join(dir, 'types.xsd');
    writeFileSync(
      xsd,
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="r"><xs:complexType><xs:choice>${TYPES.map((t) => `<xs:element name="${t}" type="xs:${t}"/>`).join('')}</xs:choice></xs:complexType></xs:element></xs:schema>`,
    );
    const cases = TYPES.flatMap((t) => CASES[t].map((v) => ({ t, v })));
    const oracle = validateStrings(xsd, cases.map(({ t, v }) => `<r><${t}>${v}</${t}></r>`));
    const theirs = cases.map(({ t, v }, k) => `${t} ${v}: ${oracle[k].valid}`);
    const ours = cases.map(({ t, v }) => `${t} ${v}: ${lexicalProblem(t, v) === undefined}`);
    expect(ours).toEqual(theirs);
    // the leap days themselves, so that the oracle's verdict is pinned too
    expect(ours).toEqual(expect.arrayContaining(['date -0004-02-29: true', 'date -0001-02-29: false', 'date -0005-02-29: false', 'date -0400-02-29: true', 'date -0100-02-29: false']));
  });
});
