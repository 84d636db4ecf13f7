import { civilFromDays, isoWeekday, parseIsoDay } from '../calendar/civil-date.js';
import { addTradingDays, isTradingDay, nextTradingDay, sessionAt, sessionDateOf } from '../calendar/nyse-calendar.js';

/**
 * The trade date of an execution at `ts`: the New York date of the NYSE session holding it. Pre-
 * and post-market fills belong to their own New York date (brokers count extended-hours trades on
 * that trading day); a fill stamped on a weekend or holiday (a replayed or off-calendar timestamp)
 * belongs to the next trading day, so it still lands inside some PDT window and settles after it.
 * Both ledgers date every fill with this one function so their days agree.
 */
export const tradeDateOf = (ts: number): string => {
  const session = sessionAt(ts);
  if (session !== undefined) return session.date;
  return nextTradingDay(sessionDateOf(ts));
};

/**
 * Whether the Federal Reserve banks are closed on this NYSE trading day: Columbus Day (second
 * Monday of October) and Veterans Day (11 November, the Monday after when it falls on a Sunday).
 * NYSE trades on those days but nothing settles ("it will not be a settlement date because many of
 * the nation's banking institutions will be closed", FINRA Notice to Members 95-77); every other
 * Federal Reserve holiday is also an NYSE holiday.
 */
export const isBankHolidayTradingDay = (date: string): boolean => {
  const day = parseIsoDay(date);
  const { month, day: dayOfMonth } = civilFromDays(day);
  const weekday = isoWeekday(day);
  if (month === 10) return weekday === 1 && dayOfMonth >= 8 && dayOfMonth <= 14;
  if (month === 11) return dayOfMonth === 11 ? weekday <= 5 : dayOfMonth === 12 && weekday === 1;
  return false;
};

/** How settlement days are counted: NYSE trading days, optionally minus the bank holidays NYSE trades on. */
export interface SettlementCalendarOptions {
  /**
   * Skip Columbus Day and Veterans Day (see `isBankHolidayTradingDay`). True is the industry
   * schedule; false counts plain NYSE trading days as SPEC section 2 words it (a Friday sale before
   * Columbus Day would then settle on the Monday, a day before it really does).
   */
  readonly skipBankHolidays: boolean;
}

const isSettlementDay = (date: string, options: SettlementCalendarOptions): boolean =>
  isTradingDay(date) && !(options.skipBankHolidays && isBankHolidayTradingDay(date));

/**
 * The settlement date of a trade made on `tradeDate` at T+`days` (`days` >= 1, whole): the
 * `days`-th settlement day after the trade date, counted on the NYSE calendar (`addTradingDays`),
 * skipping bank holidays when asked. Settled funds are usable from the start of that date.
 */
export const settlementDateOf = (tradeDate: string, days: number, options: SettlementCalendarOptions): string => {
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new RangeError(`settlement days must be a whole number >= 1, got ${days}`);
  }
  let date = tradeDate;
  for (let i = 0; i < days; i += 1) {
    date = addTradingDays(date, 1);
    while (!isSettlementDay(date, options)) date = addTradingDays(date, 1);
  }
  return date;
};
