/**
 * `run --remove`: each file leaves the inbox once it has its outcome (its copy is in archive/
 * or error/), as watch takes files out of its inboxes. Without it, an inbox read by a timer
 * kept every file: each run hashed them all again, and once their processed marks were pruned
 * they were taken as new deposits (old refusals sent again). A file that changed while it was
 * processed stays.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { identityOf, removeIfUnchanged } from '../../src/runner/remove-taken';
import { cli } from '../helpers/cli';
import { FIXTURES_INBOX, listFiles, tempDir } from '../helpers/run';

describe.each([['1'], ['2']])('run --remove --threads %s', (threads) => {
  it('removes every file that got its outcome, whatever the outcome, and keeps the others', async () => {
    const root = tempDir('cf-run-remove-');
    const inbox = path.join(root, 'in');
    for (const p of ['op-alpha', 'op-gamma']) mkdirSync(path.join(inbox, p), { recursive: true });
    writeFileSync(path.join(inbox, 'op-alpha', 'facture.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    writeFileSync(path.join(inbox, 'op-gamma', 'cassee.xml'), '<Invoice>');
    writeFileSync(path.join(inbox, 'op-alpha', 'upload.xml.filepart'), '<Inv'); // not taken: stays
    const out = path.join(root, 'out');
    const r = await cli(['run', inbox, '--out', out, '--remove', '--quiet', '--threads', threads], { timeoutMs: 60_000 });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(listFiles(inbox)).toEqual(['op-alpha/upload.xml.filepart']);
    const day = readdirSync(path.join(out, 'archive'))[0];
    expect(readdirSync(path.join(out, 'archive', day))).toEqual(['facture.xml']);
    expect(readdirSync(path.join(out, 'error', day)).sort()).toEqual(['cassee.xml', 'cassee.xml.reason.json']);
    // the same bytes dropped again: already processed, and removed too
    writeFileSync(path.join(inbox, 'op-alpha', 'encore.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    const again = await cli(['run', inbox, '--out', out, '--remove', '--no-progress', '--threads', threads], { timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already processed/);
    expect(listFiles(inbox)).toEqual(['op-alpha/upload.xml.filepart']);
  }, 120_000);

  /** A partner announcing its uploads by `.done` markers, one file uploaded and announced. */
  function markedUpload(prefix: string) {
    const root = tempDir(prefix);
    const inbox = path.join(root, 'in');
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    const config = path.join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ paths: { out: 'out' }, partners: [{ id: 'op-alpha', doneMarker: true }], recipients: [{ siret: '21787789300016', recepteurId: 'VALM01' }], facturx: { enabled: false } }));
    const papeterie = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
    writeFileSync(path.join(inbox, 'op-alpha', 'factures.xml'), papeterie);
    writeFileSync(path.join(inbox, 'op-alpha', 'factures.xml.done'), '');
    return { root, inbox, config, papeterie };
  }

  // found by an audit: the marker stayed, and announced the next upload of that name finished
  // from its first byte: half a file was taken and its partner told it was malformed
  it("removes a file's .done marker with it, so the next upload of that name waits for its own", async () => {
    const { root, inbox, config, papeterie } = markedUpload('cf-run-remove-done-');
    const run = () => cli(['run', inbox, '--config', config, '--remove', '--no-progress', '--threads', threads], { timeoutMs: 60_000 });
    const first = await run();
    expect(first.code).toBe(0);
    expect(listFiles(inbox)).toEqual([]);
    // the next file of that name, half uploaded, its marker not there yet: it waits
    writeFileSync(path.join(inbox, 'op-alpha', 'factures.xml'), papeterie.replace('F-2026-0101', 'F-2026-0909').slice(0, 900));
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('waiting: 1');
    expect(listFiles(path.join(root, 'out')).filter((f) => f.startsWith('error/'))).toEqual([]);
    expect(listFiles(inbox)).toEqual(['op-alpha/factures.xml']);
  }, 120_000);

  // found by reading the crash paths while running bench/killfuzz.ts: killed after the file was removed and
  // before its marker was, the run left the marker alone in the inbox, and the next upload of
  // that name was taken from its first byte, as above. The marker now goes first: a kill
  // between leaves the file, already processed, waiting for a marker, never a marker alone
  it('killed between the removals of a file and its marker, leaves no marker alone for the next upload', async () => {
    const { root, inbox, config, papeterie } = markedUpload('cf-run-remove-kill-');
    const run = (env: Record<string, string> = {}) => cli(['run', inbox, '--config', config, '--remove', '--no-progress', '--threads', threads], { env, timeoutMs: 60_000 });
    const killed = await run({ CHORUS_FLUX_FAULT: 'between-removals' });
    expect(killed.signal).toBe('SIGKILL');
    expect(listFiles(inbox).filter((f) => f.endsWith('.done'))).toEqual([]);
    // the partner uploads the next file of that name; half of it is there, its marker is not
    writeFileSync(path.join(inbox, 'op-alpha', 'factures.xml'), papeterie.replace('F-2026-0101', 'F-2026-0909').slice(0, 900));
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('waiting: 1');
    expect(listFiles(path.join(root, 'out')).filter((f) => f.startsWith('error/'))).toEqual([]);
    // finished and announced, it is taken whole
    writeFileSync(path.join(inbox, 'op-alpha', 'factures.xml'), papeterie.replace('F-2026-0101', 'F-2026-0909'));
    writeFileSync(path.join(inbox, 'op-alpha', 'factures.xml.done'), '');
    expect((await run()).code).toBe(0);
    expect(listFiles(inbox)).toEqual([]);
    expect(listFiles(path.join(root, 'out')).filter((f) => f.startsWith('pivot/'))).toHaveLength(2);
    expect(listFiles(path.join(root, 'out')).filter((f) => f.startsWith('error/'))).toEqual([]);
  }, 120_000);
});

it('removes a file only while it is the one that was taken', () => {
  const dir = tempDir('cf-remove-');
  const f = path.join(dir, 'a.xml');
  writeFileSync(f, 'one');
  const taken = identityOf(f);
  if (!taken) throw new Error('no identity');
  writeFileSync(f, 'two, uploaded again');
  expect(removeIfUnchanged(f, taken)).toBe('changed');
  expect(readFileSync(f, 'utf8')).toBe('two, uploaded again');
  const now = identityOf(f);
  if (!now) throw new Error('no identity');
  expect(removeIfUnchanged(f, now)).toBe('removed');
  expect(removeIfUnchanged(f, now)).toBe('gone');
});
