/**
 * Atomic writes from pieces: text and byte parts, small and larger than what is encoded at a
 * time, multi-byte characters — the file holds exactly their concatenation, no temp file left.
 * And hard links for files the process owns: a second name, atomically, or nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commitWrites, linkFileAtomic, writeFileAtomic } from '../../src/emit/atomic-write';
import { withWriteBatch } from '../../src/emit/write-batch';
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

  it('writes more parts than one writev takes', async () => {
    const dir = tempDir();
    const parts = Array.from({ length: 2000 }, (_, k) => `${k},`);
    const target = path.join(dir, 'many.txt');
    await writeFileAtomic(target, parts);
    expect(readFileSync(target, 'utf8')).toBe(parts.join(''));
  });
});

describe('linkFileAtomic', () => {
  it('gives the file a second name (same inode), in a batch or not, and again on a retry without a temp name left', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'processing', 'claimed.xml');
    mkdirSync(path.dirname(source), { recursive: true });
    writeFileSync(source, '<Invoice/>');
    const target = path.join(dir, 'archive', '2026-11-27', 'claimed.xml');
    expect(await linkFileAtomic(source, target, 10)).toBe(true);
    expect(statSync(target).ino).toBe(statSync(source).ino);
    // a retry after a crash: the target is already a name of the file
    expect(await withWriteBatch(async () => {
      const ok = await linkFileAtomic(source, target, 10);
      await commitWrites();
      return ok;
    })).toBe(true);
    expect(readdirSync(path.dirname(target))).toEqual(['claimed.xml']);
    expect(statSync(source).nlink).toBe(2);
    rmSync(source);
    expect(readFileSync(target, 'utf8')).toBe('<Invoice/>');
  });

  it('replaces an earlier copy with other inode under the target name', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'a.xml');
    writeFileSync(source, 'same');
    const target = path.join(dir, 'out', 'a.xml');
    mkdirSync(path.dirname(target));
    writeFileSync(target, 'same'); // a copy left by an attempt before this version
    expect(await linkFileAtomic(source, target, 4)).toBe(true);
    expect(statSync(target).ino).toBe(statSync(source).ino);
  });

  it('says false and changes nothing when the file is gone or not the bytes that were read', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'a.xml');
    writeFileSync(source, 'grown since');
    const target = path.join(dir, 'out', 'a.xml');
    expect(await linkFileAtomic(source, target, 4)).toBe(false);
    expect(await linkFileAtomic(path.join(dir, 'gone.xml'), target, 4)).toBe(false);
    expect(readdirSync(path.join(dir, 'out'))).toEqual([]);
    expect(statSync(source).nlink).toBe(1);
  });
});
