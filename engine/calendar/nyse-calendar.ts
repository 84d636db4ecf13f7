import { DateTime } from 'luxon';

/** The exchange's time zone; every date in this module is a calendar date there. */
const NYSE_ZONE = 'America/New_York';

/** Closures and early closes of one calendar year ('YYYY-MM-DD', New York dates). */
interface YearClosures {
  readonly holidays: readonly string[];
  readonly earlyCloses: readonly string[];
}

/**
 * Published NYSE full-day closures and 13:00 early closes, one entry per year, so a year can be
 * added (or generated from rules) without touching the lookups below.
 */
export const NYSE_CLOSURES: Readonly<Record<number, YearClosures>> = {
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
      '2025-01-09', // national day of mourning (President Carter)
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
};

/** Session start and end (epoch ms) of one trading day; `close` is exclusive. */
export interface SessionBounds {
  readonly open: number;
  readonly close: number;
}

const OPEN = { hour: 9, minute: 30 } as const;
const REGULAR_CLOSE = { hour: 16, minute: 0 } as const;
const EARLY_CLOSE = { hour: 13, minute: 0 } as const;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** Trading days are at most this far apart (longest NYSE closure streak is far shorter). */
const MAX_SEARCH_DAYS = 30;

const holidaySet = new Set(Object.values(NYSE_CLOSURES).flatMap((y) => y.holidays));
const earlyCloseSet = new Set(Object.values(NYSE_CLOSURES).flatMap((y) => y.earlyCloses));
const boundsCache = new Map<string, SessionBounds | undefined>();

const parseDate = (date: string): DateTime => {
  const parsed = DATE_PATTERN.test(date) ? DateTime.fromISO(date, { zone: NYSE_ZONE }) : undefined;
  if (!parsed?.isValid) throw new RangeError(`Invalid calendar date "${date}": expected a real date as YYYY-MM-DD`);
  return parsed;
};

const assertTimestamp = (ts: number): void => {
  if (!Number.isFinite(ts)) throw new RangeError(`Invalid timestamp ${ts}: expected finite epoch milliseconds`);
};

const toIsoDate = (dt: DateTime): string => dt.toFormat('yyyy-MM-dd');

/**
 * Whether NYSE holds a regular session on this New York date. Years without a closures table
 * (see `NYSE_CLOSURES`) treat every weekday as a trading day: holidays there are NOT known.
 */
export const isTradingDay = (date: string): boolean => {
  const day = parseDate(date);
  return day.weekday <= 5 && !holidaySet.has(date);
};

/**
 * Open and close of the regular session on a New York date (09:30-16:00, 13:00 on early closes),
 * DST-correct; undefined when the market is closed that day. Years outside the table have no
 * holidays and no early closes.
 */
export const sessionBounds = (date: string): SessionBounds | undefined => {
  if (boundsCache.has(date)) return boundsCache.get(date);
  const day = parseDate(date);
  const bounds = isTradingDay(date)
    ? {
        open: day.set(OPEN).toMillis(),
        close: day.set(earlyCloseSet.has(date) ? EARLY_CLOSE : REGULAR_CLOSE).toMillis(),
      }
    : undefined;
  boundsCache.set(date, bounds);
  return bounds;
};

/** The New York calendar date ('YYYY-MM-DD') that contains the instant `ts`. */
export const sessionDateOf = (ts: number): string => {
  assertTimestamp(ts);
  return toIsoDate(DateTime.fromMillis(ts, { zone: NYSE_ZONE }));
};

/** Whether the regular session is in progress at `ts` (open <= ts < close on a trading day). */
export const isOpen = (ts: number): boolean => {
  const bounds = sessionBounds(sessionDateOf(ts));
  return bounds !== undefined && bounds.open <= ts && ts < bounds.close;
};

const stepTradingDay = (date: string, direction: 1 | -1): string => {
  let day = parseDate(date);
  for (let i = 0; i < MAX_SEARCH_DAYS; i += 1) {
    day = day.plus({ days: direction });
    const iso = toIsoDate(day);
    if (isTradingDay(iso)) return iso;
  }
  throw new RangeError(`No trading day within ${MAX_SEARCH_DAYS} days of ${date}`);
};

/** The first trading day strictly after `date`. */
export const nextTradingDay = (date: string): string => stepTradingDay(date, 1);

/** The last trading day strictly before `date` (skips weekends and holidays). */
export const previousTradingDay = (date: string): string => stepTradingDay(date, -1);

/** `date` itself when it is a trading day, otherwise the next one. */
export const tradingDayAtOrAfter = (date: string): string => (isTradingDay(date) ? date : nextTradingDay(date));

/**
 * The open of the session a trader waiting at `ts` would see next: today's open when `ts` is at or
 * before it, otherwise the following trading day's open (also while the session is in progress).
 */
export const nextSessionOpen = (ts: number): number => {
  const today = sessionDateOf(ts);
  const bounds = sessionBounds(today);
  if (bounds !== undefined && ts <= bounds.open) return bounds.open;
  const next = sessionBounds(nextTradingDay(today));
  if (next === undefined) throw new Error(`Calendar inconsistency: no session on the trading day after ${today}`);
  return next.open;
};
