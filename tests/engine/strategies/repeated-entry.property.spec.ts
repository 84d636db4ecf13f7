import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextTradingDay, sessionBounds } from '../../../engine/calendar/nyse-calendar.js';
import type { Bar } from '../../../engine/messages/market.js';
import type { Side } from '../../../engine/messages/signal.js';
import { REPEATED_ENTRY, type StrategyContext } from '../../../engine/strategies/strategy.js';
import { strategyRegistry } from '../../../engine/strategies/strategy-registry.js';

/** Five-minute bars over real NYSE sessions from 2026-03-02: a seeded random walk. */
const sessionBars = (seed: number, count: number, vol: number): Bar[] => {
  let x = seed >>> 0 || 1;
  const rnd = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const out: Bar[] = [];
  let day = '2026-03-02';
  let close = 100;
  while (out.length < count) {
    const b = sessionBounds(day);
    if (b === undefined) throw new Error(`no session on ${day}`);
    for (let ts = b.open; ts < b.close && out.length < count; ts += 300_000) {
      const open = close;
      close = open * (1 + (rnd() - 0.5) * vol);
      const wick = rnd() * vol * 0.25;
      out.push({
        kind: 'bar',
        symbol: 'AAPL',
        ts,
        timeframe: '5m',
        open,
        high: Math.max(open, close) * (1 + wick),
        low: Math.min(open, close) * (1 - wick),
        close,
        volume: 1_000 + Math.floor(rnd() * 9_000),
      });
    }
    day = nextTradingDay(day);
  }
  return out;
};

const SIDES: readonly Side[] = ['BUY', 'SELL'];

describe('ctx.repeat: an entry already signalled is returned as REPEATED_ENTRY, and nothing else changes', () => {
  for (const type of ['momentum', 'range_bound', 'level_based']) {
    it(`${type}: with repeat = S, evaluate gives REPEATED_ENTRY exactly where it would enter on S`, () => {
      const def = strategyRegistry.get(type);
      if (def === undefined) throw new Error(`no strategy ${type}`);
      let repeats = 0;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.double({ min: 0.002, max: 0.03, noNaN: true }),
          fc.boolean(),
          (seed, vol, allowShort) => {
            const config = def.configSchema.parse({ symbol: 'AAPL', timeframe: '5m', allow_short: allowShort });
            let state = def.init(config);
            for (const bar of sessionBars(seed, 400, vol)) {
              state = def.onBar(state, bar, config);
              const ctx: StrategyContext = {
                strategyId: `${type}_AAPL`,
                ts: bar.ts + 300_000,
                position: undefined,
                sentiment: undefined,
                explain: false,
              };
              const plain = def.evaluate(state, config, ctx);
              expect(plain).not.toBe(REPEATED_ENTRY);
              for (const side of SIDES) {
                const again = def.evaluate(state, config, { ...ctx, repeat: side });
                if (plain?.action === 'enter' && plain.side === side) {
                  expect(again).toBe(REPEATED_ENTRY);
                  repeats += 1;
                } else expect(again).toEqual(plain);
              }
            }
          },
        ),
        { numRuns: 25 },
      );
      // The walk must have produced entries, or the property said nothing.
      expect(repeats).toBeGreaterThan(0);
    });
  }
});
