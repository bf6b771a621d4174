/**
 * IdCPRO (IPM4-AIFE-2): integers, unique across processes, never reused — also when Redis
 * comes back empty — and the same when the same invoice file is processed again.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { LocalIdSequence, readHighWaterMark } from '../../src/state/local-id-sequence';
import { RedisIdSequence } from '../../src/state/redis-id-sequence';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded } from '../../src/runner/embedded';
import { createLogger } from '../../src/util/logger';
import { bundledConfig, FIXTURES_INBOX, tempDir } from '../helpers/run';
import { deletePrefix, describeRedis, redisClient, REDIS_URL, uniquePrefix } from '../helpers/redis';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describe('the high-water mark, read from disk', () => {
  it('starts from the bottom only when no id was ever given; a folder or mark it cannot read is an error, never a fresh start', async () => {
    const dir = tempDir('cf-hwm-');
    expect(await readHighWaterMark(path.join(dir, 'absent'), 7n)).toBe(7n);
    mkdirSync(path.join(dir, 'ids'));
    writeFileSync(path.join(dir, 'ids', 'high-water-mark'), '1200\n');
    writeFileSync(path.join(dir, 'ids', 'hwm-worker-2'), '1500\n');
    expect(await readHighWaterMark(path.join(dir, 'ids'))).toBe(1500n);
    // before, both read as "nothing given yet": the sequence started again at 1 (EMFILE does the same)
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    await expect(readHighWaterMark(path.join(dir, 'not-a-folder'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    mkdirSync(path.join(dir, 'ids', 'hwm-unreadable'));
    await expect(readHighWaterMark(path.join(dir, 'ids'))).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('a mark that holds no number is an error, never a fresh start', async () => {
    // written atomically, a mark is never half-written; a damaged one was skipped, and with no
    // other mark beside it the sequence started again at 1: IdCPRO given twice
    for (const damaged of ['', 'garbage\n', '12a0\n']) {
      const dir = tempDir('cf-hwm-');
      writeFileSync(path.join(dir, 'high-water-mark'), damaged);
      await expect(readHighWaterMark(dir)).rejects.toThrow(/holds no number.*no IdCPRO is given until it is repaired/);
    }
  });
});

describe('local durable sequence (embedded runner)', () => {
  it('hands out unique increasing ids to concurrent callers and never reuses one after a restart', async () => {
    const dir = tempDir();
    const a = new LocalIdSequence({ dir, blockSize: 10 });
    const first = await Promise.all(Array.from({ length: 95 }, () => a.next()));
    expect(new Set(first.map(String)).size).toBe(95);
    const max = first.reduce((m, x) => (x > m ? x : m), 0n);
    // "crash": a new instance on the same folder starts above everything reserved
    const b = new LocalIdSequence({ dir, blockSize: 10 });
    const next = await b.next();
    expect(next).toBeGreaterThan(max);
  });
});

describeRedis('Redis sequence (distributed runner)', () => {
  const redis = redisClient();
  const prefix = uniquePrefix('ids');
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('4 worker processes allocating 10,000 ids together never share one', async () => {
    const dir = tempDir();
    const outs = await Promise.all(
      [1, 2, 3, 4].map((k) =>
        run(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'test/helpers/child/alloc-ids.ts'), REDIS_URL, prefix, dir, `w${k}`, '2500'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }),
      ),
    );
    const ids = outs.flatMap((o) => o.stdout.trim().split('\n'));
    expect(ids).toHaveLength(10000);
    expect(new Set(ids).size).toBe(10000);
    expect(ids.every((x) => /^[1-9]\d*$/.test(x))).toBe(true);
  }, 120000);

  it('a run (local sequence) and workers (Redis) on the same state folder at once never share one', async () => {
    // each reserved from the marks on disk; between a floor read and the mark written after
    // it, the other reserved the same block (hundreds of ids given twice before the fix)
    const dir = tempDir();
    const p = uniquePrefix('ids-mixed');
    const kinds = ['local', 'redis', 'local', 'redis'];
    const outs = await Promise.all(
      kinds.map((kind, k) =>
        run(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'test/helpers/child/alloc-ids.ts'), REDIS_URL, p, dir, `w${k}`, '400', kind, '2'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }),
      ),
    );
    const ids = outs.flatMap((o) => o.stdout.trim().split('\n'));
    expect(ids).toHaveLength(1600);
    expect(ids.filter((x, i) => ids.indexOf(x) !== i)).toEqual([]);
    await deletePrefix(redis, p);
  }, 120000);

  it('never reuses an id when Redis comes back empty', async () => {
    const dir = tempDir();
    const p = uniquePrefix('ids-reset');
    const a = new RedisIdSequence({ redis, prefix: p, dir, writerId: 'a', blockSize: 20 });
    const before: bigint[] = [];
    for (let i = 0; i < 45; i++) before.push(await a.next());
    await deletePrefix(redis, p); // Redis restarted without persistence
    const b = new RedisIdSequence({ redis, prefix: p, dir, writerId: 'b', blockSize: 20 });
    const after: bigint[] = [];
    for (let i = 0; i < 45; i++) after.push(await b.next());
    // a keeps going too, on its current block then on new ones
    for (let i = 0; i < 45; i++) after.push(await a.next());
    const all = [...before, ...after].map(String);
    expect(new Set(all).size).toBe(all.length);
    const maxBefore = before.reduce((m, x) => (x > m ? x : m), 0n);
    expect(after.filter((x) => x <= maxBefore && !before.includes(x))).toEqual([]);
    await deletePrefix(redis, p);
  });

  it('workers keep one mark on the shared storage, however often they start; the marks of older versions are folded into it', async () => {
    // each process wrote a mark of its own (ids/hwm-<writer>, a new name at every start of every
    // worker and thread), never removed, and every reservation read them all under the
    // installation's one IdCPRO lock: thousands of reads on the shared storage after years
    const dir = tempDir();
    writeFileSync(path.join(dir, 'hwm-old-worker-1'), '700\n'); // left by an older version
    writeFileSync(path.join(dir, 'hwm-old-worker-2'), '500\n');
    const p = uniquePrefix('ids-one-mark');
    const ids: bigint[] = [];
    for (let start = 0; start < 30; start++) {
      const seq = new RedisIdSequence({ redis, prefix: p, dir, writerId: `host-${1000 + start}-t${start % 3}-kx${start}`, blockSize: 10 });
      ids.push(await seq.next());
    }
    expect(ids.every((x) => x >= 700n)).toBe(true); // above the older marks
    expect(new Set(ids.map(String)).size).toBe(30);
    expect(readdirSync(dir).filter((f) => !f.startsWith('.lock-token.'))).toEqual(['high-water-mark']);
    // Redis emptied: the next start goes on above every id given, from that one mark
    await deletePrefix(redis, p);
    const after = await new RedisIdSequence({ redis, prefix: p, dir, writerId: 'host-2000-kx', blockSize: 10 }).next();
    expect(ids.every((x) => x < after)).toBe(true);
    await deletePrefix(redis, p);
  });

  it('the same file processed again (crash before it was marked) keeps its IdCPRO, with Redis ids', async () => {
    const out = tempDir();
    const config = bundledConfig(out);
    const p = uniquePrefix('ids-replay');
    const mk = () => createDeps(config, { logger: createLogger({ level: 'silent' }), ids: new RedisIdSequence({ redis, prefix: p, dir: path.join(config.paths.state, 'ids'), writerId: 'w' }) });
    const inbox = path.join(FIXTURES_INBOX, 'op-alpha');
    const first = await runEmbedded({ inbox, deps: mk() });
    // forget that the files were processed, as if the process died after writing the outputs
    rmSync(path.join(config.paths.state, 'files'), { recursive: true, force: true });
    const second = await runEmbedded({ inbox, deps: mk() });
    const ids = (s: typeof first) => s.results.flatMap((r) => r.invoices.map((i) => `${i.number}:${i.idCpro ?? '-'}`)).sort();
    expect(ids(second)).toEqual(ids(first));
    expect(first.results.flatMap((r) => r.invoices).some((i) => i.idCpro)).toBe(true);
    await deletePrefix(redis, p);
  });
});

describe('replay in the embedded runner', () => {
  it('the same file processed again keeps its IdCPRO and rewrites the identical pivot', async () => {
    const out = tempDir();
    const config = bundledConfig(out);
    const mk = () => createDeps(config, { logger: createLogger({ level: 'silent' }) });
    const inbox = path.join(FIXTURES_INBOX, 'op-alpha');
    const first = await runEmbedded({ inbox, deps: mk() });
    rmSync(path.join(config.paths.state, 'files'), { recursive: true, force: true });
    const second = await runEmbedded({ inbox, deps: mk() });
    for (const r of first.results) {
      const again = second.results.find((x) => x.file === r.file)!;
      expect(again.outcome).toBe(r.outcome);
      expect(again.invoices.map((i) => i.idCpro)).toEqual(r.invoices.map((i) => i.idCpro));
      const pivots = (x: typeof r) => x.outputs.filter((o) => o.kind === 'pivot').map((o) => [o.path, o.sha256]);
      expect(pivots(again)).toEqual(pivots(r));
      for (const [p] of pivots(r)) expect(readFileSync(path.join(out, p)).length).toBeGreaterThan(0);
    }
  });
});
