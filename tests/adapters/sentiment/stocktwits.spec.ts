import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  STOCKTWITS_ENV,
  type StocktwitsConfig,
  stocktwitsConfig,
} from '../../../adapters/sentiment/stocktwits/config.js';
import {
  MAX_MESSAGE_AGE_MS,
  RATE_LIMIT_COOLDOWN_MS,
  createStocktwitsProvider,
  messagesReading,
  scoreMessage,
} from '../../../adapters/sentiment/stocktwits/provider.js';
import type { Message } from '../../../adapters/sentiment/stocktwits/schema.js';
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
const AAPL = '/api/2/streams/symbol/AAPL.json';
const load = (name: string) => fixture('stocktwits', name);

const configFor = (fake: FakeHttp, overrides: Partial<StocktwitsConfig> = {}): StocktwitsConfig => ({
  enabled: true,
  baseUrl: fake.url,
  intervalMs: 600_000,
  ...overrides,
});

const message = (
  body: string,
  label: 'Bullish' | 'Bearish' | null = null,
  symbols = ['AAPL'],
  createdAt = '2025-03-10T14:00:00Z',
): Message => ({
  id: 1,
  body,
  created_at: createdAt,
  symbols: symbols.map((symbol) => ({ symbol })),
  entities: { sentiment: label === null ? null : { basic: label } },
});

describe('stocktwits config', () => {
  const parse = (env: Record<string, string>) => stocktwitsConfig(z.object(STOCKTWITS_ENV).parse(env));

  it('is on by default (no key needed) and points at api.stocktwits.com', () => {
    expect(parse({})).toEqual({ enabled: true, baseUrl: 'https://api.stocktwits.com', intervalMs: 600_000 });
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => parse({ STOCKTWITS_BASE_URL: 'ftp://example.com' })).toThrow(/http/);
  });
});

describe('stocktwits provider', () => {
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
    const provider = createStocktwitsProvider(configFor(fake, { enabled: false }), deps);
    await expectConfigRejection(provider, fake, 'AAPL', 'STOCKTWITS_ENABLED');
  });

  it('is available by itself (public streams need no key)', () => {
    expect(createStocktwitsProvider(configFor(fake), deps).availability()).toEqual({ available: true });
  });

  it('scores the stream from the authors’ tags, and untagged messages from their text', async () => {
    fake.on('GET', AAPL, { body: load('stream-aapl.json') });
    const provider = createStocktwitsProvider(configFor(fake), deps);

    const [reading, ...rest] = await provider.fetch('AAPL');

    expect(rest).toHaveLength(0);
    // Seven messages of the last day; the one from three days earlier is left out.
    expect(reading).toMatchObject({ source: 'stocktwits', symbol: 'AAPL', mentions: 7 });
    expect(reading?.detail).toMatchObject({ bullish: 3, bearish: 1, scored: 6 });
    expect(reading?.sourceTs).toBe(Date.parse('2025-03-10T14:58:03Z'));
    // Tags: 3 x +1, 1 x -1 (weight 1); text: +0.96 (weight 0.5), -0.64 (weight 0.25, shared with MSFT).
    expect(reading?.score).toBeGreaterThan(0.4);
    expect(reading?.score).toBeLessThan(0.6);
    // Evidence 4 + 0.5 + 0.5 = 5: 1 - exp(-5/20) = 0.221, lowered by the one bearish tag.
    expect(reading?.confidence).toBeGreaterThan(0.1);
    expect(reading?.confidence).toBeLessThan(0.221);

    const [req] = fake.requests;
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe(AAPL);
    expect([...(req?.query.keys() ?? [])]).toEqual([]);
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.headers['user-agent']).toMatch(/ibkr-trading-bot/);
  });

  it('polls with since, scores only new messages, and gives no reading when nothing is new', async () => {
    fake.on('GET', AAPL, [
      { body: load('stream-aapl.json') },
      { body: load('stream-aapl-newer.json') },
      { body: load('stream-aapl-empty.json') },
    ]);
    const provider = createStocktwitsProvider(configFor(fake), deps);

    await provider.fetch('AAPL');
    clock.now = NOW + 600_000;
    const [reading] = await provider.fetch('AAPL');
    clock.now = NOW + 1_200_000;
    const third = await provider.fetch('AAPL');

    expect(fake.requests.map((r) => r.query.get('since'))).toEqual([null, '603100008', '603100011']);
    // Two new Bearish tags; the message seen before is not scored again.
    expect(reading).toMatchObject({ mentions: 2, score: -1, sourceTs: Date.parse('2025-03-10T15:06:30Z') });
    expect(reading?.confidence).toBeCloseTo(1 - Math.exp(-2 / 20), 10);
    expect(third).toEqual([]);
  });

  it('puts a dotted ticker in the path as BRK.B', async () => {
    fake.on('GET', '/api/2/streams/symbol/BRK.B.json', { body: load('stream-brk.json') });
    const provider = createStocktwitsProvider(configFor(fake), deps);
    const [reading] = await provider.fetch('BRK.B');
    expect(fake.requests[0]?.path).toBe('/api/2/streams/symbol/BRK.B.json');
    expect(reading).toMatchObject({ symbol: 'BRK.B', mentions: 1 });
    expect(reading?.score).toBeGreaterThan(0);
  });

  it('on the documented 429 (no Retry-After) rejects with rate_limited and stays away for the cool-down', async () => {
    fake.on('GET', AAPL, [
      { status: 429, body: load('error-429.json') },
      { status: 429, body: load('error-429.json') },
      { body: load('stream-aapl.json') },
    ]);
    const provider = createStocktwitsProvider(configFor(fake), deps);

    const first = await rejection(provider.fetch('AAPL'));
    expect(first.kind).toBe('rate_limited');
    expect(fake.requests).toHaveLength(2);

    clock.now = NOW + 60_000;
    const second = await rejection(provider.fetch('AAPL'));
    expect(second.kind).toBe('rate_limited');
    expect(second.details.retryAfterMs).toBe(RATE_LIMIT_COOLDOWN_MS - 60_000);
    expect(fake.requests).toHaveLength(2);

    clock.now = NOW + RATE_LIMIT_COOLDOWN_MS;
    expect(await provider.fetch('AAPL')).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
  });

  it('refuses a symbol that is not a ticker, without a request', async () => {
    const error = await rejection(createStocktwitsProvider(configFor(fake), deps).fetch('../../users/x'));
    expect(error.kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('declares about 200 requests per hour for its host', () => {
    createStocktwitsProvider(configFor(fake), deps);
    expect(deps.http.limitState(fake.url).limit).toEqual({ requests: 200, perMs: 3_600_000 });
  });
});

describeHttpFailures({
  start: (fake, deps) => createStocktwitsProvider(configFor(fake), deps),
  method: 'GET',
  path: AAPL,
  symbol: 'AAPL',
  good: { body: load('stream-aapl.json') },
  renamed: { body: load('stream-renamed.json') },
  rateLimitBody: load('error-429.json'),
  clockStart: NOW,
});

describe('stocktwits scoring', () => {
  it.each([
    { name: 'a Bullish tag', m: message('$AAPL whatever', 'Bullish'), sign: 1, weight: 1, evidence: 1 },
    {
      name: 'a Bearish tag over bullish words',
      m: message('$AAPL great', 'Bearish'),
      sign: -1,
      weight: 1,
      evidence: 1,
    },
    {
      name: 'a tag shared by two symbols',
      m: message('$AAPL $MSFT', 'Bullish', ['AAPL', 'MSFT']),
      sign: 1,
      weight: 0.5,
      evidence: 1,
    },
    { name: 'untagged text', m: message('$AAPL terrible quarter'), sign: -1, weight: 0.5, evidence: 0.5 },
    { name: 'untagged, nothing to read', m: message('$AAPL 230?'), sign: 0, weight: 0.5, evidence: 0 },
  ])('scoreMessage: $name', ({ m, sign, weight, evidence }) => {
    const s = scoreMessage(m);
    // A tag is the full +-1; text gives its own (signed) score.
    expect(evidence === 1 ? s.score : Math.sign(s.score)).toBe(sign);
    expect(s.weight).toBeCloseTo(weight, 10);
    expect(s.evidence).toBe(evidence);
  });

  it('treats a message without entities as untagged', () => {
    const { entities: _drop, ...bare } = message('$AAPL bullish');
    expect(scoreMessage(bare)).toMatchObject({ weight: 0.5, evidence: 0.5 });
  });

  it('leaves out messages older than a day, and gives no reading when none is left', () => {
    const old = new Date(NOW - MAX_MESSAGE_AGE_MS - 1000).toISOString();
    expect(messagesReading('AAPL', [message('$AAPL bullish', 'Bullish', ['AAPL'], old)], NOW)).toBeUndefined();
    const fresh = messagesReading(
      'AAPL',
      [message('$AAPL', 'Bearish'), message('$AAPL', 'Bullish', ['AAPL'], old)],
      NOW,
    );
    expect(fresh).toMatchObject({ mentions: 1, score: -1 });
  });
});
