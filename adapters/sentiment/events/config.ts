import type { z } from 'zod';
import { booleanVar, numberVar, optionalStringVar, urlVar } from '../../config/env-fields.js';

/** Finnhub earnings calendar and EPS surprises. `FINNHUB_API_KEY` is shared with `analyst_ratings`. */
export const EVENTS_ENV = {
  EVENTS_ENABLED: booleanVar('true'),
  EVENTS_BASE_URL: urlVar('https://finnhub.io/api/v1'),
  EVENTS_POLL_INTERVAL: numberVar('21600', { min: 1 }),
  EVENTS_BLACKOUT_HOURS: numberVar('24', { min: 0 }),
  FINNHUB_API_KEY: optionalStringVar(),
};

export interface EventsConfig {
  readonly enabled: boolean;
  readonly baseUrl: string;
  readonly intervalMs: number;
  /** No new entries this many hours before a scheduled report (applied by the caller, from `detail`). */
  readonly blackoutHours: number;
  /** Sent as the `X-Finnhub-Token` header; unset means the provider is unavailable. */
  readonly finnhubApiKey: string | undefined;
}

export const eventsConfig = (e: z.output<z.ZodObject<typeof EVENTS_ENV>>): EventsConfig => ({
  enabled: e.EVENTS_ENABLED,
  baseUrl: e.EVENTS_BASE_URL,
  intervalMs: e.EVENTS_POLL_INTERVAL * 1000,
  blackoutHours: e.EVENTS_BLACKOUT_HOURS,
  finnhubApiKey: e.FINNHUB_API_KEY,
});
