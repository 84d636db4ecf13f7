import { Observable, type OperatorFunction } from 'rxjs';
import { aggregate, createAggregator } from '../actors/bar-aggregator.js';
import { barEndTs, type Bar } from '../messages/market.js';
import type { Signal } from '../messages/signal.js';
import type { BaseStrategyConfig, StrategyContext, StrategyDefinition } from './strategy.js';

/** What a strategy run outside an actor may know besides its bars. */
export interface StrategyRunOptions {
  /** Defaults to `<type>_<SYMBOL>`, the id the engine gives a strategy. */
  readonly strategyId?: string;
  /** The position held when a bar completes (e.g. a backtest's own book); none by default. */
  readonly position?: (ts: number) => StrategyContext['position'];
  /** The sentiment score when a bar completes; none by default. */
  readonly sentiment?: (ts: number) => number | undefined;
}

/**
 * One strategy as a plain operator over the bars of one symbol: bars of a smaller timeframe are built
 * up to the strategy's timeframe, each completed bar is folded in and decided on at its end time, and
 * every entry or exit is emitted (HOLDs are not). It is the same reducer the symbol actors run, so a
 * backtest over `from(bars)` decides exactly as paper and live do. State lives in the subscription:
 * each subscriber gets its own fresh strategy.
 */
export const strategySignals =
  <C extends BaseStrategyConfig, S>(
    definition: StrategyDefinition<C, S>,
    config: C,
    options: StrategyRunOptions = {},
  ): OperatorFunction<Bar, Signal> =>
  (bars$) =>
    new Observable<Signal>((subscriber) => {
      const strategyId = options.strategyId ?? `${definition.type}_${config.symbol}`;
      let state = definition.init(config);
      const aggregator = createAggregator(config.symbol, config.timeframe);
      return bars$.subscribe({
        next: (input) => {
          try {
            for (const bar of aggregate(aggregator, input)) {
              state = definition.onBar(state, bar, config);
              const ts = barEndTs(bar);
              const signal = definition.evaluate(state, config, {
                strategyId,
                ts,
                position: options.position?.(ts),
                sentiment: options.sentiment?.(ts),
                explain: false,
              });
              if (signal !== undefined && signal.action !== 'none') subscriber.next(signal);
            }
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
