/**
 * Parsers of numeric option values, for commander: a bad value is refused before anything
 * runs, with commander's own message ("option '--threads <n>' argument 'abc' is invalid.
 * …") and exit code 2, instead of a NaN that would start no thread or wait forever.
 */
import { InvalidArgumentError } from 'commander';
import { isDay } from '../reconcile/day';

/** A whole number ≥ 1. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('A whole number of at least 1 is expected.');
  return n;
}

/** A number of worker threads: at least 1, at most 64 (each holds its own heap: 150 took 5.5 GB for 150 small files on 2 cores). */
export function threadCount(value: string): number {
  const n = positiveInteger(value);
  if (n > 64) throw new InvalidArgumentError('A whole number of threads from 1 to 64 is expected (one per CPU core is the default).');
  return n;
}

/** A whole number ≥ 0 (a port: 0 = any free port). */
export function port(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65535) throw new InvalidArgumentError('A port number from 0 to 65535 is expected.');
  return n;
}

/** A number > 0, decimals allowed (a size in MiB). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('A number greater than 0 is expected.');
  return n;
}

/** A number of seconds ≥ 0, decimals allowed (an age). */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('A number of seconds (0 or more) is expected.');
  return n;
}

/** A retention in days: a whole number ≥ 30 (the configuration's retention.processedMarksDays minimum). */
export function retentionDays(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 30 || n > 36500) throw new InvalidArgumentError('A whole number of days, from 30 (a crash replay must never outlive its mark) to 36500, is expected.');
  return n;
}

/** A calendar day written YYYY-MM-DD. */
export function calendarDay(value: string): string {
  if (!isDay(value)) throw new InvalidArgumentError('A calendar date written YYYY-MM-DD is expected.');
  return value;
}
