/**
 * The lifecycle store makes a record's folder before taking its lock, once per process
 * (ensureDir's folders known made). A folder removed while the process runs (an operator
 * cleaning up, a restore) is made again at the next update: the lock's ENOENT path makes it,
 * and the record is written in it, never lost and never failing the file.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { LifecycleStore } from '../../src/lifecycle/store';
import type { LifecycleRecord } from '../../src/lifecycle/record';
import { tempDir } from '../helpers/run';

const record = (n: number) => ({ state: 'DEPOSE', n }) as unknown as LifecycleRecord;

async function put(store: LifecycleStore, n: number): Promise<void> {
  await store.update('12345678200010', 'F-1', (records) => ({ records: [...records, record(n)], result: undefined }));
}

describe('LifecycleStore: a record folder removed while running', () => {
  it.each([
    ['its bucket folder', (dir: string, bucket: string) => rmSync(path.join(dir, bucket), { recursive: true, force: true })],
    ['the whole store folder', (dir: string) => rmSync(dir, { recursive: true, force: true })],
  ])('is made again when %s is removed between two updates', async (_label, remove) => {
    const dir = path.join(tempDir(), 'invoices');
    const store = new LifecycleStore(dir);
    await put(store, 1);
    const [bucket] = readdirSync(dir).filter((n) => !n.startsWith('.')); // beside the buckets: this process's lock token
    expect((await store.read('12345678200010', 'F-1')).length).toBe(1);
    remove(dir, bucket);
    expect(existsSync(path.join(dir, bucket))).toBe(false);
    await put(store, 2); // the folder is known made to this process: the lock finds it gone and makes it
    expect(await store.read('12345678200010', 'F-1')).toEqual([record(2)]);
    // no lock left behind, no temp file, no token: only the record
    expect(readdirSync(path.join(dir, bucket)).filter((n) => !n.startsWith('.lock-token.'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
  });
});

describe('LifecycleStore: record locks', () => {
  it('link one token of the store folder, none made in the buckets (a token per bucket was made, listed and removed by every run)', async () => {
    const dir = path.join(tempDir(), 'invoices');
    const store = new LifecycleStore(dir);
    const seen: { bucket: string[]; lockIno: number; tokenIno: number }[] = [];
    for (const number of ['F-1', 'F-2', 'F-3', 'F-4']) {
      await store.update('12345678200010', number, () => {
        const bucket = readdirSync(dir).filter((n) => !n.startsWith('.')).map((b) => path.join(dir, b));
        const lock = bucket.flatMap((b) => readdirSync(b).map((n) => path.join(b, n))).find((p) => p.endsWith('.json.lock')) as string;
        const [token] = readdirSync(dir).filter((n) => n.startsWith('.lock-token.'));
        seen.push({ bucket: readdirSync(path.dirname(lock)), lockIno: statSync(lock).ino, tokenIno: statSync(path.join(dir, token)).ino });
        return { records: [record(1)], result: undefined };
      });
    }
    // each lock, while held, is a link to the store folder's one token: the same inode
    for (const s of seen) expect(s.lockIno).toBe(s.tokenIno);
    expect(new Set(seen.map((s) => s.tokenIno)).size).toBe(1);
    // the buckets hold records only: no token, no lock left
    for (const b of readdirSync(dir).filter((n) => !n.startsWith('.'))) expect(readdirSync(path.join(dir, b)).every((n) => /^[0-9a-f]{64}\.json$/.test(n))).toBe(true);
    expect(seen.every((s) => s.bucket.every((n) => !n.startsWith('.lock-token.')))).toBe(true);
  });
});
