/**
 * An operator's own configuration file beside its output tree: the bundled example with another
 * emitter and `paths.out`, its partners without inboxes (the tree given to `run`). What the
 * forgotten-`--config` suites start from; `edit` changes it before it is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli';
import { tempDir } from './run';

export function productionTree(prefix: string, edit: (config: Record<string, any>) => void = () => undefined): { dir: string; out: string; file: string } {
  const dir = tempDir(prefix);
  const out = path.join(dir, 'out');
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(readFileSync(path.join(ROOT, 'config/example.json'), 'utf8'));
  config.emitter = { id: 'PROD01', name: 'production' };
  config.paths = { out };
  for (const p of config.partners) delete p.inbox;
  edit(config);
  writeFileSync(file, JSON.stringify(config));
  return { dir, out, file };
}
