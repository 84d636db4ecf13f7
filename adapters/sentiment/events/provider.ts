import { DateTime } from 'luxon';
import { parseSymbol } from '../../config/env-fields.js';
import type { HostLimit } from '../http/rate-limiter.js';
import { ProviderError } from '../http/provider-error.js';
import {
  type Availability,
  type ProviderDeps,
  type ProviderReading,
  type SentimentProvider,
  clampScore,
  clampUnit,
} from '../provider.js';
import type { EventsConfig } from './config.js';
import {
  type FinnhubEarningsCalendarEntry,
  FinnhubEarningsCalendarSchema,
  type FinnhubEarningsSurprise,
  FinnhubEarningsSurprisesSchema,
} from './schema.js';

const ZONE = 'America/New_York';
const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Report times
// ---------------------------------------------------------------------------------------------

export type EarningsHour = 'bmo' | 'amc' | 'dmh';

/** When the next report is expected; `ts` is epoch ms. */
export interface NextEarnings {
  readonly date: string;
  readonly hour: EarningsHour | null;
  readonly ts: number;
}

/** Finnhub's `hour`, or null when it is empty or unknown. */
export const normalizeHour = (hour: string | null): EarningsHour | null =>
  hour === 'bmo' || hour === 'amc' || hour === 'dmh' ? hour : null;

const atNewYork = (date: string, time: string): number =>
  DateTime.fromISO(`${date}T${time}`, { zone: ZONE }).toMillis();

/**
 * The expected release of a scheduled report, New York time: bmo 08:00, amc 16:05, dmh or unknown
 * 09:30. The earliest plausible moment for the session it affects, so a blackout ending there
 * starts early rather than late.
 */
export const expectedReleaseTs = (date: string, hour: EarningsHour | null): number =>
  atNewYork(date, hour === 'bmo' ? '08:00' : hour === 'amc' ? '16:05' : '09:30');

/**
 * A moment by which a past report was certainly public, New York time: bmo by the 09:30 open, dmh
 * by the 16:00 close, amc or unknown by 20:00 (the end of the after-hours session). Used as the
 * reading's `sourceTs`, it never dates a surprise before it could be known.
 */
export const reportAvailableTs = (date: string, hour: EarningsHour | null): number =>
  atNewYork(date, hour === 'bmo' ? '09:30' : hour === 'dmh' ? '16:00' : '20:00');

/** The New York calendar date of `ts`, `YYYY-MM-DD`. */
export const newYorkDate = (ts: number): string => DateTime.fromMillis(ts, { zone: ZONE }).toFormat('yyyy-MM-dd');

const shiftDate = (date: string, days: number): string =>
  DateTime.fromISO(date, { zone: ZONE }).plus({ days }).toFormat('yyyy-MM-dd');

/**
 * The symbol's next scheduled report in a Finnhub earnings calendar: the earliest entry dated
 * today or later (New York) that has no actual EPS yet, or null. Pure.
 */
export const nextEarnings = (
  calendar: readonly FinnhubEarningsCalendarEntry[],
  symbol: string,
  now: number,
): NextEarnings | null => {
  const today = newYorkDate(now);
  const wanted = symbol.toUpperCase();
  const upcoming = calendar
    .filter((e) => e.symbol.toUpperCase() === wanted && e.epsActual === null && e.date >= today)
    .map((e) => {
      const hour = normalizeHour(e.hour);
      return { date: e.date, hour, ts: expectedReleaseTs(e.date, hour) };
    })
    .sort((a, b) => a.ts - b.ts);
  return upcoming[0] ?? null;
};

// ---------------------------------------------------------------------------------------------
// Pure scoring
// ---------------------------------------------------------------------------------------------

/** Post-earnings drift is scored for this many trading days after the report, fading linearly. */
export const DRIFT_TRADING_DAYS = 20;
/** A surprise of this many percent maps to tanh(1) = 0.76. */
export const SURPRISE_SCALE_PCT = 10;
/** Quarters looked at for consistency. */
export const CONSISTENCY_QUARTERS = 4;
/** Calendar days of past reports asked for: covers 20 trading days plus holidays. */
export const REPORT_LOOKBACK_DAYS = 35;
/** Calendar days ahead searched for the next report. */
export const LOOKAHEAD_DAYS = 30;

/** Weekdays d with `from < d <= to` (both `YYYY-MM-DD`): trading days, holidays aside. */
export const weekdaysBetween = (from: string, to: string): number => {
  let day = DateTime.fromISO(from, { zone: ZONE }).plus({ days: 1 });
  const end = DateTime.fromISO(to, { zone: ZONE });
  let n = 0;
  for (; day <= end; day = day.plus({ days: 1 })) if (day.weekday <= 5) n++;
  return n;
};

/** 1 on the report day, falling linearly to 0 after `DRIFT_TRADING_DAYS`. */
export const driftWeight = (tradingDaysSinceReport: number): number =>
  clampUnit(1 - tradingDaysSinceReport / DRIFT_TRADING_DAYS);

export interface SurpriseScore {
  readonly score: number;
  readonly confidence: number;
  /** Quarters (up to 4) with a surprise figure. */
  readonly quarters: number;
  /** Of those, how many surprised in the latest one's direction (the latest included). */
  readonly sameSign: number;
  readonly weight: number;
}

/**
 * `tanh(latest surprise % / 10) * drift weight`. Confidence `0.5 * |tanh(latest / 10)| + 0.5 *
 * sameSign / 4` (big surprises, and beats or misses that repeat, are the ones that drift), and 0
 * once the drift window is over. `surprisePercents` newest first; `tradingDays` since the latest
 * report, undefined when its report date is unknown (treated as past the window).
 */
export const scoreSurprises = (surprisePercents: readonly number[], tradingDays: number | undefined): SurpriseScore => {
  const recent = surprisePercents.slice(0, CONSISTENCY_QUARTERS);
  const latest = recent[0];
  const weight = tradingDays === undefined ? 0 : driftWeight(tradingDays);
  if (latest === undefined) return { score: 0, confidence: 0, quarters: 0, sameSign: 0, weight };
  const size = Math.tanh(latest / SURPRISE_SCALE_PCT);
  const sign = Math.sign(latest);
  const sameSign = sign === 0 ? 0 : recent.filter((p) => Math.sign(p) === sign).length;
  const confidence = weight > 0 ? 0.5 * Math.abs(size) + (0.5 * sameSign) / CONSISTENCY_QUARTERS : 0;
  return {
    score: clampScore(size * weight),
    confidence: clampUnit(confidence),
    quarters: recent.length,
    sameSign,
    weight,
  };
};

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

// ---------------------------------------------------------------------------------------------
// Provider
// ---------------------------------------------------------------------------------------------

/**
 * Finnhub free: 60 calls/minute and 30/second. Declared as 30 per 30 s (the same 60/minute, in
 * bursts under 30/second), the same figure `analyst_ratings` declares for this host.
 */
export const FINNHUB_LIMIT: HostLimit = { requests: 30, perMs: 30_000 };

/** Surprises with a figure, newest fiscal period first. */
const usableSurprises = (rows: readonly FinnhubEarningsSurprise[], symbol: string) =>
  rows
    .filter(
      (r) => r.symbol.toUpperCase() === symbol && r.surprisePercent !== null && Number.isFinite(r.surprisePercent),
    )
    .sort((a, b) => (a.period < b.period ? 1 : a.period > b.period ? -1 : 0));

/**
 * Earnings events from Finnhub: the latest EPS surprise as post-earnings drift, and the next
 * scheduled report for the caller's entry blackout.
 *
 * Requests: `/calendar/earnings` from 35 days ago to 30 days ahead (the past part dates the latest
 * reports; the future part finds the next one) and `/stock/earnings` (surprises by fiscal quarter).
 *
 * `sourceTs`: Finnhub's surprise `period` is the fiscal quarter end, weeks before the report, so it
 * is not used. The surprise is matched by fiscal year and quarter to its calendar entry, and
 * `sourceTs` is `reportAvailableTs(date, hour)` (bmo 09:30, dmh 16:00, amc/unknown 20:00 New York),
 * capped at the fetch time: a moment by which the report was certainly public, so a backtest never
 * sees it early. A surprise without a calendar entry in the window is older than the drift window
 * and scores 0. When only the next report is known, the reading (score 0, confidence 0) carries it
 * with the fetch time as `sourceTs`, the only time the calendar can be vouched for.
 *
 * `detail.next_earnings` is `{date, hour, ts}` (see `nextEarnings`) or null; `detail.blackout_from`
 * is `ts - EVENTS_BLACKOUT_HOURS`. Each poll re-scores the same report (the drift decays), so
 * readings may repeat a `sourceTs` with a smaller score.
 */
export const createEventsProvider = (config: EventsConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, FINNHUB_LIMIT);
  const apiKey = config.finnhubApiKey;

  const availability = (): Availability => {
    if (!config.enabled) return { available: false, reason: 'EVENTS_ENABLED is false' };
    if (apiKey === undefined) return { available: false, reason: 'FINNHUB_API_KEY is not set' };
    return { available: true };
  };

  return {
    name: 'events',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (raw) => {
      const state = availability();
      if (!state.available || apiKey === undefined)
        throw new ProviderError('config', `events: ${state.available ? 'FINNHUB_API_KEY is not set' : state.reason}`);
      const symbol = parseSymbol(raw);
      if (symbol === undefined) throw new ProviderError('config', `events: '${raw}' is not a ticker symbol`);

      const now = deps.now();
      const today = newYorkDate(now);
      const headers = { 'X-Finnhub-Token': apiKey };
      const calendarQuery = new URLSearchParams({
        from: shiftDate(today, -REPORT_LOOKBACK_DAYS),
        to: shiftDate(today, LOOKAHEAD_DAYS),
        symbol,
      });
      const { earningsCalendar } = await deps.http.json(
        'events',
        `${config.baseUrl}/calendar/earnings?${calendarQuery}`,
        FinnhubEarningsCalendarSchema,
        { headers },
      );
      const surpriseRows = await deps.http.json(
        'events',
        `${config.baseUrl}/stock/earnings?${new URLSearchParams({ symbol })}`,
        FinnhubEarningsSurprisesSchema,
        { headers },
      );

      const calendar = earningsCalendar.filter((e) => e.symbol.toUpperCase() === symbol);
      const next = nextEarnings(calendar, symbol, now);
      const surprises = usableSurprises(surpriseRows, symbol);
      const latest = surprises[0];
      // The latest surprise's own report: same fiscal quarter, after the quarter end, not in the future.
      const report =
        latest === undefined
          ? undefined
          : calendar
              .filter((e) => e.year === latest.year && e.quarter === latest.quarter)
              .filter((e) => e.date > latest.period && e.date <= today)
              .sort((a, b) => (a.date < b.date ? 1 : -1))[0];
      const tradingDays = report === undefined ? undefined : weekdaysBetween(report.date, today);
      const scored = scoreSurprises(
        surprises.map((s) => s.surprisePercent ?? 0),
        tradingDays,
      );
      const fresh = report !== undefined && scored.weight > 0;
      if (!fresh && next === null) return [];

      const reportHour = report === undefined ? null : normalizeHour(report.hour);
      const sourceTs = fresh ? Math.min(reportAvailableTs(report.date, reportHour), now) : now;
      const reading: ProviderReading = {
        source: 'events',
        symbol,
        score: fresh ? scored.score : 0,
        confidence: fresh ? scored.confidence : 0,
        mentions: fresh ? scored.quarters : 0,
        sourceTs,
        detail: {
          next_earnings: next,
          blackout_from: next === null ? null : next.ts - config.blackoutHours * HOUR_MS,
          latest_surprise:
            latest === undefined
              ? null
              : {
                  period: latest.period,
                  year: latest.year,
                  quarter: latest.quarter,
                  actual: latest.actual,
                  estimate: latest.estimate,
                  surprise_percent: latest.surprisePercent,
                  report_date: report?.date ?? null,
                  report_hour: reportHour,
                },
          trading_days_since_report: tradingDays ?? null,
          drift_weight: round3(scored.weight),
          quarters: scored.quarters,
          same_sign_quarters: scored.sameSign,
        },
      };
      return [reading];
    },
  };
};
