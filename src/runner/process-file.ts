/**
 * One inbound file, start to end: fingerprint → parse → validate → lifecycle → enrich →
 * emit → journal. The same function runs in the embedded runner and in BullMQ workers;
 * file system, Redis and clock come in through `PipelineDeps`.
 *
 * Crash safety: every output name is derived from the content (flow ids), the identity the
 * outputs carry (the file's name, receipt time and day) is recorded per content before any of
 * them is named and taken back by a later attempt with no mark (underAttempt), the lifecycle
 * records each deposit before its outputs are written, and the content is marked processed
 * (the mark holding the outcome line) just before the journal gets that line. Processing
 * the same file again after a crash therefore rewrites identical files under identical
 * names; a mark whose line may not have reached the journal gets it from whoever meets the
 * content next; and a byte-identical file of another name that finds the mark ends
 * `already-processed`. So a content has one outcome, whatever moment a crash picked.
 */
import { withFileHash } from './failed-file';
import { PIVOT_UNIT } from '../transform/validate/paths';
import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readFile, statSync, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config, Recipient } from '../config/config';
import { Outbox } from '../emit/outbox';
import { pivotFileName, serializePivotParts, type PivotFlow } from '../emit/pivot/serialize';
import { acceptedCdar, completedCdar, refusedCdar, suspendedCdar, unreadableCdar } from '../emit/cdar-events';
import type { CdarEvent } from '../emit/cdar';
import { partnerFor, sendStatusFlow, type PartnerStatusFlow } from '../emit/partner-status';
import { emitterParty, errorDetails, invoiceStatusLine, partnerRecepteurId } from '../emit/statut/build';
import type { InvoiceStatusLine } from '../emit/statut/serialize';
import type { FileOutcome, JournalEvent, JournalFinding, JournalFlowStatus, JournalInvoice, JournalOutput, OutcomeEvent } from '../journal/events';
import type { Journal } from '../journal/journal';
import { COMPLETION_RECIPIENT_RULE, completionElsewhere } from '../lifecycle/completion-recipient';
import { applyDecision, decideDeposit, type DepositOutcome } from '../lifecycle/deposit';
import { businessKey, type LifecycleRecord } from '../lifecycle/record';
import type { LifecycleStore } from '../lifecycle/store';
import type { StatusFlowHandler } from '../lifecycle/status-handler';
import type { Finding } from '../model/finding';
import { FluxError, isFluxError, unexpectedParseFailure } from '../model/flux-error';
import { FLUX_KINDS, type FluxKind } from '../model/flux';
import type { Invoice } from '../model/invoice';
import { withFileLock } from '../state/file-lock';
import type { IdAllocator } from '../state/id-allocator';
import { heldByOlderVersion } from '../state/older-holder';
import type { AttemptRecord, ProcessedFiles, ProcessedRecord } from '../state/processed-files';
import { findRecipientIn } from '../transform/chorus/routing';
import { partySiret } from '../transform/chorus/siret';
import { enrichInvoice, routeOf, type Route } from '../transform/enrich/enrich';
import { parseFlux, type ParsedInvoiceFlux } from '../transform/parse/flux';
import { parseStatut } from '../transform/parse/statut';
import { validateInvoice, type ValidationFinding } from '../transform/validate/engine';
import { supplierId, supplierIdType } from '../transform/chorus/supplier-id';
import { dayOf, type Clock } from '../util/clock';
import { sha256, sha256OfFile } from '../util/hash';
import { joinReasons, labelNumber } from '../util/reason';
import { flowId, flowSeed } from './flow-id';
import { lastWrittenMs, receivedMs } from '../ingest/receipt-time';
import { sourceOf, type InboundFile } from './inbound-source';
import { faultPoint } from '../util/fault';
import { commitWrites } from '../emit/atomic-write';
import { sweepKeptDays, sweepPartnerStatus } from '../emit/sweep';
import type { KnownFacts } from '../transform/facturx/complete';
import { withWriteBatch, type WriteBatch } from '../emit/write-batch';
import { uniqueNames } from '../transform/enrich/attachment-names';
import { oversizeReason } from '../util/size-limit';
import { replayWindowDays } from '../state/prune-horizon';
import { readOpenedFileSync } from '../util/read-opened-file';

/**
 * The invoice as its Factur-X duplicate carries it: its supporting documents named (BT-122), not
 * their bytes. The pivot carries them as its PJ; copied into the duplicate's CII as well, four
 * 10 MB attachments took a pivot past Chorus Pro's 120 MB per invoice.
 */
function namedAttachmentsOnly(inv: Invoice): Invoice {
  if (!inv.attachments.some((a) => a.content !== undefined && !a.isInvoiceDocument)) return inv;
  return { ...inv, attachments: inv.attachments.map((a) => (a.content === undefined || a.isInvoiceDocument ? a : { ...a, content: undefined })) };
}

/** Makes the Factur-X attachment of an enriched invoice (issue IPM4-AIFE-1), when enabled. */
/** The Factur-X of an accepted invoice; `known` is what its route says (the buyer's name for a pivot that omits it). */
export type FacturXMaker = (invoice: Invoice, known: KnownFacts) => Promise<{ fileName: string; pdf: Uint8Array }>;

export interface PipelineDeps {
  config: Config;
  clock: Clock;
  journal: Journal;
  processed: ProcessedFiles;
  lifecycle: LifecycleStore;
  ids: IdAllocator;
  outbox: Outbox;
  logger: Logger;
  facturx?: FacturXMaker;
  statusFlows?: StatusFlowHandler;
  /**
   * Folder of the per-content locks. When set, a file is processed under the lock of its
   * SHA-256 from the moment it is known, so byte-identical files in flight at once are taken
   * one after the other and the second ends `already-processed`. The BullMQ worker holds that
   * lock around the whole job and leaves this unset.
   */
  contentLocks?: string;
  /** the write batch of the file being processed (inBatch): what its commit makes durable before the outcome is journaled */
  batch?: WriteBatch;
}

/** `deps` as one file sees them: its outputs and lifecycle records go into its write batch. */
function inBatch(deps: PipelineDeps, batch: WriteBatch): PipelineDeps {
  return { ...deps, batch, outbox: deps.outbox.inBatch(batch), lifecycle: deps.lifecycle.inBatch(batch) };
}

/**
 * A file `run` lists but does not take after all: it changed since it was listed as settled
 * (`--min-age`: a partner uploading it again), or it was removed from the inbox before it was
 * read. Not a failure: nothing was done with it; it waits for the next run, or is gone.
 */
export class FileNotTaken extends Error {
  constructor(
    message: string,
    /** 'changed': left in the inbox for the next run; 'gone': removed by someone else */
    readonly why: 'changed' | 'gone',
  ) {
    super(message);
    this.name = 'FileNotTaken';
  }
}

/** A descriptor's whole content, read on the thread pool (a big file would hold the event loop). */
const readFd = promisify(readFile) as (fd: number) => Promise<Buffer>;

/** A file listed as a regular file that is something else now: left, not read (the scan skips it). */
function notRegular(file: InboundFile, st: { isSymbolicLink(): boolean; isFIFO(): boolean; isDirectory(): boolean }): FileNotTaken {
  const what = st.isSymbolicLink() ? 'a symbolic link' : st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a folder' : 'not a regular file';
  return new FileNotTaken(`${file.relPath} became ${what} after it was listed: not followed, not read; the scan skips it from now on`, 'changed');
}

function changed(file: InboundFile, mtimeMs: number): FileNotTaken {
  return new FileNotTaken(`${file.relPath} was modified after it was listed as settled (${new Date(mtimeMs).toISOString()}): it may be uploading again, and is left in the inbox for the next run`, 'changed');
}

/** Why an inbound file could not be opened for reading, as the pipeline says it. */
function notOpened(file: InboundFile, source: string | Buffer, e: NodeJS.ErrnoException): Error {
  if (e.code === 'ENOENT') return new FileNotTaken(`${file.relPath} was removed from the inbox before it was read: nothing was done with it`, 'gone');
  if (e.code === 'ELOOP') return notRegular(file, { isSymbolicLink: () => true, isFIFO: () => false, isDirectory: () => false });
  // a socket (ENXIO), or a device that refuses to be opened: what is there says why
  let st: Stats | undefined;
  try {
    st = lstatSync(source);
  } catch {
    /* gone meanwhile: the open's error stands */
  }
  if (st && !st.isFile()) return notRegular(file, st);
  return new SystemFailure(`cannot read ${file.path}: ${e.message}`, e);
}

export type { InboundFile };
export { sourceOf };

/** Where the time of one file went, in milliseconds (for the benchmarks and the logs). */
export interface StageTimings {
  read: number;
  parse: number;
  validate: number;
  lifecycle: number;
  enrich: number;
  facturx: number;
  emit: number;
}

export interface FileResult {
  sha256: string;
  file: string;
  partner: string;
  outcome: FileOutcome | 'already-processed';
  kind?: string;
  invoices: JournalInvoice[];
  outputs: JournalOutput[];
  findings: JournalFinding[];
  /** an inbound CPPStatut's flow statuses (about flows chorus-flux sent) */
  flows?: JournalFlowStatus[];
  /** from the start to the outcome on disk (the journal's `ms` stops before the final fsyncs) */
  ms: number;
  timings?: StageTimings;
}

/** A failure that is not the input's fault (I/O, Redis…): the file is left for a retry. */
export class SystemFailure extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'SystemFailure';
  }
}

interface Verdict {
  index: number;
  invoice: Invoice;
  findings: ValidationFinding[];
  status: 'accepted' | 'suspended' | 'refused' | 'duplicate' | 'completed' | 'recycled' | 'still-suspended';
  recipient?: Recipient;
  route?: Route;
  record?: LifecycleRecord;
  idCpro?: string;
  renvoi?: 'Non' | 'Complétée' | 'Recyclée';
  reason?: string;
  /** the IdCPRO a deposited pivot carried, before ours replaces it */
  sourceIdCpro?: string;
}

function toJournalFindings(findings: readonly Finding[]): JournalFinding[] {
  return findings.map((f) => ({ rule: f.rule, severity: f.severity, path: f.path, line: f.line, message: f.message }));
}

function invoiceLabel(inv: Invoice, index: number): string {
  return `Facture ${inv.number === undefined ? `n°${index + 1}` : labelNumber(inv.number)}`;
}

/** The seller's electronic address (BT-34) to keep in the lifecycle record, when it has one. */
function sellerAddressOf(inv: Invoice): LifecycleRecord['sellerAddress'] {
  const a = inv.seller.electronicAddress;
  return a && a.value.trim() !== '' ? { value: a.value, scheme: a.scheme } : undefined;
}

/** How a CDAR 501 names an invoice without number (BT-1): its file, and its position in a multi-invoice flow. */
function unnamedInvoice(fileName: string, index: number, multi: boolean): string {
  return multi ? `${fileName}#${index + 1}` : fileName;
}

export interface ProcessFileOptions {
  /**
   * Told when the file turns out to hold `bytes` input bytes in memory, more than its size on
   * disk (a Factur-X's XML that inflates past the PDF's size), for the runner's in-flight budget
   * (in-flight-budget.ts): a promise to wait for room, or undefined when it is counted at once.
   */
  holds?: (bytes: number) => Promise<void> | undefined;
}

export function processFile(deps: PipelineDeps, file: InboundFile, opts: ProcessFileOptions = {}): Promise<FileResult> {
  return withWriteBatch((batch) => processFileInBatch(inBatch(deps, batch), file, opts));
}

async function processFileInBatch(deps: PipelineDeps, file: InboundFile, opts: ProcessFileOptions): Promise<FileResult> {
  const started = process.hrtime.bigint();
  const { config, outbox } = deps;
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);

  const source = sourceOf(file);
  const tRead = msNow();
  // the file itself, never what a link points to, and no wait on a FIFO: listed as a regular
  // file, it may have been swapped since for a link (to /etc/passwd, read and archived as the
  // partner's) or a FIFO (the run hung on it, deaf to SIGTERM). What is judged and read is what
  // the descriptor's fstat says: an lstat before the open said the same one system call earlier
  let fd: number;
  try {
    fd = openSync(source, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    throw notOpened(file, source, e as NodeJS.ErrnoException);
  }
  let stat: Stats;
  let bytes: Buffer | undefined;
  try {
    stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(file, stat);
    if (file.settledBefore !== undefined && lastWrittenMs(stat) > file.settledBefore) throw changed(file, lastWrittenMs(stat));
    // an oversize file is refused without being read into memory; a small file is read
    // synchronously: cheaper than a thread-pool round trip (with the size just fstat'ed:
    // readFileSync would fstat it again)
    if (stat.size <= config.limits.maxFileBytes) bytes = stat.size <= 4 * 1024 * 1024 ? readOpenedFileSync(fd, stat.size) : await readFd(fd);
  } catch (e) {
    if (e instanceof FileNotTaken) throw e;
    throw new SystemFailure(`cannot read ${file.path}: ${(e as Error).message}`, e);
  } finally {
    closeSync(fd);
  }
  const receivedAt = new Date(receivedMs(stat, config.receiptTime)); // stable across retries (receipt-time.ts)
  const day = dayOf(receivedAt, config.timezone);
  const horodatage = receivedAt.toISOString();
  if (bytes === undefined) {
    const error = new FluxError('FLUX-TAILLE', oversizeReason(stat.size, config.limits.maxFileBytes));
    return refuseUnreadFile(deps, file, stat.size, receivedAt, elapsed, fluxFinding(error));
  }
  if (file.settledBefore !== undefined) {
    // written to while it was read: what was read may be half of it
    const after = statSync(source, { throwIfNoEntry: false });
    if (after && (after.mtimeMs !== stat.mtimeMs || after.size !== bytes.length)) throw changed(file, after.mtimeMs);
  }
  const sha = sha256(bytes);
  // read before the lock is ours (a worker read it before its own: file.olderAttempt)
  const olderAttempt = file.olderAttempt === true || (deps.contentLocks !== undefined && heldByOlderVersion(path.join(deps.contentLocks, `${sha}.lock`)));
  return underContentLock(deps, sha, async () => {
    const log = deps.logger.child({ sha256: sha, file: file.relPath, partner: file.partner });
    const previous = await deps.processed.get(sha);
    if (previous) return seenBefore(deps, file, day, horodatage, sha, previous, elapsed(), log, bytes);
    const attempt = deps.processed.getAttempt(sha);
    const u: Unmarked = { file, sha, bytes, size: bytes.length, day, horodatage, log, elapsed, known: { attempt }, ...(olderAttempt ? { olderAttempt } : {}) };
    // an operator's set-aside of this content, interrupted after its refusal may have gone out
    // (recorded before any of its flows was named): that refusal is finished, the file not
    // processed. Until 2026-12-07 a `retry` of the job after such a set-aside had the worker
    // accept the file, its 93 FLUX-ECARTE and CDAR 501 left out, listed by no outcome: the
    // partner told refused while its invoices went on (test/production/set-aside-then-retry.test.ts)
    if (attempt?.refusal) return finishRefusal(deps, u, attempt.refusal);
    return underAttempt(deps, u, (file, ctx) => processRead(deps, file, ctx, bytes, tRead, opts));
  });
}

/** A file read whole, with no processed mark: parsed, judged, its outputs written, its outcome journaled. */
async function processRead(deps: PipelineDeps, file: InboundFile, ctx: FileCtx, bytes: Buffer, tRead: number, opts: ProcessFileOptions): Promise<FileResult> {
  const { sha, log } = ctx;
  log.info({ bytes: bytes.length }, 'received');
  ctx.t.read = msNow() - tRead;

  let parsed;
  const tParse = msNow();
  try {
    // only an XML bigger than the PDF is more than counted already
    const holds = opts.holds;
    parsed = await parseFlux(bytes, { maxEmbeddedBytes: deps.config.limits.maxInvoiceBytes, embeddedXmlBytes: holds && ((n) => (n > bytes.length ? holds(n) : undefined)) });
  } catch (e) {
    if (isFluxError(e)) return refuseFile(deps, file, ctx, [fluxFinding(e)], e.kind as FluxKind | undefined);
    // a parser bug must not lose the file: refuse it with the reason, keep the original
    log.error({ err: e }, 'unexpected parse failure');
    return refuseFile(deps, file, ctx, [unexpectedParseFailure()], undefined);
  }

  ctx.t.parse = msNow() - tParse;
  if (parsed.kind === FLUX_KINDS.STATUT) {
    if (!deps.statusFlows) {
      return refuseFile(deps, file, ctx, [{ rule: 'FLUX-STATUT', severity: 'fatal', message: 'Inbound CPPStatut flows are not accepted by this installation.' }], parsed.kind);
    }
    const r = await deps.statusFlows.apply({ deps, file, sha, flowSeed: ctx.flowSeed, bytes, xml: parsed.xml, day: ctx.day, horodatage: ctx.horodatage, name: ctx.name, log });
    ctx.idFlx = r.idFlux;
    if (r.refused) return refuseFile(deps, file, ctx, r.findings, parsed.kind, r.outputs, r.invoices, r.idFlux);
    return finish(deps, file, ctx, 'status-applied', parsed.kind, r.invoices, [...r.outputs, await keepOriginal(deps, file, ctx, 'archive')], r.findings, r.flows);
  }
  ctx.idFlx = parsed.pivotEnvelope?.parameters.find((p) => p.code === 'IdFlx')?.value || undefined;
  return processInvoices(deps, file, ctx, parsed);
}

/**
 * Refuses a file without reading it as a flux: its bytes are hashed as a stream, kept in
 * error/ with the finding, the partner told (93, CDAR 501), the outcome journaled and marked.
 * An oversize file goes this way, and a file an operator sets aside (`chorus-flux set-aside`:
 * one whose processing ends its worker every time). A content that has an outcome already
 * gets that outcome, as in processFile.
 */
export function refuseUnread(plainDeps: PipelineDeps, file: InboundFile, finding: Finding): Promise<FileResult> {
  return withWriteBatch(async (batch) => {
    const deps = inBatch(plainDeps, batch);
    const started = process.hrtime.bigint();
    let stat;
    try {
      stat = statSync(sourceOf(file));
    } catch (e) {
      throw new SystemFailure(`cannot stat ${file.path}: ${(e as Error).message}`, e);
    }
    const receivedAt = new Date(receivedMs(stat, deps.config.receiptTime));
    return refuseUnreadFile(deps, file, stat.size, receivedAt, () => Number((process.hrtime.bigint() - started) / 1_000_000n), finding, true);
  });
}

/**
 * `recorded`: the finding is the operator's (set-aside), recorded in the attempt's record before
 * any output is named, and an earlier attempt's recorded one is taken instead: a set-aside killed
 * after its flows were named (before its mark) and run again with other words writes them again
 * with the same bytes. Until 2026-12-07 it wrote the 93 (CDAR 501, .reason.json) again under the
 * same names with the new words, where the partner may have taken the first (found by `killfuzz
 * --kill set-aside`; test/production/set-aside-killed-twice.test.ts). A recorded refusal stands
 * for a file refused otherwise too (an oversize file's FLUX-TAILLE, once its job is retried):
 * until 2026-12-07 its 93 and CDAR 501 were rewritten with those words under the same names.
 */
async function refuseUnreadFile(deps: PipelineDeps, file: InboundFile, size: number, receivedAt: Date, elapsed: () => number, finding: Finding, recorded = false): Promise<FileResult> {
  const day = dayOf(receivedAt, deps.config.timezone);
  const horodatage = receivedAt.toISOString();
  const sha = await sha256OfFile(sourceOf(file));
  return underContentLock(deps, sha, async () => {
    const log = deps.logger.child({ sha256: sha, file: file.relPath, partner: file.partner });
    const previous = await deps.processed.get(sha);
    if (previous) return seenBefore(deps, file, day, horodatage, sha, previous, elapsed(), log, undefined);
    // an operator's refusal recorded by an earlier set-aside stands, whatever refuses the file now
    // (a set-aside run again with other words, or an oversize file's FLUX-TAILLE once retried)
    const attempt = deps.processed.getAttempt(sha);
    const u: Unmarked = { file, sha, bytes: undefined, size, day, horodatage, log, elapsed, known: { attempt } };
    if (attempt?.refusal) return finishRefusal(deps, u, attempt.refusal, recorded ? finding : undefined);
    if (!recorded) return underAttempt(deps, u, (file, ctx) => refuseFile(deps, file, ctx, [finding], undefined));
    if (attempt) {
      const withRefusal = { ...attempt, refusal: finding };
      await deps.processed.putAttempt(withRefusal).catch((e: Error) => {
        throw new SystemFailure(`the refusal of ${file.relPath} could not be recorded in the state folder: ${e.message}`, e);
      });
      return underAttempt(deps, { ...u, known: { attempt: withRefusal } }, (file, ctx) => refuseFile(deps, file, ctx, [finding], undefined));
    }
    return underAttempt(deps, { ...u, refusal: finding }, (file, ctx) => refuseFile(deps, file, ctx, [finding], undefined));
  });
}

/**
 * Finishes the refusal an operator's `set-aside` recorded for this content (AttemptRecord.refusal)
 * and was interrupted in: its flows (93 FLUX-ECARTE, CDAR 501), the error/ copy and its
 * .reason.json written again under the same names with the same bytes, the outcome journaled
 * `refused` and marked, the file not read as a flux. Once recorded, those flows may be out (a
 * partner may have taken them): whoever meets the content next — set-aside run again, whatever
 * its words (`given`), or a worker or `run` after a `retry` — tells the partner nothing else.
 */
async function finishRefusal(deps: PipelineDeps, u: Unmarked, refusal: Finding, given?: Finding): Promise<FileResult> {
  if (given === undefined || given.message !== refusal.message) {
    u.log.warn(
      { recorded: refusal.message, ...(given ? { given: given.message } : {}) },
      given
        ? 'an earlier refusal of this file, interrupted after it may have written its flows, is finished with its own words, not the ones given now'
        : 'an operator set this file aside, and was interrupted after its refusal may have gone out to the partner: that refusal is finished, the file is not processed',
    );
  }
  // the set-aside may have been killed while writing one of those flows (or the error/ copy, its
  // .reason.json): its temp file goes, as `set-aside` run again sweeps it; a worker's start, the
  // only other sweep of statut/ and cdar/, may not come for weeks. Until 2026-12-07 a worker that
  // finished the refusal after a `retry` left it there (found by `killfuzz --kill set-aside`'s
  // retries; test/production/set-aside-then-retry.test.ts). Only temp files of writers gone (or an hour old) go
  const first = u.known?.attempt;
  await sweepPartnerStatus(deps.config, first?.partner ?? u.file.partner).catch((e: Error) => u.log.warn({ err: e }, 'the temp files of an interrupted set-aside could not be swept'));
  await sweepKeptDays(deps.config, [u.day, ...(first ? [first.day] : [])]).catch((e: Error) => u.log.warn({ err: e }, 'the temp files of an interrupted set-aside could not be swept'));
  return underAttempt(deps, u, (file, ctx) => refuseFile(deps, file, ctx, [refusal], undefined));
}

/** A content with no processed mark, about to be processed (processFile, refuseUnread). */
interface Unmarked {
  file: InboundFile;
  sha: string;
  bytes: Buffer | undefined;
  size: number;
  /** the file's own receipt day and time */
  day: string;
  horodatage: string;
  log: Logger;
  elapsed: () => number;
  /** an operator's refusal, recorded with a new attempt's identity (refuseUnreadFile) */
  refusal?: Finding;
  /** the content's attempt record as read already under its lock (undefined inside: none), so that underAttempt reads it once */
  known?: { attempt: AttemptRecord | undefined };
  /** its lock held or left by a version before attempt records (state/older-holder.ts) */
  olderAttempt?: true;
}

/**
 * Processes a content that has no processed mark under the identity its outputs must carry.
 * Output names derive from the content (flow-id.ts), their bytes from the file's name and
 * receipt time: when an earlier attempt at the same bytes was interrupted after its outputs
 * were written and before its mark (a kill, state/ full, a mark lost in a power cut), the same
 * bytes arriving again under another name, or later, would rewrite those outputs — a pivot a
 * finance SI may have taken, a status flow a partner may have read — under the same names and
 * IdFlx with other bytes. So the first attempt records its identity (state/files/<xx>/<sha256>.attempt,
 * durable before any output is named), and every later attempt without a mark takes it back
 * for its outputs; the journal still says which file this one is (`received`, `outcome` with
 * `replayOf`).
 *
 * When that attempt was another partner's file, it is finished first as that file (its status
 * flows were that partner's, and may be out), and this one is then a copy from another partner:
 * `already-processed`, told DOUBLON — what would have happened without the crash.
 */
async function underAttempt(deps: PipelineDeps, u: Unmarked, body: (file: InboundFile, ctx: FileCtx) => Promise<FileResult>): Promise<FileResult> {
  const { file, sha, log } = u;
  const attempt = u.known ? u.known.attempt : deps.processed.getAttempt(sha);
  if (attempt && attempt.partner !== file.partner) {
    const first: InboundFile = { path: file.path, rawPath: file.rawPath, name: attempt.name, relPath: attempt.relPath, partner: attempt.partner };
    log.warn({ interrupted: { file: attempt.relPath, partner: attempt.partner, receivedAt: attempt.receivedAt } }, `the same content was being processed as ${attempt.relPath} from ${attempt.partner} when that attempt was interrupted: it is finished first, with the outputs it had begun; this file is then a copy`);
    const firstLog = deps.logger.child({ sha256: sha, file: first.relPath, partner: first.partner });
    await body(first, startCtx(deps, { ...u, file: first, day: attempt.day, horodatage: attempt.receivedAt, log: firstLog }, attempt));
    const mark = await deps.processed.get(sha);
    if (mark) return seenBefore(deps, file, u.day, u.horodatage, sha, mark, u.elapsed(), log, u.bytes);
  }
  return body(file, startCtx(deps, u, attempt));
}

/**
 * The context of one attempt: its `received` line appended, the identity of its outputs taken
 * from an earlier attempt's record, or recorded as this one's (awaited before any output is
 * named: by keepOriginal, by finish before the commit).
 */
function startCtx(deps: PipelineDeps, u: Unmarked, attempt: AttemptRecord | undefined): FileCtx {
  const { file, sha, size, day, horodatage } = u;
  const received = journalReceived(deps, { event: 'received', sha256: sha, file: file.relPath, partner: file.partner, bytes: size, receivedAt: horodatage, ...rawNameOf(file) });
  const base = { sha, bytes: u.bytes, log: u.log, elapsed: u.elapsed, t: newTimings(), received, receivedAt: horodatage };
  if (attempt) {
    const same = attempt.name === file.name && attempt.relPath === file.relPath && attempt.receivedAt === horodatage;
    if (!same) u.log.warn({ replayOf: { file: attempt.relPath, receivedAt: attempt.receivedAt } }, `an earlier attempt at the same content, as ${attempt.relPath} received ${attempt.receivedAt}, was interrupted after it may have written its outputs: they are written again as they were, naming that file and dated so`);
    return { ...base, name: attempt.name, relPath: attempt.relPath, day: attempt.day, horodatage: attempt.receivedAt, flowSeed: flowSeed(sha, attempt), attempt: Promise.resolve(), ...(same ? {} : { replayOf: { file: attempt.relPath, receivedAt: attempt.receivedAt } }) };
  }
  // a new attempt: its receipt time salts its flow ids (flow-id.ts), the same bytes dropped again
  // once their mark was pruned being another flow. Not after an older version's attempt, which
  // named its outputs from the content alone: they are named so again (overwritten, not doubled)
  if (u.olderAttempt) u.log.warn('an older version of chorus-flux (before 2026-12-06) was processing this content when it stopped, and may have written its outputs: they are written again under the names it gave them');
  const rec: AttemptRecord = { sha256: sha, name: file.name, relPath: file.relPath, partner: file.partner, receivedAt: horodatage, day, at: deps.clock.now().toISOString(), ...(u.olderAttempt ? {} : { flowSalt: horodatage }), ...(u.refusal ? { refusal: u.refusal } : {}) };
  const recorded = deps.processed.putAttempt(rec);
  recorded.catch(() => undefined); // awaited by keepOriginal and finish; a file that fails before that is retried anyway
  return { ...base, name: file.name, relPath: file.relPath, day, horodatage, flowSeed: flowSeed(sha, rec), attempt: recorded };
}

/**
 * Runs `fn` under the lock of this content when the deps ask for it (see PipelineDeps.contentLocks).
 * A failure leaves marked with the content's SHA-256, for the runner's system-error line.
 */
function underContentLock<T>(deps: PipelineDeps, sha: string, fn: () => Promise<T>): Promise<T> {
  const run = deps.contentLocks ? withFileLock(path.join(deps.contentLocks, `${sha}.lock`), fn, { staleMs: 120_000, timeoutMs: 10 * 60_000 }) : fn();
  return run.catch((e: unknown) => {
    throw withFileHash(e, sha);
  });
}

/**
 * Appends the `received` line without waiting for its fsync: the file is processed meanwhile
 * (one device round trip less per file). The line only has to be durable before the outcome,
 * which `finish` checks; a crash before that leaves the file to a retry, which writes it again.
 */
function rawNameOf(file: InboundFile): { rawName?: string } {
  return file.rawRelPath ? { rawName: file.rawRelPath } : {};
}

function journalReceived(deps: PipelineDeps, event: Extract<JournalEvent, { event: 'received' }>): Promise<void> {
  const written = deps.journal.append(event).then(() => undefined);
  written.catch(() => undefined); // read by finish; a file that fails before that is retried anyway
  return written;
}

interface FileCtx {
  /** the `received` line's append, awaited before the outcome */
  received: Promise<void>;
  /** the attempt record's durable write (underAttempt), awaited before any output is named (attemptRecorded) */
  attempt: Promise<void>;
  sha: string;
  /** what its flow ids derive from: the content and the attempt's salt (flow-id.ts, flowSeed) */
  flowSeed: readonly string[];
  bytes: Buffer | undefined;
  /**
   * What the outputs carry: the file's name (NomPJ, IdFlux, CDAR, the kept original), its path
   * (a reason file), its receipt day (DtPrd, archive/, error/) and time (Horodatage). This
   * file's own, or an interrupted earlier attempt's at the same bytes (underAttempt).
   */
  name: string;
  relPath: string;
  day: string;
  horodatage: string;
  /** this file's own receipt time (its mark's `receivedAt`: tells its own retry from a copy) */
  receivedAt: string;
  /** the earlier attempt whose identity the outputs carry, when it is not this file's */
  replayOf?: { file: string; receivedAt: string };
  log: Logger;
  elapsed: () => number;
  t: StageTimings;
  /** the sender's id for the flow (its envelope's IdFlx), once read: journaled, for `trace` */
  idFlx?: string;
}

function newTimings(): StageTimings {
  return { read: 0, parse: 0, validate: 0, lifecycle: 0, enrich: 0, facturx: 0, emit: 0 };
}

const msNow = () => Number(process.hrtime.bigint()) / 1e6;

function fluxFinding(e: FluxError): Finding {
  const f: Finding = { rule: e.rule, severity: 'fatal', message: e.message };
  if (e.path !== undefined) f.path = e.path;
  if (e.line !== undefined) f.line = e.line;
  return f;
}

/**
 * A content that already has a processed mark. When the mark says its outcome line may not be
 * in the journal (an attempt interrupted between the two writes), the line is journaled from
 * the mark first. Then this file is that outcome when it is the interrupted file itself (its
 * retry), else a copy: `already-processed`.
 */
async function seenBefore(deps: PipelineDeps, file: InboundFile, day: string, horodatage: string, sha: string, previous: ProcessedRecord, ms: number, log: Logger, bytes: Buffer | undefined): Promise<FileResult> {
  const event = previous.event;
  const copy = { deps, file, day, horodatage, sha, previous, ms, log, bytes };
  if (previous.journaled || !event) return alreadyProcessed(copy);
  // identical to the line the interrupted attempt may have written: counted once by readers
  const line = await deps.journal.append(event);
  deps.processed.markJournaled(sha, line.ts);
  const ownRetry = event.file === file.relPath && event.partner === file.partner && previous.receivedAt === horodatage;
  log.info({ outcome: event.outcome, outputs: event.outputs.map((o) => o.path), interruptedFile: event.file }, `outcome of ${event.file} journaled from its processed mark (its attempt was interrupted before the journal had it)`);
  if (!ownRetry) return alreadyProcessed(copy);
  return { sha256: sha, file: event.file, partner: event.partner, outcome: event.outcome, kind: event.kind, invoices: event.invoices, outputs: event.outputs, findings: event.findings ?? [], ms };
}

/** A file whose bytes already have an outcome, met again. */
interface SeenCopy {
  deps: PipelineDeps;
  file: InboundFile;
  day: string;
  horodatage: string;
  sha: string;
  previous: ProcessedRecord;
  ms: number;
  log: Logger;
  /** its bytes when read (not for an oversize file) */
  bytes: Buffer | undefined;
}

async function alreadyProcessed(copy: SeenCopy): Promise<FileResult> {
  const { deps, file, day, sha, previous, ms, log } = copy;
  // an earlier attempt at this very file may have kept its copy and then crashed before its
  // outcome was journaled, while a byte-identical file was finished: list that copy here
  const own = new Set(previous.outputs.map((o) => o.path));
  const leftovers = deps.outbox.keptCopies(day, file.name, sha).filter((o) => !own.has(o.path));
  const reply = await replyToOtherPartner(copy);
  const outputs = [...leftovers, ...reply];
  if (reply.length > 0) await commitWrites(deps.batch);
  await deps.journal.append({ event: 'already-processed', sha256: sha, file: file.relPath, partner: file.partner, previous: previous.outcome, previousAt: previous.at, ...(outputs.length ? { outputs } : {}), ...(reply.length ? { previousPartner: previous.partner } : {}) });
  if (reply.length > 0) {
    await deps.processed.markReplied(sha, file.partner, deps.clock.now().toISOString());
    log.warn({ previous: previous.outcome, previousAt: previous.at, previousPartner: previous.partner, outputs: reply.map((o) => o.path) }, `duplicate of a file received from ${previous.partner}: nothing emitted but the CPRO-DOUBLON-FLUX reply to ${file.partner}`);
  } else {
    log.info({ previous: previous.outcome, previousAt: previous.at }, 'already processed (same content): nothing emitted');
  }
  return { sha256: sha, file: file.relPath, partner: file.partner, outcome: 'already-processed', invoices: [], outputs, findings: [], ms };
}

/**
 * The same bytes from another partner than the one whose file was processed: without a word
 * that partner would never hear of its file, so it is told once per content that the flow is
 * a duplicate (flow status 93 CPRO-DOUBLON-FLUX; for CDAR partners, 213 DOUBLON per invoice). A
 * copy from the same partner (a re-upload) has had its status flows already and gets nothing.
 */
async function replyToOtherPartner(copy: SeenCopy): Promise<JournalOutput[]> {
  const { deps, file, sha, previous, bytes } = copy;
  if (previous.partner === file.partner) return [];
  const mark = deps.processed.getReply(sha, file.partner);
  if (mark.replied) return [];
  // a reply begun and not known finished (a crash between) is written again as it was, even
  // from a copy under another name or of a later day: the partner may have taken it already
  const { name, day, horodatage } = mark.begun ?? { name: file.name, day: copy.day, horodatage: copy.horodatage };
  if (!mark.begun) await deps.processed.beginReply(sha, file.partner, { name, day, horodatage });
  const finding: Finding = {
    rule: 'CPRO-DOUBLON-FLUX',
    severity: 'fatal',
    // which operator sent it first, when, and what came of it is not this partner's to know (as for CPRO-DOUBLON); the log says it
    message: 'DOUBLON: the same file (identical bytes) was already received, through another operator, and processed; nothing is emitted twice.',
  };
  copy.log.info({ first: { partner: previous.partner, receivedAt: previous.receivedAt ?? previous.at, outcome: previous.outcome } }, 'the same file came first from another partner: told DOUBLON');
  const cdar: (CdarEvent | undefined)[] = [];
  // the reply answers the content's current attempt: once pruned and deposited again, another flow
  const seed = flowSeed(sha, deps.processed.getAttempt(sha));
  // the flow as its sender names it (its IdFlx, as every other 93 / 96 does) and its invoices,
  // to name them in CDAR (a flow refused unreadable has neither)
  const parsed = bytes ? await parseFlux(bytes, { schemaStructure: false, maxEmbeddedBytes: deps.config.limits.maxInvoiceBytes }).catch(() => undefined) : undefined;
  const idFlx = parsed && (parsed.kind === FLUX_KINDS.STATUT ? parseStatut(parsed.xml.node).idFlx : parsed.pivotEnvelope?.parameters.find((p) => p.code === 'IdFlx')?.value);
  if (parsed && parsed.kind !== FLUX_KINDS.STATUT && partnerFor(deps.config, file.partner).statusFormats.includes('CDAR')) {
    const platform = partnerRecepteurId(partnerFor(deps.config, file.partner));
    parsed.invoices.forEach((inv, i) => cdar.push(refusedCdar(inv, [finding], { messageId: flowId(...seed, 'cdar', 'doublon', file.partner, i), at: horodatage, receivedAt: horodatage }, platform, unnamedInvoice(name, i, parsed.invoices.length > 1))));
  }
  return sendToPartner(
    deps,
    file.partner,
    { dtPrd: day, idFlx: flowId(...seed, 'statut', '93', 'doublon', file.partner), flux: [{ idStatut: '93', horodatage, idFlux: idFlx?.trim() || name, commentaire: finding.message, errors: errorDetails([finding]) }] },
    cdar,
  );
}

/** Writes the status flow toward the depositor in each format the partner asked for. */
function sendToPartner(deps: PipelineDeps, partnerId: string, flow: PartnerStatusFlow | undefined, cdar: (CdarEvent | undefined)[] = []): Promise<JournalOutput[]> {
  return sendStatusFlow(deps, partnerId, flow, cdar);
}

async function refuseFile(
  deps: PipelineDeps,
  file: InboundFile,
  ctx: FileCtx,
  findings: Finding[],
  kind: string | undefined,
  extraOutputs: JournalOutput[] = [],
  invoices: JournalInvoice[] = [],
  /** the sender's id for the flow, its IdFlx when it has one (the XSD: "Identifiant chez le producteur du flux") */
  idFlux = ctx.idFlx ?? ctx.name,
): Promise<FileResult> {
  const { outbox } = deps;
  const outputs: JournalOutput[] = [...extraOutputs];
  const fatal = findings.filter((f) => f.severity === 'fatal');
  outputs.push(
    ...(await sendToPartner(
      deps,
      file.partner,
      {
        dtPrd: ctx.day,
        idFlx: flowId(...ctx.flowSeed, 'statut', '93'),
        flux: [{ idStatut: '93', horodatage: ctx.horodatage, idFlux, commentaire: fatal[0]?.message, errors: errorDetails(fatal) }],
      },
      kind === FLUX_KINDS.STATUT ? [] : [unreadableCdar(ctx.name, partnerRecepteurId(partnerFor(deps.config, file.partner)), fatal, { messageId: flowId(...ctx.flowSeed, 'cdar', '501'), at: ctx.horodatage, receivedAt: ctx.horodatage })],
    )),
  );
  const kept = await keepOriginal(deps, file, ctx, 'error');
  outputs.push(kept);
  outputs.push(
    await outbox.writeReason(kept.path, {
      file: ctx.relPath,
      partner: file.partner,
      sha256: ctx.sha,
      kind,
      outcome: 'refused',
      findings: toJournalFindings(findings),
      invoices,
    }),
  );
  ctx.log.warn({ rules: fatal.map((f) => f.rule) }, `refused: ${fatal[0]?.rule ?? ''} ${fatal[0]?.message ?? ''}`);
  return finish(deps, file, ctx, 'refused', kind, invoices, outputs, findings);
}

/**
 * Keeps the original in archive/ or error/, once this attempt's record is durable: the original
 * takes its name there at once (a no-clobber link), not at the commit. Kept first, a kill before
 * the record's fsync returned left the copy and no record, and a copy of the content under
 * another name was then processed as a new attempt, its original kept a second time
 * (test/foundation/twins-after-a-kill.test.ts, after-archive). The record was requested before
 * the parse: it is done by now, but on a device slow to flush.
 */
async function keepOriginal(deps: PipelineDeps, file: InboundFile, ctx: FileCtx, kind: 'archive' | 'error'): Promise<JournalOutput> {
  await attemptRecorded(file, ctx);
  // an oversize file is streamed, never read whole
  const kept = ctx.bytes ? await deps.outbox.keepOriginal(kind, ctx.day, ctx.name, ctx.bytes, ctx.sha) : await deps.outbox.keepLargeOriginal(kind, ctx.day, ctx.name, sourceOf(file), ctx.sha);
  faultPoint(kind === 'archive' ? 'after-archive' : 'after-error', file.name);
  return kept;
}

/** The attempt record durable (underAttempt), before any output of the file is named. */
async function attemptRecorded(file: InboundFile, ctx: FileCtx): Promise<void> {
  try {
    await ctx.attempt;
  } catch (e) {
    throw new SystemFailure(`the identity of this attempt at ${file.relPath} could not be recorded in the state folder: ${(e as Error).message}`, e);
  }
}

async function finish(
  deps: PipelineDeps,
  file: InboundFile,
  ctx: FileCtx,
  outcome: FileOutcome,
  kind: string | undefined,
  invoices: JournalInvoice[],
  outputs: JournalOutput[],
  findings: Finding[],
  flows?: JournalFlowStatus[],
): Promise<FileResult> {
  const jf = toJournalFindings(findings);
  const ms = ctx.elapsed();
  const t = ctx.t;
  try {
    await ctx.received;
  } catch (e) {
    throw new SystemFailure(`the journal could not record the receipt of ${file.relPath}: ${(e as Error).message}`, e);
  }
  await attemptRecorded(file, ctx);
  // every output of this file is made durable, together, before the journal lists it (and
  // those a partner takes are named): after the attempt record, so a replay writes the same bytes
  await commitWrites(deps.batch);
  faultPoint('before-journal', file.name);
  const event: OutcomeEvent = { event: 'outcome', sha256: ctx.sha, file: file.relPath, partner: file.partner, kind, ...(ctx.idFlx ? { idFlx: ctx.idFlx.slice(0, 200) } : {}), outcome, invoices, outputs, findings: jf.length ? jf : undefined, ...(flows ? { flows } : {}), ...(ctx.replayOf ? { replayOf: ctx.replayOf } : {}), ms };
  // the mark first (holding the outcome line), then the line, then the mark says so: after a
  // crash right here, whoever meets the content next journals the line from the mark, and a
  // copy of this content under another name ends already-processed instead of being
  // processed again with its own archive copy (two outcomes for one content)
  await deps.processed.put({ sha256: ctx.sha, outcome, at: deps.clock.now().toISOString(), file: file.relPath, partner: file.partner, receivedAt: ctx.receivedAt, outputs: outputs.map((o) => ({ kind: o.kind, path: o.path })), event });
  faultPoint('after-mark', file.name);
  const line = await deps.journal.append(event);
  deps.processed.markJournaled(ctx.sha, line.ts);
  const total = ctx.elapsed();
  // emit: writing the outputs, up to the outcome on disk
  t.emit = Math.max(0, total - t.read - t.parse - t.validate - t.lifecycle - t.enrich - t.facturx);
  ctx.log.info({ outcome, kind, invoices: invoices.length, outputs: outputs.map((o) => o.path), ms: total }, `outcome: ${outcome}`);
  return { sha256: ctx.sha, file: file.relPath, partner: file.partner, outcome, kind, invoices, outputs, findings: jf, ...(flows ? { flows } : {}), ms: total, timings: t };
}

/** In a flow of several invoices, a finding's path says which one: CPPFacturePivotUnitaire[n]. */
function whichInvoice(findings: readonly Finding[], index: number): void {
  for (const f of findings) if (f.path?.startsWith(`${PIVOT_UNIT}/`)) f.path = `${PIVOT_UNIT}[${index + 1}]${f.path.slice(PIVOT_UNIT.length)}`;
}

/** Validation and lifecycle decision for each invoice of the flux. */
async function judge(deps: PipelineDeps, ctx: FileCtx, file: InboundFile, flux: ParsedInvoiceFlux): Promise<Verdict[]> {
  const chorus = { recipients: deps.config.recipients, limits: deps.config.limits };
  const verdicts: Verdict[] = [];
  // read at most once per file, and only when an invoice's record holds an earlier deposit of
  // these bytes: shorter than the retention when marks were pruned shorter (state/prune-horizon.ts)
  let replayDays: number | undefined;
  const replayWithinDays = () => (replayDays ??= replayWindowDays(deps.config.paths.state, deps.config.retention.processedMarksDays));
  for (const [index, invoice] of flux.invoices.entries()) {
    const tv = msNow();
    const findings = validateInvoice({ invoice, chorus }, 'chorus');
    ctx.t.validate += msNow() - tv;
    if (flux.invoices.length > 1) whichInvoice(findings, index);
    const unevaluated = findings.filter((f) => f.unevaluated);
    // the journal keeps them as warnings; the operator must hear of it: the invoice was not fully checked
    if (unevaluated.length > 0) ctx.log.error({ invoice: invoice.number, rules: unevaluated.map((f) => f.rule), errors: unevaluated.map((f) => f.message) }, 'validation rules could not be evaluated: the invoice was not fully checked (a fault of chorus-flux; please report it)');
    const fatal = findings.filter((f) => f.severity === 'fatal');
    const recipient = findRecipientIn(deps.config.recipients, partySiret(invoice.buyer));
    if (fatal.some((f) => !f.suspendable) || !recipient || invoice.number === undefined) {
      verdicts.push({ index, invoice, findings, status: 'refused', sourceIdCpro: invoice.chorus.idCpro });
      continue;
    }
    const completable = fatal.length > 0;
    const suspendReason = completable ? joinReasons(fatal.map((f) => f.message)) : undefined;
    const recepteurId = routeOf(invoice, recipient).recepteurId;
    const sid = supplierId(invoice) ?? '';
    const number = invoice.number;
    const key = businessKey(sid, number, invoice.issueDate);
    const tl = msNow();
    const v = await deps.lifecycle.update<{ d: DepositOutcome; record: LifecycleRecord | undefined; elsewhere?: string }>(sid, number, async (records) => {
      const record = records.find((r) => r.key === key);
      const d = decideDeposit(record, { sha256: ctx.sha, index, completable, now: deps.clock.now(), replayWithinDays });
      if (d.replay) return { result: { d, record } };
      // a completion of what a finance SI suspended goes to that SI: refused, nothing recorded, when it names another
      const elsewhere = record && (d.decision === 'complete' || d.decision === 'still-suspended') ? completionElsewhere(deps.config, record, recipient, recepteurId) : undefined;
      if (elsewhere) return { result: { d, record, elsewhere } };
      const now = deps.clock.now().toISOString();
      let rec = record;
      if (!rec) {
        const id = await deps.ids.next();
        rec = {
          key,
          supplierId: sid,
          number,
          issueDate: invoice.issueDate,
          idCpro: id.toString(),
          state: 'DEPOSEE',
          typeCode: invoice.typeCode,
          supplierIdType: supplierIdType(invoice),
          sellerName: invoice.seller.name ?? invoice.seller.tradingName,
          sellerAddress: sellerAddressOf(invoice),
          buyerName: invoice.buyer.name ?? invoice.buyer.tradingName,
          buyerSiret: recipient.siret,
          partner: file.partner,
          montantHT: invoice.totals.taxExclusive,
          montantTTC: invoice.totals.taxInclusive,
          history: [{ at: now, state: 'DEPOSEE', by: 'supplier', sha256: ctx.sha, file: file.relPath }],
          outputs: [],
          deposits: [],
        };
        records.push(rec);
      }
      rec.deposits.push({ sha256: ctx.sha, index, decision: d.decision, renvoi: d.renvoi, at: now });
      applyDecision(rec, d.decision, d.renvoi, {
        at: now,
        sha256: ctx.sha,
        file: file.relPath,
        recepteurId,
        buyerSiret: recipient.siret,
        buyerName: invoice.buyer.name ?? invoice.buyer.tradingName,
        sellerAddress: sellerAddressOf(invoice),
        partner: file.partner,
        reason: suspendReason,
        montantHT: invoice.totals.taxExclusive,
        montantTTC: invoice.totals.taxInclusive,
      });
      return { records, result: { d, record: rec } };
    });
    ctx.t.lifecycle += msNow() - tl;
    const record = v.record as LifecycleRecord;
    if (v.elsewhere) {
      const finding: ValidationFinding = { rule: COMPLETION_RECIPIENT_RULE, severity: 'fatal', message: v.elsewhere };
      verdicts.push({ index, invoice, findings: [...findings, finding], status: 'refused', record, idCpro: record.idCpro, reason: v.elsewhere, sourceIdCpro: invoice.chorus.idCpro });
      continue;
    }
    const status: Verdict['status'] =
      v.d.decision === 'new' ? 'accepted'
        : v.d.decision === 'complete' ? 'completed'
          : v.d.decision === 'recycle' ? 'recycled'
            : v.d.decision === 'suspend' ? 'suspended'
              : v.d.decision === 'still-suspended' ? 'still-suspended'
                : 'duplicate';
    const reason = status === 'duplicate'
      ? record.partner === file.partner
        ? `DOUBLON: the invoice ${number} of supplier ${sid} (${(invoice.issueDate ?? '').slice(0, 4)}) is already known (IdCPRO ${record.idCpro}, state ${record.state}); it is refused as a duplicate.`
        : // deposited through another partner: its IdCPRO and state are not this partner's to know
          `DOUBLON: the invoice ${number} of supplier ${sid} (${(invoice.issueDate ?? '').slice(0, 4)}) is already known (deposited through another operator); it is refused as a duplicate.`
      : status === 'suspended' || status === 'still-suspended'
        ? suspendReason
        : undefined;
    const dupFinding: ValidationFinding[] = status === 'duplicate' ? [{ rule: 'CPRO-DOUBLON', severity: 'fatal', message: reason as string }] : [];
    verdicts.push({ index, invoice, findings: [...findings, ...dupFinding], status, recipient, record, idCpro: record.idCpro, renvoi: v.d.renvoi, reason, sourceIdCpro: invoice.chorus.idCpro });
  }
  return verdicts;
}

/**
 * Invoices per output pivot at most. The invoices of one route go in one pivot flow; a bigger
 * multi-invoice flow (a pivot of 10,000 invoices took 2 GB with its Factur-X held until the
 * end) is written as several, each as soon as it is full, and their Factur-X released.
 */
export const PIVOT_CHUNK = 500;

/** Writes the pivot of a route's invoices gathered so far and empties the group. */
async function writePivotChunk(deps: PipelineDeps, ctx: FileCtx, group: { route: Route; invoices: Verdict[] }): Promise<JournalOutput> {
  const { route, invoices } = group;
  group.invoices = [];
  const flow: PivotFlow = {
    dtPrd: ctx.day,
    idFlx: flowId(...ctx.flowSeed, 'pivot', route.recepteurId, route.csmoe, invoices.map((v) => v.index).join(','), invoices[0].renvoi),
    parameters: route.csmoe ? [{ code: 'CSMOE', value: route.csmoe }] : undefined,
    recepteur: { id: route.recepteurId, label: route.recepteurLabel },
    emetteur: emitterParty(deps.config),
    invoices: invoices.map((v) => v.invoice),
  };
  const written = await deps.outbox.writePivot(route.recepteurId, pivotFileName(flow), serializePivotParts(flow), {
    idCpro: invoices.map((v) => v.idCpro as string),
    renvoi: invoices.map((v) => v.renvoi ?? 'Non'),
  });
  // the status lines and messages still to come read the invoice, never its Factur-X bytes
  for (const v of invoices) v.invoice = { ...v.invoice, attachments: v.invoice.attachments.filter((a) => a.pivot?.categoriePJ !== 'DUPLICATA_FACTUR-X') };
  return written;
}

async function processInvoices(deps: PipelineDeps, file: InboundFile, ctx: FileCtx, flux: ParsedInvoiceFlux): Promise<FileResult> {
  const { config, outbox } = deps;
  const verdicts = await judge(deps, ctx, file, flux);
  const outputs: JournalOutput[] = [];
  const multi = flux.invoices.length > 1;

  // enrich what goes out (accepted, completed, recycled): one pivot per route
  const byRoute = new Map<string, { route: Route; invoices: Verdict[] }>();
  for (const v of verdicts) {
    if (v.status !== 'accepted' && v.status !== 'completed' && v.status !== 'recycled') continue;
    const recipient = v.recipient as Recipient;
    const sourceDocument = flux.kind === FLUX_KINDS.PIVOT ? undefined : { fileName: ctx.name, content: ctx.bytes as Uint8Array };
    const te = msNow();
    const e = enrichInvoice(v.invoice, { idCpro: v.idCpro as string, receptionDate: ctx.day, renvoi: v.renvoi ?? 'Non', recipient, sourceDocument });
    ctx.t.enrich += msNow() - te;
    v.invoice = e.invoice;
    v.route = e.route;
    // a deposited pivot's CSMOE (IPM4-043) is the routing table's to decide: said when it is not kept
    const csmoeIn = flux.pivotEnvelope?.parameters.find((p) => p.code === 'CSMOE')?.value.trim();
    if (csmoeIn && csmoeIn !== e.route.csmoe) {
      v.findings.push({
        rule: 'CPRO-PIVOT-CSMOE',
        severity: 'warning',
        path: '/CPPFacturePivot/Enveloppe/EnveloppeUnitaire/Parametres/ParametreIndiv/Valeurparametre',
        message: `The deposited pivot names the MOE code service ${csmoeIn.slice(0, 40)} (CSMOE); the routing table sends this invoice to ${e.route.recepteurId}${e.route.csmoe ? ` with CSMOE ${e.route.csmoe}` : `, its finance system, without CSMOE (${recipient.moe ? 'not a works invoice the routing table sends to the MOE' : 'no MOE is configured for this recipient'})`}.`,
      });
    }
    // one Factur-X per invoice (IPM4-AIFE-1): a pivot that carries one already (our own output
    // deposited again, another platform's) keeps it; a second, poorer one went beside it, of the same name
    const carriesFacturX = e.invoice.attachments.some((a) => a.pivot?.categoriePJ === 'DUPLICATA_FACTUR-X');
    if (deps.facturx && !carriesFacturX) {
      const tf = msNow();
      try {
        const fx = await deps.facturx(namedAttachmentsOnly(e.invoice), { buyerName: recipient.name });
        const nomPJ = uniqueNames([...e.invoice.attachments.map((a) => a.pivot?.nomPJ ?? ''), fx.fileName]).pop() as string;
        v.invoice.attachments.push({ fileName: fx.fileName, content: fx.pdf, pivot: { typePJ: '02', categoriePJ: 'DUPLICATA_FACTUR-X', mimeTypePJ: 'application/pdf', nomPJ } });
      } catch (err) {
        // a fault of the generator, not of the invoice: the pivot goes out without it, loudly
        v.findings.push({ rule: 'CPRO-FACTURX', severity: 'warning', message: `The Factur-X attachment could not be generated (${(err as Error).message.slice(0, 200)}); the pivot is emitted without it.` });
        ctx.log.error({ err, invoice: e.invoice.number }, 'Factur-X generation failed');
      }
      ctx.t.facturx += msNow() - tf;
    }
    // the inbound file as the invoice document (TypePJ 01) is itself a PJ of the pivot, bound by
    // the attachment limit (10 MB): an E1 that embeds a 9 MB document is 12 MB. Over it, left out
    // when the pivot carries the Factur-X (its data is there, the original in archive/); kept
    // without one (the pivot would hold no copy of the invoice, maybe no PJ at all: the XSD wants one)
    const document = sourceDocument && v.invoice.attachments.find((a) => a.content === sourceDocument.content);
    if (document?.content && document.content.length > config.limits.maxAttachmentBytes) {
      const withFacturX = v.invoice.attachments.some((a) => a.pivot?.categoriePJ === 'DUPLICATA_FACTUR-X');
      if (withFacturX) v.invoice = { ...v.invoice, attachments: v.invoice.attachments.filter((a) => a !== document) };
      v.findings.push({
        rule: 'CPRO-PJ-FACTURE',
        severity: 'warning',
        message: `The invoice's own file (${document.content.length} bytes) is over the ${config.limits.maxAttachmentBytes + 1}-byte limit of one attachment: ${withFacturX ? 'it is not attached to the pivot as the invoice document (TypePJ 01); the pivot and its Factur-X carry its data, its attachments are each their own PJ, and the original is kept in archive/' : 'it is attached to the pivot all the same, as its invoice document (there is no Factur-X to carry its data): the finance system may refuse it'}.`,
      });
    }
    const k = `${e.route.recepteurId}|${e.route.csmoe ?? ''}|${v.renvoi ?? 'Non'}`;
    const group = byRoute.get(k) ?? { route: e.route, invoices: [] };
    group.invoices.push(v);
    byRoute.set(k, group);
    // a big multi-invoice flow is written as it goes: memory stays bounded by the chunk
    if (group.invoices.length >= PIVOT_CHUNK) outputs.push(await writePivotChunk(deps, ctx, group));
  }
  for (const group of byRoute.values()) if (group.invoices.length > 0) outputs.push(await writePivotChunk(deps, ctx, group));

  faultPoint('after-pivots', file.name);

  // status flows toward the depositor: rejections, duplicates, suspensions (and acceptances when asked)
  const stamp = (v: Verdict, what: string) => ({ messageId: flowId(...ctx.flowSeed, 'cdar', what, v.index), at: ctx.horodatage, receivedAt: ctx.horodatage });
  const refusedish = verdicts.filter((v) => v.status === 'refused' || v.status === 'duplicate');
  const goesOn = verdicts.filter((v) => v.status !== 'refused' && v.status !== 'duplicate');
  if (refusedish.length > 0) {
    const allFatal = refusedish.flatMap((v) => v.findings.filter((f) => f.severity === 'fatal').map((f) => ({ ...f, message: multi ? `${invoiceLabel(v.invoice, v.index)} : ${f.message}` : f.message })));
    const idStatut = goesOn.length > 0 ? '96' : '93';
    const platform = partnerRecepteurId(partnerFor(config, file.partner));
    const cdar = refusedish.map((v) => refusedCdar(v.invoice, v.findings, stamp(v, 'refused'), platform, unnamedInvoice(ctx.name, v.index, multi)));
    outputs.push(
      ...(await sendToPartner(
        deps,
        file.partner,
        { dtPrd: ctx.day, idFlx: flowId(...ctx.flowSeed, 'statut', idStatut), flux: [{ idStatut, horodatage: ctx.horodatage, idFlux: ctx.idFlx ?? ctx.name, commentaire: allFatal[0]?.message, errors: errorDetails(allFatal) }] },
        cdar,
      )),
    );
    if (multi) {
      const lines = refusedish
        .map((v) => invoiceStatusLine(v.invoice, '05', ctx.horodatage, v.findings.filter((f) => f.severity === 'fatal').map((f) => `${f.rule} ${f.message}`).join(' '), 'Rejetée'))
        .filter((l): l is InvoiceStatusLine => l !== undefined);
      if (lines.length > 0) {
        outputs.push(...(await sendToPartner(deps, file.partner, { dtPrd: ctx.day, idFlx: flowId(...ctx.flowSeed, 'statut', '05'), factures: lines })));
      }
    }
  }
  const suspended = verdicts.filter((v) => v.status === 'suspended' || v.status === 'still-suspended');
  if (suspended.length > 0) {
    const lines = suspended
      .map((v) => invoiceStatusLine(v.invoice, '06', ctx.horodatage, v.reason, 'Suspendue'))
      .filter((l): l is InvoiceStatusLine => l !== undefined);
    const cdar = suspended.map((v) => suspendedCdar(v.invoice, v.findings, stamp(v, 'suspended')));
    outputs.push(...(await sendToPartner(deps, file.partner, { dtPrd: ctx.day, idFlx: flowId(...ctx.flowSeed, 'statut', '06'), factures: lines }, cdar)));
  }
  const delivered = verdicts.filter((v) => v.status === 'accepted' || v.status === 'completed' || v.status === 'recycled');
  if (delivered.length > 0 && partnerFor(config, file.partner).notifyAccepted) {
    const lines = delivered
      .flatMap((v) => [invoiceStatusLine(v.invoice, '01', ctx.horodatage, undefined, 'Déposée'), invoiceStatusLine(v.invoice, '03', ctx.horodatage, undefined, 'Mise à disposition')])
      .filter((l): l is InvoiceStatusLine => l !== undefined);
    const cdar = delivered.flatMap((v) => acceptedCdar(v.invoice, stamp(v, 'accepted')));
    outputs.push(...(await sendToPartner(deps, file.partner, { dtPrd: ctx.day, idFlx: flowId(...ctx.flowSeed, 'statut', '03'), factures: lines }, cdar)));
  }
  // COMPLETEE toward whoever receives the completed pivot: the recipient's finance SI, or the
  // MOE for a works invoice routed to it (it suspended the invoice; the SI never had it)
  for (const v of verdicts.filter((x) => x.status === 'completed')) {
    const line = invoiceStatusLine(v.invoice, '12', ctx.horodatage, 'Facture complétée par le fournisseur', 'Complétée');
    const r = v.recipient as Recipient;
    const toMoe = v.route?.toMoe === true;
    const recepteurId = v.route?.recepteurId ?? r.recepteurId;
    const label = toMoe ? v.route?.recepteurLabel : r.name;
    outputs.push(
      ...(await sendStatusFlow(
        deps,
        toMoe ? recepteurId : (r.statusPartner ?? recepteurId),
        line ? { dtPrd: ctx.day, idFlx: flowId(...ctx.flowSeed, 'statut', '12', v.index), recepteur: { id: recepteurId, label }, factures: [line] } : undefined,
        [completedCdar(v.invoice, stamp(v, 'completed'))],
      )),
    );
  }

  faultPoint('after-status', file.name);

  const accepted = verdicts.filter((v) => v.status === 'accepted' || v.status === 'completed' || v.status === 'recycled');
  let outcome: FileOutcome;
  if (refusedish.length === verdicts.length) outcome = verdicts.every((v) => v.status === 'duplicate') ? 'duplicate' : 'refused';
  else if (refusedish.length > 0) outcome = 'partial';
  else if (accepted.length === 0) outcome = 'suspended';
  else outcome = 'accepted';

  const invoices: JournalInvoice[] = verdicts.map((v) => ({
    key: v.record?.key,
    number: v.invoice.number,
    supplierId: supplierId(v.invoice),
    buyerSiret: partySiret(v.invoice.buyer),
    idCpro: v.idCpro,
    // a deposited pivot's own IdCPRO (another platform's), replaced by ours: kept, for trace
    ...(v.sourceIdCpro?.trim() && v.sourceIdCpro !== v.idCpro ? { sourceIdCpro: v.sourceIdCpro.slice(0, 40) } : {}),
    recepteurId: v.route?.recepteurId,
    outcome: v.status === 'still-suspended' ? 'suspended' : v.status,
    renvoi: v.renvoi,
    montantHT: v.invoice.totals.taxExclusive,
    montantTTC: v.invoice.totals.taxInclusive,
    // what the amounts mean: a credit or a debit, and in which currency (reconcile/summarize.ts)
    ...(v.invoice.typeCode?.trim() ? { typeCode: v.invoice.typeCode.trim().slice(0, 10) } : {}),
    ...(v.invoice.currency?.trim() ? { currency: v.invoice.currency.trim().slice(0, 10) } : {}),
    findings: v.findings.length ? toJournalFindings(v.findings) : undefined,
  }));
  const allFindings = verdicts.flatMap((v) => (multi ? v.findings.map((f) => ({ ...f, message: `${invoiceLabel(v.invoice, v.index)} : ${f.message}` })) : v.findings));

  if (outcome === 'refused' || outcome === 'duplicate') {
    const kept = await keepOriginal(deps, file, ctx, 'error');
    outputs.push(kept);
    outputs.push(await outbox.writeReason(kept.path, { file: ctx.relPath, partner: file.partner, sha256: ctx.sha, kind: flux.kind, outcome, findings: toJournalFindings(allFindings), invoices }));
    const first = allFindings.find((f) => f.severity === 'fatal');
    ctx.log.warn({ rules: allFindings.filter((f) => f.severity === 'fatal').map((f) => f.rule) }, `${outcome}: ${first?.rule ?? ''} ${first?.message ?? ''}`);
  } else {
    outputs.push(await keepOriginal(deps, file, ctx, 'archive'));
    // the invoices of the file that did not go out, each named with its reason: the outcome line
    // says "partial" or "suspended", and the operator asked about one must not need the journal
    for (const v of verdicts) {
      const first = v.findings.find((f) => f.severity === 'fatal') ?? v.findings[0];
      const said = { invoice: v.invoice.number, index: v.index, rules: v.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule) };
      if (v.status === 'refused' || v.status === 'duplicate') ctx.log.warn(said, `invoice ${v.invoice.number ?? `n°${v.index + 1}`} ${v.status}: ${first?.rule ?? ''} ${first?.message ?? ''}`);
      else if (v.status === 'suspended' || v.status === 'still-suspended') ctx.log.info(said, `invoice ${v.invoice.number ?? `n°${v.index + 1}`} suspended (its supplier was told, SUSPENDU): ${first?.rule ?? ''} ${first?.message ?? ''}`);
    }
  }
  return finish(deps, file, ctx, outcome, flux.kind, invoices, outputs, allFindings);
}
