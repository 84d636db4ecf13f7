import type { z } from 'zod';
import { booleanVar, enumVar, numberVar, optional, optionalStringVar } from '../../config/env-fields.js';

export const ANALYST_RATINGS_PROVIDERS = ['finnhub', 'fmp'] as const;
export type AnalystRatingsProviderName = (typeof ANALYST_RATINGS_PROVIDERS)[number];

/** Where each provider's API lives unless `ANALYST_RATINGS_BASE_URL` says otherwise. */
export const ANALYST_RATINGS_DEFAULT_BASE_URLS: Readonly<Record<AnalystRatingsProviderName, string>> = {
  finnhub: 'https://finnhub.io/api/v1',
  fmp: 'https://financialmodelingprep.com',
};

/** An http(s) URL that may stay unset (its default depends on the chosen provider); no trailing slash. */
const optionalUrlVar = () =>
  optional('an http:// or https:// URL', (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? raw.replace(/\/+$/, '') : undefined;
  });

/**
 * Analyst recommendations: Finnhub's monthly recommendation trends (free tier) or FMP's monthly
 * grade history. `FINNHUB_API_KEY` is shared with the `events` provider.
 */
export const ANALYST_RATINGS_ENV = {
  ANALYST_RATINGS_ENABLED: booleanVar('true'),
  ANALYST_RATINGS_PROVIDER: enumVar(ANALYST_RATINGS_PROVIDERS, 'finnhub'),
  ANALYST_RATINGS_BASE_URL: optionalUrlVar(),
  ANALYST_RATINGS_POLL_INTERVAL: numberVar('21600', { min: 1 }),
  FINNHUB_API_KEY: optionalStringVar(),
  FMP_API_KEY: optionalStringVar(),
};

export interface AnalystRatingsConfig {
  readonly enabled: boolean;
  readonly provider: AnalystRatingsProviderName;
  /** The chosen provider's base URL (`ANALYST_RATINGS_BASE_URL`, else its default). */
  readonly baseUrl: string;
  readonly intervalMs: number;
  /** Needed when `provider` is finnhub; sent as the `X-Finnhub-Token` header. */
  readonly finnhubApiKey: string | undefined;
  /** Needed when `provider` is fmp; sent as the `apikey` query parameter. */
  readonly fmpApiKey: string | undefined;
}

export const analystRatingsConfig = (e: z.output<z.ZodObject<typeof ANALYST_RATINGS_ENV>>): AnalystRatingsConfig => ({
  enabled: e.ANALYST_RATINGS_ENABLED,
  provider: e.ANALYST_RATINGS_PROVIDER,
  baseUrl: e.ANALYST_RATINGS_BASE_URL ?? ANALYST_RATINGS_DEFAULT_BASE_URLS[e.ANALYST_RATINGS_PROVIDER],
  intervalMs: e.ANALYST_RATINGS_POLL_INTERVAL * 1000,
  finnhubApiKey: e.FINNHUB_API_KEY,
  fmpApiKey: e.FMP_API_KEY,
});
