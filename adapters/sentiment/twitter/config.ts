import type { z } from 'zod';
import { booleanVar, numberVar, optionalStringVar, urlVar } from '../../config/env-fields.js';

/** X (Twitter) API v2 recent search. Off by default: reads are paid (pay-per-use or a monthly plan). */
export const TWITTER_ENV = {
  TWITTER_ENABLED: booleanVar('false'),
  TWITTER_BASE_URL: urlVar('https://api.x.com'),
  TWITTER_POLL_INTERVAL: numberVar('900', { min: 1 }),
  TWITTER_BEARER_TOKEN: optionalStringVar(),
  TWITTER_MAX_RESULTS: numberVar('100', { min: 10, max: 100, integer: true }),
};

export interface TwitterConfig {
  readonly enabled: boolean;
  readonly baseUrl: string;
  readonly intervalMs: number;
  /** App-only bearer token; unset means the provider is unavailable. */
  readonly bearerToken: string | undefined;
  /** Tweets per request (10..100); each one read is billed on pay-per-use. */
  readonly maxResults: number;
}

export const twitterConfig = (e: z.output<z.ZodObject<typeof TWITTER_ENV>>): TwitterConfig => ({
  enabled: e.TWITTER_ENABLED,
  baseUrl: e.TWITTER_BASE_URL,
  intervalMs: e.TWITTER_POLL_INTERVAL * 1000,
  bearerToken: e.TWITTER_BEARER_TOKEN,
  maxResults: e.TWITTER_MAX_RESULTS,
});
