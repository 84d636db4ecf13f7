import { describe, expect, it } from 'vitest';
import {
  NYSE_CLOSURES,
  isOpen,
  isTradingDay,
  nextSessionOpen,
  nextTradingDay,
  previousTradingDay,
  sessionBounds,
  sessionDateOf,
} from '../../../engine/calendar/nyse-calendar.js';

const utc = (iso: string): number => Date.parse(`${iso}Z`);

describe('NYSE calendar: sessions and DST', () => {
  it.each([
    ['2026-03-06', '2026-03-06T14:30:00', '2026-03-06T21:00:00'], // EST, before the switch
    ['2026-03-09', '2026-03-09T13:30:00', '2026-03-09T20:00:00'], // EDT, first Monday after the switch
    ['2026-11-02', '2026-11-02T14:30:00', '2026-11-02T21:00:00'], // EST again
    ['2025-07-15', '2025-07-15T13:30:00', '2025-07-15T20:00:00'],
  ])('%s runs 09:30-16:00 New York time', (date, open, close) => {
    expect(sessionBounds(date)).toEqual({ open: utc(open), close: utc(close) });
  });

  it.each([
    ['2024-07-03', '2024-07-03T17:00:00'],
    ['2024-11-29', '2024-11-29T18:00:00'],
    ['2025-12-24', '2025-12-24T18:00:00'],
    ['2026-11-27', '2026-11-27T18:00:00'],
    ['2027-11-26', '2027-11-26T18:00:00'],
  ])('%s closes early at 13:00', (date, close) => {
    expect(sessionBounds(date)?.close).toBe(utc(close));
    expect(isOpen(utc(close) - 1)).toBe(true);
    expect(isOpen(utc(close))).toBe(false);
  });

  it.each(['2024-03-29', '2025-01-09', '2025-04-18', '2026-07-03', '2026-11-26', '2027-06-18', '2027-12-24'])(
    'holiday %s has no session',
    (date) => {
      expect(isTradingDay(date)).toBe(false);
      expect(sessionBounds(date)).toBeUndefined();
    },
  );

  it('every table entry is a weekday of its own year and closures and early closes never overlap', () => {
    for (const [year, { holidays, earlyCloses }] of Object.entries(NYSE_CLOSURES)) {
      for (const d of [...holidays, ...earlyCloses]) {
        expect(d.startsWith(`${year}-`)).toBe(true);
        const weekday = new Date(`${d}T12:00:00Z`).getUTCDay();
        expect(weekday).toBeGreaterThanOrEqual(1);
        expect(weekday).toBeLessThanOrEqual(5);
      }
      expect(holidays.filter((d) => earlyCloses.includes(d))).toEqual([]);
    }
  });

  it('weekends are closed and ordinary weekdays open', () => {
    expect(isTradingDay('2026-03-07')).toBe(false);
    expect(isTradingDay('2026-03-08')).toBe(false);
    expect(isTradingDay('2026-03-10')).toBe(true);
  });

  it('years outside the table close on weekends only', () => {
    expect(isTradingDay('2031-12-25')).toBe(true);
    expect(isTradingDay('2031-12-27')).toBe(false);
    expect(sessionBounds('2031-11-28')).toEqual({
      open: utc('2031-11-28T14:30:00'),
      close: utc('2031-11-28T21:00:00'),
    });
  });
});

describe('NYSE calendar: instants', () => {
  it('sessionDateOf uses the New York date, not the UTC date', () => {
    expect(sessionDateOf(utc('2026-03-10T03:59:00'))).toBe('2026-03-09');
    expect(sessionDateOf(utc('2026-03-10T04:00:00'))).toBe('2026-03-10');
    expect(sessionDateOf(utc('2026-01-10T04:59:00'))).toBe('2026-01-09');
  });

  it('isOpen includes the open and excludes the close', () => {
    const { open, close } = sessionBounds('2026-03-09') ?? { open: 0, close: 0 };
    expect(isOpen(open - 1)).toBe(false);
    expect(isOpen(open)).toBe(true);
    expect(isOpen(close - 1)).toBe(true);
    expect(isOpen(close)).toBe(false);
    expect(isOpen(utc('2026-03-07T15:00:00'))).toBe(false);
    expect(isOpen(utc('2026-04-03T15:00:00'))).toBe(false);
  });

  it('nextSessionOpen gives today before the open and the next session afterwards', () => {
    expect(nextSessionOpen(utc('2026-03-09T05:00:00'))).toBe(utc('2026-03-09T13:30:00'));
    expect(nextSessionOpen(utc('2026-03-09T13:30:00'))).toBe(utc('2026-03-09T13:30:00'));
    expect(nextSessionOpen(utc('2026-03-09T13:31:00'))).toBe(utc('2026-03-10T13:30:00'));
    expect(nextSessionOpen(utc('2026-03-06T22:00:00'))).toBe(utc('2026-03-09T13:30:00'));
    expect(nextSessionOpen(utc('2026-04-02T21:00:00'))).toBe(utc('2026-04-06T13:30:00'));
  });
});

describe('NYSE calendar: trading-day arithmetic', () => {
  it.each([
    ['2026-03-09', '2026-03-06'], // Monday -> Friday across a weekend
    ['2026-01-20', '2026-01-16'], // Tuesday after MLK day -> Friday
    ['2025-01-10', '2025-01-08'], // across the 2025-01-09 day of mourning
    ['2026-04-06', '2026-04-02'], // Monday after Good Friday -> Thursday
    ['2026-03-08', '2026-03-06'], // from a Sunday
  ])('previousTradingDay(%s) = %s', (date, expected) => {
    expect(previousTradingDay(date)).toBe(expected);
  });

  it.each([
    ['2026-03-06', '2026-03-09'],
    ['2026-04-02', '2026-04-06'],
    ['2024-12-24', '2024-12-26'],
    ['2027-12-23', '2027-12-27'],
    ['2027-12-31', '2028-01-03'],
  ])('nextTradingDay(%s) = %s', (date, expected) => {
    expect(nextTradingDay(date)).toBe(expected);
  });

  it('rejects malformed dates and timestamps with a clear error', () => {
    expect(() => isTradingDay('2026-02-30')).toThrow(/Invalid calendar date "2026-02-30"/);
    expect(() => sessionBounds('3/9/2026')).toThrow(/YYYY-MM-DD/);
    expect(() => sessionDateOf(Number.NaN)).toThrow(/Invalid timestamp/);
  });
});
