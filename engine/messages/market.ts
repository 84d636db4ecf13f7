/** Bar timeframes a strategy may run on. Bars of larger timeframes are built inside the symbol's actor. */
export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

/**
 * An OHLCV bar. `ts` is the bar's open time (epoch ms, event time); the bar is known at
 * `ts + TIMEFRAME_MS[timeframe]`. Prices are finite and positive, volume finite and >= 0:
 * adapters validate before a bar enters the engine.
 */
export interface Bar {
  readonly kind: 'bar';
  readonly symbol: string;
  readonly ts: number;
  readonly timeframe: Timeframe;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * One trade print from the market data feed, the raw input bars are built from (inside the symbol's
 * actor, see `aggregateTick`). `ts` is the trade time (epoch ms, event time); several trades may share a
 * millisecond. `price` is the trade price, finite and > 0; `size` the shares traded, finite and >= 0
 * (a print without size only moves the price). Adapters validate before a tick enters the engine.
 */
export interface Tick {
  readonly kind: 'tick';
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  readonly size: number;
}

/** The moment a bar is complete and may be acted on (event time). */
export const barEndTs = (bar: Bar): number => bar.ts + TIMEFRAME_MS[bar.timeframe];

/** A sentiment reading for one symbol from one source; score in -1..1, confidence in 0..1. */
export interface SentimentReading {
  readonly kind: 'sentiment.updated';
  readonly ts: number;
  readonly symbol: string;
  readonly source: string;
  readonly score: number;
  readonly confidence: number;
  readonly mentions: number;
}

/**
 * When a symbol next reports earnings, as the events source knows at `ts` (null: none scheduled in
 * the window it looks at). Risk refuses entries shortly before a report.
 */
export interface EarningsScheduled {
  readonly kind: 'earnings.scheduled';
  readonly ts: number;
  readonly symbol: string;
  readonly reportTs: number | null;
}

/** Options-flow reading for one symbol: a signed score in -1..1 (bullish > 0). */
export interface OptionsFlowReading {
  readonly kind: 'options.updated';
  readonly ts: number;
  readonly symbol: string;
  readonly score: number;
  readonly confidence: number;
}
