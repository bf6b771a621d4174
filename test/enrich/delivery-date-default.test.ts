/**
 * DateLivraison is BT-72, else the issue date (IPM4).
 *
 * An absent BT-72 gives the issue date (before that default, the pivot went out without
 * DateLivraison). One left blank is no date: the UBL schema types it xs:date, which an empty
 * element is not (as the pivot's own dates), so the file is refused with CPRO-PIVOT-DATE, as the
 * official XSD refuses it; until 2026-12-07 it was taken for an absent date and accepted. CII
 * types its dates as strings, and the official rule CII-DT-097 refuses an empty one.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpus, SCHEMAS } from '../helpers/corpus';
import { routedCii, routedUbl } from '../helpers/routed-examples';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

it('an absent BT-72 gives DateLivraison the issue date; a blank one is refused, as the official UBL schema and CII rules refuse it', async () => {
  const out = tempDir('cf-delivery-date-');
  const inbox = path.join(out, 'inbox');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  // the tc434 example 2: IssueDate 2013-06-30, ActualDeliveryDate 2013-06-15, in UBL and in CII
  const ubl = readFileSync(corpus('en16931/ubl-examples/ubl-tc434-example2.xml'), 'utf8');
  const cii = readFileSync(corpus('en16931/cii-examples/CII_example2.xml'), 'utf8');
  expect(ubl).toContain('<cbc:ActualDeliveryDate>2013-06-15</cbc:ActualDeliveryDate>');
  expect(cii).toContain('<udt:DateTimeString format="102">20130615</udt:DateTimeString>');
  const files = {
    'blank.xml': routedUbl(ubl, 1).replace('<cbc:ActualDeliveryDate>2013-06-15<', '<cbc:ActualDeliveryDate> <'),
    'absent.xml': routedUbl(ubl, 2).replace('<cbc:ActualDeliveryDate>2013-06-15</cbc:ActualDeliveryDate>', ''),
    'blank-cii.xml': routedCii(cii, 3).replace('<udt:DateTimeString format="102">20130615</udt:DateTimeString>', '<udt:DateTimeString format="102"></udt:DateTimeString>'),
  };
  for (const [name, xml] of Object.entries(files)) writeFileSync(path.join(inbox, 'op-alpha', name), xml);
  // the oracle: the official UBL schema refuses the blank date; the CII schema takes it (CII-DT-097 refuses it)
  const [ublXsd, ciiXsd] = [corpus('schemas/ubl-2.1/maindoc/UBL-Invoice-2.1.xsd'), corpus('schemas/cii-d16b/CrossIndustryInvoice_100pD16B.xsd')];
  expect(validateFiles(ublXsd, [path.join(inbox, 'op-alpha', 'blank.xml')])[0].errors.join('\n')).toMatch(/ActualDeliveryDate.*is not a valid value of the atomic type 'xs:date'/);
  expect(validateFiles(ciiXsd, [path.join(inbox, 'op-alpha', 'blank-cii.xml')])[0].errors).toEqual([]);

  const summary = await runOnce(inbox, bundledConfig(out));
  const byName = Object.fromEntries(summary.results.map((r) => [path.basename(r.file), r]));
  expect(Object.fromEntries(Object.entries(byName).map(([n, r]) => [n, r.outcome]))).toEqual({ 'blank.xml': 'refused', 'absent.xml': 'accepted', 'blank-cii.xml': 'refused' });
  const refused = byName['blank.xml'];
  expect(refused.findings.filter((f) => f.severity === 'fatal').map((f) => [f.rule, f.message])).toEqual([['CPRO-PIVOT-DATE', 'The Actual delivery date (BT-72) "" is not a calendar date (YYYY-MM-DD; in CII, format 102: YYYYMMDD).']]);
  expect(byName['blank-cii.xml'].findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['CII-DT-097']);
  const kept = refused.outputs.find((o) => o.kind === 'error')!;
  expect(readFileSync(path.join(out, kept.path), 'utf8')).toBe(files['blank.xml']);

  const pivot = (name: string) => path.join(out, byName[name].outputs.find((o) => o.kind === 'pivot')!.path);
  const dates = (f: string) => [xpath(f, "string(//*[local-name()='DateEmissionFacture'])"), xpath(f, "string(//*[local-name()='DateLivraison'])")];
  expect(dates(pivot('absent.xml'))).toEqual(['2013-06-30', '2013-06-30']);
  expect(validateFiles(SCHEMAS.pivot, [pivot('absent.xml')]).flatMap((v) => v.errors)).toEqual([]);
}, 120_000);
