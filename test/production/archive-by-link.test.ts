/**
 * A worker keeps the file it claimed as its own archive (or error) copy: the same inode,
 * hard-linked from processing/ into archive/<day>/ or error/<day>/, then its processing/ name
 * removed — no second copy written, no inode freed. The journal lists it as before.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import { systemClock } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { createLogger } from '../../src/util/logger';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';

import { setTimeout as sleep } from 'node:timers/promises';

describeRedis('archive copies of claimed files', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 200 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('are the claimed files themselves, hard-linked, for an accepted and a refused file', async () => {
    redis = redisClient();
    const queue = fluxQueue(setup.config, redis);
    const running = await startWorker({ config: setup.config, logger: createLogger({ level: 'silent' }) });
    const inbox = setup.inbox('op-alpha');
    const good = invoiceNumbered(41);
    writeFileSync(path.join(inbox, 'good.xml'), good);
    writeFileSync(path.join(inbox, 'broken.xml'), '<Invoice>');
    // the claim is a rename: the inode stays the upload's
    const ino = { good: statSync(path.join(inbox, 'good.xml')).ino, broken: statSync(path.join(inbox, 'broken.xml')).ino };
    const out = setup.config.paths.out;
    const journal = new Journal({ dir: path.join(out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue, journal, logger: createLogger({ level: 'silent' }), events: false });
    await watcher.start();
    const processing = path.join(setup.config.paths.processing, 'op-alpha');
    const kept = () => listFiles(out).filter((f) => /^(archive|error)\/[^/]+\/(good|broken)\.xml$/.test(f));
    for (let i = 0; i < 300 && (kept().length < 2 || readdirSync(processing).length > 0); i++) await sleep(100);
    await watcher.stop();
    await journal.close();
    await running.close(5000);
    await queue.close();

    const [archived] = kept().filter((f) => f.startsWith('archive/'));
    const [refused] = kept().filter((f) => f.startsWith('error/'));
    expect(archived).toMatch(/good\.xml$/);
    expect(refused).toMatch(/broken\.xml$/);
    expect(readdirSync(processing)).toEqual([]);
    for (const [rel, inode, bytes] of [[archived, ino.good, good], [refused, ino.broken, '<Invoice>']] as const) {
      const st = statSync(path.join(out, rel));
      expect({ rel, ino: st.ino, nlink: st.nlink }).toEqual({ rel, ino: inode, nlink: 1 });
      expect(readFileSync(path.join(out, rel), 'utf8')).toBe(bytes);
    }
    // no temp name left beside them, and the journal lists them with their content hash
    expect(listFiles(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const lines = readdirSync(path.join(out, 'journal')).flatMap((d) => readdirSync(path.join(out, 'journal', d)).flatMap((f) => readFileSync(path.join(out, 'journal', d, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))));
    const listed = lines.filter((l) => l.event === 'outcome').flatMap((l) => l.outputs).filter((o: { path: string }) => o.path === archived || o.path === refused);
    expect(listed.map((o: { path: string; sha256: string }) => [o.path, o.sha256]).sort()).toEqual([[archived, sha256(Buffer.from(good))], [refused, sha256(Buffer.from('<Invoice>'))]].sort());
  }, 60000);
});
