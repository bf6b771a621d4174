/**
 * Crash test of the distributed runner: 2,000 files, one watcher, 3 worker processes each
 * killed with SIGKILL at random moments several times and restarted, and one Redis restart
 * (empty, no persistence) in the middle. At the end every file has exactly one outcome, no
 * pivot or status flow exists twice, no temporary file is left in an outbox, and the
 * journal agrees with the outboxes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { brokenFile, invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';
import { xpath } from '../helpers/xpath';

import { setTimeout as sleep } from 'node:timers/promises';
const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

function start(command: 'watch' | 'worker', configFile: string): ChildProcess {
  return spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), command, '-c', configFile, '--metrics-port', '0'], { stdio: 'ignore' });
}

interface Line { event: string; sha256?: string; file?: string; outcome?: string; outputs?: { kind: string; path: string; sha256: string }[]; writer: string; seq: number }

function readJournal(dir: string): Line[] {
  return readdirSync(dir).flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)));
}

describeIf('crash test: 2,000 files, SIGKILLed workers, a Redis restart', () => {
  it('ends with every file accounted for exactly once', async () => {
    const redis = await OwnRedis.start();
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 100, rescanMs: 1000 }, worker: { concurrency: 3, lockDurationMs: 3000, attempts: 50, backoffMs: 100 }, extra: { redis: { url: redis.url, prefix: 'crash' } } });
    const inbox = setup.inbox('op-alpha');
    const contents = new Map<string, string>(); // name → content
    for (let n = 0; n < 1900; n++) contents.set(`facture-${n}.xml`, invoiceNumbered(n));
    for (let n = 0; n < 50; n++) contents.set(`casse-${n}.xml`, brokenFile(n));
    for (let n = 0; n < 30; n++) contents.set(`doublon-${n}.xml`, invoiceNumbered(n, ' (renvoi)')); // same business key, other bytes
    for (let n = 0; n < 20; n++) contents.set(`copie-${n}.xml`, invoiceNumbered(100 + n)); // byte-identical copies
    expect(contents.size).toBe(2000);
    const shaOf = (s: string) => createHash('sha256').update(s).digest('hex');
    const inputShas = new Set([...contents.values()].map(shaOf));

    const watcher = start('watch', setup.configFile);
    const workers: ChildProcess[] = [0, 1, 2].map(() => start('worker', setup.configFile));
    await sleep(2500);
    for (const [name, text] of contents) writeFileSync(path.join(inbox, name), text);

    const outcomes = () => {
      try {
        return new Set(readJournal(path.join(setup.config.paths.out, 'journal')).filter((l) => l.event === 'outcome').map((l) => l.sha256));
      } catch {
        return new Set<string | undefined>();
      }
    };
    let kills = 0;
    let redisRestarted = false;
    const deadline = Date.now() + 400000;
    while (Date.now() < deadline) {
      await sleep(700 + Math.floor(Math.random() * 900));
      const done = outcomes().size;
      if (done >= inputShas.size) break;
      if (!redisRestarted && done > 700) {
        await redis.restartEmpty();
        redisRestarted = true;
        continue;
      }
      if (kills < 9) {
        const k = Math.floor(Math.random() * workers.length);
        workers[k].kill('SIGKILL');
        await new Promise((r) => workers[k].once('exit', r));
        workers[k] = start('worker', setup.configFile);
        kills++;
      }
    }
    // let the last jobs finish, then stop everything gracefully
    for (let i = 0; i < 40; i++) {
      const left = readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length + readdirSync(inbox).length;
      if (left === 0) break;
      await sleep(500);
    }
    const exits = [watcher, ...workers].map((p) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c)))));
    for (const p of [watcher, ...workers]) p.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0, 0, 0]);
    await redis.stop();

    expect(redisRestarted).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(readdirSync(inbox)).toEqual([]);
    expect(readdirSync(path.join(setup.config.paths.processing, 'op-alpha'))).toEqual([]);

    const out = setup.config.paths.out;
    const lines = readJournal(path.join(out, 'journal'));
    // every file has an outcome; repeated outcome lines (a crash between the journal and the
    // processed mark) agree with each other, so each file has exactly one outcome
    const bySha = new Map<string, Line[]>();
    for (const l of lines.filter((x) => x.event === 'outcome')) bySha.set(l.sha256!, [...(bySha.get(l.sha256!) ?? []), l]);
    expect(new Set(bySha.keys())).toEqual(inputShas);
    for (const [, ls] of bySha) {
      const sig = (l: Line) => JSON.stringify([l.outcome, (l.outputs ?? []).map((o) => [o.path, o.sha256]).sort()]);
      expect(new Set(ls.map(sig)).size).toBe(1);
    }
    const outcome = (name: string) => bySha.get(shaOf(contents.get(name)!))![0].outcome;
    expect(outcome('facture-500.xml')).toBe('accepted');
    expect(outcome('casse-3.xml')).toBe('refused');
    // the same business key in two files: one is accepted, the other is a duplicate
    for (let n = 0; n < 30; n++) expect([outcome(`facture-${n}.xml`), outcome(`doublon-${n}.xml`)].sort()).toEqual(['accepted', 'duplicate']);
    // every claimed file name is accounted for once
    const claimed = lines.filter((l) => l.event === 'claimed').map((l) => l.file);
    expect(new Set(claimed).size).toBe(2000);

    const files = listFiles(out, ['state', 'logs', 'journal']);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // the journal agrees with the outboxes: every output listed exists with its SHA-256, every file is listed
    const listed = new Map<string, string>();
    for (const ls of bySha.values()) for (const o of ls[0].outputs ?? []) listed.set(o.path, o.sha256);
    // a copy kept by an attempt killed before its outcome, while its byte-identical twin was
    // finished, is listed by the copy's already-processed line
    for (const l of lines.filter((x) => x.event === 'already-processed')) for (const o of l.outputs ?? []) listed.set(o.path, o.sha256);
    for (const [p, sha] of listed) expect([p, createHash('sha256').update(readFileSync(path.join(out, p))).digest('hex')]).toEqual([p, sha]);
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
    // no pivot twice: each accepted invoice is in exactly one pivot, and every IdCPRO once
    const pivots = files.filter((f) => f.startsWith('pivot/'));
    const accepted = [...bySha.values()].filter((ls) => ls[0].outcome === 'accepted').length;
    expect(pivots).toHaveLength(accepted);
    const ids = pivots.map((p) => xpath(path.join(out, p), 'string(//IdCPRO)'));
    expect(new Set(ids).size).toBe(ids.length);
    const numbers = pivots.map((p) => xpath(path.join(out, p), 'string(//DonneesFacture/Id)'));
    expect(new Set(numbers).size).toBe(numbers.length);
  }, 480000);
});
