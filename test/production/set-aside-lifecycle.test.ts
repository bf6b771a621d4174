/**
 * A file whose processing ends its worker after its invoices were judged (here: killed after
 * its pivot was written, before the outputs are committed), twice, on a real Redis with real
 * worker processes: its job fails, the operator sets it aside, and the partner sends the
 * corrected file. The lifecycle had recorded the invoice MISE_A_DISPOSITION with an IdCPRO
 * although no pivot went out; the corrected file was then refused as a DOUBLON and the invoice
 * never reached its finance SI. Set aside, the file's invoices that its attempts created are
 * forgotten (said by set-aside), and the corrected file goes out, under a new IdCPRO.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { claimFile } from '../../src/ingest/claim';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId, fluxJobOptions } from '../../src/queue/flux-queue';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { until } from '../helpers/until';
import { queueSuite } from '../helpers/queue-suite';
import { startWorkerProcess } from '../helpers/worker-process';

describeRedis('set-aside of a file whose attempts died after judging its invoices', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  async function claimAndQueue(name: string, content: string): Promise<string> {
    const src = path.join(setup.inbox('op-alpha'), name);
    writeFileSync(src, content);
    const claim = await claimFile(src, setup.config.paths.processing, 'op-alpha');
    if (!claim) throw new Error('claim failed');
    const sha = sha256(Buffer.from(content));
    const id = fluxJobId(sha, claim.claimId);
    await s.queue.add('flux', { path: claim.path, name, relPath: `op-alpha/${name}`, partner: 'op-alpha', sha256: sha, claimId: claim.claimId }, { ...fluxJobOptions(setup.config), jobId: id });
    return id;
  }

  it('forgets the invoices no pivot carried, so the corrected file goes out', async () => {
    const id = await claimAndQueue('F961.xml', invoiceNumbered(961));
    for (let death = 1; death <= 2; death++) {
      const w = startWorkerProcess(setup.configFile, { CHORUS_FLUX_FAULT: 'after-pivots' });
      s.workers.push(w);
      expect(await w.exited).toBe('SIGKILL');
    }
    const last = startWorkerProcess(setup.configFile);
    s.workers.push(last);
    await until('the job failed', async () => ((await s.queue.getJobState(id)) === 'failed' ? true : undefined));
    expect(readdirSync(path.join(setup.config.paths.out, 'pivot', 'VALM01')).filter((f) => !f.startsWith('.'))).toEqual([]); // never committed

    const set = await cli(['set-aside', id, '--reason', 'Flux trop lourd : merci de le scinder.', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(set.code).toBe(0);

    // the partner sends the invoice again, corrected: same supplier, number and year, other bytes
    const again = await claimAndQueue('F961-v2.xml', invoiceNumbered(961, ' (renvoi)'));
    await until('the corrected file processed', async () => ((await s.queue.getJobState(again)) === 'completed' ? true : (await s.queue.getJobState(again)) === 'failed' ? false : undefined));
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const lines = (await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone))).lines;
    const outcome = lines.find((l) => l.event === 'outcome' && l.file === 'op-alpha/F961-v2.xml');
    expect(outcome).toMatchObject({ outcome: 'accepted', invoices: [expect.objectContaining({ outcome: 'accepted' })] });
    const pivots = readdirSync(path.join(setup.config.paths.out, 'pivot', 'VALM01')).filter((f) => !f.startsWith('.'));
    expect(pivots).toHaveLength(1);
    expect(readFileSync(path.join(setup.config.paths.out, 'pivot', 'VALM01', pivots[0]), 'utf8')).toContain('F-2026-000961');
    // and set-aside said so
    expect(set.stdout).toMatch(new RegExp(`^set-aside +${id} +op-alpha/F961.xml +refused with the reason given .*; 1 invoice\\(s\\) an interrupted attempt had recorded without sending them forgotten \\(F-2026-000961, IdCPRO \\d+\\): a corrected file is judged anew$`, 'm'));
  }, 180_000);
});
