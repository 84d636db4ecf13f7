import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  closeDueBucket,
  createAggregator,
  flushAggregator,
  type BarAggregatorState,
} from '../../../engine/actors/bar-aggregator.js';
import { TIMEFRAME_MS, type Bar, type Timeframe } from '../../../engine/messages/market.js';
import type { MomentumConfig } from '../../../engine/strategies/momentum.config.js';
import { momentumStrategy } from '../../../engine/strategies/momentum.strategy.js';

const MIN = 60_000;
const OPEN = Date.UTC(2024, 5, 3, 13, 30); // 09:30 New York (EDT)

function bar(minute: number, o: number, h: number, l: number, c: number, v: number, tf: Timeframe = '1m'): Bar {
  return {
    kind: 'bar',
    symbol: 'AAPL',
    ts: OPEN + minute * MIN,
    timeframe: tf,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: v,
  };
}
const flatBar = (minute: number, price = 100, volume = 10): Bar => bar(minute, price, price, price, price, volume);

function feedAll(state: BarAggregatorState, bars: readonly Bar[]): Bar[] {
  return bars.flatMap((b) => [...aggregate(state, b)]);
}

describe('bar aggregator', () => {
  it('builds a 5m bar from five 1m bars: open first, close last, extremes, summed volume', () => {
    const state = createAggregator('AAPL', '5m');
    const inputs = [
      bar(0, 10, 11, 9.5, 10.5, 100),
      bar(1, 10.5, 12, 10.4, 11.8, 200),
      bar(2, 11.8, 11.9, 9.1, 9.4, 300),
      bar(3, 9.4, 10, 9.3, 9.9, 400),
    ];
    for (const input of inputs) expect(aggregate(state, input)).toHaveLength(0);
    expect(aggregate(state, bar(4, 9.9, 10.2, 9.8, 10.1, 500))).toEqual([
      {
        kind: 'bar',
        symbol: 'AAPL',
        ts: OPEN,
        timeframe: '5m',
        open: 10,
        high: 12,
        low: 9.1,
        close: 10.1,
        volume: 1500,
      },
    ]);
  });

  it('returns one shared empty array when nothing completes (no allocation per input)', () => {
    const state = createAggregator('AAPL', '5m');
    expect(aggregate(state, flatBar(0))).toBe(aggregate(state, flatBar(1)));
  });

  it('emits an unfinished bucket when a bar of a later bucket arrives, then starts the new one', () => {
    const state = createAggregator('AAPL', '5m');
    feedAll(state, [flatBar(0, 100), flatBar(1, 101)]);
    const out = aggregate(state, flatBar(7, 105, 5));
    expect(out).toEqual([expect.objectContaining({ ts: OPEN, open: 100, close: 101, volume: 20 })]);
    expect(feedAll(state, [flatBar(8, 106), flatBar(9, 104)])).toEqual([
      expect.objectContaining({ ts: OPEN + 5 * MIN, open: 105, high: 106, low: 104, close: 104, volume: 25 }),
    ]);
  });

  it('returns both bars when the input closes the old bucket and completes the new one', () => {
    const state = createAggregator('AAPL', '5m');
    aggregate(state, flatBar(0, 100));
    expect(aggregate(state, flatBar(9, 103)).map((b) => [b.ts, b.close])).toEqual([
      [OPEN, 100],
      [OPEN + 5 * MIN, 103],
    ]);
  });

  it('passes bars of its own timeframe through unchanged', () => {
    const state = createAggregator('AAPL', '5m');
    const five = bar(0, 1, 2, 0.5, 1.5, 10, '5m');
    expect(aggregate(state, five)[0]).toBe(five);
  });

  it('builds 15m from 5m bars', () => {
    const state = createAggregator('AAPL', '15m');
    const fives = [0, 5, 10].map((m, i) => bar(m, 10 + i, 11 + i, 9 + i, 10.5 + i, 100, '5m'));
    expect(feedAll(state, fives)).toEqual([
      { kind: 'bar', symbol: 'AAPL', ts: OPEN, timeframe: '15m', open: 10, high: 13, low: 9, close: 12.5, volume: 300 },
    ]);
  });

  it.each([
    ['another symbol', { ...flatBar(1), symbol: 'MSFT' }],
    ['a coarser timeframe', bar(0, 1, 1, 1, 1, 1, '15m')],
    ['a duplicate', flatBar(2)],
    ['an out-of-order bar', flatBar(1)],
    ['a bar older than the current bucket', bar(-10, 50, 50, 50, 50, 1)],
  ])('ignores %s', (_name, input) => {
    const state = createAggregator('AAPL', '5m');
    feedAll(state, [flatBar(0, 100), flatBar(2, 102)]);
    expect(aggregate(state, input)).toHaveLength(0);
    expect(feedAll(state, [flatBar(3, 103), flatBar(4, 104)])).toEqual([
      expect.objectContaining({ ts: OPEN, open: 100, close: 104, high: 104, low: 100, volume: 40 }),
    ]);
  });

  it('ignores a late bar of a bucket already emitted', () => {
    const state = createAggregator('AAPL', '5m');
    feedAll(state, [flatBar(0), flatBar(1)]);
    expect(closeDueBucket(state, OPEN + 5 * MIN)).toMatchObject({ ts: OPEN, volume: 20 });
    expect(aggregate(state, flatBar(4))).toHaveLength(0);
    expect(flushAggregator(state)).toBeUndefined();
  });

  it.each([
    ['1h buckets are clock hours', '1h', Date.UTC(2024, 5, 3, 13, 0), Date.UTC(2024, 5, 3, 13, 59)],
    ['1d buckets are UTC days and hold the whole NY session', '1d', Date.UTC(2024, 5, 3), Date.UTC(2024, 5, 3, 23, 59)],
    ['15m buckets align with the :30 open', '15m', OPEN, OPEN + 14 * MIN],
  ] as const)('%s', (_name, tf, bucketTs, lastMinuteTs) => {
    const state = createAggregator('AAPL', tf);
    expect(aggregate(state, flatBar(0))).toHaveLength(0);
    const out = aggregate(state, { ...flatBar(0, 101), ts: lastMinuteTs });
    expect(out).toEqual([expect.objectContaining({ ts: bucketTs, timeframe: tf, open: 100, close: 101, volume: 20 })]);
  });

  it('closeDueBucket emits only once event time reaches the bucket end', () => {
    const state = createAggregator('AAPL', '5m');
    feedAll(state, [flatBar(0), flatBar(1)]);
    expect(closeDueBucket(state, OPEN + 5 * MIN - 1)).toBeUndefined();
    expect(closeDueBucket(state, OPEN + 5 * MIN)).toMatchObject({ ts: OPEN, timeframe: '5m' });
    expect(closeDueBucket(state, OPEN + 10 * MIN)).toBeUndefined();
  });

  it('flushAggregator emits the open bucket however incomplete', () => {
    const state = createAggregator('AAPL', '5m');
    expect(flushAggregator(state)).toBeUndefined();
    aggregate(state, flatBar(3, 99));
    expect(flushAggregator(state)).toMatchObject({ ts: OPEN, open: 99, close: 99 });
    expect(flushAggregator(state)).toBeUndefined();
  });
});

/** The reference: group 1m bars by bucket directly. */
function groupDirectly(bars: readonly Bar[], tf: Timeframe): Bar[] {
  const ms = TIMEFRAME_MS[tf];
  const out: Bar[] = [];
  for (const b of bars) {
    const ts = Math.floor(b.ts / ms) * ms;
    const current = out.at(-1);
    if (current?.ts === ts) {
      out[out.length - 1] = {
        ...current,
        high: Math.max(current.high, b.high),
        low: Math.min(current.low, b.low),
        close: b.close,
        volume: current.volume + b.volume,
      };
    } else {
      out.push({ ...b, ts, timeframe: tf });
    }
  }
  return out;
}

/** 1m bars with random gaps (missing minutes) and random prices, in event-time order. */
const minuteBarsArb = fc
  .array(
    fc.record({
      gap: fc.oneof(fc.constant(1), fc.constant(1), fc.constant(1), fc.integer({ min: 2, max: 12 })),
      ret: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
      wick: fc.double({ min: 0, max: 0.005, noNaN: true }),
      volume: fc.integer({ min: 0, max: 5_000 }),
    }),
    { minLength: 1, maxLength: 600, size: 'max' },
  )
  .map((steps) => {
    let minute = -1;
    let close = 100;
    return steps.map(({ gap, ret, wick, volume }) => {
      minute += gap;
      const open = close;
      close = open * (1 + ret);
      return bar(minute, open, Math.max(open, close) * (1 + wick), Math.min(open, close) * (1 - wick), close, volume);
    });
  });

function aggregateAll(bars: readonly Bar[], tf: Timeframe): Bar[] {
  const state = createAggregator('AAPL', tf);
  const out = feedAll(state, bars);
  const rest = flushAggregator(state);
  return rest === undefined ? out : [...out, rest];
}

describe('bar aggregator properties', () => {
  it.each(['5m', '15m', '1h'] as const)('%s bars built from 1m bars equal bars grouped directly', (tf) => {
    fc.assert(
      fc.property(minuteBarsArb, (minutes) => {
        expect(aggregateAll(minutes, tf)).toEqual(groupDirectly(minutes, tf));
      }),
      { numRuns: 200 },
    );
  });

  it('momentum on aggregated 5m bars equals momentum on directly grouped 5m bars', () => {
    const config: MomentumConfig = momentumStrategy.configSchema.parse({
      symbol: 'AAPL',
      rsi_period: 5,
      macd_fast: 3,
      macd_slow: 8,
      macd_signal: 3,
      roc_period: 4,
      volume_period: 5,
      allow_short: true,
    });
    const signalsOf = (bars: readonly Bar[]) => {
      const state = momentumStrategy.init(config);
      return bars.map((b) => {
        momentumStrategy.onBar(state, b, config);
        return momentumStrategy.evaluate(state, config, {
          strategyId: 's',
          ts: b.ts,
          position: undefined,
          sentiment: undefined,
          explain: true,
        });
      });
    };
    let nonHold = 0;
    fc.assert(
      fc.property(minuteBarsArb, (minutes) => {
        const viaAggregator = signalsOf(aggregateAll(minutes, '5m'));
        expect(viaAggregator).toEqual(signalsOf(groupDirectly(minutes, '5m')));
        nonHold += viaAggregator.filter((s) => s !== undefined && s.side !== 'HOLD').length;
      }),
      { numRuns: 100 },
    );
    expect(nonHold).toBeGreaterThan(0);
  });
});
