/**
 * The pipeline's optional stages, switched by the configuration: Factur-X generation
 * (IPM4-AIFE-1) and the status-flow side of the lifecycle (IPM4-003).
 */
import type { Config } from '../config/config';
import type { PipelineDeps } from './process-file';

export function optionalFeatures(_config: Config): Partial<Pick<PipelineDeps, 'facturx' | 'statusFlows'>> {
  return {};
}
