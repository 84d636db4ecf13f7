import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../../engine/messages/market.js';
import type { Signal } from '../../../engine/messages/signal.js';
import type { LevelBasedConfig } from '../../../engine/strategies/level-based.config.js';
import { levelBasedStrategy } from '../../../engine/strategies/level-based.strategy.js';
import { config, type Position } from './level-based-fixtures.js';

const configArb: fc.Arbitrary<LevelBasedConfig> = fc
  .record({
    lookback: fc.integer({ min: 5, max: 30 }),
    cluster_tolerance: fc.constantFrom(0.001, 0.002, 0.005),
    min_touches: fc.integer({ min: 1, max: 3 }),
    proximity: fc.constantFrom(0.001, 0.003, 0.01),
    volume_confirmation: fc.boolean(),
    volume_period: fc.integer({ min: 1, max: 30 }),
    stop_buffer_pct: fc.constantFrom(0.001, 0.005, 0.02),
    levels: fc.array(
      fc.integer({ min: 9_000, max: 11_000 }).map((c) => c / 100),
      { maxLength: 3 },
    ),
    fixed_level_strength: fc.constantFrom(0, 0.5, 1),
    allow_short: fc.boolean(),
  })
  .map((input) => config(input));

/** A random walk on a 0.05 grid (so pivots repeat and group) with highs and lows around it. */
const barsArb: fc.Arbitrary<Bar[]> = fc
  .array(
    fc.record({
      step: fc.integer({ min: -8, max: 8 }),
      up: fc.integer({ min: 0, max: 4 }),
      down: fc.integer({ min: 0, max: 4 }),
      volume: fc.integer({ min: 0, max: 3_000 }),
    }),
    { minLength: 1, maxLength: 120, size: 'max' },
  )
  .map((steps) => {
    let ticks = 2_000;
    return steps.map(({ step, up, down, volume }, i): Bar => {
      ticks = Math.max(1_800, Math.min(2_200, ticks + step));
      const close = ticks / 20;
      return {
        kind: 'bar',
        symbol: 'AAPL',
        ts: i * 300_000,
        timeframe: '5m',
        open: close,
        high: (ticks + up) / 20,
        low: (ticks - down) / 20,
        close,
        volume,
      };
    });
  });

const positionArb: fc.Arbitrary<Position | undefined> = fc.option(
  fc.record({
    quantity: fc.constantFrom(-10, 10),
    avgPrice: fc.double({ min: 90, max: 110, noNaN: true }),
    strategyId: fc.constant('level_based_AAPL'),
    stopLoss: fc.option(fc.double({ min: 85, max: 115, noNaN: true }), { nil: null }),
    takeProfit: fc.option(fc.double({ min: 85, max: 115, noNaN: true }), { nil: null }),
  }),
  { nil: undefined },
);

const sentimentArb = fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined });

interface Step {
  readonly explained: Signal | undefined;
  readonly quiet: Signal | undefined;
}

function run(
  bars: readonly Bar[],
  cfg: LevelBasedConfig,
  position: Position | undefined,
  sentiment: number | undefined,
): Step[] {
  const state = levelBasedStrategy.init(cfg);
  return bars.map((bar) => {
    levelBasedStrategy.onBar(state, bar, cfg);
    const ctx = { strategyId: 'level_based_AAPL', ts: bar.ts, position, sentiment };
    return {
      explained: levelBasedStrategy.evaluate(state, cfg, { ...ctx, explain: true }),
      quiet: levelBasedStrategy.evaluate(state, cfg, { ...ctx, explain: false }),
    };
  });
}

/** How often each outcome came up over all runs, so the properties are known not to hold vacuously. */
const seen = { buy: 0, sell: 0, exit: 0 };

describe('level_based properties', () => {
  afterAll(() => {
    expect(seen.buy).toBeGreaterThan(0);
    expect(seen.sell).toBeGreaterThan(0);
    expect(seen.exit).toBeGreaterThan(0);
  });

  it('HOLD only before warm-up; explain=false is undefined exactly for HOLDs, else the same signal', () => {
    fc.assert(
      fc.property(barsArb, configArb, positionArb, sentimentArb, (bars, cfg, position, sentiment) => {
        const warmup = levelBasedStrategy.warmupBars(cfg);
        run(bars, cfg, position, sentiment).forEach(({ explained, quiet }, i) => {
          expect(explained).toBeDefined();
          if (i + 1 < warmup) expect(explained?.reason).toBe('warming_up');
          if (explained?.side === 'HOLD') {
            expect(explained.action).toBe('none');
            expect(quiet).toBeUndefined();
          } else {
            expect(explained?.action).not.toBe('none');
            expect(quiet).toEqual(explained);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('confidence within 0..1; every number finite; entries have stop and target on the right sides', () => {
    fc.assert(
      fc.property(barsArb, configArb, positionArb, sentimentArb, (bars, cfg, position, sentiment) => {
        for (const { explained: signal } of run(bars, cfg, position, sentiment)) {
          if (signal === undefined) throw new Error('explained evaluation returned undefined');
          expect(signal.confidence).toBeGreaterThanOrEqual(0);
          expect(signal.confidence).toBeLessThanOrEqual(1);
          for (const value of [signal.price, signal.stopLoss, signal.takeProfit, ...Object.values(signal.indicators)]) {
            expect(Number.isFinite(value)).toBe(true);
          }
          if (signal.action === 'enter') {
            expect(position).toBeUndefined();
            if (signal.side === 'BUY') {
              seen.buy++;
              expect(signal.stopLoss).toBeLessThan(signal.entry);
              expect(signal.takeProfit).toBeGreaterThan(signal.entry);
            } else {
              seen.sell++;
              expect(cfg.allow_short).toBe(true);
              expect(signal.stopLoss).toBeGreaterThan(signal.entry);
              expect(signal.takeProfit).toBeLessThan(signal.entry);
            }
            expect(signal.confidence).toBeGreaterThanOrEqual(0.5);
          }
          if (signal.action === 'exit') {
            seen.exit++;
            expect(signal.side).toBe((position?.quantity ?? 0) > 0 ? 'SELL' : 'BUY');
            expect(signal.exitReason).toBeDefined();
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: identical input gives identical signals', () => {
    fc.assert(
      fc.property(barsArb, configArb, positionArb, sentimentArb, (bars, cfg, position, sentiment) => {
        expect(run(bars, cfg, position, sentiment)).toEqual(run(bars, cfg, position, sentiment));
      }),
      { numRuns: 100 },
    );
  });
});
