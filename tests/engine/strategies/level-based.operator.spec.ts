import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { barEndTs, type Bar } from '../../../engine/messages/market.js';
import type { Signal } from '../../../engine/messages/signal.js';
import type { LevelBasedConfig } from '../../../engine/strategies/level-based.config.js';
import { levelBasedStrategy } from '../../../engine/strategies/level-based.strategy.js';
import { strategySignals } from '../../../engine/strategies/strategy.operator.js';
import { AT_RESISTANCE, AT_SUPPORT, closeBars, config, long, START_TS, type Position } from './level-based-fixtures.js';

const FRAMES = 'abcdefghijklmnopqrstuvwxyz';

/** One marble frame per bar, `a` for the first bar, then the end marker (`|` or `#`). */
function source(bars: readonly Bar[], end: '|' | '#' | ''): { marble: string; values: Record<string, Bar> } {
  const values: Record<string, Bar> = {};
  bars.forEach((bar, i) => (values[FRAMES[i] ?? '?'] = bar));
  return { marble: FRAMES.slice(0, bars.length) + end, values };
}

/** What the reducer decides after the last of `bars`, run by hand the way the operator should run it. */
function decided(bars: readonly Bar[], cfg: LevelBasedConfig, position?: Position): Signal {
  const state = levelBasedStrategy.init(cfg);
  for (const bar of bars) levelBasedStrategy.onBar(state, bar, cfg);
  const last = bars.at(-1);
  if (last === undefined) throw new Error('no bars');
  const signal = levelBasedStrategy.evaluate(state, cfg, {
    strategyId: 'level_based_AAPL',
    ts: barEndTs(last),
    position,
    sentiment: undefined,
    explain: false,
  });
  if (signal === undefined) throw new Error('expected a signal');
  return signal;
}

describe('strategySignals(levelBasedStrategy)', () => {
  it(
    'emits the BUY at the 20th bar (the first after warm-up) and completes with the source',
    marbles((m) => {
      const cfg = config();
      const bars = closeBars(AT_SUPPORT);
      const { marble, values } = source(bars, '|');
      const expected = decided(bars, cfg);
      expect(expected).toMatchObject({ side: 'BUY', action: 'enter', ts: START_TS + 20 * 300_000 });
      m.expect(m.cold(marble, values).pipe(strategySignals(levelBasedStrategy, cfg))).toBeObservable(
        `${'-'.repeat(19)}x|`,
        { x: expected },
      );
    }),
  );

  it(
    'emits nothing for HOLDs: the same bars with a lookback that drops the support give an empty stream',
    marbles((m) => {
      const cfg = config({ lookback: 17 });
      const { marble, values } = source(closeBars(AT_SUPPORT), '|');
      m.expect(m.cold(marble, values).pipe(strategySignals(levelBasedStrategy, cfg))).toBeObservable(
        `${'-'.repeat(20)}|`,
      );
    }),
  );

  it(
    'emits the exit of a held long at the bar that reaches resistance',
    marbles((m) => {
      const cfg = config();
      const bars = closeBars(AT_RESISTANCE);
      const position = long(101);
      const { marble, values } = source(bars, '|');
      const expected = decided(bars, cfg, position);
      expect(expected).toMatchObject({ side: 'SELL', action: 'exit', exitReason: 'opposite_level' });
      const out = m.cold(marble, values).pipe(strategySignals(levelBasedStrategy, cfg, { position: () => position }));
      m.expect(out).toBeObservable(`${'-'.repeat(19)}x|`, { x: expected });
    }),
  );

  it(
    'passes a source error on after the signals before it',
    marbles((m) => {
      const cfg = config();
      const bars = closeBars(AT_SUPPORT);
      const boom = new Error('feed lost');
      const { marble, values } = source(bars, '#');
      const out = m.cold(marble, values, boom).pipe(strategySignals(levelBasedStrategy, cfg));
      m.expect(out).toBeObservable(`${'-'.repeat(19)}x#`, { x: decided(bars, cfg) }, boom);
    }),
  );

  it(
    'an error before warm-up ends ends the stream with no signal',
    marbles((m) => {
      const boom = new Error('feed lost');
      const { marble, values } = source(closeBars(AT_SUPPORT.slice(0, 5)), '#');
      const out = m.cold(marble, values, boom).pipe(strategySignals(levelBasedStrategy, config()));
      m.expect(out).toBeObservable('-----#', undefined, boom);
    }),
  );
});
