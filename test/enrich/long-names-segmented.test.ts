/**
 * A long attachment name or reason is cut to whole characters by looking at its ends only
 * (src/util/graphemes.ts). Found by the ingest fuzz (test/validation/ingest-fuzz.test.ts, seed
 * 102): a pivot whose NomPJ was 1 MB of letters (under FLUX-TAILLE's 1 MB per value) made
 * `chorus-flux run` grow past 14 GB and never end — V8's Intl.Segmenter copies the whole text
 * into every segment, and the name was segmented whole to keep its last 24 characters — or die
 * with "JavaScript heap out of memory" under a memory limit: the process crashed, no file of the
 * run got its outcome after it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fitName, originalName } from '../../src/transform/enrich/attachment-names';
import { leadingGraphemes, trailingGraphemes } from '../../src/util/graphemes';
import { cutReason } from '../../src/util/reason';
import { ROOT } from '../helpers/cli';
import { prng } from '../helpers/hostile';
import { FIXTURES_INBOX, tempDir } from '../helpers/run';
import { journalOutcomes } from '../helpers/output-oracle';

const whole = new Intl.Segmenter('fr', { granularity: 'grapheme' });
const all = (s: string) => Array.from(whole.segment(s), (g) => g.segment);

/** Clusters whose breaks depend on their context: accents, emoji sequences, flags, Hangul, CRLF, surrogate pairs. */
const PIECES = ['a', 'é', 'e\u0301', 'e\u0301\u0302', '👍🏽', '👨‍👩‍👧', '🇫🇷', '🇩🇪', '🇫', '\r\n', '한', '\u1100\u1161\u11a8', '\u200d', '\u0301', ' ', '.', 'x'];

/** A bound for what takes under a second: only to tell an endless run from a slow one. */
const HANG = 120_000;

describe('the clusters at either end of a long text', () => {
  it('are those of the whole text, on texts of every kind of cluster', () => {
    const rnd = prng(20261207);
    for (let k = 0; k < 300; k++) {
      const s = Array.from({ length: 20 + Math.floor(rnd() * 400) }, () => PIECES[Math.floor(rnd() * PIECES.length)]).join('');
      const n = 1 + Math.floor(rnd() * 60);
      const full = all(s);
      const lead = leadingGraphemes(s, n);
      const trail = trailingGraphemes(s, n);
      // at least n code points of whole clusters, each the whole text's own
      expect(lead).toEqual(full.slice(0, lead.length));
      expect(trail).toEqual(full.slice(full.length - trail.length).reverse());
      expect(lead.reduce((a, g) => a + [...g].length, 0)).toBeGreaterThanOrEqual(Math.min(n, [...s].length));
      expect(trail.reduce((a, g) => a + [...g].length, 0)).toBeGreaterThanOrEqual(Math.min(n, [...s].length));
    }
  });

  it('a name and a reason of 200,000 characters are cut in a small heap, as before', () => {
    const script = `
      const { fitName, originalName } = require(${JSON.stringify(path.join(ROOT, 'src/transform/enrich/attachment-names'))});
      const { cutReason } = require(${JSON.stringify(path.join(ROOT, 'src/util/reason'))});
      const name = 'é'.repeat(100000) + 'A'.repeat(100000) + '.pdf';
      process.stdout.write(JSON.stringify([fitName(name), originalName(name), cutReason('mot '.repeat(50000))]));`;
    // 256 MB: the old code needed n × n bytes (200,000 characters: 80 GB)
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', '-r', path.join(ROOT, 'test/helpers/ts-register.js'), '-e', script], { encoding: 'utf8', timeout: HANG });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr.slice(0, 300) }).toEqual({ status: 0, signal: null, stderr: '' });
    const [fitted, original, reason] = JSON.parse(r.stdout) as string[];
    expect(fitted).toBe(`${'é'.repeat(23)}…${'A'.repeat(22)}.pdf`);
    expect(original).toBe(fitted);
    expect(reason).toBe(`${'mot '.repeat(74).trimEnd()}…`);
    expect([...reason].length).toBeLessThanOrEqual(300);
  });

  it('short texts are cut exactly as the whole text segmented would be', () => {
    expect(fitName('👨‍👩‍👧'.repeat(30) + '.pdf')).toBe(`${'👨‍👩‍👧'.repeat(4)}…${'👨‍👩‍👧'.repeat(4)}.pdf`);
    expect(fitName(`${'e\u0301'.repeat(40)}.pdf`)).toBe(`${'e\u0301'.repeat(11)}…${'e\u0301'.repeat(11)}.pdf`);
    expect(cutReason(`${'🇫🇷'.repeat(200)}`)).toBe(`${'🇫🇷'.repeat(149)}…`);
  });
});

describe('chorus-flux run on flows with a name of a megabyte', () => {
  it('gives each its outcome, in a bounded memory', () => {
    const root = tempDir('cf-long-names-');
    const inbox = path.join(root, 'inbox');
    const out = path.join(root, 'out');
    mkdirSync(path.join(inbox, 'op-beta'), { recursive: true });
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    const long = 'A'.repeat((1 << 20) - 16);
    // the pivot's NomPJ (the fuzz's case), and a UBL attachment's filename
    const pivot = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8').replace('<NomPJ>LP-2026-558812.pdf</NomPJ>', `<NomPJ>${long}.pdf</NomPJ>`);
    const ubl = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/decompte-travaux-a4.xml'), 'utf8').replace(/filename="[^"]*"/, `filename="${long}.pdf"`);
    writeFileSync(path.join(inbox, 'op-beta/pivot-long-nompj.xml'), pivot);
    writeFileSync(path.join(inbox, 'op-alpha/ubl-long-filename.xml'), ubl);
    // 6 GB of address space: the old code grew past 14 GB; this one stays near its usual 0.3
    const node = [process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'run', inbox, '--out', out, '--no-progress', '-q'];
    const r = spawnSync('bash', ['-c', 'ulimit -v 6000000 && exec "$0" "$@"', ...node], { encoding: 'utf8', timeout: HANG });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr.slice(0, 300) }).toEqual({ status: 0, signal: null, stderr: '' });
    const outcomes = journalOutcomes(out);
    expect(outcomes.map((o) => o.file).sort()).toEqual(['op-alpha/ubl-long-filename.xml', 'op-beta/pivot-long-nompj.xml']);
    // the names the pivots carry are cut to 50
    for (const o of outcomes) {
      for (const x of o.outputs.filter((y) => y.kind === 'pivot')) {
        for (const m of readFileSync(path.join(out, x.path), 'utf8').matchAll(/<NomPJ(?:Origine)?>([^<]*)</g)) expect([...m[1]].length).toBeLessThanOrEqual(50);
      }
    }
  }, HANG);
});
