/**
 * Time is injected: the pure stages receive dates, the runners own the clock.
 * A "day" is counted in the configured time zone (Europe/Paris by default).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(iso: string): Clock {
  const d = new Date(iso);
  return { now: () => new Date(d) };
}

interface DayFormatter {
  format: Intl.DateTimeFormat;
  /** the last second asked (ms since the epoch / 1,000) and its day */
  second: number;
  day: string;
}

const formatters = new Map<string, DayFormatter>();

/**
 * YYYY-MM-DD of an instant in a time zone. Every zone's offset, even a historical one, is a
 * whole number of seconds, so the day cannot change within a second: the last answer is kept
 * (a formatting costs tens of microseconds and is asked several times per file).
 */
export function dayOf(d: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), second: NaN, day: '' };
    formatters.set(timeZone, f);
  }
  const second = Math.floor(d.getTime() / 1000);
  if (second !== f.second) {
    f.day = f.format.format(d);
    f.second = second;
  }
  return f.day;
}
