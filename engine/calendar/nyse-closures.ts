import { formatIsoDay, isWeekend, parseIsoDay, yearOfDays } from './civil-date.js';
import { nyseRuleEarlyCloses, nyseRuleHolidays } from './nyse-holiday-rules.js';
import { NYSE_SPECIAL_CLOSURES } from './nyse-special-closures.js';

/** Years the calendar answers for; dates outside are rejected rather than guessed. */
export const NYSE_SUPPORTED_YEARS = { first: 1900, last: 9999 } as const;

/** Full-day closures and 13:00 early closes of one calendar year ('YYYY-MM-DD', New York dates, sorted). */
export interface YearClosures {
  readonly holidays: readonly string[];
  readonly earlyCloses: readonly string[];
}

/** What NYSE does on a New York calendar day. */
export type NyseDayKind = 'weekend' | 'holiday' | 'early-close' | 'regular';

interface YearEntry {
  readonly closures: YearClosures;
  readonly holidayDays: ReadonlySet<number>;
  readonly sortedHolidayDays: readonly number[];
  readonly earlyCloseDays: ReadonlySet<number>;
}

const yearEntries = new Map<number, YearEntry>();

/** Throws a RangeError naming `what` when `year` is not a whole year the calendar supports. */
export const assertSupportedYear = (year: number, what: string): void => {
  if (!Number.isInteger(year) || year < NYSE_SUPPORTED_YEARS.first || year > NYSE_SUPPORTED_YEARS.last) {
    throw new RangeError(
      `${what} is outside the NYSE calendar's supported years ${NYSE_SUPPORTED_YEARS.first}-${NYSE_SUPPORTED_YEARS.last}`,
    );
  }
};

const buildYear = (year: number): YearEntry => {
  const holidayDays = new Set(nyseRuleHolidays(year).map(({ date }) => parseIsoDay(date)));
  const earlyCloseDays = new Set(nyseRuleEarlyCloses(year).map(({ date }) => parseIsoDay(date)));
  for (const special of NYSE_SPECIAL_CLOSURES) {
    const day = parseIsoDay(special.date);
    if (yearOfDays(day) !== year) continue;
    if (isWeekend(day)) throw new Error(`NYSE_SPECIAL_CLOSURES: ${special.date} is a weekend day`);
    if (special.kind === 'closed') holidayDays.add(day);
    else earlyCloseDays.add(day);
  }
  for (const day of holidayDays) earlyCloseDays.delete(day);
  const sorted = (days: ReadonlySet<number>): readonly number[] => Object.freeze([...days].sort((a, b) => a - b));
  const sortedHolidayDays = sorted(holidayDays);
  return {
    closures: Object.freeze({
      holidays: Object.freeze(sortedHolidayDays.map(formatIsoDay)),
      earlyCloses: Object.freeze(sorted(earlyCloseDays).map(formatIsoDay)),
    }),
    holidayDays,
    sortedHolidayDays,
    earlyCloseDays,
  };
};

const yearEntry = (year: number): YearEntry => {
  let entry = yearEntries.get(year);
  if (entry === undefined) {
    assertSupportedYear(year, `Year ${year}`);
    entry = buildYear(year);
    yearEntries.set(year, entry);
  }
  return entry;
};

/**
 * NYSE closures of a year: the rule holidays and early closes (`nyse-holiday-rules.ts`) merged with
 * `NYSE_SPECIAL_CLOSURES`; a day that is both a closure and an early close is a closure. Computed
 * once per year and frozen.
 */
export const nyseClosures = (year: number): YearClosures => yearEntry(year).closures;

/** The full-day closures of a year as sorted day numbers (see `civil-date.ts`), for range counting. */
export const nyseHolidayDays = (year: number): readonly number[] => yearEntry(year).sortedHolidayDays;

/** What NYSE does on day number `day` (see `civil-date.ts`); O(1) after the year's first call. */
export const nyseDayKind = (day: number): NyseDayKind => {
  if (isWeekend(day)) return 'weekend';
  const entry = yearEntry(yearOfDays(day));
  if (entry.holidayDays.has(day)) return 'holiday';
  return entry.earlyCloseDays.has(day) ? 'early-close' : 'regular';
};
