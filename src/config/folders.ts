/**
 * Start-up checks of the folders a configuration names, so a typo is an error that names
 * the key instead of an inbox nobody watches. Inboxes must exist; the output root's parent
 * must exist; the processing area must sit on the same file system as every inbox (claims
 * are atomic renames).
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from './config';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function checkFolders(config: Config, mode: 'watch' | 'worker'): void {
  const problems: string[] = [];
  if (!isDir(path.dirname(config.paths.out))) problems.push(`paths.out: the parent folder of ${config.paths.out} does not exist`);
  if (mode === 'watch') {
    const withInbox = config.partners.filter((p) => p.inbox);
    if (withInbox.length === 0) problems.push('partners: no partner has an "inbox": there is nothing to watch');
    config.partners.forEach((p, k) => {
      if (p.inbox && !isDir(p.inbox)) problems.push(`partners.${k}.inbox: the folder ${p.inbox} does not exist`);
    });
    if (problems.length === 0) {
      mkdirSync(config.paths.processing, { recursive: true });
      const dev = statSync(config.paths.processing).dev;
      config.partners.forEach((p, k) => {
        if (p.inbox && statSync(p.inbox).dev !== dev) problems.push(`partners.${k}.inbox: ${p.inbox} is not on the same file system as paths.processing (${config.paths.processing}); claims need an atomic rename`);
      });
    }
  }
  if (problems.length) throw new ConfigError(problems, config.source);
}
