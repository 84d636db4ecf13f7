import type { Observable } from 'rxjs';
import type { EarningsScheduled, OptionsFlowReading, SentimentReading } from '../messages/market.js';

/**
 * Sentiment readings (one per source and poll: the engine aggregates them), options-flow readings and
 * earnings dates for the symbols the engine trades. The streams are hot and may stay silent (no
 * source configured): confluence then renormalises their weights away. Every reading carries its
 * source timestamp, and the engine never uses a reading stamped after the signal it scores.
 */
export interface SentimentPort {
  readonly readings$: Observable<SentimentReading>;
  readonly optionsFlow$: Observable<OptionsFlowReading>;
  /** Scheduled earnings reports (the events source), for the risk manager's entry blackout. */
  readonly earnings$: Observable<EarningsScheduled>;
  /**
   * The symbols to follow from now on (replacing the previous set): those with an enabled strategy or a
   * position. The engine calls it at start and whenever a strategy is added, enabled, disabled or removed.
   */
  track(symbols: readonly string[]): void;
}
