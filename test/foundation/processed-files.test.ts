/**
 * The processed-file marks on disk: written before the outcome line (holding it), then told
 * "journaled" by a line appended in place; marks of the earlier format (written after the
 * journal, one JSON value) read as journaled; a mark removed meanwhile is not recreated.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OutcomeEvent } from '../../src/journal/events';
import { ProcessedFiles } from '../../src/state/processed-files';
import { tempDir } from '../helpers/run';

const SHA = 'ab'.repeat(32);
const EVENT: OutcomeEvent = { event: 'outcome', sha256: SHA, file: 'op-alpha/a.xml', partner: 'op-alpha', kind: 'ubl-invoice', outcome: 'accepted', invoices: [], outputs: [{ kind: 'archive', path: 'archive/2026-11-27/op-alpha/a.xml', sha256: SHA, bytes: 10 }], ms: 12 };
const markPath = (dir: string) => path.join(dir, 'files', SHA.slice(0, 2), `${SHA}.json`);

it('says a mark is journaled only once the line after it is written', async () => {
  const dir = tempDir('cf-marks-');
  const store = new ProcessedFiles(dir);
  expect(await store.get(SHA)).toBeUndefined();
  await store.put({ sha256: SHA, outcome: 'accepted', at: '2026-11-27T10:00:00.000Z', file: EVENT.file, partner: EVENT.partner, receivedAt: '2026-11-27T09:59:00.000Z', outputs: [{ kind: 'archive', path: EVENT.outputs[0].path }], event: EVENT });
  const before = await store.get(SHA);
  expect(before?.journaled).toBe(false);
  expect(before?.event).toEqual(EVENT);
  store.markJournaled(SHA);
  const after = await store.get(SHA);
  expect(after?.journaled).toBe(true);
  expect(after?.event).toEqual(EVENT);
  // every line of the file is a JSON value (jq reads it)
  expect(readFileSync(markPath(dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toHaveLength(2);
});

it('reads a mark of the earlier format (no outcome line in it) as journaled', async () => {
  const dir = tempDir('cf-marks-');
  mkdirSync(path.dirname(markPath(dir)), { recursive: true });
  writeFileSync(markPath(dir), JSON.stringify({ sha256: SHA, outcome: 'refused', at: '2026-11-20T10:00:00.000Z', file: 'op-alpha/x.xml', partner: 'op-alpha', outputs: [] }));
  const rec = await new ProcessedFiles(dir).get(SHA);
  expect([rec?.outcome, rec?.journaled, rec?.event]).toEqual(['refused', true, undefined]);
});

it('does not recreate a mark removed before it was told journaled', () => {
  const dir = tempDir('cf-marks-');
  new ProcessedFiles(dir).markJournaled(SHA);
  expect(existsSync(markPath(dir))).toBe(false);
});
