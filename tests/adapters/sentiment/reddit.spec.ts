import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REDDIT_ENV, type RedditConfig, redditConfig } from '../../../adapters/sentiment/reddit/config.js';
import {
  createRedditProvider,
  postsReading,
  redditQuery,
  scorePost,
} from '../../../adapters/sentiment/reddit/provider.js';
import type { Post } from '../../../adapters/sentiment/reddit/schema.js';
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
const TOKEN_PATH = '/api/v1/access_token';
const WSB = '/r/wallstreetbets/search';
const STOCKS = '/r/stocks/search';
const INVESTING = '/r/investing/search';
const USER_AGENT = 'nodejs:test-sentiment-bot:0.1 (by /u/test_user)';
const load = (name: string) => fixture('reddit', name);
const TOKEN = load('token.json') as { access_token: string };

const configFor = (fake: FakeHttp, overrides: Partial<RedditConfig> = {}): RedditConfig => ({
  enabled: true,
  baseUrl: fake.url,
  authUrl: fake.url,
  intervalMs: 300_000,
  clientId: 'test-client-id',
  clientSecret: 'test-client-secret',
  userAgent: USER_AGENT,
  subreddits: ['wallstreetbets', 'stocks', 'investing'],
  ...overrides,
});

/** Token, and the three subreddits answering with the AAPL fixtures. */
const serveAapl = (fake: FakeHttp): void => {
  fake.on('POST', TOKEN_PATH, { body: TOKEN });
  fake.on('GET', WSB, { body: load('search-wallstreetbets-aapl.json') });
  fake.on('GET', STOCKS, { body: load('search-stocks-aapl.json') });
  fake.on('GET', INVESTING, { body: load('search-empty.json') });
};

const on = (fake: FakeHttp, method: string, path: string) =>
  fake.requests.filter((r) => r.method === method && r.path === path);

const post = (title: string, selftext = '', ups = 0): Post => ({
  id: 'x',
  name: 't3_x',
  subreddit: 'stocks',
  title,
  selftext,
  created_utc: 1741615200,
  ups,
});

describe('reddit config', () => {
  const parse = (env: Record<string, string>) => redditConfig(z.object(REDDIT_ENV).parse(env));

  it('has the documented defaults and no User-Agent default', () => {
    expect(parse({})).toEqual({
      enabled: true,
      baseUrl: 'https://oauth.reddit.com',
      authUrl: 'https://www.reddit.com',
      intervalMs: 300_000,
      clientId: undefined,
      clientSecret: undefined,
      userAgent: undefined,
      subreddits: ['wallstreetbets', 'stocks', 'investing'],
    });
  });

  it('accepts r/ prefixes and refuses bad or duplicate subreddit names', () => {
    expect(parse({ REDDIT_SUBREDDITS: 'r/stocks, options ,' }).subreddits).toEqual(['stocks', 'options']);
    expect(() => parse({ REDDIT_SUBREDDITS: 'stocks,no spaces!' })).toThrow(/no spaces!/);
    expect(() => parse({ REDDIT_SUBREDDITS: 'stocks,Stocks' })).toThrow(/duplicate/);
  });
});

describe('reddit provider', () => {
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
    await expectConfigRejection(
      createRedditProvider(configFor(fake, { enabled: false }), deps),
      fake,
      'AAPL',
      'REDDIT_ENABLED',
    );
  });

  it('names every missing credential', async () => {
    const provider = createRedditProvider(
      configFor(fake, { clientId: undefined, clientSecret: undefined, userAgent: undefined }),
      deps,
    );
    await expectConfigRejection(
      provider,
      fake,
      'AAPL',
      'REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET, REDDIT_USER_AGENT are not set',
    );
  });

  it('requires a User-Agent of the user, and says what Reddit expects', async () => {
    const provider = createRedditProvider(configFor(fake, { userAgent: undefined }), deps);
    await expectConfigRejection(provider, fake, 'AAPL', 'REDDIT_USER_AGENT is not set');
    const availability = provider.availability();
    expect(!availability.available && availability.reason).toMatch(/\(by \/u\//);
  });

  it('gets a token, searches each subreddit and scores the relevant posts', async () => {
    serveAapl(fake);
    const provider = createRedditProvider(configFor(fake), deps);

    const [reading, ...rest] = await provider.fetch('AAPL');

    expect(rest).toHaveLength(0);
    // The daily thread matched the search but never names AAPL: not a mention.
    expect(reading).toMatchObject({ source: 'reddit', symbol: 'AAPL', mentions: 3 });
    expect(reading?.detail).toMatchObject({ scored: 3, subreddits: { wallstreetbets: 2, stocks: 1 } });
    expect(reading?.sourceTs).toBe(1741617900 * 1000);
    // Two bullish posts (one with 1520 upvotes) against one bearish post with 45.
    expect(reading?.score).toBeGreaterThan(0.4);
    expect(reading?.score).toBeLessThan(0.9);
    expect(reading?.confidence).toBeGreaterThan(0.07);
    expect(reading?.confidence).toBeLessThan(1 - Math.exp(-3 / 20));

    const [tokenReq] = on(fake, 'POST', TOKEN_PATH);
    const basic = Buffer.from('test-client-id:test-client-secret').toString('base64');
    expect(tokenReq?.headers.authorization).toBe(`Basic ${basic}`);
    expect(tokenReq?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenReq?.headers['user-agent']).toBe(USER_AGENT);
    expect(tokenReq?.body).toBe('grant_type=client_credentials');

    const searches = fake.requests.filter((r) => r.method === 'GET');
    expect(searches.map((r) => r.path)).toEqual([WSB, STOCKS, INVESTING]);
    for (const r of searches) {
      expect(Object.fromEntries(r.query)).toEqual({
        q: 'AAPL',
        restrict_sr: '1',
        sort: 'new',
        limit: '100',
        t: 'day',
        raw_json: '1',
      });
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN.access_token}`);
      expect(r.headers['user-agent']).toBe(USER_AGENT);
    }
  });

  it('scores only posts newer than the newest already seen', async () => {
    serveAapl(fake);
    const provider = createRedditProvider(configFor(fake), deps);
    await provider.fetch('AAPL');

    // Same listings again: nothing new, no reading.
    expect(await provider.fetch('AAPL')).toEqual([]);

    fake.on('GET', WSB, { body: load('search-wallstreetbets-newer.json') });
    clock.now = NOW + 600_000;
    const [reading] = await provider.fetch('AAPL');
    expect(reading).toMatchObject({ mentions: 1, sourceTs: 1741619400 * 1000 });
    expect(reading?.score).toBeLessThan(-0.5);
  });

  it('reuses the token until a minute before it expires', async () => {
    serveAapl(fake);
    const provider = createRedditProvider(configFor(fake), deps);
    await provider.fetch('AAPL');
    clock.now = NOW + 86_400_000 - 61_000;
    await provider.fetch('AAPL');
    expect(on(fake, 'POST', TOKEN_PATH)).toHaveLength(1);
    clock.now = NOW + 86_400_000 - 59_000;
    await provider.fetch('AAPL');
    expect(on(fake, 'POST', TOKEN_PATH)).toHaveLength(2);
  });

  it('asks for one token when two symbols are fetched at once', async () => {
    serveAapl(fake);
    const provider = createRedditProvider(configFor(fake), deps);
    await Promise.all([provider.fetch('AAPL'), provider.fetch('MSFT')]);
    expect(on(fake, 'POST', TOKEN_PATH)).toHaveLength(1);
  });

  it('refreshes the token once on a 401 and retries', async () => {
    serveAapl(fake);
    fake.on('POST', TOKEN_PATH, [{ body: TOKEN }, { body: { ...TOKEN, access_token: 'second-token' } }]);
    fake.on('GET', WSB, [
      { status: 401, body: load('error-401.json') },
      { body: load('search-wallstreetbets-aapl.json') },
    ]);
    const provider = createRedditProvider(configFor(fake), deps);

    const [reading] = await provider.fetch('AAPL');

    expect(reading?.mentions).toBe(3);
    expect(on(fake, 'POST', TOKEN_PATH)).toHaveLength(2);
    expect(on(fake, 'GET', WSB).map((r) => r.headers.authorization)).toEqual([
      `Bearer ${TOKEN.access_token}`,
      'Bearer second-token',
    ]);
    expect(on(fake, 'GET', STOCKS)[0]?.headers.authorization).toBe('Bearer second-token');
  });

  it('refreshes only once: a second 401 rejects with auth', async () => {
    serveAapl(fake);
    fake.on('GET', WSB, { status: 401, body: load('error-401.json') });
    const error = await rejection(createRedditProvider(configFor(fake), deps).fetch('AAPL'));
    expect(error.kind).toBe('auth');
    expect(on(fake, 'GET', WSB)).toHaveLength(2);
    expect(on(fake, 'POST', TOKEN_PATH)).toHaveLength(2);
  });

  it('rejects with auth when the token endpoint refuses the credentials', async () => {
    fake.on('POST', TOKEN_PATH, { status: 401, body: load('error-401.json') });
    const provider = createRedditProvider(configFor(fake), deps);
    const error = await rejection(provider.fetch('AAPL'));
    expect(error.kind).toBe('auth');
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
    expect(error.message).not.toContain('test-client-secret');
  });

  it('rejects with auth when the token endpoint answers 200 with an error', async () => {
    fake.on('POST', TOKEN_PATH, { body: load('token-error.json') });
    const provider = createRedditProvider(configFor(fake), deps);
    const error = await rejection(provider.fetch('AAPL'));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('unsupported_grant_type');
  });

  it('searches a dotted ticker as a quoted phrase', async () => {
    serveAapl(fake);
    fake.on('GET', INVESTING, { body: load('search-investing-brk.json') });
    fake.on('GET', WSB, { body: load('search-empty.json') });
    fake.on('GET', STOCKS, { body: load('search-empty.json') });
    const provider = createRedditProvider(configFor(fake), deps);

    const [reading] = await provider.fetch('BRK.B');

    expect(fake.requests.filter((r) => r.method === 'GET').map((r) => r.query.get('q'))).toEqual([
      '"BRK.B"',
      '"BRK.B"',
      '"BRK.B"',
    ]);
    expect(reading).toMatchObject({ symbol: 'BRK.B', mentions: 1, sourceTs: 1741616400 * 1000 });
    expect(reading?.score).toBeGreaterThan(0);
  });

  it('gives no reading when no subreddit has a post', async () => {
    serveAapl(fake);
    fake.on('GET', WSB, { body: load('search-empty.json') });
    fake.on('GET', STOCKS, { body: load('search-empty.json') });
    expect(await createRedditProvider(configFor(fake), deps).fetch('AAPL')).toEqual([]);
  });

  it('declares 100 requests per minute for the API host', () => {
    createRedditProvider(configFor(fake), deps);
    expect(deps.http.limitState(fake.url).limit).toEqual({ requests: 100, perMs: 60_000 });
  });
});

describeHttpFailures({
  start: (fake, deps) => {
    serveAapl(fake);
    return createRedditProvider(configFor(fake), deps);
  },
  method: 'GET',
  path: WSB,
  symbol: 'AAPL',
  good: { body: load('search-wallstreetbets-aapl.json') },
  renamed: { body: load('search-renamed.json') },
  rateLimitBody: load('error-429.json'),
  clockStart: NOW,
});

describe('reddit scoring', () => {
  it.each([
    { title: 'AAPL looks bullish', ups: 0, sign: 1, weight: 1, evidence: 1 },
    { title: 'AAPL downgrade incoming', ups: 99, sign: -1, weight: 1 + Math.log(100), evidence: 1 },
    { title: 'AAPL or $MSFT?', selftext: 'Strong buy on both', ups: 0, sign: 1, weight: 0.5, evidence: 1 },
    { title: 'What time is it', ups: 5, sign: 0, weight: 0, evidence: 0 },
    { title: 'Downvoted AAPL take', selftext: 'bullish', ups: -20, sign: 1, weight: 1, evidence: 1 },
  ])('scorePost "$title"', ({ title, selftext, ups, sign, weight, evidence }) => {
    const s = scorePost(post(title, selftext, ups), 'AAPL');
    expect(Math.sign(s.score)).toBe(sign);
    expect(s.weight).toBeCloseTo(weight, 10);
    expect(s.evidence).toBe(evidence);
  });

  it('reads the body as well as the title', () => {
    expect(scorePost(post('AAPL thoughts', 'Terrible quarter, bearish'), 'AAPL').score).toBeLessThan(0);
  });

  it('gives no reading when no post is about the symbol', () => {
    expect(postsReading('AAPL', [post('Daily thread', 'great day')])).toBeUndefined();
  });

  it('quotes dotted tickers only', () => {
    expect(redditQuery('AAPL')).toBe('AAPL');
    expect(redditQuery('BRK.B')).toBe('"BRK.B"');
  });
});
