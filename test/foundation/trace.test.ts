/**
 * `chorus-flux trace <what>`: what happened to a file, an invoice or a flow, from the journal
 * and the lifecycle. The questions an operator is asked: where is invoice F-2026-0101; which
 * invoices were in the pivot the SI refused; what became of this file.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { traceCommand, formatTrace } from '../../src/cli/commands/trace';
import { trace } from '../../src/trace/trace';
import { LifecycleStore } from '../../src/lifecycle/store';
import { cli } from '../helpers/cli';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { siFlowStatusFlow } from '../helpers/statut';

function drop(inbox: string, partner: string, name: string, content: string): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

describe('chorus-flux trace', () => {
  const root = tempDir('cf-trace-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  let pivot = '';
  let sha = '';

  beforeAll(async () => {
    const inbox0 = path.join(root, 'inbox-0');
    drop(inbox0, 'op-alpha', 'papeterie.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8'));
    drop(inbox0, 'op-gamma', 'tronque.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml'), 'utf8'));
    const first = await runOnce(inbox0, config);
    const accepted = first.results.find((r) => r.outcome === 'accepted');
    pivot = accepted?.outputs.find((o) => o.kind === 'pivot')?.path ?? '';
    sha = accepted?.sha256 ?? '';
    expect(pivot).toMatch(/^pivot\/VALM01\/FEN0036A_CFX001_CFX\w+\.xml$/);
    // the SI refuses that pivot, naming it by its flow id; the same invoice is dropped again
    const inbox1 = path.join(root, 'inbox-1');
    const idFlx = /_([^_]+)\.xml$/.exec(pivot)?.[1] as string;
    drop(inbox1, 'si-valmont', 'acks.xml', siFlowStatusFlow('ACK-7', [{ idStatut: '94', idFlux: idFlx, commentaire: 'Tiers inconnu' }]));
    drop(inbox1, 'op-alpha', 'papeterie-encore.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8'));
    await runOnce(inbox1, config);
  });

  it('by invoice number: the file, its outcome and outputs, what the SI said of its pivot, the lifecycle now', async () => {
    const r = await trace('F-2026-0101', { journalDir: path.join(out, 'journal'), lifecycle: new LifecycleStore(path.join(config.paths.state, 'invoices')) });
    expect(r.files.map((f) => f.sha256)).toEqual([sha]);
    const f = r.files[0];
    // received, outcome, then the same bytes again: already processed
    expect(f.lines.map((t) => t.line.event)).toEqual(['received', 'outcome', 'already-processed']);
    expect(f.lines[0].ref).toMatch(/^journal\/\d{4}-\d{2}-\d{2}\/[^/]+\.jsonl:\d+$/);
    expect(f.flowStatuses.map((t) => (t.line as { file?: string }).file)).toEqual(['si-valmont/acks.xml']);
    expect(r.invoices.map((i) => [i.number, i.state, i.recepteurId])).toEqual([['F-2026-0101', 'MISE_A_DISPOSITION', 'VALM01']]);
    const text = formatTrace('F-2026-0101', r);
    expect(text).toContain(`file op-alpha/papeterie.xml (partner op-alpha), and the same content as op-alpha/papeterie-encore.xml, content ${sha}`);
    // with the start of its SHA-256 as journaled, which the right copy in a backup has
    const pivotSha = createHash('sha256').update(readFileSync(path.join(out, pivot))).digest('hex');
    expect(text).toContain(`pivot   ${pivot}  sha256 ${pivotSha.slice(0, 12)}`);
    expect(text).toMatch(new RegExp(`si-valmont: 94 rejected ${pivot.replace(/\./g, '\\.')} — Tiers inconnu`));
    expect(text).toMatch(/already processed \(accepted at /);
    expect(text).toMatch(/F-2026-0101 of supplier 99746507500015, issued 2026-11-02: IdCPRO \w+, MISE_A_DISPOSITION, to VALM01/);
  });

  it('by the flow id the SI refused: the file that made the pivot, and the SI’s file that refused it', async () => {
    const idFlx = /_([^_]+)\.xml$/.exec(pivot)?.[1] as string;
    const lines: string[] = [];
    expect(await traceCommand(idFlx, { out }, (s) => lines.push(s))).toBe(0);
    const text = lines.join('');
    expect(text).toContain(`"${idFlx}": 2 file(s) in the journal`);
    expect(text).toContain('file op-alpha/papeterie.xml');
    expect(text).toContain('file si-valmont/acks.xml');
    expect(text).toMatch(/flow status 94 \(rejected\) about pivot\/VALM01\//);
  });

  it('a file of that name still waiting: in an inbox (and why) or claimed in processing/; processed copies left by run are not', async () => {
    const inbox1 = path.join(root, 'inbox-1');
    const fresh = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8').replace(/F-2026-0101/g, 'F-2026-WAIT');
    drop(inbox1, 'op-alpha', 'attente.xml', fresh);
    drop(inbox1, 'op-alpha', 'attente.xml.part', fresh);
    const claimed = path.join(config.paths.processing, 'op-alpha', `${Date.now().toString(36)}-0a1b2c3d4e__attente.xml`);
    mkdirSync(path.dirname(claimed), { recursive: true });
    writeFileSync(claimed, `${fresh}<!-- autre -->`);
    const lines: string[] = [];
    expect(await traceCommand('attente.xml', { out }, (x) => lines.push(x))).toBe(0);
    const text = lines.join('');
    expect(text).toMatch(/^nothing about "attente\.xml" in the journal \([^)]*\)\nnot processed yet:\n/);
    expect(text).toContain(`in the inbox of op-alpha: ${path.join(inbox1, 'op-alpha', 'attente.xml')}, ${Buffer.byteLength(fresh)} bytes`);
    expect(text).toMatch(/not taken yet: the watcher takes a file once its size and time hold still for watch\.stableMs \(2000 ms\); run takes it at its next run/);
    expect(text).toContain(`in processing/ for op-alpha: ${claimed}`);
    expect(text).toMatch(/claimed by the watcher at \d{4}-\d{2}-\d{2}T[^:]+:\d{2}:\d{2}\.\d{3}Z: queued, being processed or failed if Redis has its job \(trace reads the disk, not the queue: chorus-flux jobs --config .+ shows it; a failed job waits for retry or set-aside\); /);
    // no job exists for it here (no Redis, no watcher), as after a flush: it said "queued"
    // all the same; it says what queues such a file again, and that nothing does without a watcher
    expect(text).toContain(`if Redis has none (restarted without its data or flushed, or the claim could not be queued), a running watcher's rescan queues it again within watch.rescanMs (${config.watch.rescanMs} ms), and none does while no watcher runs`);
    const part: string[] = [];
    expect(await traceCommand('attente.xml.part', { out }, (x) => part.push(x))).toBe(0);
    expect(part.join('')).toMatch(/a temporary, hidden or marker name .*: never taken; it is taken once renamed to its final name/);
    // run left papeterie.xml in its inbox: its content has an outcome, so it is no file waiting
    const done: string[] = [];
    await traceCommand('papeterie.xml', { out }, (x) => done.push(x));
    expect(done.join('')).not.toContain('not processed yet');
  });

  it('by a file name or a SHA-256 prefix; nothing found is exit 1; --json is the record', async () => {
    const byName = await cli(['trace', 'tronque.xml', '--out', out]);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(/outcome: refused, 0 invoice\(s\)/);
    expect(byName.stdout).toMatch(/FATAL {3}FLUX-MALFORMED: /);
    // by its path in the inbox, as the operator sees it (the journal holds op-gamma/tronque.xml)
    const byPath = await cli(['trace', path.join(root, 'inbox-0', 'op-gamma', 'tronque.xml'), '--out', out]);
    expect([byPath.code, byPath.stdout]).toEqual([0, expect.stringMatching(/^file op-gamma\/tronque\.xml /m)]);
    expect(byPath.stdout).not.toContain('papeterie');
    const bySha = await cli(['trace', sha.slice(0, 12), '--out', out, '--json']);
    expect(bySha.code).toBe(0);
    const json = JSON.parse(bySha.stdout) as { files: { sha256: string }[]; invoices: { number: string }[] };
    expect([json.files.map((f) => f.sha256), json.invoices.map((i) => i.number)]).toEqual([[sha], ['F-2026-0101']]);
    const none = await cli(['trace', 'F-1999-NOPE', '--out', out]);
    expect([none.code, none.stdout]).toEqual([1, expect.stringMatching(/^nothing about "F-1999-NOPE" in the journal \(\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\)\n$/)]); // the whole journal was read: no hint
    // a range with no journal day in it: the hint names the days there are, on the side they are
    const days = readdirSync(path.join(out, 'journal')).sort();
    const later = await cli(['trace', 'F-2026-0101', '--out', out, '--since', '2099-01-01']);
    expect([later.code, later.stdout]).toEqual([1, `nothing about "F-2026-0101" in the journal (no journal day); the journal goes back to ${days[0]}: try --since ${days[0]}\n`]);
    const earlier = await cli(['trace', 'F-2026-0101', '--out', out, '--since', '2000-01-01', '--until', '2000-01-31']);
    expect([earlier.code, earlier.stdout]).toEqual([1, `nothing about "F-2026-0101" in the journal (no journal day); the journal goes on to ${days[days.length - 1]}: try --until ${days[days.length - 1]}\n`]);
    // --until alone: the days before it (it was refused as "before --since", a --since never given)
    const until = await cli(['trace', 'F-2026-0101', '--out', out, '--until', '2000-01-31']);
    expect([until.code, until.stdout, until.stderr]).toEqual([1, `nothing about "F-2026-0101" in the journal (no journal day); the journal goes on to ${days[days.length - 1]}: try --until ${days[days.length - 1]}\n`, '']);
    const bad = await cli(['trace', 'x', '--out', out, '--since', '2026-02-30']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('A calendar date written YYYY-MM-DD is expected')]);
    const nowhere = await cli(['trace', 'x', '--out', path.join(root, 'nowhere')]);
    expect([nowhere.code, nowhere.stderr]).toEqual([2, expect.stringContaining('journal does not exist')]);
  });

  it('by the forms an operator pastes: an output path as run prints it, a digest in capitals, a name composed or decomposed', async () => {
    const opts = { journalDir: path.join(out, 'journal'), lifecycle: new LifecycleStore(path.join(config.paths.state, 'invoices')) };
    const shasOf = async (what: string) => (await trace(what, opts)).files.map((f) => f.sha256);
    expect(await shasOf(path.join(out, pivot))).toEqual([sha]); // absolute, as run and reconcile print it
    expect(await shasOf(path.join('out', pivot))).toEqual([sha]);
    expect(await shasOf(sha.slice(0, 16).toUpperCase())).toEqual([sha]); // PowerShell's Get-FileHash
    // a name uploaded from a Mac is decomposed (e + U+0301); typed, it is composed
    const inbox = path.join(root, 'inbox-nfd');
    drop(inbox, 'op-alpha', 'facture-e\u0301te\u0301.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml'), 'utf8').replace('<', '<!-- nfd --><'));
    await runOnce(inbox, config);
    const nfd = await trace('facture-\u00e9t\u00e9.xml', opts);
    expect(nfd.files.map((f) => (f.lines[0].line as { file?: string }).file)).toEqual(['op-alpha/facture-e\u0301te\u0301.xml']);
  });

  it('says when journal lines that mention what is looked for cannot be read (they were passed over in silence)', async () => {
    const dir = tempDir('cf-trace-damaged-');
    const day = path.join(dir, 'journal', '2026-12-01');
    mkdirSync(day, { recursive: true });
    writeFileSync(path.join(day, 'w1.jsonl'), '{"event":"outcome","file":"op-alpha/F-DAMAGED-1.xml","sha2\n{"event":"received"\n');
    const r = await trace('F-DAMAGED-1', { journalDir: path.join(dir, 'journal'), lifecycle: new LifecycleStore(path.join(dir, 'invoices')) });
    expect(r.files).toEqual([]);
    expect(r.notes).toEqual(['1 journal line(s) that mention "F-DAMAGED-1" cannot be read (cut by a crash, or damaged): journal/2026-12-01/w1.jsonl:1; the reconciliation of their day says more (docs/OPERATIONS.md)']);
  });
  it('a content deposited under two names: each line of the copy names it (they read as more lines of the first file)', async () => {
    const dir = tempDir('cf-trace-copy-');
    const cfg = bundledConfig(path.join(dir, 'out'));
    const bytes = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8').replace(/F-2026-0101/g, 'F-2026-COPIE');
    drop(path.join(dir, 'in-1'), 'op-alpha', 'original.xml', bytes);
    await runOnce(path.join(dir, 'in-1'), cfg);
    drop(path.join(dir, 'in-2'), 'op-alpha', 'copie.xml', bytes);
    await runOnce(path.join(dir, 'in-2'), cfg);
    const lines: string[] = [];
    expect(await traceCommand('copie.xml', { out: cfg.paths.out }, (x) => lines.push(x))).toBe(0);
    const text = lines.join('');
    expect(text).toMatch(/^file op-alpha\/original\.xml \(partner op-alpha\), and the same content as op-alpha\/copie\.xml, content [0-9a-f]{64}$/m);
    expect(text).toMatch(/^  \S+  received from op-alpha, \d+ bytes \(uploaded [^)]+\)    \[/m); // the original's, unnamed
    expect(text).toMatch(/^  \S+  already processed \(accepted at [^)]+\): nothing emitted again — op-alpha\/copie\.xml    \[/m);
  });
  it('a file whose attempts failed: the workers\' system-error lines (which name no partner) are its own, not a copy of it under its name', async () => {
    // as a watcher and a worker journal a file whose job failed twice (found by the operator audit of
    // 2026-12-07: trace said "file op-alpha/a.xml (partner op-alpha), and the same content as
    // op-alpha/a.xml", each system-error line ending "— op-alpha/a.xml", as if two files were one)
    const dir = tempDir('cf-trace-failed-');
    const day = path.join(dir, 'journal', '2026-12-01');
    mkdirSync(day, { recursive: true });
    const sha = createHash('sha256').update('a failed file').digest('hex');
    const line = (seq: number, writer: string, ts: string, rest: object) => JSON.stringify({ seq, ts, writer, ...rest, sha256: sha });
    writeFileSync(path.join(day, 'watcher.jsonl'), `${line(1, 'watcher', '2026-12-01T10:00:00.000Z', { event: 'claimed', file: 'op-alpha/a.xml', partner: 'op-alpha', bytes: 13, claimId: 'c1', processing: 'processing/op-alpha/c1__a.xml' })}\n`);
    writeFileSync(
      path.join(day, 'worker.jsonl'),
      [
        line(1, 'worker', '2026-12-01T10:00:01.000Z', { event: 'received', file: 'op-alpha/a.xml', partner: 'op-alpha', bytes: 13, receivedAt: '2026-12-01T10:00:00.000Z' }),
        line(2, 'worker', '2026-12-01T10:00:02.000Z', { event: 'system-error', file: 'op-alpha/a.xml', message: 'attempt 1 of 2 failed (retried): disk full', job: 'retried' }),
        line(3, 'worker', '2026-12-01T10:00:04.000Z', { event: 'system-error', file: 'op-alpha/a.xml', message: 'attempt 2 of 2 failed: disk full', job: 'failed' }),
      ].join('\n') + '\n',
    );
    const r = await trace('a.xml', { journalDir: path.join(dir, 'journal'), lifecycle: new LifecycleStore(path.join(dir, 'invoices')), since: '2026-12-01', until: '2026-12-01' });
    expect(r.files.map((f) => f.lines.map((t) => t.line.event))).toEqual([['claimed', 'received', 'system-error', 'system-error']]);
    const text = formatTrace('a.xml', r);
    expect(text).toContain(`\nfile op-alpha/a.xml (partner op-alpha), content ${sha}\n`);
    expect(text).not.toContain('the same content as');
    expect(text).not.toContain('— op-alpha/a.xml');
    expect(text).toMatch(/^  2026-12-01T10:00:04\.000Z  system error: attempt 2 of 2 failed: disk full    \[journal\/2026-12-01\/worker\.jsonl:3\]$/m);
  });
});
