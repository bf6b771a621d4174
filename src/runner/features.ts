/**
 * The pipeline's optional stages, switched by the configuration: Factur-X generation
 * (IPM4-AIFE-1, `config.facturx`) and the status-flow side of the lifecycle (IPM4-003).
 */
import type { Config } from '../config/config';
import { facturXFileName } from '../transform/facturx/file-name';
import type { FacturXProfile } from '../transform/facturx/profiles';
import type { FacturXMaker, PipelineDeps } from './process-file';

/**
 * The Factur-X of each accepted invoice, attached to its pivot as a PJ (TypePJ 02,
 * DUPLICATA_FACTUR-X, see process-file.ts): FX_<invoice number>.pdf. The configured profile
 * is used when the invoice fills it, else the richest lower one it fills (a pivot in has no
 * VAT categories for 0 % rates, for instance). Validation leaves hardly anything that no
 * profile can hold; for that, the maker fails rather than attach an invalid Factur-X. The
 * bytes depend only on the invoice: processing a file again writes the same pivot.
 */
export function facturXMaker(profile: FacturXProfile): FacturXMaker {
  // loaded only when Factur-X is made: the generator's modules (fontkit, the layout, the CII
  // writer) took 0.3 s of CPU to load in every processing thread of a run without Factur-X
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, as logger.ts does
  const { facturXData, makeBestFacturX } = require('../transform/facturx/make') as typeof import('../transform/facturx/make');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { describeProblem } = require('../transform/facturx/cii-generate') as typeof import('../transform/facturx/cii-generate');
  return async (invoice, known) => {
    const r = await makeBestFacturX(invoice, profile, { known });
    if (r.problems.length > 0) {
      // not even MINIMUM can be made: no Factur-X rather than one that fails its schema (the
      // pipeline emits the pivot without it, with a CPRO-FACTURX warning naming what is missing)
      const why = [...new Set(facturXData(invoice, 'MINIMUM', known).problems.map(describeProblem))];
      throw new Error(`not even the MINIMUM profile can be made: ${why.join('; ')}`);
    }
    return { fileName: facturXFileName(invoice.number), pdf: r.pdf };
  };
}

export function optionalFeatures(config: Config): Partial<Pick<PipelineDeps, 'facturx' | 'statusFlows'>> {
  const out: Partial<Pick<PipelineDeps, 'facturx' | 'statusFlows'>> = {};
  if (config.facturx.enabled) out.facturx = facturXMaker(config.facturx.profile);
  return out;
}
