/** An xs:date as the pivot and status XSDs read it: YYYY-MM-DD, a day that exists (no time zone). */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isXsDate(s: string): boolean {
  const m = DATE.exec(s.trim());
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}
