import type { HttpClient } from './http/http-client.js';

/** The thirteen sources, in the order the status endpoint lists them. */
export const SOURCE_NAMES = [
  'twitter',
  'reddit',
  'stocktwits',
  'news',
  'newsapi',
  'google_trends',
  'analyst_ratings',
  'insider_trading',
  'sec_filings',
  'options',
  'dark_pool',
  'mention_volume',
  'events',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/**
 * One reading of one source about one symbol. `sourceTs` is when the source published what was
 * scored (the newest item that went into it), never the fetch time: "as of t" queries use it, so a
 * backtest at t never sees a reading published after t.
 */
export interface ProviderReading {
  readonly source: SourceName;
  readonly symbol: string;
  /** Signed, -1 (bearish) .. +1 (bullish). */
  readonly score: number;
  /** 0..1: how much the source's own evidence supports the score (item count, agreement, recency). */
  readonly confidence: number;
  /** Items (posts, articles, filings, trades ...) the reading is based on. */
  readonly mentions: number;
  readonly sourceTs: number;
  /** Source-specific figures behind the score (ratios, counts, levels), served by the API as is. JSON-safe. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** Whether a provider can run, and if not, why (shown by `GET /api/sentiment/status`). */
export type Availability = { readonly available: true } | { readonly available: false; readonly reason: string };

/** Stored readings, for providers that derive from history (mention volume, dark-pool norms). */
export interface ReadingHistory {
  /** Readings of `symbol` with `fromTs <= sourceTs <= toTs`, oldest first; all sources unless `sources` is given. */
  readings(
    symbol: string,
    fromTs: number,
    toTs: number,
    sources?: readonly SourceName[],
  ): Promise<readonly ProviderReading[]>;
}

/** What every provider is built with. */
export interface ProviderDeps {
  /** The shared HTTP client: per-host rate limits, timeouts, retries, zod validation, metrics. */
  readonly http: HttpClient;
  readonly history: ReadingHistory;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
}

/**
 * A sentiment source. `fetch` never reports partial garbage: it resolves with the readings it could
 * build (possibly none: nothing new or nothing relevant) or rejects with a `ProviderError`. The poller
 * isolates providers from one another: one that rejects, hangs or throws never stops the others.
 */
export interface SentimentProvider {
  readonly name: SourceName;
  /** How often the poller asks for each tracked symbol. */
  readonly intervalMs: number;
  availability(): Availability;
  fetch(symbol: string): Promise<readonly ProviderReading[]>;
}

export const clampScore = (x: number): number => (Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0);
export const clampUnit = (x: number): number => (Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0);
