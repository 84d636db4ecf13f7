import { formatIsoDay } from '../calendar/civil-date.js';
import { newYorkDayAt, previousTradingDay, sessionBounds } from '../calendar/nyse-calendar.js';
import { TIMEFRAME_MS, type Timeframe } from '../messages/market.js';

const DAY_MS = 86_400_000;

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

/** The New York day containing `ts`, with its regular session (from the calendar's shared day cache). */
function newYorkDayOf(ts: number): CalendarDay {
  const day = newYorkDayAt(ts);
  return {
    date: day.date,
    start: day.start,
    end: day.end,
    open: day.session?.open ?? Number.NaN,
    close: day.session?.close ?? Number.NaN,
    previousTradingDate: previousTradingDay(day.date),
  };
}

/** The UTC day containing `ts`; on a trading day the whole day counts as its session (1d bars). */
function utcDayOf(ts: number): CalendarDay {
  const dayNumber = Math.floor(ts / DAY_MS);
  const start = dayNumber * DAY_MS;
  const date = formatIsoDay(dayNumber);
  const trading = sessionBounds(date) !== undefined;
  return {
    date,
    start,
    end: start + DAY_MS,
    open: trading ? start : Number.NaN,
    close: trading ? start + DAY_MS : Number.NaN,
    previousTradingDate: previousTradingDay(date),
  };
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
 * The calendar is consulted only when a bar leaves the current day (its own day cache makes that
 * O(1) too), so the per-bar path is a few comparisons.
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
