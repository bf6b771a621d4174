/**
 * Folder fsyncs shared between files in flight (atomic-write.ts, fsyncDir): a folder that
 * another file's commit fsynced after a batch gave its names there is not fsynced again at
 * that batch's commit; a name given after that fsync was requested still gets one of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/run';

type AtomicWrite = typeof import('../../src/emit/atomic-write');
type WriteBatchModule = typeof import('../../src/emit/write-batch');

/** The modules loaded afresh with fs.fsync watched: the folders it was called on, in order. */
function load(): { aw: AtomicWrite; wb: WriteBatchModule; dirSyncs: string[] } {
  const dirSyncs: string[] = [];
  const real = fs.fsync;
  jest.spyOn(fs, 'fsync').mockImplementation(((fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
    if (fs.fstatSync(fd).isDirectory()) dirSyncs.push(path.basename(fs.readlinkSync(`/proc/self/fd/${fd}`)));
    real(fd, cb);
  }) as typeof fs.fsync);
  let aw!: AtomicWrite;
  let wb!: WriteBatchModule;
  jest.isolateModules(() => {
    aw = require('../../src/emit/atomic-write') as AtomicWrite;
    wb = require('../../src/emit/write-batch') as WriteBatchModule;
  });
  return { aw, wb, dirSyncs };
}

/** A promise and what settles it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

afterEach(() => jest.restoreAllMocks());

describe('folder fsyncs shared between the files in flight', () => {
  it('a name already made durable by another file’s commit costs its own commit no folder fsync', async () => {
    const { aw, wb, dirSyncs } = load();
    const dir = path.join(tempDir(), 'archive');
    fs.mkdirSync(dir);
    const named = gate();
    const commit = gate();
    // file A gives its name (a kept original: renamed at once), then is still being processed…
    const a = wb.withWriteBatch(async (batch) => {
      await aw.writeFileAtomic(path.join(dir, 'a.xml'), 'a', { batch });
      named.open();
      await commit.wait;
      await aw.commitWrites(batch);
    });
    await named.wait;
    // … while file B gives its own and commits: B's folder fsync begins after A's name was given
    await wb.withWriteBatch(async (batch) => {
      await aw.writeFileAtomic(path.join(dir, 'b.xml'), 'b', { batch });
      await aw.commitWrites(batch);
    });
    expect(dirSyncs).toEqual(['archive']);
    commit.open();
    await a;
    expect(dirSyncs).toEqual(['archive']);
    expect(fs.readFileSync(path.join(dir, 'a.xml'), 'utf8')).toBe('a');
  });

  it('a name given after the other file’s fsync was requested gets a folder fsync of its own', async () => {
    const { aw, wb, dirSyncs } = load();
    const dir = path.join(tempDir(), 'pivot');
    fs.mkdirSync(dir);
    const bCommitted = gate();
    const a = wb.withWriteBatch(async (batch) => {
      await aw.writeFileAtomic(path.join(dir, 'a1.xml'), 'a1', { batch });
      await bCommitted.wait;
      // named after B's fsync: only this batch's own fsync makes it durable
      await aw.writeFileAtomic(path.join(dir, 'a2.xml'), 'a2', { batch });
      await aw.commitWrites(batch);
    });
    await wb.withWriteBatch(async (batch) => {
      await aw.writeFileAtomic(path.join(dir, 'b.xml'), 'b', { batch });
      await aw.commitWrites(batch);
    });
    bCommitted.open();
    await a;
    expect(dirSyncs).toEqual(['pivot', 'pivot']);
  });

  it('outputs named at the commit (visibleAtCommit) are fsynced after they are named, even when another commit fsynced their folder meanwhile', async () => {
    const { aw, wb, dirSyncs } = load();
    const dir = path.join(tempDir(), 'statut');
    fs.mkdirSync(dir);
    const written = gate();
    const commit = gate();
    const a = wb.withWriteBatch(async (batch) => {
      await aw.writeFileAtomic(path.join(dir, 'a.xml'), 'a', { visibleAtCommit: true, batch });
      written.open();
      await commit.wait;
      await aw.commitWrites(batch);
    });
    await written.wait;
    await wb.withWriteBatch(async (batch) => {
      await aw.writeFileAtomic(path.join(dir, 'b.xml'), 'b', { visibleAtCommit: true, batch });
      await aw.commitWrites(batch);
    });
    commit.open();
    await a;
    expect(dirSyncs).toEqual(['statut', 'statut']);
  });
});
