/**
 * File-backed lifecycle store: one JSON file per supplier + invoice number (all issue years
 * of that pair inside), written atomically under a cross-process lock. It lives in the state
 * folder, which several machines share, and survives an emptied Redis.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensureDir, writeFileAtomic } from '../emit/atomic-write';
import type { WriteBatch } from '../emit/write-batch';
import { withFileLock } from '../state/file-lock';
import { sha256 } from '../util/hash';
import { readFileIfExists } from '../util/read-if-exists';
import type { LifecycleRecord } from './record';

export interface StoredFile {
  supplierId: string;
  number: string;
  records: LifecycleRecord[];
}

/** A lifecycle record file that cannot be read: the operator restores or removes it. */
export class LifecycleRecordDamaged extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(
      `The lifecycle record ${file} cannot be read (${reason}); the invoices it tracks wait until it is repaired. Restore it from a backup, or remove it to have them judged anew (their earlier deposits and IdCPRO are then forgotten).`,
    );
    this.name = 'LifecycleRecordDamaged';
  }
}

/** The content of a record file; throws LifecycleRecordDamaged when it is not one (empty, cut, other JSON). */
export function parseRecordFile(file: string, text: string): StoredFile {
  let stored: StoredFile;
  try {
    stored = JSON.parse(text) as StoredFile;
  } catch (e) {
    throw new LifecycleRecordDamaged(file, text === '' ? 'the file is empty' : (e as Error).message);
  }
  if (!Array.isArray(stored?.records)) throw new LifecycleRecordDamaged(file, 'no records list');
  return stored;
}

export class LifecycleStore {
  /** `batch`: the write batch of the file whose records this view writes (inBatch); none: each write durable before it returns. */
  constructor(
    private readonly dir: string,
    private readonly batch?: WriteBatch,
  ) {}

  /** The same store, its writes made durable by `batch`'s commit (one file's records). */
  inBatch(batch: WriteBatch): LifecycleStore {
    // a view of this very store (as Outbox.inBatch): a subclass's or a test's overrides hold
    return Object.assign(Object.create(this) as LifecycleStore, { batch });
  }

  private fileFor(supplierId: string, number: string): string {
    const h = sha256(`${supplierId.trim()}|${number.trim()}`);
    return path.join(this.dir, h.slice(0, 2), `${h}.json`);
  }

  private async load(file: string): Promise<StoredFile | undefined> {
    // a small file: a synchronous read is cheaper than a thread-pool round trip
    const bytes = readFileIfExists(file);
    if (bytes === undefined) return undefined;
    // never taken as empty when unreadable: the invoice's earlier deposits and IdCPRO would be
    // forgotten, and a copy of it accepted again under a new IdCPRO; its files wait (system
    // failure, retried)
    return parseRecordFile(file, bytes.toString('utf8'));
  }

  /** Every record for a supplier + invoice number (any issue year). */
  async read(supplierId: string, number: string): Promise<LifecycleRecord[]> {
    return (await this.load(this.fileFor(supplierId, number)))?.records ?? [];
  }

  /**
   * Reads, lets `fn` change the records, writes them back — all under the lock.
   * `fn` returns the new list (or undefined to leave the file untouched) and a result.
   */
  async update<T>(
    supplierId: string,
    number: string,
    fn: (records: LifecycleRecord[]) => Promise<{ records?: LifecycleRecord[]; result: T }> | { records?: LifecycleRecord[]; result: T },
  ): Promise<T> {
    const file = this.fileFor(supplierId, number);
    // the lock lies beside the record: its folder made first (known made for the process),
    // the lock is taken at once, not after a failed token write, a mkdir, then a second mkdir
    // by the record's write. It links this process's one token of the store's folder, not one
    // per bucket (file-lock.ts, tokenDir)
    await ensureDir(path.dirname(file));
    return withFileLock(`${file}.lock`, async () => {
      const current = (await this.load(file))?.records ?? [];
      const { records, result } = await fn(structuredClone(current));
      if (records) await writeFileAtomic(file, JSON.stringify({ supplierId, number, records } satisfies StoredFile), { batch: this.batch });
      return result;
    }, { tokenDir: this.dir });
  }

  /** Every record of the store (for the reconciliation and the suspended-deadline report). */
  async *all(): AsyncGenerator<LifecycleRecord> {
    let buckets: string[];
    try {
      buckets = await fs.readdir(this.dir);
    } catch {
      return;
    }
    for (const b of buckets.sort()) {
      let files: string[];
      try {
        files = await fs.readdir(path.join(this.dir, b));
      } catch {
        continue;
      }
      for (const f of files.sort()) {
        if (!f.endsWith('.json')) continue;
        const stored = await this.load(path.join(this.dir, b, f)).catch(() => undefined);
        for (const r of stored?.records ?? []) yield r;
      }
    }
  }
}
