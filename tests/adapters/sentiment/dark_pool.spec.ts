import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tradingDaysWindow } from '../../../engine/calendar/nyse-calendar.js';
import { DARK_POOL_ENV, darkPoolConfig, type DarkPoolConfig } from '../../../adapters/sentiment/dark_pool/config.js';
import {
  MAX_CONFIDENCE,
  candidateDates,
  createDarkPoolProvider,
  parseShortVolumeFile,
  publicationTs,
  ratioNorm,
  scoreShortRatio,
  shortVolumeFileUrl,
} from '../../../adapters/sentiment/dark_pool/provider.js';
import { createHttpClient, type HttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { ProviderError } from '../../../adapters/sentiment/http/provider-error.js';
import type {
  ProviderReading,
  ReadingHistory,
  SentimentProvider,
  SourceName,
} from '../../../adapters/sentiment/provider.js';
import { startFakeHttp, type FakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const FIXTURE = readFileSync(new URL('../../fixtures/dark_pool/CNMSshvol20260306.txt', import.meta.url), 'utf8');
const HEADER = 'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market';
/** 2026-03-06 (a Friday) 20:00 in New York (EST, UTC-5): that day's file is due. */
const FRIDAY_EVENING = Date.UTC(2026, 2, 7, 1, 0);
const PATH = '/equity/regsho/daily/';
const pathOf = (date: string): string => `${PATH}CNMSshvol${date.replaceAll('-', '')}.txt`;

/** A daily file with the given rows: [symbol, short volume, total volume]. */
const fileOf = (date: string, rows: readonly (readonly [string, number, number])[], trailer = false): string =>
  [
    HEADER,
    ...rows.map(([s, short, total]) => `${date.replaceAll('-', '')}|${s}|${short}|0|${total}|B,Q,N`),
    ...(trailer ? [String(rows.length)] : []),
  ].join('\n') + '\n';

class MemoryHistory implements ReadingHistory {
  readonly queries: { symbol: string; from: number; to: number; sources: readonly SourceName[] | undefined }[] = [];
  constructor(readonly stored: ProviderReading[] = []) {}
  async readings(symbol: string, from: number, to: number, sources?: readonly SourceName[]) {
    this.queries.push({ symbol, from, to, sources });
    return this.stored
      .filter((r) => r.symbol === symbol && r.sourceTs >= from && r.sourceTs <= to)
      .filter((r) => sources === undefined || sources.includes(r.source))
      .sort((a, b) => a.sourceTs - b.sourceTs);
  }
}

/** Earlier dark_pool readings of `symbol` with the given ratios on the trading days before `date`. */
const storedRatios = (symbol: string, beforeDate: string, ratios: readonly number[]): ProviderReading[] => {
  const dates = tradingDaysWindow(beforeDate, ratios.length + 1).slice(0, -1);
  return dates.map((date, i) => ({
    source: 'dark_pool',
    symbol,
    score: 0,
    confidence: 0.3,
    mentions: 1,
    sourceTs: publicationTs(date),
    detail: { date, short_ratio: ratios[i] },
  }));
};

/** 20 ratios alternating 0.48 / 0.52: mean 0.5, sample std 0.02052. */
const ALTERNATING = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0.48 : 0.52));
const ALTERNATING_STD = Math.sqrt((20 * 0.02 ** 2) / 19);

describe('dark_pool config', () => {
  const parse = (env: Record<string, string>) => darkPoolConfig(z.object(DARK_POOL_ENV).parse(env));

  it('has the documented defaults', () => {
    expect(parse({})).toEqual({
      enabled: true,
      baseUrl: 'https://cdn.finra.org',
      intervalMs: 3_600_000,
      baselineDays: 20,
    });
  });

  it('reads overrides and refuses a baseline too short for a spread', () => {
    expect(parse({ DARK_POOL_ENABLED: 'false', DARK_POOL_BASELINE_DAYS: '10', DARK_POOL_POLL_INTERVAL: '60' })).toEqual(
      { enabled: false, baseUrl: 'https://cdn.finra.org', intervalMs: 60_000, baselineDays: 10 },
    );
    expect(() => parse({ DARK_POOL_BASELINE_DAYS: '2' })).toThrow(/between 5 and 60/);
    expect(() => parse({ DARK_POOL_BASE_URL: 'ftp://x' })).toThrow(/URL/);
  });
});

describe('dark_pool dates', () => {
  it('names the consolidated NMS file of a date', () => {
    expect(shortVolumeFileUrl('https://cdn.finra.org', '2026-03-06')).toBe(
      'https://cdn.finra.org/equity/regsho/daily/CNMSshvol20260306.txt',
    );
  });

  it('dates a file at 18:00 New York time, DST-aware', () => {
    expect(publicationTs('2026-03-06')).toBe(Date.UTC(2026, 2, 6, 23, 0));
    expect(publicationTs('2026-07-01')).toBe(Date.UTC(2026, 6, 1, 22, 0));
  });

  it.each([
    ['Friday 20:00, after publication', FRIDAY_EVENING, '2026-03-06'],
    ['Friday 17:59, before publication', Date.UTC(2026, 2, 6, 22, 59), '2026-03-05'],
    ['Friday 18:00 exactly', Date.UTC(2026, 2, 6, 23, 0), '2026-03-06'],
    ['Saturday', Date.UTC(2026, 2, 7, 15, 0), '2026-03-06'],
    ["Presidents' Day evening", Date.UTC(2026, 1, 17, 1, 0), '2026-02-13'],
    ['Good Friday', Date.UTC(2026, 3, 3, 23, 0), '2026-04-02'],
  ])('tries the newest due trading day first: %s', (_, now, newest) => {
    const dates = candidateDates(now);
    expect(dates[0]).toBe(newest);
    expect(dates).toHaveLength(5);
  });

  it('steps backwards over weekends and holidays', () => {
    expect(candidateDates(Date.UTC(2026, 1, 17, 1, 0))).toEqual([
      '2026-02-13',
      '2026-02-12',
      '2026-02-11',
      '2026-02-10',
      '2026-02-09',
    ]);
  });
});

describe('parseShortVolumeFile', () => {
  const all = (): boolean => true;

  it('keeps only the tracked symbols of the fixture', () => {
    const rows = parseShortVolumeFile(FIXTURE, '2026-03-06', (s) => s === 'AAPL' || s === 'MSFT' || s === 'NOPE');
    expect([...rows.keys()].sort()).toEqual(['AAPL', 'MSFT']);
    expect(rows.get('AAPL')).toEqual({
      shortVolume: 13524511,
      shortExemptVolume: 61240,
      totalVolume: 25000000,
      market: 'B,Q,N',
    });
    expect(parseShortVolumeFile(FIXTURE, '2026-03-06', all).size).toBe(31);
  });

  it('accepts a matching trailer, an empty day, decimals, reordered and extra columns', () => {
    expect(parseShortVolumeFile(fileOf('2026-03-06', [['AAPL', 1, 2]], true), '2026-03-06', all).size).toBe(1);
    expect(parseShortVolumeFile(`${HEADER}\n0\n`, '2026-03-06', all).size).toBe(0);
    const decimals = `${HEADER}\n20260306|AAPL|100.5|0|200.25|Q\n`;
    expect(parseShortVolumeFile(decimals, '2026-03-06', all).get('AAPL')?.totalVolume).toBe(200.25);
    const reordered =
      'Symbol|TotalVolume|Market|ShortVolume|Date|ShortExemptVolume|Extra\nAAPL|200|Q|50|20260306|0|x\n';
    expect(parseShortVolumeFile(reordered, '2026-03-06', all).get('AAPL')).toMatchObject({
      shortVolume: 50,
      totalVolume: 200,
    });
  });

  it('sums the rows of a symbol listed twice', () => {
    const twice = fileOf('2026-03-06', [
      ['AAPL', 10, 100],
      ['AAPL', 30, 100],
    ]);
    expect(parseShortVolumeFile(twice, '2026-03-06', all).get('AAPL')).toMatchObject({
      shortVolume: 40,
      totalVolume: 200,
    });
  });

  it.each([
    ['an HTML page', '<html><body>Access denied</body></html>', 'malformed'],
    ['an empty body', '\n', 'malformed'],
    ['a trailer that disagrees (cut off)', fileOf('2026-03-06', [['AAPL', 1, 2]]) + '5\n', 'malformed'],
    ['a row with a missing field', `${HEADER}\n20260306|AAPL|1|0|2\n`, 'malformed'],
    ['a renamed column', FIXTURE.replace('ShortVolume|', 'ShortVol|'), 'schema'],
    ['a volume that is not a number', `${HEADER}\n20260306|AAPL|n/a|0|2|Q\n`, 'schema'],
    ['a negative volume', `${HEADER}\n20260306|AAPL|-1|0|2|Q\n`, 'schema'],
    ["another day's rows", FIXTURE.replaceAll('20260306', '20260305'), 'schema'],
  ])('refuses %s', (_, text, kind) => {
    let error: unknown;
    try {
      parseShortVolumeFile(text, '2026-03-06', all, 'https://cdn.finra.org/x.txt?k=secret');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe(kind);
    expect((error as ProviderError).message).not.toContain('secret');
  });

  it('does not validate the values of untracked rows', () => {
    const text = `${HEADER}\n20260306|ODD|n/a|0|2|Q\n20260306|AAPL|1|0|2|Q\n`;
    expect(parseShortVolumeFile(text, '2026-03-06', (s) => s === 'AAPL').size).toBe(1);
  });
});

describe('dark_pool scoring', () => {
  it('computes the mean and sample standard deviation', () => {
    const norm = ratioNorm(ALTERNATING);
    expect(norm?.mean).toBeCloseTo(0.5, 10);
    expect(norm?.std).toBeCloseTo(ALTERNATING_STD, 10);
    expect(norm?.days).toBe(20);
    expect(ratioNorm([0.5])).toBeUndefined();
  });

  const norm = { mean: 0.5, std: 0.02, days: 20 };
  it.each([
    ['at the norm', 0.5, norm, 0, 0.5],
    ['two sigma above: bullish (DIX reading)', 0.54, norm, Math.tanh(1), 0.5],
    ['one sigma below: bearish', 0.48, norm, -Math.tanh(0.5), 0.5],
    ['far above saturates below 1', 0.7, norm, Math.tanh(5), 0.5],
    ['half the baseline halves the confidence', 0.54, { ...norm, days: 10 }, Math.tanh(1), 0.25],
    ['a flat history uses the 0.01 floor', 0.51, { mean: 0.5, std: 0, days: 20 }, Math.tanh(0.5), 0.5],
    ['fewer than 5 days: no score', 0.7, { ...norm, days: 4 }, 0, 0],
  ])('%s', (_, ratio, n, score, confidence) => {
    const result = scoreShortRatio(ratio, n, 20, 1_000_000);
    expect(result.score).toBeCloseTo(score, 10);
    expect(result.confidence).toBeCloseTo(confidence, 10);
  });

  it('never exceeds the confidence cap and shrinks on thin volume', () => {
    expect(scoreShortRatio(0.6, norm, 20, 1e9).confidence).toBe(MAX_CONFIDENCE);
    expect(scoreShortRatio(0.6, norm, 20, 50_000).confidence).toBeCloseTo(0.25, 10);
    expect(scoreShortRatio(0.6, undefined, 20, 1e6)).toEqual({ score: 0, confidence: 0, z: undefined });
  });
});

describe('dark_pool provider', () => {
  let fake: FakeHttp;
  let http: HttpClient;
  let now: number;
  let history: MemoryHistory;

  const provider = (overrides: Partial<DarkPoolConfig> = {}): SentimentProvider =>
    createDarkPoolProvider(
      { enabled: true, baseUrl: fake.url, intervalMs: 3_600_000, baselineDays: 20, ...overrides },
      { http, history, now: () => now },
    );
  const requestsFor = (date: string): number => fake.requests.filter((r) => r.path === pathOf(date)).length;

  beforeEach(async () => {
    fake = await startFakeHttp();
    http = createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 });
    now = FRIDAY_EVENING;
    history = new MemoryHistory([
      ...storedRatios('AAPL', '2026-03-06', ALTERNATING),
      ...storedRatios('MSFT', '2026-03-06', ALTERNATING),
    ]);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('scores a short ratio above the stored norm as bullish, with the file date as sourceTs', async () => {
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    const readings = await provider().fetch('aapl');
    const ratio = 13524511 / 25000000;
    const z = (ratio - 0.5) / ALTERNATING_STD;
    expect(readings).toHaveLength(1);
    const [reading] = readings;
    expect(reading).toMatchObject({
      source: 'dark_pool',
      symbol: 'AAPL',
      mentions: 1,
      sourceTs: Date.UTC(2026, 2, 6, 23, 0),
      detail: {
        date: '2026-03-06',
        short_volume: 13524511,
        short_exempt_volume: 61240,
        total_volume: 25000000,
        market: 'B,Q,N',
        baseline_days: 20,
      },
    });
    expect(reading?.score).toBeCloseTo(Math.tanh(z / 2), 4);
    expect(reading?.score).toBeGreaterThan(0.7);
    expect(reading?.confidence).toBe(0.5);
    expect(reading?.detail?.['short_ratio']).toBeCloseTo(ratio, 6);
    expect(reading?.detail?.['baseline_mean']).toBeCloseTo(0.5, 6);
    expect(reading?.detail?.['z']).toBeCloseTo(z, 3);
    // One request: the baseline came from stored readings of the 20 trading days before.
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.headers['user-agent']).toMatch(/ibkr-trading-bot/);
    expect(history.queries[0]).toEqual({
      symbol: 'AAPL',
      from: Date.UTC(2026, 1, 5, 5, 0),
      to: Date.UTC(2026, 2, 6, 23, 0) - 1,
      sources: ['dark_pool'],
    });
  });

  it('scores a ratio below the norm as bearish', async () => {
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    const [reading] = await provider().fetch('MSFT');
    expect(reading?.score).toBeCloseTo(Math.tanh((0.4183512 - 0.5) / ALTERNATING_STD / 2), 4);
    expect(reading?.score).toBeLessThan(-0.9);
  });

  it('downloads a date once for every tracked symbol and reports a date only once', async () => {
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    const p = provider({ trackedSymbols: ['AAPL', 'MSFT'] });
    expect(await p.fetch('AAPL')).toHaveLength(1);
    expect(await p.fetch('MSFT')).toHaveLength(1);
    expect(await p.fetch('AAPL')).toEqual([]);
    expect(requestsFor('2026-03-06')).toBe(1);
  });

  it('shares one download between concurrent symbols', async () => {
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE, delayMs: 30 });
    const p = provider();
    const [a, m] = await Promise.all([p.fetch('AAPL'), p.fetch('MSFT')]);
    expect(a).toHaveLength(1);
    expect(m).toHaveLength(1);
    expect(requestsFor('2026-03-06')).toBe(1);
  });

  it('downloads a cached date again for a symbol it did not keep rows for', async () => {
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    const p = provider();
    await p.fetch('AAPL');
    history.stored.push(...storedRatios('TSLA', '2026-03-06', ALTERNATING));
    expect(await p.fetch('TSLA')).toHaveLength(1);
    expect(requestsFor('2026-03-06')).toBe(2);
  });

  it('returns nothing for a symbol missing from the file or without volume', async () => {
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    const p = provider();
    expect(await p.fetch('NOTLISTED')).toEqual([]);
    expect(await p.fetch('ZVZZT')).toEqual([]);
  });

  it('backfills a missing baseline from older files once, skipping a day FINRA never published', async () => {
    history = new MemoryHistory();
    const baseline = tradingDaysWindow('2026-03-05', 6);
    expect(baseline).toEqual(['2026-02-26', '2026-02-27', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
    const published = baseline.filter((d) => d !== '2026-03-03');
    const ratios = [0.4, 0.42, 0.44, 0.46, 0.48];
    for (const [i, date] of published.entries())
      fake.on('GET', pathOf(date), { body: fileOf(date, [['AAPL', Math.round((ratios[i] ?? 0) * 1e6), 1e6]]) });
    fake.on('GET', pathOf('2026-03-03'), { status: 404, body: 'NoSuchKey' });
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    const p = provider({ baselineDays: 6 });
    const [reading] = await p.fetch('AAPL');
    const norm = ratioNorm(ratios);
    expect(reading?.detail?.['baseline_days']).toBe(5);
    expect(reading?.confidence).toBeCloseTo(0.5 * (5 / 6), 10);
    expect(reading?.score).toBeCloseTo(Math.tanh((13524511 / 25e6 - (norm?.mean ?? 0)) / (norm?.std ?? 1) / 2), 4);
    expect(fake.requests).toHaveLength(7);

    // Next trading day (Monday, after the DST switch): only the new file is downloaded.
    now = Date.UTC(2026, 2, 10, 0, 0);
    fake.on('GET', pathOf('2026-03-09'), { body: fileOf('2026-03-09', [['AAPL', 450_000, 1e6]]) });
    const [monday] = await p.fetch('AAPL');
    expect(monday?.sourceTs).toBe(Date.UTC(2026, 2, 9, 22, 0));
    expect(monday?.detail?.['baseline_days']).toBe(5);
    expect(fake.requests).toHaveLength(8);
  });

  it('gives a zero-confidence baseline_short reading while the history is too short', async () => {
    history = new MemoryHistory(storedRatios('AAPL', '2026-03-06', [0.5, 0.5]));
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    for (const date of tradingDaysWindow('2026-03-03', 3)) fake.on('GET', pathOf(date), { status: 404 });
    const [reading] = await provider({ baselineDays: 5 }).fetch('AAPL');
    expect(reading).toMatchObject({ score: 0, confidence: 0, detail: { reason: 'baseline_short', baseline_days: 2 } });
    expect(reading?.detail?.['short_ratio']).toBeCloseTo(0.54098, 6);
  });

  it('falls back to the previous trading day while the newest file is not published, and asks again later', async () => {
    history = new MemoryHistory(storedRatios('AAPL', '2026-03-05', ALTERNATING));
    fake.on('GET', pathOf('2026-03-06'), { status: 404, body: 'NoSuchKey' });
    fake.on('GET', pathOf('2026-03-05'), { body: fileOf('2026-03-05', [['AAPL', 500_000, 1e6]]) });
    const p = provider();
    const [reading] = await p.fetch('AAPL');
    expect(reading?.detail?.['date']).toBe('2026-03-05');
    expect(reading?.sourceTs).toBe(Date.UTC(2026, 2, 5, 23, 0));
    expect(reading?.score).toBeCloseTo(0, 10);

    now += 10 * 60_000;
    expect(await p.fetch('AAPL')).toEqual([]);
    expect(requestsFor('2026-03-06')).toBe(1);

    now += 10 * 60_000;
    history.stored.push(...storedRatios('AAPL', '2026-03-06', ALTERNATING));
    fake.on('GET', pathOf('2026-03-06'), { body: FIXTURE });
    const [later] = await p.fetch('AAPL');
    expect(later?.detail?.['date']).toBe('2026-03-06');
    expect(requestsFor('2026-03-06')).toBe(2);
  });

  it('reports an error when no file of the last five trading days exists', async () => {
    const err = await rejection(provider().fetch('AAPL'));
    expect(err.kind).toBe('http');
    expect(err.message).toMatch(/last 5 trading days \(2026-03-02\.\.2026-03-06\)/);
    expect(fake.requests).toHaveLength(5);
  });

  it('says when the CDN forbids every file (403: likely the User-Agent)', async () => {
    for (const date of tradingDaysWindow('2026-03-06', 5)) fake.on('GET', pathOf(date), { status: 403 });
    const err = await rejection(provider().fetch('AAPL'));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/User-Agent/);
  });

  it('reports an HTML page instead of the file as malformed', async () => {
    fake.on('GET', pathOf('2026-03-06'), { body: '<html>maintenance</html>' });
    expect((await rejection(provider().fetch('AAPL'))).kind).toBe('malformed');
  });

  it('refuses a symbol that is not a ticker, without a request', async () => {
    const err = await rejection(provider().fetch('not a symbol!'));
    expect(err.kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('is unavailable when disabled and otherwise available without a key', () => {
    const off = provider({ enabled: false });
    expect(off.availability()).toEqual({ available: false, reason: expect.stringMatching(/DARK_POOL_ENABLED/) });
    expect(provider().availability()).toEqual({ available: true });
    expect(provider().name).toBe('dark_pool');
    expect(provider().intervalMs).toBe(3_600_000);
    expect(fake.requests).toHaveLength(0);
  });
});

describeHttpFailures({
  title: 'FINRA short-volume file',
  start: (fake, d) =>
    createDarkPoolProvider({ enabled: true, baseUrl: fake.url, intervalMs: 3_600_000, baselineDays: 20 }, d),
  method: 'GET',
  path: pathOf('2026-03-06'),
  symbol: 'AAPL',
  good: { body: FIXTURE },
  renamed: { body: FIXTURE.replace('TotalVolume', 'TotalVol') },
  rateLimitBody: { message: 'Too Many Requests' },
  clockStart: FRIDAY_EVENING,
});
