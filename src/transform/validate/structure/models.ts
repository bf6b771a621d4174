/** The official schemas' element structure, as built from the XSDs (build-content-model.ts). */
import type { ContentModel } from './content-model';
import ubl from '../../../../schemas/ubl-2.1.structure.json';
import cii from '../../../../schemas/cii-d16b.structure.json';
import pivot from '../../../../schemas/cpp-facture-pivot-v2_02.structure.json';
import statut from '../../../../schemas/cpp-statut-v1_19.structure.json';

export const STRUCTURE: Record<'UBL' | 'CII' | 'PIVOT' | 'STATUT', ContentModel> = {
  UBL: ubl as unknown as ContentModel,
  CII: cii as unknown as ContentModel,
  PIVOT: pivot as unknown as ContentModel,
  STATUT: statut as unknown as ContentModel,
};
