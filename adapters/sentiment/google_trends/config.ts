import type { z } from 'zod';
import { booleanVar, numberVar, stringVar, urlVar } from '../../config/env-fields.js';

export const GOOGLE_TRENDS_ENV = {
  // Unofficial endpoints that often answer 429 or an HTML page: off unless asked for.
  GOOGLE_TRENDS_ENABLED: booleanVar('false'),
  GOOGLE_TRENDS_BASE_URL: urlVar('https://trends.google.com'),
  GOOGLE_TRENDS_POLL_INTERVAL: numberVar('86400', { min: 1 }),
  GOOGLE_TRENDS_GEO: stringVar('US'),
};

export interface GoogleTrendsConfig {
  readonly enabled: boolean;
  readonly baseUrl: string;
  readonly intervalMs: number;
  /** Country code of the searches counted (`US`). */
  readonly geo: string;
}

export const googleTrendsConfig = (e: z.output<z.ZodObject<typeof GOOGLE_TRENDS_ENV>>): GoogleTrendsConfig => ({
  enabled: e.GOOGLE_TRENDS_ENABLED,
  baseUrl: e.GOOGLE_TRENDS_BASE_URL,
  intervalMs: e.GOOGLE_TRENDS_POLL_INTERVAL * 1000,
  geo: e.GOOGLE_TRENDS_GEO,
});
