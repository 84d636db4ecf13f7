import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_USER_AGENT, type HttpClient, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { NEWSAPI_ENV, newsApiConfig } from '../../../adapters/sentiment/newsapi/config.js';
import {
  NEWSAPI_DAILY_LIMIT,
  articleItems,
  buildQuery,
  createNewsApiProvider,
  isoSeconds,
  newsApiErrorKind,
} from '../../../adapters/sentiment/newsapi/provider.js';
import { ArticleSchema } from '../../../adapters/sentiment/newsapi/schema.js';
import type { ProviderDeps, SentimentProvider } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/newsapi/${name}`, import.meta.url), 'utf8');
const EVERYTHING = JSON.parse(fixture('everything-aapl.json')) as { articles: unknown[] } & Record<string, unknown>;
const KEY_INVALID = JSON.parse(fixture('error-api-key-invalid.json')) as object;
const RATE_LIMITED = JSON.parse(fixture('error-rate-limited.json')) as object;

const NOW = Date.parse('2024-03-15T12:00:00Z');
const KEY = 'test-newsapi-key-0123';

const testClient = (maxRetryWaitMs = 50): HttpClient =>
  createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs });

const config = (env: Record<string, string>) => newsApiConfig(z.object(NEWSAPI_ENV).parse(env));

describe('newsapi config', () => {
  it('defaults: enabled, newsapi.org, every 1800 s, no key, no names', () => {
    expect(config({})).toEqual({
      enabled: true,
      baseUrl: 'https://newsapi.org',
      intervalMs: 1_800_000,
      apiKey: undefined,
      names: {},
    });
  });

  it('reads the key and the company names', () => {
    const c = config({ NEWS_NEWSAPI_KEY: ` ${KEY} `, NEWS_NEWSAPI_QUERIES: 'AAPL=Apple,MSFT=Microsoft' });
    expect(c.apiKey).toBe(KEY);
    expect(c.names).toEqual({ AAPL: ['Apple'], MSFT: ['Microsoft'] });
  });
});

describe('newsapi helpers', () => {
  it.each([
    ['AAPL', [], '"AAPL"'],
    ['AAPL', ['Apple', 'Apple Inc'], '"AAPL" OR "Apple" OR "Apple Inc"'],
    ['AAPL', ['x'.repeat(480), 'Apple'], `"AAPL" OR "${'x'.repeat(480)}"`],
    ['AAPL', ['x'.repeat(500)], '"AAPL"'],
  ])('buildQuery(%s, %j)', (symbol, names, query) => {
    expect(buildQuery(symbol, names)).toBe(query);
    expect(query.length).toBeLessThanOrEqual(500);
  });

  it.each([
    ['apiKeyInvalid', 'auth'],
    ['apiKeyMissing', 'auth'],
    ['apiKeyDisabled', 'auth'],
    ['rateLimited', 'rate_limited'],
    ['apiKeyExhausted', 'rate_limited'],
    ['parameterInvalid', 'http'],
    ['unexpectedError', 'http'],
  ])('maps error code %s to %s', (code, kind) => {
    expect(newsApiErrorKind(code)).toBe(kind);
  });

  it('formats `from` as documented (UTC, whole seconds)', () => {
    expect(isoSeconds(Date.parse('2024-03-13T12:34:56.789Z'))).toBe('2024-03-13T12:34:56');
  });

  it('drops [Removed] placeholders and duplicate URLs, cleans HTML', () => {
    const articles = z.array(ArticleSchema).parse([...EVERYTHING.articles, EVERYTHING.articles[0]]);
    const items = articleItems(articles);
    expect(items.map((i) => i.id)).toEqual([
      'https://www.reuters.com/technology/apple-shares-surge-2024-03-14/',
      'https://finance.yahoo.com/news/why-aapl-stock-strong-buy-083000111.html',
      'https://www.theverge.com/deals/laptops-2024-03-13',
      'https://www.bloomberg.com/news/articles/2024-03-13/apple-doj-lawsuit',
    ]);
    expect(items[0]?.description).toBe(
      'Apple Inc raised its outlook on Thursday as iPhone demand in China recovered, sending shares to a record.',
    );
    expect(items[0]?.publishedMs).toBe(Date.parse('2024-03-14T09:30:00Z'));
  });
});

describe('newsapi provider', () => {
  let fake: FakeHttp;
  const deps = (http: HttpClient = testClient()): ProviderDeps => ({
    http,
    history: { readings: () => Promise.resolve([]) },
    now: () => NOW,
  });
  const provider = (env: Record<string, string> = {}, http?: HttpClient): SentimentProvider =>
    createNewsApiProvider(
      config({
        NEWS_NEWSAPI_BASE_URL: fake.url,
        NEWS_NEWSAPI_KEY: KEY,
        NEWS_NEWSAPI_QUERIES: 'AAPL=Apple',
        ...env,
      }),
      deps(http),
    );

  beforeEach(async () => {
    fake = await startFakeHttp();
    fake.on('GET', '/v2/everything', { body: EVERYTHING });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('searches the ticker and company names and scores the articles', async () => {
    const readings = await provider().fetch('AAPL');
    expect(readings).toHaveLength(1);
    const r = readings[0];
    // Four articles (the [Removed] one dropped): two positive about Apple, one negative, one
    // that matched only in its body (relevance 0.25).
    expect(r).toMatchObject({
      source: 'newsapi',
      symbol: 'AAPL',
      mentions: 4,
      sourceTs: Date.parse('2024-03-14T09:30:00Z'),
      detail: { scored: 4, totalResults: 5 },
    });
    expect(r?.score).toBeGreaterThan(0.1);
    expect(r?.score).toBeLessThan(0.4);
    expect(r?.confidence).toBeGreaterThan(0.3);
    expect(r?.confidence).toBeLessThan(0.7);

    const [req] = fake.requests;
    expect(req?.path).toBe('/v2/everything');
    expect(Object.fromEntries(req?.query ?? [])).toEqual({
      q: '"AAPL" OR "Apple"',
      from: '2024-03-13T12:00:00',
      sortBy: 'publishedAt',
      language: 'en',
      pageSize: '100',
    });
    expect(req?.headers['x-api-key']).toBe(KEY);
    expect(req?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
  });

  it('declares the free plan limit of 100 requests a day', () => {
    const http = testClient();
    provider({}, http);
    expect(http.limitState(fake.url).limit).toEqual(NEWSAPI_DAILY_LIMIT);
    expect(NEWSAPI_DAILY_LIMIT).toEqual({ requests: 100, perMs: 86_400_000 });
  });

  it('asks from the newest article seen and scores only new ones', async () => {
    const p = provider();
    await p.fetch('AAPL');
    expect(await p.fetch('AAPL')).toEqual([]);
    expect(fake.requests[1]?.query.get('from')).toBe('2024-03-14T09:30:00');

    const fresh = {
      source: { id: null, name: 'MarketWatch' },
      author: null,
      title: 'Apple stock plunges after iPhone recall',
      description: null,
      url: 'https://www.marketwatch.com/story/apple-recall',
      urlToImage: null,
      publishedAt: '2024-03-14T11:00:00Z',
      content: null,
    };
    fake.on('GET', '/v2/everything', { body: { ...EVERYTHING, articles: [fresh, ...EVERYTHING.articles] } });
    const [r] = await p.fetch('AAPL');
    expect(r).toMatchObject({ mentions: 1, sourceTs: Date.parse('2024-03-14T11:00:00Z') });
    expect(r?.score).toBeLessThan(-0.3);
  });

  it('resolves with no readings when nothing matched', async () => {
    fake.on('GET', '/v2/everything', { body: { status: 'ok', totalResults: 0, articles: [] } });
    expect(await provider().fetch('AAPL')).toEqual([]);
  });

  it.each([
    [
      '400 parameterInvalid',
      'http',
      { status: 400, body: { status: 'error', code: 'parameterInvalid', message: 'x' } },
      1,
    ],
    ['200 with an apiKeyMissing body', 'auth', { body: { status: 'error', code: 'apiKeyMissing', message: 'x' } }, 1],
    ['200 with a rateLimited body', 'rate_limited', { body: RATE_LIMITED }, 1],
    ['an HTML page', 'malformed', { body: '<html><body>Bad gateway</body></html>' }, 1],
  ])('maps %s to %s', async (_, kind, response, attempts) => {
    fake.on('GET', '/v2/everything', response);
    const error = await rejection(provider().fetch('AAPL'));
    expect(error.kind).toBe(kind);
    expect(error.message).not.toContain(KEY);
    expect(fake.requests).toHaveLength(attempts);
  });

  it('is unavailable without a key, naming the variable, and makes no request', async () => {
    const p = createNewsApiProvider(config({ NEWS_NEWSAPI_BASE_URL: fake.url }), deps());
    expect(p.availability()).toEqual({ available: false, reason: expect.stringContaining('NEWS_NEWSAPI_KEY') });
    expect((await rejection(p.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('is unavailable when disabled', () => {
    expect(provider({ NEWS_NEWSAPI_ENABLED: 'false' }).availability()).toEqual({
      available: false,
      reason: expect.stringContaining('NEWS_NEWSAPI_ENABLED'),
    });
  });
});

describeHttpFailures({
  title: 'NewsAPI',
  start: (fake, d) =>
    createNewsApiProvider(
      config({ NEWS_NEWSAPI_BASE_URL: fake.url, NEWS_NEWSAPI_KEY: KEY, NEWS_NEWSAPI_QUERIES: 'AAPL=Apple' }),
      d,
    ),
  method: 'GET',
  path: '/v2/everything',
  symbol: 'AAPL',
  good: { body: EVERYTHING },
  renamed: {
    body: {
      ...EVERYTHING,
      articles: EVERYTHING.articles.map((a) => {
        const { publishedAt, ...rest } = a as Record<string, unknown>;
        return { ...rest, published_at: publishedAt };
      }),
    },
  },
  rateLimitBody: RATE_LIMITED,
  unauthorizedBody: KEY_INVALID,
  clockStart: NOW,
  secret: KEY,
});
