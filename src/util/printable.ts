/**
 * Text from a partner (a file name, a snippet of its XML) shown on one line of a console report.
 * A name may hold a newline: `facture.xml: valid⏎autre.xml` printed a verdict line of its own,
 * "valid", for a file `validate` found unreadable. Control characters are shown escaped, as in
 * JSON (`\n`, `\u001b`), so one report line stays one line and no escape sequence reaches the
 * terminal.
 */
const CONTROL = /[\u0000-\u001f\u007f]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(s: string): string {
  return s.replace(CONTROL, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
