import type { z } from 'zod';
import { booleanVar, numberVar, urlVar } from '../../config/env-fields.js';

/** StockTwits public symbol streams: no key, about 200 requests per hour per IP. */
export const STOCKTWITS_ENV = {
  STOCKTWITS_ENABLED: booleanVar('true'),
  STOCKTWITS_BASE_URL: urlVar('https://api.stocktwits.com'),
  STOCKTWITS_POLL_INTERVAL: numberVar('600', { min: 1 }),
};

export interface StocktwitsConfig {
  readonly enabled: boolean;
  readonly baseUrl: string;
  readonly intervalMs: number;
}

export const stocktwitsConfig = (e: z.output<z.ZodObject<typeof STOCKTWITS_ENV>>): StocktwitsConfig => ({
  enabled: e.STOCKTWITS_ENABLED,
  baseUrl: e.STOCKTWITS_BASE_URL,
  intervalMs: e.STOCKTWITS_POLL_INTERVAL * 1000,
});
