/**
 * Calendar days in the configured time zone, for the reconciliation: a day's first and last
 * instants, the day before and after, and its real hours (23, 24 or 25).
 */
import { dayOf } from '../util/clock';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export function addDays(day: string, n: number): string {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n)).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (YYYY-MM-DD each): a day of 23 or 25 hours counts one. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClockMs(instant: number, timeZone: string): number {
  let f = wallFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
}

/** An instant as the installation's wall clock reads it: `2026-12-06 01:22:48` (for an operator's eyes). */
export function localDateTime(iso: string, timeZone: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(wallClockMs(t, timeZone)).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant a wall-clock time (its fields read as UTC milliseconds) stands for in `timeZone`. */
export function instantOfWallTime(wall: number, timeZone: string): number {
  let t = wall;
  for (let k = 0; k < 3; k++) t = wall - (wallClockMs(t, timeZone) - t);
  return t;
}

/** The first instant of `day` in `timeZone`. */
export function dayStart(day: string, timeZone: string): Date {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  let t = instantOfWallTime(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])), timeZone);
  // where midnight does not exist (a DST jump at 00:00), step to the first instant of the day
  while (dayOf(new Date(t), timeZone) < day) t += 15 * 60_000;
  while (dayOf(new Date(t - 1), timeZone) === day) t -= 15 * 60_000;
  return new Date(t);
}

/** The first instant after `day` (exclusive end). */
export function dayEnd(day: string, timeZone: string): Date {
  return dayStart(addDays(day, 1), timeZone);
}

/** "+01:00": the zone's offset from UTC at an instant. */
function utcOffset(instant: number, timeZone: string): string {
  const min = Math.round((wallClockMs(Math.floor(instant / 1000) * 1000, timeZone) - Math.floor(instant / 1000) * 1000) / 60_000);
  const a = Math.abs(min);
  return `${min < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * The real hours of a day in the zone, in order: 24, but 23 on the spring change (02:00 never
 * happens) and 25 on the autumn one (02:00 happens twice, once per offset). A report by local
 * hour number alone showed a 02:00 that never was, or merged two hours into one bar.
 */
export class DayHours {
  readonly start: number;
  readonly slots: { hour: number; start: string; utcOffset: string }[] = [];
  constructor(day: string, timeZone: string) {
    this.start = dayStart(day, timeZone).getTime();
    const end = dayEnd(day, timeZone).getTime();
    const f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' });
    for (let t = this.start; t < end; t += 3_600_000) this.slots.push({ hour: Number(f.format(new Date(t))) % 24, start: new Date(t).toISOString(), utcOffset: utcOffset(t, timeZone) });
  }
  /** The slot of an ISO instant of the day, or undefined (not a time, or not on the day). */
  indexOf(iso: string): number | undefined {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return undefined;
    const k = Math.floor((t - this.start) / 3_600_000);
    return k >= 0 && k < this.slots.length ? k : undefined;
  }
}
