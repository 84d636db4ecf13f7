import { describe, expect, it } from 'vitest';
import { MinuteBarBuilder, type FiveSecondBar } from '../../../adapters/ibkr/minute-bar-builder.js';

const M = 60_000;
const five = (secondsFromStart: number, close: number, volume = 10): FiveSecondBar => ({
  ts: 10 * M + secondsFromStart * 1000,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume,
});

describe('MinuteBarBuilder', () => {
  it('emits a minute when its :55 bar arrives, with OHLCV of the twelve 5-second bars', () => {
    const b = new MinuteBarBuilder('AAPL');
    const out = Array.from({ length: 12 }, (_, i) => b.push(five(i * 5, 100 + i))).flat();
    expect(out).toEqual([
      {
        kind: 'bar',
        symbol: 'AAPL',
        ts: 10 * M,
        timeframe: '1m',
        open: 100,
        high: 112,
        low: 99,
        close: 111,
        volume: 120,
      },
    ]);
  });

  it('emits an incomplete minute when a later minute starts (gap)', () => {
    const b = new MinuteBarBuilder('AAPL');
    expect(b.push(five(0, 100))).toEqual([]);
    expect(b.push(five(5, 101))).toEqual([]);
    const out = b.push(five(70, 105));
    expect(out.map((x) => [x.ts, x.close, x.volume])).toEqual([[10 * M, 101, 20]]);
  });

  it('ignores bars older than the minute being built and minutes covered by warm-up history', () => {
    const b = new MinuteBarBuilder('AAPL');
    b.skipUntil(10 * M);
    expect(b.push(five(55, 100))).toEqual([]);
    b.push(five(60, 100));
    expect(b.push(five(30, 99))).toEqual([]);
    expect(b.push(five(115, 101)).map((x) => x.ts)).toEqual([11 * M]);
  });

  it('forgets a partial minute on reset', () => {
    const b = new MinuteBarBuilder('AAPL');
    b.push(five(0, 100, 50));
    b.reset();
    expect(b.push(five(55, 102, 5)).map((x) => [x.open, x.volume])).toEqual([[102, 5]]);
  });
});
