/**
 * `trace` on a file that is still in an inbox, as an operator asks of it. Found by an audit:
 * - a file `run` took and failed on (a system failure: left in the inbox) was said "not taken
 *   yet", and the failure in the journal was not shown: `run` journaled it without the file's
 *   SHA-256, which trace follows;
 * - a partner's inbox inside the run's inbox root listed the same waiting file twice;
 * - `trace late.xml` found nothing while the upload still stood as `late.xml.part`.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { traceCommand } from '../../src/cli/commands/trace';
import { findWaiting } from '../../src/trace/waiting';
import { cli } from '../helpers/cli';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';

function drop(inbox: string, partner: string, name: string, content: string | Buffer): string {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
  return path.join(inbox, partner, name);
}

async function traced(what: string, out: string): Promise<[number, string]> {
  const lines: string[] = [];
  const code = await traceCommand(what, { out }, (s) => lines.push(s));
  return [code, lines.join('')];
}

const TRONQUE = readFileSync(path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml'));

describe('trace of a file still in an inbox', () => {
  it.each([
    ['in process (run --threads 1)', ['--threads', '1']],
    ['in processing threads (run --threads 2)', ['--threads', '2']],
  ])('says a file run took and failed on was taken, and why it failed: %s', async (_what, threads) => {
    const root = tempDir('cf-trace-failed-');
    const out = path.join(root, 'out');
    // where its refusal (a 93 to op-gamma) goes stands a file: the file fails, left in the inbox
    mkdirSync(path.join(out, 'statut'), { recursive: true });
    writeFileSync(path.join(out, 'statut', 'op-gamma'), 'not a folder');
    drop(path.join(root, 'in'), 'op-gamma', 'tronque.xml', TRONQUE);
    const r = await cli(['run', path.join(root, 'in'), '--out', out, '--no-progress', ...threads]);
    expect(r.code).toBe(2);
    const [code, text] = await traced('tronque.xml', out);
    expect(code).toBe(0);
    expect(text).toMatch(/system error: .*statut\/op-gamma/);
    expect(text).toMatch(/taken at \d{4}-\d{2}-\d{2}T[\d:.]+Z and failed: .*statut\/op-gamma.* \(journal\/[\d-]+\/[^:]+\.jsonl:\d+\); left in the inbox: the next run takes it again/);
    expect(text).not.toContain('not taken yet');
    // the log line of the failure names the file's content and partner, as every line about a file does
    const log = readFileSync(path.join(out, 'logs', readdirSync(path.join(out, 'logs'))[0]), 'utf8');
    const failure = log.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => /system failure/.test(l.msg));
    expect(failure).toMatchObject({ file: 'op-gamma/tronque.xml', partner: 'op-gamma', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('finds an upload still under its temporary name by its final name, and lists a file once when inboxes nest', async () => {
    const root = tempDir('cf-trace-part-');
    const config = bundledConfig(path.join(root, 'out'));
    const inbox = path.join(root, 'in');
    const fresh = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8').replace(/F-2026-0101/g, 'F-2026-LATE');
    const part = drop(inbox, 'op-alpha', 'late.xml.part', fresh);
    const places = [
      { root: inbox, ownerFor: () => ({ partner: 'op-alpha' }) },
      { root: path.join(inbox, 'op-alpha'), ownerFor: () => ({ partner: 'op-alpha' }) },
    ];
    const found = await findWaiting('late.xml', config, places);
    expect(found.map((w) => [w.path, w.why])).toEqual([[part, expect.stringMatching(/a temporary, hidden or marker name .*: never taken; it is taken once renamed to its final name/)]]);
    // by its inbox path too, and not a file of the same name in another folder
    drop(inbox, 'op-beta', 'late.xml', fresh.replace('F-2026-LATE', 'F-2026-AUTRE'));
    expect((await findWaiting('op-alpha/late.xml', config, places)).map((w) => w.path)).toEqual([part]);
    expect((await findWaiting('late.xml', config, places)).map((w) => w.path).sort()).toEqual([part, path.join(inbox, 'op-beta', 'late.xml')].sort());
  });
});

// the id a partner knows its flow by (the IdFlx of its pivot's envelope) finds the file
it('finds a deposited pivot by its sender’s flow id', async () => {
  const root = tempDir('cf-trace-idflx-');
  const config = bundledConfig(path.join(root, 'out'));
  drop(path.join(root, 'in'), 'op-beta', 'laposte.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml')));
  await runOnce(path.join(root, 'in'), config);
  const [code, text] = await traced('LPO2026110800017', config.paths.out);
  expect(code).toBe(0);
  expect(text).toContain('file op-beta/laposte.xml (partner op-beta)');
  expect(text).toMatch(/outcome: partial \(CPPFacturePivot, its sender's flow id LPO2026110800017\)/);
});
