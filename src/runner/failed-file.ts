/**
 * What is known of a file whose processing failed (a system failure: it stays in the inbox for
 * the next run): its SHA-256 once it was read. The runner's `system-error` journal line and
 * log line carry it, so `trace` finds the failure by the file's name or hash, as it finds its
 * other lines.
 */
const SHA256 = Symbol('chorus-flux.failed-file.sha256');

/** Marks a failure with the SHA-256 of the file being processed; returns it, for `throw`. */
export function withFileHash(err: unknown, sha256: string): unknown {
  if (err !== null && typeof err === 'object' && !(SHA256 in err)) Object.defineProperty(err, SHA256, { value: sha256, enumerable: false });
  return err;
}

/** The SHA-256 a failure was marked with, if any. */
export function fileHashOf(err: unknown): string | undefined {
  return err !== null && typeof err === 'object' ? ((err as Record<symbol, string | undefined>)[SHA256] ?? undefined) : undefined;
}
