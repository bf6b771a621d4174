/**
 * Which inbound files (by SHA-256 of their content) already have an outcome, so the same
 * file dropped again — a retry, a replay, `run` twice — is recognised and nothing is emitted
 * twice. One small JSON file per content hash, written atomically; safe on shared storage.
 */
import path from 'node:path';
import { writeFileAtomic } from '../emit/atomic-write';
import type { FileOutcome, JournalOutput } from '../journal/events';
import { readFileIfExists } from '../util/read-if-exists';

export interface ProcessedRecord {
  sha256: string;
  outcome: FileOutcome;
  at: string;
  file: string;
  partner: string;
  outputs: Pick<JournalOutput, 'kind' | 'path'>[];
}

export class ProcessedFiles {
  constructor(private readonly stateDir: string) {}

  private fileFor(sha: string): string {
    return path.join(this.stateDir, 'files', sha.slice(0, 2), `${sha}.json`);
  }

  async get(sha: string): Promise<ProcessedRecord | undefined> {
    const bytes = readFileIfExists(this.fileFor(sha));
    return bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as ProcessedRecord);
  }

  /**
   * Not fsynced: the mark is written after the journal has the outcome, and losing it in a
   * power cut only makes the file be processed again (same outputs, same names).
   */
  async put(rec: ProcessedRecord): Promise<void> {
    await writeFileAtomic(this.fileFor(rec.sha256), JSON.stringify(rec), { durable: false });
  }
}
