/**
 * A worker that cannot look into processing/ for a while (its permissions changed, a stale NFS
 * handle) while the claimed file is there: the attempt fails and is retried, and the file is
 * processed once the folder can be read again. It used to fail the job for good, as "the
 * claimed file … is gone and has no outcome", the file still there and never queued again.
 * The worker runs as `nobody` (root reads any folder): the test needs root and setpriv.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { claimFile } from '../../src/ingest/claim';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId, fluxJobOptions, fluxQueue } from '../../src/queue/flux-queue';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

const NOBODY = 65534;
const canDropRoot = process.getuid?.() === 0 && ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));
const describeIf = canDropRoot ? describeRedis : describe.skip;

function chownTree(p: string): void {
  chownSync(p, NOBODY, NOBODY);
  if (statSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(path.join(p, e));
}

describeIf('worker: processing/ unreadable for a while', () => {
  it('retries the attempt, and processes the file once the folder can be read', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, attempts: 20, backoffMs: 200 } });
    // nobody must reach the set-up's folder
    for (let d = setup.dir; path.relative(os.tmpdir(), d).split(path.sep)[0] !== '..' && d !== path.dirname(d); d = path.dirname(d)) chmodSync(d, statSync(d).mode | 0o755);
    const redis: Redis = redisClient();
    const queue = fluxQueue(setup.config, redis);
    const content = invoiceNumbered(971);
    const src = path.join(setup.inbox('op-alpha'), 'F971.xml');
    writeFileSync(src, content);
    const claim = await claimFile(src, setup.config.paths.processing, 'op-alpha');
    if (!claim) throw new Error('claim failed');
    chownTree(setup.dir);
    const sha = sha256(Buffer.from(content));
    const id = fluxJobId(sha, claim.claimId);
    const folder = path.dirname(claim.path);
    chmodSync(folder, 0o000);
    await queue.add('flux', { path: claim.path, name: 'F971.xml', relPath: 'op-alpha/F971.xml', partner: 'op-alpha', sha256: sha, claimId: claim.claimId }, { ...fluxJobOptions(setup.config), jobId: id });
    const worker = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'worker', '-c', setup.configFile, '--metrics-port', '0'], { stdio: 'ignore' });
    const exited = new Promise((r) => worker.on('exit', (code, signal) => r(signal ?? code)));
    try {
      for (let i = 0; i < 600 && ((await queue.getJob(id))?.attemptsMade ?? 0) < 1 && (await queue.getJobState(id)) !== 'failed'; i++) await sleep(50);
      chmodSync(folder, 0o755); // readable again
      let state = '';
      for (let i = 0; i < 600; i++) {
        state = await queue.getJobState(id);
        if (state === 'completed' || state === 'failed') break;
        await sleep(50);
      }
      expect(state).toBe('completed');
      // its first attempt failed, and said why
      expect((await queue.getJob(id))?.failedReason).toMatch(/^cannot tell whether the claimed file .* is still there \(EACCES\): the attempt is retried$/);
    } finally {
      chmodSync(folder, 0o755);
      worker.kill('SIGTERM');
      await exited;
      await queue.close();
      await deletePrefix(redis, setup.config.redis.prefix);
      await redis.quit();
    }
    expect(existsSync(claim.path)).toBe(false);
    const lines = (await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone))).lines;
    expect(lines.filter((l) => l.event === 'outcome').map((l) => [l.file, l.outcome])).toEqual([['op-alpha/F971.xml', 'accepted']]);
  }, 90_000);
});
