import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../adapters/config/app-config.js';
import { SOURCE_NAMES } from '../../adapters/sentiment/provider.js';
import { type PaperSystem, createSystem, paperSystem } from '../../adapters/system/create-system.js';
import { type JsonResponse, call, recordingLogger } from './helpers.js';

/** Simulated minutes stepped before the tests read: the simulation publishes every 15 minutes. */
const MINUTES = 300;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let system: PaperSystem;
let base = '';
/** Every URL fetched in this file, by the tests and by anything inside the system. */
const fetched: string[] = [];

beforeAll(async () => {
  // Spy before the system is built: the providers' HTTP client takes the global fetch when it is created.
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  });
  // The defaults of a fresh clone (BROKER=paper, momentum on SPY and AAPL), on a :memory: database and port 0.
  system = paperSystem(
    await createSystem({
      config: loadConfig({ DATABASE_URL: 'sqlite::memory:', API_PORT: '0' }),
      logger: recordingLogger(),
      playMarket: false,
    }),
  );
  const { port } = await system.start();
  base = `http://127.0.0.1:${port}`;
  expect((await call(`${base}/api/scheduler/start`, 'POST')).status).toBe(200);
  for (let i = 0; i < MINUTES; i++) {
    system.market.step();
    await system.engine.idle();
  }
}, 120_000);

afterAll(async () => {
  await system?.stop();
  vi.restoreAllMocks();
});

const get = (path: string): Promise<JsonResponse> => call(`${base}${path}`, 'GET');

/** The API's answer must be a JSON error with this status and code. */
const expectError = (res: JsonResponse, status: number, code: string): void => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.body).toMatchObject({ error: code, message: expect.any(String) });
};

describe('GET /api/sentiment/status', () => {
  it('lists the thirteen sources, off in paper mode with a reason, then the running simulation', async () => {
    const res = await get('/api/sentiment/status');
    expect(res.status).toBe(200);
    const sources = res.body.sources as { source: string; available: boolean; reason: string | null }[];
    expect(sources.map((s) => s.source)).toEqual([...SOURCE_NAMES, 'simulated']);
    for (const s of sources.slice(0, 13)) {
      expect(s.available).toBe(false);
      expect(s.reason).toEqual(expect.any(String));
      expect(s.reason).not.toBe('');
    }
    expect(sources[13]).toMatchObject({ source: 'simulated', available: true, reason: null, errors_total: 0 });
    expect(res.body.sources[13].readings_total).toBeGreaterThan(0);
    expect(res.body.sources[13].last_reading).toMatch(ISO);
    expect(res.body.tracked_symbols).toEqual(expect.arrayContaining(['AAPL', 'SPY']));
    expect(res.body.aggregation).toMatchObject({ half_life_hours: 6, max_age_hours: 48, min_confidence: 0.3 });
  });
});

describe('GET /api/sentiment/:source/:symbol', () => {
  it('returns the simulated readings of the last hours, newest first', async () => {
    const res = await get('/api/sentiment/simulated/AAPL?hours=24');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ source: 'simulated', symbol: 'AAPL' });
    const readings = res.body.readings as { published_at: string; score: number; symbol: string }[];
    // One every 15 simulated minutes of the stepped session.
    expect(readings.length).toBeGreaterThanOrEqual(MINUTES / 15 - 2);
    expect(res.body.count).toBe(readings.length);
    const times = readings.map((r) => Date.parse(r.published_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const r of res.body.readings) {
      expect(r).toMatchObject({ source: 'simulated', symbol: 'AAPL', published_at: ISO, fetched_at: ISO });
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      expect(r.detail).toMatchObject({ simulated: true });
    }
    // The newest reading is no later than the market's clock.
    expect(times[0]).toBeLessThanOrEqual(system.market.scheduler.now());
  });

  it('narrows to the hours asked for and is empty for a real source that never ran', async () => {
    const hour = await get('/api/sentiment/simulated/AAPL?hours=1');
    expect(hour.status).toBe(200);
    expect(hour.body.count).toBeGreaterThanOrEqual(3);
    expect(hour.body.count).toBeLessThanOrEqual(5);
    const news = await get('/api/sentiment/news/aapl');
    expect(news.status).toBe(200);
    expect(news.body).toEqual({ source: 'news', symbol: 'AAPL', count: 0, readings: [] });
  });

  it('refuses junk hours and symbols with 400 and an unknown source with 404', async () => {
    for (const path of [
      '/api/sentiment/news/AAPL?hours=abc',
      '/api/sentiment/news/AAPL?hours=0',
      '/api/sentiment/news/AAPL?hours=721',
      '/api/sentiment/news/AAPL?hours=-1',
      '/api/sentiment/simulated/%24%24%24',
      '/api/sentiment/simulated/AAPL%3BDROP',
    ])
      expectError(await get(path), 400, 'validation_error');
    const unknown = await get('/api/sentiment/facebook/AAPL');
    expectError(unknown, 404, 'not_found');
    expect(unknown.body.message).toMatch(/facebook/);
  });
});

describe('GET /api/sentiment/aggregated/:symbol', () => {
  it('aggregates the stored readings as of market time, with a per-source breakdown', async () => {
    const res = await get('/api/sentiment/aggregated/AAPL');
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.symbol).toBe('AAPL');
    expect(Date.parse(body.as_of)).toBe(system.market.scheduler.now());
    expect(body.score).toBeGreaterThanOrEqual(-1);
    expect(body.score).toBeLessThanOrEqual(1);
    expect(['very_bearish', 'bearish', 'neutral', 'bullish', 'very_bullish']).toContain(body.level);
    expect(body.source_count).toBeGreaterThanOrEqual(1);
    expect(body.sources).toHaveLength(body.source_count);
    const simulated = body.sources.find((s: { source: string }) => s.source === 'simulated');
    expect(simulated).toMatchObject({ weight: 1, latest: ISO });
    expect(simulated.readings).toBeGreaterThan(1);
    const shares = body.sources.reduce((sum: number, s: { effective_weight: number }) => sum + s.effective_weight, 0);
    expect(shares).toBeCloseTo(1, 9);
  });

  it('counts sentiment only, not the simulated options flow, so it agrees with what confluence uses', async () => {
    // Options flow is confluence's own component (20 %); the simulation's flow is stored as
    // `simulated_options` and must not be weighed as a sentiment source too.
    const aggregated = (await get('/api/sentiment/aggregated/AAPL')).body;
    expect(aggregated.sources.map((s: { source: string }) => s.source)).toEqual(['simulated']);
    const confluence = (await get('/api/confluence/AAPL')).body;
    expect(aggregated.score).toBeCloseTo(confluence.sentiment.score, 9);
    expect(aggregated.source_count).toBe(confluence.sentiment.source_count);
  });

  it('accepts a lower-case dotted ticker and refuses junk with 400', async () => {
    const brk = await get('/api/sentiment/aggregated/brk.b');
    expect(brk.status).toBe(200);
    expect(brk.body).toMatchObject({ symbol: 'BRK.B', source_count: 0, score: 0, level: 'neutral' });
    expectError(await get('/api/sentiment/aggregated/%24%24%24'), 400, 'validation_error');
    expectError(await get('/api/sentiment/aggregated/ABCDEFGHIJK'), 400, 'validation_error');
  });
});

describe('GET /api/confluence/*', () => {
  it('status shows the weights and, per active symbol, the sentiment and options flow confluence uses', async () => {
    const res = await get('/api/confluence/status');
    expect(res.status).toBe(200);
    expect(res.body.weights).toEqual({ technical: 0.5, sentiment: 0.3, options: 0.2 });
    expect(typeof res.body.min).toBe('number');
    expect(Date.parse(res.body.as_of)).toBe(system.market.scheduler.now());
    const aapl = res.body.symbols.find((s: { symbol: string }) => s.symbol === 'AAPL');
    expect(aapl.sentiment).toMatchObject({ source_count: 1, level: expect.any(String) });
    expect(aapl.options).toMatchObject({ published_at: ISO });
    expect(aapl.options.score).toBeGreaterThanOrEqual(-1);
    expect(aapl.options.score).toBeLessThanOrEqual(1);
    expect(res.body.symbols.map((s: { symbol: string }) => s.symbol)).toEqual(expect.arrayContaining(['AAPL', 'SPY']));
  });

  it('one symbol: its sentiment sources, options flow and recent scored signals', async () => {
    const res = await get('/api/confluence/AAPL');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ symbol: 'AAPL', weights: { technical: 0.5, sentiment: 0.3, options: 0.2 } });
    expect(res.body.sentiment).toMatchObject({ source_count: 1, level: expect.any(String) });
    expect(res.body.sentiment.score).toBeGreaterThanOrEqual(-1);
    expect(res.body.sentiment.score).toBeLessThanOrEqual(1);
    expect(res.body.sentiment.sources.map((s: { source: string }) => s.source)).toEqual(['simulated']);
    expect(res.body.options).toMatchObject({ published_at: ISO });
    const signals = res.body.recent_signals as {
      kind: string;
      symbol: string;
      ts: number;
      confluence: { components: { name: string; present: boolean }[] };
    }[];
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.length).toBeLessThanOrEqual(20);
    for (const s of signals) expect(s).toMatchObject({ kind: 'signal.scored', symbol: 'AAPL' });
    const ts = signals.map((s) => s.ts);
    expect(ts).toEqual([...ts].sort((a, b) => b - a));
    // After hours of simulated readings, the newest signal was scored with sentiment and options present.
    const components = signals[0]?.confluence.components ?? [];
    expect(components.find((c) => c.name === 'sentiment')?.present).toBe(true);
    expect(components.find((c) => c.name === 'options')?.present).toBe(true);
  });

  it('refuses a junk symbol with 400', async () => {
    expectError(await get('/api/confluence/%24%24%24'), 400, 'validation_error');
  });
});

describe('GET /api/options-flow/*', () => {
  it('status shows the options source (off) and the simulation, and each active symbol’s flow', async () => {
    const res = await get('/api/options-flow/status');
    expect(res.status).toBe(200);
    expect(res.body.sources.map((s: { source: string }) => s.source)).toEqual(['options', 'simulated']);
    expect(res.body.sources[0]).toMatchObject({ available: false, reason: expect.any(String) });
    const aapl = res.body.symbols.find((s: { symbol: string }) => s.symbol === 'AAPL');
    expect(aapl.options).toMatchObject({ published_at: ISO });
  });

  it('one symbol: the simulated flow history, newest first, with its latest reading', async () => {
    const res = await get('/api/options-flow/AAPL?hours=24');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ symbol: 'AAPL', available: true, reason: expect.any(String) });
    const history = res.body.history as { source: string; published_at: string; detail: object }[];
    expect(history.length).toBeGreaterThanOrEqual(MINUTES / 15 - 2);
    expect(res.body.latest).toEqual(history[0]);
    for (const r of history) {
      expect(r.source).toBe('simulated_options');
      expect(r.detail).toMatchObject({ put_call_ratio: expect.any(Number) });
    }
    const times = history.map((r) => Date.parse(r.published_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expectError(await get('/api/options-flow/%24%24%24'), 400, 'validation_error');
    expectError(await get('/api/options-flow/AAPL?hours=abc'), 400, 'validation_error');
  });
});

describe('GET /metrics', () => {
  it('exports the aggregated sentiment per active symbol and the provider counters', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const score = /^sentiment_score\{symbol="AAPL"\} (-?[\d.e-]+)$/m.exec(text);
    expect(score).not.toBeNull();
    const value = Number(score?.[1]);
    expect(value).toBeGreaterThanOrEqual(-1);
    expect(value).toBeLessThanOrEqual(1);
    // "As confluence would use it now".
    const confluence = (await get('/api/confluence/status')).body;
    const aapl = confluence.symbols.find((x: { symbol: string }) => x.symbol === 'AAPL');
    expect(value).toBeCloseTo(aapl.sentiment.score, 6);
    expect(text).toMatch(/^# HELP provider_requests_total .+$/m);
    expect(text).toMatch(/^# HELP provider_errors_total .+$/m);
    // No provider ran: no counted request or error.
    expect(text).not.toMatch(/^provider_requests_total\{/m);
    expect(text).not.toMatch(/^provider_errors_total\{/m);
  });
});

describe('no network', () => {
  it('fetched nothing but this test server while the market ran', () => {
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.filter((u) => !u.startsWith(base))).toEqual([]);
  });
});
