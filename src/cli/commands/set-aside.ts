/**
 * `chorus-flux set-aside --config <file> --reason <text> <job id>…`: gives the file of a failed
 * flux job its one outcome without processing it — refused with the operator's reason, kept in
 * error/ with a `.reason.json`, the partner told (flow 93, CDAR 501), journaled and marked, the
 * job taken off the failed list. For a file whose processing cannot finish (it ends its worker
 * every time: the job fails as "stalled more than allowable limit"); a job whose cause can be
 * fixed is retried instead (`chorus-flux retry`). Exit 0 when every job named was set aside (now,
 * or before: run again, the command says `already-set-aside`) or found finished, 1 when some
 * could not be, 2 when the queue cannot be read, or Redis was lost on the way (redis-lost.ts:
 * said which jobs were set aside and which were not tried).
 */
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { sweepKeptDays, sweepPartnerStatus } from '../../emit/sweep';
import { receivedMs } from '../../ingest/receipt-time';
import { forgetDepositsOf } from '../../lifecycle/forget-deposits';
import { forgetStatusesOf } from '../../lifecycle/forget-statuses';
import { setAsideFailedJob, type SetAsideReport } from '../../queue/failed-jobs';
import { fluxQueue, type FluxJobData } from '../../queue/flux-queue';
import { contentOfGoneJob, SET_ASIDE_RULE } from '../../queue/gone-job-content';
import { connectRedisOnce } from '../../queue/redis';
import { clearRetryBeingJournaled, clearRetryInDoubt } from '../../queue/retry-seen';
import { ONE_SHOT_REDIS_TIMEOUT_S, redisLost } from '../../queue/redis-lost';
import { untilRedisLost } from '../../queue/until-redis-lost';
import { createDeps } from '../../runner/deps';
import { refuseUnread } from '../../runner/process-file';
import { withFileLock } from '../../state/file-lock';
import { dayOf } from '../../util/clock';
import { sha256 } from '../../util/hash';
import { faultPoint } from '../../util/fault';
import { createLogger } from '../../util/logger';
import { UsageError } from '../../util/usage-error';
import { refuseForeignOwner } from '../owner-guard';

export interface SetAsideOptions {
  config?: string;
  reason?: string;
  json?: boolean;
  asAnyUser?: boolean;
  /** seconds Redis has to answer each request (ONE_SHOT_REDIS_TIMEOUT_S) */
  redisTimeout?: number;
}

export { SET_ASIDE_RULE };

export async function setAsideCommand(ids: string[], opts: SetAsideOptions): Promise<number> {
  if (ids.length === 0) throw new UsageError('name the failed jobs to set aside (their ids, as `chorus-flux jobs` lists them)');
  const reason = opts.reason?.replace(/\s+/g, ' ').trim();
  if (!reason) throw new UsageError('give --reason "<text>": it goes to the partner with the refusal');
  const config = loadConfig(opts.config);
  refuseForeignOwner('set-aside', config, opts);
  const timeoutMs = (opts.redisTimeout ?? ONE_SHOT_REDIS_TIMEOUT_S) * 1000;
  const redis = await connectRedisOnce(config.redis.url, undefined, timeoutMs).catch((e: Error) => {
    throw new UsageError(e.message);
  });
  let lost = false;
  const queue = fluxQueue(config, redis);
  const logger = createLogger({ file: path.join(config.paths.out, 'logs', `set-aside-${new Date().toISOString().replace(/[:.]/g, '-')}.log`), level: 'error' }); // the console shows errors; the file, every line
  // the job's content lock is held here, around the check and the removal, as a worker holds it
  const deps = createDeps(config, { logger, contentLocks: false });
  const locks = path.join(config.paths.state, 'locks');
  const message = `The file was set aside by the operator without being processed: ${reason}`;
  /** An attempt cut short may have taken its invoices' lifecycle decisions without sending them (forget-deposits.ts). */
  const forgetInterruptedDeposits = async (d: FluxJobData): Promise<string | undefined> => {
    const bytes = statSync(d.path).size <= config.limits.maxFileBytes ? await fs.readFile(d.path) : undefined;
    if (!bytes) return undefined; // refused unread by any attempt: no decision taken
    const sha = sha256(bytes);
    if (await deps.processed.get(sha)) return undefined; // finished
    const begun = deps.processed.getAttempt(sha) !== undefined;
    const r = begun ? await forgetDepositsOf(deps.lifecycle, sha, bytes, config.limits.maxInvoiceBytes) : { forgotten: [], kept: [] };
    // a finance SI's flow: the statuses it applied without forwarding them (forget-statuses.ts);
    // its lines can be taken before the attempt's record is on disk: the lifecycle says what was applied
    const st = await forgetStatusesOf(deps.lifecycle, sha, bytes, config.limits.maxInvoiceBytes);
    const notes = [
      r.forgotten.length ? `${r.forgotten.length} invoice(s) an interrupted attempt had recorded without sending them forgotten (${r.forgotten.map((i) => `${i.number}, IdCPRO ${i.idCpro}`).join('; ')}): a corrected file is judged anew` : '',
      r.kept.length ? `${r.kept.length} invoice(s) known before this file kept as they are (${r.kept.map((i) => `${i.number}, IdCPRO ${i.idCpro}, ${i.state}`).join('; ')})` : '',
      st.undone.length ? `the statuses an interrupted attempt had applied to ${st.undone.length} invoice(s) without forwarding them undone (${st.undone.map((i) => `${i.number}, IdCPRO ${i.idCpro}, back to ${i.state}`).join('; ')}): the flow sent again applies them` : '',
      st.kept.length ? `${st.kept.length} invoice(s) whose status from this flow was forwarded, or that moved since, kept as they are (${st.kept.map((i) => `${i.number}, IdCPRO ${i.idCpro}, ${i.state}`).join('; ')})` : '',
    ].filter(Boolean);
    if (notes.length) logger.warn({ sha256: sha, file: d.relPath, forgotten: r.forgotten, kept: r.kept, statusesUndone: st.undone, statusesKept: st.kept }, `set-aside: ${notes.join('; ')}`);
    return notes.join('; ') || undefined;
  };
  try {
    const said = (r: SetAsideReport) => {
      if (!opts.json) process.stdout.write(`${r.result.padEnd(10)} ${r.id}  ${r.file ?? ''}  ${r.detail}\n`);
    };
    const setAside = (id: string) =>
      setAsideFailedJob(queue, id, {
        processingDir: config.paths.processing,
        outcomeOf: async (sha) => (await deps.processed.get(sha))?.outcome,
        contentOfGoneJob: contentOfGoneJob(deps.processed),
        forgetRetries: async (jobId) => {
          await clearRetryInDoubt(config.paths.state, jobId);
          await clearRetryBeingJournaled(config.paths.state, jobId);
        },
        refuse: (d) =>
          withFileLock(path.join(locks, `${d.sha256}.lock`), async () => {
            if (!existsSync(d.path)) return { outcome: (await deps.processed.get(d.sha256))?.outcome ?? 'gone' };
            // refused and journaled by an earlier set-aside of this file, killed before it removed
            // the file: only the removal is left (through refuseUnread, the content met again
            // would be journaled a second time, `already-processed`; until 2026-12-07 it was, and
            // the job said `finished`: test/production/set-aside-killed-twice.test.ts)
            const mark = await deps.processed.get(d.sha256);
            if (mark?.journaled && mark.file === d.relPath && mark.partner === d.partner && (mark.event?.findings ?? []).some((f) => f.rule === SET_ASIDE_RULE)) {
              await fs.unlink(d.path).catch((e: NodeJS.ErrnoException) => {
                if (e.code !== 'ENOENT') throw e;
              });
              return { outcome: mark.outcome, note: 'refused by an earlier set-aside, interrupted before it removed the file: nothing more written' };
            }
            const note = await forgetInterruptedDeposits(d);
            // a set-aside killed while writing the partner's flow left its temp file: no worker's start may come to sweep it
            await sweepPartnerStatus(config, d.partner);
            // nor the error/ copy's or its .reason.json's, in the folder of the file's receipt day
            // (until 2026-12-07 left there until that day's nightly sweep: found by `killfuzz --kill set-aside`)
            await sweepKeptDays(config, [dayOf(new Date(receivedMs(statSync(d.path), config.receiptTime)), config.timezone), ...[deps.processed.getAttempt(d.sha256)?.day ?? []].flat()]);
            const result = await refuseUnread(deps, { path: d.path, name: d.name, relPath: d.relPath, partner: d.partner }, { rule: SET_ASIDE_RULE, severity: 'fatal', message }).catch(async (e: Error) => {
              // journaled as a worker's failed attempt is, so that trace and the reconciliation say why
              logger.error({ err: e, sha256: d.sha256, file: d.relPath, partner: d.partner }, 'set-aside: the refusal could not be written');
              await deps.journal.append({ event: 'system-error', sha256: d.sha256, file: d.relPath, message: `set aside by the operator, but the refusal could not be written: ${e.message}` }).catch(() => undefined);
              throw e;
            });
            faultPoint('after-set-aside-refusal');
            await fs.unlink(d.path).catch((e: NodeJS.ErrnoException) => {
              if (e.code !== 'ENOENT') throw e;
            });
            faultPoint('after-set-aside-unlink');
            // an earlier run's words, recorded before it named its flows, stand (refuseUnread): said, as they are not the ones given
            const said = result.findings[0]?.message;
            const earlier = result.outcome === 'refused' && said !== undefined && said !== message ? `refused with the words of an earlier set-aside, interrupted after it may have sent them, not the ones given now (${said})` : undefined;
            return { outcome: result.outcome, note: [note, earlier].filter(Boolean).join('; ') || undefined };
          }, { staleMs: Math.max(120_000, config.worker.lockDurationMs * 4), timeoutMs: 60_000 }),
      });
    const done = await untilRedisLost(ids, setAside, said, (e) => redisLost(e, config.redis.url, timeoutMs));
    const reports = done.reports;
    lost = done.lost !== undefined;
    const count = (result: SetAsideReport['result']) => reports.filter((r) => r.result === result).length;
    const bad = reports.filter((r) => !['set-aside', 'already-set-aside', 'finished', 'not-tried'].includes(r.result));
    const before = count('already-set-aside'); // said only when some were (the line scripts knew is unchanged)
    if (opts.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    else process.stdout.write(`${count('set-aside')} set aside, ${before ? `${before} already set aside, ` : ''}${count('finished')} already finished, ${bad.length} not set aside${done.lost ? `, ${count('not-tried')} not tried: ${done.lost.short}` : ''}\n`);
    if (done.lost) throw done.lost.saying(`${count('set-aside')} set aside, ${count('not-tried')} not tried; run the same command again once Redis answers`);
    return bad.length > 0 ? 1 : 0;
  } finally {
    await deps.journal.close().catch(() => undefined);
    // Redis lost: its requests unanswered are dropped, not waited for (a quit would wait its deadline again)
    if (lost) redis.disconnect();
    await queue.close().catch(() => undefined);
    if (!lost) await redis.quit().catch(() => undefined);
    logger.flush?.();
  }
}
