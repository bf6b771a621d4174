/**
 * Originals of the same name kept the same day. Files over `limits.maxFileBytes` are refused without being read whole, and their original
 * is kept in error/ like any other: two different oversize files of the same name on the same
 * day each keep their own copy (the second gets its content hash in its name, it never
 * overwrites the first), the journal lists each copy with its own hash, and the day reconciles
 * clean.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf, fixedClock } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';

const NOW = fixedClock('2026-03-10T10:00:00Z');
const LATER = fixedClock('2026-03-12T03:00:00Z');

it('keeps both originals of two oversize files of the same name, each under its own name', async () => {
  const root = tempDir();
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  const big = (filler: string) => `<?xml version="1.0"?>\n<Invoice>${filler.repeat(60_000)}</Invoice>\n`;
  const a = big('a');
  const b = big('b');
  for (const [partner, text] of [['op-alpha', a], ['op-beta', b]] as const) {
    mkdirSync(path.join(inbox, partner), { recursive: true });
    writeFileSync(path.join(inbox, partner, 'lot.xml'), text);
  }
  // one file under the limit beside them, processed as usual
  copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml'), path.join(inbox, 'op-alpha', 'facture-e1-papeterie.xml'));
  // kept under the day of their upload (their mtime)
  for (const p of readdirSync(inbox)) for (const f of readdirSync(path.join(inbox, p))) utimesSync(path.join(inbox, p, f), NOW.now(), NOW.now());
  const config = bundledConfig(out);
  config.receiptTime = 'mtime'; // dated by the mtime set above
  config.limits.maxFileBytes = 50_000;

  const summary = await runOnce(inbox, config, { clock: NOW });
  expect(summary.failures).toEqual([]);
  const byFile = Object.fromEntries(summary.results.map((r) => [r.file, r]));
  for (const f of ['op-alpha/lot.xml', 'op-beta/lot.xml']) {
    expect(byFile[f].outcome).toBe('refused');
    expect(byFile[f].findings.map((x) => x.rule)).toEqual(['FLUX-TAILLE']);
  }
  expect(byFile['op-alpha/facture-e1-papeterie.xml'].outcome).toBe('accepted');

  const day = dayOf(NOW.now(), config.timezone);
  const kept = listFiles(path.join(out, 'error', day));
  expect(kept).toHaveLength(4); // two originals, two reasons
  const originals = kept.filter((f) => !f.endsWith('.reason.json'));
  const contents = originals.map((f) => readFileSync(path.join(out, 'error', day, f), 'utf8')).sort();
  expect(contents).toEqual([a, b].sort());
  expect(originals).toContain('lot.xml');
  // each journaled error output is the file on disk with that hash
  for (const r of [byFile['op-alpha/lot.xml'], byFile['op-beta/lot.xml']]) {
    const o = r.outputs.find((x) => x.kind === 'error')!;
    expect(sha256(readFileSync(path.join(out, o.path)))).toBe(o.sha256);
    expect(o.sha256).toBe(r.sha256);
  }
  // no temp file left beside them
  expect(kept.filter((f) => f.startsWith('.'))).toEqual([]);

  const rec = await reconcileDay({ config, date: day, clock: LATER, write: false });
  expect(rec.report?.anomalies).toEqual([]);
  expect(rec.exitCode).toBe(0);

  // the same files again: recognised, nothing copied a second time
  const again = await runOnce(inbox, config, { clock: NOW });
  expect(again.results.map((r) => r.outcome)).toEqual(['already-processed', 'already-processed', 'already-processed']);
  expect(listFiles(path.join(out, 'error', day))).toEqual(kept);
});

it('keeps every original when many files of the same name arrive at once, each copy listed with its own hash', async () => {
  // invoice.xml from each partner, different contents, all in flight together: archive/ and
  // error/ each get one plain name and hashed names for the rest, none overwritten
  const root = tempDir();
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  const sources = ['facture-e1-papeterie.xml', 'avoir-e1-lycee.xml', 'destinataire-inconnu.xml', 'decompte-travaux-a4.xml'];
  const partners = ['op-alpha', 'op-beta', 'op-gamma'];
  let n = 0;
  for (const p of partners) {
    mkdirSync(path.join(inbox, p), { recursive: true });
    for (const [k, s] of sources.entries()) {
      // a comment makes each copy a different content under the same name per source
      const text = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha', s), 'utf8') + `<!-- copy ${n++} -->\n`;
      mkdirSync(path.join(inbox, p, `lot${k}`), { recursive: true });
      writeFileSync(path.join(inbox, p, `lot${k}`, 'invoice.xml'), text);
      utimesSync(path.join(inbox, p, `lot${k}`, 'invoice.xml'), NOW.now(), NOW.now());
    }
  }
  const config = bundledConfig(out);
  config.receiptTime = 'mtime';
  const summary = await runOnce(inbox, config, { clock: NOW });
  expect(summary.failures).toEqual([]);
  expect(summary.results).toHaveLength(12);
  const kept = summary.results.flatMap((r) => r.outputs.filter((o) => o.kind === 'archive' || o.kind === 'error').map((o) => ({ o, sha: r.sha256 })));
  expect(kept).toHaveLength(12);
  expect(new Set(kept.map((k) => k.o.path)).size).toBe(12);
  for (const { o, sha } of kept) expect(sha256(readFileSync(path.join(out, o.path)))).toBe(sha);
  const day = dayOf(NOW.now(), config.timezone);
  const rec = await reconcileDay({ config, date: day, clock: LATER, write: false });
  expect(rec.report?.anomalies).toEqual([]);
});
