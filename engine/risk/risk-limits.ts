import { z } from 'zod';
import { isoWeekday, parseIsoDay } from '../calendar/civil-date.js';
import { sessionDateOf } from '../calendar/nyse-calendar.js';

/** Account-level limits (SPEC section 6, rules 1, 4 and 8). */
export interface RiskLimitsConfig {
  /** Entries per NYSE session date; 0 = no entries. */
  readonly dailyTradeLimit: number;
  /** Entries per week (Monday to Sunday of the NYSE session dates). */
  readonly weeklyTradeLimit: number;
  /** Loss from the session's starting equity (fraction) that stops entries for the rest of the session. */
  readonly dailyLossLimitPct: number;
  /** Drawdown from peak equity (fraction) that engages the kill switch. */
  readonly maxDrawdownPct: number;
}

/**
 * The persisted part of the account-level limits: kill switch, entry counters, the session's
 * starting equity and the peak equity. Plain data (JSON), owned by the risk reducer.
 */
export interface RiskLimitsState {
  killSwitch: { engaged: boolean; reason: string; since: number | null };
  /** Entries approved per NYSE session date (YYYY-MM-DD); only the last 7 dates are kept. */
  entriesByDate: Record<string, number>;
  /** The NYSE session date the starting equity belongs to, and that equity. */
  day: { date: string; startEquity: number } | null;
  peakEquity: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const RiskLimitsStateSchema = z.strictObject({
  killSwitch: z.strictObject({
    engaged: z.boolean(),
    reason: z.string(),
    since: z.number().finite().nullable(),
  }),
  entriesByDate: z.record(z.string().regex(DATE), z.number().int().min(0)),
  day: z.strictObject({ date: z.string().regex(DATE), startEquity: z.number().finite() }).nullable(),
  peakEquity: z.number().finite().min(0),
});

export const freshLimits = (equity: number): RiskLimitsState => ({
  killSwitch: { engaged: false, reason: '', since: null },
  entriesByDate: {},
  day: null,
  peakEquity: equity,
});

/** Restores persisted limits; throws with the issues when the stored value is not a valid state. */
export const restoreLimits = (stored: unknown): RiskLimitsState => {
  const parsed = RiskLimitsStateSchema.safeParse(stored);
  if (!parsed.success)
    throw new Error(
      `stored risk state is invalid (${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}); ` +
        'refusing to start rather than forget the kill switch and the counters',
    );
  return parsed.data;
};

/** Monday of the week holding `date` (YYYY-MM-DD), as a day number. */
const mondayOf = (date: string): number => {
  const days = parseIsoDay(date);
  return days - (isoWeekday(days) - 1);
};

export const entriesOn = (s: RiskLimitsState, date: string): number => s.entriesByDate[date] ?? 0;

export const entriesInWeekOf = (s: RiskLimitsState, date: string): number => {
  const monday = mondayOf(date);
  let total = 0;
  for (const [d, n] of Object.entries(s.entriesByDate)) if (mondayOf(d) === monday && d <= date) total += n;
  return total;
};

/** Counts an approved entry on its NYSE session date and forgets dates older than a week. */
export const countEntry = (s: RiskLimitsState, ts: number): void => {
  const date = sessionDateOf(ts);
  const counts = { ...s.entriesByDate, [date]: entriesOn(s, date) + 1 };
  s.entriesByDate = Object.fromEntries(
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(-7),
  );
};

/**
 * Follows equity: starts a new session's baseline on the first equity seen on a new NYSE date, and
 * raises the peak. Returns a drawdown reason when the drawdown from the peak reaches the limit and
 * the kill switch is not engaged yet (the caller engages it).
 */
export const observeEquity = (
  s: RiskLimitsState,
  c: RiskLimitsConfig,
  equity: number,
  ts: number,
): string | undefined => {
  const date = sessionDateOf(ts);
  if (s.day === null || s.day.date !== date) s.day = { date, startEquity: equity };
  if (equity > s.peakEquity) s.peakEquity = equity;
  if (s.killSwitch.engaged || s.peakEquity <= 0) return undefined;
  const drawdown = (s.peakEquity - equity) / s.peakEquity;
  return drawdown >= c.maxDrawdownPct - 1e-12
    ? `drawdown ${(drawdown * 100).toFixed(2)} % from peak equity ${s.peakEquity.toFixed(2)} reached the ${(c.maxDrawdownPct * 100).toFixed(2)} % limit`
    : undefined;
};

export const engage = (s: RiskLimitsState, reason: string, ts: number): void => {
  s.killSwitch = { engaged: true, reason, since: ts };
};

/** Resets the kill switch; the peak restarts from the current equity so a drawdown does not re-engage at once. */
export const reset = (s: RiskLimitsState, equity: number): void => {
  s.killSwitch = { engaged: false, reason: '', since: null };
  s.peakEquity = equity;
};

/** A refused entry, or undefined when the limits allow it. Exits are never checked here. */
export const checkLimits = (
  s: RiskLimitsState,
  c: RiskLimitsConfig,
  equity: number,
  ts: number,
): { readonly rule: string; readonly reason: string } | undefined => {
  if (s.killSwitch.engaged)
    return { rule: 'kill_switch', reason: `kill switch engaged: ${s.killSwitch.reason || 'by the operator'}` };
  const date = sessionDateOf(ts);
  const today = entriesOn(s, date);
  if (today >= c.dailyTradeLimit)
    return { rule: 'daily_trade_limit', reason: `${today} entries on ${date}, limit ${c.dailyTradeLimit}` };
  const week = entriesInWeekOf(s, date);
  if (week >= c.weeklyTradeLimit)
    return { rule: 'weekly_trade_limit', reason: `${week} entries this week, limit ${c.weeklyTradeLimit}` };
  if (s.day !== null && s.day.date === date && s.day.startEquity > 0) {
    const loss = (s.day.startEquity - equity) / s.day.startEquity;
    if (loss >= c.dailyLossLimitPct - 1e-12)
      return {
        rule: 'daily_loss_limit',
        reason: `down ${(loss * 100).toFixed(2)} % from the session's starting equity ${s.day.startEquity.toFixed(2)}, limit ${(c.dailyLossLimitPct * 100).toFixed(2)} %: no entries until the next session`,
      };
  }
  return undefined;
};

/** A copy of the limits for persistence (the live state keeps changing in place). */
export const snapshotLimits = (s: RiskLimitsState): RiskLimitsState => ({
  killSwitch: { ...s.killSwitch },
  entriesByDate: { ...s.entriesByDate },
  day: s.day === null ? null : { ...s.day },
  peakEquity: s.peakEquity,
});
