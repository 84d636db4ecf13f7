import { DateTime } from 'luxon';
import { civilFromDays, daysFromCivil, formatIsoDay, parseIsoDay, weekdaysBefore, yearOfDays } from './civil-date.js';
import {
  NYSE_SUPPORTED_YEARS,
  assertSupportedYear,
  nyseClosures,
  nyseDayKind,
  nyseHolidayDays,
} from './nyse-closures.js';
import type { YearClosures } from './nyse-closures.js';

/** The exchange's time zone; every date in this module is a calendar date there. */
const NYSE_ZONE = 'America/New_York';
const DAY_MS = 86_400_000;
const OPEN = { hour: 9, minute: 30 } as const;
const REGULAR_CLOSE = { hour: 16, minute: 0 } as const;
const EARLY_CLOSE = { hour: 13, minute: 0 } as const;
const FIRST_DAY = daysFromCivil(NYSE_SUPPORTED_YEARS.first, 1, 1);
const LAST_DAY = daysFromCivil(NYSE_SUPPORTED_YEARS.last, 12, 31);
/** Trading days are at most this far apart (the longest NYSE closure streak is far shorter). */
const MAX_SEARCH_DAYS = 30;
/**
 * Day cache size (about 11 years of days, ~1 MB): a sequential replay never rebuilds a day, and
 * random access over decades cannot grow memory without bound (the cache is cleared when full).
 */
const MAX_CACHED_DAYS = 4096;
/** Largest `tradingDaysWindow` (about 40 years), so a typo cannot allocate millions of strings. */
const MAX_WINDOW_DAYS = 10_000;

/**
 * How far the calendar has been checked. `published`: reproduces NYSE's published holiday and
 * early-close lists ("Holidays & Trading Hours", press releases for 2024-2028). `derived`: checked
 * against dates worked out by hand from the rules (NYSE had not published them yet). Every other
 * supported year follows the rules alone, without any ad-hoc closure NYSE may announce.
 */
export const NYSE_CALENDAR_COVERAGE = {
  publishedYears: { first: 2024, last: 2028 },
  derivedYears: { first: 2029, last: 2030 },
  supportedYears: NYSE_SUPPORTED_YEARS,
} as const;

/** How a year's closures were checked (see `NYSE_CALENDAR_COVERAGE`). */
export type CalendarYearCoverage = 'published' | 'derived' | 'rules-only';

/** How far the closures of `year` are checked; a RangeError outside the supported years. */
export const calendarCoverage = (year: number): CalendarYearCoverage => {
  assertSupportedYear(year, `Year ${year}`);
  const { publishedYears, derivedYears } = NYSE_CALENDAR_COVERAGE;
  if (year >= publishedYears.first && year <= publishedYears.last) return 'published';
  if (year >= derivedYears.first && year <= derivedYears.last) return 'derived';
  return 'rules-only';
};

/**
 * NYSE full-day closures and 13:00 early closes of the checked years (2024-2030), generated from
 * the rules plus `NYSE_SPECIAL_CLOSURES`; the tests hold the published lists they must equal. Other
 * years are available through `nyseClosures(year)`.
 */
export const NYSE_CLOSURES: Readonly<Record<number, YearClosures>> = Object.freeze(
  Object.fromEntries(
    Array.from({ length: NYSE_CALENDAR_COVERAGE.derivedYears.last - NYSE_CALENDAR_COVERAGE.publishedYears.first + 1 })
      .map((_, i) => NYSE_CALENDAR_COVERAGE.publishedYears.first + i)
      .map((year) => [year, nyseClosures(year)]),
  ),
);

/** Session start and end (epoch ms) of one trading day; `close` is exclusive. */
export interface SessionBounds {
  readonly open: number;
  readonly close: number;
}

/** A regular session with its New York date ('YYYY-MM-DD'). */
export interface Session extends SessionBounds {
  readonly date: string;
}

/** Everything the lookups need about one New York day, built once with luxon and then shared. */
interface DayRecord {
  readonly day: number;
  readonly date: string;
  /** New York midnight starting this day, epoch ms (inclusive). */
  readonly start: number;
  /** The next New York midnight (exclusive); days are 23 or 25 hours long at DST switches. */
  readonly end: number;
  readonly session: Session | undefined;
  readonly bounds: SessionBounds | undefined;
  /** Session bounds for `isOpen`; both equal `start` on a closed day so that no instant is inside. */
  readonly open: number;
  readonly close: number;
}

const dayRecords = new Map<number, DayRecord>();
/** Initial `lastRecord`: an empty interval (start = end), so no instant ever matches it. */
const NO_RECORD: DayRecord = Object.freeze({
  day: 0,
  date: '',
  start: 0,
  end: 0,
  session: undefined,
  bounds: undefined,
  open: 0,
  close: 0,
});
/** The record `recordAt` returned last: consecutive instants of one day skip even the Map. */
let lastRecord: DayRecord = NO_RECORD;
let dayRecordsBuilt = 0;

const outOfRange = (what: string): RangeError =>
  new RangeError(
    `${what} is outside the NYSE calendar's supported years ${NYSE_SUPPORTED_YEARS.first}-${NYSE_SUPPORTED_YEARS.last}`,
  );

const buildDayRecord = (day: number): DayRecord => {
  const { year, month, day: dayOfMonth } = civilFromDays(day);
  const midnight = DateTime.fromObject({ year, month, day: dayOfMonth }, { zone: NYSE_ZONE });
  if (!midnight.isValid) throw new Error(`Calendar: cannot place ${formatIsoDay(day)} in ${NYSE_ZONE}`);
  dayRecordsBuilt += 1;
  const date = formatIsoDay(day);
  const start = midnight.toMillis();
  const end = midnight.plus({ days: 1 }).toMillis();
  const kind = nyseDayKind(day);
  if (kind === 'weekend' || kind === 'holiday') {
    return Object.freeze({ day, date, start, end, session: undefined, bounds: undefined, open: start, close: start });
  }
  const open = midnight.set(OPEN).toMillis();
  const close = midnight.set(kind === 'early-close' ? EARLY_CLOSE : REGULAR_CLOSE).toMillis();
  return Object.freeze({
    day,
    date,
    start,
    end,
    session: Object.freeze({ date, open, close }),
    bounds: Object.freeze({ open, close }),
    open,
    close,
  });
};

const recordOfDay = (day: number): DayRecord => {
  let record = dayRecords.get(day);
  if (record === undefined) {
    if (dayRecords.size >= MAX_CACHED_DAYS) dayRecords.clear();
    record = buildDayRecord(day);
    dayRecords.set(day, record);
  }
  return record;
};

const locate = (ts: number): DayRecord => {
  if (!Number.isFinite(ts)) throw new RangeError(`Invalid timestamp ${ts}: expected finite epoch milliseconds`);
  const utcDay = Math.floor(ts / DAY_MS);
  if (utcDay < FIRST_DAY || utcDay > LAST_DAY + 1) throw outOfRange(`Timestamp ${ts}`);
  // New York runs 4-5 hours behind UTC, so ts falls on New York day utcDay or the one before; the
  // cached start of utcDay (New York midnight, DST-aware) decides which.
  let record = utcDay <= LAST_DAY ? recordOfDay(utcDay) : undefined;
  if (record === undefined || ts < record.start) {
    if (utcDay - 1 < FIRST_DAY) throw outOfRange(`Timestamp ${ts}`);
    record = recordOfDay(utcDay - 1);
  }
  if (ts >= record.end) throw outOfRange(`Timestamp ${ts}`);
  lastRecord = record;
  return record;
};

/** The record of the New York day containing ts: O(1), allocation-free once the day is cached. */
const recordAt = (ts: number): DayRecord => {
  const last = lastRecord;
  return ts >= last.start && ts < last.end ? last : locate(ts);
};

const dayOf = (date: string): number => {
  const day = parseIsoDay(date);
  if (day < FIRST_DAY || day > LAST_DAY) throw outOfRange(`Calendar date "${date}"`);
  return day;
};

const isTradingDayNumber = (day: number): boolean => {
  const kind = nyseDayKind(day);
  return kind === 'regular' || kind === 'early-close';
};

const stepTradingDay = (day: number, direction: 1 | -1, from: string): number => {
  let candidate = day;
  for (let i = 0; i < MAX_SEARCH_DAYS; i += 1) {
    candidate += direction;
    if (candidate < FIRST_DAY || candidate > LAST_DAY) {
      throw outOfRange(`The trading day ${direction > 0 ? 'after' : 'before'} ${from}`);
    }
    if (isTradingDayNumber(candidate)) return candidate;
  }
  throw new RangeError(`No trading day within ${MAX_SEARCH_DAYS} days of ${from}`);
};

/** Counters for tests and diagnostics: how often luxon was needed, and how many days are cached. */
export interface CalendarCacheStats {
  /** Days whose bounds were computed with luxon; repeated lookups of a cached day do not add to it. */
  readonly dayRecordsBuilt: number;
  readonly cachedDays: number;
}

/** Current cache counters (a snapshot; see `CalendarCacheStats`). */
export const calendarCacheStats = (): CalendarCacheStats => ({ dayRecordsBuilt, cachedDays: dayRecords.size });

/**
 * Whether NYSE holds a regular session on this New York date: not a weekend, not a rule holiday,
 * not a special closure. Years outside 2024-2030 follow the rules only (see `NYSE_CALENDAR_COVERAGE`);
 * a RangeError for malformed dates and years outside 1900-9999.
 */
export const isTradingDay = (date: string): boolean => isTradingDayNumber(dayOf(date));

/**
 * Open and close of the regular session on a New York date (09:30-16:00, 13:00 on early closes),
 * DST-correct; undefined when the market is closed that day. The object is cached and frozen.
 */
export const sessionBounds = (date: string): SessionBounds | undefined => recordOfDay(dayOf(date)).bounds;

/** One New York day: its date, its span (23 or 25 hours at DST switches) and its regular session. */
export interface NewYorkDay {
  readonly date: string;
  /** New York midnight starting the day, epoch ms (inclusive). */
  readonly start: number;
  /** The next New York midnight, epoch ms (exclusive). */
  readonly end: number;
  /** Undefined when the market is closed that day. */
  readonly session: Session | undefined;
}

/** The New York day containing `ts`. Hot-path lookup: cached, shared and frozen, like `sessionAt`. */
export const newYorkDayAt = (ts: number): NewYorkDay => recordAt(ts);

/** The New York calendar date ('YYYY-MM-DD') that contains the instant `ts`. */
export const sessionDateOf = (ts: number): string => recordAt(ts).date;

/**
 * The regular session of the New York day containing `ts`, whether or not `ts` lies inside it
 * (check `open <= ts < close`); undefined on weekends and holidays. Hot-path lookup: O(1) and
 * allocation-free for a day already seen (the returned object is cached and frozen).
 */
export const sessionAt = (ts: number): Session | undefined => recordAt(ts).session;

/**
 * Whether the regular session is in progress at `ts` (open <= ts < close on a trading day).
 * Hot-path lookup: no luxon call and no allocation once the day is cached.
 */
export const isOpen = (ts: number): boolean => {
  const record = recordAt(ts);
  return ts >= record.open && ts < record.close;
};

/** The first trading day strictly after `date`. */
export const nextTradingDay = (date: string): string => formatIsoDay(stepTradingDay(dayOf(date), 1, date));

/** The last trading day strictly before `date` (skips weekends and holidays). */
export const previousTradingDay = (date: string): string => formatIsoDay(stepTradingDay(dayOf(date), -1, date));

/** `date` itself when it is a trading day, otherwise the next one. */
export const tradingDayAtOrAfter = (date: string): string => (isTradingDay(date) ? date : nextTradingDay(date));

/** `date` itself when it is a trading day, otherwise the previous one. */
export const tradingDayAtOrBefore = (date: string): string => (isTradingDay(date) ? date : previousTradingDay(date));

/**
 * The open of the session a trader waiting at `ts` would see next: today's open when `ts` is at or
 * before it, otherwise the following trading day's open (also while the session is in progress).
 */
export const nextSessionOpen = (ts: number): number => {
  const today = recordAt(ts);
  if (today.session !== undefined && ts <= today.session.open) return today.session.open;
  const next = recordOfDay(stepTradingDay(today.day, 1, today.date)).session;
  if (next === undefined) throw new Error(`Calendar inconsistency: no session on the trading day after ${today.date}`);
  return next.open;
};

const assertWholeNumber = (n: number, what: string): void => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be a whole number, got ${n}`);
};

/**
 * The trading day `n` trading days after `date` (before it when `n` < 0), as for T+n settlement:
 * `n` = 1 is the next trading day even when `date` is a weekend or holiday. `n` = 0 returns `date`
 * and requires it to be a trading day (RangeError otherwise: there is no "zeroth" trading day of a
 * holiday; use `tradingDayAtOrAfter`/`tradingDayAtOrBefore`).
 */
export const addTradingDays = (date: string, n: number): string => {
  assertWholeNumber(n, `addTradingDays("${date}", n): n`);
  let day = dayOf(date);
  if (n === 0) {
    if (isTradingDayNumber(day)) return date;
    throw new RangeError(
      `addTradingDays("${date}", 0): ${date} is not a trading day; use tradingDayAtOrAfter or tradingDayAtOrBefore`,
    );
  }
  if (Math.abs(n) > LAST_DAY - FIRST_DAY) throw outOfRange(`addTradingDays("${date}", ${n})`);
  const direction = n > 0 ? 1 : -1;
  for (let i = 0; i < Math.abs(n); i += 1) day = stepTradingDay(day, direction, date);
  return formatIsoDay(day);
};

/** Trading days in the day-number range (from, to], from <= to: weekdays minus closures. */
const countTradingDays = (from: number, to: number): number => {
  let count = weekdaysBefore(to + 1) - weekdaysBefore(from + 1);
  for (let year = yearOfDays(from + 1); year <= yearOfDays(to); year += 1) {
    for (const holiday of nyseHolidayDays(year)) if (holiday > from && holiday <= to) count -= 1;
  }
  return count;
};

/**
 * The number of trading days in (a, b]: `a` itself is not counted, `b` is when it is a trading day;
 * negative (minus the count in (b, a]) when b is before a. For a trading day `a`,
 * `tradingDaysBetween(a, addTradingDays(a, n)) === n`. Cost grows with the number of years spanned.
 */
export const tradingDaysBetween = (a: string, b: string): number => {
  const from = dayOf(a);
  const to = dayOf(b);
  // `0 - x` rather than `-x`: an empty backward range is 0, not -0.
  return to >= from ? countTradingDays(from, to) : 0 - countTradingDays(to, from);
};

/**
 * The `n` trading days ending at `endDate`, oldest first: `endDate` is the last one when it is a
 * trading day, otherwise the last trading day before it (e.g. a PDT "5 business days" window).
 * `n` must be a whole number in 0-10 000; the array is a fresh copy.
 */
export const tradingDaysWindow = (endDate: string, n: number): readonly string[] => {
  assertWholeNumber(n, `tradingDaysWindow("${endDate}", n): n`);
  if (n < 0 || n > MAX_WINDOW_DAYS) {
    throw new RangeError(`tradingDaysWindow("${endDate}", ${n}): n must be between 0 and ${MAX_WINDOW_DAYS}`);
  }
  let day = dayOf(endDate);
  if (n === 0) return [];
  if (!isTradingDayNumber(day)) day = stepTradingDay(day, -1, endDate);
  const window = new Array<string>(n);
  window[n - 1] = formatIsoDay(day);
  for (let i = n - 2; i >= 0; i -= 1) {
    day = stepTradingDay(day, -1, endDate);
    window[i] = formatIsoDay(day);
  }
  return window;
};
