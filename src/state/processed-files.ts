/**
 * Which inbound files (by SHA-256 of their content) already have an outcome, so the same
 * file dropped again — a retry, a replay, `run` twice — is recognised and nothing is emitted
 * twice. One small file per content hash, safe on shared storage.
 *
 * A mark has two states. It is written (atomically, one JSON line holding the outcome line)
 * once the file's outputs are durable and just before its outcome goes into the journal; once
 * the journal has it, a second line is appended in place (no new inode). A mark without that
 * second line tells that the attempt was interrupted between the two: whoever meets the
 * content next journals the outcome line from the mark, so neither the outcome nor a second
 * processing of the content (a copy under another name) can come out of that window.
 */
import { closeSync, constants, openSync, promises as fs, writeSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../emit/atomic-write';
import type { FileOutcome, JournalOutput, OutcomeEvent } from '../journal/events';
import type { Finding } from '../model/finding';
import { readFileIfExists } from '../util/read-if-exists';
import { sha256 } from '../util/hash';

export interface ProcessedRecord {
  sha256: string;
  outcome: FileOutcome;
  at: string;
  file: string;
  partner: string;
  outputs: Pick<JournalOutput, 'kind' | 'path'>[];
  /** when the file's upload finished (its mtime): tells a retry of this very file from a re-drop */
  receivedAt?: string;
  /**
   * the outcome line, as journaled: the mark is written just before it, so that after a crash
   * between the two whoever meets the content next can journal it (older marks have none)
   */
  event?: OutcomeEvent;
  /** false while the outcome line may not be in the journal yet (see above); true for older marks */
  journaled: boolean;
  /**
   * when the journal got the outcome line (its `ts`), from the second line: after a crash
   * between the two writes, days after `at` (the retry came late); absent in older marks
   */
  journaledAt?: string;
}

/**
 * The identity an attempt at a content gave its outputs, recorded (durably) before any of them
 * can be written: the name the pivot's NomPJ, the status flows' IdFlux and the CDAR carry, the
 * receipt time of their Horodatage / IssueDateTime, the day of their DtPrd and of the kept
 * original. Output names derive from the content (flow-id.ts); their bytes derive from this.
 * A content processed again with no processed mark (a crash after its outputs went out, a mark
 * lost) takes it back, so its outputs are rewritten with the same bytes even when the same
 * bytes came again under another name, or later.
 */
export interface AttemptRecord {
  sha256: string;
  /** the file's name as its outputs carry it (a readable form when it is not UTF-8) */
  name: string;
  /** its path relative to the inbox (the reason file of a refused original names it) */
  relPath: string;
  partner: string;
  /** its receipt time (receipt-time.ts), ISO */
  receivedAt: string;
  /** the day of its receipt in the installation's zone (archive/, error/, DtPrd) */
  day: string;
  /** when the attempt began */
  at: string;
  /**
   * what its flow ids derive from besides the content (runner/flow-id.ts, flowSeed): its
   * receipt time. Absent in records written before: their flow ids are the content's alone
   */
  flowSalt?: string;
  /**
   * The refusal an operator's `set-aside` gave this content (refuseUnread), recorded before any
   * of its outputs is named: a set-aside killed after naming them and run again with other
   * words refuses with these, so its flows are written again with the same bytes
   */
  refusal?: Finding;
}

/**
 * What a CPRO-DOUBLON-FLUX reply to a partner carries besides its content-derived name and
 * IdFlx: the file name (IdFlux), its receipt time (Horodatage) and day (DtPrd).
 */
export interface ReplyIdentity {
  name: string;
  day: string;
  horodatage: string;
}

/**
 * The names under state/files/<first two hex digits>/: a content's mark, a partner's reply
 * mark, and the record of an attempt's identity (pruned together, prune-marks.ts).
 */
export const MARK_FILE = /^[0-9a-f]{64}\.json$/;
export const REPLY_FILE = /^[0-9a-f]{64}\.reply-[0-9a-f]{16}$/;
/** no `.json` ending: whatever lists marks by their ending does not take it for one */
export const ATTEMPT_FILE = /^[0-9a-f]{64}\.attempt$/;

/** The second line, once the journal has the outcome (a JSON value too: `jq` reads the file), with the line's time. */
const journaledLine = (at: string | undefined) => JSON.stringify(at ? { journaled: true, at } : { journaled: true }) + '\n';

export interface ProcessedFilesOptions {
  /**
   * Told of a mark that cannot be read (empty or torn: marks are not fsynced, and a power cut
   * can leave one so). Such a mark is taken as absent, as a lost one is. Default: nothing.
   */
  onDamaged?: (file: string, reason: string) => void;
}

export class ProcessedFiles {
  constructor(
    private readonly stateDir: string,
    private readonly opts: ProcessedFilesOptions = {},
  ) {}

  private fileFor(sha: string): string {
    return path.join(this.stateDir, 'files', sha.slice(0, 2), `${sha}.json`);
  }

  /**
   * The mark of a content, or undefined when there is none or it cannot be read: a damaged
   * mark is what a lost one is (the file is processed again, same outputs under the same
   * names, the lifecycle keeps its IdCPRO), and the next outcome writes it anew.
   */
  async get(sha: string): Promise<ProcessedRecord | undefined> {
    return this.readMark(this.fileFor(sha));
  }

  /**
   * The mark of a content that lists the output `rel` (relative to the output root): its
   * current mark, or one a reopening retired (`chorus-flux reprocess`, state/reopenings.ts:
   * `<sha256>.retired-<id>.mark`), whose outcome is in the journal all the same. The
   * reconciliation finds by it the day a kept original's outcome was journaled on.
   */
  async getListing(sha: string, rel: string): Promise<ProcessedRecord | undefined> {
    const current = await this.get(sha);
    if (current?.outputs.some((o) => o.path === rel)) return current;
    let names: string[];
    try {
      names = await fs.readdir(path.dirname(this.fileFor(sha)));
    } catch {
      return undefined;
    }
    for (const n of names.filter((x) => x.startsWith(`${sha}.retired-`) && x.endsWith('.mark')).sort()) {
      const rec = await this.readMark(path.join(path.dirname(this.fileFor(sha)), n));
      if (rec?.outputs.some((o) => o.path === rel)) return rec;
    }
    return undefined;
  }

  private async readMark(file: string): Promise<ProcessedRecord | undefined> {
    const bytes = readFileIfExists(file);
    if (bytes === undefined) return undefined;
    const text = bytes.toString('utf8');
    const eol = text.indexOf('\n');
    let rec: ProcessedRecord;
    try {
      rec = JSON.parse(eol < 0 ? text : text.slice(0, eol)) as ProcessedRecord;
      if (typeof rec !== 'object' || rec === null || typeof rec.outcome !== 'string' || !Array.isArray(rec.outputs)) throw new Error('not a processed mark');
    } catch (e) {
      this.opts.onDamaged?.(file, bytes.length === 0 ? 'empty file' : (e as Error).message);
      return undefined;
    }
    // marks written before the two states (no outcome line in them) were written after the journal
    rec.journaled = rec.event === undefined || (eol >= 0 && eol < text.length - 1);
    if (rec.journaled && eol >= 0) {
      try {
        const second = JSON.parse(text.slice(eol + 1).split('\n')[0]) as { at?: unknown };
        if (typeof second?.at === 'string') rec.journaledAt = second.at;
      } catch {
        /* a torn second line (not fsynced): journaled all the same, when unknown */
      }
    }
    return rec;
  }

  /**
   * The mark of the content whose hash starts with `prefix` (a flux job id carries 40 hex
   * digits of it: `retry` and `set-aside` run again find what became of a job gone since).
   */
  async getByPrefix(prefix: string): Promise<ProcessedRecord | undefined> {
    if (!/^[0-9a-f]{2,64}$/.test(prefix)) return undefined;
    let names: string[];
    try {
      names = await fs.readdir(path.join(this.stateDir, 'files', prefix.slice(0, 2)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    for (const n of names) if (MARK_FILE.test(n) && n.startsWith(prefix)) return this.get(n.slice(0, 64));
    return undefined;
  }

  /**
   * Not fsynced: the journal's outcome line, written next and fsynced, is what is durable.
   * Losing the mark in a power cut only makes the file be processed again (same outputs,
   * same names).
   */
  async put(rec: Omit<ProcessedRecord, 'journaled'>): Promise<void> {
    await writeFileAtomic(this.fileFor(rec.sha256), JSON.stringify(rec) + '\n', { durable: false });
  }

  private attemptFor(sha: string): string {
    return path.join(this.stateDir, 'files', sha.slice(0, 2), `${sha}.attempt`);
  }

  /**
   * The identity of an earlier attempt at this content (AttemptRecord), or undefined. One that
   * cannot be read is taken as absent: it was not durable, so neither were the outputs it
   * came before (putAttempt).
   */
  getAttempt(sha: string): AttemptRecord | undefined {
    const file = this.attemptFor(sha);
    const bytes = readFileIfExists(file);
    if (bytes === undefined) return undefined;
    try {
      const rec = JSON.parse(bytes.toString('utf8')) as AttemptRecord;
      if (typeof rec !== 'object' || rec === null || rec.sha256 !== sha || ![rec.name, rec.relPath, rec.partner, rec.receivedAt, rec.day].every((v) => typeof v === 'string')) throw new Error('not an attempt record');
      return rec;
    } catch (e) {
      this.opts.onDamaged?.(file, bytes.length === 0 ? 'empty file' : (e as Error).message);
      return undefined;
    }
  }

  /**
   * Durable when it returns, whatever write batch it runs in (the file and its folder
   * fsynced): the outputs of the attempt may only be named once it is. Kept beside the mark,
   * and pruned with it: a mark lost in a power cut must still find it.
   */
  async putAttempt(rec: AttemptRecord): Promise<void> {
    await writeFileAtomic(this.attemptFor(rec.sha256), JSON.stringify(rec) + '\n', { immediate: true });
  }

  private replyFor(sha: string, partner: string): string {
    // the partner id hashed: an implicit partner is a folder name, not a checked id
    return path.join(this.stateDir, 'files', sha.slice(0, 2), `${sha}.reply-${sha256(partner).slice(0, 16)}`);
  }

  /**
   * Whether `partner` was already told that this content had reached us from another partner
   * (process-file.ts, alreadyProcessed): each partner gets that reply once per content.
   */
  hasReplied(sha: string, partner: string): boolean {
    return this.getReply(sha, partner).replied;
  }

  /**
   * The reply mark of a partner for a content: replied, or a reply begun whose identity
   * (ReplyIdentity) was recorded before it was written and that was not known finished (a
   * crash between): taken back, the reply is written again with the same bytes. A mark of the
   * older form (one line, no identity) is a reply finished.
   */
  getReply(sha: string, partner: string): { replied: boolean; begun?: ReplyIdentity } {
    const file = this.replyFor(sha, partner);
    const bytes = readFileIfExists(file);
    if (bytes === undefined) return { replied: false };
    const text = bytes.toString('utf8');
    const eol = text.indexOf('\n');
    try {
      const rec = JSON.parse(eol < 0 ? text : text.slice(0, eol)) as { begun?: ReplyIdentity };
      if (typeof rec !== 'object' || rec === null) throw new Error('not a reply mark');
      const begun = rec.begun;
      if (begun === undefined) return { replied: true };
      if (![begun.name, begun.day, begun.horodatage].every((v) => typeof v === 'string')) throw new Error('not a reply mark');
      return { replied: eol >= 0 && eol < text.length - 1, begun };
    } catch (e) {
      // torn: it was never durable, nor was a reply written after it; told again
      this.opts.onDamaged?.(file, bytes.length === 0 ? 'empty file' : (e as Error).message);
      return { replied: false };
    }
  }

  /**
   * Durable when it returns (as putAttempt): the reply may only be written once its identity
   * is, so that a crash before markReplied gives the same bytes again, whichever copy comes next.
   */
  async beginReply(sha: string, partner: string, identity: ReplyIdentity): Promise<void> {
    await writeFileAtomic(this.replyFor(sha, partner), JSON.stringify({ sha256: sha, partner, begun: identity }) + '\n', { immediate: true });
  }

  /**
   * Written once the reply and its journal line are durable: a second line appended to the
   * begun mark (or, without one, a mark of the older form). Not fsynced: lost, the next copy
   * from that partner writes the same reply again, under the same name, with the same bytes.
   */
  async markReplied(sha: string, partner: string, at: string): Promise<void> {
    const file = this.replyFor(sha, partner);
    if (this.getReply(sha, partner).begun) {
      const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND);
      try {
        writeSync(fd, JSON.stringify({ replied: true, at }) + '\n');
      } finally {
        closeSync(fd);
      }
      return;
    }
    await writeFileAtomic(file, JSON.stringify({ sha256: sha, partner, at }) + '\n', { durable: false });
  }

  /**
   * The mark's outcome line is in the journal (after its fsync), as the line of time `at` (its
   * `ts`: the day whose journal holds it). Not fsynced either: lost, it costs one repeated line.
   */
  markJournaled(sha: string, at?: string): void {
    let fd: number;
    try {
      // appended in place, never created: a mark removed meanwhile is not replaced by half of one
      fd = openSync(this.fileFor(sha), constants.O_WRONLY | constants.O_APPEND);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      writeSync(fd, journaledLine(at));
    } finally {
      closeSync(fd);
    }
  }
}
