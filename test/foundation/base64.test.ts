/** Strict base64 for embedded attachments: Node's lenient decoder is not trusted alone. */
import { decodeBase64Strict } from '../../src/util/base64';

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
