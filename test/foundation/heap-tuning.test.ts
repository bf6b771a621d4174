/**
 * The V8 heap settings of src/runner/heap-tuning.ts: on by default, off with
 * CHORUS_FLUX_V8_DEFAULTS=1, and the processing threads really get the larger young generation.
 */
import { Worker } from 'node:worker_threads';
import { HEAP_GROWING_PERCENT, THREAD_YOUNG_GENERATION_MB, heapTuningEnabled, threadResourceLimits, tuneHeap } from '../../src/runner/heap-tuning';

it('is on unless CHORUS_FLUX_V8_DEFAULTS=1', () => {
  expect(heapTuningEnabled({})).toBe(true);
  expect(heapTuningEnabled({ CHORUS_FLUX_V8_DEFAULTS: '0' })).toBe(true);
  expect(heapTuningEnabled({ CHORUS_FLUX_V8_DEFAULTS: '1' })).toBe(false);
  expect(tuneHeap({ CHORUS_FLUX_V8_DEFAULTS: '1' })).toBe(false);
  expect(threadResourceLimits({ CHORUS_FLUX_V8_DEFAULTS: '1' })).toEqual({});
  expect(threadResourceLimits({})).toEqual({ maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB });
  // bounded: V8's own upper bound for its growing factor is 4 (300 %)
  expect(HEAP_GROWING_PERCENT).toBeLessThanOrEqual(300);
});

it('gives a processing thread 32 MB semi-spaces', async () => {
  // many objects that survive a scavenge or two: V8 grows the new space up to its limit
  const code = `
    const { parentPort, resourceLimits } = require('node:worker_threads');
    const v8 = require('node:v8');
    let keep = [];
    let newSpace = 0;
    for (let i = 0; i < 3000000; i++) {
      keep.push({ i, s: 'x' + i });
      if (keep.length > 300000) keep = [];
      if (i % 10000 === 0) newSpace = Math.max(newSpace, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    parentPort.postMessage({ limit: resourceLimits.maxYoungGenerationSizeMb, newSpace });
  `;
  const probe = (resourceLimits: object) =>
    new Promise<{ limit: number; newSpace: number }>((resolve, reject) => {
      const w = new Worker(code, { eval: true, resourceLimits });
      w.once('message', (m) => {
        void w.terminate();
        resolve(m);
      });
      w.once('error', reject);
    });
  const tuned = await probe(threadResourceLimits({}));
  const plain = await probe(threadResourceLimits({ CHORUS_FLUX_V8_DEFAULTS: '1' }));
  expect(tuned.limit).toBe(THREAD_YOUNG_GENERATION_MB);
  // the new space (2 semi-spaces) reaches 64 MB, where V8's default (16 MB semi-spaces on a
  // 64-bit machine with memory to spare) stops at 32
  expect(tuned.newSpace).toBe(64 * 1024 * 1024);
  expect(plain.newSpace).toBeLessThan(tuned.newSpace);
}, 30000);
