/** An inbox entry found by `run`'s scan, as the pipeline takes it. */
import path from 'node:path';
import type { Config } from '../config/config';
import { partnerOf } from '../ingest/partner-of';
import { openPath, type InboxEntry } from '../ingest/scan';
import { sizeOnDisk } from './in-flight-budget';
import type { InboundFile } from './process-file';

export function inboundFileOf(config: Config, inbox: string, e: InboxEntry): InboundFile {
  const file: InboundFile = { path: e.abs, name: path.basename(e.abs), relPath: e.rel, partner: partnerOf(config, inbox, e.abs) };
  if (e.raw) {
    file.rawPath = e.raw;
    file.rawRelPath = e.rawRel;
  }
  return file;
}

/** The size of an inbound file on disk (0 when it is gone). */
export function inboundSize(file: InboundFile): number {
  return sizeOnDisk(file.rawPath ? openPath({ abs: file.path, raw: file.rawPath }) : file.path);
}
