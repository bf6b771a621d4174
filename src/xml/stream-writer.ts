/**
 * XML output through xmlbuilder2's callback API: elements are written as they are opened and
 * closed, no DOM is built. For the big documents (pivot, CII) the DOM and its serializer were
 * a sixth of the CPU of a file; the bytes are the same as the DOM serializer's with
 * `prettyPrint` and a two-space indent.
 */
import { createCB } from 'xmlbuilder2';
import type { XMLBuilderCB } from 'xmlbuilder2/lib/interfaces';

export interface XmlStream {
  /** xmlbuilder2's streaming builder */
  readonly w: XMLBuilderCB;
  /**
   * Text that never needs escaping (base64 we encoded ourselves), as the content of the open
   * element: a large one is put in the output as it is, not run through the escaping of every
   * character.
   */
  rawText(text: string): void;
}

/** Below this, a raw text goes through xmlbuilder2 like any other (the marker costs more). */
const RAW_MIN = 4096;
const MARKER = '\u2063cf-raw-';

/** The document `build` writes (after the XML declaration), as text ending with a newline. */
export function writeXmlDocument(build: (s: XmlStream) => void): string {
  const parts: string[] = [];
  const raws: string[] = [];
  const w = createCB({
    data: (text: string) => {
      // a raw text's marker comes back alone in one chunk: swap it for the text itself
      parts.push(text.startsWith(MARKER) && text.length < 32 ? raws[Number(text.slice(MARKER.length))] : text);
    },
    prettyPrint: true,
    indent: '  ',
  });
  const stream: XmlStream = {
    w,
    rawText(text: string) {
      if (text.length < RAW_MIN) {
        w.txt(text);
        return;
      }
      raws.push(text);
      w.txt(`${MARKER}${raws.length - 1}`);
    },
  };
  w.dec({ version: '1.0', encoding: 'UTF-8' });
  build(stream);
  w.end();
  parts.push('\n');
  return parts.join('');
}
