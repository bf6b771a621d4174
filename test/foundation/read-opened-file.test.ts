/**
 * Reading an inbound file with the size its fstat gave (read-opened-file.ts): the same bytes
 * as readFileSync on the descriptor, whatever the size says.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readOpenedFileSync } from '../../src/util/read-opened-file';
import { tempDir } from '../helpers/run';

function withFd<T>(file: string, fn: (fd: number) => T): T {
  const fd = openSync(file, 'r');
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

describe('readOpenedFileSync', () => {
  it.each([0, 1, 65_535, 65_536, 65_537, 3_000_001])('reads a file of %i bytes whole, as readFileSync does', (size) => {
    const file = path.join(tempDir(), 'in.xml');
    const bytes = randomBytes(size);
    writeFileSync(file, bytes);
    const read = withFd(file, (fd) => readOpenedFileSync(fd, fstatSync(fd).size));
    expect(read.equals(bytes)).toBe(true);
    expect(read.equals(readFileSync(file))).toBe(true);
  });

  it('reads to the end a file whose size says 0 (the kernel sizes /proc files as they are read)', () => {
    const file = '/proc/self/status';
    const read = withFd(file, (fd) => readOpenedFileSync(fd, fstatSync(fd).size));
    expect(read.length).toBeGreaterThan(100);
    expect(read.toString('latin1')).toMatch(/^Name:/);
  });

  it('gives what is there when the file was cut after its fstat, as readFileSync does', () => {
    const file = path.join(tempDir(), 'cut.xml');
    const bytes = randomBytes(200_000);
    writeFileSync(file, bytes);
    const read = withFd(file, (fd) => {
      const size = fstatSync(fd).size;
      truncateSync(file, 70_000);
      return readOpenedFileSync(fd, size);
    });
    expect(read.equals(bytes.subarray(0, 70_000))).toBe(true);
  });
});
