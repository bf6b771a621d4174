/**
 * The /metrics of a whole installation — `watch` and two `worker` processes, real Redis — read
 * as Prometheus reads them: each exposition passes a strict parser (HELP and TYPE before the
 * samples, no series twice, histogram buckets ascending and cumulative up to +Inf = _count),
 * chorus-flux's own names follow the conventions (counters `_total`, base units), and the
 * per-process counters summed over the processes agree with the journal after a batch of every
 * kind of fate (accepted, refused, suspended, duplicate, already processed).
 *
 * A paused queue takes no job while every /healthz says 200: each process says so on /metrics
 * (`chorus_flux_queue_paused`), and a global concurrency set on the queue too
 * (`chorus_flux_queue_global_concurrency`). Before, nothing on /metrics or /healthz showed it; the jobs only
 * piled up in `waiting`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { fluxQueue } from '../../src/queue/flux-queue';
import { ROOT } from '../helpers/cli';
import { parseExposition, namingProblems, total, type Family } from '../helpers/exposition';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

interface Daemon {
  child: ChildProcess;
  exited: Promise<number | string | null>;
  metricsUrl(): string | undefined;
}

function start(args: string[], log: string): Daemon {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), ...args, '--metrics-port', '0'], { stdio: ['ignore', fd, fd] });
  return {
    child,
    exited: new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code))),
    metricsUrl: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { metrics?: string })
        .find((l) => typeof l.metrics === 'string')?.metrics,
  };
}

const SUSPENDED = readFileSync(path.join(ROOT, 'fixtures/inbox/op-alpha/avoir-e1-lycee.xml'), 'utf8').replace(/<cac:OrderReference>[\s\S]*?<\/cac:OrderReference>/, '');

describeRedis('the metrics of an installation (watch + two workers)', () => {
  const setup = prodSetup({ partners: ['op-alpha', 'op-beta'], watch: { stableMs: 300, pollMs: 100, rescanMs: 500 } });
  let redis: Redis;
  const daemons: Daemon[] = [];
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('passes a strict parser, sums to the journal, and says when the queue is paused', async () => {
    const c = setup.configFile;
    const watch = start(['watch', '-c', c], path.join(setup.dir, 'watch.log'));
    const workers = [start(['worker', '-c', c], path.join(setup.dir, 'w1.log')), start(['worker', '-c', c], path.join(setup.dir, 'w2.log'))];
    daemons.push(watch, ...workers);
    const urls = await until('the three endpoints', async () => {
      const u = daemons.map((d) => d.metricsUrl());
      return u.every(Boolean) ? (u as string[]) : undefined;
    });

    const alpha = setup.inbox('op-alpha');
    const beta = setup.inbox('op-beta');
    for (let n = 1; n <= 5; n++) writeFileSync(path.join(alpha, `F${n}.xml`), invoiceNumbered(n));
    writeFileSync(path.join(alpha, 'broken.xml'), '<Invoice>');
    writeFileSync(path.join(alpha, 'suspended.xml'), SUSPENDED);
    writeFileSync(path.join(beta, 'same-invoice.xml'), invoiceNumbered(1, ' again')); // DOUBLON
    const files = 8;

    const journal = path.join(setup.config.paths.out, 'journal');
    const lines = () =>
      existsSync(journal)
        ? readdirSync(journal, { recursive: true, encoding: 'utf8' })
            .filter((f) => f.endsWith('.jsonl'))
            .flatMap((f) => readFileSync(path.join(journal, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; outcome?: string; file?: string }))
        : [];
    const fates = () => lines().filter((l) => l.event === 'outcome' || l.event === 'already-processed');
    await until('every file ended', async () => (fates().length === files ? true : undefined));
    // then byte-identical bytes again, after the first has its outcome: already processed
    writeFileSync(path.join(beta, 'same-bytes.xml'), invoiceNumbered(2));
    await until('the copy ended', async () => (fates().length === files + 1 ? true : undefined));

    const scrape = async (): Promise<Map<string, Family>[]> => Promise.all(urls.map(async (u) => parseExposition(await (await fetch(u)).text())));
    const all = await scrape();
    for (const families of all) expect(namingProblems(families, 'chorus_flux_')).toEqual([]);
    const [w, ...ws] = all;
    const sum = (name: string, match: Record<string, string> = {}) => ws.reduce((n, f) => n + total(f, name, match), 0);
    // what the journal says, outcome by outcome, is what the workers' counters say summed
    const byOutcome = new Map<string, number>();
    for (const l of fates()) {
      const k = l.event === 'already-processed' ? 'already-processed' : String(l.outcome);
      byOutcome.set(k, (byOutcome.get(k) ?? 0) + 1);
    }
    expect(Object.fromEntries(byOutcome)).toEqual({ accepted: 5, refused: 1, suspended: 1, duplicate: 1, 'already-processed': 1 });
    for (const [outcome, n] of byOutcome) expect([outcome, sum('chorus_flux_files_total', { outcome })]).toEqual([outcome, n]);
    expect(sum('chorus_flux_files_received_total')).toBe(files + 1);
    expect(sum('chorus_flux_processing_seconds_count')).toBe(files + 1);
    expect(total(w, 'chorus_flux_files_claimed_total')).toBe(lines().filter((l) => l.event === 'claimed').length);
    expect(total(w, 'chorus_flux_files_claimed_total')).toBe(files + 1);
    // the queue's state, the same seen from every process (aggregated with max, not sum)
    for (const f of all) expect(total(f, 'chorus_flux_queue_jobs', { state: 'waiting' })).toBe(0);

    const queue = fluxQueue(setup.config, redis);
    try {
      await queue.pause();
      for (const f of await scrape()) expect(total(f, 'chorus_flux_queue_paused', { queue: 'flux' })).toBe(1);
      await queue.resume();
      for (const f of await scrape()) expect(total(f, 'chorus_flux_queue_paused', { queue: 'flux' })).toBe(0);
      // a global concurrency set from a dashboard holds back every worker too: each process says it
      await queue.setGlobalConcurrency(2);
      for (const f of await scrape()) expect(total(f, 'chorus_flux_queue_global_concurrency', { queue: 'flux' })).toBe(2);
      await queue.removeGlobalConcurrency();
      for (const f of await scrape()) expect(total(f, 'chorus_flux_queue_global_concurrency', { queue: 'flux' })).toBe(0);
    } finally {
      await queue.close();
    }

    for (const d of daemons) d.child.kill('SIGTERM');
    expect(await Promise.all(daemons.map((d) => d.exited))).toEqual([0, 0, 0]);
  }, 120_000);
});
