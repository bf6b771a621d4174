/**
 * Large texts that never need escaping (base64 we encoded ourselves) kept out of xmlbuilder2:
 * the document is built with a short marker in their place and they are put back into the
 * serialized text in one pass, instead of xmlbuilder2 checking and escaping megabytes of
 * base64 character by character.
 */

/** Below this, a text goes through xmlbuilder2 like any other. */
const RAW_MIN = 4096;
const MARK = '\u2063'; // INVISIBLE SEPARATOR: a valid XML character no input value carries here
const MARKER_RE = /\u2063cf-raw-(\d+)\u2063/g;

export class RawTexts {
  private readonly texts: string[] = [];

  /** What to give xmlbuilder2 for `text`: the text itself when short, else a marker. */
  hold(text: string): string {
    if (text.length < RAW_MIN) return text;
    this.texts.push(text);
    return `${MARK}cf-raw-${this.texts.length - 1}${MARK}`;
  }

  /** The serialized document with the held texts back in place of their markers. */
  restore(xml: string): string {
    return this.restoreParts(xml).join('');
  }

  /**
   * The same as consecutive pieces, the held texts as they are: written with one writev and
   * hashed piece by piece, a flow of attachments is never copied into one big string.
   */
  restoreParts(xml: string): string[] {
    if (this.texts.length === 0) return [xml];
    const parts: string[] = [];
    let last = 0;
    for (const m of xml.matchAll(MARKER_RE)) {
      parts.push(xml.slice(last, m.index), this.texts[Number(m[1])]);
      last = (m.index as number) + m[0].length;
    }
    parts.push(xml.slice(last));
    return parts;
  }
}
