/**
 * Fault injection for the crash tests. Unset in production, it costs one comparison.
 * Points: after-archive, after-error (a file's original just kept in archive/ or error/),
 * after-pivots, after-status, after-status-lines (a finance SI's CPPStatut: its lines
 * applied, nothing forwarded yet), before-journal, after-mark; and `chorus-flux reject`'s
 * after-reject-lifecycle (REJETEE recorded, nothing written), after-reject-flows (its status
 * flows written, not journaled), after-reject-journal (journaled, not marked so); and `run
 * --remove`'s between-removals (of a taken file and its .done marker, the first removed only);
 * and `watch`'s after-claim (a file of a partner with doneMarker renamed into processing/, its
 * marker not removed yet); and `worker`'s before-unlink (a claimed file's outcome journaled and
 * marked, the file not removed from processing/ yet), before-retry-journal and
 * after-retry-journal (an operator's retry of the job found, its `requeued` line not journaled
 * yet, or journaled and its marks not taken off yet: queue/retry-seen.ts); and `chorus-flux
 * retry`'s after-retry-queued (a job queued again, its `requeued` line not journaled yet); and `chorus-flux
 * set-aside`'s after-set-aside-refusal (the refusal written, journaled and marked, the claimed
 * file still in processing/) and after-set-aside-unlink (the claimed file removed, its job still
 * failed), the refusal itself going through the processing points after-error, before-journal,
 * after-mark; and `prune`'s after-prune-horizon (state/prune-horizon.json written, nothing
 * removed), after-prune-attempt and after-prune-reply (a content's attempt record, or one of its
 * reply marks, removed, its processed mark not yet); and `chorus-flux reprocess`'s
 * after-reopen-record (the reopening recorded, not journaled), after-reopen-journal (its
 * `reopened` line journaled, not recorded so), after-reopen-journaled (recorded, nothing
 * retired), after-reopen-retire-attempt (the refused attempt's record retired, its mark not),
 * after-reopen-retire (both retired, no copy), after-reopen-copy-chosen (the copy's name
 * recorded, the copy not made), after-reopen-copy-temp (its temp file written in the inbox,
 * `.<name>.<host>~<pid>~…tmp`, not named yet) and after-reopen-copy (made, not recorded so).
 *
 * - `CHORUS_FLUX_FAULT=<point>`: the process kills itself (SIGKILL, no clean-up) right there.
 * - `CHORUS_FLUX_FAULT=thread:<point>:<text>`: a worker thread of `run` stops right there
 *   (process.exit in a thread ends the thread alone) while processing a file whose name
 *   contains <text>: a thread that dies mid-file, as a bug could make it.
 * - `CHORUS_FLUX_FAULT=delay:<point>:<ms>`: the process waits that long at a `faultDelay`
 *   point, its event loop free, to hold a narrow window open (`worker`'s after-worker-start:
 *   its BullMQ workers taking jobs, the start's last checks of the queues not done yet).
 */
import { isMainThread } from 'node:worker_threads';

const target = process.env.CHORUS_FLUX_FAULT;
const threadFault = target?.startsWith('thread:') ? target.slice('thread:'.length).split(':') : undefined;

const delayFault = target?.startsWith('delay:') ? target.slice('delay:'.length).split(':') : undefined;

/** Resolves at once, or after the delay `CHORUS_FLUX_FAULT=delay:<name>:<ms>` asks at this point. */
export async function faultDelay(name: string): Promise<void> {
  if (delayFault === undefined || delayFault[0] !== name) return;
  await new Promise((r) => setTimeout(r, Number(delayFault[1] ?? 0)));
}

export function faultPoint(name: string, fileName?: string): void {
  if (target === undefined) return;
  if (target === name) process.kill(process.pid, 'SIGKILL');
  if (threadFault && !isMainThread && threadFault[0] === name && fileName !== undefined && fileName.includes(threadFault[1] ?? '')) process.exit(70);
}
