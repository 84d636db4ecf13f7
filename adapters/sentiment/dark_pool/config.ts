import type { z } from 'zod';
import { booleanVar, numberVar, urlVar } from '../../config/env-fields.js';

/** Environment variables of the FINRA off-exchange short volume source. */
export const DARK_POOL_ENV = {
  DARK_POOL_ENABLED: booleanVar('true'),
  /** FINRA's CDN; files live under `/equity/regsho/daily/`. */
  DARK_POOL_BASE_URL: urlVar('https://cdn.finra.org'),
  /** Seconds between polls; the file changes once a day, so hourly is plenty. */
  DARK_POOL_POLL_INTERVAL: numberVar('3600', { min: 1 }),
  /** Trading days of history the z-score is measured against. */
  DARK_POOL_BASELINE_DAYS: numberVar('20', { min: 5, max: 60, integer: true }),
} as const;

export interface DarkPoolConfig {
  readonly enabled: boolean;
  readonly baseUrl: string;
  readonly intervalMs: number;
  readonly baselineDays: number;
  /**
   * Symbols to keep from each daily file before anyone asked for them. Optional: the provider also
   * learns every symbol `fetch` is called with; pre-registering the poller's list lets one download
   * of a day's file serve all of them from the first poll on.
   */
  readonly trackedSymbols?: readonly string[];
}

export const darkPoolConfig = (e: z.output<z.ZodObject<typeof DARK_POOL_ENV>>): DarkPoolConfig => ({
  enabled: e.DARK_POOL_ENABLED,
  baseUrl: e.DARK_POOL_BASE_URL,
  intervalMs: e.DARK_POOL_POLL_INTERVAL * 1000,
  baselineDays: e.DARK_POOL_BASELINE_DAYS,
});
