/**
 * Names in archive/ and error/ a partner can take on purpose. Two ways used to overwrite a kept
 * original, losing it: a file named like another's reason (`facture.xml.reason.json`, kept
 * as is, then overwritten by the reason of a later `facture.xml`), and a file named like the
 * hash-tagged name another content would get (`coll.<12 hex>.xml`, then overwritten by that
 * content once its own name was taken). A kept original is now never written over by other
 * content, and an original never takes a `.reason.json` name; the day reconciles clean.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Outbox } from '../../src/emit/outbox';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';


function drop(inbox: string, partner: string, name: string, content: string): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

/** Every file under error/<day>/ and archive/<day>/, with its content's hash. */
function kept(out: string, day: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const kind of ['archive', 'error']) {
    let names: string[] = [];
    try {
      names = readdirSync(path.join(out, kind, day));
    } catch {
      continue;
    }
    for (const n of names) r[`${kind}/${n}`] = sha256(readFileSync(path.join(out, kind, day, n)));
  }
  return r;
}

it('an original named like a reason is kept under its hash-tagged name, and no reason overwrites it', async () => {
  const root = tempDir('cf-kept-names-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const day = dayOf(new Date(), config.timezone);
  const first = 'not xml at all, named like a reason\n';
  drop(path.join(root, 'in-1'), 'op-alpha', 'facture.xml.reason.json', first);
  expect((await runOnce(path.join(root, 'in-1'), config)).results.map((r) => r.outcome)).toEqual(['refused']);
  drop(path.join(root, 'in-2'), 'op-alpha', 'facture.xml', '<broken');
  expect((await runOnce(path.join(root, 'in-2'), config)).results.map((r) => r.outcome)).toEqual(['refused']);

  const files = kept(out, day);
  const tagged = `error/facture.xml.reason.${sha256(first).slice(0, 12)}.json`;
  expect(Object.keys(files).sort()).toEqual(['error/facture.xml', 'error/facture.xml.reason.json', tagged, `${tagged}.reason.json`].sort());
  expect(files[tagged]).toBe(sha256(first));
  expect(files['error/facture.xml']).toBe(sha256('<broken'));
  expect(JSON.parse(readFileSync(path.join(out, 'error/facture.xml.reason.json'.replace('error/', `error/${day}/`)), 'utf8')).file).toBe('op-alpha/facture.xml');
  const rec = await reconcileDay({ config, date: day, write: false });
  expect([rec.report?.anomalies, rec.exitCode]).toEqual([[], 0]);
});

it('a file named like another content’s hash-tagged name is never overwritten by it', async () => {
  const root = tempDir('cf-kept-names-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const day = dayOf(new Date(), config.timezone);
  const victim = 'victim: the first coll.xml\n';
  const later = 'the second coll.xml, other content\n';
  const squatter = 'a file named as the second one would be tagged\n';
  const tag = sha256(later).slice(0, 12);
  drop(path.join(root, 'in-1'), 'op-gamma', 'coll.xml', victim);
  drop(path.join(root, 'in-1'), 'op-alpha', `coll.${tag}.xml`, squatter);
  await runOnce(path.join(root, 'in-1'), config);
  drop(path.join(root, 'in-2'), 'op-alpha', 'coll.xml', later);
  const second = await runOnce(path.join(root, 'in-2'), config);
  expect(second.results[0].outputs.find((o) => o.kind === 'error')?.path).toBe(`error/${day}/coll.${tag}-2.xml`);

  const files = kept(out, day);
  expect(files['error/coll.xml']).toBe(sha256(victim));
  expect(files[`error/coll.${tag}.xml`]).toBe(sha256(squatter));
  expect(files[`error/coll.${tag}-2.xml`]).toBe(sha256(later));
  const rec = await reconcileDay({ config, date: day, write: false });
  expect([rec.report?.anomalies, rec.exitCode]).toEqual([[], 0]);

  // the same content again finds its own copy (a retry after a crash writes no third one)
  const outbox = new Outbox(out);
  expect(outbox.keptCopies(day, 'coll.xml', sha256(later)).map((o) => o.path)).toEqual([`error/${day}/coll.${tag}-2.xml`, `error/${day}/coll.${tag}-2.xml.reason.json`]);
});

it('gives up with a system error, writing nothing over, when every name holds other content', async () => {
  const root = tempDir('cf-kept-names-');
  const outbox = new Outbox(root);
  const sha = sha256('mine');
  const names = outbox.originalPaths('error', '2026-03-10', 'x.xml', sha);
  expect(names).toHaveLength(11);
  mkdirSync(path.dirname(names[0]), { recursive: true });
  for (const n of names) writeFileSync(n, `other ${n}`);
  await expect(outbox.keepOriginal('error', '2026-03-10', 'x.xml', Buffer.from('mine'), sha)).rejects.toThrow(/cannot keep x\.xml in error\/2026-03-10\/: its 11 possible names all hold other content/);
  for (const n of names) expect(readFileSync(n, 'utf8')).toBe(`other ${n}`);
});
