/**
 * Deterministic bytes that look like a compressed file (xorshift32): attachments whose
 * content no compressor can shrink, the same on every run.
 */
export function pseudoRandomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
