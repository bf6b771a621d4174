/**
 * A pivot may write its amounts with six decimals, as AIFE's samples do ("3245.000000"). Every
 * Factur-X profile counts an amount's decimals as written (BR-DEC): as written, not even a
 * MINIMUM could be made of them, and such pivots went out without the Factur-X attachment
 * IPM4-AIFE-1 asks for. An amount whose extra decimals are zeros is written with two, the same
 * value; only a real third decimal still stops the Factur-X, said as a warning (AIFE's samples
 * have some: 3245.681450; hostile-values.test.ts).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withTwoDecimals } from '../../src/transform/facturx/cii-tree';
import { corpusFiles } from '../helpers/corpus';
import { facturXAttachments, facturXFailures, walk } from '../helpers/hostile';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir, testConfig } from '../helpers/run';

it('writes an amount whose extra decimals are zeros with two, and leaves any other as it is', () => {
  expect(withTwoDecimals('3245.000000')).toBe('3245.00');
  expect(withTwoDecimals('12.340')).toBe('12.34');
  expect(withTwoDecimals('-5.100000')).toBe('-5.10');
  expect(withTwoDecimals('7.5')).toBe('7.5');
  expect(withTwoDecimals('7')).toBe('7');
  expect(withTwoDecimals('1210.000001')).toBe('1210.000001');
  expect(withTwoDecimals('0.125')).toBe('0.125');
});

it('gives a Factur-X to every accepted invoice of a pivot written with six decimals, valid for its profile, with the same amounts', async () => {
  const root = tempDir('cf-pivot-fx-');
  const inbox = path.join(root, 'inbox', 'op-beta');
  mkdirSync(inbox, { recursive: true });
  // the project's La Poste pivot, its amounts written as AIFE's samples write theirs
  const six = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8').replace(/<(MontantHT|MontantTTC|MontantNetAPayer|BaseHt|MontantTVA)>(-?\d+\.\d\d)</g, '<$1>$20000<');
  expect(six).toContain('<MontantTTC>1011.000000</MontantTTC>');
  writeFileSync(path.join(inbox, 'six.xml'), six);
  const config = bundledConfig(path.join(root, 'out'));
  const summary = await runOnce(path.join(root, 'inbox'), { ...config, facturx: { enabled: true, profile: 'EN 16931' } });
  expect(summary.failures).toEqual([]);
  const invoices = summary.results.flatMap((r) => r.invoices);
  expect(invoices.map((i) => i.outcome)).toEqual(['accepted', 'accepted', 'refused']); // the third, for its buyer, as in the fixture
  expect(invoices.flatMap((i) => i.findings ?? []).filter((f) => f.rule === 'CPRO-FACTURX')).toEqual([]);
  const fx = await facturXAttachments(walk(path.join(root, 'out', 'pivot')), path.join(root, 'fx'));
  expect([...fx.values()].reduce((n, docs) => n + docs.size, 0)).toBe(2);
  expect(facturXFailures(fx, path.join(root, 'fx'))).toEqual([]);
  const totals = [...fx.values()].flatMap((docs) => [...docs.values()]).map((cii) => /<ram:GrandTotalAmount>([^<]*)</.exec(cii)?.[1]);
  expect(totals.sort()).toEqual(['1011.00', '1452.00']);
}, 120_000);

it("AIFE's pivot samples: a Factur-X is left out only for an amount with a real third decimal, never for zeros", async () => {
  const root = tempDir('cf-pivot-fx-');
  const inbox = path.join(root, 'inbox', 'op-beta');
  mkdirSync(inbox, { recursive: true });
  for (const f of corpusFiles('chorus-samples/pivot', /^(facture_122\d|CPPFichierFormatPivot)\.xml$/)) copyFileSync(f, path.join(inbox, path.basename(f)));
  const config = testConfig({ partners: [{ id: 'op-beta', inbox: 'inbox/op-beta' }], recipients: [{ siret: '21930053000017', recepteurId: 'R930053', name: 'Commune (échantillon AIFE)' }], facturx: { enabled: true, profile: 'EN 16931' } }, path.join(root, 'out'));
  const summary = await runOnce(path.join(root, 'inbox'), config);
  expect(summary.failures).toEqual([]);
  const warnings = summary.results.flatMap((r) => r.invoices).flatMap((i) => i.findings ?? []).filter((f) => f.rule === 'CPRO-FACTURX');
  const quoted = warnings.flatMap((w) => [...w.message.matchAll(/"(-?\d+\.\d+)" has more than 2 decimals/g)].map((m) => m[1]));
  expect(quoted.length).toBeGreaterThan(0);
  for (const amount of quoted) expect({ amount, zerosOnly: /\.\d\d0+$/.test(amount) }).toEqual({ amount, zerosOnly: false });
}, 120_000);
