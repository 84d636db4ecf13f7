import { daysFromCivil, daysInMonth, formatIsoDay, isoWeekday } from './civil-date.js';

const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;
const SUNDAY = 7;
/** First year NYSE closed for Martin Luther King, Jr. Day. */
const FIRST_MLK_YEAR = 1998;
/** First year NYSE closed for Juneteenth National Independence Day. */
const FIRST_JUNETEENTH_YEAR = 2022;

/** A date produced by one of the NYSE calendar rules, with the rule's name for reports and tests. */
export interface NyseRuleDate {
  /** New York calendar date, 'YYYY-MM-DD'. */
  readonly date: string;
  readonly name: string;
}

const nthWeekdayOfMonth = (year: number, month: number, weekday: number, n: number): number => {
  const first = daysFromCivil(year, month, 1);
  return first + ((weekday - isoWeekday(first) + 7) % 7) + 7 * (n - 1);
};

const lastWeekdayOfMonth = (year: number, month: number, weekday: number): number => {
  const last = daysFromCivil(year, month, daysInMonth(year, month));
  return last - ((isoWeekday(last) - weekday + 7) % 7);
};

/**
 * NYSE Rule 7.2 observance: a holiday on Sunday is observed on Monday; one on Saturday on the
 * preceding Friday, except when that Friday ends an accounting period (New Year's Day: Friday is
 * 31 December), in which case it is not observed at all (`undefined`).
 */
const observed = (day: number, saturday: 'friday' | 'not-observed'): number | undefined => {
  const weekday = isoWeekday(day);
  if (weekday === SUNDAY) return day + 1;
  if (weekday === SATURDAY) return saturday === 'friday' ? day - 1 : undefined;
  return day;
};

/** Day number of Easter Sunday of a Gregorian year (anonymous Gregorian computus). */
const easterDay = (year: number): number => {
  const golden = year % 19;
  const century = Math.floor(year / 100);
  const yearOfCentury = year % 100;
  const leapCenturies = Math.floor(century / 4);
  const centuryRest = century % 4;
  const moonCorrection = Math.floor((century + 8) / 25);
  const moonShift = Math.floor((century - moonCorrection + 1) / 3);
  const epact = (19 * golden + century - leapCenturies - moonShift + 15) % 30;
  const leapYears = Math.floor(yearOfCentury / 4);
  const yearRest = yearOfCentury % 4;
  const toSunday = (32 + 2 * centuryRest + 2 * leapYears - epact - yearRest) % 7;
  const lateFullMoon = Math.floor((golden + 11 * epact + 22 * toSunday) / 451);
  const marchDays = epact + toSunday - 7 * lateFullMoon + 114;
  return daysFromCivil(year, Math.floor(marchDays / 31), (marchDays % 31) + 1);
};

/** Easter Sunday of a Gregorian year as 'YYYY-MM-DD' (Good Friday is two days earlier). */
export const easterSunday = (year: number): string => formatIsoDay(easterDay(year));

const ruleHolidayDays = (year: number): readonly { readonly day: number; readonly name: string }[] => {
  const candidates: readonly { readonly day: number | undefined; readonly name: string }[] = [
    { day: observed(daysFromCivil(year, 1, 1), 'not-observed'), name: "New Year's Day" },
    {
      day: year >= FIRST_MLK_YEAR ? nthWeekdayOfMonth(year, 1, MONDAY, 3) : undefined,
      name: 'Martin Luther King, Jr. Day',
    },
    { day: nthWeekdayOfMonth(year, 2, MONDAY, 3), name: "Washington's Birthday" },
    { day: easterDay(year) - 2, name: 'Good Friday' },
    { day: lastWeekdayOfMonth(year, 5, MONDAY), name: 'Memorial Day' },
    {
      day: year >= FIRST_JUNETEENTH_YEAR ? observed(daysFromCivil(year, 6, 19), 'friday') : undefined,
      name: 'Juneteenth National Independence Day',
    },
    { day: observed(daysFromCivil(year, 7, 4), 'friday'), name: 'Independence Day' },
    { day: nthWeekdayOfMonth(year, 9, MONDAY, 1), name: 'Labor Day' },
    { day: nthWeekdayOfMonth(year, 11, THURSDAY, 4), name: 'Thanksgiving Day' },
    { day: observed(daysFromCivil(year, 12, 25), 'friday'), name: 'Christmas Day' },
  ];
  return candidates.flatMap(({ day, name }) => (day === undefined ? [] : [{ day, name }]));
};

/**
 * The regular NYSE full-day holidays of a year, in date order, as NYSE observes them today (Rule
 * 7.2 observance; MLK Day from 1998, Juneteenth from 2022). Ad-hoc closures (days of mourning,
 * storms) are not rules: they live in `NYSE_SPECIAL_CLOSURES`. Years before 2024 are not checked
 * against published lists; older schedules differed (e.g. Washington's Birthday before 1971).
 */
export const nyseRuleHolidays = (year: number): readonly NyseRuleDate[] =>
  ruleHolidayDays(year).map(({ day, name }) => ({ date: formatIsoDay(day), name }));

/**
 * The regular NYSE 13:00 early closes of a year, in date order: 3 July when it is Monday-Thursday
 * (so 4 July is a weekday holiday the next day), the Friday after Thanksgiving, and 24 December
 * when it is Monday-Thursday (on a Friday it is the observed Christmas holiday instead).
 */
export const nyseRuleEarlyCloses = (year: number): readonly NyseRuleDate[] => {
  const holidays = new Set(ruleHolidayDays(year).map(({ day }) => day));
  const isMondayToThursdayTradingDay = (day: number): boolean => isoWeekday(day) <= THURSDAY && !holidays.has(day);
  const julyThird = daysFromCivil(year, 7, 3);
  const christmasEve = daysFromCivil(year, 12, 24);
  const thanksgiving = nthWeekdayOfMonth(year, 11, THURSDAY, 4);
  const dates: { readonly day: number; readonly name: string }[] = [];
  if (isMondayToThursdayTradingDay(julyThird)) dates.push({ day: julyThird, name: 'Day before Independence Day' });
  dates.push({ day: thanksgiving + 1, name: 'Day after Thanksgiving' });
  if (isMondayToThursdayTradingDay(christmasEve)) dates.push({ day: christmasEve, name: 'Christmas Eve' });
  return dates.map(({ day, name }) => ({ date: formatIsoDay(day), name }));
};
