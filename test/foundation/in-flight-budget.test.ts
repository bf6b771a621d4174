/**
 * The runners' budget of input bytes in flight: files start while their bytes fit (a file
 * bigger than the budget runs alone), in order, and a run with the tightest budget gives every
 * file the same outcome as a run without one — on one thread and on two.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as xmlDocument from '../../src/xml/document';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded, type RunSummary } from '../../src/runner/embedded';
import { InFlightBudget } from '../../src/runner/in-flight-budget';
import { createLogger } from '../../src/util/logger';
import { cli } from '../helpers/cli';
import { bigXmlFacturX } from '../helpers/big-facturx';
import { bundledConfig, FIXTURES_INBOX, listFiles, tempDir } from '../helpers/run';

describe('InFlightBudget', () => {
  it('lets files start while their bytes fit, and one file of any size when nothing runs', () => {
    const b = new InFlightBudget(100);
    expect(b.fits(60)).toBe(true);
    b.take(60);
    expect(b.fits(40)).toBe(true);
    expect(b.fits(41)).toBe(false);
    b.release(60);
    expect(b.fits(1_000)).toBe(true); // nothing in flight: bigger than the budget, alone
    b.take(1_000);
    expect(b.fits(1)).toBe(false);
    expect(b.inFlight).toEqual({ bytes: 1_000, files: 1 });
  });

  it('a stop (the worker shutting down) makes the files still waiting give up, never counted, and refuses new ones', async () => {
    const b = new InFlightBudget(100);
    const stop = new AbortController();
    expect(await b.acquire(90, stop.signal)).toBe(true);
    const waiting = [b.acquire(50, stop.signal), b.acquire(20, stop.signal)];
    stop.abort();
    expect(await Promise.all(waiting)).toEqual([false, false]);
    expect(b.inFlight).toEqual({ bytes: 90, files: 1 });
    expect(await b.acquire(1, stop.signal)).toBe(false); // taken as the worker closed: not started either
    b.release(90);
    expect(b.inFlight).toEqual({ bytes: 0, files: 0 });
    expect(await b.acquire(50)).toBe(true); // without a stop, as before
  });

  it('starts waiting files in their order: a big one is not overtaken by small ones behind it', async () => {
    const b = new InFlightBudget(100);
    const started: string[] = [];
    await b.acquire(90);
    const big = b.acquire(50).then(() => started.push('big'));
    const small = b.acquire(5).then(() => started.push('small')); // would fit now, but waits its turn
    await Promise.resolve();
    expect(started).toEqual([]);
    expect(b.fits(5)).toBe(false);
    b.release(90);
    await Promise.all([big, small]);
    expect(started).toEqual(['big', 'small']);
    expect(b.inFlight).toEqual({ bytes: 55, files: 2 });
  });
});

/** Outcome counts and output files of a run, for comparison. */
function outputsOf(out: string): string[] {
  return listFiles(out, ['journal', 'logs', 'state']);
}

/**
 * The fixtures run on one thread, 8 files in flight, with the real journal observed: the most
 * files at once between their `received` line and their last line.
 */
function observedRun(out: string, maxBytesInFlight: number | undefined): { run: Promise<RunSummary>; most: () => number } {
  const deps = createDeps(bundledConfig(out), { logger: createLogger({ level: 'silent' }) });
  let inFlight = 0;
  let most = 0;
  const append = deps.journal.append.bind(deps.journal);
  deps.journal.append = (e) => {
    if (e.event === 'received') most = Math.max(most, ++inFlight);
    if (e.event === 'outcome' || e.event === 'already-processed') inFlight--;
    return append(e);
  };
  return { run: runEmbedded({ inbox: FIXTURES_INBOX, deps, concurrency: 8, maxBytesInFlight }), most: () => most };
}

describe('a run with a budget of one byte', () => {
  it('processes one file at a time on one thread, with the same outputs as with the default budget', async () => {
    const tight = tempDir();
    const loose = tempDir();
    const a = observedRun(tight, 1);
    const b = observedRun(loose, undefined);
    const [r, r2] = [await a.run, await b.run];
    expect(r.failures).toEqual([]);
    expect(a.most()).toBe(1);
    expect(b.most()).toBeGreaterThan(1); // the observation can see more than one
    expect(r.tally).toEqual(r2.tally);
    expect(outputsOf(tight)).toEqual(outputsOf(loose));
  }, 60000);

  it('finishes on two threads with the same outputs (no thread waits forever for room)', async () => {
    const tight = tempDir();
    const loose = tempDir();
    // about one byte: every file is bigger, so one file at a time over both threads
    const a = await cli(['run', FIXTURES_INBOX, '--out', tight, '--no-progress', '--threads', '2', '--max-in-flight-mb', '0.000001'], { timeoutMs: 60000 });
    const b = await cli(['run', FIXTURES_INBOX, '--out', loose, '--no-progress', '--threads', '2'], { timeoutMs: 60000 });
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stdout.split('\n').filter((l) => l.includes('│'))).toEqual(b.stdout.split('\n').filter((l) => l.includes('│')));
    expect(outputsOf(tight)).toEqual(outputsOf(loose));
  }, 120000);
});

describe('a file that turns out bigger than its size on disk (InFlightBudget.grow)', () => {
  it('waits for room ahead of the files not started, and goes on once there is', async () => {
    const b = new InFlightBudget(100);
    b.take(10);
    b.take(10);
    expect(b.grow(50).now).toBe(true); // 70: fits
    const second = b.grow(50); // 120: waits
    expect(second.now).toBe(false);
    expect(b.fits(1)).toBe(false); // no file starts meanwhile
    let granted = false;
    void second.granted.then(() => (granted = true));
    b.release(60); // the first is done with what it grew
    await second.granted;
    expect(granted).toBe(true);
    expect(b.inFlight).toEqual({ bytes: 60, files: 1 });
  });

  it('lets the first go on when every file in flight waits so (none could finish to make room), and a request withdrawn is never counted', async () => {
    const b = new InFlightBudget(100);
    b.take(10);
    b.take(10);
    const a = b.grow(95);
    expect(a.now).toBe(false);
    const c = b.grow(95);
    await a.granted;
    expect(c.now).toBe(false);
    expect(b.inFlight.bytes).toBe(115);
    c.withdraw(); // its thread stopped
    b.release(10);
    expect(b.fits(1)).toBe(false); // 105 in flight
    b.release(105);
    expect(b.inFlight).toEqual({ bytes: 0, files: 0 });
    expect(b.fits(100)).toBe(true);
  });
});

const realParse = xmlDocument.parseLiftedXml;

describe('Factur-X whose embedded XML inflates far past the PDF', () => {
  it('count with their XML: under a budget one of them fits, their XML is parsed one at a time (it was all of them, the PDFs being a few KB)', async () => {
    const inbox = tempDir();
    mkdirSync(path.join(inbox, 'op-beta'));
    for (const k of [1, 2, 3]) writeFileSync(path.join(inbox, 'op-beta', `big-${k}.pdf`), bigXmlFacturX(2 << 20, String(k)));
    expect(statSync(path.join(inbox, 'op-beta', 'big-1.pdf')).size).toBeLessThan(200_000);
    const deps = createDeps(bundledConfig(tempDir()), { logger: createLogger({ level: 'silent' }) });
    // observed, not replaced: an embedded XML parsed, until its file's outcome
    let parsing = 0;
    let most = 0;
    const parse = jest.spyOn(xmlDocument, 'parseLiftedXml').mockImplementation(function (this: unknown, ...args: Parameters<typeof xmlDocument.parseLiftedXml>) {
      const r = realParse.apply(this, args);
      if (args[0].text.length > 1 << 20) most = Math.max(most, ++parsing);
      return r;
    });
    const append = deps.journal.append.bind(deps.journal);
    deps.journal.append = (e) => {
      if (e.event === 'outcome' && e.file.endsWith('.pdf')) parsing--;
      return append(e);
    };
    try {
      const r = await runEmbedded({ inbox, deps, concurrency: 8, maxBytesInFlight: 3 << 20 });
      expect(r.failures).toEqual([]);
      expect(r.results.map((x) => x.file).sort()).toEqual(['op-beta/big-1.pdf', 'op-beta/big-2.pdf', 'op-beta/big-3.pdf']);
    } finally {
      parse.mockRestore();
    }
    expect(most).toBe(1);
  }, 120_000);

  it('on two threads too: every file gets its outcome, no thread waits for ever for room', async () => {
    const inbox = tempDir();
    mkdirSync(path.join(inbox, 'op-beta'));
    for (const k of [1, 2, 3, 4]) writeFileSync(path.join(inbox, 'op-beta', `big-${k}.pdf`), bigXmlFacturX(2 << 20, String(k)));
    const r = await cli(['run', inbox, '--out', tempDir(), '--no-progress', '--threads', '2', '--max-in-flight-mb', '3'], { timeoutMs: 90_000 });
    expect([r.code, r.signal]).toEqual([0, null]);
    expect(r.stdout).toMatch(/TOTAL\s*│\s*4\s*│/);
  }, 120_000);
});
