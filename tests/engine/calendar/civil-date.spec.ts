import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  formatIsoDay,
  isWeekend,
  isoWeekday,
  parseIsoDay,
  weekdaysBefore,
  yearOfDays,
} from '../../../engine/calendar/civil-date.js';

const DAY_MS = 86_400_000;
/** Independent oracle: the platform's UTC calendar, where day n starts at n * DAY_MS. */
const utcDate = (days: number): Date => new Date(days * DAY_MS);
const firstDay = daysFromCivil(1900, 1, 1);
const lastDay = daysFromCivil(9999, 12, 31);
const anyDay = fc.integer({ min: firstDay, max: lastDay });

describe('civil dates as day numbers', () => {
  it.each([
    ['1970-01-01', 0, 4],
    ['1969-12-31', -1, 3],
    ['2000-02-29', 11_016, 2],
    ['2026-03-09', 20_521, 1],
    ['2028-01-01', 21_184, 6],
    ['1900-03-01', -25_508, 4],
  ])('%s is day %i, ISO weekday %i', (iso, days, weekday) => {
    expect(parseIsoDay(iso)).toBe(days);
    expect(formatIsoDay(days)).toBe(iso);
    expect(isoWeekday(days)).toBe(weekday);
    expect(isWeekend(days)).toBe(weekday >= 6);
  });

  it('agrees with the platform UTC calendar on every supported year', () => {
    fc.assert(
      fc.property(anyDay, (days) => {
        const oracle = utcDate(days);
        expect(formatIsoDay(days)).toBe(oracle.toISOString().slice(0, 10));
        expect(civilFromDays(days)).toEqual({
          year: oracle.getUTCFullYear(),
          month: oracle.getUTCMonth() + 1,
          day: oracle.getUTCDate(),
        });
        expect(yearOfDays(days)).toBe(oracle.getUTCFullYear());
        expect(isoWeekday(days)).toBe(oracle.getUTCDay() === 0 ? 7 : oracle.getUTCDay());
        expect(parseIsoDay(formatIsoDay(days))).toBe(days);
      }),
      { numRuns: 2000 },
    );
  });

  it('yearOfDays switches exactly at 1 January', () => {
    expect(yearOfDays(parseIsoDay('2027-12-31'))).toBe(2027);
    expect(yearOfDays(parseIsoDay('2028-01-01'))).toBe(2028);
    expect(yearOfDays(parseIsoDay('2028-02-29'))).toBe(2028);
    expect(yearOfDays(parseIsoDay('2028-03-01'))).toBe(2028);
  });

  it('weekdaysBefore differences count Monday-Friday days', () => {
    fc.assert(
      fc.property(fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: 0, max: 40 }), (from, length) => {
        let expected = 0;
        for (let d = from; d < from + length; d += 1) if (!isWeekend(d)) expected += 1;
        expect(weekdaysBefore(from + length) - weekdaysBefore(from)).toBe(expected);
      }),
    );
  });

  it('knows month lengths and leap years', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 2)).toBe(28);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-5', '2026-03-09T00:00', '', ' 2026-03-09'])(
    'rejects "%s" with a clear RangeError',
    (bad) => {
      expect(() => parseIsoDay(bad)).toThrow(RangeError);
      expect(() => parseIsoDay(bad)).toThrow(/expected a real date as YYYY-MM-DD/);
    },
  );
});
