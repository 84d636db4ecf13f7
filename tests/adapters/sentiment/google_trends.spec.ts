import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GOOGLE_TRENDS_ENV, googleTrendsConfig } from '../../../adapters/sentiment/google_trends/config.js';
import {
  MAX_ATTENTION_CONFIDENCE,
  TRENDS_HOST_LIMIT,
  attention,
  createGoogleTrendsProvider,
  parseTrendsJson,
} from '../../../adapters/sentiment/google_trends/provider.js';
import {
  ExploreResponseSchema,
  MultilineResponseSchema,
  type TimelinePoint,
} from '../../../adapters/sentiment/google_trends/schema.js';
import { DEFAULT_USER_AGENT, type HttpClient, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { ProviderError } from '../../../adapters/sentiment/http/provider-error.js';
import { RateLimiter } from '../../../adapters/sentiment/http/rate-limiter.js';
import type { ProviderDeps, SentimentProvider } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/google_trends/${name}`, import.meta.url), 'utf8');
const EXPLORE = fixture('explore-aapl.txt');
const MULTILINE = fixture('multiline-aapl.txt');
const SORRY = fixture('sorry.html');

const LAST_POINT = Date.parse('2024-03-13T16:00:00Z');
const NOW = Date.parse('2024-03-13T16:30:00Z');
const HOUR = 3_600_000;

const testClient = (maxRetryWaitMs = 50): HttpClient =>
  createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs });

const config = (env: Record<string, string>) => googleTrendsConfig(z.object(GOOGLE_TRENDS_ENV).parse(env));

/** Hourly points ending at LAST_POINT: `previous` for 6 days, then `recent` for the last 24 h. */
const series = (previous: number, recent: number): TimelinePoint[] =>
  Array.from({ length: 168 }, (_, i) => {
    const hoursBack = 167 - i;
    return { time: String((LAST_POINT - hoursBack * HOUR) / 1000), value: [hoursBack < 24 ? recent : previous] };
  });

describe('google_trends config', () => {
  it('is off by default, daily, US', () => {
    expect(config({})).toEqual({
      enabled: false,
      baseUrl: 'https://trends.google.com',
      intervalMs: 86_400_000,
      geo: 'US',
    });
  });
});

describe('attention scoring', () => {
  it.each([
    { name: 'flat interest', previous: 30, recent: 30, score: [0, 0] },
    { name: 'interest doubling', previous: 20, recent: 41, score: [0.25, 0.35] },
    { name: 'a surge from nothing', previous: 0, recent: 100, score: [0.49, 0.5] },
    { name: 'interest halving', previous: 41, recent: 20, score: [-0.35, -0.25] },
    { name: 'interest vanishing', previous: 100, recent: 0, score: [-0.5, -0.49] },
  ])('$name', ({ previous, recent, score }) => {
    const a = attention(series(previous, recent));
    expect(a?.score).toBeGreaterThanOrEqual(score[0] ?? NaN);
    expect(a?.score).toBeLessThanOrEqual(score[1] ?? NaN);
    expect(a?.confidence).toBe(MAX_ATTENTION_CONFIDENCE);
    expect(a?.mentions).toBe(recent);
    expect(a?.sourceTs).toBe(LAST_POINT);
    expect(a?.recentPoints).toBe(24);
    expect(a?.previousPoints).toBe(144);
  });

  it('has no confidence without search volume', () => {
    expect(attention(series(0, 0))).toMatchObject({ score: 0, confidence: 0 });
  });

  it('lowers confidence for short series and needs both windows', () => {
    const short = series(20, 40).slice(-30);
    const a = attention(short);
    expect(a?.previousPoints).toBe(6);
    expect(a?.confidence).toBeCloseTo(MAX_ATTENTION_CONFIDENCE * (6 / 72), 10);
    expect(attention(series(20, 40).slice(-24))).toBeUndefined();
    expect(attention([])).toBeUndefined();
  });

  it('leaves the partial hour out of the means but reports it as latest', () => {
    const points = series(20, 40);
    const last = points.length - 1;
    points[last] = { ...points[last], time: String(LAST_POINT / 1000), value: [1], isPartial: true };
    const a = attention(points);
    expect(a?.recentMean).toBe(40);
    expect(a?.recentPoints).toBe(23);
    expect(a?.mentions).toBe(1);
    expect(a?.sourceTs).toBe(LAST_POINT);
  });

  it('sorts points by time', () => {
    const a = attention(series(20, 40).reverse());
    expect(a?.sourceTs).toBe(LAST_POINT);
    expect(a?.mentions).toBe(40);
  });
});

describe('parseTrendsJson', () => {
  it('strips both anti-XSSI prefixes', () => {
    expect(parseTrendsJson(EXPLORE, 'https://t.example/e', ExploreResponseSchema).widgets[0]?.id).toBe('TIMESERIES');
    expect(
      parseTrendsJson(MULTILINE, 'https://t.example/m', MultilineResponseSchema).default.timelineData,
    ).toHaveLength(168);
  });

  it.each([
    ['an HTML page', SORRY, 'malformed'],
    ['JSON without the prefix', '{"widgets":[]}', 'malformed'],
    ['the prefix and broken JSON', ')]}\'\n{"widgets":[', 'malformed'],
    ['the prefix and the wrong shape', ')]}\'\n{"widget":[]}', 'schema'],
  ])('rejects %s', (_, body, kind) => {
    let error: unknown;
    try {
      parseTrendsJson(body, 'https://t.example/e?req=x', ExploreResponseSchema);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe(kind);
  });
});

describe('google_trends provider', () => {
  let fake: FakeHttp;
  let now: number;
  const deps = (http: HttpClient = testClient()): ProviderDeps => ({
    http,
    history: { readings: () => Promise.resolve([]) },
    now: () => now,
  });
  const provider = (env: Record<string, string> = {}, http?: HttpClient): SentimentProvider =>
    createGoogleTrendsProvider(
      config({ GOOGLE_TRENDS_ENABLED: 'true', GOOGLE_TRENDS_BASE_URL: fake.url, ...env }),
      deps(http),
    );
  const exploreRequests = () => fake.requests.filter((r) => r.path === '/trends/api/explore');
  const dataRequests = () => fake.requests.filter((r) => r.path === '/trends/api/widgetdata/multiline');

  beforeEach(async () => {
    now = NOW;
    fake = await startFakeHttp();
    fake.on('GET', '/trends/api/explore', { headers: { 'content-type': 'application/json' }, body: EXPLORE });
    fake.on('GET', '/trends/api/widgetdata/multiline', {
      headers: { 'content-type': 'application/json' },
      body: MULTILINE,
    });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('turns a week of search interest into a small, low-confidence attention reading', async () => {
    const readings = await provider().fetch('AAPL');
    expect(readings).toHaveLength(1);
    const r = readings[0];
    expect(r).toMatchObject({
      source: 'google_trends',
      symbol: 'AAPL',
      confidence: MAX_ATTENTION_CONFIDENCE,
      mentions: 41,
      sourceTs: LAST_POINT,
      detail: { keyword: 'AAPL stock', recentPoints: 23, previousPoints: 144 },
    });
    // Interest roughly tripled in the last day: clearly positive, never beyond 0.5.
    expect(r?.score).toBeGreaterThan(0.35);
    expect(r?.score).toBeLessThan(0.5);

    const [explore] = exploreRequests();
    expect(explore?.query.get('hl')).toBe('en-US');
    expect(explore?.query.get('tz')).toBe('0');
    expect(JSON.parse(explore?.query.get('req') ?? '')).toEqual({
      comparisonItem: [{ keyword: 'AAPL stock', geo: 'US', time: 'now 7-d' }],
      category: 0,
      property: '',
    });
    expect(explore?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);

    const [data] = dataRequests();
    const timeseries = parseTrendsJson(EXPLORE, 'https://t.example', ExploreResponseSchema).widgets[0];
    expect(data?.query.get('token')).toBe(timeseries?.token);
    expect(JSON.parse(data?.query.get('req') ?? '')).toEqual(timeseries?.request);
    expect(data?.query.get('tz')).toBe('0');
  });

  it('uses the configured geo', async () => {
    await provider({ GOOGLE_TRENDS_GEO: 'GB' }).fetch('AAPL');
    expect(JSON.parse(exploreRequests()[0]?.query.get('req') ?? '').comparisonItem[0].geo).toBe('GB');
  });

  it('asks Google once per symbol per UTC day', async () => {
    // The host bucket (5 a minute) refills on the test's clock, so six calls need not wait 12 s.
    const limiter = new RateLimiter({ now: () => now });
    const p = provider({}, createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, limiter }));
    expect(await p.fetch('AAPL')).toHaveLength(1);
    now += 6 * HOUR;
    expect(await p.fetch('AAPL')).toEqual([]);
    expect(exploreRequests()).toHaveLength(1);
    await p.fetch('MSFT');
    expect(exploreRequests()).toHaveLength(2);
    now = Date.parse('2024-03-14T00:00:01Z');
    expect(await p.fetch('AAPL')).toHaveLength(1);
    expect(exploreRequests()).toHaveLength(3);
  });

  it('tries again the same day after a failure', async () => {
    fake.on('GET', '/trends/api/explore', [{ status: 404 }, { body: EXPLORE }]);
    const p = provider();
    expect((await rejection(p.fetch('AAPL'))).kind).toBe('http');
    expect(await p.fetch('AAPL')).toHaveLength(1);
  });

  it('resolves with no readings when Google has no data', async () => {
    fake.on('GET', '/trends/api/widgetdata/multiline', { body: ')]}\',\n{"default":{"timelineData":[]}}' });
    expect(await provider().fetch('AAPL')).toEqual([]);
  });

  it('declares a slow host limit', () => {
    const http = testClient();
    provider({}, http);
    expect(http.limitState(fake.url).limit).toEqual(TRENDS_HOST_LIMIT);
  });

  it.each([
    ['429 with an HTML page', 'rate_limited', { status: 429, body: SORRY }],
    ['an HTML page with 200', 'malformed', { headers: { 'content-type': 'text/html' }, body: SORRY }],
    ['no TIMESERIES widget', 'schema', { body: EXPLORE.replaceAll('"TIMESERIES"', '"TIME_SERIES"') }],
    ['a widget without a token', 'schema', { body: EXPLORE.replace(/"token":"[^"]+",("id":"TIMESERIES")/, '$1') }],
  ])('maps explore answering %s to %s', async (_, kind, response) => {
    fake.on('GET', '/trends/api/explore', response);
    const error = await rejection(provider().fetch('AAPL'));
    expect(error.kind).toBe(kind);
    expect(dataRequests()).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', 'malformed', { body: ')]}\',\n{"default":{' }],
    ['a renamed field', 'schema', { body: MULTILINE.replaceAll('"timelineData"', '"timeline"') }],
    ['a value that is not a list', 'schema', { body: MULTILINE.replace(/"value":\[(\d+)\]/, '"value":$1') }],
  ])('maps widget data answering %s to %s', async (_, kind, response) => {
    fake.on('GET', '/trends/api/widgetdata/multiline', response);
    expect((await rejection(provider().fetch('AAPL'))).kind).toBe(kind);
  });

  it('is unavailable by default and then makes no request', async () => {
    const p = createGoogleTrendsProvider(config({ GOOGLE_TRENDS_BASE_URL: fake.url }), deps());
    expect(p.availability()).toEqual({ available: false, reason: expect.stringContaining('GOOGLE_TRENDS_ENABLED') });
    expect((await rejection(p.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
    expect(p.intervalMs).toBe(86_400_000);
  });
});

describeHttpFailures({
  title: 'Google Trends explore',
  start: (fake, d) => {
    fake.on('GET', '/trends/api/widgetdata/multiline', {
      headers: { 'content-type': 'application/json' },
      body: MULTILINE,
    });
    return createGoogleTrendsProvider(config({ GOOGLE_TRENDS_ENABLED: 'true', GOOGLE_TRENDS_BASE_URL: fake.url }), d);
  },
  method: 'GET',
  path: '/trends/api/explore',
  symbol: 'AAPL',
  good: { headers: { 'content-type': 'application/json' }, body: EXPLORE },
  renamed: { body: EXPLORE.replace('"widgets"', '"widgetList"') },
  rateLimitBody: { error: 'Too Many Requests' },
  clockStart: NOW,
});
