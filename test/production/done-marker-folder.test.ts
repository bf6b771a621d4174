/**
 * A partner with `doneMarker` announces a finished upload with `<name>.done`. A folder of that
 * name (made by hand, or by a client's mkdir) passed for a marker; removing it after the claim
 * threw, so the file was claimed without its `claimed` journal line and queued only by a later
 * rescan, with an error logged. A folder announces nothing: the file waits, as for a missing
 * marker, and a real marker is taken and removed as ever.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { dayOf, systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { listRunInbox } from '../../src/runner/inbound-file';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

describeRedis('watch: a .done marker that is a folder', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 100, rescanMs: 300 } });
  setup.config.partners[0].doneMarker = true;
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('announces nothing: its file waits in the inbox; a file with a real marker is claimed, journaled and its marker removed', async () => {
    redis = redisClient();
    const q = fluxQueue(setup.config, redis);
    const inbox = setup.inbox('op-alpha');
    writeFileSync(path.join(inbox, 'a.xml'), '<Invoice>a</Invoice>');
    mkdirSync(path.join(inbox, 'a.xml.done'));
    writeFileSync(path.join(inbox, 'b.xml'), '<Invoice>b</Invoice>');
    writeFileSync(path.join(inbox, 'b.xml.done'), '');
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger: createLogger({ level: 'silent' }) });
    await watcher.start();
    // past the watcher's grace for claimed files it did not queue (5 s): the old code queued a.xml then
    await sleep(6500);
    await watcher.stop();
    await journal.close();
    const jobs = (await q.getJobs(['waiting', 'delayed', 'active'])).map((j) => j.data.name);
    await q.close();
    expect(jobs).toEqual(['b.xml']);
    expect(readdirSync(inbox).sort()).toEqual(['a.xml', 'a.xml.done']);
    const lines = readFileSync(journal.fileFor(dayOf(new Date(), 'Europe/Paris')), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === 'claimed' || l.event === 'requeued').map((l) => `${l.event} ${l.file}`)).toEqual(['claimed op-alpha/b.xml']);
    expect(existsSync(path.join(inbox, 'b.xml.done'))).toBe(false);
  }, 30_000);

  it('run leaves its file waiting too', async () => {
    const r = await listRunInbox(setup.config, path.dirname(setup.inbox('op-alpha')));
    expect(r.files).toEqual([]);
    expect(r.waiting.map((w) => w.rel)).toEqual(['op-alpha/a.xml']);
  });
});
