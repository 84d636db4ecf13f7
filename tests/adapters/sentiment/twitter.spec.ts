import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TWITTER_ENV, type TwitterConfig, twitterConfig } from '../../../adapters/sentiment/twitter/config.js';
import { combineScores, engagementWeight } from '../../../adapters/sentiment/text/social-score.js';
import {
  createTwitterProvider,
  scoreTweet,
  tweetQuery,
  tweetsReading,
} from '../../../adapters/sentiment/twitter/provider.js';
import type { Tweet } from '../../../adapters/sentiment/twitter/schema.js';
import type { ProviderDeps } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import {
  type Clock,
  describeHttpFailures,
  expectConfigRejection,
  fixture,
  makeDeps,
  rejection,
} from './provider-helpers.js';

const NOW = Date.parse('2025-03-10T15:00:00Z');
const PATH = '/2/tweets/search/recent';
const load = (name: string) => fixture('twitter', name);

const configFor = (fake: FakeHttp, overrides: Partial<TwitterConfig> = {}): TwitterConfig => ({
  enabled: true,
  baseUrl: fake.url,
  intervalMs: 900_000,
  bearerToken: 'test-bearer-token',
  maxResults: 100,
  ...overrides,
});

const tweet = (text: string, likes = 0, retweets = 0): Tweet => ({
  id: '1',
  text,
  created_at: '2025-03-10T14:00:00.000Z',
  public_metrics: { retweet_count: retweets, reply_count: 0, like_count: likes, quote_count: 0 },
});

describe('twitter config', () => {
  const parse = (env: Record<string, string>) => twitterConfig(z.object(TWITTER_ENV).parse(env));

  it('is off by default and points at api.x.com', () => {
    expect(parse({})).toEqual({
      enabled: false,
      baseUrl: 'https://api.x.com',
      intervalMs: 900_000,
      bearerToken: undefined,
      maxResults: 100,
    });
  });

  it('reads the token and options', () => {
    const c = parse({
      TWITTER_ENABLED: 'true',
      TWITTER_BEARER_TOKEN: 'abc',
      TWITTER_MAX_RESULTS: '50',
      TWITTER_POLL_INTERVAL: '60',
    });
    expect(c).toMatchObject({ enabled: true, bearerToken: 'abc', maxResults: 50, intervalMs: 60_000 });
  });

  it('refuses max_results outside 10..100', () => {
    expect(() => parse({ TWITTER_MAX_RESULTS: '500' })).toThrow(/between 10 and 100/);
  });
});

describe('twitter provider', () => {
  let fake: FakeHttp;
  let clock: Clock;
  let deps: ProviderDeps;

  beforeEach(async () => {
    fake = await startFakeHttp();
    clock = { now: NOW };
    deps = makeDeps(clock);
  });
  afterEach(() => fake.close());

  it('is unavailable while disabled, and fetch makes no request', async () => {
    const provider = createTwitterProvider(configFor(fake, { enabled: false }), deps);
    await expectConfigRejection(provider, fake, 'AAPL', 'TWITTER_ENABLED');
  });

  it('is unavailable without a bearer token, and fetch makes no request', async () => {
    const provider = createTwitterProvider(configFor(fake, { bearerToken: undefined }), deps);
    await expectConfigRejection(provider, fake, 'AAPL', 'TWITTER_BEARER_TOKEN');
  });

  it('is available with a token', () => {
    expect(createTwitterProvider(configFor(fake), deps).availability()).toEqual({ available: true });
  });

  it('scores a page of tweets into one reading', async () => {
    fake.on('GET', PATH, { body: load('search-recent-aapl.json') });
    const provider = createTwitterProvider(configFor(fake), deps);

    const [reading, ...rest] = await provider.fetch('AAPL');

    expect(rest).toHaveLength(0);
    expect(reading).toMatchObject({ source: 'twitter', symbol: 'AAPL', mentions: 6 });
    expect(reading?.sourceTs).toBe(Date.parse('2025-03-10T14:52:11.000Z'));
    // Four bullish tweets (one viral) against one well-liked bearish one: positive, not unanimous.
    expect(reading?.score).toBeGreaterThan(0.3);
    expect(reading?.score).toBeLessThan(0.6);
    // Five tweets had lexicon hits: 1 - exp(-5/20) = 0.221, lowered by the bearish dissent.
    expect(reading?.confidence).toBeGreaterThan(0.1);
    expect(reading?.confidence).toBeLessThan(0.2);
    expect(reading?.detail).toMatchObject({ scored: 5, truncated: false });

    const [req] = fake.requests;
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe(PATH);
    expect(req?.query.get('query')).toBe('$AAPL -is:retweet lang:en');
    expect(req?.query.get('max_results')).toBe('100');
    expect(req?.query.get('tweet.fields')).toBe('created_at,public_metrics,lang');
    // First poll: the last day only, in X's second-precision format; no since_id yet.
    expect(req?.query.get('start_time')).toBe('2025-03-09T15:00:00Z');
    expect(req?.query.has('since_id')).toBe(false);
    expect(req?.headers.authorization).toBe('Bearer test-bearer-token');
    expect(req?.headers['user-agent']).toMatch(/ibkr-trading-bot/);
  });

  it('polls with since_id, gives no reading when nothing is new, and scores only new tweets', async () => {
    fake.on('GET', PATH, [
      { body: load('search-recent-aapl.json') },
      { body: load('search-recent-empty.json') },
      { body: load('search-recent-newer.json') },
      { body: load('search-recent-empty.json') },
    ]);
    const provider = createTwitterProvider(configFor(fake), deps);

    await provider.fetch('AAPL');
    clock.now = NOW + 300_000;
    expect(await provider.fetch('AAPL')).toEqual([]);
    clock.now = NOW + 600_000;
    const [reading] = await provider.fetch('AAPL');
    await provider.fetch('AAPL');

    const sinceIds = fake.requests.map((r) => r.query.get('since_id'));
    expect(sinceIds).toEqual([null, '1899112345678900006', '1899112345678900006', '1899115555555500008']);
    expect(fake.requests.slice(1).every((r) => !r.query.has('start_time'))).toBe(true);
    expect(reading).toMatchObject({ mentions: 2, sourceTs: Date.parse('2025-03-10T15:04:40.000Z') });
    expect(reading?.score).toBeLessThan(-0.5);
    // More new tweets than one page: the reading says only the newest page was read.
    expect(reading?.detail).toMatchObject({ truncated: true });
  });

  it('does not rescore tweets the API sends again despite since_id', async () => {
    fake.on('GET', PATH, { body: load('search-recent-aapl.json') });
    const provider = createTwitterProvider(configFor(fake), deps);
    expect(await provider.fetch('AAPL')).toHaveLength(1);
    expect(await provider.fetch('AAPL')).toEqual([]);
  });

  it('starts over with start_time when the remembered tweet is too old for since_id', async () => {
    fake.on('GET', PATH, [{ body: load('search-recent-aapl.json') }, { body: load('search-recent-empty.json') }]);
    const provider = createTwitterProvider(configFor(fake), deps);
    await provider.fetch('AAPL');
    clock.now = NOW + 7 * 24 * 3_600_000;
    await provider.fetch('AAPL');
    expect(fake.requests[1]?.query.has('since_id')).toBe(false);
    expect(fake.requests[1]?.query.get('start_time')).toBe('2025-03-16T15:00:00Z');
  });

  it('searches a dotted ticker by its cashtag $BRK.B', async () => {
    fake.on('GET', PATH, { body: load('search-recent-brk.json') });
    const provider = createTwitterProvider(configFor(fake), deps);
    const [reading] = await provider.fetch('brk.b');
    expect(fake.requests[0]?.query.get('query')).toBe('$BRK.B -is:retweet lang:en');
    expect(reading).toMatchObject({ symbol: 'BRK.B', mentions: 1 });
    expect(reading?.score).toBeGreaterThan(0.3);
  });

  it('refuses a symbol that is not a ticker, without a request', async () => {
    const provider = createTwitterProvider(configFor(fake), deps);
    const error = await rejection(provider.fetch('AAPL OR $TSLA'));
    expect(error.kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('declares the documented 450 requests / 15 min limit for its host', () => {
    createTwitterProvider(configFor(fake), deps);
    expect(deps.http.limitState(fake.url).limit).toEqual({ requests: 450, perMs: 900_000 });
  });
});

describeHttpFailures({
  start: (fake, deps) => createTwitterProvider(configFor(fake), deps),
  method: 'GET',
  path: PATH,
  symbol: 'AAPL',
  good: { body: load('search-recent-aapl.json') },
  renamed: { body: load('search-recent-renamed.json') },
  rateLimitBody: load('error-429.json'),
  clockStart: NOW,
});

describe('twitter scoring', () => {
  it.each([
    { name: 'nothing', items: [], score: 0, confidence: 0, dispersion: 0 },
    {
      name: 'only unreadable posts',
      items: [{ score: 0, weight: 3, evidence: 0 }],
      score: 0,
      confidence: 0,
      dispersion: 0,
    },
    {
      name: 'one readable post',
      items: [{ score: 0.5, weight: 1, evidence: 1 }],
      score: 0.5,
      confidence: 1 - Math.exp(-1 / 20),
      dispersion: 0,
    },
    {
      name: 'an even split',
      items: [
        { score: 1, weight: 1, evidence: 1 },
        { score: -1, weight: 1, evidence: 1 },
      ],
      score: 0,
      confidence: (1 - Math.exp(-2 / 20)) * 0.5,
      dispersion: 1,
    },
    {
      name: 'a weighted majority',
      items: [
        { score: 1, weight: 3, evidence: 1 },
        { score: -1, weight: 1, evidence: 1 },
      ],
      score: 0.5,
      confidence: (1 - Math.exp(-2 / 20)) * (1 - Math.sqrt(0.75) / 2),
      dispersion: Math.sqrt(0.75),
    },
    {
      name: 'twenty unanimous posts',
      items: Array.from({ length: 20 }, () => ({ score: 0.4, weight: 1, evidence: 1 })),
      score: 0.4,
      confidence: 1 - Math.exp(-1),
      dispersion: 0,
    },
    {
      name: 'zero-weight posts ignored',
      items: [
        { score: 0.8, weight: 1, evidence: 1 },
        { score: -1, weight: 0, evidence: 1 },
      ],
      score: 0.8,
      confidence: 1 - Math.exp(-1 / 20),
      dispersion: 0,
    },
  ])('combineScores: $name', ({ items, score, confidence, dispersion }) => {
    const c = combineScores(items);
    expect(c.score).toBeCloseTo(score, 10);
    expect(c.confidence).toBeCloseTo(confidence, 10);
    expect(c.dispersion).toBeCloseTo(dispersion, 10);
  });

  it.each([
    [0, 1],
    [-5, 1],
    [Math.E - 1, 2],
    [1000, 1 + Math.log(1001)],
  ])('engagementWeight(%d) = %d', (reactions, weight) => {
    expect(engagementWeight(reactions)).toBeCloseTo(weight, 10);
  });

  it.each([
    { text: '$AAPL strong buy, bullish', likes: 0, sign: 1, weight: 1, evidence: 1 },
    { text: '$AAPL downgrade, bearish', likes: 99, retweets: 0, sign: -1, weight: 1 + Math.log(100), evidence: 1 },
    { text: '$AAPL at 228', likes: 10, sign: 0, weight: 1 + Math.log(11), evidence: 0 },
    { text: '$MSFT $AAPL bullish', likes: 0, sign: 1, weight: 0.5, evidence: 1 },
    { text: '$MSFT is bullish', likes: 0, sign: 1, weight: 0, evidence: 1 },
  ])('scoreTweet "$text"', ({ text, likes, retweets, sign, weight, evidence }) => {
    const s = scoreTweet(tweet(text, likes, retweets), 'AAPL');
    expect(Math.sign(s.score)).toBe(sign);
    expect(s.weight).toBeCloseTo(weight, 10);
    expect(s.evidence).toBe(evidence);
  });

  it('gives no reading when no tweet is about the symbol', () => {
    expect(tweetsReading('AAPL', [tweet('$MSFT bullish')])).toBeUndefined();
    expect(tweetsReading('AAPL', [])).toBeUndefined();
  });

  it('builds the cashtag query', () => {
    expect(tweetQuery('AAPL')).toBe('$AAPL -is:retweet lang:en');
    expect(tweetQuery('BRK.B')).toBe('$BRK.B -is:retweet lang:en');
  });
});
