/**
 * A seeded fuzz of the PDFs chorus-flux reads: the official Factur-X samples, one the project
 * makes of a fixture (routed: what survives the damage is accepted and written out) and the
 * invoice PDF of the UBL E2 fixture, each mutated (test/helpers/pdf-mutations.ts: bytes flipped,
 * cuts, cross-reference and /Length damage, /Prev and reference cycles, nesting, name trees that
 * loop, compression bombs, unknown filters, an /EF that is no stream, hostile file names,
 * JavaScript), encrypted ones too. Through `run` (in process, then the command itself) and `validate`:
 * every file gets exactly one outcome, journaled; a refusal has a rule and a readable reason of at
 * most 300 characters, and its original kept in error/ byte for byte; nothing is written outside
 * the output tree; the flows written pass their XSD; the day reconciles clean; no process crashes
 * or hangs (a bound of minutes per command, only to tell a hang), a bomb stops at the size limit.
 *
 * It found: an embedded file's name shown whole in the refusal (5205 characters of a 5000-long
 * name, a NUL, a right-to-left override that reverses what the partner reads).
 * PDF_FUZZ_SEED and PDF_FUZZ_CASES try other campaigns by hand.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { dayOf } from '../../src/util/clock';
import { cli, ROOT } from '../helpers/cli';
import { SCHEMAS } from '../helpers/corpus';
import { prng } from '../helpers/hostile';
import { HOSTILE_NAMES, MUTATIONS, mutatePdf } from '../helpers/pdf-mutations';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

const SEED = Number(process.env.PDF_FUZZ_SEED ?? 20261207);
const CASES = Number(process.env.PDF_FUZZ_CASES ?? 200);
/** Only a hang detector: minutes for what takes seconds, on a loaded 2-core host. */
const HANG = 10 * 60_000;

const OFFICIAL = path.resolve(__dirname, '../../../shared/corpus/facturx-pdfs');
const E2 = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8');
const E2_PDF = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</;

/** The UBL E2 fixture, its invoice PDF replaced by `pdf` under the file name `name`. */
function e2With(pdf: Buffer, name: string): string {
  const attr = name.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return E2.replace(E2_PDF, (m, b64: string) => m.replace(/filename="[^"]*"/, `filename="${attr}"`).replace(b64, pdf.toString('base64')));
}

const OUTCOMES = ['accepted', 'partial', 'refused', 'suspended', 'duplicate'];

describe(`PDF fuzz, seed ${SEED}, ${CASES} cases`, () => {
  const root = tempDir('cf-pdf-fuzz-');
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  const written: { file: string; bytes: Buffer; mutation: string }[] = [];

  beforeAll(async () => {
    const made = await parseFlux(readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    if (made.kind === 'CPPStatut') throw new Error('not an invoice');
    const sources: [string, Buffer][] = [
      ...readdirSync(OFFICIAL).map((f): [string, Buffer] => [f, readFileSync(path.join(OFFICIAL, f))]),
      ['made-papeterie', Buffer.from((await makeFacturX(made.invoices[0])).pdf)],
      ['e2-invoice-pdf', Buffer.from(E2_PDF.exec(E2)![1], 'base64')],
      // encrypted: with a user password (AES-256, RC4 128), with an owner password only
      ...([['user-aes', ['u-secret', 'o-secret', '256']], ['user-rc4', ['u-secret', 'o-secret', '128', '--use-aes=n']], ['owner-only', ['', 'o-secret', '256']]] as const).map(([what, args]): [string, Buffer] => {
        const to = path.join(tempDir('cf-pdf-fuzz-enc-'), `${what}.pdf`);
        const r = spawnSync('qpdf', ['--allow-weak-crypto', '--encrypt', ...args, '--', path.join(OFFICIAL, 'Facture_FR_BASICWL.pdf'), to]);
        expect([what, r.status, r.stderr?.toString()]).toEqual([what, 0, '']);
        return [`enc-${what}`, readFileSync(to)];
      }),
    ];
    const rnd = prng(SEED);
    const names = Object.keys(MUTATIONS);
    for (let k = 0; k < CASES; k++) {
      // every mutation at least once, then drawn at random
      const [srcName, src] = k < names.length ? sources[k % sources.length] : sources[Math.floor(rnd() * sources.length)];
      const { name, bytes } = mutatePdf(src, rnd, k < names.length ? names[k] : undefined);
      const partner = k % 2 ? 'op-alpha' : 'op-beta';
      // one in six goes as the invoice PDF of a UBL E2, under a hostile name half of the time
      const asE2 = k % 6 === 5 && bytes.length < 4 << 20;
      const file = `${partner}/f${String(k).padStart(4, '0')}-${name}-${srcName.replace(/\W+/g, '_').slice(0, 20)}.${asE2 ? 'xml' : 'pdf'}`;
      const content = asE2 ? Buffer.from(e2With(bytes, rnd() < 0.5 ? HOSTILE_NAMES[Math.floor(rnd() * HOSTILE_NAMES.length)] : 'facture.pdf')) : bytes;
      mkdirSync(path.join(inbox, partner), { recursive: true });
      writeFileSync(path.join(inbox, file), content);
      written.push({ file, bytes: content, mutation: name });
    }
  }, HANG);

  it('run: exactly one outcome each, journaled; refusals say why in 300 characters, originals kept; flows pass their XSD; the day reconciles clean', async () => {
    const config = bundledConfig(out);
    const summary = await runOnce(inbox, config);
    expect(summary.failures).toEqual([]);
    expect(summary.results.map((r) => r.file).sort()).toEqual(written.map((w) => w.file).sort());
    const byFile = new Map(summary.results.map((r) => [r.file, r]));
    const errorDays = readdirSync(path.join(out, 'error'));
    for (const w of written) {
      const r = byFile.get(w.file)!;
      const what = `${w.file} (${w.mutation})`;
      // a content met twice (a mutation that changed nothing) is already processed the second time
      expect([what, OUTCOMES.includes(r.outcome) || r.outcome === 'already-processed']).toEqual([what, true]);
      if (r.outcome !== 'refused') continue;
      const fatal = r.findings.filter((f) => f.severity === 'fatal');
      // the reader's own words (FLUX-*) in full; the official rules' texts, longer, are cut to 300 in the flows (IPM4-009)
      const unreadable = fatal.filter((f) => !/^[A-Z]+(-[A-Z0-9]+)+$/.test(f.rule) || (f.rule.startsWith('FLUX-') && f.message.length > 300) || /[\p{Cc}\p{Cf}]/u.test(f.message) || /TypeError|undefined|PDFDocument|instance of|flate stream|encoding not supported|at \w+ \(/.test(f.message));
      expect([what, fatal.length, unreadable.map((f) => [f.rule, f.message])]).toEqual([what, expect.any(Number), []]);
      expect(fatal.length).toBeGreaterThan(0);
      const kept = errorDays.map((d) => path.join(out, 'error', d, path.basename(w.file))).find((p) => listFiles(path.dirname(p)).includes(path.basename(p)));
      expect([what, kept !== undefined && readFileSync(kept).equals(w.bytes)]).toEqual([what, true]);
    }
    // every kind of outcome the fuzz can reach is reached: the campaign tests something
    const outcomes = new Set(summary.results.map((r) => r.outcome));
    expect(outcomes).toContain('refused');
    expect(outcomes).toContain('accepted');
    const rules = new Set(summary.results.flatMap((r) => r.findings.map((f) => f.rule)));
    for (const rule of ['FLUX-PDF', 'FLUX-TAILLE', 'FLUX-FACTURX-NOXML']) expect(rules).toContain(rule);

    // the journal: one outcome (or already-processed) line per file
    const day = dayOf(new Date(), config.timezone);
    const { lines, damaged } = await readJournalDay(path.join(out, 'journal'), day);
    expect(damaged).toEqual([]);
    const told = new Map<string, string[]>();
    for (const l of lines) if (l.event === 'outcome' || l.event === 'already-processed') told.set(l.file, [...(told.get(l.file) ?? []), l.event === 'outcome' ? l.outcome : l.event]);
    expect(written.filter((w) => told.get(w.file)?.length !== 1).map((w) => [w.file, told.get(w.file)])).toEqual([]);
    expect(written.map((w) => told.get(w.file)![0])).toEqual(written.map((w) => byFile.get(w.file)!.outcome));

    // nothing outside the output tree: the root holds the inbox as given and the outputs
    expect(readdirSync(root).sort()).toEqual(['inbox', 'out']);
    expect(listFiles(inbox).sort()).toEqual(written.map((w) => w.file).sort());
    expect(listFiles(out, ['state', 'logs', 'journal', 'reports', 'pivot', 'statut', 'cdar', 'archive', 'error'])).toEqual([]);

    const files = listFiles(out);
    const invalid = (dir: string, xsd: string) => {
      const xml = files.filter((f) => f.startsWith(`${dir}/`) && f.endsWith('.xml')).map((f) => path.join(out, f));
      return [xml.length, validateFiles(xsd, xml).filter((v) => v.errors.length > 0).map((v) => `${path.relative(out, v.file)}: ${v.errors[0]}`)] as const;
    };
    const [pivots, badPivots] = invalid('pivot', SCHEMAS.pivot);
    const [statuts, badStatuts] = invalid('statut', SCHEMAS.statut);
    expect(badPivots).toEqual([]);
    expect(badStatuts).toEqual([]);
    expect(pivots).toBeGreaterThan(0);
    expect(statuts).toBeGreaterThan(0);

    const r = await reconcileDay({ config, date: day, write: false });
    expect(r.error).toBeUndefined();
    expect(r.report?.anomalies).toEqual([]);
    expect(r.exitCode).toBe(0);
  }, HANG);

  it('validate: every file reported, nothing crashes or hangs', async () => {
    // one file in eight: validate reads each whole, as run does
    const some = written.filter((_, k) => k % 8 === 0).map((w) => path.join(inbox, w.file));
    const v = await cli(['validate', '--json', ...some], { timeoutMs: HANG });
    expect(v.signal).toBeNull();
    expect([0, 1, 2]).toContain(v.code);
    expect(v.stderr).not.toMatch(/TypeError|RangeError|at \w+ \(/);
    const reported = JSON.parse(v.stdout) as { file: string }[] | { files: { file: string }[] };
    const list = Array.isArray(reported) ? reported : reported.files;
    expect([...new Set(list.map((f) => f.file))].sort()).toEqual(some.sort());
  }, HANG);

  it('the chorus-flux run command itself: ends, with the same outcomes, and its memory stays bounded', async () => {
    // the first case of every mutation (each bomb among them): a real process, its peak RSS measured
    const chosen = written.filter((w, k) => written.findIndex((x) => x.mutation === w.mutation) === k);
    const cmdInbox = path.join(root, 'cmd', 'inbox');
    for (const w of chosen) {
      mkdirSync(path.dirname(path.join(cmdInbox, w.file)), { recursive: true });
      writeFileSync(path.join(cmdInbox, w.file), w.bytes);
    }
    const cmdOut = path.join(root, 'cmd', 'out');
    const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, path.join(ROOT, 'bin/chorus-flux.js'), 'run', cmdInbox, '--out', cmdOut, '-q'], { encoding: 'utf8', timeout: HANG });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]);
    // 120 MB of invoice at most is inflated; a 300 MB bomb read whole would pass this
    expect(kb).toBeLessThan(1_000_000);
    const { lines } = await readJournalDay(path.join(cmdOut, 'journal'), dayOf(new Date(), bundledConfig(cmdOut).timezone));
    const outcomes = new Map(lines.filter((l) => l.event === 'outcome' || l.event === 'already-processed').map((l) => [l.file, l.event]));
    expect(chosen.filter((w) => !outcomes.has(w.file)).map((w) => w.file)).toEqual([]);
  }, HANG);
});
