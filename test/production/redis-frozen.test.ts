/**
 * A Redis that stops answering while its connections stay open (its host frozen, a network
 * partition that drops packets silently): `kill -STOP` of a redis-server of the test's own, then
 * `kill -CONT`. Unlike a Redis killed or restarted (redis-trouble.test.ts, stop-during-outage),
 * no connection drops and no command fails: every command waits, unanswered.
 *
 * - files arriving during the freeze each get one outcome once Redis answers again, none twice;
 * - a worker mid-file when Redis freezes, its lock not renewed and its job taken as stalled by
 *   another worker after the thaw: one outcome, no output twice;
 * - SIGTERM during the freeze: watch and worker exit 0 within seconds, saying why;
 * - /healthz turns 503 within seconds of the freeze (it said 200 on a worker for as long as the
 *   freeze lasted), and /metrics answers within its 2 s.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { invoiceNumbered } from '../helpers/generate-flows';
import { redisServerAvailable } from '../helpers/redis-server';
import { listFiles } from '../helpers/run';
import { prodSetup, type ProdSetup } from '../helpers/watch';
import { daemon, type Daemon } from '../helpers/daemon';
import { bigInvoice, ownRedisPerTest, queueClaimed } from '../helpers/frozen-redis';
import { cli } from '../helpers/cli';
import { until } from '../helpers/until';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

interface Line {
  event: string;
  sha256?: string;
  file?: string;
  outcome?: string;
  ts: string;
}

function journalLines(out: string): Line[] {
  const dir = path.join(out, 'journal');
  const lines: Line[] = [];
  if (!existsSync(dir)) return lines;
  for (const day of readdirSync(dir)) for (const f of readdirSync(path.join(dir, day))) for (const l of readFileSync(path.join(dir, day, f), 'utf8').split('\n')) if (l) lines.push(JSON.parse(l));
  return lines;
}

/** Where the daemon serves /healthz (from its start line). */
function healthUrl(d: Daemon): string {
  const started = d.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { metrics?: string }).find((l) => typeof l.metrics === 'string');
  if (!started?.metrics) throw new Error('the daemon has not said where its metrics are');
  return started.metrics.replace(/\/metrics$/, '/healthz');
}

/** An HTTP GET with the patience of a probe (5 s): `timeout` when it gave no answer by then. */
async function probe(url: string): Promise<{ status: number | 'timeout'; body: string; ms: number }> {
  const t0 = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text(), ms: Date.now() - t0 };
  } catch {
    return { status: 'timeout', body: '', ms: Date.now() - t0 };
  }
}

/** Every file of the setup ended once: one outcome line per content, nothing left in processing/, no output twice. */
async function expectEachOnce(setup: ProdSetup, shas: string[]): Promise<void> {
  const lines = journalLines(setup.config.paths.out);
  for (const sha of shas) expect(lines.filter((l) => l.event === 'outcome' && l.sha256 === sha)).toHaveLength(1);
  expect(lines.filter((l) => l.event === 'outcome')).toHaveLength(shas.length);
  expect(lines.filter((l) => l.event === 'already-processed')).toEqual([]);
  expect(listFiles(setup.config.paths.processing)).toEqual([]);
  // each original kept once, in archive/ or error/ (a second processing would add a `-<sha>` twin beside it)
  const kept = ['archive', 'error'].flatMap((d) => (existsSync(path.join(setup.config.paths.out, d)) ? listFiles(path.join(setup.config.paths.out, d)) : [])).filter((f) => !f.endsWith('.reason.json'));
  expect(kept).toHaveLength(shas.length);
  // and the nightly reconciliation of the day agrees
  const day = await reconcileDay({ config: setup.config, write: false });
  expect(day.report?.anomalies).toEqual([]);
  expect(day.exitCode).toBe(0);
}

describeIf('a Redis that stops answering, its connections open (frozen, a silent partition)', () => {
  const own = ownRedisPerTest();
  const { daemons } = own;
  const start = (command: 'watch' | 'worker', setup: ProdSetup) => {
    const d = daemon(command, setup.configFile);
    daemons.push(d);
    return d;
  };

  it('/healthz of watch and worker turns 503 within seconds of the freeze, and 200 again after it; /metrics still answers', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    const w = start('watch', setup);
    const k = start('worker', setup);
    await w.said('watch started');
    await k.said('worker started');
    const urls = [healthUrl(w), healthUrl(k)];
    for (const u of urls) expect((await probe(u)).status).toBe(200);
    for (const u of urls) expect((await probe(u.replace(/\/healthz$/, '/metrics'))).body).toContain('chorus_flux_queue_jobs{state="waiting"} 0');
    own.redis.freeze();
    const frozenAt = Date.now();
    // an operator's probe every second: each must answer (never hang) and say 503 within 10 s
    const turned = await Promise.all(
      urls.map((u) =>
        until(`${u} to say 503`, async () => {
          const p = await probe(u);
          expect(p.status).not.toBe('timeout');
          if (p.status === 503) return { ...p, after: Date.now() - frozenAt };
          await sleep(1000);
          return undefined;
        }, 15_000),
      ),
    );
    process.stdout.write(`healthz 503 after ${turned.map((t) => t.after).join(' / ')} ms (watch / worker)\n`);
    for (const t of turned) {
      expect(t.after).toBeLessThan(10_000);
      expect(JSON.parse(t.body)).toMatchObject({ status: 'unhealthy' });
    }
    // said once, by both, in plain words; the worker's /healthz names it
    for (const d of [w, k]) await d.said('Redis does not answer, its connection still open', 5000);
    expect(JSON.parse((await probe(urls[1])).body)).toMatchObject({ status: 'unhealthy', redisTrouble: 'not-answering' });
    // metrics: answered within its 2 s, Redis not waited for; the queue's gauge keeps its last
    // values, and the silence is counted
    for (const u of urls) {
      const m = await probe(u.replace(/\/healthz$/, '/metrics'));
      expect(m.status).toBe(200);
      expect(m.ms).toBeLessThan(8000);
      expect(m.body).toContain('chorus_flux_queue_jobs{state="waiting"} 0');
      expect(m.body).toMatch(/chorus_flux_redis_errors_total\{kind="not-answering"\} [1-9]/);
    }
    own.redis.thaw();
    for (const u of urls) await until(`${u} to say 200 again`, async () => ((await probe(u)).status === 200 ? true : (await sleep(500), undefined)), 15_000);
    for (const d of [w, k]) await d.said('Redis answers again', 5000);
  }, 120_000);

  it('files arriving while Redis is frozen for 15 s each get one outcome once it answers again, none twice, nothing left in processing/', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 50, rescanMs: 500 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    const w = start('watch', setup);
    const k = start('worker', setup);
    await w.said('watch started');
    await k.said('worker started');
    const inbox = setup.inbox('op-alpha');
    writeFileSync(path.join(inbox, 'before.xml'), invoiceNumbered(100));
    await until('the first file done', async () => (journalLines(setup.config.paths.out).some((l) => l.event === 'outcome') ? true : undefined), 30_000);
    own.redis.freeze();
    const shas = [journalLines(setup.config.paths.out).find((l) => l.event === 'outcome')!.sha256!];
    for (let i = 1; i <= 8; i++) {
      writeFileSync(path.join(inbox, `f${i}.xml`), invoiceNumbered(i));
      await sleep(1500);
    }
    await sleep(3000);
    own.redis.thaw();
    await until('every file ended', async () => (journalLines(setup.config.paths.out).filter((l) => l.event === 'outcome').length >= 9 && listFiles(setup.config.paths.processing).length === 0 && readdirSync(inbox).length === 0 ? true : undefined), 90_000);
    await sleep(3000); // a second outcome, if any, would come now
    for (const l of journalLines(setup.config.paths.out)) if (l.event === 'outcome' && !shas.includes(l.sha256!)) shas.push(l.sha256!);
    expect(shas).toHaveLength(9);
    await expectEachOnce(setup, shas);
    for (const d of [w, k]) d.kill('SIGTERM');
    for (const d of [w, k]) expect((await d.exited).code).toBe(0);
  }, 180_000);

  it('a worker mid-file when Redis freezes past its lock: the job taken again as stalled after the thaw still ends once, no output twice', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 3000, shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    const data = await queueClaimed(setup, own.redis.url, 'big.xml', bigInvoice(7, 6000));
    const a = start('worker', setup);
    await a.said('worker started');
    const lock = path.join(setup.config.paths.state, 'locks', `${data.sha256}.lock`);
    await until('the file in hand', async () => (existsSync(lock) ? true : undefined), 30_000);
    const b = start('worker', setup);
    await b.said('worker started');
    own.redis.freeze();
    await sleep(12_000); // four lock durations
    own.redis.thaw();
    await until('the file ended', async () => (journalLines(setup.config.paths.out).some((l) => l.event === 'outcome') && listFiles(setup.config.paths.processing).length === 0 ? true : undefined), 60_000);
    await sleep(8000); // the stalled checks of both workers, and a second attempt if any
    await expectEachOnce(setup, [data.sha256]);
    for (const d of [a, b]) d.kill('SIGTERM');
    for (const d of [a, b]) expect((await d.exited).code).toBe(0);
  }, 180_000);

  it('a worker still on its file after the thaw, its job taken as stalled by another worker meanwhile: the other waits for the file, then ends on its outcome; one outcome, no output twice', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 2000, shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    const data = await queueClaimed(setup, own.redis.url, 'big.xml', bigInvoice(8, 30_000));
    const a = start('worker', setup);
    await a.said('worker started');
    const b = start('worker', setup);
    await b.said('worker started');
    const lock = path.join(setup.config.paths.state, 'locks', `${data.sha256}.lock`);
    await until('the file in hand', async () => (existsSync(lock) ? true : undefined), 30_000);
    own.redis.freeze();
    await sleep(3000); // past its lock (2 s), the file not finished yet
    own.redis.thaw();
    const thawed = Date.now();
    await until('the job taken as stalled', async () => (journalLines(setup.config.paths.out).some((l) => l.event === 'system-error') ? true : undefined), 20_000);
    const stalledBeforeOutcome = !journalLines(setup.config.paths.out).some((l) => l.event === 'outcome');
    await until('the file ended', async () => (journalLines(setup.config.paths.out).some((l) => l.event === 'outcome') && listFiles(setup.config.paths.processing).length === 0 ? true : undefined), 120_000);
    process.stdout.write(`stalled before the outcome: ${stalledBeforeOutcome}; ended ${Date.now() - thawed} ms after the thaw\n`);
    await sleep(6000);
    await expectEachOnce(setup, [data.sha256]);
    for (const d of [a, b]) d.kill('SIGTERM');
    for (const d of [a, b]) expect((await d.exited).code).toBe(0);
  }, 240_000);

  it('SIGTERM to a worker with a file in hand while Redis is frozen: the file finished first (outcome journaled, file removed), then exit 0 without waiting on Redis', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    const data = await queueClaimed(setup, own.redis.url, 'big.xml', bigInvoice(9, 8000));
    const k = start('worker', setup);
    await k.said('worker started');
    const lock = path.join(setup.config.paths.state, 'locks', `${data.sha256}.lock`);
    await until('the file in hand', async () => (existsSync(lock) ? true : undefined), 30_000);
    own.redis.freeze();
    const sent = Date.now();
    k.kill('SIGTERM');
    const end = await k.exited;
    process.stdout.write(`worker with a file in hand stopped in ${end.at - sent} ms with Redis frozen\n`);
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(k.messages()).not.toContain('shutdown bound reached: exiting');
    expect(k.messages().some((m) => m.startsWith('Redis could not be reached as the worker stopped'))).toBe(true);
    const lines = journalLines(setup.config.paths.out);
    const outcomes = lines.filter((l) => l.event === 'outcome' && l.sha256 === data.sha256);
    expect(outcomes).toHaveLength(1);
    // finished after the signal, before the worker's stop line (the thread journals in a file of its own)
    expect(Date.parse(outcomes[0].ts)).toBeGreaterThan(sent);
    expect(Date.parse(lines.find((l) => l.event === 'stop' && Date.parse(l.ts) >= sent)!.ts)).toBeGreaterThanOrEqual(Date.parse(outcomes[0].ts));
    expect(listFiles(setup.config.paths.processing)).toEqual([]);
  }, 120_000);

  it('SIGTERM to watch while Redis is frozen: exit 0 within seconds, said why; a file claimed meanwhile waits whole in processing/ or has its job', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 50, rescanMs: 500 }, worker: { shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    const w = start('watch', setup);
    await w.said('watch started');
    own.redis.freeze();
    writeFileSync(path.join(setup.inbox('op-alpha'), 'f.xml'), invoiceNumbered(1));
    await until('the file claimed', async () => (journalLines(setup.config.paths.out).some((l) => l.event === 'claimed') ? true : undefined), 10_000);
    await sleep(3000);
    const sent = Date.now();
    w.kill('SIGTERM');
    const end = await w.exited;
    process.stdout.write(`watch stopped in ${end.at - sent} ms with Redis frozen\n`);
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(end.at - sent).toBeLessThan(15_000); // the old code took its 21 s bound
    expect(w.messages()).not.toContain('shutdown bound reached: exiting');
    expect(w.messages().some((m) => m.startsWith('Redis could not be reached as the watch stopped'))).toBe(true);
    expect(w.messages().some((m) => m.startsWith('watch stopped'))).toBe(true);
    expect(journalLines(setup.config.paths.out).at(-1)?.event).toBe('stop');
    const claimed = listFiles(setup.config.paths.processing);
    expect(claimed).toHaveLength(1);
    expect(readFileSync(path.join(setup.config.paths.processing, claimed[0]), 'utf8')).toBe(invoiceNumbered(1));
    // Redis back: the next watch and a worker end it once
    own.redis.thaw();
    const again = start('watch', setup);
    const k = start('worker', setup);
    await until('the file ended', async () => (journalLines(setup.config.paths.out).some((l) => l.event === 'outcome') && listFiles(setup.config.paths.processing).length === 0 ? true : undefined), 60_000);
    const sha = journalLines(setup.config.paths.out).find((l) => l.event === 'outcome')!.sha256!;
    await sleep(2000);
    await expectEachOnce(setup, [sha]);
    for (const d of [again, k]) d.kill('SIGTERM');
    for (const d of [again, k]) expect((await d.exited).code).toBe(0);
  }, 180_000);

  it('SIGTERM to an idle worker while Redis is frozen: exit 0 within seconds, said why', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], worker: { shutdownTimeoutMs: 20_000 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    const k = start('worker', setup);
    await k.said('worker started');
    own.redis.freeze();
    await sleep(3000);
    const sent = Date.now();
    k.kill('SIGTERM');
    const end = await k.exited;
    process.stdout.write(`worker stopped in ${end.at - sent} ms with Redis frozen\n`);
    expect([end.code, end.signal]).toEqual([0, null]);
    expect(end.at - sent).toBeLessThan(15_000); // the old code took its 21 s bound
    expect(k.messages()).not.toContain('shutdown bound reached: exiting');
    expect(k.messages().some((m) => m.startsWith('Redis could not be reached as the worker stopped'))).toBe(true);
    expect(journalLines(setup.config.paths.out).at(-1)?.event).toBe('stop');
  }, 120_000);

  it('`jobs` against a frozen Redis: exit 2 within seconds, saying Redis does not answer (it waited for ever)', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    own.redis.freeze();
    const t0 = Date.now();
    const r = await cli(['jobs', '--config', setup.configFile], { timeoutMs: 30_000 });
    process.stdout.write(`jobs ended in ${Date.now() - t0} ms with Redis frozen\n`);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Redis does not answer, its connection still open');
  }, 60_000);

  it('watch started against a frozen Redis says it waits for it, and starts once it answers', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 50, rescanMs: 500 }, extra: { redis: { url: own.redis.url, prefix: 'cf-frozen' } } });
    own.redis.freeze();
    const w = start('watch', setup);
    await w.said('Redis does not answer, its connection still open', 20_000);
    expect(w.messages().some((m) => m.endsWith('waiting for it'))).toBe(true);
    own.redis.thaw();
    await w.said('watch started', 30_000);
    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  }, 60_000);
});
