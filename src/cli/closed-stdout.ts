/**
 * Standard output read by a program that stops early (`validate … | head -1`, `| grep -q`, a
 * mail pipe that died): the next write fails with EPIPE, which, unhandled, ended the command
 * with a stack trace and exit 1 — "invalid" to `validate`'s caller, "anomalies" to
 * `reconcile`'s, and a `reconcile --catch-up` died before the days it had yet to reconcile.
 * The reader has gone: what was left to print is dropped, the work goes on, the exit code is
 * the command's own. Another failure (ENOSPC on a full disk) is said once on stderr, and the
 * command ends with 2 if it would have ended well.
 */
let failed: string | undefined;

export function tolerateClosedStdout(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    if (failed) return;
    failed = e.code ?? e.message;
    process.stderr.write(`chorus-flux: standard output cannot be written (${failed}): what was to be printed is lost\n`);
  });
  process.on('exit', (code) => {
    if (failed && code === 0) process.exitCode = 2;
  });
}

/**
 * Standard error that cannot be written (`2>>/var/log/cf.err` on a full disk, `2>&1 | head -1`,
 * a log pipe that died): the failed write was an unhandled 'error' event, so the command died
 * with exit 1 — "anomalies" for `reconcile` and "invalid" for `validate` where it could not run
 * (2), and `run`, which has no 1, said 1 (found by an operator audit). Nothing can be said
 * anywhere else: the rest of what goes to stderr is dropped, and the command ends with its own
 * exit code.
 */
export function tolerateFailingStderr(stream: NodeJS.WriteStream = process.stderr): void {
  stream.on('error', () => undefined);
}
