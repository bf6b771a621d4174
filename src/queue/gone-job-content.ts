/**
 * What became of the content of a flux job no longer in the queue: `set-aside` removes the job
 * once its file is refused, BullMQ drops completed jobs after a day. A script that stopped
 * half-way and is run again with the same ids must hear that the wanted state holds, not
 * "no job has this id" (exit 1). The job id carries the start of the content's hash
 * (fluxJobId); the content's processed mark says its outcome.
 */
import type { ProcessedFiles } from '../state/processed-files';
import type { GoneJobContent } from './failed-jobs';

/** The rule id of a file set aside by the operator. */
export const SET_ASIDE_RULE = 'FLUX-ECARTE';

export function contentOfGoneJob(processed: ProcessedFiles): (shaPrefix: string) => Promise<GoneJobContent | undefined> {
  return async (prefix) => {
    const mark = await processed.getByPrefix(prefix);
    if (!mark) return undefined; // never processed, or its mark pruned: the id stays unknown
    return { outcome: mark.outcome, file: mark.file, setAside: (mark.event?.findings ?? []).some((f) => f.rule === SET_ASIDE_RULE) };
  };
}
