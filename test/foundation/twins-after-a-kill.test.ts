/**
 * A run killed (SIGKILL) while finishing a file, then a byte-identical copy of that file
 * dropped under another name, then a restart. Whatever moment the kill picked, the content
 * ends with one outcome: its outcome lines (an interrupted file's retry may repeat its own)
 * all agree, one archive copy, one pivot, and every file of the outboxes is listed.
 *
 * `after-mark` is the window the crash test once hit: the processed mark written, the outcome
 * line not yet journaled. The copy then used to be processed again and archived under its
 * own name, giving the content two outcomes with different outputs.
 *
 * `after-archive`: the original just linked into archive/, the outcome far off. The attempt
 * record (state/files/<xx>/<sha256>.attempt) was awaited only at the end, so the kill found
 * the copy in archive/ and no record: the copy was then processed as a new attempt and kept a
 * second time, under its own name (archive/ holding the same original twice). The same for a
 * refused file's copy in error/ (`after-error`).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, listFiles, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

interface Line { event: string; sha256?: string; file?: string; outcome?: string; outputs?: { kind: string; path: string }[]; replayOf?: { file: string } }

const SLOW_ATTEMPT_FSYNC = path.resolve(__dirname, '../helpers/slow-attempt-fsync.js');

// the copy's name sorts first, so that it is taken before the interrupted file's retry
const COPY = '0-copy.xml';

describe.each(['after-archive', 'after-mark', 'before-journal'])('killed at %s, then a copy under another name', (fault) => {
  it.each([1, 2])('ends with one outcome for the content (restart on %i thread(s))', async (threads) => {
    const root = tempDir('cf-twin-kill-');
    const inbox = path.join(root, 'inbox');
    const out = path.join(root, 'out');
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    const run = (env: Record<string, string> = {}) => cli(['run', inbox, '--out', out, '--threads', String(threads), '--no-progress', '-q'], { env, timeoutMs: 60000 });

    copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', 'a.xml'));
    // the attempt record's fsync slow, as behind other files' flushes: what is named meanwhile has no record on disk
    const killed = await run({ CHORUS_FLUX_FAULT: fault, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${SLOW_ATTEMPT_FSYNC}`.trim() });
    expect(killed.signal).toBe('SIGKILL');
    // whatever the kill found written, the attempt that named it was recorded first
    const sha = createHash('sha256').update(readFileSync(PAPETERIE)).digest('hex');
    expect(existsSync(path.join(out, 'state', 'files', sha.slice(0, 2), `${sha}.attempt`))).toBe(true);
    copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', COPY));
    expect((await run()).code).toBe(0);

    const { lines } = (await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), bundledConfig(out).timezone))) as unknown as { lines: Line[] };
    const outcomes = lines.filter((l) => l.event === 'outcome');
    expect(outcomes.length).toBeGreaterThanOrEqual(1);
    const signature = (l: Line) => JSON.stringify([l.file, l.outcome, (l.outputs ?? []).map((o) => o.path).sort()]);
    expect(new Set(outcomes.map(signature)).size).toBe(1);
    expect(outcomes[0].outcome).toBe('accepted');
    // after its mark, the interrupted file keeps the outcome; before it, whichever is taken first
    if (fault === 'after-mark') expect(outcomes[0].file).toBe('op-alpha/a.xml');
    const outcomeFile = path.basename(outcomes[0].file!);
    const other = outcomeFile === 'a.xml' ? COPY : 'a.xml';
    // the other file ends already-processed (so may the interrupted one, when its retry comes
    // after the copy had its outcome journaled from the mark: a rerun over the same inbox)
    const already = lines.filter((l) => l.event === 'already-processed').map((l) => l.file);
    expect(already.filter((f) => f === `op-alpha/${other}`)).toHaveLength(1);
    expect(already.every((f) => f === `op-alpha/${other}` || (fault === 'after-mark' && f === 'op-alpha/a.xml'))).toBe(true);

    const files = listFiles(out, ['state', 'logs', 'journal', 'reports']);
    expect(files.filter((f) => f.startsWith('pivot/'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // every file in the outboxes is listed by an outcome or already-processed line
    const listed = new Set(lines.flatMap((l) => (l.outputs ?? []).map((o) => o.path)));
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
    // one archive copy, named as the interrupted file: a copy processed after a kill before the
    // mark writes that attempt's outputs again byte for byte, under its name and day
    // (state/files/<xx>/<sha256>.attempt; test/foundation/replay-same-bytes.test.ts)
    const archived = files.filter((f) => f.startsWith('archive/'));
    expect(archived.filter((f) => outcomes[0].outputs!.some((o) => o.path === f)).map((f) => path.basename(f))).toEqual(['a.xml']);
    expect(archived).toHaveLength(1);
    if (outcomeFile !== 'a.xml') expect(outcomes[0]).toMatchObject({ replayOf: { file: 'op-alpha/a.xml' } });
  });
});

it('a refused file killed after its error/ copy, then a copy under another name: error/ holds it once', async () => {
  const root = tempDir('cf-twin-kill-');
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  const run = (env: Record<string, string> = {}) => cli(['run', inbox, '--out', out, '--threads', '1', '--no-progress', '-q'], { env, timeoutMs: 60000 });
  const bytes = '<not-an-invoice/>\n';
  writeFileSync(path.join(inbox, 'op-alpha', 'a.xml'), bytes);
  const killed = await run({ CHORUS_FLUX_FAULT: 'after-error', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${SLOW_ATTEMPT_FSYNC}`.trim() });
  expect(killed.signal).toBe('SIGKILL');
  const sha = createHash('sha256').update(bytes).digest('hex');
  expect(existsSync(path.join(out, 'state', 'files', sha.slice(0, 2), `${sha}.attempt`))).toBe(true);
  writeFileSync(path.join(inbox, 'op-alpha', COPY), bytes);
  expect((await run()).signal).toBeNull();
  const kept = listFiles(out, ['state', 'logs', 'journal', 'reports']).filter((f) => f.startsWith('error/'));
  expect(kept.map((f) => path.basename(f)).sort()).toEqual(['a.xml', 'a.xml.reason.json']);
}, 120_000);
