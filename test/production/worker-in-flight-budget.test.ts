/**
 * The worker's budget of input bytes in flight (worker.maxInFlightMb, in-flight-budget.ts), as
 * `run` has. worker.concurrency alone bounded the jobs, not their bytes: eight large flows ran
 * at once (8 Factur-X of 136 KB embedding a 25 MB CII each: 1.1 GB of RSS in one worker where
 * one takes 560 MB; 120 MB pivots: several GB), the process could be killed for memory, and
 * BullMQ then took the jobs again: a crash loop. A job whose file does not fit waits for room
 * before reading it, its BullMQ lock renewed meanwhile; a Factur-X counts with its XML.
 */
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { fluxQueue } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import * as xmlDocument from '../../src/xml/document';
import { bigXmlFacturX } from '../helpers/big-facturx';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { FIXTURES_INBOX } from '../helpers/run';
import { prodSetup, type ProdSetup } from '../helpers/watch';
import { claimAndQueue } from '../helpers/queue-claimed';

/** A UBL invoice of `n` lines, numbered `k` (about 0.7 KB a line). */
function bigInvoice(k: number, n: number): string {
  const base = invoiceNumbered(k);
  const line = /<cac:InvoiceLine>[^]*?<\/cac:InvoiceLine>/.exec(base)?.[0];
  if (!line) throw new Error('no line in the base invoice');
  return base.replace(line, Array.from({ length: n }, (_, i) => line.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${i + 1}</cbc:ID>`)).join('\n'));
}

interface JournalLine {
  ts: string;
  event: string;
  file?: string;
}

function journal(setup: ProdSetup): JournalLine[] {
  const dir = path.join(setup.config.paths.out, 'journal');
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((p) => statSync(p).isFile())
    .flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalLine));
}

/** Claims the files put in `partner`'s inbox and queues their jobs, as `watch` does. */
async function queueAll(setup: ProdSetup, queue: ReturnType<typeof fluxQueue>, partner: string, names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const { id } = await claimAndQueue(setup.config, queue, partner, path.join(setup.inbox(partner), name));
    ids.push(id);
  }
  return ids;
}

async function settled(queue: ReturnType<typeof fluxQueue>, ids: string[], ms = 240_000): Promise<string[]> {
  const t0 = Date.now();
  for (;;) {
    const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
    if (states.every((s) => s === 'completed' || s === 'failed') || Date.now() - t0 > ms) return states;
    await sleep(100);
  }
}

describeRedis('the worker bounds the input bytes of its jobs in flight', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    for (const p of prefixes) await deletePrefix(redis, p);
    await redis.quit();
  });

  it('two big files are not read at once under a small budget (their jobs wait, locks renewed); small ones and Factur-X still get exactly one outcome each', async () => {
    // big: ~4.3 MB each, a budget of 6 MiB: one at a time. Locks of 1 s: a job waits several of them
    const setup = prodSetup({ partners: ['op-alpha', 'op-beta'], worker: { concurrency: 4, maxInFlightMb: 6, lockDurationMs: 1000 }, extra: { facturx: { enabled: true } } });
    prefixes.push(setup.config.redis.prefix);
    const big = [1, 2, 3].map((k) => `gros-${k}.xml`);
    big.forEach((name, k) => writeFileSync(path.join(setup.inbox('op-alpha'), name), bigInvoice(9100 + k, 6000)));
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha', 'facture-e1-papeterie.xml'), path.join(setup.inbox('op-alpha'), 'petit.xml'));
    // a few KB on disk, 2 MB of CII each: counted with their XML through the processing thread
    const pdfs = ['fx-1.pdf', 'fx-2.pdf'];
    pdfs.forEach((name, k) => writeFileSync(path.join(setup.inbox('op-beta'), name), bigXmlFacturX(2 << 20, `fx${k}`)));
    const queue = fluxQueue(setup.config, redis);
    const logged: { msg: string; level: number }[] = [];
    const running = await startWorker({ config: setup.config, logger: pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l)) }) });
    const stalled: string[] = [];
    running.worker.on('stalled', (id) => stalled.push(id));
    try {
      const ids = [...(await queueAll(setup, queue, 'op-alpha', [...big, 'petit.xml'])), ...(await queueAll(setup, queue, 'op-beta', pdfs))];
      const t0 = Date.now();
      expect(await settled(queue, ids)).toEqual(ids.map(() => 'completed'));
      // each job ran once: no lock lost while it waited, no stalled job taken again
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      expect(jobs.map((j) => j?.attemptsStarted)).toEqual(ids.map(() => 1));
      expect(stalled).toEqual([]);
      expect(logged.filter((l) => /lock|stalled/i.test(l.msg))).toEqual([]);
      // every file exactly one outcome
      const lines = journal(setup);
      const outcomes = lines.filter((l) => l.event === 'outcome').map((l) => l.file).sort();
      expect(outcomes).toEqual([...big.map((n) => `op-alpha/${n}`), 'op-alpha/petit.xml', ...pdfs.map((n) => `op-beta/${n}`)].sort());
      // a big file is read (its `received`) only once the one before it has its outcome
      const span = (name: string) => {
        const of = (event: string) => Date.parse(lines.find((l) => l.event === event && l.file === `op-alpha/${name}`)?.ts ?? 'x');
        return { from: of('received'), to: of('outcome') };
      };
      const spans = big.map(span).sort((a, b) => a.from - b.from);
      for (let k = 1; k < spans.length; k++) expect(spans[k].from).toBeGreaterThanOrEqual(spans[k - 1].to);
      // the last big job waited for the budget more than a whole lock duration (1 s) after it was
      // queued: its lock was renewed while it waited (a total run time was asserted before, which
      // a faster pipeline brought down to the bound)
      expect(spans[spans.length - 1].from - t0).toBeGreaterThan(1000);
    } finally {
      await running.close(10_000);
      await queue.close();
    }
  }, 300_000);

  it('a Factur-X counts with its inflated XML: the XML of two of them is never parsed at once under a budget that holds one', async () => {
    const setup = prodSetup({ partners: ['op-beta'], worker: { concurrency: 4, maxInFlightMb: 3 }, extra: { facturx: { enabled: true } } });
    prefixes.push(setup.config.redis.prefix);
    const pdfs = ['fx-1.pdf', 'fx-2.pdf', 'fx-3.pdf'];
    pdfs.forEach((name, k) => writeFileSync(path.join(setup.inbox('op-beta'), name), bigXmlFacturX(2 << 20, `fx${k}`)));
    expect(statSync(path.join(setup.inbox('op-beta'), 'fx-1.pdf')).size).toBeLessThan(200_000);
    const queue = fluxQueue(setup.config, redis);
    // on the main thread, so that the parser can be observed (not replaced): an embedded XML
    // parsed, until its file's outcome
    const running = await startWorker({ config: setup.config, logger: pino({ level: 'silent' }), processIn: 'main' });
    let parsing = 0;
    let most = 0;
    const realParse = xmlDocument.parseLiftedXml;
    const parse = jest.spyOn(xmlDocument, 'parseLiftedXml').mockImplementation(function (this: unknown, ...args: Parameters<typeof xmlDocument.parseLiftedXml>) {
      const r = realParse.apply(this, args);
      if (args[0].text.length > 1 << 20) most = Math.max(most, ++parsing);
      return r;
    });
    const append = running.deps.journal.append.bind(running.deps.journal);
    running.deps.journal.append = (e) => {
      if (e.event === 'outcome' && e.file.endsWith('.pdf')) parsing--;
      return append(e);
    };
    try {
      const ids = await queueAll(setup, queue, 'op-beta', pdfs);
      expect(await settled(queue, ids)).toEqual(ids.map(() => 'completed'));
      expect(journal(setup).filter((l) => l.event === 'outcome').map((l) => l.file).sort()).toEqual(pdfs.map((n) => `op-beta/${n}`));
    } finally {
      parse.mockRestore();
      await running.close(10_000);
      await queue.close();
    }
    expect(most).toBe(1);
  }, 300_000);
});
