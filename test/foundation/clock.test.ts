/** The day of an instant (archive/<day>, journal/<day>) in the configured time zone. */
import { dayOf } from '../../src/util/clock';

describe('dayOf', () => {
  it('changes day at local midnight, winter and summer, one second apart', () => {
    // Europe/Paris: UTC+1 in winter, UTC+2 in summer
    expect(dayOf(new Date('2026-01-14T22:59:59.999Z'), 'Europe/Paris')).toBe('2026-01-14');
    expect(dayOf(new Date('2026-01-14T23:00:00.000Z'), 'Europe/Paris')).toBe('2026-01-15');
    expect(dayOf(new Date('2026-07-14T21:59:59.999Z'), 'Europe/Paris')).toBe('2026-07-14');
    expect(dayOf(new Date('2026-07-14T22:00:00.000Z'), 'Europe/Paris')).toBe('2026-07-15');
  });

  it('answers each time zone for itself within the same second', () => {
    const t = new Date('2026-03-01T23:30:00Z');
    expect(dayOf(t, 'Europe/Paris')).toBe('2026-03-02');
    expect(dayOf(t, 'UTC')).toBe('2026-03-01');
    expect(dayOf(t, 'Pacific/Chatham')).toBe('2026-03-02'); // UTC+13:45
    expect(dayOf(t, 'America/St_Johns')).toBe('2026-03-01'); // UTC-3:30
    expect(dayOf(t, 'Europe/Paris')).toBe('2026-03-02');
  });

  it('gives the same answer as a fresh formatting for instants spread over a year', () => {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
    // steps of 59 min 59.5 s: instants land on both sides of every midnight and DST change
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 3_599_500) {
      const d = new Date(ms);
      expect(dayOf(d, 'Europe/Paris')).toBe(f.format(d));
    }
  });
});
