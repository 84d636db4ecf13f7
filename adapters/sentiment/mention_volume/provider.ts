import { SYMBOL_PATTERN } from '../../../engine/messages/symbol.js';
import { ProviderError, asProviderError } from '../http/provider-error.js';
import { clampScore, clampUnit } from '../provider.js';
import type { ProviderDeps, ProviderReading, SentimentProvider } from '../provider.js';
import type { MentionVolumeConfig } from './config.js';
import { MENTION_SOURCES, StoredMentionReadingSchema, type StoredMentionReading } from './schema.js';

const HOUR_MS = 3_600_000;
/** The baseline spans the 7 days before the window. */
export const BASELINE_HOURS = 168;
/** Less history than this gives a zero-confidence reading (`baseline_short`). */
export const MIN_BASELINE_HOURS = 24;
/** Hours the trend is fitted over. */
const TREND_HOURS = 24;
/** A mention-weighted mean score closer to 0 than this has no direction. */
export const DIRECTION_DEAD_ZONE = 0.05;
/** Window mentions at which the count factor of the confidence reaches 0.5. */
const HALF_CONFIDENCE_MENTIONS = 10;
/** Emitted-reading memory (for "nothing new"); cleared when it grows past this. */
const MAX_REMEMBERED = 1000;

/** Mention counts of one symbol, as of `now`. */
export interface MentionStats {
  /** Mentions in [now - window, now]. */
  readonly windowMentions: number;
  /** Hours of the baseline period covered by history (from the oldest reading, at most 168). */
  readonly baselineHours: number;
  /** Mentions per hour over the covered baseline; undefined when no baseline hour is covered. */
  readonly baselinePerHour: number | undefined;
  /** Window rate over baseline rate (the baseline floored at one mention over the covered hours). */
  readonly spikeRatio: number | undefined;
  /** Least-squares slope of the last 24 hourly counts, times 24, over the baseline rate. */
  readonly trend: number | undefined;
  /** Mention-weighted mean score of the window's readings (0 without window mentions). */
  readonly meanScore: number;
  /** The newest reading used. */
  readonly newestTs: number;
}

/** Slope of `counts` against their index (least squares); 0 for fewer than two points. */
export const slope = (counts: readonly number[]): number => {
  const n = counts.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = counts.reduce((s, c) => s + c, 0) / n;
  let num = 0;
  let den = 0;
  counts.forEach((c, i) => {
    num += (i - meanX) * (c - meanY);
    den += (i - meanX) ** 2;
  });
  return num / den;
};

/**
 * Counts mentions (each reading's `mentions` at its `sourceTs`) in the window and in the 7-day
 * baseline before it; undefined when there is no reading at all. `readings` must lie within
 * [now - window - 168 h, now].
 */
export const mentionStats = (
  readings: readonly Pick<StoredMentionReading, 'score' | 'mentions' | 'sourceTs'>[],
  now: number,
  windowHours: number,
): MentionStats | undefined => {
  if (readings.length === 0) return undefined;
  const windowStart = now - windowHours * HOUR_MS;
  const baselineStart = windowStart - BASELINE_HOURS * HOUR_MS;
  const trendStart = now - TREND_HOURS * HOUR_MS;
  let oldest = Infinity;
  let newestTs = -Infinity;
  let windowMentions = 0;
  let weightedScore = 0;
  let baselineMentions = 0;
  const hourly = new Array<number>(TREND_HOURS).fill(0);
  for (const r of readings) {
    oldest = Math.min(oldest, r.sourceTs);
    newestTs = Math.max(newestTs, r.sourceTs);
    if (r.sourceTs >= windowStart) {
      windowMentions += r.mentions;
      weightedScore += r.score * r.mentions;
    } else {
      baselineMentions += r.mentions;
    }
    if (r.sourceTs >= trendStart) {
      const bucket = Math.min(TREND_HOURS - 1, Math.floor((r.sourceTs - trendStart) / HOUR_MS));
      hourly[bucket] = (hourly[bucket] ?? 0) + r.mentions;
    }
  }
  const baselineHours = Math.max(0, (windowStart - Math.max(baselineStart, oldest)) / HOUR_MS);
  const baselinePerHour = baselineHours > 0 ? baselineMentions / baselineHours : undefined;
  // One mention over the covered hours: a symbol never mentioned before still gets a finite ratio.
  const floorRate = baselineHours > 0 ? Math.max(baselinePerHour ?? 0, 1 / baselineHours) : undefined;
  return {
    windowMentions,
    baselineHours,
    baselinePerHour,
    spikeRatio: floorRate === undefined ? undefined : windowMentions / windowHours / floorRate,
    trend: floorRate === undefined ? undefined : (slope(hourly) * TREND_HOURS) / floorRate,
    meanScore: windowMentions > 0 ? weightedScore / windowMentions : 0,
    newestTs,
  };
};

/** How far a spike moves the score: log2(ratio) / 3, so 2x gives 0.33, 8x or more 1; none at or below 1x. */
export const spikeMagnitude = (ratio: number): number => (ratio > 1 ? Math.min(1, Math.log2(ratio) / 3) : 0);

/** The direction the social/news readings point in: -1, 0 (inside the dead zone) or 1. */
export const mentionDirection = (meanScore: number): -1 | 0 | 1 =>
  Math.abs(meanScore) < DIRECTION_DEAD_ZONE ? 0 : meanScore > 0 ? 1 : -1;

/** Baseline coverage (hours / 168) times the window count factor n / (n + 10). */
export const mentionConfidence = (baselineHours: number, windowMentions: number): number =>
  clampUnit(
    Math.min(1, baselineHours / BASELINE_HOURS) * (windowMentions / (windowMentions + HALF_CONFIDENCE_MENTIONS)),
  );

export interface MentionScore {
  readonly score: number;
  readonly confidence: number;
  readonly reason?: 'baseline_short';
}

/**
 * Mentions carry no direction of their own: the direction is the sign of the mention-weighted mean
 * score of the window's social/news readings, the size how far the mention rate exceeds its 7-day
 * norm (`spikeMagnitude`). A busy, bullish hour is bullish; a busy, bearish one bearish; a quiet one
 * is 0. Less than 24 h of history gives score 0 with confidence 0 and reason `baseline_short`.
 */
export const scoreMentions = (stats: MentionStats): MentionScore => {
  if (stats.baselineHours < MIN_BASELINE_HOURS || stats.spikeRatio === undefined)
    return { score: 0, confidence: 0, reason: 'baseline_short' };
  return {
    score: clampScore(mentionDirection(stats.meanScore) * spikeMagnitude(stats.spikeRatio)),
    confidence: mentionConfidence(stats.baselineHours, stats.windowMentions),
  };
};

const round = (x: number | undefined, digits = 4): number | null =>
  x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

/**
 * Mention volume: no HTTP. Each poll reads the symbol's stored twitter, reddit, stocktwits, news and
 * newsapi readings of the last `windowHours` + 7 days and scores the spike of the mention rate (see
 * `scoreMentions`). The reading's `sourceTs` is the newest stored reading used, so it never depends
 * on anything published later; its `mentions` are the window's. A reading identical to the last one
 * returned for the symbol is not returned again; no stored reading at all gives none.
 */
export const createMentionVolumeProvider = (config: MentionVolumeConfig, deps: ProviderDeps): SentimentProvider => {
  if (!(config.windowHours > 0) || config.windowHours > 24)
    throw new ProviderError('config', `mention_volume: windowHours must be in (0, 24], got ${config.windowHours}`);
  const lastEmitted = new Map<string, string>();

  const fetchSymbol = async (raw: string): Promise<readonly ProviderReading[]> => {
    const symbol = raw.trim().toUpperCase();
    if (!SYMBOL_PATTERN.test(symbol))
      throw new ProviderError('config', `mention_volume: '${raw}' is not a ticker symbol`);
    const now = deps.now();
    const from = now - (config.windowHours + BASELINE_HOURS) * HOUR_MS;
    const stored = await deps.history.readings(symbol, from, now, MENTION_SOURCES);
    const readings = stored.map((reading) => {
      const parsed = StoredMentionReadingSchema.safeParse(reading);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ProviderError(
          'schema',
          `mention_volume: stored ${String(reading.source)} reading of ${symbol} at ${reading.sourceTs} is invalid ` +
            `(${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'})`,
        );
      }
      return parsed.data;
    });
    // The store promises this range; a row outside it would distort the hour counts.
    const inRange = readings.filter((r) => r.sourceTs >= from && r.sourceTs <= now);
    const stats = mentionStats(inRange, now, config.windowHours);
    if (stats === undefined) return [];
    const scored = scoreMentions(stats);
    const reading: ProviderReading = {
      source: 'mention_volume',
      symbol,
      score: scored.score,
      confidence: scored.confidence,
      mentions: stats.windowMentions,
      sourceTs: stats.newestTs,
      detail: {
        window_mentions: stats.windowMentions,
        window_hours: config.windowHours,
        baseline_per_hour: round(stats.baselinePerHour),
        baseline_hours: round(stats.baselineHours, 2),
        spike_ratio: round(stats.spikeRatio),
        trend: round(stats.trend),
        mean_score: round(stats.meanScore),
        ...(scored.reason === undefined ? {} : { reason: scored.reason }),
      },
    };
    const key = JSON.stringify(reading);
    if (lastEmitted.get(symbol) === key) return [];
    if (lastEmitted.size >= MAX_REMEMBERED) lastEmitted.clear();
    lastEmitted.set(symbol, key);
    return [reading];
  };

  return {
    name: 'mention_volume',
    intervalMs: config.intervalMs,
    availability: () =>
      config.enabled ? { available: true } : { available: false, reason: 'disabled (MENTION_VOLUME_ENABLED=false)' },
    fetch: async (symbol) => {
      try {
        return await fetchSymbol(symbol);
      } catch (err) {
        throw asProviderError(err);
      }
    },
  };
};
