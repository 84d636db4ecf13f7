import { DateTime } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import {
  NYSE_CLOSURES,
  calendarCacheStats,
  isOpen,
  isTradingDay,
  nextSessionOpen,
  nextTradingDay,
  previousTradingDay,
  sessionAt,
  sessionBounds,
  sessionDateOf,
  tradingDayAtOrAfter,
  tradingDayAtOrBefore,
} from '../../../engine/calendar/nyse-calendar.js';

const utc = (iso: string): number => Date.parse(`${iso}Z`);

describe('NYSE calendar: sessions and DST', () => {
  it.each([
    ['2026-03-06', '2026-03-06T14:30:00', '2026-03-06T21:00:00'], // EST, before the switch
    ['2026-03-09', '2026-03-09T13:30:00', '2026-03-09T20:00:00'], // EDT, first Monday after the switch
    ['2026-10-30', '2026-10-30T13:30:00', '2026-10-30T20:00:00'], // EDT, last Friday before the switch
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

  it('years beyond the checked table follow the rules', () => {
    expect(isTradingDay('2031-12-25')).toBe(false); // Christmas, Thursday
    expect(isTradingDay('2031-12-26')).toBe(true);
    expect(isTradingDay('2031-12-27')).toBe(false); // Saturday
    expect(sessionBounds('2031-11-27')).toBeUndefined(); // Thanksgiving
    expect(sessionBounds('2031-11-28')).toEqual({
      open: utc('2031-11-28T14:30:00'),
      close: utc('2031-11-28T18:00:00'), // day after Thanksgiving closes at 13:00
    });
  });

  it('rejects dates outside the supported years instead of guessing', () => {
    expect(() => isTradingDay('1899-12-29')).toThrow(/outside the NYSE calendar's supported years 1900-9999/);
    expect(() => sessionBounds('0000-01-03')).toThrow(RangeError);
    expect(() => nextTradingDay('9999-12-31')).toThrow(/supported years/);
    expect(isTradingDay('1900-01-02')).toBe(true);
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

describe('NYSE calendar: sessionAt and DST day boundaries', () => {
  it('gives the session of the New York day of ts, inside or outside its hours', () => {
    const expected = { date: '2026-03-09', open: utc('2026-03-09T13:30:00'), close: utc('2026-03-09T20:00:00') };
    expect(sessionAt(utc('2026-03-09T15:00:00'))).toEqual(expected);
    expect(sessionAt(utc('2026-03-09T04:00:00'))).toEqual(expected); // New York midnight (EDT)
    expect(sessionAt(utc('2026-03-10T03:59:59.999'))).toEqual(expected); // 23:59:59.999 New York
    expect(sessionAt(utc('2026-03-09T03:59:59.999'))).toBeUndefined(); // still Sunday in New York
    expect(sessionAt(utc('2026-04-03T15:00:00'))).toBeUndefined(); // Good Friday
  });

  it('returns the same frozen object for every instant of a day', () => {
    const a = sessionAt(utc('2026-03-09T14:00:00'));
    const b = sessionAt(utc('2026-03-09T19:00:00'));
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(sessionBounds('2026-03-09'))).toBe(true);
  });

  it.each([
    // 23-hour day: New York midnight is 05:00Z before the March switch and 04:00Z after it
    ['2026-03-08T04:59:59.999', '2026-03-07'],
    ['2026-03-08T05:00:00', '2026-03-08'],
    ['2026-03-09T03:59:59.999', '2026-03-08'],
    ['2026-03-09T04:00:00', '2026-03-09'],
    // 25-hour day: 04:00Z (EDT) to 05:00Z (EST)
    ['2026-11-01T03:59:59.999', '2026-10-31'],
    ['2026-11-01T04:00:00', '2026-11-01'],
    ['2026-11-02T04:30:00', '2026-11-01'],
    ['2026-11-02T05:00:00', '2026-11-02'],
  ])('sessionDateOf(%sZ) = %s', (instant, date) => {
    expect(sessionDateOf(utc(instant))).toBe(date);
  });

  it('isOpen follows each session across the switches in UTC', () => {
    expect(isOpen(utc('2026-03-06T14:29:59.999'))).toBe(false);
    expect(isOpen(utc('2026-03-06T14:30:00'))).toBe(true);
    expect(isOpen(utc('2026-03-09T13:30:00'))).toBe(true); // 09:30 EDT
    expect(isOpen(utc('2026-03-09T20:00:00'))).toBe(false); // 16:00 EDT
    expect(isOpen(utc('2026-03-06T20:30:00'))).toBe(true); // 15:30 EST
    expect(isOpen(utc('2026-10-30T20:30:00'))).toBe(false); // 16:30 EDT
    expect(isOpen(utc('2026-11-02T20:30:00'))).toBe(true); // 15:30 EST
    expect(isOpen(utc('2026-11-02T14:00:00'))).toBe(false); // 09:00 EST
  });

  it('tradingDayAtOrBefore / AtOrAfter keep trading days and move off closures', () => {
    expect(tradingDayAtOrBefore('2026-04-03')).toBe('2026-04-02');
    expect(tradingDayAtOrAfter('2026-04-03')).toBe('2026-04-06');
    expect(tradingDayAtOrBefore('2026-04-06')).toBe('2026-04-06');
  });

  it('rejects timestamps outside the supported years', () => {
    expect(() => isOpen(Date.UTC(1899, 11, 31, 12))).toThrow(/Timestamp .* supported years/);
    expect(() => sessionAt(Date.UTC(10_000, 0, 2))).toThrow(/supported years/);
    expect(() => isOpen(Number.POSITIVE_INFINITY)).toThrow(/Invalid timestamp/);
    expect(() => sessionAt(Number.NaN)).toThrow(/Invalid timestamp/);
    expect(sessionDateOf(Date.UTC(9999, 11, 31, 12))).toBe('9999-12-31');
    expect(sessionDateOf(Date.UTC(1900, 0, 1, 12))).toBe('1900-01-01');
  });
});

describe('NYSE calendar: hot-path cache', () => {
  const DAY_MS = 86_400_000;
  const HOUR_MS = 3_600_000;

  it('1e6 isOpen calls over three days compute each day with luxon once', () => {
    // 2031-02-10 (Mon) .. 2031-02-12 (Wed): EST, no holiday, not used by any other test in this file.
    const start = utc('2031-02-10T05:00:00');
    const span = 3 * DAY_MS;
    const fromObject = vi.spyOn(DateTime, 'fromObject');
    const before = calendarCacheStats().dayRecordsBuilt;
    let open = 0;
    let expectedOpen = 0;
    for (let i = 0; i < 1_000_000; i += 1) {
      const offset = (i * 259_199) % span;
      if (isOpen(start + offset)) open += 1;
      const timeOfDay = offset % DAY_MS;
      if (timeOfDay >= 9.5 * HOUR_MS && timeOfDay < 16 * HOUR_MS) expectedOpen += 1;
    }
    const built = calendarCacheStats().dayRecordsBuilt - before;
    const luxonCalls = fromObject.mock.calls.length;
    fromObject.mockRestore();
    expect(open).toBe(expectedOpen);
    expect(open).toBeGreaterThan(200_000);
    // Three New York days, plus at most the UTC-day neighbour consulted for evening instants.
    expect(built).toBeGreaterThanOrEqual(3);
    expect(built).toBeLessThanOrEqual(4);
    expect(luxonCalls).toBe(built);

    const again = calendarCacheStats().dayRecordsBuilt;
    for (let i = 0; i < 10_000; i += 1) isOpen(start + ((i * 7_919_111) % span));
    expect(calendarCacheStats().dayRecordsBuilt).toBe(again);
  });

  it('keeps the day cache bounded when instants wander over many years', () => {
    const from = Date.UTC(1950, 0, 1, 17);
    for (let i = 0; i < 4_200; i += 1) isOpen(from + i * DAY_MS);
    const { cachedDays } = calendarCacheStats();
    expect(cachedDays).toBeGreaterThan(0);
    expect(cachedDays).toBeLessThanOrEqual(4096);
    expect(isOpen(utc('2026-03-09T15:00:00'))).toBe(true); // still answers after the cache was reset
  });
});
