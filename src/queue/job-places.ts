/**
 * Where a flux job stands in Redis, as its record and its place in the queue tell it: the
 * watcher's rescan asks it of every claimed file not finished, to know which to queue again.
 *
 * A Redis that evicts keys (maxmemory-policy allkeys-*, eviction-policy.ts) drops whole keys,
 * any of them: a job's record (`<prefix>:flux:<id>`) may stay while the list or set that held
 * its id (wait, active, delayed, failed …) goes, or the reverse. Until 2026-12-07 the rescan
 * asked only whether the record existed:
 * - a record left with no place (its list evicted) was taken for a job still queued: no worker
 *   would ever take it, and its file waited in processing/ for ever, unsaid;
 * - an id left in `wait` without its record was queued again beside it (the id twice in the
 *   list), and a worker that took the id first got a record BullMQ made of nothing (its
 *   `processedOn` alone): no data, failed for good, and that stub, a record again, held the
 *   file in processing/ for ever too.
 *
 * So each id is placed (the lists read once per rescan, then one script per chunk of ids),
 * and what is neither held nor plainly gone is mended by `MEND`, a batch of jobs at a time, in
 * the same transaction as their adds (add-if-new.ts): looked at again there, atomically, it is cleared (the record and every
 * place of the id) so that the add makes the job anew under the same id, or, a job failed for
 * good, put back in the failed list for the operator (never run again unasked).
 */
import type { Queue } from 'bullmq';

/** What the rescan finds of a claimed file's job. */
export type JobPlace =
  /** its record, with data, in a list or set of the queue, or locked by a worker on it: nothing to do */
  | 'held'
  /** neither record nor place (Redis restarted empty, or a completed job's file): queued again as ever */
  | 'gone'
  /** its record, with data, in no list or set and not locked: no worker would take it */
  | 'orphaned'
  /** the same, failed for good (BullMQ's finishedOn and failedReason): the operator's to retry */
  | 'orphaned-failed'
  /** its id in a list or set without its record: a worker taking it would get nothing */
  | 'id-without-record'
  /** a record without data, not locked: BullMQ's stub of an id taken after its record went */
  | 'record-without-data';

/** The queue's lists and sets a job id may be in, as BullMQ's getState reads them. */
const LISTS = ['wait', 'paused', 'active'] as const;
/** the likeliest first: a job retried after a failure waits in `delayed`, one failed for good in `failed` */
const SETS = ['delayed', 'failed', 'prioritized', 'completed', 'waiting-children'] as const;

/**
 * KEYS: the sets (their order above); ARGV[1]: the job-key prefix; then for each id, the id and
 * '1' when it was in one of the lists as they were read just before (jobPlaces), else '0'.
 */
const PLACE = `
local out = {}
for a = 2, #ARGV, 2 do
  local id = ARGV[a]
  local key = ARGV[1] .. id
  local placed = ARGV[a + 1] == '1'
  if not placed then
    for i = 1, #KEYS do
      if redis.call('ZSCORE', KEYS[i], id) then placed = true break end
    end
  end
  local data = redis.call('HEXISTS', key, 'data') == 1
  local answer
  if placed and data then answer = 'held'
  elseif redis.call('EXISTS', key .. ':lock') == 1 then answer = 'held'
  elseif data then
    if redis.call('HEXISTS', key, 'finishedOn') == 1 and redis.call('HEXISTS', key, 'failedReason') == 1 then answer = 'orphaned-failed' else answer = 'orphaned' end
  elseif redis.call('EXISTS', key) == 1 then answer = 'record-without-data'
  elseif placed then answer = 'id-without-record'
  else answer = 'gone' end
  out[#out + 1] = answer
end
return out
`;

/**
 * Placed again and mended, atomically (in the adds' transaction): a job held meanwhile (another
 * watcher's add, a worker's lock) is left alone. KEYS as PLACE's; ARGV[1]: the job-key prefix,
 * then the ids of one batch (distinct). Answers the place found of each, as PLACE does.
 *
 * The lists are read once per batch, here, inside the script (the same atomic view as one read
 * per job), and the ids cleared off each list in one pass at the end, its other ids in their
 * order: a list read and an LREM per job made the mending quadratic in the length of `wait`
 * (20,000 waiting, their records evicted: minutes of Redis; docs/PERFORMANCE.md).
 */
const MEND = `
local lists = {}
for i = 1, ${LISTS.length} do
  local items = redis.call('LRANGE', KEYS[i], 0, -1)
  local has = {}
  for _, v in ipairs(items) do has[v] = true end
  lists[i] = { items = items, has = has, gone = {}, dirty = false }
end
local out = {}
for a = 2, #ARGV do
  local id = ARGV[a]
  local key = ARGV[1] .. id
  local answer
  if redis.call('EXISTS', key .. ':lock') == 1 then answer = 'held' else
    local placed = false
    for i = ${LISTS.length + 1}, ${LISTS.length + SETS.length} do
      if redis.call('ZSCORE', KEYS[i], id) then placed = true break end
    end
    if not placed then
      for i = 1, ${LISTS.length} do
        if lists[i].has[id] then placed = true break end
      end
    end
    local record = redis.call('EXISTS', key) == 1
    local data = record and redis.call('HEXISTS', key, 'data') == 1
    if not record and not placed then answer = 'gone'
    elseif data and placed then answer = 'held'
    else
      if data then
        local finishedOn = redis.call('HGET', key, 'finishedOn')
        if finishedOn and redis.call('HEXISTS', key, 'failedReason') == 1 then
          redis.call('ZADD', KEYS[${LISTS.length + SETS.indexOf('failed') + 1}], tonumber(finishedOn) or 0, id)
          answer = 'orphaned-failed'
        end
      end
      if not answer then
        for i = 1, ${LISTS.length} do
          local l = lists[i]
          if l.has[id] then l.has[id] = nil l.gone[id] = true l.dirty = true end
        end
        for i = ${LISTS.length + 1}, ${LISTS.length + SETS.length} do redis.call('ZREM', KEYS[i], id) end
        redis.call('DEL', key, key .. ':logs')
        if not record then answer = 'id-without-record'
        elseif not data then answer = 'record-without-data'
        else answer = 'orphaned' end
      end
    end
  end
  out[#out + 1] = answer
end
for i = 1, ${LISTS.length} do
  local l = lists[i]
  if l.dirty then
    local kept = {}
    for _, v in ipairs(l.items) do if not l.gone[v] then kept[#kept + 1] = v end end
    redis.call('DEL', KEYS[i])
    for k = 1, #kept, 5000 do redis.call('RPUSH', KEYS[i], unpack(kept, k, math.min(k + 4999, #kept))) end
  end
end
return out
`;

type QueueKeys = Pick<Queue, 'keys' | 'toKey'>;

function placeKeys(queue: QueueKeys): string[] {
  const keys = queue.keys as Record<string, string>;
  return [...LISTS, ...SETS].map((k) => keys[k] ?? queue.toKey(k));
}

/** The arguments of an EVAL of MEND for the jobs of one batch, distinct ids (to run in their adds' transaction). */
export function mendArgs(queue: QueueKeys, jobIds: string[]): [string, number, ...string[]] {
  const keys = placeKeys(queue);
  return [MEND, keys.length, ...keys, queue.toKey(''), ...jobIds];
}

/** Jobs mended, and added, per transaction (docs/PERFORMANCE.md): Redis is held the whole transaction. */
export const MEND_CHUNK = 500;

/** Ids placed by one script (each holds Redis a few ms per thousand ids: docs/PERFORMANCE.md). */
export const PLACE_CHUNK = 1000;

/**
 * Where each job stands, in the order of `ids`. The lists are read once (one MULTI: a job moving
 * between them is seen in one), then the sets and records asked by one script per chunk of
 * PLACE_CHUNK ids. Not one snapshot over all: a job that moved meanwhile (promoted from `delayed`
 * to `wait` after the lists were read) may be taken for orphaned, but MEND, which acts, looks
 * again atomically and leaves a job it finds held alone; a job found held that loses its place
 * after is found at the next rescan.
 */
export async function jobPlaces(queue: Queue, ids: string[], onRedis: <T>(p: Promise<T>) => Promise<T> = (p) => p): Promise<JobPlace[]> {
  if (ids.length === 0) return [];
  const client = await onRedis(queue.backend.client);
  const keys = placeKeys(queue);
  const read = client.multi();
  for (const k of keys.slice(0, LISTS.length)) read.runCommand('lrange', [k, 0, -1]);
  const lists = (await onRedis(read.exec())) ?? [];
  const listed = new Set<string>();
  for (const [err, members] of lists) {
    if (err) throw err;
    for (const id of members as string[]) listed.add(id);
  }
  const sets = keys.slice(LISTS.length);
  const out: JobPlace[] = [];
  for (let k = 0; k < ids.length; k += PLACE_CHUNK) {
    const chunk = ids.slice(k, k + PLACE_CHUNK);
    const answers = (await onRedis(client.runCommand('eval', [PLACE, sets.length, ...sets, queue.toKey(''), ...chunk.flatMap((id) => [id, listed.has(id) ? '1' : '0'])]))) as JobPlace[];
    if (!Array.isArray(answers) || answers.length !== chunk.length) throw new Error(`Redis answered ${String(answers)} for the places of ${chunk.length} job(s)`);
    out.push(...answers);
  }
  return out;
}

/** What the rescan says of a file whose job it found so, and what it did (none for a plain `gone` or `held`). */
export function placeSays(place: JobPlace, policy: string | undefined): string | undefined {
  const why = `Redis evicted keys of the queue${policy && policy !== 'noeviction' ? ` (maxmemory-policy ${policy})` : ''}`;
  switch (place) {
    case 'orphaned':
      // its list evicted, or `active` and the job's lock with a worker still on it: which, the rescan cannot tell
      return `its job's record was in no list of the queue (${why}): no worker would take it from there, though one may still be on it, its lock evicted (the content lock on disk keeps one outcome). The record was removed and the file queued again under the same job id`;
    case 'orphaned-failed':
      return `its job, failed for good, was in no list of the queue (${why}): put back in the failed list, where \`chorus-flux jobs\` shows it (retry or set-aside it); not run again unasked`;
    case 'id-without-record':
      return `its job's id waited in the queue without its record (${why}): the id was taken off and the file queued again under the same job id`;
    case 'record-without-data':
      return `its job's record held no data (${why}; a worker took its id after its record went): the record was removed and the file queued again under the same job id`;
    default:
      return undefined;
  }
}
