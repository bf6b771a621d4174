/**
 * Reading a regular file already opened and fstat'ed. `readFileSync(fd)` fstats the
 * descriptor again to learn its size: one system call per inbound file that says what the
 * caller's fstat just said. The same reads otherwise: up to the size known (a file that grew
 * since is read as it was then, as readFileSync does), to the end when it says 0 bytes.
 */
import { readSync } from 'node:fs';

/** What is left to read when the size says 0 (an empty file, or one the kernel sizes as it goes) is read this much at a time. */
const UNSIZED_CHUNK = 64 * 1024;

export function readOpenedFileSync(fd: number, size: number): Buffer {
  if (size === 0) return readToEnd(fd);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const n = readSync(fd, bytes, at, size - at, null);
    if (n === 0) break; // shorter than its size said (cut meanwhile): what was there
    at += n;
  }
  return at < size ? bytes.subarray(0, at) : bytes;
}

function readToEnd(fd: number): Buffer {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = Buffer.allocUnsafe(UNSIZED_CHUNK);
    const n = readSync(fd, chunk, 0, UNSIZED_CHUNK, null);
    if (n === 0) return Buffer.concat(chunks);
    chunks.push(n < UNSIZED_CHUNK ? chunk.subarray(0, n) : chunk);
  }
}
