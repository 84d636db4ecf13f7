import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MomentumConfigSchema } from '../../../engine/strategies/momentum.config.js';
import {
  confidenceOf,
  scoreMomentum,
  setupOf,
  type MomentumReading,
} from '../../../engine/strategies/momentum-score.js';

const config = MomentumConfigSchema.parse({ symbol: 'AAPL' });
const neutral: MomentumReading = {
  close: 100,
  rsi: 50,
  macd: 0,
  signal: 0,
  histogram: 0,
  previousHistogram: 0,
  roc: 0,
  volumeRatio: 1,
};
const read = (r: Partial<MomentumReading>): MomentumReading => ({ ...neutral, ...r });
const macdUpRising = { macd: 1, signal: 0.5, histogram: 0.5, previousHistogram: 0.4 };
const macdUpFlat = { macd: 1, signal: 0.5, histogram: 0.5, previousHistogram: 0.6 };
const macdDownFalling = { macd: -1, signal: -0.5, histogram: -0.5, previousHistogram: -0.4 };
const macdDownFlat = { macd: -1, signal: -0.5, histogram: -0.5, previousHistogram: -0.6 };

describe('momentum point table (SPEC section 3)', () => {
  it.each([
    // name, reading, bull tenths, bull conditions, bear tenths, bear conditions, setup
    ['neutral', {}, 0, 0, 0, 0, undefined],
    ['RSI 70 alone', { rsi: 70 }, 3, 1, 0, 0, undefined],
    ['RSI bounds are exclusive (65)', { rsi: 65, ...macdUpRising }, 3, 1, 0, 0, undefined],
    ['RSI bounds are exclusive (85)', { rsi: 85, ...macdUpRising }, 3, 1, 0, 0, undefined],
    ['RSI + MACD rising', { rsi: 70, ...macdUpRising }, 6, 2, 0, 0, 'BUY'],
    ['RSI + MACD not rising', { rsi: 70, ...macdUpFlat }, 5, 2, 0, 0, 'BUY'],
    ['MACD rising + ROC 2.5 %', { ...macdUpRising, roc: 0.025 }, 5, 2, 0, 0, 'BUY'],
    ['MACD + ROC exactly 2 % (weak)', { ...macdUpFlat, roc: 0.02 }, 3, 2, 0, 0, 'BUY'],
    ['all bullish', { rsi: 70, ...macdUpRising, roc: 0.03 }, 8, 3, 0, 0, 'BUY'],
    ['bear RSI + MACD falling', { rsi: 30, ...macdDownFalling }, 0, 0, 6, 2, 'SELL'],
    ['bear MACD + ROC -3 %', { ...macdDownFlat, roc: -0.03 }, 0, 0, 4, 2, 'SELL'],
    ['all bearish', { rsi: 20, ...macdDownFalling, roc: -0.05 }, 0, 0, 8, 3, 'SELL'],
    ['RSI 15 and 35 are outside the bear band', { rsi: 35, ...macdDownFalling }, 0, 0, 3, 1, undefined],
    // 0.2 + 0.1 vs 0.3: a tie, not a BUY (floating point would say 0.30000000000000004 > 0.3).
    ['bull MACD + weak ROC ties bear RSI', { rsi: 30, ...macdUpFlat, roc: 0.01 }, 3, 2, 3, 1, undefined],
    ['volume bonus goes to the leading side', { rsi: 70, ...macdUpRising, volumeRatio: 1.2 }, 8, 2, 0, 0, 'BUY'],
    ['volume bonus below threshold', { rsi: 70, ...macdUpRising, volumeRatio: 1.19 }, 6, 2, 0, 0, 'BUY'],
    ['volume bonus never on a tie', { rsi: 30, ...macdUpFlat, roc: 0.01, volumeRatio: 5 }, 3, 2, 3, 1, undefined],
    ['volume bonus is not a condition', { rsi: 70, volumeRatio: 3 }, 5, 1, 0, 0, undefined],
    [
      'volume bonus can tip a contested side',
      { rsi: 30, ...macdUpRising, roc: 0.01, volumeRatio: 2 },
      6,
      2,
      3,
      1,
      'BUY',
    ],
  ] as const)('%s', (_name, reading, bullTenths, bullConditions, bearTenths, bearConditions, setup) => {
    const score = scoreMomentum(read(reading), config);
    expect(score.bullTenths).toBe(bullTenths);
    expect(score.bull.conditions).toBe(bullConditions);
    expect(score.bearTenths).toBe(bearTenths);
    expect(score.bear.conditions).toBe(bearConditions);
    expect(score.setup).toBe(setup);
  });

  it.each([
    [0, 0.5],
    [4, 0.7],
    [6, 0.8],
    [8, 0.9],
    [9, 0.95],
    [10, 0.95],
  ])('confidence of %i tenths is %f (capped at 0.95)', (tenths, confidence) => {
    expect(confidenceOf(tenths)).toBe(confidence);
  });

  it('uses the configured volume threshold', () => {
    const strict = MomentumConfigSchema.parse({ symbol: 'AAPL', volume_ratio_threshold: 2 });
    expect(scoreMomentum(read({ rsi: 70, ...macdUpRising, volumeRatio: 1.5 }), strict).bullTenths).toBe(6);
    expect(scoreMomentum(read({ rsi: 70, ...macdUpRising, volumeRatio: 2 }), strict).bullTenths).toBe(8);
  });
});

describe('setupOf (the hot path allocation-free first look)', () => {
  // Values cluster on the table's edges (RSI 15/35/65/85, ROC 0/±0.02, equal MACD lines) so ties
  // and exclusive bounds are exercised, not only the easy middle.
  const edgy = (edges: readonly number[], min: number, max: number): fc.Arbitrary<number> =>
    fc.oneof(fc.constantFrom(...edges), fc.double({ min, max, noNaN: true }));
  const readingArb: fc.Arbitrary<MomentumReading> = fc.record({
    close: fc.constant(100),
    rsi: edgy([15, 35, 50, 65, 85], 0, 100),
    macd: edgy([-1, 0, 1], -2, 2),
    signal: edgy([-1, 0, 1], -2, 2),
    histogram: edgy([-0.5, 0, 0.5], -1, 1),
    previousHistogram: edgy([-0.5, 0, 0.5], -1, 1),
    roc: edgy([-0.02, 0, 0.02], -0.1, 0.1),
    volumeRatio: edgy([0, 1, 1.5, 2], 0, 4),
  });

  it('always agrees with scoreMomentum(...).setup', () => {
    fc.assert(
      fc.property(readingArb, fc.constantFrom(1, 1.5, 2), (r, threshold) => {
        const cfg = MomentumConfigSchema.parse({ symbol: 'AAPL', volume_ratio_threshold: threshold });
        expect(setupOf(r, cfg)).toBe(scoreMomentum(r, cfg).setup);
      }),
      { numRuns: 2000 },
    );
  });
});
