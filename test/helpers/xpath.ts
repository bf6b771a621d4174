/**
 * An independent oracle for "what does the source say": libxml2's XPath through xmllint,
 * so model values are checked against a reader that shares no code with ours.
 */
import { spawnSync } from 'node:child_process';

/** Evaluates an XPath 1.0 expression (use local-name() to ignore prefixes). */
export function xpath(file: string, expr: string): string {
  const r = spawnSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 10) throw new Error(`xmllint --xpath failed on ${file}: ${r.stderr}`);
  return (r.stdout ?? '').trim();
}

/** //*[local-name()='A']/*[local-name()='B'] from 'A/B' */
export function ln(path: string, rooted = false): string {
  return (rooted ? '/' : '//') + path.split('/').map((s) => `*[local-name()='${s}']`).join('/');
}
