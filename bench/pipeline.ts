/**
 * End-to-end performance of the embedded runner (issue "Chorus Pro's record month in one
 * night"): a seeded corpus of 10,000 generated invoices processed with and without Factur-X —
 * invoices per second, p50 / p99 latency per file, peak RSS, the split by stage —; a
 * 100,000-file run sampled for memory growth; and one 120 MB flow for its peak RSS.
 * Each run is a child process with its own memory. Results: the "End to end" section of
 * docs/PERFORMANCE.md.
 *
 *   npm run bench -- pipeline            (BENCH_INVOICES, BENCH_SOAK_FILES=0 to skip the soak,
 *                                          BENCH_LARGE_MB=0 to skip the large flow)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_FILES_IN_FLIGHT } from '../src/runner/embedded';
import { defaultThreads } from '../src/runner/threaded';
import { XMLParser } from 'fast-xml-parser';
import { projectRoot } from '../src/util/project-root';
import { discard, emptyTrash } from './trash';
import { generateCorpus, generateLargeFlow } from './generate';
import { fmt, loadAverage, machine, percentile, today, upsertSection } from './report';

interface ChildResult {
  files: number;
  invoices: number;
  failures: number;
  outcomes: Record<string, number>;
  wallMs: number;
  cpuMs: number;
  peakRssMB: number;
  latencies: number[];
  stages: Record<string, number>;
  rss: { files: number; rssMB: number }[];
}

const CACHE = path.join(projectRoot(), '.cache', 'bench');

export function corpus(name: string, invoices: number, small = false): { inbox: string; configFile: string; dir: string } {
  const dir = path.join(CACHE, `${name}-${invoices}`);
  const marker = path.join(dir, '.complete');
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`generating ${invoices} invoices into ${dir}…\n`);
    const s = generateCorpus(dir, { invoices, seed: 42, small });
    writeFileSync(marker, JSON.stringify(s));
  }
  return { dir, inbox: path.join(dir, 'inbox'), configFile: path.join(dir, 'config.json') };
}

/**
 * Output trees are kept until the whole bench is over, then put in the trash (trash.ts): on
 * ext4 without a journal (this machine's disk), every freed inode slows the file creations of
 * the next minutes, so deleting one run's 50,000 files would tax the next run.
 */
const outputs: string[] = [];

// files in flight per thread: the CLI's default
function runChild(configFile: string, inbox: string, fx: boolean, sampleEvery = 0, concurrency = DEFAULT_FILES_IN_FLIGHT, threads = 0): ChildResult {
  const out = path.join(CACHE, `out-${process.pid}-${Date.now()}`);
  const child = path.join(__dirname, 'pipeline-child.js');
  const args = [child, configFile, inbox, out, fx ? 'on' : 'off', String(sampleEvery), String(concurrency)];
  if (threads > 0) args.push(String(threads));
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // node's defaults (a thread pool of 4), as an operator runs it: 16 threads measured 2-3 % slower
    env: process.env,
  });
  outputs.push(out);
  if (r.status !== 0) throw new Error(`pipeline child failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildResult;
}

function stageTable(r: ChildResult): string {
  const total = Object.values(r.stages).reduce((a, b) => a + b, 0);
  return Object.entries(r.stages)
    .map(([k, v]) => `${k} ${fmt((100 * v) / total, 0)} %`)
    .join(' · ');
}

function row(label: string, r: ChildResult): string {
  return `| ${label} | ${fmt(r.files)} | ${fmt(r.invoices)} | ${fmt(r.wallMs / 1000, 1)} s | **${fmt((r.invoices * 1000) / r.wallMs)}** | ${fmt((r.files * 1000) / r.wallMs)} | ${fmt(percentile(r.latencies, 50), 1)} ms | ${fmt(percentile(r.latencies, 99), 1)} ms | ${fmt(r.cpuMs / r.invoices, 2)} ms | ${fmt(r.peakRssMB)} MB |`;
}

/**
 * The machine's speed at the time of the run: CPU milliseconds for fast-xml-parser alone to
 * parse the same 300 corpus files (median of 5 passes, after one warm-up). This VM's speed
 * drifts by up to 50 % within an hour; with this figure next to the results, runs of
 * different hours can be compared. Library code only: the figure does not move when ours does.
 */
export async function calibrate(inbox: string): Promise<number> {
  const texts: string[] = [];
  for (const p of readdirSync(inbox).sort()) for (const f of readdirSync(path.join(inbox, p)).sort().slice(0, 100)) texts.push(readFileSync(path.join(inbox, p, f), 'utf8'));
  const parser = new XMLParser({ ignoreAttributes: false });
  const pass = async () => {
    const c0 = process.cpuUsage();
    for (const t of texts.slice(0, 300)) {
      try {
        parser.parse(t);
      } catch {
        /* the corpus' malformed files: the time spent until the error counts all the same */
      }
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  await pass();
  const ms: number[] = [];
  for (let k = 0; k < 5; k++) ms.push(await pass());
  return ms.sort((a, b) => a - b)[2];
}

export async function main(): Promise<void> {
  try {
    await benchAll();
  } finally {
    for (const out of outputs) discard(out);
  }
}

async function benchAll(): Promise<void> {
  const n = Number(process.env.BENCH_INVOICES ?? 10000);
  const c = corpus('corpus', n);
  const load = loadAverage();
  const calibration = await calibrate(c.inbox);
  process.stderr.write('run without Factur-X…\n');
  const plain = runChild(c.configFile, c.inbox, false);
  process.stderr.write('run with Factur-X…\n');
  const withFx = runChild(c.configFile, c.inbox, true);

  const soakFiles = Number(process.env.BENCH_SOAK_FILES ?? 100000);
  let soakText = '_not run (BENCH_SOAK_FILES=0)_';
  if (soakFiles > 0) {
    const s = corpus('soak', soakFiles, true);
    process.stderr.write(`memory soak over ${soakFiles} files…\n`);
    const soak = runChild(s.configFile, s.inbox, false, Math.max(1000, Math.floor(soakFiles / 50)));
    const warm = soak.rss.filter((x) => x.files >= soak.files * 0.1);
    const first = warm[0]?.rssMB ?? 0;
    const last = warm[warm.length - 1]?.rssMB ?? 0;
    const max = Math.max(...warm.map((x) => x.rssMB));
    soakText = `${fmt(soak.files)} files (${fmt(soak.invoices)} invoices) in ${fmt(soak.wallMs / 1000)} s: RSS after warm-up (10 %) ${fmt(first)} MB, at the end ${fmt(last)} MB, highest ${fmt(max)} MB — growth **${fmt((100 * (last - first)) / first, 1)} %** (goal: under 10 %). Samples: ${soak.rss.filter((_, k) => k % 10 === 0).map((x) => `${fmt(x.files)}: ${fmt(x.rssMB)}`).join(', ')} (files: MB).`;
  }

  const largeMb = Number(process.env.BENCH_LARGE_MB ?? 120);
  let largeText = '_not run (BENCH_LARGE_MB=0)_';
  if (largeMb > 0) {
    const dir = path.join(CACHE, `large-${largeMb}`);
    const inbox = path.join(dir, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    const file = path.join(inbox, 'big.xml');
    // what the flow holds, kept beside it: a cached flow is described as a generated one is
    const infoFile = path.join(dir, 'big.json');
    if (!existsSync(file) || !existsSync(infoFile)) writeFileSync(infoFile, JSON.stringify(generateLargeFlow(file, largeMb)));
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { attachments: number };
    const configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ partners: [{ id: 'op-alpha' }], recipients: [{ siret: '21787789300016', recepteurId: 'VALM01', codeServices: ['FINANCES'] }], limits: { maxFileBytes: 130 * 1024 * 1024, maxInvoiceBytes: 130 * 1024 * 1024 } }));
    process.stderr.write(`one ${largeMb} MB flow…\n`);
    const big = runChild(configFile, path.join(dir, 'inbox'), true, 0, 1, 1);
    largeText = `one UBL flow of ${fmt(largeMb)} MB${info ? ` (${info.attachments} attachments of 9 MB)` : ''}, with Factur-X: outcome ${Object.keys(big.outcomes).join(', ')}, ${fmt(big.wallMs / 1000, 1)} s, **peak RSS ${fmt(big.peakRssMB)} MB** (goal: under 1 GB).`;
  }

  const hoursForRecord = (r: ChildResult) => 4950724 / ((r.invoices * 1000) / r.wallMs) / 3600;
  const section = [
    '## End to end (embedded runner)',
    '',
    `Measured ${today()} on ${machine()}; load average at the start ${load}; machine speed at the start: ${fmt(calibration)} ms of CPU for fast-xml-parser to parse 300 corpus files (lower is faster). Command: \`npm run bench -- pipeline\` (\`bench/pipeline.ts\`).`,
    `Corpus: \`bench/generate.ts\`, seed 42 — ${fmt(plain.files)} files holding ${fmt(plain.invoices)} invoices: UBL E1 with 1 to 200 lines (30 % with attachments of 20–400 KB), UBL E2 with the invoice PDF, CII, multi-invoice pivots (2–20 invoices with their PDF), about 5 % invalid. Every run starts from an empty output tree; fsync on every output, the journal group-committed. The embedded runner on ${defaultThreads()} worker threads (one per core), ${DEFAULT_FILES_IN_FLIGHT} files in flight per thread (the defaults of \`chorus-flux run\`). "CPU / invoice" is the process's CPU time (all threads) over the invoices: the figure that does not move with the load of the host, unlike the wall time on this virtual machine.`,
    '',
    '| run | files | invoices | wall | invoices/s | files/s | p50 / file | p99 / file | CPU / invoice | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    row('without Factur-X', plain),
    row('with Factur-X', withFx),
    '',
    `Split by stage (sum over files, of the time each file spent): without Factur-X ${stageTable(plain)}; with Factur-X ${stageTable(withFx)}.`,
    '',
    `At these rates, Chorus Pro's record month (4,950,724 invoices, September 2020) takes ${fmt(hoursForRecord(withFx), 1)} h with Factur-X and ${fmt(hoursForRecord(plain), 1)} h without (goals: 200 invoices/s with Factur-X — under 7 h —, 1,000 invoices/s without).`,
    '',
    `Memory over a long run: ${soakText}`,
    '',
    `A large flow: ${largeText}`,
  ].join('\n');
  process.stdout.write(`${section}\n`);
  upsertSection('pipeline', section);
}

if (require.main === module) {
  main().then(emptyTrash).catch((e) => {
    process.stderr.write(String(e?.stack ?? e));
    process.exit(1);
  });
}
