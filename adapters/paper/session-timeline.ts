import { nextTradingDay, sessionBounds, tradingDayAtOrAfter } from '../../engine/calendar/nyse-calendar.js';
import type { SessionBounds } from '../../engine/calendar/nyse-calendar.js';
import { TIMEFRAME_MS } from '../../engine/messages/market.js';
import type { MinuteSlot } from './price-model.js';

const MINUTE_MS = TIMEFRAME_MS['1m'];

const boundsOf = (date: string): SessionBounds => {
  const bounds = sessionBounds(date);
  if (!bounds) throw new Error(`Calendar inconsistency: ${date} is a trading day without a session`);
  return bounds;
};

/**
 * The minutes of NYSE regular sessions, in order, from the first session at or after a date: nights,
 * weekends and holidays are skipped and early closes end the session at 13:00.
 */
export class SessionTimeline {
  private date: string;
  private bounds: SessionBounds;
  private minuteOfSession = 0;
  private index = 0;

  constructor(startDate: string) {
    this.date = tradingDayAtOrAfter(startDate);
    this.bounds = boundsOf(this.date);
  }

  /** The next minute to be emitted. */
  peek(): MinuteSlot {
    return {
      ts: this.bounds.open + this.minuteOfSession * MINUTE_MS,
      index: this.index,
      minuteOfSession: this.minuteOfSession,
      sessionMinutes: Math.round((this.bounds.close - this.bounds.open) / MINUTE_MS),
    };
  }

  /** Returns the next minute and moves past it (to the next session's open after the close). */
  advance(): MinuteSlot {
    const slot = this.peek();
    this.index += 1;
    this.minuteOfSession += 1;
    if (slot.ts + MINUTE_MS >= this.bounds.close) {
      this.date = nextTradingDay(this.date);
      this.bounds = boundsOf(this.date);
      this.minuteOfSession = 0;
    }
    return slot;
  }
}
