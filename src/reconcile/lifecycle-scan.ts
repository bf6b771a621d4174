/**
 * Every record of the lifecycle store, for the nightly scan. `LifecycleStore.all()` reads
 * one file at a time through the thread pool; here the files are read synchronously in
 * slices that yield to the event loop (see scan-folders.ts), several times faster for a large
 * store. Same layout (`<dir>/<2 hex>/<hash>.json`, each `{ records: LifecycleRecord[] }`, see
 * src/lifecycle/store.ts), same records, same order — a test holds the two together.
 * Unreadable files are skipped, as all() does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LifecycleRecord } from '../lifecycle/record';
import { yieldSometimes } from './scan-folders';

function names(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export async function* lifecycleRecords(dir: string): AsyncGenerator<LifecycleRecord> {
  for (const bucket of names(dir)) {
    for (const f of names(path.join(dir, bucket))) {
      if (!f.endsWith('.json')) continue;
      let records: LifecycleRecord[] = [];
      try {
        const stored = JSON.parse(readFileSync(path.join(dir, bucket, f), 'utf8')) as { records?: LifecycleRecord[] };
        if (Array.isArray(stored.records)) records = stored.records;
      } catch {
        /* unreadable: skipped */
      }
      yield* records;
      await yieldSometimes();
    }
  }
}
