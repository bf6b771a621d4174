/**
 * The well-formedness check agrees with libxml2 (xmllint --noout) on a set of tricky
 * documents, well-formed or not.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkWellFormed } from '../../src/xml/well-formed';
import { tempDir } from '../helpers/run';

const DOCS: [string, string][] = [
  ['simple', '<a><b>x</b><c/></a>'],
  ['declaration and comment', '<?xml version="1.0"?>\n<!-- hello -->\n<a/>'],
  ['attributes with > and single quotes', `<a x="1>2" y='z'><b k = "v"/></a>`],
  ['CDATA with markup inside', '<a><![CDATA[ <b> & </c> ]]></a>'],
  ['PI inside and after root', '<a><?pi data?></a><?after?>'],
  ['namespaces', '<p:a xmlns:p="urn:x"><p:b/></p:a>'],
  ['entity references', '<a t="&amp;&#65;">&lt;&gt;&quot;&apos;&#x20AC;</a>'],
  ['unicode names', '<données><élément/></données>'],
  ['trailing whitespace', '<a/>\n\n  '],
  ['unclosed element', '<a><b></a>'],
  ['truncated', '<a><b>text</b>'],
  ['mismatched close', '<a></b>'],
  ['stray close', '<a/></a>'],
  ['two roots', '<a/><b/>'],
  ['text before root', 'hello <a/>'],
  ['text after root', '<a/> bye'],
  ['unquoted attribute', '<a x=1/>'],
  ['attribute without value', '<a x/>'],
  ['duplicate attribute', '<a x="1" x="2"/>'],
  ['< in attribute value', '<a x="<"/>'],
  ['bare < in text', '<a>1 < 2</a>'],
  ['unclosed comment', '<a><!-- x </a>'],
  ['-- in comment', '<a><!-- x -- y --></a>'],
  ['unclosed CDATA', '<a><![CDATA[ x </a>'],
  ['bad element name', '<1a/>'],
  ['space after <', '< a/>'],
  ['declaration not first', '<a/><?xml version="1.0"?>'],
  ['empty', ''],
  ['only a comment', '<!-- x -->'],
];

it('agrees with xmllint on every document', () => {
  const dir = tempDir();
  const files = DOCS.map(([, xml], k) => {
    const f = path.join(dir, `d${k}.xml`);
    writeFileSync(f, xml);
    return f;
  });
  const verdicts = DOCS.map(([name, xml], k) => {
    const lint = spawnSync('xmllint', ['--noout', '--nonet', files[k]], { encoding: 'utf8' }).status === 0;
    const ours = checkWellFormed(xml) === undefined;
    return { name, xmllint: lint, ours };
  });
  expect(verdicts.filter((v) => v.xmllint !== v.ours)).toEqual([]);
  // the set really has both kinds
  expect(verdicts.filter((v) => v.ours).length).toBeGreaterThan(5);
  expect(verdicts.filter((v) => !v.ours).length).toBeGreaterThan(10);
});
