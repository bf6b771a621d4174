/**
 * Start-up checks of the folders a configuration names, so a typo is an error that names
 * the key instead of an inbox nobody watches. Inboxes must exist; the output root's parent
 * must exist; the processing area must sit on the same file system as every inbox (claims
 * are atomic renames); the output root must be writable.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeErrorCode } from '../util/system-error-hint';
import { ConfigError, type Config } from './config';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Why `dir` cannot be written — or, when it does not exist yet, the nearest folder it would be
 * made in — or undefined when it can. (Node's recursive mkdir reports a read-only disk as
 * ENOENT; asking first gives the operator the real reason.)
 */
export function unwritableReason(dir: string): string | undefined {
  let p = path.resolve(dir);
  while (!existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  try {
    accessSync(p, constants.W_OK);
    return undefined;
  } catch (e) {
    return `${p} cannot be written (${describeErrorCode((e as NodeJS.ErrnoException).code ?? 'error')})`;
  }
}

/** The output root can be written (`run` makes it and its parents as needed). */
export function checkOutputWritable(config: Config, key = 'paths.out'): void {
  const why = unwritableReason(config.paths.out);
  if (why) throw new ConfigError([`${key}: ${why}`], config.source);
}

export function checkFolders(config: Config, mode: 'watch' | 'worker'): void {
  const problems: string[] = [];
  if (!isDir(path.dirname(config.paths.out))) problems.push(`paths.out: the parent folder of ${config.paths.out} does not exist`);
  else {
    const why = unwritableReason(config.paths.out);
    if (why) problems.push(`paths.out: ${why}`);
  }
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
