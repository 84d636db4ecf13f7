import type { Observable } from 'rxjs';
import type { Bar } from '../messages/market.js';

/**
 * Where bars come from (simulated market, CSV replay, IBKR). `bars$` is hot and emits validated
 * 1-minute (or smaller-timeframe) bars in event-time order per symbol; the engine builds the
 * strategies' timeframes from them.
 */
export interface MarketDataPort {
  readonly bars$: Observable<Bar>;
  /** Ask for data on these symbols (idempotent); the engine calls it when strategies are added. */
  subscribe(symbols: readonly string[]): void;
  /** Latest known close per symbol, for marking positions and on-demand evaluation. */
  lastPrice(symbol: string): number | undefined;
}
