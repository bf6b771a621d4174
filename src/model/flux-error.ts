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
    /** the flux kind, when the root was recognised before the refusal (a CPPStatut gets no CDAR) */
    readonly kind?: string,
  ) {
    super(message);
    this.name = 'FluxError';
  }
}

export function isFluxError(e: unknown): e is FluxError {
  return e instanceof FluxError;
}

/**
 * The finding for a reader that failed in an unexpected way (a bug, not the file's fault as far
 * as is known): the file is refused so that it is not lost, and the partner is told plainly; the
 * technical error goes to the operator's log, never into a status flow.
 */
export function unexpectedParseFailure(): { rule: 'FLUX-ILLISIBLE'; severity: 'fatal'; message: string } {
  return { rule: 'FLUX-ILLISIBLE', severity: 'fatal', message: 'The file could not be read: chorus-flux met an unexpected fault while reading it. The operator has the details in the log.' };
}
