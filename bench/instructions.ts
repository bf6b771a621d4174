/**
 * `npm run bench -- instructions` (not part of the default run: it takes about 12 minutes).
 *
 * Instructions executed by the embedded pipeline over a tenth of the bench corpus, with and
 * without Factur-X, counted by valgrind's callgrind. This host's speed swings by half within
 * an hour, so CPU times cannot show a change of a few percent; instruction counts repeat within
 * about 1 % whatever else runs. They leave out the kernel's work (file writes, fsyncs), and
 * SHA-256 runs without the CPU's SHA extensions under valgrind: compare builds with them, not
 * with the CPU tables. Run it on the old and the new build to measure a change.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/util/project-root';
import { corpus } from './pipeline';
import { fmt, machine, today, upsertSection } from './report';
import { discard, emptyTrash } from './trash';

const CACHE = path.join(projectRoot(), '.cache', 'bench');
/** one file in TENTH, taken in name order within each partner's folder */
const TENTH = 10;

interface Count {
  fx: boolean;
  files: number;
  invoices: number;
  instructions: number;
  minutes: number;
}

/** Every tenth file of the bench corpus, copied once into its own inbox. */
function tenthCorpus(): { inbox: string; configFile: string } {
  const full = corpus('corpus', 10000);
  const dir = path.join(CACHE, 'corpus-10000-tenth');
  const inbox = path.join(dir, 'inbox');
  const marker = path.join(dir, '.complete');
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    for (const partner of readdirSync(full.inbox).sort()) {
      mkdirSync(path.join(inbox, partner), { recursive: true });
      readdirSync(path.join(full.inbox, partner))
        .sort()
        .filter((_, k) => k % TENTH === 0)
        .forEach((f) => copyFileSync(path.join(full.inbox, partner, f), path.join(inbox, partner, f)));
    }
    copyFileSync(full.configFile, path.join(dir, 'config.json'));
    writeFileSync(marker, '');
  }
  return { inbox, configFile: path.join(dir, 'config.json') };
}

function count(inbox: string, configFile: string, fx: boolean): Promise<Count> {
  const tag = `${process.pid}-${fx ? 'fx' : 'plain'}`;
  const out = path.join(CACHE, `out-instructions-${tag}`);
  const cg = path.join(os.tmpdir(), `cf-callgrind-${tag}.out`);
  const child = path.join(__dirname, 'pipeline-child.js');
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${cg}`, process.execPath, child, configFile, inbox, out, fx ? 'on' : 'off', '0', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      discard(out);
      rmSync(cg, { force: true });
      const collected = /Collected : (\d+)/.exec(stderr);
      if (code !== 0 || !collected) return reject(new Error(`callgrind run failed (${code}): ${stderr.slice(-1500)}`));
      const r = JSON.parse(stdout.trim().split('\n').pop() as string) as { files: number; invoices: number };
      resolve({ fx, files: r.files, invoices: r.invoices, instructions: Number(collected[1]), minutes: (Date.now() - t0) / 60000 });
    });
  });
}

export async function main(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    process.stderr.write('instructions bench skipped: valgrind is not installed (Debian: apt-get install -y valgrind)\n');
    return;
  }
  const { inbox, configFile } = tenthCorpus();
  process.stderr.write('counting instructions with and without Factur-X (two valgrind runs side by side, about 12 minutes)…\n');
  const [plain, withFx] = await Promise.all([count(inbox, configFile, false), count(inbox, configFile, true)]);
  const perInvoice = (c: Count) => c.instructions / c.invoices / 1e6;
  const row = (label: string, c: Count) => `| ${label} | ${fmt(c.files)} | ${fmt(c.invoices)} | ${fmt(c.instructions / 1e9, 1)} billion | ${fmt(perInvoice(c), 1)} million | ${fmt(c.minutes, 1)} min |`;
  const section = [
    '## Instructions (callgrind)',
    '',
    `Measured ${today()} on ${machine()}. Command: \`npm run bench -- instructions\` (\`bench/instructions.ts\`, not in the default run).`,
    `The embedded runner (2 threads, 4 files in flight each) over every ${TENTH}th file of the bench corpus, under \`valgrind --tool=callgrind\`: the instructions of every thread of the process, repeatable within about 1 % whatever the host does, where CPU times on this machine swing by half. The kernel's work is not counted, and SHA-256 runs without the CPU's SHA extensions: a figure to compare builds with, not to read as time.`,
    '',
    '| run | files | invoices | instructions | per invoice | time under valgrind |',
    '|---|---:|---:|---:|---:|---:|',
    row('without Factur-X', plain),
    row('with Factur-X', withFx),
    '',
    `Factur-X itself: ${fmt(perInvoice(withFx) - perInvoice(plain), 1)} million instructions per invoice (the difference of the two runs).`,
  ].join('\n');
  process.stdout.write(`${section}\n`);
  upsertSection('instructions', section);
}

if (require.main === module) {
  main().then(emptyTrash).catch((e) => {
    process.stderr.write(String(e?.stack ?? e));
    process.exit(1);
  });
}
