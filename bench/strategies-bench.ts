import type { Bar } from '../engine/messages/market.js';
import type { Signal } from '../engine/messages/signal.js';
import { type BaseStrategyConfig, REPEATED_ENTRY, type StrategyContext } from '../engine/strategies/strategy.js';
import { type AnyStrategyDefinition, strategyRegistry } from '../engine/strategies/strategy-registry.js';
import { symbolName } from './workload.js';

type Context = { -readonly [K in keyof StrategyContext]: StrategyContext[K] };

/** What one strategies-only run measured. */
export interface StrategiesRun {
  readonly onBarMs: number;
  readonly evaluateMs: number;
  /** Signals that would leave the actors (entries past the edge trigger, and exits). */
  readonly signals: number;
}

/**
 * The strategies alone, with nothing of the engine around them: for each five-minute slot, every
 * symbol's strategies fold their bar (`onBar`), then every strategy decides (`evaluate`) with the
 * actor's edge trigger, as the per-symbol actors do on a bar and an evaluation tick. No position is
 * held (nothing is traded), so this is a lower bound on what the strategies cost inside the engine.
 * `bars[t * symbols + s]` is symbol s at slot t, as `workload` lays them out.
 */
export const runStrategiesOnly = (
  types: readonly string[],
  symbols: number,
  barsPerSymbol: number,
  bars: readonly Bar[],
  now: () => number,
): StrategiesRun => {
  const defs = types.map((t) => strategyRegistry.get(t) as AnyStrategyDefinition);
  const n = symbols * defs.length;
  const def = (k: number): AnyStrategyDefinition => defs[k % defs.length] as AnyStrategyDefinition;
  // Laid out like the actors: a symbol's strategies next to each other.
  const configs = Array.from({ length: n }, (_, k) =>
    def(k).configSchema.parse({ symbol: symbolName(Math.floor(k / defs.length)), timeframe: '5m' }),
  );
  const states: unknown[] = configs.map((config, k) => def(k).init(config));
  const contexts: Context[] = Array.from({ length: n }, (_, k) => ({
    strategyId: `bench-${k}`,
    ts: 0,
    position: undefined,
    sentiment: undefined,
    explain: false,
    repeat: undefined,
  }));
  const lastEntry: (Signal['side'] | undefined)[] = new Array<Signal['side'] | undefined>(n).fill(undefined);
  let onBarMs = 0;
  let evaluateMs = 0;
  let signals = 0;
  for (let t = 0; t < barsPerSymbol; t++) {
    const a = now();
    for (let s = 0; s < symbols; s++) {
      const bar = bars[t * symbols + s] as Bar;
      for (let k = s * defs.length, end = k + defs.length; k < end; k++)
        states[k] = def(k).onBar(states[k], bar, configs[k] as BaseStrategyConfig);
    }
    const b = now();
    for (let k = 0; k < n; k++) {
      const ctx = contexts[k] as Context;
      ctx.ts = (bars[t * symbols + Math.floor(k / defs.length)] as Bar).ts;
      ctx.repeat = lastEntry[k];
      const signal = def(k).evaluate(states[k], configs[k] as BaseStrategyConfig, ctx);
      if (signal === REPEATED_ENTRY) continue;
      if (signal === undefined || signal.action === 'none') {
        lastEntry[k] = undefined;
        continue;
      }
      if (signal.action === 'enter') {
        if (lastEntry[k] === signal.side) continue;
        lastEntry[k] = signal.side;
      } else lastEntry[k] = undefined;
      signals++;
    }
    onBarMs += b - a;
    evaluateMs += now() - b;
  }
  return { onBarMs, evaluateMs, signals };
};
