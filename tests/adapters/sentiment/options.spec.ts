import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_USER_AGENT, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { OPTIONS_ENV, type OptionsConfig, optionsConfig } from '../../../adapters/sentiment/options/config.js';
import {
  ALERT_LIMIT,
  type OptionStatsSnapshot,
  type OptionStatsSource,
  alertDirection,
  combineParts,
  createOptionsProvider,
  ivJumpScore,
  optionsReading,
  premiumEvidence,
  putCallScore,
  scoreAlerts,
  scoreIbkr,
  smoothedPutCall,
  volumeEvidence,
  volumeFactor,
} from '../../../adapters/sentiment/options/provider.js';
import type { FlowAlert } from '../../../adapters/sentiment/options/schema.js';
import type { ProviderDeps, ProviderReading } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, type FakeResponse, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const NOW = Date.parse('2025-03-10T20:00:00Z');
const PATH = '/api/option-trades/flow-alerts';
const KEY = 'test-uw-key';

const flowAlerts = (): { data: Record<string, unknown>[] } =>
  JSON.parse(readFileSync(new URL('../../fixtures/options/flow-alerts-aapl.json', import.meta.url), 'utf8')) as {
    data: Record<string, unknown>[];
  };

const configFor = (baseUrl: string, over: Partial<OptionsConfig> = {}): OptionsConfig => ({
  enabled: true,
  baseUrl,
  intervalMs: 300_000,
  uwApiKey: KEY,
  ivJump: 0.15,
  maxLines: 20,
  ...over,
});

const depsFor = (history: readonly ProviderReading[] = [], now = NOW): ProviderDeps => ({
  http: createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 }),
  history: { readings: () => Promise.resolve(history) },
  now: () => now,
});

/** An OptionStatsSource serving fixed figures; records what it was asked to track. */
const fakeSource = (
  stats: Readonly<Record<string, OptionStatsSnapshot>>,
  unavailable?: string,
): OptionStatsSource & { readonly tracked: string[] } => {
  const tracked: string[] = [];
  return {
    tracked,
    optionStats: (symbol) => stats[symbol],
    unavailableReason: () => unavailable,
    track: (symbols) => {
      tracked.push(...symbols);
    },
  };
};

const tick = (value: number, ts = NOW - 60_000) => ({ value, ts });

/** AAPL with call-heavy volume at twice its average and IV 0.30. */
const bullishStats: OptionStatsSnapshot = {
  symbol: 'AAPL',
  callVolume: tick(400_000),
  putVolume: tick(100_000),
  callOpenInterest: tick(3_000_000),
  putOpenInterest: tick(2_100_000),
  avgOptionVolume: tick(250_000),
  impliedVol: tick(0.3, NOW - 30_000),
  historicalVol: tick(0.24),
};

const alert = (over: Partial<FlowAlert> = {}): FlowAlert => ({
  ticker: 'AAPL',
  type: 'call',
  created_at: NOW - 3_600_000,
  total_premium: 100_000,
  ...over,
});

const previousReading = (over: Partial<ProviderReading> & { detail?: Record<string, unknown> }): ProviderReading => ({
  source: 'options',
  symbol: 'AAPL',
  score: 0,
  confidence: 0.5,
  mentions: 1,
  sourceTs: NOW - 300_000,
  ...over,
});

describe('options config', () => {
  const parse = (env: Record<string, string>) => optionsConfig(z.object(OPTIONS_ENV).parse(env));

  it('defaults: on, Unusual Whales base URL, 300 s, no key, +15 % IV jump, 20 lines', () => {
    expect(parse({})).toEqual({
      enabled: true,
      baseUrl: 'https://api.unusualwhales.com',
      intervalMs: 300_000,
      uwApiKey: undefined,
      ivJump: 0.15,
      maxLines: 20,
    });
  });

  it('reads the key and options', () => {
    expect(
      parse({
        OPTIONS_ENABLED: 'false',
        OPTIONS_BASE_URL: 'http://127.0.0.1:8080/',
        OPTIONS_POLL_INTERVAL: '60',
        UW_API_KEY: ' secret ',
        OPTIONS_IV_JUMP: '0.25',
        OPTIONS_MAX_LINES: '5',
      }),
    ).toEqual({
      enabled: false,
      baseUrl: 'http://127.0.0.1:8080',
      intervalMs: 60_000,
      uwApiKey: 'secret',
      ivJump: 0.25,
      maxLines: 5,
    });
  });

  it('refuses a non-positive IV jump and a fractional line count', () => {
    const issue = (env: Record<string, string>) => z.object(OPTIONS_ENV).safeParse(env).error?.issues[0];
    expect(issue({ OPTIONS_IV_JUMP: '0' })).toMatchObject({
      path: ['OPTIONS_IV_JUMP'],
      message: "expected a number > 0 and <= 10, got '0'",
    });
    expect(issue({ OPTIONS_MAX_LINES: '2.5' })).toMatchObject({
      path: ['OPTIONS_MAX_LINES'],
      message: "expected an integer between 1 and 1000, got '2.5'",
    });
  });
});

describe('options scoring (tables)', () => {
  it('put/call score: -tanh(ln(pc / 0.7))', () => {
    const table: [number, number][] = [
      [0.7, 0],
      [0.35, 0.6],
      [1.4, -0.6],
      [0.175, 0.882],
      [2.8, -0.882],
      [0, 0],
      [Number.NaN, 0],
    ];
    for (const [pc, score] of table) expect(putCallScore(pc)).toBeCloseTo(score, 3);
  });

  it('smoothed put/call: 20 neutral contracts added, so tiny volumes stay near 0.7', () => {
    expect(smoothedPutCall(0, 0)).toBeCloseTo(0.7, 6);
    expect(smoothedPutCall(0, 5)).toBeCloseTo(0.95, 6);
    expect(smoothedPutCall(100_000, 50_000)).toBeCloseTo(0.5001, 3);
  });

  it('volume factor: 0.5 + 0.25 × volume ratio within 0.5..1; unknown = 0.75', () => {
    const table: [number | undefined, number][] = [
      [undefined, 0.75],
      [0, 0.5],
      [0.4, 0.6],
      [1, 0.75],
      [2, 1],
      [5, 1],
    ];
    for (const [ratio, factor] of table) expect(volumeFactor(ratio)).toBeCloseTo(factor, 6);
  });

  it('IV jump: bearish with puts the majority, half bullish with calls leading, neutral between', () => {
    const table: [number | undefined, number, number][] = [
      [undefined, 0.9, 0],
      [0.1, 0.9, 0],
      [0.15, 0.6, -0.5],
      [0.3, 0.6, -1],
      [0.6, 0.6, -1],
      [0.3, 0.2, 0.5],
      [0.15, 0.2, 0.25],
      [0.3, 0.45, 0],
    ];
    for (const [change, putShare, score] of table) expect(ivJumpScore(change, putShare, 0.15)).toBeCloseTo(score, 6);
  });

  it('evidence: option volume 100..100 000 contracts and alert premium $10k..$10M, log scale', () => {
    expect(volumeEvidence(100)).toBe(0);
    expect(volumeEvidence(10_000)).toBeCloseTo(2 / 3, 6);
    expect(volumeEvidence(1e6)).toBe(1);
    expect(premiumEvidence(10_000)).toBe(0);
    expect(premiumEvidence(1e6)).toBeCloseTo(2 / 3, 6);
    expect(premiumEvidence(5e7)).toBe(1);
  });

  it('IBKR figures: P/C direction scaled by unusual volume, which also scales the confidence', () => {
    const normal = scoreIbkr({ callVolume: 40_000, putVolume: 10_000, avgOptionVolume: 50_000, ivChange: 0 }, 0.15);
    const unusual = scoreIbkr({ callVolume: 40_000, putVolume: 10_000, avgOptionVolume: 25_000, ivChange: 0 }, 0.15);
    expect(normal?.score).toBeCloseTo(0.774 * 0.75, 2);
    expect(unusual?.score).toBeCloseTo(0.774, 2);
    expect(unusual?.confidence ?? 0).toBeGreaterThan(normal?.confidence ?? 1);
    const bearish = scoreIbkr({ callVolume: 10_000, putVolume: 40_000, avgOptionVolume: 25_000, ivChange: 0 }, 0.15);
    expect(bearish?.score).toBeLessThan(-0.9);
    expect(scoreIbkr({ callVolume: 0, putVolume: 0, avgOptionVolume: 1_000, ivChange: 0 }, 0.15)).toBeUndefined();
  });

  it('IBKR figures: an IV jump with high put share makes the reading more bearish', () => {
    const base = { callVolume: 20_000, putVolume: 22_000, avgOptionVolume: 42_000 };
    const calm = scoreIbkr({ ...base, ivChange: 0.02 }, 0.15);
    const jump = scoreIbkr({ ...base, ivChange: 0.3 }, 0.15);
    // Smoothed P/C 1.0996 → -0.4233; volume at its average → factor 0.75.
    expect(calm?.score).toBeCloseTo(-0.4233 * 0.75, 3);
    // Put share 0.52 > 0.5 and a jump of twice the threshold: 0.6 × P/C score + 0.4 × (-1), times 0.75.
    expect(jump?.score).toBeCloseTo((0.6 * -0.4233 - 0.4) * 0.75, 3);
  });

  it('alert direction: calls +, puts -, times (ask-side − bid-side) / premium; bought when sides unknown', () => {
    const table: [Partial<FlowAlert>, number][] = [
      [{ type: 'call' }, 1],
      [{ type: 'put' }, -1],
      [{ type: 'call', total_ask_side_prem: 90_000, total_bid_side_prem: 10_000 }, 0.8],
      [{ type: 'call', total_ask_side_prem: 0, total_bid_side_prem: 100_000 }, -1],
      [{ type: 'put', total_ask_side_prem: 5_000, total_bid_side_prem: 85_000 }, 0.8],
      [{ type: 'put', total_ask_side_prem: 50_000, total_bid_side_prem: null }, -0.5],
      [{ type: 'call', total_premium: 0, total_ask_side_prem: 0, total_bid_side_prem: 0 }, 0],
    ];
    for (const [over, direction] of table) expect(alertDirection(alert(over))).toBeCloseTo(direction, 6);
  });

  it('alerts: premium-weighted mean direction; confidence from the total premium', () => {
    const part = scoreAlerts([
      alert({ type: 'call', total_premium: 900_000 }),
      alert({ type: 'put', total_premium: 100_000 }),
    ]);
    expect(part?.score).toBeCloseTo(0.8, 6);
    expect(part?.confidence).toBeCloseTo(2 / 3, 6);
    expect(scoreAlerts([])).toBeUndefined();
  });

  it('combining: confidence-weighted score, confidence 1 − Π(1 − c)', () => {
    const both = combineParts([
      { score: 0.8, confidence: 0.6 },
      { score: -0.4, confidence: 0.2 },
    ]);
    expect(both.score).toBeCloseTo(0.5, 6);
    expect(both.confidence).toBeCloseTo(0.68, 6);
    expect(combineParts([{ score: 0.4, confidence: 0 }])).toEqual({ score: 0.4, confidence: 0 });
  });
});

describe('options reading', () => {
  const input = { symbol: 'AAPL', alerts: undefined, previous: undefined, ivJumpThreshold: 0.15 };

  it('carries the figures in detail and the newest tick time as sourceTs', () => {
    const reading = optionsReading({ ...input, stats: bullishStats });
    expect(reading).toMatchObject({ source: 'options', symbol: 'AAPL', mentions: 1, sourceTs: NOW - 30_000 });
    // Smoothed P/C 0.25 → +0.774; twice the average volume → factor 1.
    expect(reading?.score).toBeCloseTo(0.774, 3);
    expect(reading?.detail).toEqual({
      put_call_ratio: 0.25,
      call_volume: 400_000,
      put_volume: 100_000,
      option_volume: 500_000,
      avg_option_volume: 250_000,
      volume_ratio: 2,
      iv: 0.3,
      iv_change: null,
      hv: 0.24,
      call_oi: 3_000_000,
      put_oi: 2_100_000,
      alerts: 0,
      alert_call_premium: null,
      alert_put_premium: null,
      ibkr_score: 0.7737,
      flow_score: null,
      ibkr_reason: null,
    });
    expect(JSON.parse(JSON.stringify(reading))).toEqual(reading);
  });

  it('compares IV with the previous reading; nothing new since it → no reading', () => {
    const previous = previousReading({ detail: { iv: 0.25 } });
    expect(optionsReading({ ...input, stats: bullishStats, previous })?.detail?.['iv_change']).toBeCloseTo(0.2, 6);
    expect(optionsReading({ ...input, stats: bullishStats, previous: { ...previous, sourceTs: NOW - 30_000 } })).toBe(
      undefined,
    );
  });

  it('nothing to score: no volume figures and no alerts', () => {
    expect(optionsReading({ ...input, stats: { symbol: 'AAPL', impliedVol: tick(0.3) } })).toBeUndefined();
    expect(optionsReading({ ...input, stats: undefined, alerts: [] })).toBeUndefined();
  });
});

describe('options provider: availability', () => {
  it('disabled → unavailable, and fetch rejects with config without a request', async () => {
    const fake = await startFakeHttp();
    try {
      const provider = createOptionsProvider(configFor(fake.url, { enabled: false }), depsFor(), fakeSource({}));
      expect(provider.availability()).toEqual({ available: false, reason: 'disabled (OPTIONS_ENABLED=false)' });
      expect((await rejection(provider.fetch('AAPL'))).kind).toBe('config');
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('without IBKR (paper mode) and without UW_API_KEY → unavailable, saying both; no request', async () => {
    const fake = await startFakeHttp();
    try {
      const provider = createOptionsProvider(configFor(fake.url, { uwApiKey: undefined }), depsFor());
      const a = provider.availability();
      expect(a.available).toBe(false);
      if (!a.available) {
        expect(a.reason).toContain('UW_API_KEY');
        expect(a.reason).toContain('paper mode');
      }
      const error = await rejection(provider.fetch('AAPL'));
      expect(error.kind).toBe('config');
      expect(error.message).toContain('UW_API_KEY');
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('IBKR not connected and no key → unavailable with the source reason; connected → available', () => {
    const down = createOptionsProvider(
      configFor('http://127.0.0.1:9', { uwApiKey: undefined }),
      depsFor(),
      fakeSource({}, 'not connected to IB Gateway'),
    );
    expect(down.availability()).toEqual({
      available: false,
      reason: 'IBKR option ticks unavailable (not connected to IB Gateway) and UW_API_KEY is not set',
    });
    const up = createOptionsProvider(
      configFor('http://127.0.0.1:9', { uwApiKey: undefined }),
      depsFor(),
      fakeSource({}),
    );
    expect(up.availability()).toEqual({ available: true });
    const uwOnly = createOptionsProvider(configFor('http://127.0.0.1:9'), depsFor());
    expect(uwOnly.availability()).toEqual({ available: true });
  });
});

describe('options provider: IBKR only', () => {
  const config = configFor('http://127.0.0.1:9', { uwApiKey: undefined });

  it('scores the source figures and asks it to follow the symbol', async () => {
    const source = fakeSource({ AAPL: bullishStats });
    const provider = createOptionsProvider(config, depsFor(), source);
    const [reading] = await provider.fetch(' aapl ');
    expect(source.tracked).toEqual(['AAPL']);
    expect(reading?.score).toBeCloseTo(0.774, 3);
    expect(reading?.sourceTs).toBe(NOW - 30_000);
    expect(reading?.confidence).toBeCloseTo(1, 6);
  });

  it('uses the stored previous reading: IV change, and no reading when nothing arrived since', async () => {
    const previous = previousReading({ detail: { iv: 0.25 } });
    const source = fakeSource({ AAPL: bullishStats });
    const [reading] = await createOptionsProvider(config, depsFor([previous]), source).fetch('AAPL');
    expect(reading?.detail?.['iv_change']).toBeCloseTo(0.2, 6);
    const stale = createOptionsProvider(config, depsFor([{ ...previous, sourceTs: NOW - 30_000 }]), source);
    expect(await stale.fetch('AAPL')).toEqual([]);
  });

  it('not followed yet (first call) → no reading', async () => {
    const source = fakeSource({});
    expect(await createOptionsProvider(config, depsFor(), source).fetch('MSFT')).toEqual([]);
    expect(source.tracked).toEqual(['MSFT']);
  });

  it('IBKR refused the symbol and no UW → config error naming the reason', async () => {
    const source = fakeSource({
      TSLA: { symbol: 'TSLA', reason: 'IBKR 354: Requested market data is not subscribed.' },
    });
    const error = await rejection(createOptionsProvider(config, depsFor(), source).fetch('TSLA'));
    expect(error.kind).toBe('config');
    expect(error.message).toBe('options: TSLA: IBKR 354: Requested market data is not subscribed.');
  });

  it('refuses what is not a ticker symbol', async () => {
    const error = await rejection(createOptionsProvider(config, depsFor(), fakeSource({})).fetch('$$$'));
    expect(error.kind).toBe('config');
  });
});

const renamedAlerts = () => {
  const body = flowAlerts();
  body.data = body.data.map(({ total_premium, ...rest }) => ({ ...rest, premium: total_premium }));
  return body;
};

describe('options provider: Unusual Whales flow alerts', () => {
  let fake: FakeHttp;
  beforeEach(async () => {
    fake = await startFakeHttp();
  });
  afterEach(() => fake.close());

  const good: FakeResponse = { status: 200, body: flowAlerts() };

  it('scores the alerts of the last 24 h, premium-weighted, ask vs bid side; asks with the key', async () => {
    fake.on('GET', PATH, good);
    const provider = createOptionsProvider(configFor(fake.url), depsFor());
    const [reading] = await provider.fetch('AAPL');
    // (750 000 + 400 000 + 240 000 − 215 000) / 1 820 000; the 2025-03-07 alert is outside the window.
    expect(reading?.score).toBeCloseTo(1_175_000 / 1_820_000, 6);
    expect(reading?.confidence).toBeCloseTo(Math.log10(182) / 3, 6);
    expect(reading?.mentions).toBe(4);
    expect(reading?.sourceTs).toBe(Date.parse('2025-03-10T19:31:07.482Z'));
    expect(reading?.detail).toMatchObject({
      alerts: 4,
      alert_call_premium: 1_270_000,
      alert_put_premium: 550_000,
      put_call_ratio: null,
      ibkr_score: null,
    });
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0];
    expect(req?.path).toBe(PATH);
    expect(req?.query.get('ticker_symbol')).toBe('AAPL');
    expect(req?.query.get('limit')).toBe(String(ALERT_LIMIT));
    expect(req?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(req?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(req?.headers['accept']).toBe('application/json');
  });

  it('never scores another ticker an unfiltered answer might carry', async () => {
    const body = flowAlerts();
    body.data = body.data.map((a) => ({ ...a, ticker: 'MSFT' }));
    fake.on('GET', PATH, { status: 200, body });
    expect(await createOptionsProvider(configFor(fake.url), depsFor()).fetch('AAPL')).toEqual([]);
  });

  it('with IBKR figures too: one reading, confidence-weighted, newest of ticks and alerts as sourceTs', async () => {
    fake.on('GET', PATH, good);
    const source = fakeSource({ AAPL: bullishStats });
    const [reading] = await createOptionsProvider(configFor(fake.url), depsFor(), source).fetch('AAPL');
    expect(reading?.mentions).toBe(5);
    expect(reading?.sourceTs).toBe(NOW - 30_000);
    const ibkr = reading?.detail?.['ibkr_score'] as number;
    const flow = reading?.detail?.['flow_score'] as number;
    expect(reading?.score).toBeGreaterThan(Math.min(ibkr, flow));
    expect(reading?.score).toBeLessThan(Math.max(ibkr, flow));
    expect(reading?.confidence).toBeCloseTo(1, 6);
  });

  it('an IBKR refusal is not an error while Unusual Whales answers', async () => {
    fake.on('GET', PATH, { status: 200, body: { data: [] } });
    const source = fakeSource({ TSLA: { symbol: 'TSLA', reason: 'IBKR 10089: needs OPRA' } });
    expect(await createOptionsProvider(configFor(fake.url), depsFor(), source).fetch('TSLA')).toEqual([]);
  });

  it('names the renamed field when the alerts change shape (total_premium → premium)', async () => {
    fake.on('GET', PATH, { status: 200, body: renamedAlerts() });
    const error = await rejection(createOptionsProvider(configFor(fake.url), depsFor()).fetch('AAPL'));
    expect(error.kind).toBe('schema');
    expect(error.message).toContain('total_premium');
  });

  it('a UW failure rejects even with IBKR figures (they are day totals: the next poll loses nothing)', async () => {
    fake.on('GET', PATH, { status: 401, body: { message: 'Unauthorized' } });
    const source = fakeSource({ AAPL: bullishStats });
    const error = await rejection(createOptionsProvider(configFor(fake.url), depsFor(), source).fetch('AAPL'));
    expect(error.kind).toBe('auth');
  });
});

describeHttpFailures({
  title: 'Unusual Whales flow alerts',
  start: (fake, d) => createOptionsProvider(configFor(fake.url), d),
  method: 'GET',
  path: PATH,
  symbol: 'AAPL',
  good: { status: 200, body: flowAlerts() },
  renamed: { status: 200, body: renamedAlerts() },
  rateLimitBody: { message: 'Too many requests' },
  clockStart: NOW,
  secret: KEY,
});
