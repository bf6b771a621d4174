/**
 * Scaling of the distributed runner: files processed by 1 and by 2 worker processes (BullMQ
 * on Redis), from queued to done, the same number of files per worker process (one worker
 * the corpus's first half, two workers all of it). Results: the "Scaling" section of
 * docs/PERFORMANCE.md. Goal: 2 workers at least 1.7 times one on a 2-core machine.
 *
 *   npm run bench -- scale       (BENCH_SCALE_FILES per worker, default 2000; REDIS_URL or a local redis-server)
 *
 * Why per worker: a worker's CPU per file keeps falling over its first ~2,000 files (JIT
 * tiering, the heap settling: 14 ms per file at its 100th-200th file, 11 ms at its 300th-500th,
 * 7.5-8.5 ms past its 1,100th, thirty-fourth round). When both configurations shared one
 * 2,000-file corpus, each of two workers was measured over its own files 150-1,000 against one
 * worker's 300-2,000: two workers were measured colder, which alone read as ~10 % more CPU per
 * file and as much less throughput.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { configFromObject } from '../src/config/config';
import { claimFile } from '../src/ingest/claim';
import { fluxJobId, fluxJobOptions, fluxQueue } from '../src/queue/flux-queue';
import { createRedis } from '../src/queue/redis';
import { sha256 } from '../src/util/hash';
import { projectRoot } from '../src/util/project-root';
import { JOB_THREAD_NAME } from '../src/util/thread-name';
import { discard, emptyTrash, recentRemovalLeftMs } from './trash';
import { generateCorpus } from './generate';
import { fmt, loadAverage, machine, today, upsertSection } from './report';

const CACHE = path.join(projectRoot(), '.cache', 'bench');

async function ping(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    s.setTimeout(800, () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => { s.destroy(); resolve(d.toString().includes('PONG')); });
  });
}

async function redisUrl(): Promise<{ url: string; stop(): void }> {
  for (const url of [process.env.REDIS_URL, 'redis://127.0.0.1:6379'].filter(Boolean) as string[]) if (await ping(url)) return { url, stop: () => undefined };
  const port = 20000 + Math.floor(Math.random() * 20000);
  const p = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await ping(url)); i++) await new Promise((r) => setTimeout(r, 100));
  return { url, stop: () => p.kill() };
}

/** CPU time (user + system) in a /proc stat file: a process's (all its threads, those ended too) or one thread's. */
function statCpuMs(file: string): number {
  try {
    const stat = readFileSync(file, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in ticks of 1/100 s
  } catch {
    return 0;
  }
}

/** A worker process's CPU time, split by thread (Linux /proc). */
interface ThreadsCpu {
  /** all its threads */
  all: number;
  /** the main thread (its task id is the pid): BullMQ, Redis, locks, signals, /healthz */
  main: number;
  /** the processing thread (job-thread.ts), which names itself JOB_THREAD_NAME */
  job: number;
  /** the rest: V8's compiler and garbage-collector threads, the libuv pool (fsyncs), threads ended */
  other: number;
  /** whether a processing thread was found (not with CHORUS_FLUX_WORKER_THREAD=0, nor a build before it named itself) */
  jobSeen: boolean;
}

function threadsCpuMs(pid: number | undefined): ThreadsCpu {
  const all = statCpuMs(`/proc/${pid}/stat`);
  const main = statCpuMs(`/proc/${pid}/task/${pid}/stat`);
  let job = 0;
  let jobSeen = false;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    // ended
  }
  for (const tid of tasks) {
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue; // ended meanwhile
    }
    if (comm !== JOB_THREAD_NAME) continue;
    jobSeen = true;
    job += statCpuMs(`/proc/${pid}/task/${tid}/stat`);
  }
  return { all, main, job, other: Math.max(0, all - main - job), jobSeen };
}

const sumThreads = (xs: ThreadsCpu[]): ThreadsCpu => xs.reduce((a, x) => ({ all: a.all + x.all, main: a.main + x.main, job: a.job + x.job, other: a.other + x.other, jobSeen: a.jobSeen || x.jobSeen }), { all: 0, main: 0, job: 0, other: 0, jobSeen: false });
const minusThreads = (a: ThreadsCpu, b: ThreadsCpu): ThreadsCpu => ({ all: a.all - b.all, main: a.main - b.main, job: a.job - b.job, other: a.other - b.other, jobSeen: a.jobSeen });

/** CPU time of the Redis server so far (INFO cpu). */
async function redisCpuMs(redis: ReturnType<typeof createRedis>): Promise<number> {
  const info = await redis.info('cpu');
  const v = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (v('used_cpu_user') + v('used_cpu_sys')) * 1000;
}

interface RunResult {
  ms: number;
  files: number;
  /** CPU time of the worker processes, summed */
  workerCpuMs: number;
  /** the same after warm-up: from the moment WARM_UP of the files are done to the last one, with the worker CPU split by thread */
  steady: { ms: number; files: number; workerCpuMs: number; threads: ThreadsCpu };
  /** CPU time of the Redis server during the run */
  redisCpuMs: number;
}

/**
 * Share of the files done before the steady-state clock starts: a worker process starts
 * (node, modules, fonts, Redis connection) and compiles its hot code in the first seconds;
 * a worker runs for hours, so its throughput is measured after that. As each configuration
 * gets the same number of files per worker, the mark falls at the same file of each worker's
 * life (its 300th with 2,000 files per worker).
 */
const WARM_UP = 0.15;

/** Files in flight per worker process (BENCH_WORKER_CONCURRENCY; default 4). */
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);

/** Run folders, put in the trash at the end (freed inodes would slow the next run's file creations on ext4 without a journal: trash.ts). */
const runDirs: string[] = [];

async function oneRun(files: string[], workers: number, url: string): Promise<RunResult> {
  const dir = path.join(CACHE, `scale-${workers}-${process.pid}-${runDirs.length}`);
  runDirs.push(dir);
  rmSync(dir, { recursive: true, force: true });
  const inbox = path.join(dir, 'in', 'op-alpha');
  mkdirSync(inbox, { recursive: true });
  const corpusConfig = JSON.parse(readFileSync(path.join(CACHE, 'scale-corpus', 'config.json'), 'utf8'));
  const raw = { ...corpusConfig, $comment: undefined, paths: { out: 'out' }, partners: [{ id: 'op-alpha', inbox: 'in/op-alpha' }], redis: { url, prefix: `bench-scale-${workers}-${process.pid}` }, worker: { concurrency: WORKER_CONCURRENCY }, metrics: { port: 0, workerPort: 0 } };
  delete (raw as Record<string, unknown>).$comment;
  const configFile = path.join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(raw));
  const config = configFromObject(raw, dir, configFile);
  const redis = createRedis({ url });
  const queue = fluxQueue(config, redis);
  // claim and queue everything first, as watch would
  for (const f of files) {
    const target = path.join(inbox, path.basename(f));
    copyFileSync(f, target);
    const c = await claimFile(target, config.paths.processing, 'op-alpha');
    if (!c) throw new Error('claim failed');
    const sha = sha256(readFileSync(c.path));
    await queue.add('flux', { path: c.path, name: c.name, relPath: `op-alpha/${c.name}`, partner: 'op-alpha', sha256: sha, claimId: c.claimId }, { ...fluxJobOptions(config), jobId: fluxJobId(sha, c.claimId) });
  }
  const procs: ChildProcess[] = [];
  // the workers run as an operator starts them: node's defaults, unless BENCH_WORKER_NODE_ARGS adds flags
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  for (let k = 0; k < workers; k++) procs.push(spawn(process.execPath, [...nodeArgs, path.join(projectRoot(), 'dist/src/cli/index.js'), 'worker', '-c', configFile, '--metrics-port', '0'], { stdio: 'ignore' }));
  const t0 = Date.now();
  const redisCpu0 = await redisCpuMs(redis);
  const processing = path.join(config.paths.processing, 'op-alpha');
  const cpuNow = () => sumThreads(procs.map((p) => threadsCpuMs(p.pid)));
  let warm: { t: number; done: number; cpu: ThreadsCpu } | undefined;
  // progress is read from the queue's counts (one Redis round trip), not by listing processing/:
  // a listing of 4,000 names costs this process 1-2 ms, 20 times a second, CPU taken from two
  // workers that keep both cores busy but not from one (it leaves a core idle)
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const counts = await queue.getJobCounts('completed', 'failed');
    const done = (counts.completed ?? 0) + (counts.failed ?? 0);
    if (!warm && done >= files.length * WARM_UP) warm = { t: Date.now(), done, cpu: cpuNow() };
    // a job ends after its file's removal: done with every job means processing/ is empty
    if (done >= files.length) {
      if (readdirSync(processing).length !== 0) throw new Error(`every job ended but files are left in ${processing}`);
      break;
    }
  }
  const ms = Date.now() - t0;
  const end = cpuNow();
  const workerCpuMs = end.all;
  const w = warm ?? { t: t0, done: 0, cpu: sumThreads([]) };
  const threads = minusThreads(end, w.cpu);
  const steady = { ms: Date.now() - w.t, files: files.length - w.done, workerCpuMs: threads.all, threads };
  const redisCpu = (await redisCpuMs(redis)) - redisCpu0;
  await Promise.all(procs.map((p) => new Promise((r) => { p.once('exit', r); p.kill('SIGTERM'); })));
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await redis.quit();
  return { ms, files: files.length, workerCpuMs, steady, redisCpuMs: redisCpu };
}

export async function main(): Promise<void> {
  /** files per worker process: one worker gets the corpus's first n, two workers all 2n */
  const n = Number(process.env.BENCH_SCALE_FILES ?? 2000);
  const dir = path.join(CACHE, 'scale-corpus');
  discard(dir); // made again: BENCH_SCALE_FILES may have changed
  const s = generateCorpus(dir, { invoices: 2 * n, seed: 7, small: true });
  // sorted: one worker's half is the same files from one run to the next
  const files = readdirSync(s.inbox).flatMap((p) => readdirSync(path.join(s.inbox, p)).map((f) => path.join(s.inbox, p, f))).sort();
  if (spawnSync('sh', ['-c', `test -f "${path.join(projectRoot(), 'dist/src/cli/index.js')}"`]).status !== 0) throw new Error('build first: npm run build');
  // after a mass removal (the trash emptied at the end of the previous benchmark) every file
  // creation scans past the freed inodes (trash.ts): measured 2.3 ms of a worker's 12.8 ms per
  // file in the first round 70 s after one, 0.06 ms once it was over. The first round (one
  // worker) would pay for it and the next ones less and less, which skews the ratio: wait it
  // out, unless told not to (BENCH_SCALE_NO_WAIT=1: figures not to compare)
  const left = process.env.BENCH_SCALE_NO_WAIT === '1' ? 0 : recentRemovalLeftMs();
  if (left > 0) {
    process.stderr.write(`bench scale: waiting ${Math.ceil(left / 1000)} s for the last mass removal to stop slowing file creations (BENCH_SCALE_NO_WAIT=1 to skip)\n`);
    await new Promise((r) => setTimeout(r, left));
  }
  const redis = await redisUrl();
  const load = loadAverage();
  try {
    // 1, 2, 2, 1 workers: alternating spreads the machine's drift over both, and the order
    // changing each round spreads what a run leaves to the next (the files its workers freed,
    // which slow the next run's file creations on ext4 without a journal: trash.ts)
    const rounds = Number(process.env.BENCH_SCALE_ROUNDS ?? 2);
    const runs: { workers: number; r: RunResult }[] = [];
    for (let k = 0; k < rounds; k++) for (const workers of k % 2 === 0 ? [1, 2] : [2, 1]) runs.push({ workers, r: await oneRun(files.slice(0, n * workers), workers, redis.url) });
    const rate = (r: { files: number; ms: number }) => (r.files * 1000) / r.ms;
    const pooled = (w: number, pick: (r: RunResult) => { files: number; ms: number }) => {
      const mine = runs.filter((x) => x.workers === w).map((x) => pick(x.r));
      return (mine.reduce((a, r) => a + r.files, 0) * 1000) / mine.reduce((a, r) => a + r.ms, 0);
    };
    const whole = (r: RunResult) => r;
    const steady = (r: RunResult) => r.steady;
    const ratio = pooled(2, steady) / pooled(1, steady);
    const coldRatio = pooled(2, whole) / pooled(1, whole);
    // cores per worker of one part of the workers' CPU, in steady state
    const cores = (r: RunResult, workers: number, part: keyof Omit<ThreadsCpu, 'jobSeen'>) => fmt(r.steady.threads[part] / r.steady.ms / workers, 2);
    const line = ({ workers, r }: { workers: number; r: RunResult }) =>
      `| ${workers} | ${fmt(r.files)} | ${fmt(r.ms / 1000, 1)} s | ${fmt(rate(r), 1)} | ${fmt(rate(r.steady), 1)} | ${fmt(r.steady.workerCpuMs / r.steady.ms, 2)} | ${cores(r, workers, 'main')} | ${r.steady.threads.jobSeen ? cores(r, workers, 'job') : 'not found'} | ${cores(r, workers, 'other')} | ${fmt(r.steady.workerCpuMs / r.steady.files, 1)} ms | ${fmt(r.workerCpuMs / r.files, 1)} ms | ${fmt(r.redisCpuMs / 1000, 1)} s |`;
    // one worker's cores busy bound what two can do on 2 cores, before any cost of sharing them
    const one = runs.filter((x) => x.workers === 1).map((x) => x.r.steady);
    const oneMs = one.reduce((a, r) => a + r.ms, 0);
    const oneCores = one.reduce((a, r) => a + r.workerCpuMs, 0) / oneMs;
    const oneThreads = sumThreads(one.map((r) => r.threads));
    const oneShare = (part: 'main' | 'job' | 'other') => oneThreads[part] / oneMs;
    const perFile = (w: number) => {
      const mine = runs.filter((x) => x.workers === w).map((x) => x.r.steady);
      return mine.reduce((a, r) => a + r.workerCpuMs, 0) / mine.reduce((a, r) => a + r.files, 0);
    };
    const section = [
      '## Scaling (distributed runner)',
      '',
      `Measured ${today()} on ${machine()}; load average at the start ${load}. Command: \`npm run bench -- scale\` (\`bench/scale.ts\`).`,
      `${fmt(n)} generated files per worker process (one invoice each, Factur-X on: one worker gets the first ${fmt(n)}, two workers all ${fmt(2 * n)}), claimed and queued first; then 1 or 2 \`chorus-flux worker\` processes (concurrency ${WORKER_CONCURRENCY} each) on the same Redis until the last file is done; ${rounds} round${rounds === 1 ? '' : 's'}, 1 then 2 workers in the first, 2 then 1 in the second, and so on. "From start" counts from the workers' spawn (node starting, modules loading, the first seconds of JIT compilation); "steady" counts from the moment ${fmt(WARM_UP * 100)} % of the files are done (each worker's ${fmt(WARM_UP * n)}th file or so, in both configurations: a worker's CPU per file keeps falling over its first thousands of files) to the last one, the rate of a worker that has been running for a while. "Cores busy" is the workers' CPU time (all their threads: JavaScript, V8's compiler and garbage-collector threads, the libuv pool doing the file I/O) over the wall time, in steady state; the next three columns split it, per worker, into its main thread (BullMQ, Redis, the content lock, the claimed file's removal), its processing thread (\`processFile\`: parsing, validation, Factur-X, outputs, journal) and its other threads (V8's compiler and garbage-collector threads, the libuv pool's fsyncs); the processing thread is found by the name it gives itself (\`${JOB_THREAD_NAME}\`, \`src/util/thread-name.ts\`).`,
      '',
      '| workers | files | time from start | files/s from start | files/s steady | cores busy (workers, steady) | main thread, cores per worker | processing thread, cores per worker | other threads, cores per worker | worker CPU / file, steady | worker CPU / file, from start | Redis CPU |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...runs.map(line),
      '',
      `**2 workers = ${fmt(ratio, 2)} × 1 worker in steady state** over all rounds (${fmt(pooled(1, steady), 1)} and ${fmt(pooled(2, steady), 1)} files/s; goal: at least 1.7 on this 2-core machine); from the workers' start, ${fmt(coldRatio, 2)} × (${fmt(pooled(1, whole), 1)} and ${fmt(pooled(2, whole), 1)} files/s).`,
      '',
      `One worker's processing thread was busy ${oneThreads.jobSeen ? `${fmt(oneShare('job') * 100)} %` : '(not found: no thread named ' + JOB_THREAD_NAME + ')'} of the time, its main thread ${fmt(oneShare('main') * 100)} % and its other threads ${fmt(oneShare('other'), 2)} cores: ${fmt(oneCores, 2)} cores for one worker, so two on 2 cores can do at most 2 / ${fmt(oneCores, 2)} = ${fmt(2 / oneCores, 2)} × its work, before any cost of sharing the cores (and Redis, the kernel's writeback and this bench need some); a bound only on a host that runs nothing else (a processing thread well below 100 % busy was waiting for cores: see the load average above). With two, a file took ${fmt(perFile(2), 1)} ms of worker CPU against ${fmt(perFile(1), 1)} ms with one (${perFile(2) >= perFile(1) ? '+' : ''}${fmt((perFile(2) / perFile(1) - 1) * 100)} %).`,
    ].join('\n');
    process.stdout.write(`${section}\n`);
    upsertSection('scale', section);
  } finally {
    redis.stop();
    for (const d of runDirs) discard(d);
  }
}

if (require.main === module) {
  main().then(emptyTrash).catch((e) => {
    process.stderr.write(String(e?.stack ?? e));
    process.exit(1);
  });
}
