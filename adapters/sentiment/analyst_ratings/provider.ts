import { DateTime } from 'luxon';
import { z } from 'zod';
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
import type { AnalystRatingsConfig } from './config.js';
import {
  FinnhubPriceTargetSchema,
  FinnhubRecommendationsSchema,
  FmpGradesHistoricalEntrySchema,
  FmpPriceTargetConsensusEntrySchema,
} from './schema.js';

// ---------------------------------------------------------------------------------------------
// Pure scoring
// ---------------------------------------------------------------------------------------------

/** Analysts per recommendation bucket in one month. */
export interface RatingCounts {
  readonly strongBuy: number;
  readonly buy: number;
  readonly hold: number;
  readonly sell: number;
  readonly strongSell: number;
}

/** Each bucket on the -1..1 scale. */
export const RATING_VALUES: Readonly<Record<keyof RatingCounts, number>> = {
  strongBuy: 1,
  buy: 0.5,
  hold: 0,
  sell: -0.5,
  strongSell: -1,
};

/** Weight of the consensus level and of its month-over-month change (renormalised when no previous month). */
export const CONSENSUS_WEIGHT = 0.7;
export const DRIFT_WEIGHT = 0.3;
/**
 * A change of the mean by this much maps to tanh(1) = 0.76: two of forty analysts moving from hold
 * to strong buy. Revisions are rare and small, so a modest shift is already a strong signal.
 */
export const DRIFT_SCALE = 0.05;
/** Analysts at which confidence reaches 1. */
export const FULL_CONFIDENCE_ANALYSTS = 20;

export const analystCount = (c: RatingCounts): number => c.strongBuy + c.buy + c.hold + c.sell + c.strongSell;

/** Mean recommendation on -1 (all strong sell) .. +1 (all strong buy); undefined without analysts. */
export const consensusMean = (c: RatingCounts): number | undefined => {
  const n = analystCount(c);
  if (!(n > 0)) return undefined;
  const sum = (Object.keys(RATING_VALUES) as (keyof RatingCounts)[]).reduce(
    (acc, k) => acc + RATING_VALUES[k] * c[k],
    0,
  );
  return sum / n;
};

export interface AnalystScore {
  readonly score: number;
  readonly confidence: number;
  readonly analysts: number;
  readonly mean: number;
  /** Latest mean minus the previous month's; undefined without a previous month with analysts. */
  readonly drift: number | undefined;
}

/**
 * `0.7 * mean + 0.3 * tanh(drift / 0.05)` (the drift term dropped and the weights renormalised
 * when there is no previous month); confidence `min(1, analysts / 20)`. Undefined without analysts.
 */
export const scoreAnalystRatings = (latest: RatingCounts, previous?: RatingCounts): AnalystScore | undefined => {
  const mean = consensusMean(latest);
  if (mean === undefined) return undefined;
  const previousMean = previous === undefined ? undefined : consensusMean(previous);
  const drift = previousMean === undefined ? undefined : mean - previousMean;
  const score = drift === undefined ? mean : CONSENSUS_WEIGHT * mean + DRIFT_WEIGHT * Math.tanh(drift / DRIFT_SCALE);
  const analysts = analystCount(latest);
  return {
    score: clampScore(score),
    confidence: clampUnit(analysts / FULL_CONFIDENCE_ANALYSTS),
    analysts,
    mean,
    drift,
  };
};

const ZONE = 'America/New_York';

/** Midnight New York time at the start of `YYYY-MM-DD`. */
export const dayStartTs = (date: string): number => DateTime.fromISO(date, { zone: ZONE }).toMillis();

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

/**
 * Finnhub free: 60 calls/minute and 30/second. Declared as 30 per 30 s (the same 60/minute, in
 * bursts that stay under 30/second); `events` declares the same figure for the same host.
 */
export const FINNHUB_LIMIT: HostLimit = { requests: 30, perMs: 30_000 };
/** FMP free: about 250 calls/day; bursts of 25 so a restart cannot spend the whole day's budget. */
export const FMP_LIMIT: HostLimit = { requests: 25, perMs: 86_400_000 / 10 };
/** A 403 on Finnhub's premium price target is not asked again for this long. */
export const PREMIUM_RETRY_MS = 24 * 3_600_000;

/** One month of counts. */
interface MonthCounts {
  /** `YYYY-MM-DD`, the month's first day. */
  readonly period: string;
  readonly counts: RatingCounts;
}

/** The consensus price target, for `detail` only (see `fetch`). */
interface PriceTarget {
  readonly mean: number | null;
  readonly median: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly analysts: number | null;
  readonly updated: string | null;
}

/** `ok`, `none` (no coverage), `not_in_plan` (403: premium), or why the request failed. */
type TargetStatus = 'ok' | 'none' | 'not_in_plan' | ProviderError['kind'];

interface RatingsSource {
  /** Months with analysts, newest first. */
  months(symbol: string): Promise<readonly MonthCounts[]>;
  priceTarget(symbol: string): Promise<{ readonly target: PriceTarget | null; readonly status: TargetStatus }>;
}

const orNull = (x: number | null | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null;

const newestFirst = (months: readonly MonthCounts[]): readonly MonthCounts[] =>
  [...months].sort((a, b) => (a.period < b.period ? 1 : a.period > b.period ? -1 : 0));

/** A price target request that failed is reported in `detail`, never as the reading's failure. */
const targetFailure = (err: unknown): { target: null; status: TargetStatus } => {
  if (err instanceof ProviderError) return { target: null, status: err.kind };
  throw err;
};

const finnhubSource = (config: AnalystRatingsConfig, deps: ProviderDeps, apiKey: string): RatingsSource => {
  const headers = { 'X-Finnhub-Token': apiKey };
  let premiumBlockedUntil = 0;
  return {
    months: async (symbol) => {
      const url = `${config.baseUrl}/stock/recommendation?${new URLSearchParams({ symbol })}`;
      const rows = await deps.http.json('analyst_ratings', url, FinnhubRecommendationsSchema, { headers });
      return newestFirst(
        rows
          .filter((r) => r.symbol.toUpperCase() === symbol)
          .map((r) => ({
            period: r.period,
            counts: { strongBuy: r.strongBuy, buy: r.buy, hold: r.hold, sell: r.sell, strongSell: r.strongSell },
          })),
      );
    },
    priceTarget: async (symbol) => {
      if (deps.now() < premiumBlockedUntil) return { target: null, status: 'not_in_plan' };
      const url = `${config.baseUrl}/stock/price-target?${new URLSearchParams({ symbol })}`;
      try {
        const t = await deps.http.json('analyst_ratings', url, FinnhubPriceTargetSchema, { headers });
        const target: PriceTarget = {
          mean: orNull(t.targetMean),
          median: orNull(t.targetMedian),
          high: orNull(t.targetHigh),
          low: orNull(t.targetLow),
          analysts: orNull(t.numberAnalysts),
          updated: t.lastUpdated ?? null,
        };
        return target.mean === null ? { target: null, status: 'none' } : { target, status: 'ok' };
      } catch (err) {
        // The recommendations call just succeeded with the same key, so a 403 here is the plan.
        if (err instanceof ProviderError && err.details.status === 403) {
          premiumBlockedUntil = deps.now() + PREMIUM_RETRY_MS;
          return { target: null, status: 'not_in_plan' };
        }
        return targetFailure(err);
      }
    },
  };
};

const fmpSource = (config: AnalystRatingsConfig, deps: ProviderDeps, apiKey: string): RatingsSource => {
  // FMP takes the key only as the `apikey` query parameter (the client never logs query strings).
  const get = <T extends z.ZodType>(path: string, params: Record<string, string>, entry: T) =>
    deps.http.json(
      'analyst_ratings',
      `${config.baseUrl}${path}?${new URLSearchParams({ ...params, apikey: apiKey })}`,
      z.array(entry),
    );
  return {
    months: async (symbol) => {
      // The two newest months: the level and its change.
      const rows = await get('/stable/grades-historical', { symbol, limit: '2' }, FmpGradesHistoricalEntrySchema);
      return newestFirst(
        rows
          .filter((r) => r.symbol.toUpperCase() === symbol)
          .map((r) => ({
            period: r.date,
            counts: {
              strongBuy: r.analystRatingsStrongBuy,
              buy: r.analystRatingsBuy,
              hold: r.analystRatingsHold,
              sell: r.analystRatingsSell,
              strongSell: r.analystRatingsStrongSell,
            },
          })),
      );
    },
    priceTarget: async (symbol) => {
      try {
        const rows = await get('/stable/price-target-consensus', { symbol }, FmpPriceTargetConsensusEntrySchema);
        const t = rows.find((r) => r.symbol.toUpperCase() === symbol);
        const mean = orNull(t?.targetConsensus);
        if (t === undefined || mean === null) return { target: null, status: 'none' };
        const target: PriceTarget = {
          mean,
          median: orNull(t.targetMedian),
          high: orNull(t.targetHigh),
          low: orNull(t.targetLow),
          analysts: null,
          updated: null,
        };
        return { target, status: 'ok' };
      } catch (err) {
        return targetFailure(err);
      }
    },
  };
};

// ---------------------------------------------------------------------------------------------
// Provider
// ---------------------------------------------------------------------------------------------

/**
 * Analyst consensus from monthly recommendation counts (Finnhub `/stock/recommendation`, or FMP
 * `/stable/grades-historical`). One reading per new month: `sourceTs` is the month's first day
 * (00:00 New York), the period the counts belong to, never the fetch time; a month already read
 * (this process, or stored history after a restart) gives no reading.
 *
 * The consensus price target is fetched for `detail` but not scored: upside needs the last price,
 * and neither target endpoint returns one. Finnhub's target is premium: its 403 is remembered
 * for a day and the reading goes out from the recommendations alone; any failure of the target
 * request leaves `price_target` null with `price_target_status` saying why.
 */
export const createAnalystRatingsProvider = (config: AnalystRatingsConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, config.provider === 'finnhub' ? FINNHUB_LIMIT : FMP_LIMIT);
  const apiKey = config.provider === 'finnhub' ? config.finnhubApiKey : config.fmpApiKey;
  const keyVar = config.provider === 'finnhub' ? 'FINNHUB_API_KEY' : 'FMP_API_KEY';
  const source =
    apiKey === undefined
      ? undefined
      : config.provider === 'finnhub'
        ? finnhubSource(config, deps, apiKey)
        : fmpSource(config, deps, apiKey);
  /** Newest `sourceTs` read per symbol. */
  const lastRead = new Map<string, number>();

  const availability = (): Availability => {
    if (!config.enabled) return { available: false, reason: 'ANALYST_RATINGS_ENABLED is false' };
    if (apiKey === undefined)
      return { available: false, reason: `${keyVar} is not set (ANALYST_RATINGS_PROVIDER=${config.provider})` };
    return { available: true };
  };

  /** Whether a month starting at `sourceTs` has not been read yet. */
  const isNew = async (symbol: string, sourceTs: number): Promise<boolean> => {
    const known = lastRead.get(symbol);
    if (known !== undefined) return sourceTs > known;
    try {
      const stored = await deps.history.readings(symbol, sourceTs, Math.max(sourceTs, deps.now()), ['analyst_ratings']);
      if (stored.length > 0) {
        const newest = Math.max(...stored.map((r) => r.sourceTs));
        lastRead.set(symbol, newest);
        return sourceTs > newest;
      }
    } catch {
      // Storage trouble: a repeated reading is harmless, a lost one is not.
    }
    return true;
  };

  return {
    name: 'analyst_ratings',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (raw) => {
      const state = availability();
      if (!state.available || source === undefined)
        throw new ProviderError(
          'config',
          `analyst_ratings: ${state.available ? `${keyVar} is not set` : state.reason}`,
        );
      const symbol = parseSymbol(raw);
      if (symbol === undefined) throw new ProviderError('config', `analyst_ratings: '${raw}' is not a ticker symbol`);

      const now = deps.now();
      // A month that has not begun yet would be a reading from the future.
      const months = (await source.months(symbol)).filter((m) => dayStartTs(m.period) <= now);
      const latest = months[0];
      if (latest === undefined) return [];
      const previous = months[1];
      const scored = scoreAnalystRatings(latest.counts, previous?.counts);
      if (scored === undefined) return [];
      const sourceTs = dayStartTs(latest.period);
      if (!(await isNew(symbol, sourceTs))) return [];

      const { target, status } = await source.priceTarget(symbol);
      lastRead.set(symbol, sourceTs);
      const previousMean = previous === undefined ? undefined : consensusMean(previous.counts);
      const reading: ProviderReading = {
        source: 'analyst_ratings',
        symbol,
        score: scored.score,
        confidence: scored.confidence,
        mentions: scored.analysts,
        sourceTs,
        detail: {
          provider: config.provider,
          period: latest.period,
          counts: latest.counts,
          mean: round3(scored.mean),
          previous_period: previous?.period ?? null,
          previous_mean: previousMean === undefined ? null : round3(previousMean),
          drift: scored.drift === undefined ? null : round3(scored.drift),
          price_target: target,
          price_target_status: status,
        },
      };
      return [reading];
    },
  };
};
