/**
 * V8 heap settings for long batch runs (the CLI applies them at start; the embedded runner's
 * threads get the young generation size).
 *
 * Why: V8 keeps a function's optimized code only weakly. A closure created per call (the
 * callbacks inside a validation rule, a library's async helpers) loses its optimized code at
 * every full garbage collection that finds no instance of it alive, and is compiled again on
 * the compiler threads as soon as it is hot. By default V8 lets the old generation grow only
 * about twice its live size here, so a worker thread ran a full collection every second or two
 * and recompiled about a hundred functions after each: 40 % of the optimizing compilations of
 * a 10,000-invoice run, where compiling took 14 % of all CPU.
 *
 * - The old generation may grow to 4 times its live size before a full collection (V8's own
 *   upper bound for the growing factor, fixed instead of computed).
 * - The processing threads get 32 MB semi-spaces (V8's default is 16): a file in flight spans
 *   fewer scavenges, so less of it is promoted to the old generation.
 *
 * Measured over the bench corpus without Factur-X (docs/PERFORMANCE.md): full collections
 * 52 → 7, optimizing compilations 2,487 → 1,689, 5 to 9 % less CPU per invoice (9 % with
 * Factur-X), for 70 to 150 MB more peak RSS.
 * `CHORUS_FLUX_V8_DEFAULTS=1` keeps V8's defaults.
 */
import v8 from 'node:v8';

/** V8's --heap-growing-percent: the old generation grows to (1 + 300 %) × its live size. */
export const HEAP_GROWING_PERCENT = 300;

/** Young generation of a processing thread (V8 sizes it as 3 semi-spaces): 32 MB semi-spaces. */
export const THREAD_YOUNG_GENERATION_MB = 96;

export function heapTuningEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CHORUS_FLUX_V8_DEFAULTS !== '1';
}

let applied = false;

/** Sets the process-wide V8 heap flags once (they apply to every thread). Returns whether they are on. */
export function tuneHeap(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!heapTuningEnabled(env)) return false;
  if (!applied) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  applied = true;
  return true;
}

/** resourceLimits for a processing thread (worker_threads). */
export function threadResourceLimits(env: NodeJS.ProcessEnv = process.env): { maxYoungGenerationSizeMb?: number } {
  return heapTuningEnabled(env) ? { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } : {};
}
