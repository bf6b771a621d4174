/** Strict base64 for embedded attachments: Node's lenient decoder is not trusted alone. */
import { decodeBase64Strict, decodeBase64StrictBytes } from '../../src/util/base64';
import { pseudoRandomBytes } from '../helpers/pseudo-random';

it.each([
  ['SGVsbG8=', 'Hello'],
  ['SGVs\nbG8h', 'Hell' + 'o!'],
  [' SGVsbG8hIQ== ', 'Hello!!'],
  // whitespace with a total length that is a multiple of 4: not taken by the fast path
  ['SGVsbG8h\nSGk=', 'Hello!Hi'],
  ['SGVsbG8hIQ==\r\n\r\n', 'Hello!!'],
])('decodes %j', (input, text) => {
  const r = decodeBase64Strict(input);
  expect(r.ok && r.bytes.toString()).toBe(text);
});

it.each([
  ['', /empty/],
  ['SGVsbG8', /multiple of 4/],
  ['SGV*bG8=', /character "\*" at offset 3/],
  ['SG=sbG8h', /not valid base64/],
  ['SGVs-G8_', /character "-"/],
  ['SGVsbG8h!!!!', /character "!"/],
])('refuses %j', (input, reason) => {
  const r = decodeBase64Strict(input);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.reason).toMatch(reason);
});

describe('decoding base64 held as bytes (a content lifted out of a flux)', () => {
  // 200,001 bytes: 266,668 characters, five slices of 64 KiB and a partial one, padded at the end
  const big = pseudoRandomBytes(200_001, 7).toString('base64');
  const at = (k: number, c: string) => big.slice(0, k) + c + big.slice(k + 1);
  const cases: [string, string][] = [
    ['a short content', 'SGVsbG8hIQ=='],
    ['a content of several slices', big],
    ['a content exactly one slice long', big.slice(0, 65_536)],
    ['line-wrapped', big.replace(/.{76}/g, (l) => `${l}\r\n`)],
    ['a bad character in the third slice', at(140_000, '*')],
    ['padding at the end of the first slice', at(65_535, '=')],
    ['padding inside the second slice', at(70_001, '=')],
    ['the URL-safe alphabet', at(100_000, '-')],
    ['an underscore', at(3, '_')],
    ['a length that is not a multiple of 4', big.slice(0, 65_537)],
    ['white space only', '    '],
  ];

  it.each(cases)('gives what the text decoder gives for %s', (_label, text) => {
    const fromBytes = decodeBase64StrictBytes(Buffer.from(text, 'latin1'));
    const fromText = decodeBase64Strict(text);
    expect(fromBytes.ok).toBe(fromText.ok);
    if (fromBytes.ok && fromText.ok) expect(Buffer.compare(fromBytes.bytes, fromText.bytes)).toBe(0);
    if (!fromBytes.ok && !fromText.ok) expect(fromBytes.reason).toBe(fromText.reason);
  });

  it('decodes a valid multi-slice content to the original bytes', () => {
    const r = decodeBase64StrictBytes(Buffer.from(big, 'latin1'));
    expect(r.ok && Buffer.compare(r.bytes, pseudoRandomBytes(200_001, 7))).toBe(0);
  });

  it('refuses damage inside a slice that Node alone would skip', () => {
    for (const c of ['*', '=', '-']) {
      const r = decodeBase64StrictBytes(Buffer.from(at(131_072 + 5, c), 'latin1'));
      expect(r.ok).toBe(false);
    }
  });
});
