/**
 * Start-up clean-up of the output tree: temp files of crashed writers in the outboxes
 * (pivot/, statut/, cdar/, reports/, and the last two days of archive/ and error/).
 */
import path from 'node:path';
import type { Config } from '../config/config';
import { dayOf } from '../util/clock';
import { sweepTempFiles } from './atomic-write';

export async function sweepOutboxes(config: Config, now = new Date()): Promise<number> {
  const days = [dayOf(now, config.timezone), dayOf(new Date(now.getTime() - 86_400_000), config.timezone)];
  const roots = [
    ...['pivot', 'statut', 'cdar', 'reports'].map((d) => path.join(config.paths.out, d)),
    ...days.flatMap((d) => ['archive', 'error'].map((k) => path.join(config.paths.out, k, d))),
  ];
  let n = 0;
  for (const r of roots) n += await sweepTempFiles(r);
  return n;
}
