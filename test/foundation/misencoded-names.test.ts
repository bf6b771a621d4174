/**
 * A file whose name is not UTF-8 (a Windows SFTP client sending `facture_été.xml` in CP1252)
 * used to be left in its inbox for ever: Node listed it under a name with U+FFFD, which no
 * file has, so every run failed on it (exit 2) and the watcher dropped it silently. It now
 * goes by a readable form of its name and is read through its raw bytes.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { isUtf8, readableName } from '../../src/ingest/file-name';
import { scanInbox, type SkippedEntry } from '../../src/ingest/scan';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

const b = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
/** `facture_été.xml` as CP1252 bytes */
const LATIN1_NAME = b('facture_', [0xe9], 't', [0xe9], '.xml');

describe('readable form of a name', () => {
  it.each([
    ['UTF-8 é', b('facture_été.xml'), true, 'facture_été.xml'],
    ['CP1252 é', LATIN1_NAME, false, 'facture_%E9t%E9.xml'],
    ['overlong "/" (C0 AF)', b('a', [0xc0, 0xaf], 'b'), false, 'a%C0%AFb'],
    ['UTF-16 surrogate (ED A0 80)', b('x', [0xed, 0xa0, 0x80]), false, 'x%ED%A0%80'],
    ['a sequence cut at the end', b('f', [0xe2, 0x82]), false, 'f%E2%82'],
    ['beyond U+10FFFF (F4 90 80 80)', b([0xf4, 0x90, 0x80, 0x80]), false, '%F4%90%80%80'],
    ['4-byte emoji', b('😀.xml'), true, '😀.xml'],
  ])('%s', (_, bytes, utf8, readable) => {
    expect(isUtf8(bytes)).toBe(utf8);
    expect(readableName(bytes)).toBe(readable);
    // Node's own decoder agrees on which names are UTF-8
    expect(Buffer.from(bytes.toString('utf8')).equals(bytes)).toBe(utf8);
  });
});

describe('the inbox scan', () => {
  it('lists a misencoded file and folder under readable names, with the raw path to open them by, and reports links and FIFOs', async () => {
    const inbox = tempDir('cf-names-');
    writeFileSync(Buffer.concat([Buffer.from(`${inbox}/`), LATIN1_NAME]), 'latin');
    // a real sibling already called like the readable form: the two stay apart
    writeFileSync(path.join(inbox, 'facture_%E9t%E9.xml'), 'literal');
    const dir = Buffer.concat([Buffer.from(`${inbox}/`), b('d', [0xe9], 'p')]);
    mkdirSync(dir);
    writeFileSync(Buffer.concat([dir, Buffer.from('/ok.xml')]), 'in a misencoded folder');
    symlinkSync('/etc/passwd', path.join(inbox, 'lien.xml'));
    execFileSync('mkfifo', [path.join(inbox, 'tube.xml')]);

    const skipped: SkippedEntry[] = [];
    const entries = await scanInbox(inbox, (e) => skipped.push(e));
    expect(entries.map((e) => e.rel).sort()).toEqual(['d%E9p/ok.xml', 'facture_%E9t%E9.xml', `facture_%E9t%E9.xml~${LATIN1_NAME.toString('hex')}`]);
    const read = (rel: string) => {
      const e = entries.find((x) => x.rel === rel)!;
      return readFileSync(e.raw ?? e.abs, 'utf8');
    };
    expect(read('facture_%E9t%E9.xml')).toBe('literal');
    expect(read(`facture_%E9t%E9.xml~${LATIN1_NAME.toString('hex')}`)).toBe('latin');
    expect(read('d%E9p/ok.xml')).toBe('in a misencoded folder');
    expect(entries.find((x) => x.rel === 'd%E9p/ok.xml')!.rawRel).toBe(b('d', [0xe9], 'p/ok.xml').toString('hex'));
    expect(entries.find((x) => x.rel === 'facture_%E9t%E9.xml')!.raw).toBeUndefined();
    expect(skipped).toEqual([
      { rel: 'lien.xml', why: 'symbolic link' },
      { rel: 'tube.xml', why: 'not a regular file' },
    ]);
  });
});

describe('run over a misencoded name', () => {
  it('processes the file, archives it under the readable name, journals the raw name, and finds it processed the next time', async () => {
    const root = tempDir('cf-names-run-');
    const inbox = path.join(root, 'inbox');
    mkdirSync(inbox);
    const content = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0555</cbc:ID>');
    const raw = Buffer.concat([Buffer.from(`${inbox}/`), LATIN1_NAME]);
    writeFileSync(raw, content);
    const config = bundledConfig(path.join(root, 'out'));

    const first = await runOnce(inbox, config);
    expect(first.failures).toEqual([]);
    expect(first.results.map((r) => [r.file, r.outcome])).toEqual([['facture_%E9t%E9.xml', 'accepted']]);
    const day = readdirSync(path.join(config.paths.out, 'archive'))[0];
    expect(readFileSync(path.join(config.paths.out, 'archive', day, 'facture_%E9t%E9.xml'), 'utf8')).toBe(content);
    expect(first.results[0].outputs.map((o) => o.kind).sort()).toEqual(['archive', 'pivot']);
    const journal = readdirSync(path.join(config.paths.out, 'journal'), { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl'));
    const lines = journal.flatMap((f) => readFileSync(path.join(config.paths.out, 'journal', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    expect(lines.find((l) => l.event === 'received')).toMatchObject({ file: 'facture_%E9t%E9.xml', rawName: LATIN1_NAME.toString('hex') });
    // the original is left as it came (run never changes its inbox)
    expect(readFileSync(raw, 'utf8')).toBe(content);

    const second = await runOnce(inbox, config);
    expect(second.failures).toEqual([]);
    expect(second.results.map((r) => r.outcome)).toEqual(['already-processed']);
  });
});

describe('a name with control characters', () => {
  it('goes back to its partner in status flows that are well-formed and valid (the characters become spaces)', async () => {
    const root = tempDir('cf-names-ctl-');
    const inbox = path.join(root, 'inbox', 'op-beta'); // op-beta gets CPPStatut and CDAR
    mkdirSync(inbox, { recursive: true });
    writeFileSync(path.join(inbox, 'fact\u0001ure\u001b[0m.xml'), '<Invoice>');
    const config = bundledConfig(path.join(root, 'out'));
    const run = await runOnce(path.join(root, 'inbox'), config);
    expect(run.results.map((r) => r.outcome)).toEqual(['refused']);
    const flows = run.results[0].outputs.filter((o) => o.kind === 'statut' || o.kind === 'cdar').map((o) => ({ kind: o.kind, file: path.join(config.paths.out, o.path) }));
    expect(flows.map((f) => f.kind).sort()).toEqual(['cdar', 'statut']);
    const statut = flows.find((f) => f.kind === 'statut')!.file;
    expect(validateFiles(SCHEMAS.statut, [statut])).toEqual([{ file: statut, valid: true, errors: [] }]);
    expect(readFileSync(statut, 'utf8')).toContain('<IdFlux>fact ure [0m.xml</IdFlux>');
    const cdar = flows.find((f) => f.kind === 'cdar')!.file;
    expect(spawnSync('xmllint', ['--noout', cdar]).status).toBe(0);
  });
});
