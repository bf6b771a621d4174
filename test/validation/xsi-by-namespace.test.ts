/**
 * XML Schema instance attributes are known by the namespace their prefix is bound to, as
 * xmllint knows them, not by the prefix "xsi". Found by the ingest fuzz
 * (test/validation/ingest-fuzz.test.ts, seeds 401 and 403, a rewriting that keeps the document
 * the same): a Chorus Pro pivot whose xsi prefix was named q9 (xmlns:q9 bound to XML Schema
 * instance, q9:noNamespaceSchemaLocation) validates against the official XSD but was refused
 * FLUX-SCHEMA, "an attribute q9:noNamespaceSchemaLocation, which the CPPFacturePivot V2_02
 * schema does not allow on it".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { STRUCTURE } from '../../src/transform/validate/structure/models';
import { checkStructure } from '../../src/transform/validate/structure/structure';
import { liftBlobs } from '../../src/xml/document';
import { SCHEMAS } from '../helpers/corpus';
import { FIXTURES_INBOX } from '../helpers/run';
import { validateStrings } from '../helpers/xsd';

const PIVOT = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const withRoot = (attrs: string, inner = '') => PIVOT.replace('<CPPFacturePivot Version="V1_22">', `<CPPFacturePivot Version="V1_22" ${attrs}>`).replace('<Enveloppe>', `<Enveloppe${inner}>`);

const cases: [string, string][] = [
  ['xsi named q9', withRoot(`xmlns:q9="${XSI}" q9:noNamespaceSchemaLocation="CPPFacturePivot_V2_02.xsd"`)],
  ['xsi as usual', withRoot(`xmlns:xsi="${XSI}" xsi:noNamespaceSchemaLocation="CPPFacturePivot_V2_02.xsd"`)],
  ['q9:nil, q9 being xsi', withRoot(`xmlns:q9="${XSI}"`, ' q9:nil="true"')],
  ['xsi bound to another namespace', withRoot('xmlns:xsi="urn:not-xsi" xsi:noNamespaceSchemaLocation="x.xsd"')],
];

it('an attribute is XML Schema instance by its namespace: the structure check refuses exactly what xmllint refuses with the official XSD', () => {
  const xmllint = validateStrings(SCHEMAS.pivot, cases.map(([, x]) => x)).map((r) => r.errors.length === 0);
  const ours = cases.map(([, x]) => checkStructure(liftBlobs(Buffer.from(x)).text, STRUCTURE.PIVOT) === undefined);
  expect(cases.map(([what], k) => [what, ours[k]])).toEqual(cases.map(([what], k) => [what, xmllint[k]]));
  // the cases hold both answers
  expect(xmllint).toEqual([true, true, false, false]);
});
