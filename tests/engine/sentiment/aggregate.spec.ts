import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregatedSentiment,
  type AggregationConfig,
  type AggregatorReading,
  DEFAULT_AGGREGATION,
  aggregateSentiment,
  longestAge,
  sentimentLevel,
  sourceDecay,
} from '../../../engine/sentiment/aggregate.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AS_OF = Date.UTC(2026, 10, 2, 15, 0);

/**
 * Every source at weight 1 (options still 0), so the worked cases below do not depend on the tuned
 * default weights; those are checked on their own.
 */
const UNIFORM: AggregationConfig = { ...DEFAULT_AGGREGATION, weights: { options: 0 } };

const reading = (source: string, score: number, over: Partial<AggregatorReading> = {}): AggregatorReading => ({
  source,
  ts: AS_OF,
  score,
  confidence: 1,
  mentions: 1,
  ...over,
});

/** The breakdown entry of `source` (fails the test when it is missing). */
const part = (agg: AggregatedSentiment, source: string) => {
  const p = agg.sources.find((s) => s.source === source);
  if (!p) throw new Error(`no breakdown for ${source}`);
  return p;
};

describe('DEFAULT_AGGREGATION and the decay helpers', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_AGGREGATION).toMatchObject({
      // options flow is confluence's own component: counting it here too would count it twice
      weights: { options: 0 },
      defaultWeight: 1,
      halfLifeMs: 6 * HOUR,
      minConfidence: 0.3,
      divergenceThreshold: 0.5,
      maxAgeMs: 48 * HOUR,
    });
    expect(DEFAULT_AGGREGATION.sourceHalfLifeMs['analyst_ratings']).toBe(15 * DAY);
  });

  it.each([
    // source, half-life, max age
    ['twitter', 6 * HOUR, 48 * HOUR], // not listed: the defaults
    ['analyst_ratings', 15 * DAY, 120 * DAY], // 8 x 15 d
    ['insider_trading', 14 * DAY, 112 * DAY],
    ['dark_pool', DAY, 8 * DAY],
    ['simulated', 30 * 60_000, 48 * HOUR], // 8 x 30 min = 4 h < 48 h, so the global maximum wins
  ] as const)('sourceDecay(%s) = half-life %d, max age %d', (source, halfLifeMs, maxAgeMs) => {
    expect(sourceDecay(DEFAULT_AGGREGATION, source)).toEqual({ halfLifeMs, maxAgeMs });
  });

  it('longestAge is the longest of the global maximum and 8 half-lives of each slow source', () => {
    expect(longestAge(DEFAULT_AGGREGATION)).toBe(120 * DAY); // analyst_ratings: 8 x 15 d
    expect(longestAge({ ...DEFAULT_AGGREGATION, sourceHalfLifeMs: {} })).toBe(48 * HOUR);
    expect(longestAge({ ...DEFAULT_AGGREGATION, sourceHalfLifeMs: { x: HOUR } })).toBe(48 * HOUR);
  });
});

describe('sentimentLevel', () => {
  it.each([
    [1, 'very_bullish'],
    [0.6, 'very_bullish'], // inclusive
    [0.5999, 'bullish'],
    [0.2, 'bullish'], // inclusive
    [0.1999, 'neutral'],
    [0, 'neutral'],
    [-0.1999, 'neutral'],
    [-0.2, 'bearish'], // inclusive
    [-0.5999, 'bearish'],
    [-0.6, 'very_bearish'], // inclusive
    [-1, 'very_bearish'],
  ] as const)('%f -> %s', (score, level) => {
    expect(sentimentLevel(score)).toBe(level);
  });
});

describe('aggregateSentiment: worked cases', () => {
  it('empty input: score 0, neutral, no sources', () => {
    expect(aggregateSentiment([], AS_OF)).toEqual({
      asOf: AS_OF,
      score: 0,
      confidence: 0,
      level: 'neutral',
      sourceCount: 0,
      mentions: 0,
      divergence: 0,
      divergent: false,
      sources: [],
    });
  });

  it('one reading: the score is the reading; confidence = strength x 0.5 breadth', () => {
    const agg = aggregateSentiment([reading('stocktwits', 0.6, { confidence: 0.8, mentions: 7 })], AS_OF, UNIFORM);
    // age 0 -> decay 1, w = 1 x 0.8 = 0.8; say = weight 1 x 0.8 = 0.8
    // confidence = (0.8 / 1) x 0.5 x (1 - 0 / 2) = 0.4
    expect(agg.score).toBeCloseTo(0.6, 12);
    expect(agg.confidence).toBeCloseTo(0.4, 12);
    expect(agg).toMatchObject({ level: 'very_bullish', sourceCount: 1, mentions: 7, divergence: 0, divergent: false });
    expect(part(agg, 'stocktwits')).toMatchObject({ weight: 1, effectiveWeight: 1, readings: 1, latestTs: AS_OF });
    expect(part(agg, 'stocktwits').confidence).toBeCloseTo(0.8, 12);
  });

  it('a reading one half-life old weighs half: two sources, one fresh, one 6 h old', () => {
    const agg = aggregateSentiment(
      [reading('stocktwits', 0.9), reading('reddit', -0.3, { ts: AS_OF - 6 * HOUR })],
      AS_OF,
      UNIFORM,
    );
    // say: stocktwits 1 x 1 = 1, reddit 1 x 0.5^(6/6) = 0.5; total 1.5
    // score = (1 x 0.9 + 0.5 x -0.3) / 1.5 = 0.75 / 1.5 = 0.5
    expect(agg.score).toBeCloseTo(0.5, 12);
    expect(part(agg, 'stocktwits').effectiveWeight).toBeCloseTo(2 / 3, 12);
    expect(part(agg, 'reddit').effectiveWeight).toBeCloseTo(1 / 3, 12);
    // variance = (1 x (0.9 - 0.5)^2 + 0.5 x (-0.3 - 0.5)^2) / 1.5 = (0.16 + 0.32) / 1.5 = 0.32
    const divergence = Math.sqrt(0.32);
    expect(agg.divergence).toBeCloseTo(divergence, 12);
    expect(agg.divergent).toBe(true); // 0.566 > 0.5
    // confidence = (1.5 / 2) x 0.75 (two sources) x (1 - 0.566 / 2)
    expect(agg.confidence).toBeCloseTo(0.75 * 0.75 * (1 - divergence / 2), 12);
    // the breakdown is ordered by say, freshest first
    expect(agg.sources.map((s) => s.source)).toEqual(['stocktwits', 'reddit']);
  });

  it("within one source: the score is the decay x confidence weighted mean of its readings; its say is the freshest reading's", () => {
    const agg = aggregateSentiment(
      [
        reading('news', 1, { confidence: 0.5 }),
        reading('news', -1, { ts: AS_OF - 12 * HOUR, confidence: 1 }),
        reading('news', 0.4, { ts: AS_OF - 6 * HOUR, confidence: 0.6 }),
      ],
      AS_OF,
      UNIFORM,
    );
    // w: 1 x 0.5 = 0.5; 0.25 x 1 = 0.25; 0.5 x 0.6 = 0.3 -> sum 1.05
    // score = (0.5 x 1 + 0.25 x -1 + 0.3 x 0.4) / 1.05 = 0.37 / 1.05
    expect(agg.score).toBeCloseTo(0.37 / 1.05, 12);
    // source confidence = decay-weighted mean = (0.5 + 0.25 + 0.3) / (1 + 0.25 + 0.5) = 1.05 / 1.75 = 0.6
    expect(part(agg, 'news').confidence).toBeCloseTo(0.6, 12);
    // strength = max w = 0.5 -> confidence = 0.5 x 0.5 (one source) x 1 = 0.25
    expect(agg.confidence).toBeCloseTo(0.25, 12);
    expect(agg).toMatchObject({ sourceCount: 1, divergence: 0, divergent: false });
    expect(part(agg, 'news')).toMatchObject({ readings: 3, latestTs: AS_OF });
  });

  it('a source weighted 0 is left out (options by default)', () => {
    expect(aggregateSentiment([reading('options', 1)], AS_OF).sourceCount).toBe(0);
    const agg = aggregateSentiment([reading('options', 1), reading('reddit', -0.5)], AS_OF, UNIFORM);
    expect(agg.score).toBeCloseTo(-0.5, 12);
    expect(agg.sources.map((s) => s.source)).toEqual(['reddit']);
    const zeroed: AggregationConfig = { ...DEFAULT_AGGREGATION, weights: { reddit: 0 } };
    expect(aggregateSentiment([reading('reddit', 1)], AS_OF, zeroed).sourceCount).toBe(0);
  });

  it('the default config applies its per-source weights', () => {
    const wn = DEFAULT_AGGREGATION.weights['news'] ?? 1;
    const wr = DEFAULT_AGGREGATION.weights['reddit'] ?? 1;
    const agg = aggregateSentiment([reading('news', 0.5), reading('reddit', -0.5)], AS_OF);
    // say = weight x 1 (fresh, confidence 1): score = (wn x 0.5 - wr x 0.5) / (wn + wr)
    expect(agg.score).toBeCloseTo((wn * 0.5 - wr * 0.5) / (wn + wr), 12);
    expect(part(agg, 'news').weight).toBe(wn);
    expect(part(agg, 'reddit').effectiveWeight).toBeCloseTo(wr / (wn + wr), 12);
    // a source the config does not list gets defaultWeight
    expect(part(aggregateSentiment([reading('not_listed', 0.1)], AS_OF), 'not_listed').weight).toBe(1);
  });

  it('a configured weight 2 doubles a source’s say', () => {
    const config: AggregationConfig = { ...DEFAULT_AGGREGATION, weights: { options: 0, reddit: 2 } };
    const agg = aggregateSentiment([reading('reddit', 1), reading('stocktwits', -1)], AS_OF, config);
    // say: reddit 2 x 1 = 2, stocktwits 1 x 1 = 1 -> score = (2 - 1) / 3 = 1/3
    expect(agg.score).toBeCloseTo(1 / 3, 12);
    expect(part(agg, 'reddit')).toMatchObject({ weight: 2 });
    expect(part(agg, 'reddit').effectiveWeight).toBeCloseTo(2 / 3, 12);
    expect(part(agg, 'stocktwits').effectiveWeight).toBeCloseTo(1 / 3, 12);
    // variance = (2 x (2/3)^2 + 1 x (4/3)^2) / 3 = (8/9 + 16/9) / 3 = 8/9
    const divergence = Math.sqrt(8 / 9);
    expect(agg.divergence).toBeCloseTo(divergence, 12);
    // confidence = (3 / 3) x 0.75 x (1 - 0.943 / 2)
    expect(agg.confidence).toBeCloseTo(0.75 * (1 - divergence / 2), 12);
  });

  it('slow sources keep their own half-life: an analyst rating 10 days old still counts', () => {
    const agg = aggregateSentiment([reading('analyst_ratings', 0.5, { ts: AS_OF - 10 * DAY })], AS_OF, UNIFORM);
    // decay = 0.5^(10 / 15); confidence = decay x 1 x 0.5 (one source)
    expect(agg.score).toBeCloseTo(0.5, 12);
    expect(agg.confidence).toBeCloseTo(Math.pow(0.5, 10 / 15) * 0.5, 12);
    expect(agg.sourceCount).toBe(1);
  });

  it.each([
    // age, counted, decay
    [48 * HOUR, true, 1 / 256], // exactly the maximum age: 8 half-lives
    [49 * HOUR, false, 0],
  ] as const)('a twitter reading %d ms old counted=%s', (age, counted, decay) => {
    const agg = aggregateSentiment([reading('twitter', -0.8, { ts: AS_OF - age })], AS_OF, UNIFORM);
    expect(agg.sourceCount).toBe(counted ? 1 : 0);
    // confidence = decay x 1 x 0.5
    expect(agg.confidence).toBeCloseTo(decay * 0.5, 12);
  });

  it.each([
    [0.29, 0],
    [0.3, 1], // the minimum is inclusive
  ] as const)('minimum confidence 0.3: a reading with confidence %f gives %i sources', (confidence, count) => {
    const agg = aggregateSentiment([reading('reddit', 0.7, { confidence })], AS_OF, UNIFORM);
    expect(agg.sourceCount).toBe(count);
    // included: confidence = 0.3 x 0.5 = 0.15
    expect(agg.confidence).toBeCloseTo(count * confidence * 0.5, 12);
  });

  it('a reading stamped after asOf is ignored (no look-ahead); one stamped at asOf counts', () => {
    const past = reading('reddit', 0.4);
    const future = reading('stocktwits', -1, { ts: AS_OF + 1 });
    expect(aggregateSentiment([past, future], AS_OF)).toEqual(aggregateSentiment([past], AS_OF));
    expect(aggregateSentiment([future], AS_OF).sourceCount).toBe(0);
    expect(aggregateSentiment([future], AS_OF + 1).score).toBeCloseTo(-1, 12);
  });

  it('two equal sources at +0.8 and -0.8: score 0, divergence 0.8, divergent', () => {
    const agg = aggregateSentiment([reading('reddit', 0.8), reading('stocktwits', -0.8)], AS_OF, UNIFORM);
    // score = (0.8 - 0.8) / 2 = 0; variance = (0.64 + 0.64) / 2 = 0.64 -> divergence 0.8
    expect(agg.score).toBeCloseTo(0, 12);
    expect(agg.divergence).toBeCloseTo(0.8, 12);
    expect(agg.divergent).toBe(true);
    expect(agg.level).toBe('neutral');
    // confidence = (2 / 2) x 0.75 x (1 - 0.8 / 2) = 0.45
    expect(agg.confidence).toBeCloseTo(0.45, 12);
  });

  it('two sources within the threshold are not divergent', () => {
    // score 0.5, divergence 0.1
    const agg = aggregateSentiment([reading('reddit', 0.6), reading('stocktwits', 0.4)], AS_OF, UNIFORM);
    expect(agg.divergence).toBeCloseTo(0.1, 12);
    expect(agg.divergent).toBe(false);
  });

  it('one source is never divergent, however its readings disagree', () => {
    const agg = aggregateSentiment([reading('reddit', 1), reading('reddit', -1, { ts: AS_OF - 1 })], AS_OF, UNIFORM);
    expect(agg).toMatchObject({ sourceCount: 1, divergence: 0, divergent: false });
  });

  it('breakdown: effective weights sum to 1, mentions are summed over readings and sources', () => {
    const agg = aggregateSentiment(
      [
        reading('reddit', 0.2, { mentions: 3 }),
        reading('reddit', 0.4, { ts: AS_OF - HOUR, mentions: 4 }),
        reading('stocktwits', 0.1, { confidence: 0.5, mentions: 10 }),
        reading('news', -0.3, { ts: AS_OF - 3 * HOUR, mentions: 0 }),
        reading('twitter', 0.9, { mentions: -5 }), // a negative count adds nothing
      ],
      AS_OF,
      UNIFORM,
    );
    expect(agg.sourceCount).toBe(4);
    expect(agg.sources.reduce((s, p) => s + p.effectiveWeight, 0)).toBeCloseTo(1, 12);
    expect(agg.mentions).toBe(17);
    expect(part(agg, 'reddit')).toMatchObject({ readings: 2, mentions: 7 });
    expect(part(agg, 'twitter').mentions).toBe(0);
    // three or more sources: breadth 1
    const say = 1 + 1 + 0.5 + Math.pow(0.5, 0.5);
    expect(agg.confidence).toBeCloseTo((say / 4) * (1 - agg.divergence / 2), 12);
  });

  it('leaves out non-finite scores and clamps out-of-range scores and confidences', () => {
    const agg = aggregateSentiment(
      [reading('reddit', Number.NaN), reading('stocktwits', 3, { confidence: 1.7 })],
      AS_OF,
      UNIFORM,
    );
    expect(agg.sources.map((s) => s.source)).toEqual(['stocktwits']);
    expect(agg.score).toBe(1);
    expect(agg.confidence).toBeCloseTo(0.5, 12);
  });
});

const SOURCES = ['reddit', 'stocktwits', 'twitter', 'news', 'options', 'analyst_ratings', 'simulated'] as const;

const arbScore = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(-3, 3, Number.NaN, Infinity, -Infinity) },
);
const arbConfidence = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 2, Number.NaN) },
);
/** Readings up to 130 days old (past every source's maximum age) and up to a day in the future. */
const arbReading = fc.record({
  source: fc.constantFrom(...SOURCES),
  ts: fc.integer({ min: AS_OF - 130 * DAY, max: AS_OF + DAY }),
  score: arbScore,
  confidence: arbConfidence,
  mentions: fc.integer({ min: 0, max: 1_000 }),
});
const arbReadings = fc.array(arbReading, { maxLength: 40 });

describe('aggregateSentiment: properties', () => {
  it('score, confidence and divergence stay within their ranges; level and divergent follow them', () => {
    fc.assert(
      fc.property(arbReadings, (readings) => {
        const agg = aggregateSentiment(readings, AS_OF);
        expect(agg.score).toBeGreaterThanOrEqual(-1);
        expect(agg.score).toBeLessThanOrEqual(1);
        expect(agg.confidence).toBeGreaterThanOrEqual(0);
        expect(agg.confidence).toBeLessThanOrEqual(1);
        expect(agg.divergence).toBeGreaterThanOrEqual(0);
        expect(agg.divergence).toBeLessThanOrEqual(1);
        expect(agg.level).toBe(sentimentLevel(agg.score));
        expect(agg.divergent).toBe(agg.sourceCount >= 2 && agg.divergence > DEFAULT_AGGREGATION.divergenceThreshold);
        expect(agg.sourceCount).toBe(agg.sources.length);
        if (agg.sourceCount > 0) expect(agg.sources.reduce((s, p) => s + p.effectiveWeight, 0)).toBeCloseTo(1, 9);
      }),
      { numRuns: 500 },
    );
  });

  it('adding a reading stamped after asOf never changes the result', () => {
    fc.assert(
      fc.property(
        arbReadings,
        arbReading,
        fc.integer({ min: 1, max: 30 * DAY }),
        fc.nat(),
        (readings, extra, ahead, at) => {
          const position = readings.length === 0 ? 0 : at % (readings.length + 1);
          const withFuture = [
            ...readings.slice(0, position),
            { ...extra, ts: AS_OF + ahead },
            ...readings.slice(position),
          ];
          expect(aggregateSentiment(withFuture, AS_OF)).toEqual(aggregateSentiment(readings, AS_OF));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the result does not depend on the order of the readings', () => {
    fc.assert(
      fc.property(
        arbReadings.chain((readings) =>
          fc.tuple(fc.constant(readings), fc.shuffledSubarray(readings, { minLength: readings.length })),
        ),
        ([readings, shuffled]) => {
          const a = aggregateSentiment(readings, AS_OF);
          const b = aggregateSentiment(shuffled, AS_OF);
          // Sums taken in another order may differ in the last bits, hence the tolerance.
          expect(b.score).toBeCloseTo(a.score, 9);
          expect(b.confidence).toBeCloseTo(a.confidence, 9);
          expect(b.divergence).toBeCloseTo(a.divergence, 9);
          expect(b.sourceCount).toBe(a.sourceCount);
          expect(b.mentions).toBe(a.mentions);
          const bySource = (x: AggregatedSentiment) =>
            [...x.sources]
              .sort((p, q) => p.source.localeCompare(q.source))
              .map((p) => ({ source: p.source, readings: p.readings, mentions: p.mentions, latestTs: p.latestTs }));
          expect(bySource(b)).toEqual(bySource(a));
        },
      ),
      { numRuns: 500 },
    );
  });
});
