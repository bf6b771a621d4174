/**
 * Upgrading in place after an older version (before 2026-12-06) was killed on a file: that
 * version recorded no attempt (state/files/<xx>/<sha256>.attempt) and named a file's outputs
 * from its content alone. The new version salts a new attempt's names with its receipt time
 * (flow-id.ts), so the file processed again went out a second time under another name: the
 * same invoice twice to its finance SI (the same IdCPRO, Renvoi Non), seen in an upgrade's
 * first run after the old one's was SIGKILLed (reconcile: "Same IdCPRO emitted twice without
 * Renvoi"). The lock that older version left on the content (a holder line without
 * incarnation, file-lock.ts) tells the new one to name them as it did.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { flowId } from '../../src/runner/flow-id';
import { machineName } from '../../src/util/machine-name';
import { sha256 } from '../../src/util/hash';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

/** A pid no process of this machine has. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

/** One run of the Papeterie invoice as op-alpha/a.xml, its content's lock left as `lockLine` (none: no lock); the pivots written and the attempt record. */
async function runWithLock(lockLine: string | undefined): Promise<{ pivots: string[]; attempt: Record<string, unknown>; olderName: string }> {
  const root = tempDir('cf-upgrade-');
  const config = bundledConfig(path.join(root, 'out'));
  const bytes = readFileSync(PAPETERIE);
  const sha = sha256(bytes);
  mkdirSync(path.join(root, 'in', 'op-alpha'), { recursive: true });
  writeFileSync(path.join(root, 'in', 'op-alpha', 'a.xml'), bytes);
  if (lockLine !== undefined) {
    mkdirSync(path.join(config.paths.state, 'locks'), { recursive: true });
    writeFileSync(path.join(config.paths.state, 'locks', `${sha}.lock`), lockLine);
  }
  const summary = await runOnce(path.join(root, 'in'), config);
  expect(summary.results.map((r) => r.outcome)).toEqual(['accepted']);
  const attempt = JSON.parse(readFileSync(path.join(config.paths.state, 'files', sha.slice(0, 2), `${sha}.attempt`), 'utf8')) as Record<string, unknown>;
  // the name the older version gave this pivot: from the content alone (one invoice, index 0, Renvoi Non)
  const olderName = `FEN0036A_${config.emitter.id}_${flowId(sha, 'pivot', 'VALM01', undefined, '0', 'Non')}.xml`;
  return { pivots: readdirSync(path.join(config.paths.out, 'pivot', 'VALM01')), attempt, olderName };
}

describe('a file an older version was killed on, processed by the new one', () => {
  it('names its outputs as that version did (its pivot overwritten, not sent twice); a content no older version held keeps names of its own', async () => {
    // the holder line an older version wrote (host pid thread time), of a process that is gone;
    // written with this machine's name the lock is broken at once (an older version's own host
    // name is another machine's to the new one: broken once idle, file-lock-machines.test.ts)
    const older = await runWithLock(`${machineName()} ${deadPid()} 1 2026-12-05T21:05:16.009Z\n`);
    expect(older.pivots).toEqual([older.olderName]);
    expect(older.attempt.flowSalt).toBeUndefined();
    const fresh = await runWithLock(undefined);
    expect(fresh.pivots).toHaveLength(1);
    expect(fresh.pivots[0]).not.toBe(fresh.olderName);
    expect(typeof fresh.attempt.flowSalt).toBe('string');
  }, 60000);
});
