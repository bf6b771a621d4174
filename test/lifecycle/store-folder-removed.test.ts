/**
 * The lifecycle store makes a record's folder before taking its lock, once per process
 * (ensureDir's folders known made). A folder removed while the process runs (an operator
 * cleaning up, a restore) is made again at the next update: the lock's ENOENT path makes it,
 * and the record is written in it, never lost and never failing the file.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
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
    const [bucket] = readdirSync(dir);
    expect((await store.read('12345678200010', 'F-1')).length).toBe(1);
    remove(dir, bucket);
    expect(existsSync(path.join(dir, bucket))).toBe(false);
    await put(store, 2); // the folder is known made to this process: the lock finds it gone and makes it
    expect(await store.read('12345678200010', 'F-1')).toEqual([record(2)]);
    // no lock left behind, no temp file: only the record (and this process's lock token)
    expect(readdirSync(path.join(dir, bucket)).filter((n) => !n.startsWith('.lock-token.'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
  });
});
