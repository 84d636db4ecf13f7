import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isBankHolidayTradingDay, settlementDateOf, tradeDateOf } from '../../../engine/risk/settlement-dates.js';

const at = (date: string, time = '10:00'): number =>
  DateTime.fromISO(`${date}T${time}`, { zone: 'America/New_York' }).toMillis();

const BANK = { skipBankHolidays: true } as const;
const NYSE_ONLY = { skipBankHolidays: false } as const;

describe('settlementDateOf (T+n on the NYSE calendar; SEC Rule 15c6-1 T+1 since 2024-05-28)', () => {
  it.each([
    // trade date, days, settlement date, why
    ['2026-11-23', 1, '2026-11-24', 'Monday -> Tuesday'],
    ['2026-11-25', 1, '2026-11-27', 'over Thanksgiving (Thu 11-26)'],
    ['2026-11-27', 1, '2026-11-30', 'the early-close Friday after Thanksgiving, over the weekend'],
    ['2026-11-24', 2, '2026-11-27', 'T+2 over Thanksgiving'],
    ['2026-04-02', 1, '2026-04-06', 'over Good Friday (04-03) and the weekend'],
    ['2026-06-18', 1, '2026-06-22', 'over Juneteenth (Fri 06-19)'],
    ['2026-07-02', 1, '2026-07-06', 'over Independence Day observed (Fri 07-03)'],
    ['2026-12-24', 1, '2026-12-28', 'over Christmas (Fri 12-25)'],
    ['2026-12-31', 1, '2027-01-04', "over New Year's Day 2027 (Fri)"],
    ['2026-10-09', 1, '2026-10-13', 'over Columbus Day (Mon 10-12): NYSE open, banks closed'],
    ['2026-11-10', 1, '2026-11-12', 'over Veterans Day (Wed 11-11): NYSE open, banks closed'],
    ['2029-11-09', 1, '2029-11-13', 'Veterans Day 2029 falls on Sunday: banks close Monday 11-12'],
    ['2026-11-09', 2, '2026-11-12', 'T+2 across Veterans Day'],
  ])('%s T+%i -> %s (%s)', (trade, days, settles) => {
    expect(settlementDateOf(trade, days, BANK)).toBe(settles);
  });

  it.each([
    ['2026-10-09', '2026-10-12'],
    ['2026-11-10', '2026-11-11'],
  ])('with skipBankHolidays off, %s T+1 -> %s (plain NYSE trading days)', (trade, settles) => {
    expect(settlementDateOf(trade, 1, NYSE_ONLY)).toBe(settles);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s settlement days', (days) => {
    expect(() => settlementDateOf('2026-11-23', days, BANK)).toThrow(/settlement days must be a whole number >= 1/);
  });
});

describe('isBankHolidayTradingDay', () => {
  it.each([
    ['2026-10-12', true],
    ['2026-10-05', false],
    ['2026-10-19', false],
    ['2026-11-11', true],
    ['2029-11-12', true],
    ['2028-11-10', false],
    ['2026-11-12', false],
    ['2026-07-04', false],
  ])('%s -> %s', (date, expected) => {
    expect(isBankHolidayTradingDay(date)).toBe(expected);
  });
});

describe('tradeDateOf', () => {
  it.each([
    [at('2026-11-23', '09:30'), '2026-11-23', 'the open'],
    [at('2026-11-23', '17:30'), '2026-11-23', 'after hours'],
    [at('2026-11-23', '04:00'), '2026-11-23', 'pre-market'],
    [at('2026-11-28', '12:00'), '2026-11-30', 'Saturday -> Monday'],
    [at('2026-11-26', '12:00'), '2026-11-27', 'Thanksgiving -> Friday'],
    [at('2026-04-03', '12:00'), '2026-04-06', 'Good Friday -> Monday'],
  ])('%s -> %s (%s)', (ts, date) => {
    expect(tradeDateOf(ts)).toBe(date);
  });

  it('refuses a non-finite timestamp', () => {
    expect(() => tradeDateOf(Number.NaN)).toThrow(/finite/);
  });
});
