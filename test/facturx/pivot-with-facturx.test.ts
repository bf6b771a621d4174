/**
 * One Factur-X per invoice (IPM4-AIFE-1). A pivot deposited with its Factur-X already (a pivot
 * chorus-flux wrote, deposited again elsewhere; another platform's) keeps it: a second one,
 * MINIMUM since a pivot has no units, went beside the EN 16931 one, under the same NomPJ.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundledConfig, fixturesCopy, listFiles, runOnce, tempDir } from '../helpers/run';
import { SCHEMAS } from '../helpers/corpus';
import { validateFiles } from '../helpers/xsd';

it('keeps the Factur-X a pivot carries, adds none, and every NomPJ stays unique', async () => {
  // a pivot chorus-flux wrote, with its EN 16931 Factur-X
  const first = fixturesCopy();
  expect((await runOnce(first.inbox, bundledConfig(first.out))).failures).toEqual([]);
  const emitted = listFiles(first.out).find((f) => f.startsWith('pivot/VALM01/')) as string;
  const given = readFileSync(path.join(first.out, emitted), 'utf8');
  const fxGiven = [...given.matchAll(/<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>([^<]*)<\/NomPJ>\s*<CategoriePJ>DUPLICATA_FACTUR-X</g)];
  expect(fxGiven).toHaveLength(1);

  // deposited again as a partner's pivot
  const root = tempDir('cf-pivot-fx-again-');
  mkdirSync(path.join(root, 'inbox', 'op-alpha'), { recursive: true });
  copyFileSync(path.join(first.out, emitted), path.join(root, 'inbox', 'op-alpha', 'deja-avec-facturx.xml'));
  const summary = await runOnce(path.join(root, 'inbox'), bundledConfig(path.join(root, 'out')));
  expect(summary.results[0].outcome).toBe('accepted');
  const pivot = listFiles(path.join(root, 'out')).find((f) => f.startsWith('pivot/')) as string;
  const xml = readFileSync(path.join(root, 'out', pivot), 'utf8');
  expect(validateFiles(SCHEMAS.pivot, [path.join(root, 'out', pivot)])[0].errors).toEqual([]);
  const fx = [...xml.matchAll(/<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>([^<]*)<\/NomPJ>\s*<CategoriePJ>DUPLICATA_FACTUR-X</g)];
  expect(fx).toHaveLength(1);
  expect(fx[0][1]).toBe(fxGiven[0][1]); // the one it came with, byte for byte
  const names = [...xml.matchAll(/<NomPJ>([^<]*)<\/NomPJ>/g)].map((m) => m[1].toLowerCase());
  expect(new Set(names).size).toBe(names.length);
}, 120_000);
