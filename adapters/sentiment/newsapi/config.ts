import type { z } from 'zod';
import { booleanVar, numberVar, optionalStringVar, urlVar } from '../../config/env-fields.js';
import { companyNamesVar } from '../news/config.js';

export const NEWSAPI_ENV = {
  NEWS_NEWSAPI_ENABLED: booleanVar('true'),
  NEWS_NEWSAPI_BASE_URL: urlVar('https://newsapi.org'),
  // Free (Developer) plan: 100 requests a day. 1800 s is 48 a day per symbol, so two symbols fit.
  NEWS_NEWSAPI_POLL_INTERVAL: numberVar('1800', { min: 1 }),
  NEWS_NEWSAPI_KEY: optionalStringVar(),
  NEWS_NEWSAPI_QUERIES: companyNamesVar(),
};

export interface NewsApiConfig {
  readonly enabled: boolean;
  readonly baseUrl: string;
  readonly intervalMs: number;
  readonly apiKey: string | undefined;
  /** Company names searched for besides the ticker (`"AAPL" OR "Apple"`), per symbol. */
  readonly names: Readonly<Record<string, readonly string[]>>;
}

export const newsApiConfig = (e: z.output<z.ZodObject<typeof NEWSAPI_ENV>>): NewsApiConfig => ({
  enabled: e.NEWS_NEWSAPI_ENABLED,
  baseUrl: e.NEWS_NEWSAPI_BASE_URL,
  intervalMs: e.NEWS_NEWSAPI_POLL_INTERVAL * 1000,
  apiKey: e.NEWS_NEWSAPI_KEY,
  names: e.NEWS_NEWSAPI_QUERIES,
});
