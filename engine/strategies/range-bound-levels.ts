import { DateTime } from 'luxon';
import { previousTradingDay, sessionBounds, sessionDateOf } from '../calendar/nyse-calendar.js';
import { TIMEFRAME_MS, type Timeframe } from '../messages/market.js';

/** The zone of the NYSE calendar's dates (see engine/calendar/nyse-calendar.ts). */
const NYSE_ZONE = 'America/New_York';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Cache entries kept before a cache is dropped and rebuilt (about 11 years of hour keys). */
const MAX_CACHE_ENTRIES = 100_000;

/** One calendar day as the tracker needs it: its span, its regular session and the trading day before it. */
interface CalendarDay {
  readonly date: string;
  /** First instant of the day (inclusive), epoch ms. */
  readonly start: number;
  /** First instant of the next day (exclusive), epoch ms. */
  readonly end: number;
  /** Regular session open, epoch ms; NaN when the market is closed that day. */
  readonly open: number;
  /** Regular session close (exclusive), epoch ms; NaN when the market is closed that day. */
  readonly close: number;
  readonly previousTradingDate: string;
}

/**
 * Memo of `CalendarDay`s, shared by every tracker: the days are a pure function of the calendar, and
 * sharing them means luxon runs once per day for the whole engine, not once per day per symbol.
 * New York days are stored under every UTC hour they contain (NY offsets are whole hours, so each UTC
 * hour lies in exactly one NY day); UTC days under their day number.
 */
const newYorkDays = new Map<number, CalendarDay>();
const utcDays = new Map<number, CalendarDay>();

function remember(cache: Map<number, CalendarDay>, firstKey: number, lastKey: number, day: CalendarDay): void {
  if (cache.size > MAX_CACHE_ENTRIES) cache.clear();
  for (let key = firstKey; key <= lastKey; key++) cache.set(key, day);
}

function calendarDay(date: string, start: number, end: number, wholeDayIsSession: boolean): CalendarDay {
  const bounds = sessionBounds(date);
  return Object.freeze({
    date,
    start,
    end,
    open: bounds === undefined ? Number.NaN : wholeDayIsSession ? start : bounds.open,
    close: bounds === undefined ? Number.NaN : wholeDayIsSession ? end : bounds.close,
    previousTradingDate: previousTradingDay(date),
  });
}

/** The New York day containing `ts`, with its regular session. */
function newYorkDayOf(ts: number): CalendarDay {
  const cached = newYorkDays.get(Math.floor(ts / HOUR_MS));
  if (cached !== undefined && cached.start <= ts && ts < cached.end) return cached;
  const date = sessionDateOf(ts);
  const midnight = DateTime.fromISO(date, { zone: NYSE_ZONE });
  const day = calendarDay(date, midnight.toMillis(), midnight.plus({ days: 1 }).toMillis(), false);
  remember(newYorkDays, Math.ceil(day.start / HOUR_MS), Math.floor(day.end / HOUR_MS) - 1, day);
  return day;
}

/** The UTC day containing `ts`; on a trading day the whole day counts as its session (1d bars). */
function utcDayOf(ts: number): CalendarDay {
  const key = Math.floor(ts / DAY_MS);
  const cached = utcDays.get(key);
  if (cached !== undefined) return cached;
  const start = key * DAY_MS;
  const date = DateTime.fromMillis(start, { zone: 'utc' }).toFormat('yyyy-MM-dd');
  const day = calendarDay(date, start, start + DAY_MS, true);
  remember(utcDays, key, key, day);
  return day;
}

/**
 * Previous-day high and low (PDH/PDL) over a stream of bars, O(1) and allocation-free per bar.
 *
 * What holds:
 * - A bar belongs to the session of its day: the New York date of its open time, or for `1d` bars
 *   (the aggregator's 1d buckets are UTC days, each holding a whole NY session) the UTC date of `ts`.
 * - Only bars inside the regular session (09:30-16:00 New York, 13:00 on early closes) move that
 *   session's high and low. A bar is inside when its span `[ts, ts + timeframe)` overlaps the session:
 *   for 1m/5m/15m bars (aligned to the :30 open) that is "opens in the session"; for 1h clock-hour bars
 *   it also counts the 09:00 bar, which holds 09:30-10:00. A `1d` bar on a trading day counts whole.
 * - A session counts once at least one of its in-session bars was seen; a partial session still sets
 *   that day's high and low.
 * - The levels of a day are those of the previous NYSE trading day (weekends and holidays skipped),
 *   and only if that very session was seen: after a data gap or on the first day there are none,
 *   never an older day's.
 * - Bars arrive in time order (the aggregator and the actor guarantee it). A bar older than the
 *   current day is ignored here rather than rolling the days back.
 *
 * The calendar is consulted only when a bar leaves the cached day, through a memo shared by all
 * trackers, so the per-bar path is a few comparisons.
 */
export class PreviousSessionLevels {
  private readonly barMs: number;
  private readonly daily: boolean;
  private day: CalendarDay | undefined = undefined;
  private dayStart = Number.NEGATIVE_INFINITY;
  private dayEnd = Number.NEGATIVE_INFINITY;
  /** Earliest bar open time that overlaps the session (`open - barMs`), exclusive; NaN when closed. */
  private overlapFrom = Number.NaN;
  private sessionClose = Number.NaN;
  private sessionHigh = Number.NEGATIVE_INFINITY;
  private sessionLow = Number.POSITIVE_INFINITY;
  private sessionSeen = false;
  private lastSessionDate = '';
  private lastSessionHigh = Number.NaN;
  private lastSessionLow = Number.NaN;
  private levelsFound = false;

  constructor(timeframe: Timeframe) {
    this.barMs = TIMEFRAME_MS[timeframe];
    this.daily = timeframe === '1d';
  }

  /** Whether the current day has levels (its previous trading day's session was seen). */
  get found(): boolean {
    return this.levelsFound;
  }

  /** PDH of the current day; NaN when not found. */
  get high(): number {
    return this.levelsFound ? this.lastSessionHigh : Number.NaN;
  }

  /** PDL of the current day; NaN when not found. */
  get low(): number {
    return this.levelsFound ? this.lastSessionLow : Number.NaN;
  }

  /** The date ('YYYY-MM-DD') the levels come from; '' when not found. */
  get levelsDate(): string {
    return this.levelsFound ? this.lastSessionDate : '';
  }

  /** The day of the last bar ('YYYY-MM-DD'); '' before any bar. */
  get date(): string {
    return this.day?.date ?? '';
  }

  /** The trading day whose session the current day's levels need; '' before any bar. */
  get previousTradingDate(): string {
    return this.day?.previousTradingDate ?? '';
  }

  /** Folds in one bar (its open time and range). */
  update(ts: number, high: number, low: number): void {
    if (ts >= this.dayEnd) this.enterDay(ts);
    else if (ts < this.dayStart) return;
    if (ts > this.overlapFrom && ts < this.sessionClose) {
      if (high > this.sessionHigh) this.sessionHigh = high;
      if (low < this.sessionLow) this.sessionLow = low;
      this.sessionSeen = true;
    }
  }

  private enterDay(ts: number): void {
    if (this.sessionSeen && this.day !== undefined) {
      this.lastSessionDate = this.day.date;
      this.lastSessionHigh = this.sessionHigh;
      this.lastSessionLow = this.sessionLow;
    }
    const day = this.daily ? utcDayOf(ts) : newYorkDayOf(ts);
    this.day = day;
    this.dayStart = day.start;
    this.dayEnd = day.end;
    this.overlapFrom = day.open - this.barMs;
    this.sessionClose = day.close;
    this.sessionHigh = Number.NEGATIVE_INFINITY;
    this.sessionLow = Number.POSITIVE_INFINITY;
    this.sessionSeen = false;
    this.levelsFound = this.lastSessionDate !== '' && this.lastSessionDate === day.previousTradingDate;
  }
}
