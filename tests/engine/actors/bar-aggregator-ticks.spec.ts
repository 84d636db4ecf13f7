import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  aggregateTick,
  closeDueBucket,
  createAggregator,
  flushAggregator,
  type BarAggregatorState,
} from '../../../engine/actors/bar-aggregator.js';
import { TIMEFRAME_MS, type Bar, type Tick, type Timeframe } from '../../../engine/messages/market.js';

const SEC = 1_000;
const MIN = 60_000;
const OPEN = Date.UTC(2024, 5, 3, 13, 30); // 09:30 New York (EDT)

function tick(ms: number, price: number, size = 100, symbol = 'AAPL'): Tick {
  return { kind: 'tick', symbol, ts: OPEN + ms, price, size };
}

function feedTicks(state: BarAggregatorState, ticks: readonly Tick[]): Bar[] {
  return ticks.flatMap((t) => [...aggregateTick(state, t)]);
}

describe('bars from ticks', () => {
  it('builds a bar: open first price, high/low extremes, close last price, volume summed size', () => {
    const state = createAggregator('AAPL', '1m');
    const ticks = [tick(0, 10, 5), tick(1 * SEC, 10.4, 7), tick(20 * SEC, 9.8, 1), tick(59_999, 10.1, 12)];
    expect(feedTicks(state, ticks)).toEqual([]);
    expect(aggregateTick(state, tick(MIN, 10.2, 3))).toEqual([
      {
        kind: 'bar',
        symbol: 'AAPL',
        ts: OPEN,
        timeframe: '1m',
        open: 10,
        high: 10.4,
        low: 9.8,
        close: 10.1,
        volume: 25,
      },
    ]);
    expect(flushAggregator(state)).toEqual({
      kind: 'bar',
      symbol: 'AAPL',
      ts: OPEN + MIN,
      timeframe: '1m',
      open: 10.2,
      high: 10.2,
      low: 10.2,
      close: 10.2,
      volume: 3,
    });
  });

  it('returns one shared empty array when nothing completes (no allocation per tick)', () => {
    const state = createAggregator('AAPL', '5m');
    const first = aggregateTick(state, tick(0, 100));
    expect(first).toHaveLength(0);
    expect(aggregateTick(state, tick(SEC, 101))).toBe(first);
    expect(aggregateTick(state, tick(SEC, 101, 1, 'MSFT'))).toBe(first);
  });

  it('takes several trades in the same millisecond, in arrival order', () => {
    const state = createAggregator('AAPL', '1m');
    feedTicks(state, [tick(5, 100, 1), tick(5, 102, 2), tick(5, 99, 3), tick(5, 101, 4)]);
    expect(flushAggregator(state)).toMatchObject({ open: 100, high: 102, low: 99, close: 101, volume: 10 });
  });

  it('a tick in a later bucket completes the open one; empty buckets produce no bar', () => {
    const state = createAggregator('AAPL', '5m');
    feedTicks(state, [tick(0, 100), tick(4 * MIN, 101)]);
    expect(aggregateTick(state, tick(17 * MIN, 105, 7))).toEqual([
      expect.objectContaining({ ts: OPEN, timeframe: '5m', open: 100, close: 101, volume: 200 }),
    ]);
    expect(flushAggregator(state)).toMatchObject({ ts: OPEN + 15 * MIN, open: 105, close: 105, volume: 7 });
  });

  it('a tick exactly at the bucket end opens the next bucket', () => {
    const state = createAggregator('AAPL', '5m');
    aggregateTick(state, tick(0, 100));
    expect(aggregateTick(state, tick(5 * MIN, 101))).toEqual([expect.objectContaining({ ts: OPEN, close: 100 })]);
  });

  it.each([
    ['another symbol', tick(3 * SEC, 50, 100, 'MSFT')],
    ['a tick older than the last one taken', tick(SEC, 50)],
    ['a tick older than the current bucket', tick(-10 * MIN, 50)],
    ['a NaN price', tick(3 * SEC, Number.NaN)],
    ['an infinite price', tick(3 * SEC, Number.POSITIVE_INFINITY)],
    ['a zero price', tick(3 * SEC, 0)],
    ['a negative price', tick(3 * SEC, -1)],
    ['a negative size', tick(3 * SEC, 50, -1)],
    ['a NaN size', tick(3 * SEC, 50, Number.NaN)],
    ['an infinite size', tick(3 * SEC, 50, Number.POSITIVE_INFINITY)],
    ['a NaN timestamp', { ...tick(0, 50), ts: Number.NaN }],
  ])('ignores %s', (_name, input) => {
    const state = createAggregator('AAPL', '1m');
    feedTicks(state, [tick(0, 100), tick(2 * SEC, 102)]);
    expect(aggregateTick(state, input)).toHaveLength(0);
    feedTicks(state, [tick(4 * SEC, 101)]);
    expect(flushAggregator(state)).toMatchObject({ ts: OPEN, open: 100, high: 102, low: 100, close: 101, volume: 300 });
  });

  it('a zero-size print moves the price but adds no volume', () => {
    const state = createAggregator('AAPL', '1m');
    feedTicks(state, [tick(0, 100, 10), tick(SEC, 103, 0)]);
    expect(flushAggregator(state)).toMatchObject({ high: 103, close: 103, volume: 10 });
  });

  it('ignores a late tick of a bucket already closed by event time', () => {
    const state = createAggregator('AAPL', '5m');
    feedTicks(state, [tick(0, 100), tick(MIN, 101)]);
    expect(closeDueBucket(state, OPEN + 5 * MIN - 1)).toBeUndefined();
    expect(closeDueBucket(state, OPEN + 5 * MIN)).toMatchObject({ ts: OPEN, close: 101, volume: 200 });
    // Newer than the last tick taken, but inside the emitted bucket.
    expect(aggregateTick(state, tick(4 * MIN, 99))).toHaveLength(0);
    expect(flushAggregator(state)).toBeUndefined();
    expect(aggregateTick(state, tick(5 * MIN, 98))).toHaveLength(0);
    expect(flushAggregator(state)).toMatchObject({ ts: OPEN + 5 * MIN, open: 98 });
  });

  it.each([
    ['15m buckets align with the :30 open', '15m', OPEN, OPEN + 15 * MIN - 1],
    ['1h buckets are clock hours', '1h', Date.UTC(2024, 5, 3, 13, 0), Date.UTC(2024, 5, 3, 14, 0) - 1],
    ['1d buckets are UTC days', '1d', Date.UTC(2024, 5, 3), Date.UTC(2024, 5, 4) - 1],
  ] as const)('%s', (_name, tf, bucketTs, lastMs) => {
    const state = createAggregator('AAPL', tf);
    feedTicks(state, [tick(0, 100), { ...tick(0, 101), ts: lastMs }]);
    expect(aggregateTick(state, { ...tick(0, 102), ts: lastMs + 1 })).toEqual([
      expect.objectContaining({ ts: bucketTs, timeframe: tf, open: 100, close: 101, volume: 200 }),
    ]);
  });
});

/*
 * Properties: for random tick streams (trades sharing milliseconds, quiet gaps of minutes to days, late
 * and out-of-order ticks, other symbols and invalid prints mixed in), building bars of a timeframe from
 * ticks directly equals building 1m bars from the ticks and then the timeframe from those 1m bars, and
 * both equal a naive grouping computed here. Sizes are whole shares, so volume sums are exact in any
 * order and the bar lists can be compared exactly.
 */

type TickKind = 'trade' | 'late' | 'other symbol' | 'bad price' | 'bad size';

const stepArb = fc.record({
  kind: fc.constantFrom<TickKind>(
    'trade',
    'trade',
    'trade',
    'trade',
    'trade',
    'trade',
    'late',
    'other symbol',
    'bad price',
    'bad size',
  ),
  dt: fc.oneof(
    { arbitrary: fc.constant(0), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: 20 * SEC }), weight: 6 },
    { arbitrary: fc.integer({ min: 1, max: 20 * MIN }), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: 30 * 60 * MIN }), weight: 1 },
  ),
  lateBy: fc.integer({ min: 1, max: 10 * MIN }),
  ret: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  size: fc.integer({ min: 0, max: 1_000 }),
  bad: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -5),
});

const ticksArb = fc
  .tuple(fc.integer({ min: 0, max: 86_400_000 }), fc.array(stepArb, { minLength: 1, maxLength: 400, size: 'max' }))
  .map(([start, steps]) => {
    let ts = Date.UTC(2024, 5, 3) + start;
    let price = 100;
    return steps.map(({ kind, dt, lateBy, ret, size, bad }): Tick => {
      if (kind === 'late') return { kind: 'tick', symbol: 'AAPL', ts: ts - lateBy, price: price * 1.5, size };
      ts += dt;
      if (kind === 'other symbol') return { kind: 'tick', symbol: 'MSFT', ts, price: price * 2, size };
      if (kind === 'bad price') return { kind: 'tick', symbol: 'AAPL', ts, price: bad, size };
      if (kind === 'bad size') return { kind: 'tick', symbol: 'AAPL', ts, price, size: bad === 0 ? -1 : bad };
      price *= 1 + ret;
      return { kind: 'tick', symbol: 'AAPL', ts, price, size };
    });
  });

function ticksToBars(ticks: readonly Tick[], tf: Timeframe): Bar[] {
  const state = createAggregator('AAPL', tf);
  const out = feedTicks(state, ticks);
  const rest = flushAggregator(state);
  return rest === undefined ? out : [...out, rest];
}

function barsToBars(bars: readonly Bar[], tf: Timeframe): Bar[] {
  const state = createAggregator('AAPL', tf);
  const out = bars.flatMap((b) => [...aggregate(state, b)]);
  const rest = flushAggregator(state);
  return rest === undefined ? out : [...out, rest];
}

/** The reference: keep valid AAPL trades not older than the last kept one, group them by bucket. */
function naiveBars(ticks: readonly Tick[], tf: Timeframe): Bar[] {
  const ms = TIMEFRAME_MS[tf];
  const out: Bar[] = [];
  let lastTs = Number.NEGATIVE_INFINITY;
  for (const t of ticks) {
    const valid =
      t.symbol === 'AAPL' && Number.isFinite(t.price) && t.price > 0 && Number.isFinite(t.size) && t.size >= 0;
    if (!valid || t.ts < lastTs) continue;
    lastTs = t.ts;
    const ts = Math.floor(t.ts / ms) * ms;
    const current = out.at(-1);
    if (current?.ts === ts) {
      out[out.length - 1] = {
        ...current,
        high: Math.max(current.high, t.price),
        low: Math.min(current.low, t.price),
        close: t.price,
        volume: current.volume + t.size,
      };
    } else {
      out.push({
        kind: 'bar',
        symbol: 'AAPL',
        ts,
        timeframe: tf,
        open: t.price,
        high: t.price,
        low: t.price,
        close: t.price,
        volume: t.size,
      });
    }
  }
  return out;
}

describe('bars from ticks, properties', () => {
  it('1m bars from ticks equal the naive grouping', () => {
    const seen = { late: 0, invalid: 0, sameMs: 0 };
    fc.assert(
      fc.property(ticksArb, (ticks) => {
        expect(ticksToBars(ticks, '1m')).toEqual(naiveBars(ticks, '1m'));
        let newest = Number.NEGATIVE_INFINITY;
        for (const t of ticks) {
          if (t.symbol !== 'AAPL') continue;
          if (!(t.price > 0 && Number.isFinite(t.price) && t.size >= 0 && Number.isFinite(t.size))) seen.invalid++;
          else if (t.ts < newest) seen.late++;
          else if (t.ts === newest) seen.sameMs++;
          newest = Math.max(newest, t.ts);
        }
      }),
      { numRuns: 300 },
    );
    // The streams must contain what the aggregator has to handle, otherwise the comparison proves little.
    expect(seen.late).toBeGreaterThan(100);
    expect(seen.invalid).toBeGreaterThan(100);
    expect(seen.sameMs).toBeGreaterThan(100);
  });

  it.each(['5m', '15m', '1h', '1d'] as const)(
    '%s bars: from ticks directly = via 1m bars from the ticks = the naive grouping',
    (tf) => {
      let multiBarRuns = 0;
      fc.assert(
        fc.property(ticksArb, (ticks) => {
          const direct = ticksToBars(ticks, tf);
          const viaMinutes = barsToBars(ticksToBars(ticks, '1m'), tf);
          expect(direct).toEqual(viaMinutes);
          expect(direct).toEqual(naiveBars(ticks, tf));
          if (direct.length > 1) multiBarRuns++;
        }),
        { numRuns: 200 },
      );
      // The streams must actually span several buckets, otherwise the comparison proves little.
      expect(multiBarRuns).toBeGreaterThan(50);
    },
  );
});
