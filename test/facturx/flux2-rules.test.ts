/**
 * The French reform's Flux 2 rules (AFNOR XP Z12-012, the official
 * BR-FR-Flux2-Schematron-CII.xslt, run by Saxon-HE) over the Factur-X the pipeline embeds for
 * the fixtures, the official EN 16931 examples and a bench corpus. Chorus Pro (B2G) is not
 * bound by them, but where the input has the data the CII must not break them: each document
 * fails exactly the rules flux2-allow-list.ts names for it, each with its reason (data the
 * input lacks, or a B2G convention). A quantity or rate written with zeros past the French
 * limits ("64.", "0.00880", a rate "0.0000") broke BR-FR-DEC-02 / DEC-04 / BR-FR-16 on values
 * the rules accept once written without them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withDecimals } from '../../src/transform/facturx/cii-tree';
import { allowedFor, FLUX2_ALLOWED } from './flux2-allow-list';
import { flux2Documents, officialFlows } from './flux2-documents';
import { saxonBatch, SCHEMATRON, type Svrl } from './oracles';
import { FIXTURES_INBOX } from '../helpers/run';

let docs: Map<string, string>;
let flux2: Map<string, Svrl>;

beforeAll(async () => {
  docs = await flux2Documents();
  flux2 = saxonBatch(SCHEMATRON.flux2Cii, docs);
}, 240_000);

it('covers the fixtures, the 33 official examples and every kind of the bench corpus', () => {
  const labels = [...docs.keys()];
  expect(labels.filter((l) => l.startsWith('fixture:')).sort()).toEqual(['fixture:A-2026-0007', 'fixture:F-2026-0101', 'fixture:FE2-2026-0042', 'fixture:ISO-2026-1187', 'fixture:LP-2026-558812', 'fixture:LP-2026-558813', 'fixture:TR-2026-0311']);
  expect(labels.filter((l) => l.startsWith('official:'))).toHaveLength(33);
  expect(new Set(labels.filter((l) => l.startsWith('bench:')).map((l) => l.split(':')[1]))).toEqual(new Set(['ubl', 'ubl+pj', 'e2', 'cii', 'pivot']));
});

it('fails, document by document, exactly the Flux 2 rules the allow-list gives a reason for', () => {
  const got = Object.fromEntries([...flux2].map(([label, s]) => [label, [...new Set(s.failed.map((f) => f.id ?? f.text))].sort()]));
  const want = Object.fromEntries([...flux2.keys()].map((label) => [label, allowedFor(label)]));
  expect(got).toEqual(want);
  // every failure is flagged fatal: the Flux 2 schematron has no warnings
  expect([...flux2.values()].flatMap((s) => s.failed).filter((f) => f.flag !== 'fatal')).toEqual([]);
});

it('fails no Flux 2 rule the CII it was made from meets (the official CII examples, the fixture CII): the mapping loses nothing the rules need', () => {
  const inputs = new Map(officialFlows().filter((f) => f.cii).map((f) => [f.label, f.text]));
  inputs.set('fixture:ISO-2026-1187', readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-cii-hopital.xml'), 'utf8'));
  const before = saxonBatch(SCHEMATRON.flux2Cii, inputs);
  const added = [...inputs.keys()].flatMap((label) => {
    const had = new Set(before.get(label)?.failed.map((f) => f.id));
    return [...new Set((flux2.get(label)?.failed ?? []).map((f) => f.id))].filter((id) => !had.has(id)).map((id) => `${label} ${id}`);
  });
  expect(inputs.size).toBe(16);
  expect(added).toEqual([]);
}, 60_000);

it('lists no rule the documents all meet', () => {
  const failed = new Set([...flux2.values()].flatMap((s) => s.failed.map((f) => f.id)));
  expect(Object.keys(FLUX2_ALLOWED).filter((id) => !failed.has(id))).toEqual([]);
});

it('writes a quantity with at most 4 decimals and a rate with at most 2 when the others are zeros, and no bare point', () => {
  expect(withDecimals('64.', 4)).toBe('64');
  expect(withDecimals('100.', 4)).toBe('100');
  expect(withDecimals('0.00880', 4)).toBe('0.0088');
  expect(withDecimals('15.24000', 4)).toBe('15.2400');
  expect(withDecimals('1.0000', 4)).toBe('1.0000');
  expect(withDecimals('0.00101', 4)).toBe('0.00101');
  expect(withDecimals('0.0000', 2)).toBe('0.00');
  expect(withDecimals('5.500', 2)).toBe('5.50');
  expect(withDecimals('20', 2)).toBe('20');
  expect(withDecimals('abc.', 4)).toBe('abc.');
});
