import type { z } from 'zod';
import type { Bar, Timeframe } from '../messages/market.js';
import type { Signal } from '../messages/signal.js';

/** Every strategy config has these; a strategy's schema extends them with its own fields and defaults. */
export interface BaseStrategyConfig {
  readonly symbol: string;
  readonly timeframe: Timeframe;
}

/** What a strategy may know besides its bars when it decides. */
export interface StrategyContext {
  readonly strategyId: string;
  /** Event time of the decision. */
  readonly ts: number;
  /** The position held in the symbol, if any (signed quantity). */
  readonly position:
    | {
        readonly quantity: number;
        readonly avgPrice: number;
        readonly strategyId: string;
        readonly stopLoss: number | null;
        readonly takeProfit: number | null;
      }
    | undefined;
  /** Latest aggregated sentiment score for the symbol in -1..1, if any. */
  readonly sentiment: number | undefined;
  /**
   * Whether a HOLD must be explained. `true` (on-demand evaluation, `POST /api/trading/signal`):
   * `evaluate` always returns a Signal, HOLD with its reason code. `false` (the actor's hot path):
   * `evaluate` returns `undefined` instead of a HOLD, so a bar with nothing to do allocates nothing.
   */
  readonly explain: boolean;
  /**
   * The side of the entry already signalled for the setup in force (the actor's edge trigger), if any.
   * An entry on that side would be dropped as a repeat, so the strategy returns `REPEATED_ENTRY`
   * instead of building it (its reason text and indicator values are most of a decision's cost).
   * Absent or undefined: every entry is built. Never set together with `explain`.
   */
  readonly repeat?: Signal['side'] | undefined;
}

/**
 * What `evaluate` returns for an entry on `ctx.repeat`'s side: a shared, frozen marker the caller
 * recognises by identity and drops (the setup it signalled before still stands). Never emitted.
 */
export const REPEATED_ENTRY: Signal = Object.freeze({
  kind: 'signal.generated',
  ts: 0,
  strategyId: '',
  strategyType: '',
  symbol: '',
  timeframe: '5m',
  side: 'HOLD',
  action: 'none',
  confidence: 0,
  price: 0,
  entry: 0,
  stopLoss: 0,
  takeProfit: 0,
  reason: 'repeated_entry',
  indicators: Object.freeze({}),
} satisfies Signal);

/**
 * A strategy: a pure reducer over completed bars of its timeframe plus a decision function.
 *
 * `onBar` folds one completed bar into the state. The state is owned linearly by the symbol's actor
 * (never reused after it is passed in), so an implementation may update its incremental indicators in
 * place and return the same object: that is what keeps the hot path O(1) and allocation-free.
 * `evaluate` must not change the state. When there is nothing to do (including warm-up) it returns a
 * HOLD Signal (action `none`, with the reason code) if `ctx.explain`, and `undefined` otherwise.
 */
export interface StrategyDefinition<C extends BaseStrategyConfig = BaseStrategyConfig, S = unknown> {
  readonly type: string;
  readonly description: string;
  /** Validates and fills defaults; input is the user's `config` object. */
  readonly configSchema: z.ZodType<C>;
  init(config: C): S;
  onBar(state: S, bar: Bar, config: C): S;
  evaluate(state: S, config: C, ctx: StrategyContext): Signal | undefined;
  /** Bars of the strategy's timeframe needed before `evaluate` can signal. */
  warmupBars(config: C): number;
}
