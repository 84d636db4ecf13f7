import type { HostLimitState } from '../adapters/sentiment/http/rate-limiter.js';
import type { ProviderErrorKind } from '../adapters/sentiment/http/provider-error.js';

/**
 * What `GET /api/sentiment/*` and `/api/options-flow/*` read, implemented by the sentiment service
 * (adapters/sentiment). Views are JSON-ready (snake_case, ISO times). Methods reject with a
 * DomainError: `validation_error` (bad symbol or hours), `not_found` (unknown source).
 */
export interface SourceStatus {
  readonly source: string;
  readonly available: boolean;
  /** Why it is not available (missing key, disabled ...), or null. */
  readonly reason: string | null;
  readonly poll_interval_seconds: number | null;
  readonly last_success: string | null;
  readonly last_reading: string | null;
  readonly readings_total: number;
  readonly errors_total: number;
  readonly last_error: { readonly kind: ProviderErrorKind; readonly message: string; readonly at: string } | null;
  readonly rate_limit: (HostLimitState & { readonly paused_until: string | null }) | null;
}

export interface SentimentStatusView {
  readonly sources: readonly SourceStatus[];
  readonly tracked_symbols: readonly string[];
  readonly aggregation: {
    readonly half_life_hours: number;
    readonly min_confidence: number;
    readonly divergence_threshold: number;
    readonly max_age_hours: number;
    readonly weights: Readonly<Record<string, number>>;
  };
}

export interface ReadingView {
  readonly source: string;
  readonly symbol: string;
  readonly score: number;
  readonly confidence: number;
  readonly mentions: number;
  readonly published_at: string;
  readonly fetched_at: string;
  readonly detail: Readonly<Record<string, unknown>> | null;
}

export interface AggregatedView {
  readonly symbol: string;
  readonly as_of: string;
  readonly score: number;
  readonly confidence: number;
  readonly level: string;
  readonly source_count: number;
  readonly mentions: number;
  readonly divergence: number;
  readonly divergent: boolean;
  readonly sources: readonly {
    readonly source: string;
    readonly score: number;
    readonly confidence: number;
    readonly weight: number;
    readonly effective_weight: number;
    readonly readings: number;
    readonly mentions: number;
    readonly latest: string;
  }[];
}

export interface OptionsFlowView {
  readonly symbol: string;
  readonly available: boolean;
  readonly reason: string | null;
  readonly latest: ReadingView | null;
  readonly history: readonly ReadingView[];
}

/** What the HTTP layer reads (GET /api/sentiment/*, /api/options-flow/*). */
export interface SentimentApi {
  status(): SentimentStatusView;
  /** `source` one of the 13 (or `simulated`); 1 <= hours <= 720. DomainError not_found / validation_error. */
  sourceReadings(source: string, symbol: string, hours: number): Promise<readonly ReadingView[]>;
  aggregated(symbol: string): Promise<AggregatedView>;
  optionsFlow(symbol: string, hours: number): Promise<OptionsFlowView>;
}
