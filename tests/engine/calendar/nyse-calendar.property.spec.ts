import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addTradingDays,
  isOpen,
  isTradingDay,
  nextTradingDay,
  previousTradingDay,
  sessionAt,
  sessionBounds,
  sessionDateOf,
  tradingDayAtOrAfter,
  tradingDaysBetween,
  tradingDaysWindow,
} from '../../../engine/calendar/nyse-calendar.js';
import { nyseClosures } from '../../../engine/calendar/nyse-closures.js';

const DAY_MS = 86_400_000;
const ZONE = 'America/New_York';

/** Dates 2020-01-01 .. 2035-12-31 as 'YYYY-MM-DD', built with the platform's UTC calendar. */
const anyDate = fc
  .integer({ min: Date.UTC(2020, 0, 1) / DAY_MS, max: Date.UTC(2035, 11, 31) / DAY_MS })
  .map((days) => new Date(days * DAY_MS).toISOString().slice(0, 10));
const anyTradingDate = anyDate.map(tradingDayAtOrAfter);
const anyInstant = fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2032, 0, 1) });
/** Instants near the DST switches of 2024-2030, where the UTC-day lookup must pick the right New York day. */
const nearDstSwitch = fc
  .tuple(
    fc.constantFrom('2024-03-10', '2024-11-03', '2026-03-08', '2026-11-01', '2030-03-10', '2030-11-03'),
    fc.integer({ min: -30 * 3_600_000, max: 30 * 3_600_000 }),
  )
  .map(([date, offset]) => Date.parse(`${date}T06:00:00Z`) + offset);

const isEarlyClose = (date: string): boolean => nyseClosures(Number(date.slice(0, 4))).earlyCloses.includes(date);

describe('NYSE calendar properties', () => {
  it('nextTradingDay(previousTradingDay(d)) = d and back, for trading days', () => {
    fc.assert(
      fc.property(anyTradingDate, (d) => {
        expect(nextTradingDay(previousTradingDay(d))).toBe(d);
        expect(previousTradingDay(nextTradingDay(d))).toBe(d);
      }),
    );
  });

  it('addTradingDays(addTradingDays(d, n), -n) = d and tradingDaysBetween(d, addTradingDays(d, n)) = n', () => {
    fc.assert(
      fc.property(anyTradingDate, fc.integer({ min: -600, max: 600 }), (d, n) => {
        const moved = addTradingDays(d, n);
        expect(isTradingDay(moved)).toBe(true);
        expect(addTradingDays(moved, -n)).toBe(d);
        expect(tradingDaysBetween(d, moved)).toBe(n);
      }),
    );
  });

  it('tradingDaysBetween matches a day-by-day count, and is antisymmetric', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 0, max: 800 }), (a, length) => {
        const b = new Date(Date.parse(`${a}T00:00:00Z`) + length * DAY_MS).toISOString().slice(0, 10);
        let count = 0;
        for (let i = 1; i <= length; i += 1) {
          if (isTradingDay(new Date(Date.parse(`${a}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10))) count += 1;
        }
        expect(tradingDaysBetween(a, b)).toBe(count);
        expect(tradingDaysBetween(b, a)).toBe(0 - count); // never -0
      }),
    );
  });

  it('tradingDaysWindow is n consecutive trading days ending at or before the end date', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: 1, max: 30 }), (end, n) => {
        const window = tradingDaysWindow(end, n);
        expect(window).toHaveLength(n);
        expect(window[n - 1]).toBe(isTradingDay(end) ? end : previousTradingDay(end));
        for (let i = 1; i < n; i += 1) expect(window[i]).toBe(nextTradingDay(window[i - 1] ?? ''));
      }),
    );
  });

  it('isOpen(ts) <=> the bounds of sessionAt(ts) contain ts', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, nearDstSwitch), (ts) => {
        const session = sessionAt(ts);
        expect(isOpen(ts)).toBe(session !== undefined && session.open <= ts && ts < session.close);
      }),
      { numRuns: 2000 },
    );
  });

  it('sessionDateOf / sessionAt agree with luxon computed from scratch', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, nearDstSwitch), (ts) => {
        const local = DateTime.fromMillis(ts, { zone: ZONE });
        const date = local.toISODate() ?? '';
        expect(sessionDateOf(ts)).toBe(date);
        const session = sessionAt(ts);
        if (!isTradingDay(date)) {
          expect(session).toBeUndefined();
          return;
        }
        const day = DateTime.fromISO(date, { zone: ZONE });
        const close = isEarlyClose(date) ? { hour: 13, minute: 0 } : { hour: 16, minute: 0 };
        expect(session).toEqual({
          date,
          open: day.set({ hour: 9, minute: 30 }).toMillis(),
          close: day.set(close).toMillis(),
        });
        expect(sessionBounds(date)).toEqual({ open: session?.open, close: session?.close });
      }),
      { numRuns: 2000 },
    );
  });
});
