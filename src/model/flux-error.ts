/**
 * A refusal of the whole flux for a stated rule: bad bytes, bad XML, unknown root…
 * Thrown by the pure stages, turned into a refusal (error/ + reason.json) by the runner.
 * It is never a crash: only unexpected errors are system failures.
 */
export class FluxError extends Error {
  constructor(
    /** rule id, e.g. FLUX-DTD, FLUX-MALFORMED, CPRO-ROUTAGE */
    readonly rule: string,
    message: string,
    /** XPath-like place in the file, when known */
    readonly path?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'FluxError';
  }
}

export function isFluxError(e: unknown): e is FluxError {
  return e instanceof FluxError;
}
