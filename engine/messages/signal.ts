import type { Timeframe } from './market.js';

export type Side = 'BUY' | 'SELL';
export type SignalSide = Side | 'HOLD';
/**
 * Why an exit was signalled. Strategies use `stop`, `target`, `opposite_signal`, `opposite_level`
 * and `exhaustion`; the exit rules (`engine/risk/exit-rules.ts`) add `trailing_stop`, `flatten`
 * (before the close), `time` (`max_holding_minutes`) and `ladder` (profit-taking step, partial).
 */
export type ExitReason =
  | 'stop'
  | 'target'
  | 'opposite_signal'
  | 'opposite_level'
  | 'exhaustion'
  | 'time'
  | 'manual'
  | 'trailing_stop'
  | 'flatten'
  | 'ladder';

/**
 * A strategy's decision for one symbol at event time `ts`. `action` says whether it opens a position
 * (`enter`) or closes the one held (`exit`, with `exitReason`). HOLD signals are not emitted into the
 * trade path; they exist for on-demand evaluation (`POST /api/trading/signal`).
 */
export interface Signal {
  readonly kind: 'signal.generated';
  readonly ts: number;
  readonly strategyId: string;
  readonly strategyType: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly side: SignalSide;
  readonly action: 'enter' | 'exit' | 'none';
  readonly confidence: number;
  readonly price: number;
  readonly entry: number;
  readonly stopLoss: number;
  readonly takeProfit: number;
  readonly reason: string;
  readonly indicators: Readonly<Record<string, number>>;
  readonly exitReason?: ExitReason;
  /**
   * Shares to sell (or buy back) for a partial exit, a whole number > 0; absent = the whole
   * position. Risk never sends more than is held.
   */
  readonly exitQuantity?: number;
}

export type ConfluenceLevel = 'low' | 'medium' | 'high';
export type DirectionalBias = 'bullish' | 'bearish' | 'neutral';

/** One input of the confluence score, with why it has the value it has. */
export interface ConfluenceComponent {
  readonly name: 'technical' | 'sentiment' | 'options';
  readonly present: boolean;
  /** Signed score in -1..1 (bullish > 0). 0 when absent. */
  readonly score: number;
  /** Configured weight. */
  readonly weight: number;
  /** Weight after renormalising over the present components (0 when absent). */
  readonly effectiveWeight: number;
  readonly explanation: string;
}

export interface Confluence {
  /** Agreement with the signal's side, 0..1. */
  readonly score: number;
  readonly level: ConfluenceLevel;
  readonly directionalBias: DirectionalBias;
  readonly components: readonly ConfluenceComponent[];
}

/** A signal after confluence scoring; `confidence` is the final confidence risk checks. */
export interface ScoredSignal {
  readonly kind: 'signal.scored';
  readonly ts: number;
  readonly symbol: string;
  readonly signal: Signal;
  readonly confluence: Confluence;
  readonly confidence: number;
}
