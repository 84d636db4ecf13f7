import { type Observable, Subject, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { ProviderError, type ProviderErrorKind } from '../../../adapters/sentiment/http/provider-error.js';
import {
  type Availability,
  type ProviderReading,
  SOURCE_NAMES,
  type SentimentProvider,
  type SourceName,
} from '../../../adapters/sentiment/provider.js';
import {
  type ExtraReading,
  type ExtraReadings,
  type RegisteredProvider,
  type SentimentService,
  createSentimentService,
} from '../../../adapters/sentiment/sentiment-service.js';
import { DomainError } from '../../../engine/errors.js';
import type { EarningsScheduled, OptionsFlowReading, SentimentReading } from '../../../engine/messages/market.js';
import { DEFAULT_AGGREGATION, aggregateSentiment } from '../../../engine/sentiment/aggregate.js';
import type { StoredSentimentReading } from '../../../storage/sentiment-readings.js';
import { type SqliteStore, openStore } from '../../../storage/sqlite-store.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 2026-11-23 15:00 UTC: the wall clock every test starts at. */
const T0 = Date.UTC(2026, 10, 23, 15);

type Fetch = (symbol: string) => Promise<readonly ProviderReading[]>;

interface FakeProvider {
  readonly provider: SentimentProvider;
  /** Symbols fetch was called with, in order. */
  readonly calls: string[];
}

/** A provider whose fetch is the test's function; it records every call. */
const fakeProvider = (
  name: SourceName,
  fetch: Fetch,
  opts: { intervalMs?: number; availability?: () => Availability } = {},
): FakeProvider => {
  const calls: string[] = [];
  return {
    calls,
    provider: {
      name,
      intervalMs: opts.intervalMs ?? 60_000,
      availability: opts.availability ?? (() => ({ available: true })),
      fetch: (symbol) => {
        calls.push(symbol);
        return fetch(symbol);
      },
    },
  };
};

const reading = (source: SourceName, symbol: string, over: Partial<ProviderReading> = {}): ProviderReading => ({
  source,
  symbol,
  score: 0.4,
  confidence: 0.7,
  mentions: 12,
  sourceTs: T0 - 10 * MINUTE,
  ...over,
});

/** A promise settled from outside, for providers that answer when the test says so. */
const deferred = <T>(): { promise: Promise<T>; resolve: (v: T) => void } => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

interface LogLine {
  readonly level: 'warn' | 'error' | 'debug';
  readonly obj: object;
  readonly msg: string | undefined;
}

interface Rig {
  readonly service: SentimentService;
  readonly store: SqliteStore;
  readonly clock: { now: number };
  readonly errors: [SourceName, ProviderErrorKind][];
  readonly logs: LogLine[];
  /** Everything the service streamed so far. */
  readonly seen: { sentiment: SentimentReading[]; options: OptionsFlowReading[]; earnings: EarningsScheduled[] };
}

interface RigOptions {
  readonly providers?: readonly (FakeProvider | RegisteredProvider)[];
  readonly store?: SqliteStore;
  readonly engineNow?: () => number;
  readonly simulated?: ExtraReadings;
  readonly callTimeoutMs?: number;
  readonly retentionDays?: number;
  readonly clock?: { now: number };
}

const stores: SqliteStore[] = [];
const services: SentimentService[] = [];
const fakes: FakeHttp[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  for (const s of stores.splice(0)) await s.close();
  for (const f of fakes.splice(0)) await f.close();
});

const newStore = async (): Promise<SqliteStore> => {
  const store = await openStore({ url: ':memory:' });
  stores.push(store);
  return store;
};

const rig = async (opts: RigOptions = {}): Promise<Rig> => {
  const store = opts.store ?? (await newStore());
  const clock = opts.clock ?? { now: T0 };
  const errors: [SourceName, ProviderErrorKind][] = [];
  const logs: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj, msg });
    };
  const service = createSentimentService({
    providers: (opts.providers ?? []).map((p) => ('calls' in p ? { provider: p.provider } : p)),
    store,
    http: createHttpClient({
      timeoutMs: 300,
      backoffMs: 5,
      maxRetries: 1,
      maxRetryWaitMs: 50,
      now: () => clock.now,
    }),
    aggregation: DEFAULT_AGGREGATION,
    retentionDays: opts.retentionDays ?? 30,
    now: () => clock.now,
    ...(opts.engineNow === undefined ? {} : { engineNow: opts.engineNow }),
    logger: { warn: at('warn'), error: at('error'), debug: at('debug') },
    ...(opts.simulated === undefined ? {} : { simulated: opts.simulated }),
    ...(opts.callTimeoutMs === undefined ? {} : { callTimeoutMs: opts.callTimeoutMs }),
    onProviderError: (source, kind) => errors.push([source, kind]),
  });
  services.push(service);
  const seen: Rig['seen'] = { sentiment: [], options: [], earnings: [] };
  service.readings$.subscribe((r) => seen.sentiment.push(r));
  service.optionsFlow$.subscribe((r) => seen.options.push(r));
  service.earnings$.subscribe((r) => seen.earnings.push(r));
  return { service, store, clock, errors, logs, seen };
};

const stored = async (store: SqliteStore, symbol: string): Promise<readonly StoredSentimentReading[]> =>
  lastValueFrom(store.sentimentReadings({ symbol, fromTs: 0, toTs: T0 + 365 * DAY }));

const save = async (store: SqliteStore, readings: readonly StoredSentimentReading[]): Promise<void> => {
  await lastValueFrom(store.saveSentimentReadings(readings));
};

const storedReading = (over: Partial<StoredSentimentReading> = {}): StoredSentimentReading => ({
  source: 'stocktwits',
  symbol: 'AAPL',
  score: 0.4,
  confidence: 0.7,
  mentions: 12,
  sourceTs: T0 - HOUR,
  fetchedTs: T0 - HOUR + 5_000,
  ...over,
});

const statusOf = (service: SentimentService, source: string) => {
  const s = service.status().sources.find((x) => x.source === source);
  if (s === undefined) throw new Error(`no status for ${source}`);
  return s;
};

/** The DomainError a promise rejects with (fails the test if it resolves or rejects with something else). */
const domainError = async (p: Promise<unknown>): Promise<DomainError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
};

/** The paper-mode simulation's shape, driven by the test. */
const fakeSimulation = (): ExtraReadings & { emit(r: ExtraReading): void; tracked: string[]; started: number } => {
  const out = new Subject<ExtraReading>();
  const sim = {
    name: 'simulated',
    readings$: out.asObservable() as Observable<ExtraReading>,
    tracked: [] as string[],
    started: 0,
    track: (symbols: readonly string[]) => void sim.tracked.push(...symbols),
    start: () => void sim.started++,
    stop: () => undefined,
    emit: (r: ExtraReading) => out.next(r),
  };
  return sim;
};

describe('pollOnce', () => {
  it('asks the provider about every tracked symbol, stores each reading with its fetch time and detail, then streams it', async () => {
    const twitter = fakeProvider('twitter', (symbol) =>
      Promise.resolve([
        reading('twitter', symbol, {
          score: symbol === 'AAPL' ? 0.6 : -0.3,
          mentions: 41,
          detail: { bullish: 30, bearish: 11, top: ['$AAPL to the moon'] },
        }),
      ]),
    );
    const { service, store, seen, clock } = await rig({ providers: [twitter] });
    service.track(['AAPL', 'MSFT']);
    service.track(['AAPL', 'MSFT']); // idempotent
    clock.now = T0 + 7_000;
    await service.pollOnce('twitter');

    expect(twitter.calls).toEqual(['AAPL', 'MSFT']);
    const aapl = await stored(store, 'AAPL');
    expect(aapl).toEqual([
      {
        source: 'twitter',
        symbol: 'AAPL',
        score: 0.6,
        confidence: 0.7,
        mentions: 41,
        sourceTs: T0 - 10 * MINUTE,
        fetchedTs: T0 + 7_000,
        detail: { bullish: 30, bearish: 11, top: ['$AAPL to the moon'] },
      },
    ]);
    expect((await stored(store, 'MSFT')).map((r) => r.score)).toEqual([-0.3]);
    expect(seen.sentiment).toEqual([
      {
        kind: 'sentiment.updated',
        ts: T0 - 10 * MINUTE,
        symbol: 'AAPL',
        source: 'twitter',
        score: 0.6,
        confidence: 0.7,
        mentions: 41,
      },
      expect.objectContaining({ symbol: 'MSFT', score: -0.3 }),
    ]);
    expect(seen.options).toEqual([]);
    expect(seen.earnings).toEqual([]);

    const status = statusOf(service, 'twitter');
    expect(status).toMatchObject({
      available: true,
      reason: null,
      poll_interval_seconds: 60,
      last_success: new Date(T0 + 7_000).toISOString(),
      last_reading: new Date(T0 - 10 * MINUTE).toISOString(),
      readings_total: 2,
      errors_total: 0,
      last_error: null,
    });
  });

  it('stores a reading before it streams it, so what the engine used is on disk', async () => {
    const news = fakeProvider('news', (symbol) => Promise.resolve([reading('news', symbol)]));
    const { service, store } = await rig({ providers: [news] });
    const onDiskAtEmit: Promise<readonly StoredSentimentReading[]>[] = [];
    service.readings$.subscribe((r) => onDiskAtEmit.push(stored(store, r.symbol)));
    service.track(['AAPL']);
    await service.pollOnce('news');
    expect(onDiskAtEmit).toHaveLength(1);
    expect((await onDiskAtEmit[0])?.map((r) => r.source)).toEqual(['news']);
  });

  it('clamps score and confidence into range and rounds mentions before storing', async () => {
    const reddit = fakeProvider('reddit', (symbol) =>
      Promise.resolve([reading('reddit', symbol, { score: 1.4, confidence: -0.2, mentions: 7.6 })]),
    );
    const { service, store, seen } = await rig({ providers: [reddit] });
    service.track(['AAPL']);
    await service.pollOnce('reddit');
    expect((await stored(store, 'AAPL')).map((r) => [r.score, r.confidence, r.mentions])).toEqual([[1, 0, 8]]);
    expect(seen.sentiment[0]).toMatchObject({ score: 1, confidence: 0, mentions: 8 });
  });

  it('streams options readings as options flow, not as sentiment', async () => {
    const options = fakeProvider('options', (symbol) =>
      Promise.resolve([reading('options', symbol, { score: -0.5, confidence: 0.6, detail: { put_call_ratio: 1.4 } })]),
    );
    const { service, store, seen } = await rig({ providers: [options] });
    service.track(['SPY']);
    await service.pollOnce('options');
    expect(seen.sentiment).toEqual([]);
    expect(seen.options).toEqual([
      { kind: 'options.updated', ts: T0 - 10 * MINUTE, symbol: 'SPY', score: -0.5, confidence: 0.6 },
    ]);
    expect((await stored(store, 'SPY'))[0]?.detail).toEqual({ put_call_ratio: 1.4 });
  });

  it('announces the next earnings report an events reading carries, and "none scheduled" as null', async () => {
    const report = Date.UTC(2026, 11, 3, 21);
    const next: Record<string, unknown> = {
      AAPL: { ts: report, date: '2026-12-03', hour: 'amc' },
      MSFT: null,
      SPY: undefined,
    };
    const events = fakeProvider('events', (symbol) =>
      Promise.resolve([
        reading('events', symbol, {
          score: 0,
          detail: next[symbol] === undefined ? { dividends: 0 } : { next_earnings: next[symbol] },
        }),
      ]),
    );
    const { service, seen } = await rig({ providers: [events] });
    service.track(['AAPL', 'MSFT', 'SPY']);
    await service.pollOnce('events');
    expect(seen.earnings).toEqual([
      { kind: 'earnings.scheduled', ts: T0 - 10 * MINUTE, symbol: 'AAPL', reportTs: report },
      { kind: 'earnings.scheduled', ts: T0 - 10 * MINUTE, symbol: 'MSFT', reportTs: null },
    ]);
    // The events reading is sentiment too (its score goes into the aggregate).
    expect(seen.sentiment.map((r) => r.symbol)).toEqual(['AAPL', 'MSFT', 'SPY']);
  });

  it('drops readings for another symbol, with a non-finite number or published in the future, and keeps the rest', async () => {
    const stocktwits = fakeProvider('stocktwits', (symbol) =>
      Promise.resolve([
        reading('stocktwits', 'MSFT', { sourceTs: T0 - 4 * MINUTE }),
        reading('stocktwits', symbol, { score: Number.NaN, sourceTs: T0 - 3 * MINUTE }),
        reading('stocktwits', symbol, { confidence: Number.POSITIVE_INFINITY, sourceTs: T0 - 2 * MINUTE }),
        reading('stocktwits', symbol, { sourceTs: T0 + 5 * MINUTE + 1 }),
        reading('stocktwits', symbol, { sourceTs: Number.NaN }),
        // Five minutes of clock skew is tolerated.
        reading('stocktwits', symbol, { sourceTs: T0 + 5 * MINUTE, score: 0.2 }),
        reading('stocktwits', symbol, { sourceTs: T0 - MINUTE, score: 0.1 }),
      ]),
    );
    const { service, store, seen, logs, errors } = await rig({ providers: [stocktwits] });
    service.track(['AAPL']);
    await service.pollOnce('stocktwits');
    const rows = await stored(store, 'AAPL');
    expect(rows.map((r) => [r.sourceTs, r.score])).toEqual([
      [T0 - MINUTE, 0.1],
      [T0 + 5 * MINUTE, 0.2],
    ]);
    expect(await stored(store, 'MSFT')).toEqual([]);
    expect(seen.sentiment.map((r) => r.score)).toEqual([0.2, 0.1]);
    expect(logs).toContainEqual({
      level: 'warn',
      obj: { source: 'stocktwits', symbol: 'AAPL', dropped: 5 },
      msg: 'dropped invalid readings',
    });
    expect(errors).toEqual([]);
    expect(statusOf(service, 'stocktwits')).toMatchObject({ readings_total: 2, errors_total: 0 });
  });

  it('stores a reading it already has (same source, symbol and source time) once', async () => {
    const news = fakeProvider('news', (symbol) => Promise.resolve([reading('news', symbol, { score: 0.3 })]));
    const { service, store } = await rig({ providers: [news] });
    service.track(['AAPL']);
    await service.pollOnce('news');
    await service.pollOnce('news');
    expect(news.calls).toEqual(['AAPL', 'AAPL']);
    expect(await stored(store, 'AAPL')).toHaveLength(1);
  });

  it('runs one poll of a source at a time: a second call joins the one in flight', async () => {
    const gate = deferred<readonly ProviderReading[]>();
    const news = fakeProvider('news', () => gate.promise);
    const { service } = await rig({ providers: [news] });
    service.track(['AAPL']);
    const first = service.pollOnce('news');
    const second = service.pollOnce('news');
    await vi.waitFor(() => expect(news.calls).toEqual(['AAPL']));
    gate.resolve([reading('news', 'AAPL')]);
    await Promise.all([first, second]);
    expect(news.calls).toEqual(['AAPL']);
  });

  it('does nothing for a source that was not built', async () => {
    const { service, seen } = await rig();
    service.track(['AAPL']);
    await expect(service.pollOnce('twitter')).resolves.toBeUndefined();
    expect(seen.sentiment).toEqual([]);
  });
});

describe('provider isolation', () => {
  it('a provider that rejects, throws or hangs marks only its own status; the others still deliver', async () => {
    const rejects = fakeProvider('reddit', () =>
      Promise.reject(new ProviderError('rate_limited', 'https://oauth.reddit.com/r/stocks: 429 Too Many Requests')),
    );
    const throws = fakeProvider('stocktwits', (): Promise<readonly ProviderReading[]> => {
      throw new TypeError("Cannot read properties of undefined (reading 'body')");
    });
    const hangs = fakeProvider('newsapi', () => new Promise<never>(() => undefined));
    const works = fakeProvider('news', (symbol) => Promise.resolve([reading('news', symbol, { score: -0.4 })]));
    const { service, store, seen, errors, clock } = await rig({
      providers: [rejects, throws, hangs, works],
      callTimeoutMs: 40,
    });
    service.track(['AAPL']);
    clock.now = T0 + 1_000;
    await Promise.all(['reddit', 'stocktwits', 'newsapi', 'news'].map((s) => service.pollOnce(s as SourceName)));

    expect(seen.sentiment).toEqual([expect.objectContaining({ source: 'news', symbol: 'AAPL', score: -0.4 })]);
    expect((await stored(store, 'AAPL')).map((r) => r.source)).toEqual(['news']);
    expect(statusOf(service, 'news')).toMatchObject({ errors_total: 0, last_error: null, readings_total: 1 });

    const at = new Date(T0 + 1_000).toISOString();
    expect(statusOf(service, 'reddit')).toMatchObject({
      available: true,
      errors_total: 1,
      readings_total: 0,
      last_success: null,
      last_error: { kind: 'rate_limited', message: expect.stringMatching(/429/), at },
    });
    // A provider bug (it threw) is reported as malformed, with the provider's own message.
    expect(statusOf(service, 'stocktwits')).toMatchObject({
      errors_total: 1,
      last_error: { kind: 'malformed', message: expect.stringMatching(/reading 'body'/), at },
    });
    expect(statusOf(service, 'newsapi')).toMatchObject({
      errors_total: 1,
      last_error: { message: expect.stringMatching(/newsapi AAPL did not settle within 40 ms/), at },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        ['reddit', 'rate_limited'],
        ['stocktwits', 'malformed'],
      ]),
    );
    expect(errors).toHaveLength(3);
    expect(errors.map(([s]) => s)).not.toContain('news');
  });

  it('reports a provider call that never settles as a timeout', async () => {
    const hangs = fakeProvider('newsapi', () => new Promise<never>(() => undefined));
    const { service, errors } = await rig({ providers: [hangs], callTimeoutMs: 30 });
    service.track(['AAPL']);
    await service.pollOnce('newsapi');
    expect(errors).toEqual([['newsapi', 'timeout']]);
    expect(statusOf(service, 'newsapi').last_error?.kind).toBe('timeout');
  });

  it('drops what an abandoned call delivers after its time is up', async () => {
    const late = fakeProvider(
      'twitter',
      (symbol) => new Promise((resolve) => setTimeout(() => resolve([reading('twitter', symbol)]), 120)),
    );
    const { service, store, seen } = await rig({ providers: [late], callTimeoutMs: 30 });
    service.track(['AAPL']);
    await service.pollOnce('twitter');
    await new Promise((r) => setTimeout(r, 150));
    expect(seen.sentiment).toEqual([]);
    expect(await stored(store, 'AAPL')).toEqual([]);
    expect(statusOf(service, 'twitter').errors_total).toBe(1);
  });

  it('a failure for one symbol does not stop the same provider for the next symbol', async () => {
    const analyst = fakeProvider('analyst_ratings', (symbol) =>
      symbol === 'AAPL'
        ? Promise.reject(new ProviderError('schema', 'https://finnhub.io/api/v1/stock/recommendation: unexpected'))
        : Promise.resolve([reading('analyst_ratings', symbol)]),
    );
    const { service, seen, errors } = await rig({ providers: [analyst] });
    service.track(['AAPL', 'MSFT']);
    await service.pollOnce('analyst_ratings');
    await service.pollOnce('analyst_ratings');
    expect(analyst.calls).toEqual(['AAPL', 'MSFT', 'AAPL', 'MSFT']);
    // The second poll returns the same publication: stored once and streamed once.
    expect(seen.sentiment.map((r) => r.symbol)).toEqual(['MSFT']);
    expect(errors).toEqual([
      ['analyst_ratings', 'schema'],
      ['analyst_ratings', 'schema'],
    ]);
    expect(statusOf(service, 'analyst_ratings')).toMatchObject({
      errors_total: 2,
      last_error: { kind: 'schema' },
      last_success: expect.any(String),
    });
  });

  it('a provider whose host is paused after a 429 is skipped until the pause ends, and no key leaks into status', async () => {
    const api = await startFakeHttp();
    fakes.push(api);
    api.on('GET', '/quote', { status: 429, headers: { 'Retry-After': '120' } });
    const clock = { now: T0 };
    const http = createHttpClient({
      timeoutMs: 300,
      backoffMs: 5,
      maxRetries: 1,
      maxRetryWaitMs: 50,
      now: () => clock.now,
    });
    const news: SentimentProvider = {
      name: 'news',
      intervalMs: 60_000,
      availability: () => ({ available: true }),
      fetch: async (symbol) => {
        await http.json('news', `${api.url}/quote?symbol=${symbol}&token=SECRET123`, z.object({ ok: z.boolean() }));
        return [];
      },
    };
    const store = await newStore();
    const errors: [SourceName, ProviderErrorKind][] = [];
    const service = createSentimentService({
      providers: [{ provider: news, baseUrl: api.url }],
      store,
      http,
      aggregation: DEFAULT_AGGREGATION,
      retentionDays: 30,
      now: () => clock.now,
      logger: { warn: () => undefined, error: () => undefined, debug: () => undefined },
      onProviderError: (s, k) => errors.push([s, k]),
    });
    services.push(service);
    service.track(['AAPL', 'MSFT']);

    await service.pollOnce('news');
    // The 429 paused the host: MSFT is not asked in the same poll, nor is anyone in the next.
    expect(api.requests).toHaveLength(1);
    expect(errors).toEqual([['news', 'rate_limited']]);
    const paused = statusOf(service, 'news');
    expect(paused.rate_limit?.paused_until).toBe(new Date(T0 + 120_000).toISOString());
    expect(paused.last_error?.kind).toBe('rate_limited');
    expect(JSON.stringify(service.status())).not.toContain('SECRET123');
    await service.pollOnce('news');
    expect(api.requests).toHaveLength(1);

    clock.now = T0 + 121_000;
    api.on('GET', '/quote', { status: 200, body: { ok: true } });
    await service.pollOnce('news');
    expect(api.requests.map((r) => r.query.get('symbol'))).toEqual(['AAPL', 'AAPL', 'MSFT']);
    expect(statusOf(service, 'news').rate_limit?.paused_until).toBeNull();
  });

  it('never calls an unavailable provider, and shows why it is unavailable', async () => {
    const twitter = fakeProvider('twitter', (symbol) => Promise.resolve([reading('twitter', symbol)]), {
      intervalMs: 10,
      availability: () => ({ available: false, reason: 'TWITTER_BEARER_TOKEN is not set' }),
    });
    const { service, seen } = await rig({ providers: [twitter] });
    service.track(['AAPL']);
    await service.pollOnce('twitter');
    service.start();
    await new Promise((r) => setTimeout(r, 60));
    expect(twitter.calls).toEqual([]);
    expect(seen.sentiment).toEqual([]);
    expect(statusOf(service, 'twitter')).toMatchObject({
      available: false,
      reason: 'TWITTER_BEARER_TOKEN is not set',
      poll_interval_seconds: 0.01,
      errors_total: 0,
      last_success: null,
    });
  });
});

describe('start and stop', () => {
  it('replays stored readings younger than the maximum age onto the streams at start, oldest first', async () => {
    const store = await newStore();
    const report = Date.UTC(2026, 11, 3, 21);
    await save(store, [
      storedReading({ source: 'twitter', sourceTs: T0 - 3 * HOUR, score: 0.5 }),
      storedReading({ source: 'news', sourceTs: T0 - HOUR, score: -0.2 }),
      storedReading({ source: 'options', sourceTs: T0 - 2 * HOUR, score: 0.3, confidence: 0.6 }),
      storedReading({ source: 'events', sourceTs: T0 - 30 * MINUTE, detail: { next_earnings: { ts: report } } }),
      // Older than any source's maximum age (the slowest, analyst ratings, is kept 120 days): not replayed.
      storedReading({ source: 'twitter', sourceTs: T0 - 200 * DAY }),
      // Another symbol, not tracked.
      storedReading({ symbol: 'TSLA', sourceTs: T0 - HOUR }),
    ]);
    const { service, seen } = await rig({ store, retentionDays: 365 });
    service.track(['AAPL']);
    service.start();
    await vi.waitFor(() => expect(seen.earnings).toHaveLength(1));
    expect(seen.sentiment.map((r) => [r.source, r.ts, r.score])).toEqual([
      ['twitter', T0 - 3 * HOUR, 0.5],
      ['news', T0 - HOUR, -0.2],
      ['events', T0 - 30 * MINUTE, 0.4],
    ]);
    expect(seen.options).toEqual([
      { kind: 'options.updated', ts: T0 - 2 * HOUR, symbol: 'AAPL', score: 0.3, confidence: 0.6 },
    ]);
    expect(seen.earnings).toEqual([
      { kind: 'earnings.scheduled', ts: T0 - 30 * MINUTE, symbol: 'AAPL', reportTs: report },
    ]);
  });

  it('replays a symbol tracked after start', async () => {
    const store = await newStore();
    await save(store, [storedReading({ symbol: 'MSFT', source: 'reddit', sourceTs: T0 - 2 * HOUR, score: -0.6 })]);
    const { service, seen } = await rig({ store });
    service.start();
    service.track(['MSFT']);
    await vi.waitFor(() => expect(seen.sentiment).toHaveLength(1));
    expect(seen.sentiment[0]).toMatchObject({ symbol: 'MSFT', source: 'reddit', score: -0.6, ts: T0 - 2 * HOUR });
    service.track(['MSFT']); // already tracked: no second replay
    await new Promise((r) => setTimeout(r, 30));
    expect(seen.sentiment).toHaveLength(1);
  });

  it('replays slow sources for as long as the aggregator still weighs them', async () => {
    // An analyst consensus has a 15-day half-life: three days on it still counts (sourceDecay keeps it 120 days).
    const store = await newStore();
    await save(store, [storedReading({ source: 'analyst_ratings', sourceTs: T0 - 3 * DAY, score: 0.6 })]);
    const { service, seen } = await rig({ store });
    service.track(['AAPL']);
    service.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.sentiment.map((r) => r.source)).toEqual(['analyst_ratings']);
  });

  it('polls each available provider at start and then on its interval, and prunes readings past retention', async () => {
    const store = await newStore();
    await save(store, [
      storedReading({ source: 'news', sourceTs: T0 - 2 * DAY }),
      storedReading({ source: 'news', sourceTs: T0 - 12 * HOUR }),
    ]);
    const news = fakeProvider('news', () => Promise.resolve([]), { intervalMs: 15 });
    const { service } = await rig({ store, providers: [news], retentionDays: 1 });
    service.track(['AAPL']);
    service.start();
    service.start(); // a second start changes nothing
    await vi.waitFor(() => expect(news.calls.length).toBeGreaterThanOrEqual(3));
    await vi.waitFor(async () =>
      expect((await stored(store, 'AAPL')).map((r) => r.sourceTs)).toEqual([T0 - 12 * HOUR]),
    );
    await service.stop();
    const after = news.calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(news.calls.length).toBe(after);
  });

  it('stop waits for a poll in flight, streams its readings, then completes the streams', async () => {
    const gate = deferred<readonly ProviderReading[]>();
    const twitter = fakeProvider('twitter', () => gate.promise);
    const { service, store } = await rig({ providers: [twitter] });
    const all = lastValueFrom(service.readings$.pipe(toArray()));
    const options = lastValueFrom(service.optionsFlow$.pipe(toArray()));
    const earnings = lastValueFrom(service.earnings$.pipe(toArray()));
    service.track(['AAPL']);
    const poll = service.pollOnce('twitter');
    await vi.waitFor(() => expect(twitter.calls).toEqual(['AAPL']));
    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(stopped).toBe(false);
    gate.resolve([reading('twitter', 'AAPL', { score: 0.9 })]);
    await Promise.all([poll, stopping]);
    expect((await all).map((r) => [r.source, r.score])).toEqual([['twitter', 0.9]]);
    expect(await options).toEqual([]);
    expect(await earnings).toEqual([]);
    expect(await stored(store, 'AAPL')).toHaveLength(1);
  });
});

describe('sourceReadings', () => {
  const seeded = async (engineNow?: () => number) => {
    const r = await rig(engineNow === undefined ? {} : { engineNow });
    await save(r.store, [
      storedReading({ source: 'news', sourceTs: T0 - 30 * HOUR, score: 0.1 }),
      storedReading({ source: 'news', sourceTs: T0 - 3 * HOUR, score: 0.2, detail: { articles: 4 } }),
      storedReading({ source: 'news', sourceTs: T0 - HOUR, score: 0.3 }),
      storedReading({ source: 'twitter', sourceTs: T0 - HOUR, score: 0.9 }),
      storedReading({ source: 'news', symbol: 'BRK.B', sourceTs: T0 - HOUR, score: -0.2 }),
    ]);
    return r;
  };

  it('lists one source and symbol over the last hours, newest first, as API views', async () => {
    const { service } = await seeded();
    const views = await service.sourceReadings('news', 'aapl', 24);
    expect(views).toEqual([
      {
        source: 'news',
        symbol: 'AAPL',
        score: 0.3,
        confidence: 0.7,
        mentions: 12,
        published_at: new Date(T0 - HOUR).toISOString(),
        fetched_at: new Date(T0 - HOUR + 5_000).toISOString(),
        detail: null,
      },
      expect.objectContaining({ score: 0.2, detail: { articles: 4 } }),
    ]);
    expect((await service.sourceReadings('news', 'AAPL', 48)).map((v) => v.score)).toEqual([0.3, 0.2, 0.1]);
    expect((await service.sourceReadings('news', 'AAPL', 1)).map((v) => v.score)).toEqual([0.3]);
    expect((await service.sourceReadings('news', 'AAPL', 720)).length).toBe(3);
    expect((await service.sourceReadings('news', ' brk.b ', 24)).map((v) => [v.symbol, v.score])).toEqual([
      ['BRK.B', -0.2],
    ]);
    expect(await service.sourceReadings('reddit', 'AAPL', 24)).toEqual([]);
  });

  it('measures the window on the engine clock, never showing a reading published after it', async () => {
    const { service } = await seeded(() => T0 - 2 * HOUR);
    expect((await service.sourceReadings('news', 'AAPL', 24)).map((v) => v.score)).toEqual([0.2]);
  });

  it('refuses a junk symbol or hours with validation_error and an unknown source with not_found', async () => {
    const { service } = await seeded();
    for (const symbol of ['$$$', '', '1AAPL', 'AAPL;DROP', 'ABCDEFGHIJK'])
      expect((await domainError(service.sourceReadings('news', symbol, 24))).code).toBe('validation_error');
    for (const hours of [0, 0.5, 721, Number.NaN, Number.POSITIVE_INFINITY, -3]) {
      const err = await domainError(service.sourceReadings('news', 'AAPL', hours));
      expect(err.code).toBe('validation_error');
      expect(err.issues).toEqual([{ path: 'hours', message: expect.stringMatching(/1 and 720/) }]);
    }
    const unknown = await domainError(service.sourceReadings('facebook', 'AAPL', 24));
    expect(unknown.code).toBe('not_found');
    expect(unknown.message).toMatch(/facebook/);
    // `simulated` is a source only when a simulation is given.
    expect((await domainError(service.sourceReadings('simulated', 'AAPL', 24))).code).toBe('not_found');
  });
});

describe('aggregated', () => {
  const asAggregator = (rows: readonly StoredSentimentReading[]) =>
    rows.map((r) => ({
      source: r.source,
      ts: r.sourceTs,
      score: r.score,
      confidence: r.confidence,
      mentions: r.mentions,
    }));

  const expectMatchesAggregator = async (service: SentimentService, store: SqliteStore, asOf: number) => {
    const expected = aggregateSentiment(asAggregator(await stored(store, 'AAPL')), asOf, DEFAULT_AGGREGATION);
    const view = await service.aggregated('aapl');
    expect(view).toEqual({
      symbol: 'AAPL',
      as_of: new Date(asOf).toISOString(),
      score: expected.score,
      confidence: expected.confidence,
      level: expected.level,
      source_count: expected.sourceCount,
      mentions: expected.mentions,
      divergence: expected.divergence,
      divergent: expected.divergent,
      sources: expected.sources.map((s) => ({
        source: s.source,
        score: s.score,
        confidence: s.confidence,
        weight: s.weight,
        effective_weight: s.effectiveWeight,
        readings: s.readings,
        mentions: s.mentions,
        latest: new Date(s.latestTs).toISOString(),
      })),
    });
    return view;
  };

  it('is aggregateSentiment over the stored readings as of the engine clock', async () => {
    const asOf = T0 - HOUR;
    const { service, store } = await rig({ engineNow: () => asOf });
    await save(store, [
      storedReading({ source: 'twitter', sourceTs: asOf - 2 * HOUR, score: 0.7, mentions: 40 }),
      storedReading({ source: 'twitter', sourceTs: asOf - 5 * HOUR, score: 0.1, mentions: 10 }),
      storedReading({ source: 'news', sourceTs: asOf - 20 * MINUTE, score: -0.5, confidence: 0.9 }),
      storedReading({ source: 'reddit', sourceTs: asOf - 10 * HOUR, score: 0.2, confidence: 0.2 }), // under min confidence
      storedReading({ source: 'options', sourceTs: asOf - HOUR, score: -1 }), // weight 0 in sentiment
      storedReading({ source: 'stocktwits', sourceTs: asOf + 30 * MINUTE, score: -0.9 }), // after the engine clock
      storedReading({ source: 'stocktwits', sourceTs: asOf - 50 * HOUR, score: -0.9 }), // past the maximum age
      storedReading({ symbol: 'MSFT', source: 'news', sourceTs: asOf - HOUR, score: 1 }),
    ]);
    const view = await expectMatchesAggregator(service, store, asOf);
    expect(view.source_count).toBe(2);
    expect(view.sources.map((s) => s.source).sort()).toEqual(['news', 'twitter']);
    expect(view.score).toBeGreaterThanOrEqual(-1);
    expect(view.score).toBeLessThanOrEqual(1);
  });

  it('counts slow sources as long as the aggregator weighs them', async () => {
    const { service, store } = await rig();
    await save(store, [
      storedReading({ source: 'analyst_ratings', sourceTs: T0 - 3 * DAY, score: 0.6 }),
      storedReading({ source: 'news', sourceTs: T0 - HOUR, score: -0.1 }),
    ]);
    const view = await expectMatchesAggregator(service, store, T0);
    expect(view.sources.map((s) => s.source)).toContain('analyst_ratings');
  });

  it('is neutral with no readings and refuses a junk symbol', async () => {
    const { service } = await rig();
    expect(await service.aggregated('BRK.B')).toMatchObject({
      symbol: 'BRK.B',
      score: 0,
      confidence: 0,
      level: 'neutral',
      source_count: 0,
      sources: [],
    });
    expect((await domainError(service.aggregated('$$$'))).code).toBe('validation_error');
  });
});

describe('status and the simulation', () => {
  it('lists the thirteen sources in order, then the simulation; a source not built says so', async () => {
    const sim = fakeSimulation();
    const news = fakeProvider('news', () => Promise.resolve([]), { intervalMs: 300_000 });
    const { service } = await rig({ providers: [news], simulated: sim });
    service.track(['SPY', 'AAPL']);
    const status = service.status();
    expect(status.sources.map((s) => s.source)).toEqual([...SOURCE_NAMES, 'simulated']);
    expect(status.sources).toHaveLength(14);
    expect(statusOf(service, 'twitter')).toEqual({
      source: 'twitter',
      available: false,
      reason: 'not built in this configuration',
      poll_interval_seconds: null,
      last_success: null,
      last_reading: null,
      readings_total: 0,
      errors_total: 0,
      last_error: null,
      rate_limit: null,
    });
    expect(statusOf(service, 'news')).toMatchObject({ available: true, poll_interval_seconds: 300, rate_limit: null });
    expect(statusOf(service, 'simulated')).toMatchObject({ available: false, reason: 'not started' });
    expect(status.tracked_symbols).toEqual(['AAPL', 'SPY']);
    expect(sim.tracked).toEqual(['SPY', 'AAPL']);
    expect(status.aggregation).toEqual({
      half_life_hours: 6,
      min_confidence: 0.3,
      divergence_threshold: 0.5,
      max_age_hours: 48,
      weights: DEFAULT_AGGREGATION.weights,
    });
  });

  it('leaves the simulation’s options flow out of the sentiment aggregate, as the engine does', async () => {
    const sim = fakeSimulation();
    const { service, seen } = await rig({ simulated: sim });
    service.track(['AAPL']);
    service.start();
    const ts = T0 - 15 * MINUTE;
    const base = { symbol: 'AAPL', confidence: 0.6, mentions: 50, sourceTs: ts };
    sim.emit({ channel: 'sentiment', reading: { ...base, source: 'simulated', score: 0.4 } });
    sim.emit({ channel: 'options', reading: { ...base, source: 'simulated_options', score: -0.8 } });
    await vi.waitFor(() => expect(seen.options).toHaveLength(1));
    // The engine got the flow on optionsFlow$ only; its sentiment aggregate is the simulated source alone.
    expect(seen.sentiment.map((r) => r.source)).toEqual(['simulated']);
    const view = await service.aggregated('AAPL');
    expect(view.sources.map((s) => s.source)).toEqual(['simulated']);
    expect(view.score).toBeCloseTo(0.4, 9);
  });

  it('without a simulation lists exactly the thirteen', async () => {
    const { service } = await rig();
    expect(service.status().sources.map((s) => s.source)).toEqual([...SOURCE_NAMES]);
  });

  it('stores and streams the simulation’s readings on their channels and counts them in its status', async () => {
    const sim = fakeSimulation();
    const { service, store, seen } = await rig({ simulated: sim });
    service.track(['AAPL']);
    service.start();
    expect(sim.started).toBe(1);
    const ts = T0 - 15 * MINUTE;
    sim.emit({
      channel: 'sentiment',
      reading: { source: 'simulated', symbol: 'AAPL', score: 0.35, confidence: 0.6, mentions: 50, sourceTs: ts },
    });
    sim.emit({
      channel: 'options',
      reading: {
        source: 'simulated_options',
        symbol: 'AAPL',
        score: -0.25,
        confidence: 0.5,
        mentions: 4_000,
        sourceTs: ts,
        detail: { put_call_ratio: 0.9 },
      },
    });
    await vi.waitFor(() => expect(seen.options).toHaveLength(1));
    expect(seen.sentiment).toEqual([
      {
        kind: 'sentiment.updated',
        ts,
        symbol: 'AAPL',
        source: 'simulated',
        score: 0.35,
        confidence: 0.6,
        mentions: 50,
      },
    ]);
    expect(seen.options).toEqual([{ kind: 'options.updated', ts, symbol: 'AAPL', score: -0.25, confidence: 0.5 }]);
    expect((await stored(store, 'AAPL')).map((r) => r.source)).toEqual(['simulated', 'simulated_options']);
    expect(statusOf(service, 'simulated')).toMatchObject({
      available: true,
      reason: null,
      readings_total: 2,
      last_reading: new Date(ts).toISOString(),
    });
    expect((await service.sourceReadings('simulated', 'AAPL', 24)).map((v) => v.score)).toEqual([0.35]);
    const flow = await service.optionsFlow('AAPL', 24);
    expect(flow).toMatchObject({
      symbol: 'AAPL',
      available: true,
      reason: 'not built in this configuration',
      latest: { source: 'simulated_options', score: -0.25, detail: { put_call_ratio: 0.9 } },
    });
    expect(flow.history).toHaveLength(1);
  });
});

describe('tracking', () => {
  it('follows exactly the symbols last given: one dropped from the active set is no longer polled', async () => {
    const news = fakeProvider('news', (symbol) => Promise.resolve([reading('news', symbol)]));
    const { service } = await rig({ providers: [news] });
    service.track(['AAPL', 'MSFT']);
    await service.pollOnce('news');
    service.track(['MSFT']);
    await service.pollOnce('news');
    expect(news.calls).toEqual(['AAPL', 'MSFT', 'MSFT']);
    expect(service.status().tracked_symbols).toEqual(['MSFT']);
  });
});
