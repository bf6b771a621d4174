/**
 * A finance SI's CPPStatut whose processing ends its worker after its lines were applied to the
 * lifecycle and before the flows forwarding them were written, twice, on a real Redis with real
 * worker processes: its job fails and the operator sets it aside (the SI is told its flow is
 * refused, 93). The invoice had stayed SUSPENDUE though its supplier was never told; the SI's
 * flow sent again was then "the same status again", forwarded nowhere, and the supplier never
 * heard of the suspension it must answer. Set aside, the statuses the attempts applied are undone
 * (said by set-aside), and the flow sent again is forwarded.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { claimFile } from '../../src/ingest/claim';
import { LifecycleStore } from '../../src/lifecycle/store';
import { fluxJobId, fluxJobOptions } from '../../src/queue/flux-queue';
import { sha256 } from '../../src/util/hash';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis } from '../helpers/redis';
import { siStatusFlow } from '../helpers/statut';
import { prodSetup } from '../helpers/watch';
import { until } from '../helpers/until';
import { queueSuite } from '../helpers/queue-suite';
import { startWorkerProcess } from '../helpers/worker-process';

const SUPPLIER = '99746507500015';
const NUMBER = 'F-2026-000963';

describeRedis('set-aside of a status flow whose attempts died after applying its lines', () => {
  const setup = prodSetup({ partners: ['op-alpha', 'si-valmont'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 3, backoffMs: 50 } });
  const s = queueSuite(setup);

  async function claimAndQueue(partner: string, name: string, content: string): Promise<string> {
    const src = path.join(setup.inbox(partner), name);
    writeFileSync(src, content);
    const claim = await claimFile(src, setup.config.paths.processing, partner);
    if (!claim) throw new Error('claim failed');
    const sha = sha256(Buffer.from(content));
    const id = fluxJobId(sha, claim.claimId);
    await s.queue.add('flux', { path: claim.path, name, relPath: `${partner}/${name}`, partner, sha256: sha, claimId: claim.claimId }, { ...fluxJobOptions(setup.config), jobId: id });
    return id;
  }
  const finished = (id: string) => async () => {
    const state = await s.queue.getJobState(id);
    return state === 'completed' ? true : state === 'failed' ? false : undefined;
  };
  const forwarded = () => {
    const dir = path.join(setup.config.paths.out, 'statut', 'op-alpha');
    return (existsSync(dir) ? readdirSync(dir) : []).filter((f) => !f.startsWith('.')).map((f) => readFileSync(path.join(dir, f), 'utf8')).filter((x) => x.includes('<IdStatut>06</IdStatut>'));
  };

  it('undoes the statuses no flow forwarded, so the flow sent again reaches the supplier', async () => {
    const first = startWorkerProcess(setup.configFile);
    s.workers.push(first);
    expect(await until('the invoice accepted', finished(await claimAndQueue('op-alpha', 'F963.xml', invoiceNumbered(963))))).toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const line = { supplierId: SUPPLIER, buyerSiret: '21787789300016', idStatut: '06', idFacture: NUMBER, horodatage: '2026-11-25T10:00:00+01:00', commentaire: 'Joindre le bon de livraison' };
    const id = await claimAndQueue('si-valmont', 'suspendre.xml', siStatusFlow('SI-S1', [line]));
    for (let death = 1; death <= 2; death++) {
      const w = startWorkerProcess(setup.configFile, { CHORUS_FLUX_FAULT: 'after-status-lines' });
      s.workers.push(w);
      expect(await w.exited).toBe('SIGKILL');
    }
    const store = new LifecycleStore(path.join(setup.config.paths.state, 'invoices'));
    expect((await store.read(SUPPLIER, NUMBER))[0].state).toBe('SUSPENDUE'); // applied, never forwarded
    const last = startWorkerProcess(setup.configFile);
    s.workers.push(last);
    await until('the job failed', async () => ((await s.queue.getJobState(id)) === 'failed' ? true : undefined));

    const set = await cli(['set-aside', id, '--reason', 'Flux illisible : merci de le renvoyer.', '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(new RegExp(`^set-aside +${id} +si-valmont/suspendre.xml +refused with the reason given .*the statuses an interrupted attempt had applied to 1 invoice\\(s\\) without forwarding them undone \\(${NUMBER}, IdCPRO \\d+, back to MISE_A_DISPOSITION\\): the flow sent again applies them$`, 'm'));
    const [rec] = await store.read(SUPPLIER, NUMBER);
    expect([rec.state, rec.suspendedAt, rec.history.map((h) => h.state)]).toEqual(['MISE_A_DISPOSITION', undefined, ['DEPOSEE', 'MISE_A_DISPOSITION']]);
    expect(forwarded()).toEqual([]);

    // the SI, told its flow was refused, sends it again
    const again = await claimAndQueue('si-valmont', 'suspendre-2.xml', siStatusFlow('SI-S2', [line]));
    expect(await until('the flow sent again processed', finished(again))).toBe(true);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect((await store.read(SUPPLIER, NUMBER))[0].state).toBe('SUSPENDUE');
    const sent = forwarded();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('Joindre le bon de livraison');
  }, 180_000);
});
