/**
 * `chorus-flux prune` SIGKILLed at its fault points (src/util/fault.ts; `killfuzz --kill prune`
 * kills there too): after-prune-horizon (prune-horizon.json written, nothing removed),
 * after-prune-attempt and after-prune-reply (a content's attempt record, or a reply mark, gone,
 * its processed mark not yet). The prune run again removes the rest; meanwhile the same bytes
 * dropped again still end already-processed (the mark outlives what goes with it, never the
 * other way round); after it, they are a new deposit, their invoice refused CPRO-DOUBLON.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fixedClock } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, listFiles, runOnce, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

const DAY = 86_400_000;

describe('prune killed at its fault points, then run again', () => {
  let n = 0;
  function drop(root: string, partner: string): string {
    const inbox = path.join(root, `in-${++n}`);
    mkdirSync(path.join(inbox, partner), { recursive: true });
    copyFileSync(PAPETERIE, path.join(inbox, partner, `f-${n}.xml`));
    return inbox;
  }
  const stateFiles = (state: string) => readdirSync(path.join(state, 'files'), { recursive: true }).map(String).filter((f) => f.includes('.')).map((f) => path.basename(f).replace(/^[0-9a-f]{64}/, '<sha>')).sort();

  it.each(['after-prune-horizon', 'after-prune-attempt', 'after-prune-reply'])('killed at %s', async (point) => {
    const root = tempDir('cf-prune-killed-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const then = new Date(Date.now() - 500 * DAY);
    // processed 500 days ago, and the same bytes from op-beta then: a mark, its attempt record, a reply mark
    expect((await runOnce(drop(root, 'op-alpha'), config, { clock: fixedClock(then.toISOString()) })).results.map((r) => r.outcome)).toEqual(['accepted']);
    expect((await runOnce(drop(root, 'op-beta'), config, { clock: fixedClock(then.toISOString()) })).results.map((r) => r.outcome)).toEqual(['already-processed']);
    const files = path.join(config.paths.state, 'files');
    for (const f of readdirSync(files, { recursive: true }).map(String)) utimesSync(path.join(files, f), then, then);
    expect(stateFiles(config.paths.state)).toEqual(['<sha>.attempt', '<sha>.json', expect.stringMatching(/^<sha>\.reply-/)]);

    const killed = await cli(['prune', '--out', out], { env: { CHORUS_FLUX_FAULT: point } });
    expect(killed.signal).toBe('SIGKILL');
    const left = stateFiles(config.paths.state);
    expect(left).toContain('<sha>.json');
    if (point === 'after-prune-horizon') expect(left).toHaveLength(3);
    else expect(left).not.toContain('<sha>.attempt');
    expect(existsSync(path.join(config.paths.state, 'prune-horizon.json'))).toBe(true);

    // meanwhile the same bytes: the mark still holds them
    expect((await runOnce(drop(root, 'op-alpha'), config)).results.map((r) => r.outcome)).toEqual(['already-processed']);

    const again = await cli(['prune', '--out', out]);
    expect(again.code).toBe(0);
    expect(stateFiles(config.paths.state)).toEqual([]);
    const pivots = listFiles(out).filter((f) => f.startsWith('pivot/'));
    const r = (await runOnce(drop(root, 'op-alpha'), config)).results[0];
    expect([r.outcome, r.findings.map((f) => f.rule)]).toEqual(['duplicate', ['CPRO-DOUBLON']]);
    expect(listFiles(out).filter((f) => f.startsWith('pivot/'))).toEqual(pivots);
  });
});
