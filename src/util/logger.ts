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
  return pino({ level: 'debug', base: { pid: process.pid }, hooks: { logMethod: cutLongStrings } }, pino.multistream(streams));
}

/**
 * The longest text a log line carries in its message or one of its fields. A finding quotes
 * the partner's value (an invoice number or a date of 300,000 characters made a 300 KB line,
 * at every retry); the log names the file, the rule and the start of the value, and the
 * journal and the file's .reason.json keep it whole.
 */
export const MAX_LOGGED_CHARS = 2000;

function cut(v: unknown): unknown {
  if (typeof v === 'string') return v.length > MAX_LOGGED_CHARS ? `${v.slice(0, MAX_LOGGED_CHARS)}… (${v.length - MAX_LOGGED_CHARS} more characters, not logged)` : v;
  if (Array.isArray(v)) return v.map(cutString);
  return v;
}

// module-level callbacks, not closures made per log line (docs/PERFORMANCE.md, thirty-first round)
const cutString = (x: unknown) => (typeof x === 'string' ? cut(x) : x);
const cutEntry = ([k, v]: [string, unknown]) => [k, cut(v)];
const cutArg = (a: unknown) => (a !== null && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype ? Object.fromEntries(Object.entries(a).map(cutEntry)) : cut(a));

/** pino's hook on every call: the message and the strings of the line's own fields cut (errors, with their stacks, as they are). */
function cutLongStrings(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const said = args.map(cutArg);
  (method as (...a: unknown[]) => void).apply(this, said);
}
