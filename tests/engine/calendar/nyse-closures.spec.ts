import { describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../../engine/calendar/civil-date.js';
import { NYSE_CLOSURES, calendarCoverage } from '../../../engine/calendar/nyse-calendar.js';
import { nyseClosures, nyseDayKind } from '../../../engine/calendar/nyse-closures.js';
import { easterSunday, nyseRuleEarlyCloses, nyseRuleHolidays } from '../../../engine/calendar/nyse-holiday-rules.js';
import { NYSE_SPECIAL_CLOSURES } from '../../../engine/calendar/nyse-special-closures.js';

interface OracleYear {
  readonly holidays: readonly string[];
  readonly earlyCloses: readonly string[];
}

/**
 * TEST ORACLE. 2024-2028: NYSE "Holidays & Trading Hours" page and NYSE Group's press releases
 * announcing the 2022-2024 (2021-12-27), 2025-2027 (2024-11-08) and 2026-2028 (2025-12-23) holiday
 * and early-closing calendars; 2025-01-09 is the National Day of Mourning for President Carter
 * (announced separately). 2029-2030: NOT published yet; derived by hand from the NYSE rules
 * (observance per NYSE Rule 7.2) and the Gregorian Easter dates, so they check the rule code, not NYSE.
 */
const PUBLISHED_AND_DERIVED: Readonly<Record<number, OracleYear>> = {
  2024: {
    holidays: [
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-03-29',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-11-28',
      '2024-12-25',
    ],
    earlyCloses: ['2024-07-03', '2024-11-29', '2024-12-24'],
  },
  2025: {
    holidays: [
      '2025-01-01',
      '2025-01-09',
      '2025-01-20',
      '2025-02-17',
      '2025-04-18',
      '2025-05-26',
      '2025-06-19',
      '2025-07-04',
      '2025-09-01',
      '2025-11-27',
      '2025-12-25',
    ],
    earlyCloses: ['2025-07-03', '2025-11-28', '2025-12-24'],
  },
  2026: {
    holidays: [
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ],
    earlyCloses: ['2026-11-27', '2026-12-24'],
  },
  2027: {
    holidays: [
      '2027-01-01',
      '2027-01-18',
      '2027-02-15',
      '2027-03-26',
      '2027-05-31',
      '2027-06-18',
      '2027-07-05',
      '2027-09-06',
      '2027-11-25',
      '2027-12-24',
    ],
    earlyCloses: ['2027-11-26'],
  },
  2028: {
    holidays: [
      '2028-01-17',
      '2028-02-21',
      '2028-04-14',
      '2028-05-29',
      '2028-06-19',
      '2028-07-04',
      '2028-09-04',
      '2028-11-23',
      '2028-12-25',
    ],
    earlyCloses: ['2028-07-03', '2028-11-24'],
  },
  // Derived (not published): see the comment above.
  2029: {
    holidays: [
      '2029-01-01',
      '2029-01-15',
      '2029-02-19',
      '2029-03-30',
      '2029-05-28',
      '2029-06-19',
      '2029-07-04',
      '2029-09-03',
      '2029-11-22',
      '2029-12-25',
    ],
    earlyCloses: ['2029-07-03', '2029-11-23', '2029-12-24'],
  },
  2030: {
    holidays: [
      '2030-01-01',
      '2030-01-21',
      '2030-02-18',
      '2030-04-19',
      '2030-05-27',
      '2030-06-19',
      '2030-07-04',
      '2030-09-02',
      '2030-11-28',
      '2030-12-25',
    ],
    earlyCloses: ['2030-07-03', '2030-11-29', '2030-12-24'],
  },
};

/** Also from the 2021-12-27 NYSE Group press release; outside the checked range, so rules only. */
const PUBLISHED_BEFORE_COVERAGE: Readonly<Record<number, OracleYear>> = {
  2022: {
    holidays: [
      '2022-01-17',
      '2022-02-21',
      '2022-04-15',
      '2022-05-30',
      '2022-06-20',
      '2022-07-04',
      '2022-09-05',
      '2022-11-24',
      '2022-12-26',
    ],
    earlyCloses: ['2022-11-25'],
  },
  2023: {
    holidays: [
      '2023-01-02',
      '2023-01-16',
      '2023-02-20',
      '2023-04-07',
      '2023-05-29',
      '2023-06-19',
      '2023-07-04',
      '2023-09-04',
      '2023-11-23',
      '2023-12-25',
    ],
    earlyCloses: ['2023-07-03', '2023-11-24'],
  },
};

const years = Object.keys(PUBLISHED_AND_DERIVED).map(Number);

describe('NYSE closures: rules + specials reproduce the oracle year by year', () => {
  it('the oracle covers exactly the years NYSE_CLOSURES exports', () => {
    expect(Object.keys(NYSE_CLOSURES).map(Number)).toEqual(years);
    expect(years).toEqual([2024, 2025, 2026, 2027, 2028, 2029, 2030]);
  });

  it.each(years)('%i: holidays and early closes', (year) => {
    const oracle = PUBLISHED_AND_DERIVED[year];
    expect(nyseClosures(year)).toEqual(oracle);
    expect(NYSE_CLOSURES[year]).toEqual(oracle);
  });

  it.each(Object.keys(PUBLISHED_BEFORE_COVERAGE).map(Number))(
    '%i (published, before coverage): rules alone',
    (year) => {
      expect(nyseClosures(year)).toEqual(PUBLISHED_BEFORE_COVERAGE[year]);
    },
  );

  it('coverage says which years were checked and how', () => {
    expect(years.map(calendarCoverage)).toEqual([
      'published',
      'published',
      'published',
      'published',
      'published',
      'derived',
      'derived',
    ]);
    expect(calendarCoverage(2023)).toBe('rules-only');
    expect(calendarCoverage(2031)).toBe('rules-only');
    expect(() => calendarCoverage(1899)).toThrow(/supported years 1900-9999/);
    expect(() => calendarCoverage(2026.5)).toThrow(RangeError);
  });

  it('the only special needed in 2024-2030 is the 2025-01-09 day of mourning', () => {
    expect(NYSE_SPECIAL_CLOSURES.map(({ date, kind }) => [date, kind])).toEqual([['2025-01-09', 'closed']]);
    expect(nyseRuleHolidays(2025).map(({ date }) => date)).not.toContain('2025-01-09');
    expect(nyseDayKind(parseIsoDay('2025-01-09'))).toBe('holiday');
  });

  it('every year 1900-2200 has its closures on weekdays of that year, disjoint and sorted', () => {
    for (let year = 1900; year <= 2200; year += 1) {
      const { holidays, earlyCloses } = nyseClosures(year);
      for (const date of [...holidays, ...earlyCloses]) {
        expect(date.startsWith(`${year}-`)).toBe(true);
        expect(nyseDayKind(parseIsoDay(date))).not.toBe('weekend');
      }
      expect(holidays.filter((d) => earlyCloses.includes(d))).toEqual([]);
      expect([...holidays].sort()).toEqual(holidays);
      expect([...earlyCloses].sort()).toEqual(earlyCloses);
    }
  });
});

describe('NYSE holiday rules', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2029, '2029-04-01'],
    [2030, '2030-04-21'],
    [2038, '2038-04-25'], // latest possible Easter
    [2285, '2285-03-22'], // earliest possible Easter
  ])('Easter %i is %s', (year, easter) => {
    expect(easterSunday(year)).toBe(easter);
  });

  it('names each rule holiday, in date order', () => {
    expect(nyseRuleHolidays(2026)).toEqual([
      { date: '2026-01-01', name: "New Year's Day" },
      { date: '2026-01-19', name: 'Martin Luther King, Jr. Day' },
      { date: '2026-02-16', name: "Washington's Birthday" },
      { date: '2026-04-03', name: 'Good Friday' },
      { date: '2026-05-25', name: 'Memorial Day' },
      { date: '2026-06-19', name: 'Juneteenth National Independence Day' },
      { date: '2026-07-03', name: 'Independence Day' },
      { date: '2026-09-07', name: 'Labor Day' },
      { date: '2026-11-26', name: 'Thanksgiving Day' },
      { date: '2026-12-25', name: 'Christmas Day' },
    ]);
    expect(nyseRuleEarlyCloses(2029)).toEqual([
      { date: '2029-07-03', name: 'Day before Independence Day' },
      { date: '2029-11-23', name: 'Day after Thanksgiving' },
      { date: '2029-12-24', name: 'Christmas Eve' },
    ]);
  });

  const holidayDates = (year: number): readonly string[] => nyseRuleHolidays(year).map(({ date }) => date);
  const earlyDates = (year: number): readonly string[] => nyseRuleEarlyCloses(year).map(({ date }) => date);

  it("New Year's Day: Sunday moves to Monday, Saturday is not observed on the Friday (Rule 7.2)", () => {
    expect(holidayDates(2023)[0]).toBe('2023-01-02'); // Sunday
    expect(holidayDates(2034)[0]).toBe('2034-01-02'); // Sunday
    expect(holidayDates(2028)[0]).toBe('2028-01-17'); // Saturday: first closure is MLK Day
    expect(holidayDates(2033)[0]).toBe('2033-01-17'); // Saturday
    expect(holidayDates(2027)).not.toContain('2027-12-31'); // Friday before Saturday 2028-01-01
    expect(nyseDayKind(parseIsoDay('2021-12-31'))).toBe('regular');
  });

  it('Juneteenth: from 2022 only; Saturday to Friday, Sunday to Monday', () => {
    expect(holidayDates(2021).some((d) => d.startsWith('2021-06'))).toBe(false);
    expect(holidayDates(2022)).toContain('2022-06-20'); // Sunday
    expect(holidayDates(2027)).toContain('2027-06-18'); // Saturday
    expect(holidayDates(2033)).toContain('2033-06-20'); // Sunday
  });

  it('Independence Day observance decides the 3 July early close', () => {
    expect(holidayDates(2026)).toContain('2026-07-03'); // Saturday -> Friday holiday
    expect(earlyDates(2026)).toEqual(['2026-11-27', '2026-12-24']); // ...so no early close on 2 or 3 July
    expect(holidayDates(2027)).toContain('2027-07-05'); // Sunday -> Monday
    expect(earlyDates(2027).some((d) => d.startsWith('2027-07'))).toBe(false);
    expect(earlyDates(2022).some((d) => d.startsWith('2022-07'))).toBe(false); // 4 July on Monday
    expect(earlyDates(2023)).toContain('2023-07-03'); // Monday before a Tuesday holiday
    expect(earlyDates(2025)).toContain('2025-07-03'); // Thursday before a Friday holiday
  });

  it('Christmas: Saturday to Friday 24 December (no early close), Sunday to Monday, Christmas Eve Mon-Thu closes early', () => {
    expect(holidayDates(2027)).toContain('2027-12-24');
    expect(earlyDates(2027).some((d) => d.startsWith('2027-12'))).toBe(false);
    expect(holidayDates(2022)).toContain('2022-12-26');
    expect(earlyDates(2022)).toEqual(['2022-11-25']);
    expect(earlyDates(2029)).toContain('2029-12-24'); // Monday
    expect(earlyDates(2026)).toContain('2026-12-24'); // Thursday
  });

  it('MLK Day only from 1998; the weekday rules land on the right weekday', () => {
    expect(holidayDates(1997).some((d) => d.startsWith('1997-01-2'))).toBe(false);
    expect(holidayDates(1998)).toContain('1998-01-19');
    const weekdayOf = (date: string): number => new Date(`${date}T12:00:00Z`).getUTCDay();
    for (let year = 2000; year <= 2100; year += 1) {
      const byName = new Map(nyseRuleHolidays(year).map(({ name, date }) => [name, date]));
      const dayOfMonth = (name: string): number => Number(byName.get(name)?.slice(8));
      expect(weekdayOf(byName.get('Martin Luther King, Jr. Day') ?? '')).toBe(1);
      expect(dayOfMonth('Martin Luther King, Jr. Day')).toBeGreaterThanOrEqual(15);
      expect(dayOfMonth('Martin Luther King, Jr. Day')).toBeLessThanOrEqual(21);
      expect(weekdayOf(byName.get("Washington's Birthday") ?? '')).toBe(1);
      expect(dayOfMonth("Washington's Birthday")).toBeGreaterThanOrEqual(15);
      expect(dayOfMonth("Washington's Birthday")).toBeLessThanOrEqual(21);
      expect(weekdayOf(byName.get('Good Friday') ?? '')).toBe(5);
      expect(weekdayOf(byName.get('Memorial Day') ?? '')).toBe(1);
      expect(dayOfMonth('Memorial Day')).toBeGreaterThanOrEqual(25);
      expect(weekdayOf(byName.get('Labor Day') ?? '')).toBe(1);
      expect(byName.get('Labor Day')?.slice(5, 8)).toBe('09-');
      expect(dayOfMonth('Labor Day')).toBeLessThanOrEqual(7);
      expect(weekdayOf(byName.get('Thanksgiving Day') ?? '')).toBe(4);
      expect(dayOfMonth('Thanksgiving Day')).toBeGreaterThanOrEqual(22);
      expect(dayOfMonth('Thanksgiving Day')).toBeLessThanOrEqual(28);
    }
  });
});
