/**
 * Production-mode test set-ups: a configuration with inboxes in a temp folder, a BullMQ
 * queue on the test Redis under a unique prefix.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/config';
import { configFromObject } from '../../src/config/config';
import { REDIS_URL, uniquePrefix } from './redis';
import { tempDir } from './run';

export const ROUTING = [
  { siret: '21787789300016', recepteurId: 'VALM01', name: 'Commune de Valmont-sur-Loire', codeServices: ['FINANCES', 'TRAVAUX', 'SCOLAIRE'], requiresCodeService: true, statusPartner: 'si-valmont' },
  { siret: '19494032600011', recepteurId: 'LYCJM01', name: 'Lycée Jean Moulin', requiresEngagement: true },
  { siret: '26330146700019', recepteurId: 'CHBREV01', name: 'Centre hospitalier de Brévannes' },
];

export interface ProdSetup {
  dir: string;
  config: Config;
  configFile: string;
  inbox(partner: string): string;
}

export function prodSetup(opts: { partners?: string[]; watch?: Partial<Config['watch']>; worker?: Partial<Config['worker']>; extra?: Record<string, unknown> } = {}): ProdSetup {
  const dir = tempDir('cf-prod-');
  const partners = opts.partners ?? ['op-alpha', 'op-beta', 'si-valmont'];
  for (const p of partners) mkdirSync(path.join(dir, 'in', p), { recursive: true });
  const raw = {
    paths: { out: 'out' },
    partners: partners.map((id) => ({ id, inbox: `in/${id}` })),
    recipients: ROUTING,
    redis: { url: REDIS_URL, prefix: uniquePrefix('prod') },
    watch: { stableMs: 800, pollMs: 100, rescanMs: 500, ...opts.watch },
    worker: { concurrency: 2, attempts: 20, backoffMs: 200, shutdownTimeoutMs: 10000, lockDurationMs: 5000, ...opts.worker },
    metrics: { port: 0, workerPort: 0 },
    facturx: { enabled: false },
    ...opts.extra,
  };
  const configFile = path.join(dir, 'config.json');
  require('node:fs').writeFileSync(configFile, JSON.stringify(raw, null, 2));
  return { dir, config: configFromObject(raw, dir, configFile), configFile, inbox: (p) => path.join(dir, 'in', p) };
}
