/**
 * DateLivraison is BT-72, else the issue date (IPM4). An ActualDeliveryDate left blank is no
 * date (blank dates are left out of every output): the pivot went out without DateLivraison
 * instead of with the issue date, as when the element is absent.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpus, SCHEMAS } from '../helpers/corpus';
import { routedUbl } from '../helpers/routed-examples';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

it('a blank BT-72 gives DateLivraison the issue date, as an absent one does', async () => {
  const out = tempDir('cf-delivery-date-');
  const inbox = path.join(out, 'inbox');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  // ubl-tc434-example2: IssueDate 2013-06-30, ActualDeliveryDate 2013-06-15
  const xml = routedUbl(readFileSync(corpus('en16931/ubl-examples/ubl-tc434-example2.xml'), 'utf8'), 1);
  expect(xml).toContain('<cbc:ActualDeliveryDate>2013-06-15</cbc:ActualDeliveryDate>');
  writeFileSync(path.join(inbox, 'op-alpha', 'blank.xml'), xml.replace('<cbc:ActualDeliveryDate>2013-06-15<', '<cbc:ActualDeliveryDate> <'));
  writeFileSync(path.join(inbox, 'op-alpha', 'absent.xml'), routedUbl(readFileSync(corpus('en16931/ubl-examples/ubl-tc434-example2.xml'), 'utf8'), 2).replace('<cbc:ActualDeliveryDate>2013-06-15</cbc:ActualDeliveryDate>', ''));
  const summary = await runOnce(inbox, bundledConfig(out));
  const pivots: Record<string, string> = {};
  for (const r of summary.results) {
    expect({ file: path.basename(r.file), outcome: r.outcome }).toEqual({ file: path.basename(r.file), outcome: 'accepted' });
    pivots[path.basename(r.file)] = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
  }
  const dates = (f: string) => [xpath(f, "string(//*[local-name()='DateEmissionFacture'])"), xpath(f, "string(//*[local-name()='DateLivraison'])")];
  expect(dates(pivots['absent.xml'])).toEqual(['2013-06-30', '2013-06-30']);
  expect(dates(pivots['blank.xml'])).toEqual(['2013-06-30', '2013-06-30']);
  expect(validateFiles(SCHEMAS.pivot, Object.values(pivots)).flatMap((v) => v.errors)).toEqual([]);
}, 120_000);
