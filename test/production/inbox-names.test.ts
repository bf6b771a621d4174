/**
 * watch + worker on a real Redis: a file whose name is not UTF-8 (CP1252 from a Windows SFTP
 * client) is claimed under the readable form of its name, processed, and journaled with its
 * raw name. The watcher used to drop it silently at every rescan (its lstat failed on the name
 * Node made up), and it stayed in the inbox for ever. A symbolic link is reported, never taken.
 * One partner's inbox that cannot be read no longer stops the rescan of the others'.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { InboxWatcher } from '../../src/ingest/watcher';
import { createMetrics } from '../../src/ops/metrics';
import { Journal, readJournalDay } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import { dayOf, systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { FIXTURES_INBOX } from '../helpers/run';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

const LATIN1_NAME = Buffer.concat([Buffer.from('facture_'), Buffer.from([0xe9]), Buffer.from('t'), Buffer.from([0xe9]), Buffer.from('.xml')]);

describeRedis('watch: a file name that is not UTF-8', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 300, pollMs: 100, rescanMs: 300 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('is claimed under its readable name, processed and archived; a link is left alone', async () => {
    redis = redisClient();
    const inbox = setup.inbox('op-alpha');
    const content = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0556</cbc:ID>');
    const raw = Buffer.concat([Buffer.from(`${inbox}/`), LATIN1_NAME]);
    writeFileSync(raw, content);
    // and its client preserved the source file's date: it is still dated by its arrival (receipt-time.ts)
    utimesSync(raw, new Date('2026-01-15T10:00:00Z'), new Date('2026-01-15T10:00:00Z'));
    symlinkSync('/etc/passwd', path.join(inbox, 'lien.xml'));

    const q = fluxQueue(setup.config, redis);
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: setup.config.timezone });
    const logged: { msg: string; file?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const metrics = createMetrics({ defaults: false });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger, metrics });
    const worker = await startWorker({ config: setup.config, logger: createLogger({ level: 'silent' }) });
    await watcher.start();
    const day = dayOf(new Date(), setup.config.timezone);
    const archived = path.join(setup.config.paths.out, 'archive', day, 'facture_%E9t%E9.xml');
    for (let i = 0; i < 200 && !existsSync(archived); i++) await sleep(50);
    await sleep(700); // two more rescans: the link must still be said only once
    await watcher.stop();
    await worker.close(5000);
    await journal.close();
    await q.close();

    expect(readFileSync(archived, 'utf8')).toBe(content);
    expect(existsSync(raw)).toBe(false); // claimed out of the inbox
    expect(readdirSync(path.join(setup.config.paths.out, 'pivot'), { recursive: true }).map(String).filter((f) => f.endsWith('.xml'))).toHaveLength(1);
    const { lines } = await readJournalDay(path.join(setup.config.paths.out, 'journal'), day);
    const claimed = lines.filter((l) => l.event === 'claimed');
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ file: 'op-alpha/facture_%E9t%E9.xml', rawName: LATIN1_NAME.toString('hex') });
    expect(lines.filter((l) => l.event === 'outcome')).toEqual([expect.objectContaining({ file: 'op-alpha/facture_%E9t%E9.xml', outcome: 'accepted' })]);
    expect(logged.filter((l) => l.msg.startsWith('skipped: symbolic link')).map((l) => l.file)).toEqual(['op-alpha/lien.xml']);
    expect(logged.some((l) => l.msg.includes('not UTF-8'))).toBe(true);
    // what an operator's alerting sees: the link, and nothing left waiting
    const text = await metrics.registry.metrics();
    expect(text).toContain('chorus_flux_inbox_skipped_entries{partner="op-alpha"} 1');
    expect(text).toContain('chorus_flux_inbox_waiting_files{partner="op-alpha"} 0');
  });
});

/**
 * A watcher on the rescan alone (chokidar off), its log lines kept, its metrics readable:
 * `queued()` waits for the first jobs and gives them as partner/name.
 */
async function rescanningWatcher(setup: ReturnType<typeof prodSetup>, redis: Redis) {
  const q = fluxQueue(setup.config, redis);
  const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: setup.config.timezone });
  const logged: { msg: string; partner?: string; level: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const metrics = createMetrics({ defaults: false });
  const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger, events: false, metrics });
  await watcher.start();
  return {
    logged,
    metrics,
    async queued(): Promise<string[]> {
      let jobs: string[] = [];
      for (let i = 0; i < 100 && jobs.length === 0; i++) {
        await sleep(100);
        jobs = (await q.getJobs(['waiting', 'delayed', 'active'])).map((j) => `${j.data.partner}/${j.data.name}`);
      }
      return jobs;
    },
    async stop(): Promise<void> {
      await watcher.stop();
      await journal.close();
      await q.close();
    },
  };
}

describeRedis('watch: one inbox that cannot be read', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha', 'op-beta'], watch: { stableMs: 300, pollMs: 100, rescanMs: 300 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('does not stop the rescan of the other inboxes', async () => {
    redis = redisClient();
    const w = await rescanningWatcher(setup, redis);
    // op-alpha's inbox becomes a plain file (ENOTDIR on every scan); op-beta receives a file
    rmSync(setup.inbox('op-alpha'), { recursive: true });
    writeFileSync(setup.inbox('op-alpha'), 'not a folder');
    writeFileSync(path.join(setup.inbox('op-beta'), 'facture.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    const jobs = await w.queued();
    await w.stop();
    expect(jobs).toEqual(['op-beta/facture.xml']);
    expect(w.logged.some((l) => l.partner === 'op-alpha' && l.msg.startsWith('cannot scan this inbox'))).toBe(true);
    expect(await w.metrics.registry.metrics()).toMatch(/chorus_flux_inbox_scan_errors_total\{partner="op-alpha"\} [1-9]/);
  });
});

describeRedis('watch: an inbox that disappears and comes back', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 100, rescanMs: 200 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  // an unmounted SFTP share used to go unnoticed: a missing inbox was scanned as an empty one
  it('is an error said once, counted at every rescan, and its files are taken again once it is back', async () => {
    redis = redisClient();
    const w = await rescanningWatcher(setup, redis);
    rmSync(setup.inbox('op-alpha'), { recursive: true });
    const errors = async () => Number(/chorus_flux_inbox_scan_errors_total\{partner="op-alpha"\} (\d+)/.exec(await w.metrics.registry.metrics())?.[1] ?? 0);
    for (let i = 0; i < 100 && (await errors()) < 3; i++) await sleep(100);
    expect(await errors()).toBeGreaterThanOrEqual(3);
    const gone = w.logged.filter((l) => l.partner === 'op-alpha' && l.msg.startsWith('the inbox is gone'));
    expect(gone).toHaveLength(1);
    expect(gone[0].level).toBe(50);
    // back, with a file in it
    mkdirSync(setup.inbox('op-alpha'));
    writeFileSync(path.join(setup.inbox('op-alpha'), 'facture.xml'), readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    const jobs = await w.queued();
    await w.stop();
    expect(jobs).toEqual(['op-alpha/facture.xml']);
    expect(w.logged.filter((l) => l.partner === 'op-alpha' && l.msg.startsWith('the inbox is back'))).toHaveLength(1);
    expect(w.logged.filter((l) => l.msg.startsWith('cannot scan this inbox'))).toEqual([]);
  });
});
