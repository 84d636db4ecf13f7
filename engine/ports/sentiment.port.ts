import type { Observable } from 'rxjs';
import type { OptionsFlowReading, SentimentReading } from '../messages/market.js';

/**
 * Sentiment and options-flow readings for the symbols the engine trades. Both streams are hot and
 * may stay silent (no source configured): confluence then renormalises their weights away. Every
 * reading carries its source timestamp, and the engine never uses a reading stamped after the signal
 * it scores.
 */
export interface SentimentPort {
  readonly readings$: Observable<SentimentReading>;
  readonly optionsFlow$: Observable<OptionsFlowReading>;
  /** Ask for readings on these symbols (idempotent); the engine calls it as strategies are added. */
  track(symbols: readonly string[]): void;
}
