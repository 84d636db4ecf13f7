import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../engine/messages/market.js';
import type { Signal } from '../../../engine/messages/signal.js';
import type { MomentumConfig } from '../../../engine/strategies/momentum.config.js';
import { momentumStrategy } from '../../../engine/strategies/momentum.strategy.js';
import type { StrategyContext } from '../../../engine/strategies/strategy.js';

type Position = NonNullable<StrategyContext['position']>;

const configArb: fc.Arbitrary<MomentumConfig> = fc
  .record({
    rsi_period: fc.integer({ min: 2, max: 20 }),
    macd_fast: fc.integer({ min: 1, max: 10 }),
    macd_gap: fc.integer({ min: 1, max: 20 }),
    macd_signal: fc.integer({ min: 1, max: 10 }),
    roc_period: fc.integer({ min: 1, max: 15 }),
    volume_period: fc.integer({ min: 1, max: 30 }),
    allow_short: fc.boolean(),
  })
  .map(({ macd_gap, ...rest }) =>
    momentumStrategy.configSchema.parse({ symbol: 'AAPL', ...rest, macd_slow: rest.macd_fast + macd_gap }),
  );

const barsArb: fc.Arbitrary<Bar[]> = fc
  .array(
    fc.record({
      ret: fc.double({ min: -0.04, max: 0.04, noNaN: true }),
      volume: fc.integer({ min: 0, max: 20_000 }),
    }),
    { minLength: 20, maxLength: 120, size: 'max' },
  )
  .map((steps) => {
    let close = 100;
    return steps.map(({ ret, volume }, i): Bar => {
      const open = close;
      close = open * (1 + ret);
      return {
        kind: 'bar',
        symbol: 'AAPL',
        ts: i * 300_000,
        timeframe: '5m',
        open,
        high: Math.max(open, close),
        low: Math.min(open, close),
        close,
        volume,
      };
    });
  });

const positionArb: fc.Arbitrary<Position | undefined> = fc.option(
  fc.record({
    quantity: fc.constantFrom(-10, 10),
    avgPrice: fc.double({ min: 70, max: 130, noNaN: true }),
    strategyId: fc.constant('momentum_AAPL'),
    stopLoss: fc.constant(null),
    takeProfit: fc.constant(null),
  }),
  { nil: undefined },
);

/** Every bar's decision, explained; also checks the hot path returns nothing exactly for a HOLD. */
function run(bars: readonly Bar[], config: MomentumConfig, position: Position | undefined): Signal[] {
  const state = momentumStrategy.init(config);
  return bars.map((bar) => {
    momentumStrategy.onBar(state, bar, config);
    const ctx = { strategyId: 's', ts: bar.ts, position, sentiment: undefined };
    const explained = momentumStrategy.evaluate(state, config, { ...ctx, explain: true });
    const hot = momentumStrategy.evaluate(state, config, { ...ctx, explain: false });
    if (explained === undefined) throw new Error('explain=true must always return a signal');
    expect(hot).toEqual(explained.side === 'HOLD' ? undefined : explained);
    return explained;
  });
}

describe('momentum properties', () => {
  it('signals nothing but HOLD before warm-up; confidence in 0..1; finite indicators', () => {
    fc.assert(
      fc.property(barsArb, configArb, positionArb, (bars, config, position) => {
        const warmup = momentumStrategy.warmupBars(config);
        run(bars, config, position).forEach((signal, i) => {
          if (i + 1 < warmup) {
            expect(signal.side).toBe('HOLD');
            expect(signal.reason).toBe('warming_up');
          }
          if (signal.side === 'HOLD') expect(signal.action).toBe('none');
          expect(signal.confidence).toBeGreaterThanOrEqual(0);
          expect(signal.confidence).toBeLessThanOrEqual(1);
          for (const value of Object.values(signal.indicators)) expect(Number.isFinite(value)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('entries have stop and target on the right sides of the entry; exits close the held side', () => {
    fc.assert(
      fc.property(barsArb, configArb, positionArb, (bars, config, position) => {
        for (const signal of run(bars, config, position)) {
          if (signal.action === 'enter') {
            expect(position === undefined).toBe(true);
            if (signal.side === 'BUY') {
              expect(signal.stopLoss).toBeLessThan(signal.entry);
              expect(signal.takeProfit).toBeGreaterThan(signal.entry);
            } else {
              expect(config.allow_short).toBe(true);
              expect(signal.stopLoss).toBeGreaterThan(signal.entry);
              expect(signal.takeProfit).toBeLessThan(signal.entry);
            }
          }
          if (signal.action === 'exit') {
            expect(position).toBeDefined();
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
      fc.property(barsArb, configArb, positionArb, (bars, config, position) => {
        expect(run(bars, config, position)).toEqual(run(bars, config, position));
      }),
      { numRuns: 100 },
    );
  });

  it('generates real setups on this input space (the properties above are not vacuous)', () => {
    const sides = new Set<string>();
    fc.assert(
      fc.property(barsArb, configArb, positionArb, (bars, config, position) => {
        for (const s of run(bars, config, position)) sides.add(`${s.side}/${s.action}/${s.exitReason ?? ''}`);
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(sides).toContain('BUY/enter/');
    expect(sides).toContain('SELL/enter/');
    expect(sides).toContain('SELL/exit/stop');
    expect(sides).toContain('BUY/exit/target');
  });
});
