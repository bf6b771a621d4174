/**
 * `chorus-flux set-aside` killed (SIGKILL) while writing the partner's 93 (its temp file written,
 * not renamed), then run again as an operator would: the job set aside once, one 93 flow, and no
 * temp file left in statut/op-alpha/. Until 2026-12-07 the temp stayed there for good under
 * `watch` (only `run` and a worker's start swept the outboxes), as `reject`'s did
 * (test/lifecycle/operator-reject.test.ts; `killfuzz --kill reject` kills there too).
 * Killed while writing the error/ copy's `.reason.json`, its temp file stayed in error/<day>/
 * until that day's nightly sweep (found by `killfuzz --kill set-aside`, 2026-12-07): the run
 * again now sweeps the kept folders of the file's day.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { queueSuite } from '../helpers/queue-suite';
import { failedByStalls } from '../helpers/stalled-twice';

const KILL_IN_TEMP_WRITE = path.resolve(__dirname, '../helpers/kill-in-temp-write.js');

describeRedis('set-aside killed while writing its 93', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  it('run again, it sets the job aside once, with one 93 and no temp file left', async () => {
    const { sha, id, claim, last } = await failedByStalls(setup, s, 957);
    // the next case fails its own job by two workers' deaths: no worker of this one may take it
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    const out = setup.config.paths.out;
    const statut = path.join(out, 'statut', 'op-alpha');
    const listed = () => (existsSync(statut) ? readdirSync(statut) : []);
    const reason = 'Le fichier arrête le traitement à chaque essai.';

    const env = { KILL_IN_TEMP_WRITE: '/statut/op-alpha/', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${KILL_IN_TEMP_WRITE}`.trim() };
    const killed = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect(listed().filter((f) => f.startsWith('.'))).toHaveLength(1);

    const set = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: '' });
    expect(set.stdout).toContain('1 set aside');
    expect(existsSync(claim.path)).toBe(false);
    expect(listed().filter((f) => f.startsWith('.'))).toEqual([]);
    expect(listed().filter((f) => readFileSync(path.join(statut, f), 'utf8').includes('FLUX-ECARTE'))).toHaveLength(1);
    const { lines } = await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), setup.config.timezone));
    expect(lines.filter((l) => l.event === 'outcome' && l.sha256 === sha)).toHaveLength(1);
  }, 180_000);

  it("killed while writing the error/ copy's .reason.json, run again, it leaves no temp file in error/", async () => {
    const { sha, id, claim } = await failedByStalls(setup, s, 958);
    const out = setup.config.paths.out;
    const day = dayOf(new Date(), setup.config.timezone);
    const kept = path.join(out, 'error', day);
    const temps = () => (existsSync(kept) ? readdirSync(kept).filter((f) => f.startsWith('.')) : []);
    const reason = 'Le fichier arrête le traitement à chaque essai.';

    const env = { KILL_IN_TEMP_WRITE: '/error/.*F958\\.xml\\.reason\\.json', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${KILL_IN_TEMP_WRITE}`.trim() };
    const killed = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { env, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect(temps()).toHaveLength(1);

    const set = await cli(['set-aside', id, '--reason', reason, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: '' });
    expect(set.stdout).toContain('1 set aside');
    expect(existsSync(claim.path)).toBe(false);
    expect(temps()).toEqual([]);
    expect(readdirSync(kept).filter((f) => f.startsWith('F958.xml'))).toEqual(['F958.xml', 'F958.xml.reason.json']);
    const { lines } = await readJournalDay(path.join(out, 'journal'), day);
    expect(lines.filter((l) => l.event === 'outcome' && l.sha256 === sha)).toHaveLength(1);
  }, 180_000);
});
