/**
 * One embedded run in its own process (so its memory is its own), for bench/pipeline.ts:
 *   node pipeline-child.js <configFile> <inbox> <out> <facturx on|off> [sampleEvery]
 * Prints one JSON line with the measures.
 */
import { loadConfig } from '../src/config/config';
import { createDeps } from '../src/runner/deps';
import { tuneHeap } from '../src/runner/heap-tuning';
import { runEmbedded } from '../src/runner/embedded';
import type { FileResult, StageTimings } from '../src/runner/process-file';
import { defaultThreads, runThreaded } from '../src/runner/threaded';
import { createLogger } from '../src/util/logger';

async function main(): Promise<void> {
  tuneHeap(); // as the CLI does
  const [configFile, inbox, out, fx, sampleEveryArg, concurrencyArg, threadsArg] = process.argv.slice(2);
  const config = loadConfig(configFile, { out });
  config.facturx.enabled = fx === 'on';
  const deps = createDeps(config, { logger: createLogger({ level: 'silent' }) });
  const sampleEvery = Number(sampleEveryArg ?? 0);
  const rss: { files: number; rssMB: number }[] = [];
  let done = 0;
  const latencies: number[] = [];
  const stages: StageTimings = { read: 0, parse: 0, validate: 0, lifecycle: 0, enrich: 0, facturx: 0, emit: 0 };
  let invoices = 0;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const threads = Number(threadsArg ?? defaultThreads());
  const outcomes: Record<string, number> = {};
  const onFile = (r: FileResult | { file: string; error: Error }) => {
    done++;
    if ('error' in r) return;
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    latencies.push(r.ms);
    invoices += r.invoices.length;
    if (r.timings) for (const k of Object.keys(stages) as (keyof StageTimings)[]) stages[k] += r.timings[k];
    if (sampleEvery > 0 && done % sampleEvery === 0) rss.push({ files: done, rssMB: process.memoryUsage().rss / 1048576 });
  };
  const concurrency = Number(concurrencyArg ?? 8);
  const summary = threads > 1 ? await runThreaded({ inbox, config, threads, concurrency, level: 'silent', keepResults: false, onFile }) : await runEmbedded({ inbox, deps, concurrency, keepResults: false, onFile });
  const wallMs = Date.now() - t0;
  const cpu = process.cpuUsage(cpu0);

  process.stdout.write(
    JSON.stringify({
      files: summary.files,
      invoices,
      failures: summary.failures.length,
      outcomes,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      latencies: latencies.sort((a, b) => a - b),
      stages,
      rss,
    }) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
