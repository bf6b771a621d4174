/**
 * pino logs: JSON lines, pretty on a terminal. Every line about a file carries its sha256
 * (child loggers made in process-file.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { logDestination } from './log-destination';

export interface LoggerOptions {
  /** also write every line (JSON) to this file */
  file?: string;
  /** level shown on the console */
  level?: pino.Level | 'silent';
  /** pretty-print to stderr (default: when stderr is a terminal) */
  pretty?: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const streams: pino.StreamEntry[] = [];
  const level = opts.level ?? 'info';
  if (level !== 'silent') {
    const pretty = opts.pretty ?? Boolean(process.stderr.isTTY);
    if (pretty) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      // no colours where NO_COLOR is set (no-color.org)
      const prettyStream = require('pino-pretty')({ destination: 2, colorize: !process.env.NO_COLOR, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true });
      streams.push({ level, stream: prettyStream });
    } else {
      streams.push({ level, stream: logDestination({ dest: 2, label: 'the console (stderr)' }) });
    }
  }
  if (opts.file) {
    mkdirSync(path.dirname(opts.file), { recursive: true });
    streams.push({ level: 'info', stream: logDestination({ dest: opts.file, label: `the log file ${opts.file}` }) });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  return pino({ level: 'debug', base: { pid: process.pid } }, pino.multistream(streams));
}
