/**
 * Every record of the lifecycle store, for the nightly scan. `LifecycleStore.all()` reads
 * one file at a time through the thread pool; here the files are read synchronously in
 * slices that yield to the event loop (see scan-folders.ts), several times faster for a large
 * store. Same layout (`<dir>/<2 hex>/<hash>.json`, each `{ records: LifecycleRecord[] }`, see
 * src/lifecycle/store.ts), same records, same order — a test holds the two together.
 * Unreadable files are skipped (and told to `onDamaged`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LifecycleRecord } from '../lifecycle/record';
import { LifecycleRecordDamaged, parseRecordFile } from '../lifecycle/store';
import { yieldSometimes } from './scan-folders';

function names(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * `onDamaged` is told of each record file that cannot be read (empty, torn, not a record):
 * the pipeline stops the files of its invoices until it is repaired, so the report names it.
 */
export async function* lifecycleRecords(dir: string, onDamaged?: (file: string, reason: string) => void): AsyncGenerator<LifecycleRecord> {
  for (const bucket of names(dir)) {
    for (const f of names(path.join(dir, bucket))) {
      if (!f.endsWith('.json')) continue;
      let records: LifecycleRecord[] = [];
      const file = path.join(dir, bucket, f);
      try {
        records = parseRecordFile(file, readFileSync(file, 'utf8')).records;
      } catch (e) {
        // removed meanwhile: nothing to say; else skipped here, reported by the caller
        if (e instanceof LifecycleRecordDamaged) onDamaged?.(file, e.reason);
        else if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onDamaged?.(file, (e as Error).message);
      }
      yield* records;
      await yieldSometimes();
    }
  }
}
