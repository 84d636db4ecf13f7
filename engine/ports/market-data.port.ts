import type { Observable } from 'rxjs';
import type { Bar, Tick } from '../messages/market.js';

/**
 * Where bars come from (simulated market, CSV replay, IBKR). `bars$` is hot and emits validated
 * 1-minute (or smaller-timeframe) bars in event-time order per symbol; the engine builds the
 * strategies' timeframes from them.
 */
export interface MarketDataPort {
  readonly bars$: Observable<Bar>;
  /**
   * Trade ticks, for feeds that give trades rather than bars; optional. The actors build each
   * strategy's bars from them. A symbol should come either as bars or as ticks, not both.
   */
  readonly ticks$?: Observable<Tick>;
  /** Ask for data on these symbols (idempotent); the engine calls it when strategies are added. */
  subscribe(symbols: readonly string[]): void;
  /** Latest known close per symbol, for marking positions and on-demand evaluation. */
  lastPrice(symbol: string): number | undefined;
}
