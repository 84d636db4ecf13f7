import fc from 'fast-check';
import { marbles } from 'rxjs-marbles';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ConfluenceBook, OPTIONS_MAX_AGE_MS, confluence } from '../../../engine/confluence/confluence.js';
import type { OptionsFlowReading, SentimentReading } from '../../../engine/messages/market.js';
import {
  type AggregatedSentiment,
  type AggregationConfig,
  DEFAULT_AGGREGATION,
  aggregateSentiment,
} from '../../../engine/sentiment/aggregate.js';
import { T0, signal } from '../../support/factories.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const W = { technical: 0.5, sentiment: 0.3, options: 0.2 };
/** Every source at weight 1 (options 0), so the hand arithmetic does not depend on tuned weights. */
const UNIFORM: AggregationConfig = { ...DEFAULT_AGGREGATION, weights: { options: 0 } };

const sent = (source: string, score: number, ts: number, over: Partial<SentimentReading> = {}): SentimentReading => ({
  kind: 'sentiment.updated',
  ts,
  symbol: 'AAPL',
  source,
  score,
  confidence: 1,
  mentions: 1,
  ...over,
});
const opt = (score: number, ts: number, symbol = 'AAPL'): OptionsFlowReading => ({
  kind: 'options.updated',
  ts,
  symbol,
  score,
  confidence: 0.7,
});

const bookOf = (readings: readonly (SentimentReading | OptionsFlowReading)[], config = UNIFORM): ConfluenceBook => {
  const book = new ConfluenceBook(config);
  for (const r of readings) book.add(r);
  return book;
};

/** Compares two aggregates up to the last bits of float sums taken in another order. */
const expectSameAggregate = (actual: AggregatedSentiment | undefined, expected: AggregatedSentiment): void => {
  if (expected.sourceCount === 0) {
    expect(actual).toBeUndefined();
    return;
  }
  if (actual === undefined) throw new Error('book gave no aggregate where the aggregator gives one');
  expect(actual.asOf).toBe(expected.asOf);
  expect(actual.score).toBeCloseTo(expected.score, 9);
  expect(actual.confidence).toBeCloseTo(expected.confidence, 9);
  expect(actual.divergence).toBeCloseTo(expected.divergence, 9);
  expect(actual.sourceCount).toBe(expected.sourceCount);
  expect(actual.mentions).toBe(expected.mentions);
  const shape = (a: AggregatedSentiment) =>
    [...a.sources]
      .sort((p, q) => p.source.localeCompare(q.source))
      .map((p) => ({ source: p.source, readings: p.readings, mentions: p.mentions, latestTs: p.latestTs }));
  expect(shape(actual)).toEqual(shape(expected));
};

describe('ConfluenceBook: sentiment', () => {
  it('undefined for an unknown symbol or one with no usable reading', () => {
    const book = bookOf([sent('options', 1, T0), sent('reddit', 0.5, T0, { confidence: 0.1 })]);
    expect(book.sentimentAsOf('MSFT', T0)).toBeUndefined();
    // options is weighted 0 and the reddit reading is under the minimum confidence
    expect(book.sentimentAsOf('AAPL', T0)).toBeUndefined();
    expect(book.symbols()).toEqual({ sentiment: ['AAPL'], options: [] });
  });

  it('keeps symbols apart', () => {
    const book = bookOf([sent('reddit', 0.9, T0), sent('reddit', -0.9, T0, { symbol: 'MSFT' })]);
    expect(book.sentimentAsOf('AAPL', T0)?.score).toBeCloseTo(0.9, 12);
    expect(book.sentimentAsOf('MSFT', T0)?.score).toBeCloseTo(-0.9, 12);
  });

  it('readings arriving out of order give the same answer as in order, at every time', () => {
    const readings = [
      sent('reddit', 0.2, T0),
      sent('reddit', 0.8, T0 + HOUR),
      sent('stocktwits', -0.5, T0 + 30 * MIN),
      sent('reddit', -0.4, T0 + 2 * HOUR),
      sent('news', 0.6, T0 + 90 * MIN),
    ];
    const inOrder = bookOf([...readings].sort((a, b) => a.ts - b.ts));
    const shuffled = bookOf([readings[3], readings[1], readings[4], readings[0], readings[2]].flatMap((r) => r ?? []));
    for (const t of [T0 - 1, T0, T0 + 45 * MIN, T0 + HOUR, T0 + 2 * HOUR, T0 + 5 * HOUR]) {
      const expected = aggregateSentiment(
        readings.filter((r) => r.ts <= t),
        t,
        UNIFORM,
      );
      expectSameAggregate(inOrder.sentimentAsOf('AAPL', t), expected);
      expectSameAggregate(shuffled.sentimentAsOf('AAPL', t), expected);
    }
    // At T0 + 1 h (half-life 6 h): reddit = (0.5^(1/6) x 0.2 + 1 x 0.8) / (0.5^(1/6) + 1), say 1;
    // stocktwits -0.5 at 30 min old, say 0.5^(1/12); news is not published yet.
    const reddit = (0.5 ** (1 / 6) * 0.2 + 0.8) / (0.5 ** (1 / 6) + 1);
    const say = 0.5 ** (1 / 12);
    expect(shuffled.sentimentAsOf('AAPL', T0 + HOUR)?.score).toBeCloseTo((reddit - 0.5 * say) / (1 + say), 12);
  });

  it('a reading published after t never influences the answer at t, whenever it arrives', () => {
    const book = bookOf([sent('reddit', 0.5, T0), sent('news', 0.3, T0 - HOUR)]);
    const before = book.sentimentAsOf('AAPL', T0 + MIN);
    book.add(sent('stocktwits', -1, T0 + 2 * MIN));
    book.add(sent('reddit', -1, T0 + 2 * MIN));
    expect(book.sentimentAsOf('AAPL', T0 + MIN)).toEqual(before);
    // ...and does count from its own time on
    expect(book.sentimentAsOf('AAPL', T0 + 2 * MIN)?.sourceCount).toBe(3);
  });

  it('per-source history: a chatty source with 1,000 readings does not evict a slow source’s single reading', () => {
    const book = new ConfluenceBook(UNIFORM);
    book.add(sent('analyst_ratings', 0.7, T0 - 5 * DAY));
    book.add(sent('reddit', 0.1, T0 - HOUR));
    for (let i = 0; i < 1_000; i++) book.add(sent('stocktwits', i % 2 === 0 ? 0.3 : -0.3, T0 + i * MIN));
    const agg = book.sentimentAsOf('AAPL', T0 + 999 * MIN);
    expect(agg?.sources.map((s) => s.source).sort()).toEqual(['analyst_ratings', 'reddit', 'stocktwits']);
    const chatty = agg?.sources.find((s) => s.source === 'stocktwits');
    // bounded memory: the book keeps a capped history per source, not all 1,000
    expect(chatty?.readings).toBeGreaterThan(0);
    expect(chatty?.readings).toBeLessThan(1_000);
    expect(agg?.sources.find((s) => s.source === 'analyst_ratings')?.readings).toBe(1);
  });

  it('uses the book’s aggregation config (weights, minimum confidence)', () => {
    const strict: AggregationConfig = { ...UNIFORM, minConfidence: 0.9, weights: { reddit: 0 } };
    const book = bookOf([sent('reddit', 1, T0), sent('news', 0.4, T0, { confidence: 0.8 })], strict);
    expect(book.aggregation).toBe(strict);
    expect(book.sentimentAsOf('AAPL', T0)).toBeUndefined();
  });

  const SOURCES = ['reddit', 'stocktwits', 'news', 'analyst_ratings', 'options'] as const;
  /**
   * Up to 60 readings within 40 h (under the 48 h maximum age, and under the per-source history cap),
   * the domain in which the book must agree exactly with the aggregator over the filtered list.
   */
  const arbReadings = fc.array(
    fc.record({
      source: fc.constantFrom(...SOURCES),
      ts: fc.integer({ min: T0, max: T0 + 40 * HOUR }),
      score: fc.double({ min: -1, max: 1, noNaN: true }),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      mentions: fc.integer({ min: 0, max: 50 }),
    }),
    { maxLength: 60 },
  );
  const asSentiment = (r: {
    source: string;
    ts: number;
    score: number;
    confidence: number;
    mentions: number;
  }): SentimentReading => ({ kind: 'sentiment.updated', symbol: 'AAPL', ...r });

  it('property: sentimentAsOf(t) equals aggregateSentiment over the readings published at or before t', () => {
    fc.assert(
      fc.property(
        arbReadings,
        fc.array(fc.integer({ min: T0 - HOUR, max: T0 + 42 * HOUR }), { minLength: 1, maxLength: 5 }),
        (raw, times) => {
          const readings = raw.map(asSentiment);
          const book = bookOf(readings, DEFAULT_AGGREGATION);
          for (const t of times)
            expectSameAggregate(
              book.sentimentAsOf('AAPL', t),
              aggregateSentiment(
                readings.filter((r) => r.ts <= t),
                t,
              ),
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: readings added later but stamped after t leave the answer at t unchanged', () => {
    fc.assert(
      fc.property(arbReadings, fc.integer({ min: T0, max: T0 + 40 * HOUR }), (raw, t) => {
        const readings = raw.map(asSentiment);
        const past = readings.filter((r) => r.ts <= t);
        const book = bookOf(past, DEFAULT_AGGREGATION);
        const before = book.sentimentAsOf('AAPL', t);
        for (const r of readings) if (r.ts > t) book.add(r);
        expect(book.sentimentAsOf('AAPL', t)).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ConfluenceBook: options flow', () => {
  it('the latest reading at or before t, at most 24 h older', () => {
    expect(OPTIONS_MAX_AGE_MS).toBe(24 * HOUR);
    // added out of order
    const book = bookOf([opt(0.3, T0 + HOUR), opt(-0.2, T0), opt(0.9, T0 + 2 * HOUR)]);
    expect(book.optionsAsOf('AAPL', T0 - 1)).toBeUndefined(); // nothing published yet
    expect(book.optionsAsOf('AAPL', T0)?.score).toBe(-0.2);
    expect(book.optionsAsOf('AAPL', T0 + 90 * MIN)?.score).toBe(0.3);
    expect(book.optionsAsOf('AAPL', T0 + 2 * HOUR + 24 * HOUR)?.score).toBe(0.9); // exactly 24 h: usable
    expect(book.optionsAsOf('AAPL', T0 + 2 * HOUR + 24 * HOUR + 1)).toBeUndefined(); // a day old: stale
    expect(book.optionsAsOf('MSFT', T0 + HOUR)).toBeUndefined();
    expect(book.symbols().options).toEqual(['AAPL']);
  });

  it('a stale latest reading is not replaced by an older one', () => {
    const book = bookOf([opt(0.5, T0), opt(-0.5, T0 + HOUR)]);
    // at T0 + 25 h 30 min the latest (T0 + 1 h) is 24.5 h old: none, rather than the even older one
    expect(book.optionsAsOf('AAPL', T0 + 25 * HOUR + 30 * MIN)).toBeUndefined();
  });
});

describe('confluence operator with several sentiment sources', () => {
  it(
    'scores a signal with the aggregate as of its time; a later reading does not change an earlier signal’s score',
    marbles((m) => {
      const early = signal({ ts: T0 });
      const late = signal({ ts: T0 + 6 * HOUR });
      const input = m.cold('a-b-c-s-d-s-t|', {
        a: sent('stocktwits', 0.6, T0),
        b: sent('reddit', 0.2, T0),
        c: sent('news', -0.4, T0 - 6 * HOUR),
        s: early,
        d: sent('stocktwits', -1, T0 + 6 * HOUR),
        t: late,
      });
      const sentimentUsed = input.pipe(
        confluence(W, new ConfluenceBook(UNIFORM)),
        map((s) => {
          const c = s.confluence.components[1];
          return `${Math.round((c?.score ?? Number.NaN) * 1e6) / 1e6} ${c?.explanation.match(/from \d+ sources/)?.[0] ?? ''}`;
        }),
      );
      // At T0: say stocktwits 1, reddit 1, news 0.5 (one half-life old); total 2.5
      //   score = (0.6 + 0.2 + 0.5 x -0.4) / 2.5 = 0.6 / 2.5 = 0.24
      // At T0 + 6 h: stocktwits = (0.5 x 0.6 + 1 x -1) / 1.5 = -7/15, say 1 (fresh reading);
      //   reddit 0.2, say 0.5; news -0.4, say 0.25; total 1.75
      //   score = (-7/15 + 0.1 - 0.1) / 1.75 = -4/15
      m.expect(sentimentUsed).toBeObservable('------x---x-y|', {
        x: '0.24 from 3 sources',
        y: `${Math.round((-4 / 15) * 1e6) / 1e6} from 3 sources`,
      });
    }),
  );
});
