import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type Bar, type Timeframe } from '../../../engine/messages/market.js';
import type { Signal } from '../../../engine/messages/signal.js';
import type { RangeBoundConfig } from '../../../engine/strategies/range-bound.config.js';
import { rangeBoundStrategy } from '../../../engine/strategies/range-bound.strategy.js';
import { ctx, type Position } from './range-bound-fixtures.js';

const DAY_MS = 86_400_000;

const configArb: fc.Arbitrary<RangeBoundConfig> = fc
  .record({
    timeframe: fc.constantFrom<Timeframe>('5m', '15m', '1h', '1d'),
    proximity: fc.constantFrom(0.001, 0.003, 0.01),
    stop_gap: fc.constantFrom(0.001, 0.004, 0.02),
    volume_confirmation: fc.boolean(),
    volume_period: fc.integer({ min: 2, max: 25 }),
    min_volume_multiple: fc.constantFrom(0.5, 1, 1.5),
    target_tolerance: fc.constantFrom(0, 0.002, 0.01),
    allow_short: fc.boolean(),
  })
  .map(({ stop_gap, ...rest }) =>
    rangeBoundStrategy.configSchema.parse({ symbol: 'AAPL', ...rest, stop_loss_pct: rest.proximity + stop_gap }),
  );

/**
 * Time-ordered bars of `timeframe` over several days (sessions, nights, weekends, holidays and gaps)
 * whose closes wander around 100 in steps small enough to come back near the previous day's range.
 */
const barsArb = (timeframe: Timeframe): fc.Arbitrary<Bar[]> => {
  const ms = TIMEFRAME_MS[timeframe];
  const maxSkip = timeframe === '1d' ? 3 : Math.ceil(DAY_MS / ms);
  return fc
    .tuple(
      fc.integer({ min: 0, max: 250 }),
      fc.array(
        fc.record({
          skip: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, fc.integer({ min: 1, max: maxSkip })),
          ret: fc.integer({ min: -20, max: 20 }),
          wick: fc.integer({ min: 0, max: 10 }),
          volume: fc.oneof(fc.constant(1_000), fc.integer({ min: 0, max: 5_000 })),
        }),
        { minLength: 1, maxLength: 160, size: 'max' },
      ),
    )
    .map(([startDay, steps]) => {
      // 2024-01-02 13:30 UTC (09:30 New York, EST) or its UTC midnight for 1d
      let ts = Date.UTC(2024, 0, 2, 13, 30) + startDay * DAY_MS;
      if (timeframe === '1d') ts = Math.floor(ts / DAY_MS) * DAY_MS;
      else ts = Math.floor(ts / ms) * ms;
      let close = 100;
      return steps.map(({ skip, ret, wick, volume }): Bar => {
        ts += skip * ms;
        const open = close;
        close = Math.max(50, open * (1 + ret / 2_000));
        return {
          kind: 'bar',
          symbol: 'AAPL',
          ts,
          timeframe,
          open,
          high: Math.max(open, close) * (1 + wick / 4_000),
          low: Math.min(open, close) * (1 - wick / 4_000),
          close,
          volume,
        };
      });
    });
};

const scenarioArb = configArb.chain((config) =>
  fc.tuple(
    fc.constant(config),
    barsArb(config.timeframe),
    positionArb(),
    fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined }),
  ),
);

function positionArb(): fc.Arbitrary<Position | undefined> {
  return fc.option(
    fc.record({
      quantity: fc.constantFrom(-10, 10),
      avgPrice: fc.double({ min: 90, max: 110, noNaN: true }),
      strategyId: fc.constant('range_bound_AAPL'),
      stopLoss: fc.option(fc.double({ min: 85, max: 115, noNaN: true }), { nil: null }),
      takeProfit: fc.option(fc.double({ min: 85, max: 115, noNaN: true }), { nil: null }),
    }),
    { nil: undefined },
  );
}

interface Step {
  readonly found: boolean;
  readonly loud: Signal;
  readonly quiet: Signal | undefined;
}

/** Folds the bars one by one and evaluates after each, with and without explain. */
function run(
  config: RangeBoundConfig,
  bars: readonly Bar[],
  position: Position | undefined,
  sentiment: number | undefined,
): Step[] {
  const state = rangeBoundStrategy.init(config);
  return bars.map((bar) => {
    rangeBoundStrategy.onBar(state, bar, config);
    const opts = { ts: bar.ts, ...(position ? { position } : {}), ...(sentiment === undefined ? {} : { sentiment }) };
    const loud = rangeBoundStrategy.evaluate(state, config, ctx({ ...opts, explain: true }));
    const quiet = rangeBoundStrategy.evaluate(state, config, ctx({ ...opts, explain: false }));
    if (loud === undefined) throw new Error('explain: true returned undefined');
    return { found: state.levels.found, loud, quiet };
  });
}

describe('range_bound properties', () => {
  it('nothing but HOLD before warm-up; no entry without levels; confidence in 0..1; finite numbers', () => {
    fc.assert(
      fc.property(scenarioArb, ([config, bars, position, sentiment]) => {
        const warmup = rangeBoundStrategy.warmupBars(config);
        run(config, bars, position, sentiment).forEach(({ found, loud }, i) => {
          if (i + 1 < warmup) expect(loud.reason).toBe('warming_up');
          if (!found) expect(loud.action).not.toBe('enter');
          if (!found && loud.action === 'exit') expect(loud.exitReason).toBe('stop');
          expect(loud.side === 'HOLD').toBe(loud.action === 'none');
          expect(loud.confidence).toBeGreaterThanOrEqual(0);
          expect(loud.confidence).toBeLessThanOrEqual(1);
          const numbers = [loud.price, loud.entry, loud.stopLoss, loud.takeProfit, ...Object.values(loud.indicators)];
          expect(numbers.filter((n) => !Number.isFinite(n))).toEqual([]);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('entries: stop below and target above a long entry, mirrored for shorts (shorts only if allowed)', () => {
    fc.assert(
      fc.property(scenarioArb, ([config, bars, position, sentiment]) => {
        for (const { loud } of run(config, bars, position, sentiment)) {
          if (loud.action === 'enter') {
            expect(position === undefined).toBe(true);
            expect(loud.confidence).toBeGreaterThanOrEqual(0.68 - 1e-12);
            if (loud.side === 'BUY') {
              expect(loud.stopLoss).toBeLessThan(loud.entry);
              expect(loud.takeProfit).toBeGreaterThan(loud.entry);
            } else {
              expect(config.allow_short).toBe(true);
              expect(loud.stopLoss).toBeGreaterThan(loud.entry);
              expect(loud.takeProfit).toBeLessThan(loud.entry);
            }
          }
          if (loud.action === 'exit') {
            expect(loud.side).toBe((position?.quantity ?? 0) > 0 ? 'SELL' : 'BUY');
            expect(loud.confidence).toBe(1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('explain=false is undefined exactly when explain=true is a HOLD, and the same signal otherwise', () => {
    fc.assert(
      fc.property(scenarioArb, ([config, bars, position, sentiment]) => {
        for (const { loud, quiet } of run(config, bars, position, sentiment)) {
          if (loud.side === 'HOLD') expect(quiet).toBeUndefined();
          else expect(quiet).toEqual(loud);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: identical input gives identical signals', () => {
    fc.assert(
      fc.property(scenarioArb, ([config, bars, position, sentiment]) => {
        expect(run(config, bars, position, sentiment)).toEqual(run(config, bars, position, sentiment));
      }),
      { numRuns: 100 },
    );
  });

  it('reaches every kind of decision on this input space (the properties above are not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, ([config, bars, position, sentiment]) => {
        for (const { loud } of run(config, bars, position, sentiment)) {
          seen.add(loud.action === 'none' ? loud.reason : `${loud.side}/${loud.action}/${loud.exitReason ?? ''}`);
        }
      }),
      { numRuns: 400, seed: 42 },
    );
    for (const kind of [
      'BUY/enter/',
      'SELL/enter/',
      'SELL/exit/stop',
      'SELL/exit/target',
      'BUY/exit/stop',
      'BUY/exit/target',
      'warming_up',
      'levels_not_found',
      'not_near_level',
      'volume_not_confirmed',
      'short_not_allowed',
      'holding',
    ]) {
      expect(seen).toContain(kind);
    }
  });
});
