/**
 * ContentBytes writes a page's operators as the layout used to: joined by line breaks, as
 * Latin-1, whatever the number of times its buffer grows.
 */
import { ContentBytes } from '../../src/transform/facturx/content-bytes';

describe('ContentBytes', () => {
  it('gives the operators joined by line breaks, across growths of its buffer', () => {
    const ops: string[] = [];
    const out = new ContentBytes();
    for (let k = 0; k < 3000; k++) {
      // some operators longer than the first buffer (a 5,000-character text's glyph codes)
      const op = k % 500 === 7 ? `BT <${'00A3'.repeat(5000)}> Tj ET` : `0.4 0.42 0.46 rg ${k} ${k / 4} Td é`;
      ops.push(op);
      out.op();
      out.write(op);
    }
    expect(out.view().equals(Buffer.from(ops.join('\n'), 'latin1'))).toBe(true);
  });

  it('is empty before any operator', () => {
    expect(new ContentBytes().view().length).toBe(0);
  });
});
