import { xmlTrim } from '../xml/xml-space';

/** An xs:date as the pivot and status XSDs read it: YYYY-MM-DD, a day that exists (no time zone). */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const ZONED_DATE = /^(\d{4}-\d{2}-\d{2})(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)$/;

/**
 * An xs:date without its time zone, which names the same calendar day: `2026-11-02+01:00` and
 * `2026-12-02Z` are valid UBL and pivot dates, but the Factur-X (format 102), CDAR and
 * lifecycle keys read days. Anything else is returned as it is (the checks judge it).
 */
export function dayOfXsDate(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return ZONED_DATE.exec(xmlTrim(s))?.[1] ?? s;
}

export function isXsDate(s: string): boolean {
  const m = DATE.exec(xmlTrim(s));
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // XSD 1.0 has no year 0000 (1 BC is -0001)
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}

const COMPARABLE_DATE = /^(\d{4}|[1-9]\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;

/**
 * The instant an xs:date starts at, in milliseconds, to order two dates as `xs:date(a) >=
 * xs:date(b)` does: by their value, not their text — a year of five digits (`12016-01-31`) is
 * after 2019, and a time zone moves the day's start (no zone: UTC, the implicit zone of the
 * official validation's runs). Undefined for what is no xs:date of a year from 1 on.
 */
export function xsDateInstant(s: string): number | undefined {
  const m = COMPARABLE_DATE.exec(xmlTrim(s));
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const day = new Date(0);
  day.setUTCFullYear(y, mo, d);
  // a day that does not exist (30 February) rolls over into another month
  if (y < 1 || day.getUTCFullYear() !== y || day.getUTCMonth() !== mo || day.getUTCDate() !== d) return undefined;
  const zone = m[4] === undefined || m[4] === 'Z' ? 0 : (m[4][0] === '-' ? -1 : 1) * (Number(m[4].slice(1, 3)) * 60 + Number(m[4].slice(4, 6)));
  return day.getTime() - zone * 60_000;
}

/**
 * An xs:dateTime as the status XSD reads it (CPPStatut Horodatage): YYYY-MM-DDThh:mm:ss, an
 * optional fraction of a second, an optional zone (Z or ±hh:mm, at most 14 hours). A day that
 * exists, hours 00–23 (the 24:00:00 XSD 1.0 allows is left out: no reader needs it).
 */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)?$/;

export function isXsDateTime(s: string): boolean {
  const m = DATE_TIME.exec(xmlTrim(s));
  return m !== null && isXsDate(m[1]);
}
