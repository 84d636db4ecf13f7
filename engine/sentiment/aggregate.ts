/**
 * The point-in-time sentiment aggregator (SPEC section 5): many readings from many sources become
 * one score per symbol as of a given time. Pure; the engine's confluence and the API's
 * `/api/sentiment/aggregated/{symbol}` both call it, so a decision and its explanation agree.
 */

/** One reading as the aggregator needs it (the engine's `SentimentReading` fits). */
export interface AggregatorReading {
  readonly source: string;
  /** When the source published it. */
  readonly ts: number;
  readonly score: number;
  readonly confidence: number;
  readonly mentions: number;
}

export interface AggregationConfig {
  /** Weight per source; a source not listed gets `defaultWeight`; 0 leaves a source out. */
  readonly weights: Readonly<Record<string, number>>;
  readonly defaultWeight: number;
  /** Exponential decay on the source timestamp: a reading this old counts half. */
  readonly halfLifeMs: number;
  /** Readings with a lower confidence are ignored. */
  readonly minConfidence: number;
  /** Weighted spread of source scores above which sources are reported as diverging. */
  readonly divergenceThreshold: number;
  /** Readings older than this are ignored (they would weigh < 0.4 % at 8 half-lives). */
  readonly maxAgeMs: number;
  /**
   * Half-lives of sources that publish on a slower clock than social media: a monthly analyst
   * consensus or an insider purchase still matters days later. Such a source's readings are kept
   * for 8 of its half-lives (or `maxAgeMs`, if longer).
   */
  readonly sourceHalfLifeMs: Readonly<Record<string, number>>;
}

const DAY = 24 * 3_600_000;

/**
 * Default say of each source in the aggregate. Sources that carry a direction of their own (analyst
 * consensus, news, labelled social posts) weigh most; attention-only or contested ones (search
 * interest, off-exchange short volume) least. Options flow is 0: it is confluence's own 20 % component.
 */
const DEFAULT_SOURCE_WEIGHTS: Readonly<Record<string, number>> = {
  twitter: 0.8,
  reddit: 0.6,
  stocktwits: 0.8,
  news: 1,
  newsapi: 1,
  google_trends: 0.3,
  analyst_ratings: 1,
  insider_trading: 0.8,
  sec_filings: 0.6,
  options: 0,
  dark_pool: 0.4,
  mention_volume: 0.5,
  events: 0.8,
  simulated: 1,
};

export const DEFAULT_AGGREGATION: AggregationConfig = {
  weights: DEFAULT_SOURCE_WEIGHTS,
  defaultWeight: 1,
  halfLifeMs: 6 * 3_600_000,
  minConfidence: 0.3,
  divergenceThreshold: 0.5,
  maxAgeMs: 48 * 3_600_000,
  sourceHalfLifeMs: {
    analyst_ratings: 15 * DAY,
    insider_trading: 14 * DAY,
    sec_filings: 7 * DAY,
    events: 5 * DAY,
    dark_pool: DAY,
    google_trends: DAY,
    // The paper-mode simulation publishes a fresh snapshot every 15 simulated minutes.
    simulated: 30 * 60_000,
  },
};

/** The half-life and maximum age that apply to `source`. */
export const sourceDecay = (config: AggregationConfig, source: string): { halfLifeMs: number; maxAgeMs: number } => {
  const own = config.sourceHalfLifeMs[source];
  return own === undefined
    ? { halfLifeMs: config.halfLifeMs, maxAgeMs: config.maxAgeMs }
    : { halfLifeMs: own, maxAgeMs: Math.max(config.maxAgeMs, 8 * own) };
};

/** The longest any reading is kept by `config`. */
export const longestAge = (config: AggregationConfig): number =>
  Math.max(config.maxAgeMs, ...Object.values(config.sourceHalfLifeMs).map((h) => 8 * h));

export type SentimentLevel = 'very_bearish' | 'bearish' | 'neutral' | 'bullish' | 'very_bullish';

/** Levels at +-0.2 and +-0.6 (inclusive). */
export const sentimentLevel = (score: number): SentimentLevel =>
  score >= 0.6
    ? 'very_bullish'
    : score >= 0.2
      ? 'bullish'
      : score <= -0.6
        ? 'very_bearish'
        : score <= -0.2
          ? 'bearish'
          : 'neutral';

export interface SourceBreakdown {
  readonly source: string;
  /** Decay- and confidence-weighted mean of the source's readings. */
  readonly score: number;
  /** Decay-weighted mean confidence of its readings. */
  readonly confidence: number;
  /** The configured source weight. */
  readonly weight: number;
  /** Its share of the aggregate, 0..1 (configured weight x freshest decayed confidence, renormalised). */
  readonly effectiveWeight: number;
  readonly readings: number;
  readonly mentions: number;
  readonly latestTs: number;
}

export interface AggregatedSentiment {
  readonly asOf: number;
  /** Bounded weighted mean of the source scores, -1..1; 0 with no usable reading. */
  readonly score: number;
  /** 0..1: freshness and confidence of the sources, breadth (more sources), minus disagreement. */
  readonly confidence: number;
  readonly level: SentimentLevel;
  readonly sourceCount: number;
  readonly mentions: number;
  /** Weighted standard deviation of the source scores around `score`, 0..1. */
  readonly divergence: number;
  /** Two or more sources and `divergence` above the threshold. */
  readonly divergent: boolean;
  readonly sources: readonly SourceBreakdown[];
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

interface SourceAcc {
  weightSum: number;
  scoreSum: number;
  decaySum: number;
  confSum: number;
  strength: number;
  readings: number;
  mentions: number;
  latestTs: number;
}

/**
 * Aggregates the readings published at or before `asOf` (later ones are ignored: no look-ahead).
 *
 * - A reading counts with `decay x confidence`, decay = 0.5^(age / half-life) (the source's own
 *   half-life for slow sources); readings under the minimum confidence, older than their maximum
 *   age or from a source weighted 0 are left out.
 * - Each source's score is the weighted mean of its readings. A source's say in the aggregate is its
 *   configured weight times its freshest reading's `decay x confidence`: bounded per source, so a
 *   source polled every minute does not outvote one polled daily just by having more readings.
 * - The score is the weighted mean of the source scores, so it stays within -1..1.
 * - Confidence = (mean say per unit of weight) x breadth (0.5 for one source, 0.75 for two, 1 for
 *   three or more) x (1 - divergence / 2).
 */
export const aggregateSentiment = (
  readings: Iterable<AggregatorReading>,
  asOf: number,
  config: AggregationConfig = DEFAULT_AGGREGATION,
): AggregatedSentiment => {
  const by = new Map<string, SourceAcc>();
  for (const r of readings) {
    const age = asOf - r.ts;
    if (!(age >= 0)) continue; // also drops a NaN timestamp
    if (!Number.isFinite(r.mentions)) continue;
    const { halfLifeMs, maxAgeMs } = sourceDecay(config, r.source);
    if (age > maxAgeMs) continue;
    if (!(r.confidence >= config.minConfidence) || !Number.isFinite(r.score)) continue;
    if (sourceWeight(config, r.source) <= 0) continue;
    const decay = Math.pow(0.5, age / halfLifeMs);
    const confidence = clamp(r.confidence, 0, 1);
    const w = decay * confidence;
    let acc = by.get(r.source);
    if (!acc) {
      acc = {
        weightSum: 0,
        scoreSum: 0,
        decaySum: 0,
        confSum: 0,
        strength: 0,
        readings: 0,
        mentions: 0,
        latestTs: r.ts,
      };
      by.set(r.source, acc);
    }
    acc.weightSum += w;
    acc.scoreSum += w * clamp(r.score, -1, 1);
    acc.decaySum += decay;
    acc.confSum += decay * confidence;
    acc.strength = Math.max(acc.strength, w);
    acc.readings++;
    acc.mentions += Math.max(0, r.mentions);
    acc.latestTs = Math.max(acc.latestTs, r.ts);
  }
  const partial = [...by.entries()]
    .filter(([, a]) => a.weightSum > 0)
    .map(([source, a]) => {
      const weight = sourceWeight(config, source);
      return {
        source,
        score: clamp(a.scoreSum / a.weightSum, -1, 1),
        confidence: a.decaySum > 0 ? a.confSum / a.decaySum : 0,
        weight,
        say: weight * a.strength,
        readings: a.readings,
        mentions: a.mentions,
        latestTs: a.latestTs,
      };
    })
    .sort((a, b) => b.say - a.say || a.source.localeCompare(b.source));
  const totalSay = partial.reduce((s, p) => s + p.say, 0);
  if (partial.length === 0 || totalSay <= 0) {
    return {
      asOf,
      score: 0,
      confidence: 0,
      level: 'neutral',
      sourceCount: 0,
      mentions: 0,
      divergence: 0,
      divergent: false,
      sources: [],
    };
  }
  const score = clamp(partial.reduce((s, p) => s + p.say * p.score, 0) / totalSay, -1, 1);
  const variance = partial.reduce((s, p) => s + p.say * (p.score - score) ** 2, 0) / totalSay;
  const divergence = clamp(Math.sqrt(variance), 0, 1);
  const totalWeight = partial.reduce((s, p) => s + p.weight, 0);
  const breadth = partial.length >= 3 ? 1 : partial.length === 2 ? 0.75 : 0.5;
  const confidence = clamp((totalSay / totalWeight) * breadth * (1 - divergence / 2), 0, 1);
  return {
    asOf,
    score,
    confidence,
    level: sentimentLevel(score),
    sourceCount: partial.length,
    mentions: partial.reduce((s, p) => s + p.mentions, 0),
    divergence,
    divergent: partial.length >= 2 && divergence > config.divergenceThreshold,
    sources: partial.map(({ say, ...p }) => ({ ...p, effectiveWeight: say / totalSay })),
  };
};

const sourceWeight = (config: AggregationConfig, source: string): number =>
  config.weights[source] ?? config.defaultWeight;
