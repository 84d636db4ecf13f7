import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ANALYST_RATINGS_ENV,
  type AnalystRatingsConfig,
  analystRatingsConfig,
} from '../../../adapters/sentiment/analyst_ratings/config.js';
import {
  FINNHUB_LIMIT,
  FMP_LIMIT,
  consensusMean,
  createAnalystRatingsProvider,
  dayStartTs,
  scoreAnalystRatings,
} from '../../../adapters/sentiment/analyst_ratings/provider.js';
import { DEFAULT_USER_AGENT, type HttpClient, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import type { ProviderDeps, ProviderReading, ReadingHistory } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const fixture = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../../fixtures/analyst_ratings/${name}`, import.meta.url), 'utf8'));

const RECOMMENDATION = fixture('finnhub-recommendation.json') as Record<string, unknown>[];
const PRICE_TARGET = fixture('finnhub-price-target.json');
const FMP_GRADES = fixture('fmp-grades-historical.json');
const FMP_TARGET = fixture('fmp-price-target-consensus.json');

/** Thursday 2026-05-14 11:00 New York. */
const NOW = Date.parse('2026-05-14T15:00:00Z');
const MAY_1_NY = Date.parse('2026-05-01T04:00:00Z');

const counts = (strongBuy: number, buy: number, hold: number, sell: number, strongSell: number) => ({
  strongBuy,
  buy,
  hold,
  sell,
  strongSell,
});

const config = (env: Record<string, string | undefined>): AnalystRatingsConfig =>
  analystRatingsConfig(z.object(ANALYST_RATINGS_ENV).parse(env));

const FINNHUB_KEY = 'finnhub-test-key';
const FMP_KEY = 'fmp-test-key';

const emptyHistory: ReadingHistory = { readings: async () => [] };

const deps = (http?: HttpClient, history: ReadingHistory = emptyHistory): ProviderDeps => ({
  http: http ?? createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 }),
  history,
  now: () => NOW,
});

describe('analyst ratings scoring', () => {
  it.each([
    ['all strong buy', counts(10, 0, 0, 0, 0), 1],
    ['all buy', counts(0, 10, 0, 0, 0), 0.5],
    ['all hold', counts(0, 0, 10, 0, 0), 0],
    ['all sell', counts(0, 0, 0, 10, 0), -0.5],
    ['all strong sell', counts(0, 0, 0, 0, 10), -1],
    ['a typical large cap', counts(13, 24, 7, 1, 0), 24.5 / 45],
    ['split bulls and bears', counts(5, 0, 0, 0, 5), 0],
  ])('consensus mean: %s', (_name, c, mean) => {
    expect(consensusMean(c)).toBeCloseTo(mean, 10);
  });

  it('has no mean and no score without analysts', () => {
    expect(consensusMean(counts(0, 0, 0, 0, 0))).toBeUndefined();
    expect(scoreAnalystRatings(counts(0, 0, 0, 0, 0), counts(3, 3, 3, 0, 0))).toBeUndefined();
  });

  it.each([
    // [latest, previous, score, drift]
    ['no previous month: the mean alone', counts(10, 0, 0, 0, 0), undefined, 1, undefined],
    ['previous month without analysts: the mean alone', counts(0, 10, 0, 0, 0), counts(0, 0, 0, 0, 0), 0.5, undefined],
    ['unchanged month: 0.7 x mean', counts(0, 10, 0, 0, 0), counts(0, 10, 0, 0, 0), 0.35, 0],
    [
      'upgrades add to the score',
      counts(13, 24, 7, 1, 0),
      counts(12, 23, 9, 1, 0),
      0.7 * (24.5 / 45) + 0.3 * Math.tanh(1.5 / 45 / 0.05),
      1.5 / 45,
    ],
    [
      'downgrades take from it',
      counts(0, 4, 12, 4, 0),
      counts(0, 8, 12, 0, 0),
      0.7 * 0 + 0.3 * Math.tanh(-0.2 / 0.05),
      -0.2,
    ],
  ])('%s', (_name, latest, previous, score, drift) => {
    const scored = scoreAnalystRatings(latest, previous);
    expect(scored?.score).toBeCloseTo(score, 10);
    if (drift === undefined) expect(scored?.drift).toBeUndefined();
    else expect(scored?.drift).toBeCloseTo(drift, 10);
  });

  it.each([
    [1, 0.05],
    [5, 0.25],
    [20, 1],
    [45, 1],
  ])('confidence with %i analysts is %d', (n, confidence) => {
    expect(scoreAnalystRatings(counts(0, n, 0, 0, 0))?.confidence).toBeCloseTo(confidence, 10);
  });

  it('dates a month at 00:00 New York on its first day', () => {
    expect(dayStartTs('2026-05-01')).toBe(MAY_1_NY);
    expect(dayStartTs('2026-01-01')).toBe(Date.parse('2026-01-01T05:00:00Z'));
  });
});

describe('analyst ratings config', () => {
  it('defaults to Finnhub every 6 hours', () => {
    expect(config({})).toEqual({
      enabled: true,
      provider: 'finnhub',
      baseUrl: 'https://finnhub.io/api/v1',
      intervalMs: 21_600_000,
      finnhubApiKey: undefined,
      fmpApiKey: undefined,
    });
  });

  it('selects FMP with its own base URL, which ANALYST_RATINGS_BASE_URL overrides', () => {
    expect(config({ ANALYST_RATINGS_PROVIDER: 'fmp' }).baseUrl).toBe('https://financialmodelingprep.com');
    expect(config({ ANALYST_RATINGS_PROVIDER: 'fmp', ANALYST_RATINGS_BASE_URL: 'http://127.0.0.1:9/' }).baseUrl).toBe(
      'http://127.0.0.1:9',
    );
  });

  it('refuses an unknown provider and a base URL that is not http(s)', () => {
    expect(() => config({ ANALYST_RATINGS_PROVIDER: 'yahoo' })).toThrow(/one of finnhub, fmp/);
    expect(() => config({ ANALYST_RATINGS_BASE_URL: 'ftp://x' })).toThrow(/http/);
  });
});

describe('analyst ratings from Finnhub', () => {
  let fake: FakeHttp;
  let cfg: AnalystRatingsConfig;
  const KEY = FINNHUB_KEY;

  beforeEach(async () => {
    fake = await startFakeHttp();
    cfg = config({ ANALYST_RATINGS_BASE_URL: fake.url, FINNHUB_API_KEY: KEY, FMP_API_KEY: 'unused' });
    fake.on('GET', '/stock/recommendation', { body: RECOMMENDATION });
    fake.on('GET', '/stock/price-target', { body: PRICE_TARGET });
  });
  afterEach(() => fake.close());

  it('scores the latest month with its upgrades, dated at the month start', async () => {
    const provider = createAnalystRatingsProvider(cfg, deps());
    expect(provider.name).toBe('analyst_ratings');
    expect(provider.intervalMs).toBe(21_600_000);
    expect(provider.availability()).toEqual({ available: true });

    const readings = await provider.fetch('AAPL');
    expect(readings).toHaveLength(1);
    const r = readings[0] as ProviderReading;
    const mean = 24.5 / 45;
    const drift = mean - 23 / 45;
    expect(r).toMatchObject({ source: 'analyst_ratings', symbol: 'AAPL', confidence: 1, mentions: 45 });
    expect(r.score).toBeCloseTo(0.7 * mean + 0.3 * Math.tanh(drift / 0.05), 10);
    expect(r.score).toBeCloseTo(0.556, 3);
    expect(r.sourceTs).toBe(MAY_1_NY);
    expect(r.detail).toMatchObject({
      provider: 'finnhub',
      period: '2026-05-01',
      counts: counts(13, 24, 7, 1, 0),
      mean: 0.544,
      previous_period: '2026-04-01',
      previous_mean: 0.511,
      drift: 0.033,
      price_target: { mean: 241.5, median: 245, high: 300, low: 184, analysts: 41, updated: '2026-05-12 00:00:00' },
      price_target_status: 'ok',
    });

    expect(fake.requests.map((q) => q.path)).toEqual(['/stock/recommendation', '/stock/price-target']);
    for (const q of fake.requests) {
      expect(q.query.get('symbol')).toBe('AAPL');
      expect(q.query.has('token')).toBe(false);
      expect(q.headers['x-finnhub-token']).toBe(KEY);
      expect(q.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    }
  });

  it('gives no new reading while the month is the same, and asks nothing more', async () => {
    let now = NOW;
    const provider = createAnalystRatingsProvider(cfg, { ...deps(), now: () => now });
    expect(await provider.fetch('AAPL')).toHaveLength(1);
    expect(await provider.fetch('AAPL')).toEqual([]);
    expect(fake.requests.map((q) => q.path)).toEqual([
      '/stock/recommendation',
      '/stock/price-target',
      '/stock/recommendation',
    ]);

    // A new month is a new reading.
    fake.on('GET', '/stock/recommendation', {
      body: [{ ...RECOMMENDATION[0], period: '2026-06-01', strongBuy: 14, buy: 23 }, ...RECOMMENDATION],
    });
    now = Date.parse('2026-06-02T15:00:00Z');
    const [june] = await provider.fetch('AAPL');
    expect(june?.sourceTs).toBe(Date.parse('2026-06-01T04:00:00Z'));
    expect(june?.detail).toMatchObject({ period: '2026-06-01', previous_period: '2026-05-01' });
  });

  it('after a restart, a month already stored gives no reading', async () => {
    const asked: [string, number, number][] = [];
    const history: ReadingHistory = {
      readings: async (symbol, from, to) => {
        asked.push([symbol, from, to]);
        return [{ source: 'analyst_ratings', symbol, score: 0.5, confidence: 1, mentions: 45, sourceTs: MAY_1_NY }];
      },
    };
    const provider = createAnalystRatingsProvider(cfg, deps(undefined, history));
    expect(await provider.fetch('AAPL')).toEqual([]);
    expect(asked).toEqual([['AAPL', MAY_1_NY, NOW]]);
    expect(fake.requests.map((q) => q.path)).toEqual(['/stock/recommendation']);
  });

  it('reads on when the history cannot be read (a repeat is better than a loss)', async () => {
    const history: ReadingHistory = {
      readings: () => Promise.reject(new Error('database is locked')),
    };
    const provider = createAnalystRatingsProvider(cfg, deps(undefined, history));
    expect(await provider.fetch('AAPL')).toHaveLength(1);
  });

  it('reads from the recommendations alone when the price target is premium (403), and stops asking', async () => {
    fake.on('GET', '/stock/price-target', { status: 403, body: { error: "You don't have access to this resource." } });
    const provider = createAnalystRatingsProvider(cfg, deps());
    const [r] = await provider.fetch('AAPL');
    expect(r?.score).toBeCloseTo(0.556, 3);
    expect(r?.detail).toMatchObject({ price_target: null, price_target_status: 'not_in_plan' });

    fake.on('GET', '/stock/recommendation', { body: RECOMMENDATION.slice(0, 2) });
    const [again] = await provider.fetch('MSFT');
    expect(again).toBeUndefined(); // the rows are AAPL's: nothing about MSFT
    fake.on('GET', '/stock/recommendation', {
      body: RECOMMENDATION.map((row) => ({ ...row, symbol: 'MSFT' })),
    });
    const [msft] = await provider.fetch('MSFT');
    expect(msft?.detail).toMatchObject({ price_target_status: 'not_in_plan' });
    expect(fake.requests.filter((q) => q.path === '/stock/price-target')).toHaveLength(1);
  });

  it('keeps the reading when the price target fails otherwise, saying why', async () => {
    fake.on('GET', '/stock/price-target', { status: 500 });
    const [r] = await createAnalystRatingsProvider(cfg, deps()).fetch('AAPL');
    expect(r?.detail).toMatchObject({ price_target: null, price_target_status: 'http' });
  });

  it('has nothing to say about a symbol without coverage', async () => {
    fake.on('GET', '/stock/recommendation', { body: [] });
    expect(await createAnalystRatingsProvider(cfg, deps()).fetch('AAPL')).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('scores a first month without a previous one from the mean alone', async () => {
    fake.on('GET', '/stock/recommendation', { body: RECOMMENDATION.slice(0, 1) });
    const [r] = await createAnalystRatingsProvider(cfg, deps()).fetch('aapl');
    expect(r?.symbol).toBe('AAPL');
    expect(r?.score).toBeCloseTo(24.5 / 45, 10);
    expect(r?.detail).toMatchObject({ previous_period: null, previous_mean: null, drift: null });
  });

  it('ignores a month that has not started yet', async () => {
    fake.on('GET', '/stock/recommendation', { body: [{ ...RECOMMENDATION[0], period: '2026-06-01' }] });
    expect(await createAnalystRatingsProvider(cfg, deps()).fetch('AAPL')).toEqual([]);
  });

  it('declares the Finnhub limit on its host', () => {
    const http = createHttpClient();
    createAnalystRatingsProvider(cfg, deps(http));
    expect(http.limitState(fake.url).limit).toEqual(FINNHUB_LIMIT);
    expect((FINNHUB_LIMIT.requests / FINNHUB_LIMIT.perMs) * 60_000).toBe(60);
  });

  it('is unavailable without FINNHUB_API_KEY, and asks nothing', async () => {
    const provider = createAnalystRatingsProvider(
      config({ ANALYST_RATINGS_BASE_URL: fake.url, FMP_API_KEY: 'set-but-not-chosen' }),
      deps(),
    );
    const state = provider.availability();
    expect(state.available).toBe(false);
    expect(!state.available && state.reason).toMatch(/FINNHUB_API_KEY/);
    expect((await rejection(provider.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('is unavailable when disabled', async () => {
    const provider = createAnalystRatingsProvider({ ...cfg, enabled: false }, deps());
    expect(provider.availability()).toEqual({ available: false, reason: 'ANALYST_RATINGS_ENABLED is false' });
    expect((await rejection(provider.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a symbol that is not a ticker without asking', async () => {
    const err = await rejection(createAnalystRatingsProvider(cfg, deps()).fetch('AAPL; DROP'));
    expect(err.kind).toBe('config');
    expect(err.message).toMatch(/not a ticker/);
    expect(fake.requests).toHaveLength(0);
  });

  it('names the renamed field when the recommendations change shape', async () => {
    const renamed = RECOMMENDATION.map(({ strongBuy, ...rest }) => ({ ...rest, strong_buy: strongBuy }));
    fake.on('GET', '/stock/recommendation', { body: renamed });
    const err = await rejection(createAnalystRatingsProvider(cfg, deps()).fetch('AAPL'));
    expect(err.kind).toBe('schema');
    expect(err.message).toMatch(/strongBuy/);
  });
});

describeHttpFailures({
  title: 'Finnhub recommendations',
  start: (fake, d) => {
    fake.on('GET', '/stock/price-target', { body: PRICE_TARGET });
    const cfg = config({ ANALYST_RATINGS_BASE_URL: fake.url, FINNHUB_API_KEY: FINNHUB_KEY });
    return createAnalystRatingsProvider(cfg, d);
  },
  method: 'GET',
  path: '/stock/recommendation',
  symbol: 'AAPL',
  good: { body: RECOMMENDATION },
  renamed: { body: RECOMMENDATION.map(({ strongBuy, ...rest }) => ({ ...rest, strong_buy: strongBuy })) },
  rateLimitBody: { error: 'API limit reached. Please try again later.' },
  clockStart: NOW,
  secret: FINNHUB_KEY,
});

describe('analyst ratings from FMP', () => {
  let fake: FakeHttp;
  let cfg: AnalystRatingsConfig;
  const KEY = FMP_KEY;

  beforeEach(async () => {
    fake = await startFakeHttp();
    cfg = config({ ANALYST_RATINGS_PROVIDER: 'fmp', ANALYST_RATINGS_BASE_URL: fake.url, FMP_API_KEY: KEY });
    fake.on('GET', '/stable/grades-historical', { body: FMP_GRADES });
    fake.on('GET', '/stable/price-target-consensus', { body: FMP_TARGET });
  });
  afterEach(() => fake.close());

  it('scores the latest month of grades, dated at the month start, the key in the query', async () => {
    const readings = await createAnalystRatingsProvider(cfg, deps()).fetch('AAPL');
    expect(readings).toHaveLength(1);
    const r = readings[0] as ProviderReading;
    const mean = 16 / 48;
    expect(r).toMatchObject({ source: 'analyst_ratings', symbol: 'AAPL', confidence: 1, mentions: 48 });
    expect(r.score).toBeCloseTo(0.7 * mean + 0.3 * Math.tanh((mean - 15 / 48) / 0.05), 10);
    expect(r.score).toBeCloseTo(0.352, 3);
    expect(r.sourceTs).toBe(MAY_1_NY);
    expect(r.detail).toMatchObject({
      provider: 'fmp',
      period: '2026-05-01',
      previous_period: '2026-04-01',
      price_target: { mean: 241.5, median: 245, high: 300, low: 184, analysts: null, updated: null },
      price_target_status: 'ok',
    });

    const [grades, target] = fake.requests;
    expect(grades?.path).toBe('/stable/grades-historical');
    expect(Object.fromEntries(grades?.query ?? [])).toEqual({ symbol: 'AAPL', limit: '2', apikey: KEY });
    expect(target?.path).toBe('/stable/price-target-consensus');
    expect(Object.fromEntries(target?.query ?? [])).toEqual({ symbol: 'AAPL', apikey: KEY });
    for (const q of fake.requests) {
      expect(q.headers['x-finnhub-token']).toBeUndefined();
      expect(q.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    }
  });

  it('keeps the reading when the target is not in the plan (402)', async () => {
    fake.on('GET', '/stable/price-target-consensus', { status: 402, body: 'Restricted Endpoint' });
    const [r] = await createAnalystRatingsProvider(cfg, deps()).fetch('AAPL');
    expect(r?.detail).toMatchObject({ price_target: null, price_target_status: 'http' });
  });

  it('declares the FMP daily budget on its host', () => {
    const http = createHttpClient();
    createAnalystRatingsProvider(cfg, deps(http));
    expect(http.limitState(fake.url).limit).toEqual(FMP_LIMIT);
    expect((FMP_LIMIT.requests / FMP_LIMIT.perMs) * 86_400_000).toBeCloseTo(250, 6);
  });

  it('is unavailable without FMP_API_KEY even when the Finnhub key is set', async () => {
    const provider = createAnalystRatingsProvider(
      config({ ANALYST_RATINGS_PROVIDER: 'fmp', ANALYST_RATINGS_BASE_URL: fake.url, FINNHUB_API_KEY: 'x' }),
      deps(),
    );
    const state = provider.availability();
    expect(!state.available && state.reason).toMatch(/FMP_API_KEY/);
    expect((await rejection(provider.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('an error object where the array belongs is schema', async () => {
    fake.on('GET', '/stable/grades-historical', { body: { 'Error Message': 'Limit Reach' } });
    expect((await rejection(createAnalystRatingsProvider(cfg, deps()).fetch('AAPL'))).kind).toBe('schema');
  });
});

describeHttpFailures({
  title: 'FMP grades',
  start: (fake, d) => {
    fake.on('GET', '/stable/price-target-consensus', { body: FMP_TARGET });
    const cfg = config({ ANALYST_RATINGS_PROVIDER: 'fmp', ANALYST_RATINGS_BASE_URL: fake.url, FMP_API_KEY: FMP_KEY });
    return createAnalystRatingsProvider(cfg, d);
  },
  method: 'GET',
  path: '/stable/grades-historical',
  symbol: 'AAPL',
  good: { body: FMP_GRADES },
  renamed: {
    body: (FMP_GRADES as Record<string, unknown>[]).map(({ symbol, ...rest }) => ({ ...rest, ticker: symbol })),
  },
  rateLimitBody: {
    'Error Message':
      'Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/',
  },
  clockStart: NOW,
  secret: FMP_KEY,
});
