import { describe, expect, it } from 'vitest';
import { addTradingDays, tradingDaysBetween, tradingDaysWindow } from '../../../engine/calendar/nyse-calendar.js';

describe('addTradingDays', () => {
  it.each([
    ['2026-03-09', 0, '2026-03-09'],
    ['2026-03-06', 1, '2026-03-09'], // Friday -> Monday
    ['2026-03-07', 1, '2026-03-09'], // from a Saturday
    ['2026-03-07', -1, '2026-03-06'],
    ['2026-03-09', -5, '2026-03-02'],
    ['2026-04-02', 1, '2026-04-06'], // over Good Friday
    ['2026-04-06', -1, '2026-04-02'],
    ['2026-01-16', 1, '2026-01-20'], // over MLK Day
    ['2026-01-02', 10, '2026-01-16'],
    ['2024-12-23', 2, '2024-12-26'], // 12-24 trades (early close), 12-25 closed
    ['2025-01-08', 1, '2025-01-10'], // over the 2025-01-09 day of mourning
    ['2026-11-25', 1, '2026-11-27'], // over Thanksgiving onto an early close
    ['2026-12-31', 1, '2027-01-04'], // over New Year's Day 2027 and a weekend
    ['2027-12-31', 1, '2028-01-03'], // New Year's Day 2028 is a Saturday: not observed
    ['2027-12-23', 1, '2027-12-27'], // Christmas observed Friday 12-24
    ['2026-07-02', 1, '2026-07-06'], // Independence Day observed Friday 07-03
    ['2025-12-31', 251, '2026-12-31'], // 2026 has 251 trading days
  ])('addTradingDays(%s, %i) = %s', (date, n, expected) => {
    expect(addTradingDays(date, n)).toBe(expected);
  });

  it('n = 0 requires a trading day', () => {
    expect(() => addTradingDays('2026-04-03', 0)).toThrow(/2026-04-03 is not a trading day/);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects n = %d', (n) => {
    expect(() => addTradingDays('2026-03-09', n)).toThrow(RangeError);
    expect(() => addTradingDays('2026-03-09', n)).toThrow(/must be a whole number/);
  });

  it('rejects bad dates and results outside the supported years', () => {
    expect(() => addTradingDays('2026-02-30', 1)).toThrow(/Invalid calendar date "2026-02-30"/);
    expect(() => addTradingDays('9999-12-30', 2)).toThrow(/supported years/);
    expect(() => addTradingDays('2026-03-09', 10_000_000)).toThrow(/supported years/);
  });
});

describe('tradingDaysBetween counts trading days in (a, b]', () => {
  it.each([
    ['2026-03-09', '2026-03-09', 0],
    ['2026-03-06', '2026-03-09', 1],
    ['2026-03-06', '2026-03-08', 0], // weekend only
    ['2026-03-08', '2026-03-06', 0], // backwards over a weekend: 0, not -0
    ['2026-03-07', '2026-03-09', 1],
    ['2026-04-02', '2026-04-06', 1], // Good Friday not counted
    ['2026-04-06', '2026-04-02', -1],
    ['2026-04-03', '2026-04-06', 1], // a holiday start is excluded anyway
    ['2026-04-02', '2026-04-03', 0],
    ['2024-12-20', '2025-01-10', 12], // Christmas, New Year's Day, 2025-01-09
    ['2023-12-31', '2024-12-31', 252],
    ['2024-12-31', '2025-12-31', 250],
    ['2025-12-31', '2026-12-31', 251],
    ['2026-12-31', '2027-12-31', 251],
    ['2027-12-31', '2028-12-31', 251],
    ['2028-12-31', '2029-12-31', 251],
    ['2029-12-31', '2030-12-31', 251],
    ['2023-12-31', '2030-12-31', 252 + 250 + 251 * 5],
    ['2030-12-31', '2023-12-31', -(252 + 250 + 251 * 5)],
  ])('(%s, %s] = %i', (a, b, expected) => {
    expect(tradingDaysBetween(a, b)).toBe(expected);
  });

  it('validates both dates', () => {
    expect(() => tradingDaysBetween('2026-3-9', '2026-03-10')).toThrow(/Invalid calendar date "2026-3-9"/);
    expect(() => tradingDaysBetween('2026-03-09', '1899-01-01')).toThrow(/supported years/);
  });
});

describe('tradingDaysWindow', () => {
  it.each([
    ['2026-04-08', 5, ['2026-04-01', '2026-04-02', '2026-04-06', '2026-04-07', '2026-04-08']],
    ['2026-03-07', 3, ['2026-03-04', '2026-03-05', '2026-03-06']], // ends on a Saturday
    ['2027-01-05', 4, ['2026-12-30', '2026-12-31', '2027-01-04', '2027-01-05']],
    ['2025-01-10', 3, ['2025-01-07', '2025-01-08', '2025-01-10']],
    ['2026-04-03', 1, ['2026-04-02']],
    ['2026-04-08', 0, []],
  ])('the %i trading days ending at %s', (end, n, expected) => {
    expect(tradingDaysWindow(end, n)).toEqual(expected);
  });

  it('returns a fresh array each time', () => {
    const a = tradingDaysWindow('2026-04-08', 2);
    expect(tradingDaysWindow('2026-04-08', 2)).not.toBe(a);
  });

  it.each([-1, 2.5, 10_001, Number.NaN])('rejects n = %d', (n) => {
    expect(() => tradingDaysWindow('2026-04-08', n)).toThrow(RangeError);
  });

  it('rejects a malformed end date', () => {
    expect(() => tradingDaysWindow('20260408', 5)).toThrow(/YYYY-MM-DD/);
  });
});
