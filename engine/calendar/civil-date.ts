/**
 * Calendar dates as integer day numbers (days since 1970-01-01, proleptic Gregorian), so holiday
 * rules and trading-day stepping need no time-zone library and no allocation: a day number names a
 * date, not an instant. Conversions to instants happen only in `nyse-calendar.ts`.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Days in a 400-year Gregorian cycle. */
const DAYS_PER_ERA = 146_097;
/** Day number of 0000-03-01 relative to 1970-01-01 (years counted from March, so leap days come last). */
const EPOCH_SHIFT = 719_468;
/** Weekdays among the first r days of a week that starts on a Thursday (1970-01-01 was a Thursday). */
const WEEKDAYS_BEFORE_IN_WEEK = [0, 1, 2, 2, 2, 3, 4] as const;

/** A calendar date split into its fields (month 1-12, day 1-31). */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Number of days in a month (1-12) of a year. */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** Day number of a calendar date; the fields must already be valid (see `parseIsoDay`). */
export const daysFromCivil = (year: number, month: number, day: number): number => {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_ERA + dayOfEra - EPOCH_SHIFT;
};

/** The year, month and day of a day number (inverse of `daysFromCivil`). */
export const civilFromDays = (days: number): CivilDate => {
  const shifted = days + EPOCH_SHIFT;
  const era = Math.floor(shifted / DAYS_PER_ERA);
  const dayOfEra = shifted - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1,
  };
};

/** The year of a day number, without allocating a `CivilDate` (used on stepping paths). */
export const yearOfDays = (days: number): number => {
  const shifted = days + EPOCH_SHIFT;
  const era = Math.floor(shifted / DAYS_PER_ERA);
  const dayOfEra = shifted - era * DAYS_PER_ERA;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  // Days from 1 January on (March-based day 306 and later) belong to the next calendar year.
  return yearOfEra + era * 400 + (dayOfYear >= 306 ? 1 : 0);
};

/** ISO weekday of a day number: 1 = Monday ... 6 = Saturday, 7 = Sunday (as luxon's `weekday`). */
export const isoWeekday = (days: number): number => ((((days + 3) % 7) + 7) % 7) + 1;

/** Whether a day number falls on Saturday or Sunday. */
export const isWeekend = (days: number): boolean => isoWeekday(days) >= 6;

/** Count of Monday-Friday days strictly before day number `days` since an arbitrary fixed origin. */
export const weekdaysBefore = (days: number): number => {
  const weeks = Math.floor(days / 7);
  return weeks * 5 + WEEKDAYS_BEFORE_IN_WEEK[(days - weeks * 7) as 0 | 1 | 2 | 3 | 4 | 5 | 6];
};

/**
 * Day number of a 'YYYY-MM-DD' string; a RangeError names the input when it is not a real date
 * (wrong shape, month 13, 30 February...).
 */
export const parseIsoDay = (date: string): number => {
  const match = typeof date === 'string' ? DATE_PATTERN.exec(date) : null;
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  const day = Number(match?.[3]);
  if (match === null || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`Invalid calendar date "${String(date)}": expected a real date as YYYY-MM-DD`);
  }
  return daysFromCivil(year, month, day);
};

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** 'YYYY-MM-DD' of a day number in years 0-9999. */
export const formatIsoDay = (days: number): string => {
  const { year, month, day } = civilFromDays(days);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
};
