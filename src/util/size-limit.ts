/**
 * The refusal of a file over the configured size limit, in the words that go to the partner:
 * the size and the limit as configured (it said "at most 120 MB" whatever the limit was).
 */
const MB = 1024 * 1024;

function bytes(n: number): string {
  const plain = `${n.toLocaleString('en-US')} bytes`;
  return n >= MB ? `${(n / MB).toFixed(1).replace(/\.0$/, '')} MB (${plain})` : plain;
}

export function oversizeReason(size: number, limit: number): string {
  return `The file is ${bytes(size)}; the limit is ${bytes(limit)}.`;
}
