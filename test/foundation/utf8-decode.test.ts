/**
 * decodeUtf8Strict must agree with the standard strict decoder (TextDecoder, fatal) on every
 * input: the same text for valid UTF-8, a refusal for anything else, wherever the sequence
 * falls relative to its 4 KB slices.
 */
import { decodeUtf8Strict } from '../../src/xml/decode';

const reference = new TextDecoder('utf-8', { fatal: true });

function refDecode(b: Uint8Array): string | 'invalid' {
  try {
    return reference.decode(b);
  } catch {
    return 'invalid';
  }
}

function ours(b: Uint8Array): string | 'invalid' {
  try {
    return decodeUtf8Strict(b);
  } catch {
    return 'invalid';
  }
}

/** Deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'Z', '<', '\n', 'é', 'ü', '€', '’', '𝄞', 'œ', 'QUJDRA=='];

describe('decodeUtf8Strict', () => {
  it('decodes pure ASCII and the empty input', () => {
    expect(decodeUtf8Strict(Buffer.from(''))).toBe('');
    expect(decodeUtf8Strict(Buffer.from('x'.repeat(10000)))).toBe('x'.repeat(10000));
  });

  it('agrees with TextDecoder on valid text whose multi-byte characters straddle the slices', () => {
    const random = rng(7);
    for (let round = 0; round < 60; round++) {
      let s = '';
      const len = 3000 + Math.floor(random() * 20000);
      while (s.length < len) s += PIECES[Math.floor(random() * PIECES.length)].repeat(1 + Math.floor(random() * 50));
      const b = Buffer.from(s, 'utf8');
      expect(ours(b)).toBe(s);
    }
  });

  it('agrees with TextDecoder on damaged text (refused, never guessed)', () => {
    const random = rng(11);
    let refused = 0;
    for (let round = 0; round < 200; round++) {
      const b = Buffer.from('€é'.repeat(500) + 'A'.repeat(5000) + 'ü'.repeat(3000), 'utf8');
      const damage = 1 + Math.floor(random() * 3);
      for (let k = 0; k < damage; k++) b[Math.floor(random() * b.length)] = [0x80, 0xbf, 0xc0, 0xe2, 0xf5, 0xff, 0xed][Math.floor(random() * 7)];
      const expected = refDecode(b);
      if (expected === 'invalid') refused++;
      expect(ours(b)).toBe(expected);
    }
    expect(refused).toBeGreaterThan(100);
  });

  it.each([
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence at the end', [0x41, 0xe2, 0x82]],
    ['a run of continuation bytes longer than a slice', new Array(9000).fill(0x80)],
  ])('refuses %s', (_label, bytes) => {
    expect(ours(Buffer.from(bytes))).toBe('invalid');
    expect(refDecode(Buffer.from(bytes))).toBe('invalid');
  });
});
