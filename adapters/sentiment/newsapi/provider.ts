import { ProviderError, type ProviderErrorKind, redactUrl } from '../http/provider-error.js';
import type { HostLimit } from '../http/rate-limiter.js';
import type { Availability, ProviderDeps, ProviderReading, SentimentProvider } from '../provider.js';
import {
  type SeenMark,
  type WeightedArticle,
  advanceMark,
  articleRelevance,
  articlesReading,
  stripHtml,
  unseen,
} from '../news/provider.js';
import type { NewsApiConfig } from './config.js';
import { type Article, EverythingResponseSchema } from './schema.js';

/** Developer (free) plan: 100 requests a day (https://newsapi.org/pricing). */
export const NEWSAPI_DAILY_LIMIT: HostLimit = { requests: 100, perMs: 86_400_000 };

/** The free plan serves articles with a 24 h delay, so the first search looks two days back. */
export const NEWSAPI_LOOKBACK_MS = 48 * 3_600_000;

/**
 * The search matched the article somewhere (possibly only in its body), so it counts a little even
 * when title and description do not name the symbol.
 */
export const NEWSAPI_RELEVANCE_FLOOR = 0.25;

/** NewsAPI's limit on `q`. */
const MAX_QUERY_LENGTH = 500;

/** `"AAPL" OR "Apple" OR "Apple Inc"`: names that would push it past 500 characters are left out. */
export const buildQuery = (symbol: string, names: readonly string[]): string => {
  let query = `"${symbol}"`;
  for (const name of names) {
    const next = `${query} OR "${name}"`;
    if (next.length > MAX_QUERY_LENGTH) break;
    query = next;
  }
  return query;
};

/** The error `code` of a NewsAPI error body (https://newsapi.org/docs/errors) as our error kind. */
export const newsApiErrorKind = (code: string): ProviderErrorKind => {
  switch (code) {
    case 'apiKeyInvalid':
    case 'apiKeyMissing':
    case 'apiKeyDisabled':
      return 'auth';
    case 'rateLimited':
    case 'apiKeyExhausted':
      return 'rate_limited';
    default:
      return 'http';
  }
};

/** `2024-03-13T14:05:00`: the ISO 8601 form the docs show for `from` (UTC, whole seconds). */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

interface Item {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly publishedMs: number;
}

/** Articles as items; `[Removed]` placeholders (articles taken down) are dropped, duplicates by URL too. */
export const articleItems = (articles: readonly Article[]): readonly Item[] => {
  const seen = new Set<string>();
  const items: Item[] = [];
  for (const a of articles) {
    if (a.title === '[Removed]' || seen.has(a.url)) continue;
    seen.add(a.url);
    items.push({
      id: a.url,
      title: stripHtml(a.title),
      description: stripHtml(a.description ?? ''),
      publishedMs: Date.parse(a.publishedAt),
    });
  }
  return items;
};

/**
 * NewsAPI `/v2/everything`: English articles matching `"<SYMBOL>"` or one of the symbol's configured
 * company names, newest first, since the newest article already seen (at most two days back: the
 * free plan delays articles by 24 h, so its readings are a day old). Scored like RSS news
 * (`scoreArticles`: title and description, headline weighted double, relevance-weighted, with a
 * relevance floor of 0.25 because the search already matched the article). `sourceTs`: the newest
 * new article's `publishedAt`. The free plan allows 100 requests a day: the host limit is declared
 * so, and the default interval (1800 s) fits two symbols.
 */
export const createNewsApiProvider = (config: NewsApiConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, NEWSAPI_DAILY_LIMIT);
  const marks = new Map<string, SeenMark>();

  const availability = (): Availability =>
    !config.enabled
      ? { available: false, reason: 'disabled (NEWS_NEWSAPI_ENABLED=false)' }
      : config.apiKey === undefined
        ? { available: false, reason: 'NEWS_NEWSAPI_KEY is not set' }
        : { available: true };

  return {
    name: 'newsapi',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (symbol): Promise<readonly ProviderReading[]> => {
      const state = availability();
      if (!state.available || config.apiKey === undefined)
        throw new ProviderError('config', `newsapi: ${state.available ? 'no API key' : state.reason}`);
      const key = symbol.toUpperCase();
      const names = config.names[key] ?? [];
      const now = deps.now();
      const mark = marks.get(key);
      const params = new URLSearchParams({
        q: buildQuery(key, names),
        from: isoSeconds(Math.max(now - NEWSAPI_LOOKBACK_MS, mark?.ts ?? -Infinity)),
        sortBy: 'publishedAt',
        language: 'en',
        pageSize: '100',
      });
      const url = `${config.baseUrl}/v2/everything?${params.toString()}`;
      const body = await deps.http.json('newsapi', url, EverythingResponseSchema, {
        headers: { 'X-Api-Key': config.apiKey },
      });
      if (body.status === 'error')
        // The message is NewsAPI's own text; the code is enough and can never echo a key.
        throw new ProviderError(newsApiErrorKind(body.code), `${redactUrl(url)}: NewsAPI error ${body.code}`, {
          url: redactUrl(url),
        });

      const items = articleItems(body.articles);
      const articles: WeightedArticle[] = unseen(items, mark).map((it) => ({
        title: it.title,
        description: it.description,
        relevance: articleRelevance(it.title, it.description, key, names, NEWSAPI_RELEVANCE_FLOOR),
        publishedMs: it.publishedMs,
      }));
      const next = advanceMark(mark, items);
      if (next !== undefined) marks.set(key, next);

      return articlesReading('newsapi', symbol, articles, now, { totalResults: body.totalResults });
    },
  };
};
