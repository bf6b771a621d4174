/**
 * The official reference corpus, read in place from ../shared/corpus (never copied).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

export function corpus(...p: string[]): string {
  return path.join(CORPUS, ...p);
}

export function corpusFiles(dir: string, filter: RegExp = /\.(xml|XML)$/): string[] {
  const d = corpus(dir);
  if (!existsSync(d)) throw new Error(`reference corpus folder missing: ${d} (../shared/corpus must sit beside the project)`);
  return readdirSync(d).filter((f) => filter.test(f)).sort().map((f) => path.join(d, f));
}

export const SCHEMAS = {
  pivot: corpus('schemas/chorus/CPPFacturePivot_V2_02.xsd'),
  statut: corpus('schemas/chorus/CPPStatutPivot_V1_19.xsd'),
};
