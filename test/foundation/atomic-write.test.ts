/**
 * Atomic writes from pieces: text and byte parts, small and larger than what is encoded at a
 * time, multi-byte characters — the file holds exactly their concatenation, no temp file left.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commitWrites, copyFileAtomic, writeFileAtomic } from '../../src/emit/atomic-write';
import { withWriteBatch } from '../../src/emit/write-batch';
import { Outbox } from '../../src/emit/outbox';
import { base64TextOf, decodeBase64StrictBytes } from '../../src/util/base64';
import { tempDir } from '../helpers/run';

describe('writeFileAtomic', () => {
  it.each([
    ['small, written synchronously', 20],
    ['large, written through the thread pool', 3_000_000],
  ])('writes the concatenation of its parts (%s)', async (_label, size) => {
    const dir = tempDir();
    const big = randomBytes(size).toString('base64');
    const parts = ['<a>été € ', big, Buffer.from(' octets '), '', big.slice(0, 1000), '</a>\n'];
    const target = path.join(dir, 'sub', 'out.xml');
    await writeFileAtomic(target, parts);
    const expected = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    expect(readFileSync(target).equals(expected)).toBe(true);
    expect(readdirSync(path.join(dir, 'sub'))).toEqual(['out.xml']);
  });

  it('writes bytes given as base64 parts, slice by slice, and returns the SHA-256 and size of what it wrote', async () => {
    const dir = tempDir();
    const bytes = [randomBytes(7_000_001), randomBytes(2), randomBytes(0), randomBytes(3_145_728)];
    const target = path.join(dir, 'b64.xml');
    const w = await writeFileAtomic(target, ['<x>', ...bytes.flatMap((b) => [{ base64Of: b }, '|']), '</x>']);
    const expected = `<x>${bytes.map((b) => `${b.toString('base64')}|`).join('')}</x>`;
    const written = readFileSync(target);
    expect(written.toString('latin1')).toBe(expected);
    expect(w.bytes).toBe(written.length);
    expect(w.sha256).toBe(createHash('sha256').update(written).digest('hex'));
  });

  it('small writes one after another, with base64, byte and text parts mixed, each hold exactly their parts and report their hash', async () => {
    const dir = tempDir();
    // sizes going up and down, on both sides of the synchronous-write limit; byte parts between encoded ones
    const sizes = [10, 70_000, 300, 700_000, 5, 200_000];
    for (const [k, size] of sizes.entries()) {
      const raw = randomBytes(size);
      const kept = randomBytes(size % 997);
      const parts = [`<r n="${k}">é\ud800€`, { base64Of: raw }, kept, '|', { base64Of: raw.subarray(0, size >> 1) }, kept, '</r>'];
      const target = path.join(dir, `s${k}.xml`);
      const w = await writeFileAtomic(target, parts);
      const expected = Buffer.concat([
        Buffer.from(`<r n="${k}">é\ud800€`, 'utf8'),
        Buffer.from(raw.toString('base64'), 'latin1'),
        kept,
        Buffer.from('|'),
        Buffer.from(raw.subarray(0, size >> 1).toString('base64'), 'latin1'),
        kept,
        Buffer.from('</r>'),
      ]);
      const written = readFileSync(target);
      expect(written.equals(expected)).toBe(true);
      expect(w.bytes).toBe(expected.length);
      expect(w.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    }
  });

  it('writes bytes decoded from an input as that input\'s text when encoding gives it, as their encoding otherwise', async () => {
    const dir = tempDir();
    // sizes with 0, 1 and 2 padding characters, over several 64 KiB slices
    for (const [k, size] of [200_001, 200_002, 196_608, 3_000].entries()) {
      const raw = randomBytes(size);
      const text = raw.toString('base64');
      const exact = decodeBase64StrictBytes(Buffer.from(text, 'latin1'));
      // the last character's spare bits set: a decoder ignores them, an encoder writes 0
      const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
      const last = text.length - pad - 1;
      const loose = pad === 0 ? undefined : decodeBase64StrictBytes(Buffer.from(`${text.slice(0, last)}${String.fromCharCode(text.charCodeAt(last) + 1)}${text.slice(last + 1)}`, 'latin1'));
      for (const r of [exact, loose]) {
        if (r === undefined) continue;
        expect(r.ok).toBe(true);
        if (!r.ok) continue;
        expect(r.bytes.equals(raw)).toBe(true);
        expect(base64TextOf(r.bytes)?.toString('latin1')).toBe(r === exact ? text : undefined);
        const target = path.join(dir, `d${k}-${r === exact ? 'exact' : 'loose'}.xml`);
        const w = await writeFileAtomic(target, ['<x>', { base64Of: r.bytes }, '</x>']);
        const expected = Buffer.from(`<x>${text}</x>`, 'latin1');
        expect(readFileSync(target).equals(expected)).toBe(true);
        expect(w.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
      }
    }
  });

  it('writes more parts than one writev takes', async () => {
    const dir = tempDir();
    const parts = Array.from({ length: 2000 }, (_, k) => `${k},`);
    const target = path.join(dir, 'many.txt');
    await writeFileAtomic(target, parts);
    expect(readFileSync(target, 'utf8')).toBe(parts.join(''));
  });
});

describe('no-clobber writes (kept originals)', () => {
  it('takes a free name, and refuses a taken one with EEXIST, the file there untouched, no temp file left', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'invoice.xml');
    await writeFileAtomic(target, 'first', { noClobber: true });
    const ino = statSync(target).ino;
    await expect(writeFileAtomic(target, 'second', { noClobber: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(target, 'utf8')).toBe('first');
    expect(statSync(target).ino).toBe(ino);
    expect(statSync(target).nlink).toBe(1); // the temp name is gone, not a second link
    expect(readdirSync(dir)).toEqual(['invoice.xml']);
    // without the option the name is replaced, as every other output is
    await writeFileAtomic(target, 'second');
    expect(readFileSync(target, 'utf8')).toBe('second');
  });

  it('copies a file the same way: free name taken, taken name refused, the size returned', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'big.src');
    writeFileSync(source, randomBytes(200_000));
    const target = path.join(dir, 'kept', 'big.xml');
    expect(await copyFileAtomic(source, target, { noClobber: true })).toBe(200_000);
    expect(readFileSync(target).equals(readFileSync(source))).toBe(true);
    writeFileSync(source, 'other');
    await expect(copyFileAtomic(source, target, { noClobber: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(statSync(target).size).toBe(200_000);
    expect(readdirSync(path.join(dir, 'kept'))).toEqual(['big.xml']);
  });
});

describe('copies of files too big to hold in memory', () => {
  it('refuses a copy whose content is not the one hashed first (the source changed meanwhile): nothing kept, no temp file', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'lot.xml');
    writeFileSync(source, 'read and hashed first');
    const hashed = createHash('sha256').update('read and hashed first').digest('hex');
    writeFileSync(source, 'then the client wrote more'); // between the hash and the copy
    const outbox = new Outbox(path.join(dir, 'out'));
    await expect(outbox.keepLargeOriginal('error', '2026-03-10', 'lot.xml', source, hashed)).rejects.toThrow(/lot\.xml changed while it was being processed/);
    expect(readdirSync(path.join(dir, 'out', 'error', '2026-03-10'))).toEqual([]);
    // unchanged, it is kept
    writeFileSync(source, 'read and hashed first');
    const kept = await outbox.keepLargeOriginal('error', '2026-03-10', 'lot.xml', source, hashed);
    expect(kept).toEqual({ kind: 'error', path: 'error/2026-03-10/lot.xml', sha256: hashed, bytes: 21 });
  });
});

describe('outputs a partner takes are named at the commit (visibleAtCommit)', () => {
  it('keeps its temp name until commitWrites, then has its name and its content', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'pivot.xml');
    await withWriteBatch(async (batch) => {
      const w = await writeFileAtomic(target, '<a/>', { visibleAtCommit: true, batch });
      expect(w.bytes).toBe(4);
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.startsWith('.pivot.xml.') && n.endsWith('.tmp'))).toHaveLength(1);
      await commitWrites(batch);
      expect(readFileSync(target, 'utf8')).toBe('<a/>');
    });
    expect(readdirSync(dir)).toEqual(['pivot.xml']);
  });

  it('leaves nothing, neither name nor temp file, when the file fails before its commit', async () => {
    const dir = tempDir();
    await expect(
      withWriteBatch(async (batch) => {
        await writeFileAtomic(path.join(dir, 'statut.xml'), '<s/>', { visibleAtCommit: true, batch });
        throw new Error('the file failed');
      }),
    ).rejects.toThrow('the file failed');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a name that cannot be given at the commit fails the file and leaves no temp file of those not named', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'second.xml')); // a folder in the way: the rename fails
    await expect(
      withWriteBatch(async (batch) => {
        for (const n of ['first.xml', 'second.xml', 'third.xml']) await writeFileAtomic(path.join(dir, n), n, { visibleAtCommit: true, batch });
        await commitWrites(batch);
      }),
    ).rejects.toThrow();
    // the first had its name before the failure (the file is processed again, the same names);
    // no temp file is left for a sweep that a long-running worker never makes
    expect(readdirSync(dir).sort()).toEqual(['first.xml', 'second.xml']);
  });

  it('never defers a no-clobber write: its EEXIST comes from the write, for the caller to take the next name', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'kept.xml'), 'other');
    await withWriteBatch(async (batch) => {
      await expect(writeFileAtomic(path.join(dir, 'kept.xml'), 'mine', { visibleAtCommit: true, noClobber: true, batch })).rejects.toMatchObject({ code: 'EEXIST' });
      await commitWrites(batch);
    });
    expect(readFileSync(path.join(dir, 'kept.xml'), 'utf8')).toBe('other');
  });

  it('names them all the same when a path forgot to commit (better late than lost), and at once outside a batch', async () => {
    const dir = tempDir();
    await withWriteBatch(async (batch) => void (await writeFileAtomic(path.join(dir, 'late.xml'), 'x', { visibleAtCommit: true, batch })));
    await writeFileAtomic(path.join(dir, 'direct.xml'), 'y', { visibleAtCommit: true });
    expect(readdirSync(dir).sort()).toEqual(['direct.xml', 'late.xml']);
  });
});
