/**
 * Issue #7, several machines, each with its own copy of the configuration file: during a change
 * (a recipient added) a worker still on the old file took its share of the jobs and refused an
 * invoice to the new recipient as unknown — a rejection sent to the partner for good — while the
 * other worker accepted them: an outcome that depended on which worker took the job.
 *
 * Real processes (`watch`, two `worker`s) on the test Redis under a prefix of their own: the
 * worker whose configuration differs from the watcher's takes nothing, says which section
 * differs, answers /healthz 503; the file gets one outcome, from the worker that matches; and
 * when the watcher is restarted on the other file, the roles swap by themselves.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { configFromObject } from '../../src/config/config';
import { configDigests, differingSections } from '../../src/config/config-digest';
import { publishReference } from '../../src/queue/config-reference';
import { VERSION } from '../../src/version';
import { daemon, type Daemon } from '../helpers/daemon';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { ROUTING, prodSetup } from '../helpers/watch';
import { journalLinesSoFar } from '../helpers/journal-lines';

const journalLines = journalLinesSoFar;

async function until<T>(what: string, get: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The port a daemon logged at its start (`--metrics-port 0`). */
function portOf(d: Daemon): number {
  const line = d.stderr().split('\n').find((l) => l.includes('"metrics":"http://'));
  return Number(/:(\d+)\/metrics/.exec(line ?? '')?.[1]);
}

async function health(d: Daemon): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`http://127.0.0.1:${portOf(d)}/healthz`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The daemons a scene started killed, its keys deleted, its Redis client closed. */
async function endScene(daemons: Daemon[], redis: Redis, prefix: string): Promise<void> {
  for (const d of daemons) d.kill('SIGKILL');
  await Promise.all(daemons.map((d) => d.exited));
  await deletePrefix(redis, prefix);
  await redis.quit();
}

describe('the digests of a configuration', () => {
  const base = { recipients: ROUTING, partners: [{ id: 'op-alpha', inbox: 'in/op-alpha' }], redis: { url: 'redis://127.0.0.1:6379', prefix: 'p' } };
  const digests = (raw: Record<string, unknown>, dir = '/srv/a') => configDigests(configFromObject(raw, dir, 'x.json'));

  it('leave out what is machine-local: mount points, Redis, ports, concurrency, the dashboard', () => {
    const other = { ...base, paths: { out: '/mnt/share/out' }, partners: [{ id: 'op-alpha', inbox: '/mnt/sftp/alpha' }], redis: { url: 'redis://10.0.0.5:6380', prefix: 'p' }, metrics: { port: 9999, workerPort: 9998 }, worker: { concurrency: 8, maxInFlightMb: 512 }, dashboard: { port: 4000 }, reconcile: { cron: '0 0 3 * * *' } };
    expect(differingSections(digests(base), digests(other, '/srv/b'))).toEqual([]);
  });

  it('name the section that changes an outcome', () => {
    expect(differingSections(digests(base), digests({ ...base, recipients: ROUTING.slice(1) }))).toEqual(['recipients']);
    expect(differingSections(digests(base), digests({ ...base, partners: [{ id: 'op-alpha', inbox: 'in/op-alpha', notifyAccepted: true }], emitter: { id: 'CFX002' } }))).toEqual(['emitter', 'partners']);
    expect(differingSections(digests(base), digests({ ...base, timezone: 'Europe/Brussels', facturx: { profile: 'BASIC' } }))).toEqual(['facturx', 'timezone']);
  });
});

describeRedis('a worker whose configuration differs from the watcher\'s', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 300 }, worker: { concurrency: 2, lockDurationMs: 3000, backoffMs: 100 } });
  // the file before the change: Valmont (the fixtures' buyer) not yet in the routing table
  const oldFile = path.join(setup.dir, 'config-old.json');
  const daemons: Daemon[] = [];
  const start = (command: 'watch' | 'worker', file: string) => {
    const d = daemon(command, file);
    daemons.push(d);
    return d;
  };
  beforeAll(() => {
    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8')) as { recipients: typeof ROUTING };
    writeFileSync(oldFile, JSON.stringify({ ...raw, recipients: raw.recipients.filter((r) => r.siret !== '21787789300016') }, null, 2));
    redis = redisClient();
  });
  afterAll(() => endScene(daemons, redis, setup.config.redis.prefix));

  it('takes no job, says which section differs, and takes jobs again once the watcher runs its file', async () => {
    const journal = path.join(setup.config.paths.out, 'journal');
    const outcomes = () => journalLines(journal).filter((l) => l.event === 'outcome');
    const watch = start('watch', setup.configFile);
    await watch.said('"watch started"');
    const b = start('worker', oldFile);
    await b.said('"worker started"');

    // an invoice to the recipient the change added: B, on the old file, would refuse it as unknown
    writeFileSync(path.join(setup.inbox('op-alpha'), 'to-valmont-1.xml'), invoiceNumbered(7101));
    await until('B says its configuration differs, or the file has an outcome', () => b.stderr().includes('differs from the watcher') || outcomes().length > 0);
    expect(outcomes()).toEqual([]);
    const said = b.stderr().split('\n').find((l) => l.includes('differs from the watcher'))!;
    expect(JSON.parse(said)).toMatchObject({ configDiffers: ['recipients'] });
    expect(said).toContain('restart this worker with the same configuration file');
    // said at level warn first (a deployment restarting everything at once meets this for a second),
    // then once as an error when it outlasts the watcher's rescan (300 ms here, plus two checks)
    expect(JSON.parse(said)).toMatchObject({ level: 40 });
    expect(said).toContain('said again as an error if it lasts past');
    const errors = () => b.stderr().split('\n').filter((l) => l.includes('differs from the watcher') && l.includes('"level":50'));
    await until('B says it as an error once it lasted past the grace', () => errors().length > 0);
    expect(JSON.parse(errors()[0])).toMatchObject({ configDiffers: ['recipients'], since: JSON.parse(said).since });
    const hb = await health(b);
    expect(hb.status).toBe(503);
    expect(hb.body).toMatchObject({ configDiffers: ['recipients'] });
    expect(await (await fetch(`http://127.0.0.1:${portOf(b)}/metrics`)).text()).toMatch(/^chorus_flux_config_differs 1$/m);

    // the worker on the watcher's file takes it: one outcome, accepted, by A
    const a = start('worker', setup.configFile);
    const first = await until('the file has an outcome', () => outcomes().length > 0 && outcomes());
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ file: 'op-alpha/to-valmont-1.xml', outcome: 'accepted' });
    expect(first[0].writer).toContain(`-${a.pid}-`);
    expect((await health(a)).status).toBe(200);
    expect(errors()).toHaveLength(1); // once, not at each check

    // the watcher restarted on the old file (the change rolled back): B matches, A differs
    watch.kill('SIGTERM');
    await watch.exited;
    const watch2 = start('watch', oldFile);
    await watch2.said('"watch started"');
    expect(watch2.stderr()).toContain("differs from the previous watch's in recipients");
    await b.said("matches the watcher's again");
    await a.said('differs from the watcher');
    expect((await health(b)).status).toBe(200);
    writeFileSync(path.join(setup.inbox('op-alpha'), 'to-valmont-2.xml'), invoiceNumbered(7102));
    const second = await until('the second file has an outcome', () => outcomes().length > 1 && outcomes());
    expect(second).toHaveLength(2);
    // refused as the watcher's file now says (the recipient unknown), by B alone
    const two = second.find((l) => l.file === 'op-alpha/to-valmont-2.xml');
    expect(two).toMatchObject({ outcome: 'refused' });
    expect(two?.writer).toContain(`-${b.pid}-`);
    // the claimed file removed once its outcome is journaled: after the line, not with it (read at once, it was still there on a loaded host)
    await until('processing/ emptied after the outcome', () => readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length === 0, 90_000);

    // held back from its start (never ran) or since (paused): each stops on SIGTERM as any worker does
    const c = start('worker', setup.configFile);
    await c.said('"worker started"');
    expect(c.stderr()).toContain('differs from the watcher');
    for (const w of [a, b, c]) w.kill('SIGTERM');
    for (const w of [a, b, c]) expect((await w.exited).code).toBe(0);
  }, 360_000);
});

describeRedis('a worker and the reference in Redis, published by hand', () => {
  let redis: Redis;
  // the default rescan (30 s): the grace before an error line is 34 s
  const setup = prodSetup({ partners: ['op-alpha'] });
  const workers: Daemon[] = [];
  const start = () => {
    const d = daemon('worker', setup.configFile);
    workers.push(d);
    return d;
  };
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(() => endScene(workers, redis, setup.config.redis.prefix));

  it('another version than the watcher: is warned about, and works on when the configurations match', async () => {
    // as a watch of an older release would have published it
    await publishReference(redis, setup.config.redis.prefix, { version: '0.0.1-older', digests: configDigests(setup.config), source: setup.configFile });
    const worker = start();
    await worker.said('"worker started"');
    expect(worker.stderr()).toContain(`this worker runs chorus-flux ${VERSION}, the watch on`);
    expect(worker.stderr()).not.toContain('differs from the watcher');
    expect((await health(worker)).status).toBe(200);
    worker.kill('SIGTERM');
    await worker.exited;
  }, 60_000);

  it("restarted with the new file before the watcher (everything restarted at once), meets the stopped watcher's former digests: held back, said at level warn only, and takes jobs once the watcher publishes the same", async () => {
    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8')) as { recipients: typeof ROUTING };
    const former = configFromObject({ ...raw, recipients: raw.recipients.slice(1) }, setup.dir, 'config-former.json');
    // what the watcher stopped for the deployment left in Redis
    await publishReference(redis, setup.config.redis.prefix, { version: VERSION, digests: configDigests(former), source: '/etc/chorus-flux/config.json' });
    const worker = start();
    await worker.said('differs from the watcher');
    await worker.said('"metrics":"http://'); // its /healthz port, said after on a warm host
    expect((await health(worker)).status).toBe(503);
    // the watcher up again on the new file: it publishes it
    await publishReference(redis, setup.config.redis.prefix, { version: VERSION, digests: configDigests(setup.config), source: '/etc/chorus-flux/config.json' });
    await worker.said("matches the watcher's again");
    expect((await health(worker)).status).toBe(200);
    const lines = worker.stderr().split('\n').filter((l) => l.includes('differs from the watcher'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 40, configDiffers: ['recipients'] });
    expect(worker.stderr()).not.toContain('"level":50');
  }, 90_000);
});
