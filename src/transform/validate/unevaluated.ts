/**
 * The words in the message of a finding whose rule threw. Its own module: runner/less-checked.ts
 * reads it in journaled findings on `run --threads`' main thread, which must not load the
 * validation rules with the engine (0.1–0.2 s of CPU for a thread that validates nothing).
 */
export const UNEVALUATED = ' could not be evaluated: ';
