/**
 * Partners' transfers that move their files out of the outboxes (an SFTP client that downloads
 * then deletes): with reconcile.transfersMoveOutputs, a journaled pivot, status flow or CDAR
 * message that is gone is counted as taken, not reported missing with the advice to restore it
 * from a backup (which would send it again). An output still there is checked as ever, and
 * archive/ and error/ always are. Without the setting, a gone output stays missing-output.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { bundledConfig, fixturesCopy, listFiles, runOnce } from '../helpers/run';

it('counts the outputs a transfer took, still checks what is left, and archive/ and error/', async () => {
  const { inbox, out } = fixturesCopy();
  const config = bundledConfig(out);
  expect((await runOnce(inbox, config)).failures).toEqual([]);
  const day = dayOf(new Date(), config.timezone);
  const outboxed = listFiles(out).filter((f) => /^(pivot|statut|cdar)\//.test(f));
  expect(outboxed.length).toBeGreaterThan(5);
  // the transfer takes every pivot and CDAR message, and all status flows but one
  const sent = path.join(out, '..', 'sent');
  const kept = outboxed.find((f) => f.startsWith('statut/')) as string;
  for (const f of outboxed.filter((x) => x !== kept)) {
    mkdirSync(path.dirname(path.join(sent, f)), { recursive: true });
    renameSync(path.join(out, f), path.join(sent, f));
  }

  const strict = await reconcileDay({ config, date: day, write: false });
  expect(strict.report?.anomalyCounts['missing-output']).toBe(outboxed.length - 1);

  const moving = { ...config, reconcile: { ...config.reconcile, transfersMoveOutputs: true } };
  const r = await reconcileDay({ config: moving, date: day, write: false });
  expect(r.report?.anomalies).toEqual([]);
  expect(r.exitCode).toBe(0);
  expect(r.report?.outputs.taken).toBe(outboxed.length - 1);
  expect(r.report?.notes).toContain(`${outboxed.length - 1} output(s) of pivot/, statut/ and cdar/ have left their outbox: taken by the partners' transfers (reconcile.transfersMoveOutputs), not checked further.`);

  // what is left is still checked, and archive/ and error/ are never "taken"
  writeFileSync(path.join(out, kept), '<CPPStatut/>');
  const archived = listFiles(out).find((f) => f.startsWith('archive/')) as string;
  rmSync(path.join(out, archived));
  const after = await reconcileDay({ config: moving, date: day, write: false });
  expect(after.exitCode).toBe(1);
  expect(after.report?.anomalies.map((a) => [a.type, a.output])).toEqual(
    expect.arrayContaining([
      ['tampered-output', kept],
      ['missing-output', archived],
    ]),
  );
  expect(after.report?.anomalies).toHaveLength(2);
}, 120_000);
