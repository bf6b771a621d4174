/**
 * A pivot line's NumOrdre is the invoice line's id (BT-126) when it is a number: lines "2" and
 * "02", or "A" at the second place beside a line "2", came out with the same NumOrdre, and a
 * finance system that keys lines by it merges or drops one. The ids are kept when every line
 * has a number there and no two read the same; otherwise every line is numbered by its place.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpus, SCHEMAS } from '../helpers/corpus';
import { routedUbl } from '../helpers/routed-examples';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

/** Official UBL example 1 (20 lines, ids 1 to 20) with its first line ids replaced by `ids`, the others by 101, 102… */
function withLineIds(ids: string[], serial: number): string {
  let k = 0;
  const xml = readFileSync(corpus('en16931', 'ubl-examples', 'ubl-tc434-example1.xml'), 'utf8').replace(/(<cac:InvoiceLine>\s*<cbc:ID>)[^<]*(<\/cbc:ID>)/g, (_m, a: string, b: string) => {
    const id = ids[k] ?? String(100 + k + 1);
    k++;
    return `${a}${id}${b}`;
  });
  expect(k).toBe(20);
  return routedUbl(xml, serial);
}

describe('the NumOrdre of pivot lines', () => {
  it.each([
    [['10', '20', '30', '40', '50'], ['10', '20', '30', '40', '50']], // numbers, kept
    [['001', '2', '3', '4', '5'], ['1', '2', '3', '4', '5']], // leading zeros read as the number
    [['1', '2', '02', '4', '5'], ['1', '2', '3', '4', '5']], // "2" and "02": places
    [['1', 'A', '2', '4', '5'], ['1', '2', '3', '4', '5']], // "A" would have taken 2: places
  ])('lines %j are numbered %j, each once, in an XSD-valid pivot', async (ids, expected) => {
    const out = tempDir('cf-line-numbers-');
    const inbox = path.join(out, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    writeFileSync(path.join(inbox, 'lignes.xml'), withLineIds(ids, 7));
    const summary = await runOnce(path.dirname(inbox), bundledConfig(out));
    expect(summary.results.map((r) => r.outcome)).toEqual(['accepted']);
    const pivot = path.join(out, summary.results[0].outputs.find((o) => o.kind === 'pivot')!.path);
    expect(validateFiles(SCHEMAS.pivot, [pivot]).flatMap((v) => v.errors)).toEqual([]);
    const numbers = [1, 2, 3, 4, 5].map((k) => xpath(pivot, `string((//*[local-name()='Ligne'])[${k}]/@NumOrdre)`));
    expect(numbers).toEqual(expected);
  }, 60_000);
});
