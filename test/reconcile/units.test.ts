/**
 * The small pure pieces of the reconciliation: calendar days across DST, the CSV cell
 * rules, the journal reader on torn and CRLF lines, the sequence check, and which of two
 * pivots with the same IdCPRO is the duplicate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { duplicateIdCpro, type Emission } from '../../src/reconcile/anomalies';
import { addDays, dayEnd, DayHours, dayStart, isDay, localDateTime } from '../../src/reconcile/day';
import { readJournalDayStream, SequenceCheck } from '../../src/reconcile/read-journal';
import { csvCell, csvLine, parseCsv, renderCsv } from '../../src/reconcile/report-csv';
import { esc, groupDigits } from '../../src/reconcile/report-html';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { fixedClock } from '../../src/util/clock';
import { bundledConfig, tempDir } from '../helpers/run';

describe('days in Europe/Paris', () => {
  it('knows real dates and their neighbours', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-3-1')).toBe(false);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('has 23 hours on the spring change and 25 on the autumn one', () => {
    const tz = 'Europe/Paris';
    expect(dayStart('2026-03-10', tz).toISOString()).toBe('2026-03-09T23:00:00.000Z');
    expect((dayEnd('2026-03-29', tz).getTime() - dayStart('2026-03-29', tz).getTime()) / 3_600_000).toBe(23);
    expect((dayEnd('2026-10-25', tz).getTime() - dayStart('2026-10-25', tz).getTime()) / 3_600_000).toBe(25);
    const h = new DayHours('2026-03-10', tz);
    expect(h.slots[h.indexOf('2026-03-10T07:15:00.000Z')!].hour).toBe(8);
    expect(h.indexOf('2026-07-10T07:15:00.000Z')).toBeUndefined(); // not on the day
    expect(h.indexOf('not a date')).toBeUndefined();
    expect(new DayHours('2026-07-10', tz).slots[new DayHours('2026-07-10', tz).indexOf('2026-07-10T07:15:00.000Z')!].hour).toBe(9);
    // the day's real hours: 02:00 never happens in spring, happens twice in autumn
    const spring = new DayHours('2026-03-29', tz).slots;
    expect(spring.map((x) => x.hour)).toEqual([0, 1, ...Array.from({ length: 21 }, (_, k) => k + 3)]);
    expect([spring[1].utcOffset, spring[2].utcOffset]).toEqual(['+01:00', '+02:00']);
    const autumn = new DayHours('2026-10-25', tz).slots;
    expect(autumn.map((x) => x.hour)).toEqual([0, 1, 2, 2, ...Array.from({ length: 21 }, (_, k) => k + 3)]);
    expect(autumn.slice(2, 4)).toEqual([
      { hour: 2, start: '2026-10-25T00:00:00.000Z', utcOffset: '+02:00' },
      { hour: 2, start: '2026-10-25T01:00:00.000Z', utcOffset: '+01:00' },
    ]);
  });

  it('shows an instant as the installation reads its clock (the HTML report said UTC)', () => {
    expect(localDateTime('2026-12-06T00:22:48.924Z', 'Europe/Paris')).toBe('2026-12-06 01:22:48');
    expect(localDateTime('2026-07-10T22:30:00.000Z', 'Europe/Paris')).toBe('2026-07-11 00:30:00');
    expect(localDateTime('garbage', 'Europe/Paris')).toBe('garbage');
  });
});

describe('CSV cells', () => {
  it('quotes what must be quoted and defuses formulas, but not amounts', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('dit "bonjour"')).toBe('"dit ""bonjour"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-12.50', true)).toBe('-12.50');
    // a refused invoice's amount is journaled as written: in an amount column it is text unless it reads as a number
    expect(csvCell('=HYPERLINK("http://evil.example","x")', true)).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell('-2+3+cmd|x!A1', true)).toBe("'-2+3+cmd|x!A1");
    expect(csvCell('-', true)).toBe("'-");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    const text = renderCsv([['op-alpha', 'a\r\nb', ...Array(20).fill('')]]);
    expect(parseCsv(text)[1].slice(0, 2)).toEqual(['op-alpha', 'a\r\nb']);
    expect(csvLine(['x', 'y'])).toBe('x,y');
  });

  it('escapes HTML and groups digits without floats', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(groupDigits('1234567.05')).toBe('1\u202f234\u202f567.05');
    expect(groupDigits('-1000.00')).toBe('−1\u202f000.00');
    expect(groupDigits('12.3')).toBe('12.3');
  });
});

describe('reading a journal day', () => {
  it('reads CRLF lines, reports a torn last line as unreadable, and follows seq', async () => {
    const dir = tempDir('cf-journal-');
    mkdirSync(path.join(dir, '2026-03-10'));
    const l = (seq: number) => JSON.stringify({ seq, ts: '2026-03-10T08:00:00.000Z', writer: 'w', event: 'start', mode: 'run', version: '0', config: 'x' });
    writeFileSync(path.join(dir, '2026-03-10', 'w.jsonl'), `${l(1)}\r\n${l(2)}\n${l(4)}\n{"seq":5,"ev`);
    const seen: number[] = [];
    const damaged: number[] = [];
    const check = new SequenceCheck('journal/2026-03-10/w.jsonl');
    const stats = await readJournalDayStream(dir, '2026-03-10', {
      onLine: (line, ref) => {
        seen.push(line.seq);
        check.see(line.seq, ref.line);
      },
      onDamaged: (ref) => damaged.push(ref.line),
    });
    expect(seen).toEqual([1, 2, 4]);
    expect(damaged).toEqual([4]);
    expect(stats).toEqual({ writerFiles: 1, lines: 3, damaged: 1 });
    expect(check.issues).toEqual([{ kind: 'gap', file: 'journal/2026-03-10/w.jsonl', writer: 'w', from: 3, to: 3, line: 3 }]);
    expect(await readJournalDayStream(dir, '2026-03-11', { onLine: () => undefined })).toEqual({ writerFiles: 0, lines: 0, damaged: 0 });
  });
});

describe('the same IdCPRO in two pivots', () => {
  const e = (p: string, renvoi: string | undefined, at: string | undefined, source: Emission['source'] = 'journal', onDay = true): Emission => ({ idCpro: '42', path: p, renvoi, at, source, onDay });

  it('flags the later one when it is not a resend, whatever order they come in', () => {
    const a = duplicateIdCpro([e('pivot/X/b.xml', 'Non', '2026-03-10T10:00:00Z'), e('pivot/X/a.xml', 'Non', '2026-03-10T09:00:00Z')]);
    expect(a.map((x) => [x.output, x.outputs])).toEqual([['pivot/X/b.xml', ['pivot/X/a.xml', 'pivot/X/b.xml']]]);
  });

  it('accepts Complétée and Recyclée, and a replay of the same file', () => {
    expect(duplicateIdCpro([e('p/1.xml', 'Non', '1'), e('p/2.xml', 'Complétée', '2'), e('p/3.xml', 'Recyclée', '3'), e('p/1.xml', 'Non', '4')])).toEqual([]);
  });

  it('uses the lifecycle for pivots of earlier days, and reports only the day\'s emissions', () => {
    const earlier = e('p/old.xml', 'Non', undefined, 'lifecycle', false);
    expect(duplicateIdCpro([earlier, e('p/new.xml', undefined, '2026-03-10T10:00:00Z')]).map((x) => x.output)).toEqual(['p/new.xml']);
    expect(duplicateIdCpro([e('p/a.xml', 'Non', '1', 'lifecycle', false), e('p/b.xml', 'Non', '2', 'lifecycle', false)])).toEqual([]);
  });
});

describe('the day asked for', () => {
  // a typo in the year used to give a CLEAN report of a day that had not happened
  it('refuses a day not begun yet, in the configured time zone, and notes that today is the day so far', async () => {
    const out = tempDir();
    mkdirSync(path.join(out, 'journal')); // an output root where nothing was processed yet
    const config = bundledConfig(out);
    // 23:30 UTC on the 12th is already the 13th in Paris (UTC+1 in March)
    const clock = fixedClock('2026-03-12T23:30:00Z');
    const future = await reconcileDay({ config, date: '2026-03-14', clock, write: false });
    expect(future.exitCode).toBe(2);
    expect(future.error).toContain('--date 2026-03-14 has not begun yet (today is 2026-03-13 in Europe/Paris)');
    const today = await reconcileDay({ config, date: '2026-03-13', clock, write: false });
    expect(today.exitCode).toBe(0);
    expect(today.report!.notes.some((n) => n.startsWith('2026-03-13 is today: this is the day so far'))).toBe(true);
    const yesterday = await reconcileDay({ config, date: '2026-03-12', clock, write: false });
    expect(yesterday.report!.notes.some((n) => n.includes('is today'))).toBe(false);
  });
});
