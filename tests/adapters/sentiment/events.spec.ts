import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ANALYST_RATINGS_ENV, analystRatingsConfig } from '../../../adapters/sentiment/analyst_ratings/config.js';
import { createAnalystRatingsProvider } from '../../../adapters/sentiment/analyst_ratings/provider.js';
import { EVENTS_ENV, type EventsConfig, eventsConfig } from '../../../adapters/sentiment/events/config.js';
import {
  FINNHUB_LIMIT,
  createEventsProvider,
  driftWeight,
  expectedReleaseTs,
  nextEarnings,
  normalizeHour,
  reportAvailableTs,
  scoreSurprises,
  weekdaysBetween,
} from '../../../adapters/sentiment/events/provider.js';
import type { FinnhubEarningsCalendarEntry } from '../../../adapters/sentiment/events/schema.js';
import { DEFAULT_USER_AGENT, type HttpClient, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import type { ProviderDeps, ProviderReading } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const fixture = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

const SURPRISES = fixture('finnhub-earnings-surprises.json') as Record<string, unknown>[];
const CALENDAR_RECENT = fixture('finnhub-calendar-recent.json');
const CALENDAR_UPCOMING = fixture('finnhub-calendar-upcoming.json');

/** Thursday 2026-05-14 11:00 New York: 10 trading days after the 2026-04-30 (amc) report. */
const NOW = Date.parse('2026-05-14T15:00:00Z');
/** Monday 2026-07-20 11:00 New York: the next report (2026-07-30 amc) is 10 days away. */
const BEFORE_NEXT = Date.parse('2026-07-20T15:00:00Z');

const config = (env: Record<string, string | undefined>): EventsConfig => eventsConfig(z.object(EVENTS_ENV).parse(env));

const FINNHUB_KEY = 'finnhub-test-key';

const deps = (now = NOW, http?: HttpClient): ProviderDeps => ({
  http: http ?? createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 }),
  history: { readings: async () => [] },
  now: () => now,
});

const entry = (over: Partial<FinnhubEarningsCalendarEntry>): FinnhubEarningsCalendarEntry => ({
  date: '2026-07-30',
  epsActual: null,
  epsEstimate: 1.72,
  hour: 'amc',
  quarter: 3,
  revenueActual: null,
  revenueEstimate: 89_450_000_000,
  symbol: 'AAPL',
  year: 2026,
  ...over,
});

describe('report times', () => {
  it.each([
    // Winter (EST, UTC-5) and summer (EDT, UTC-4) on either side of the 2026-03-08 switch.
    ['2026-03-06', 'bmo', '2026-03-06T13:00:00Z'],
    ['2026-03-06', 'amc', '2026-03-06T21:05:00Z'],
    ['2026-03-09', 'bmo', '2026-03-09T12:00:00Z'],
    ['2026-03-09', 'amc', '2026-03-09T20:05:00Z'],
    ['2026-11-02', 'dmh', '2026-11-02T14:30:00Z'],
    ['2026-10-30', 'dmh', '2026-10-30T13:30:00Z'],
    ['2026-10-30', null, '2026-10-30T13:30:00Z'],
  ] as const)('expected release of %s %s is %s', (date, hour, iso) => {
    expect(expectedReleaseTs(date, hour)).toBe(Date.parse(iso));
  });

  it.each([
    ['2026-04-30', 'bmo', '2026-04-30T13:30:00Z'],
    ['2026-04-30', 'dmh', '2026-04-30T20:00:00Z'],
    ['2026-04-30', 'amc', '2026-05-01T00:00:00Z'],
    ['2026-01-29', null, '2026-01-30T01:00:00Z'],
  ] as const)('a %s %s report is public by %s', (date, hour, iso) => {
    expect(reportAvailableTs(date, hour)).toBe(Date.parse(iso));
  });

  it.each([
    ['bmo', 'bmo'],
    ['amc', 'amc'],
    ['dmh', 'dmh'],
    ['', null],
    [null, null],
    ['BMO', null],
  ] as const)("hour '%s' is %s", (raw, hour) => {
    expect(normalizeHour(raw)).toBe(hour);
  });
});

describe('nextEarnings', () => {
  it('finds the next report, bmo in winter time', () => {
    const now = Date.parse('2026-03-01T15:00:00Z');
    const calendar = [entry({ date: '2026-03-06', hour: 'bmo', quarter: 1 })];
    expect(nextEarnings(calendar, 'AAPL', now)).toEqual({
      date: '2026-03-06',
      hour: 'bmo',
      ts: Date.parse('2026-03-06T13:00:00Z'),
    });
  });

  it('finds the next report, amc just after the switch to summer time', () => {
    const now = Date.parse('2026-03-07T15:00:00Z');
    const calendar = [entry({ date: '2026-03-09', hour: 'amc', quarter: 1 })];
    expect(nextEarnings(calendar, 'aapl', now)).toEqual({
      date: '2026-03-09',
      hour: 'amc',
      ts: Date.parse('2026-03-09T20:05:00Z'),
    });
  });

  it('takes the earliest upcoming entry, skipping reported ones and other symbols', () => {
    const now = Date.parse('2026-07-20T15:00:00Z');
    const calendar = [
      entry({ date: '2026-08-12', hour: 'bmo', quarter: 4 }),
      entry({ date: '2026-07-01', epsActual: 1.5, quarter: 2 }), // past and reported
      entry({ date: '2026-07-20', epsActual: 1.61, hour: 'bmo' }), // reported this morning
      entry({ date: '2026-07-22', symbol: 'MSFT' }),
      entry({ date: '2026-07-30', hour: '' }),
    ];
    expect(nextEarnings(calendar, 'AAPL', now)).toEqual({
      date: '2026-07-30',
      hour: null,
      ts: Date.parse('2026-07-30T13:30:00Z'),
    });
  });

  it('keeps a report due later today until its actual is in', () => {
    const now = Date.parse('2026-07-30T21:00:00Z'); // 17:00 New York, after the amc time
    const next = nextEarnings([entry({})], 'AAPL', now);
    expect(next?.ts).toBe(Date.parse('2026-07-30T20:05:00Z'));
  });

  it('is null when nothing is scheduled', () => {
    expect(nextEarnings([], 'AAPL', NOW)).toBeNull();
    expect(nextEarnings([entry({ date: '2026-05-13' })], 'AAPL', NOW)).toBeNull();
  });
});

describe('earnings surprise scoring', () => {
  it.each([
    ['2026-04-30', '2026-04-30', 0],
    ['2026-04-30', '2026-05-01', 1],
    ['2026-05-01', '2026-05-04', 1], // Friday to Monday
    ['2026-04-30', '2026-05-14', 10],
    ['2026-05-14', '2026-04-30', 0],
  ])('%s to %s is %i trading days', (from, to, n) => {
    expect(weekdaysBetween(from, to)).toBe(n);
  });

  it.each([
    [0, 1],
    [5, 0.75],
    [10, 0.5],
    [20, 0],
    [30, 0],
  ])('drift weight after %i trading days is %d', (days, weight) => {
    expect(driftWeight(days)).toBeCloseTo(weight, 10);
  });

  it.each([
    // [surprises newest first, trading days, score, confidence]
    ['a fresh 10% beat, 4 beats in a row', [10, 5, 4, 9], 0, Math.tanh(1), 0.5 * Math.tanh(1) + 0.5],
    ['the same, 10 days on', [10, 5, 4, 9], 10, 0.5 * Math.tanh(1), 0.5 * Math.tanh(1) + 0.5],
    ['a fresh 10% miss after beats', [-10, 5, 4, 9], 0, -Math.tanh(1), 0.5 * Math.tanh(1) + 0.125],
    ['a huge beat saturates', [250, 3, 2, 1], 0, 1, 1],
    ['an in-line report', [0, 5, 5, 5], 0, 0, 0],
    ['one quarter known', [4], 0, Math.tanh(0.4), 0.5 * Math.tanh(0.4) + 0.125],
    ['past the drift window', [10, 5, 4, 9], 20, 0, 0],
    ['report date unknown', [10, 5, 4, 9], undefined, 0, 0],
    ['only the last four quarters count', [2, 3, -1, -1, 8, 8], 0, Math.tanh(0.2), 0.5 * Math.tanh(0.2) + 0.25],
  ])('%s', (_name, percents, days, score, confidence) => {
    const s = scoreSurprises(percents, days);
    expect(s.score).toBeCloseTo(score, 10);
    expect(s.confidence).toBeCloseTo(confidence, 10);
    expect(s.quarters).toBe(Math.min(4, percents.length));
  });

  it('has nothing without surprises', () => {
    expect(scoreSurprises([], 0)).toMatchObject({ score: 0, confidence: 0, quarters: 0 });
  });
});

describe('events config', () => {
  it('defaults to Finnhub every 6 hours with a 24-hour blackout', () => {
    expect(config({})).toEqual({
      enabled: true,
      baseUrl: 'https://finnhub.io/api/v1',
      intervalMs: 21_600_000,
      blackoutHours: 24,
      finnhubApiKey: undefined,
    });
  });

  it('refuses a negative blackout', () => {
    expect(() => config({ EVENTS_BLACKOUT_HOURS: '-1' })).toThrow(/>= 0/);
  });
});

describe('events from Finnhub', () => {
  let fake: FakeHttp;
  let cfg: EventsConfig;
  const KEY = FINNHUB_KEY;

  beforeEach(async () => {
    fake = await startFakeHttp();
    cfg = config({ EVENTS_BASE_URL: fake.url, FINNHUB_API_KEY: KEY });
    fake.on('GET', '/calendar/earnings', { body: CALENDAR_RECENT });
    fake.on('GET', '/stock/earnings', { body: SURPRISES });
  });
  afterEach(() => fake.close());

  it('scores the latest surprise as decaying drift, dated when the report was public', async () => {
    const provider = createEventsProvider(cfg, deps());
    expect(provider.name).toBe('events');
    expect(provider.intervalMs).toBe(21_600_000);
    expect(provider.availability()).toEqual({ available: true });

    const readings = await provider.fetch('AAPL');
    expect(readings).toHaveLength(1);
    const r = readings[0] as ProviderReading;
    const size = Math.tanh(4.3478 / 10);
    expect(r).toMatchObject({ source: 'events', symbol: 'AAPL', mentions: 4 });
    expect(r.score).toBeCloseTo(size * 0.5, 10); // 10 of 20 trading days gone
    expect(r.score).toBeCloseTo(0.205, 3);
    expect(r.confidence).toBeCloseTo(0.5 * size + 0.5, 10);
    // 2026-04-30 after the close: public by 20:00 New York, not at the 2026-03-31 quarter end.
    expect(r.sourceTs).toBe(Date.parse('2026-05-01T00:00:00Z'));
    expect(r.detail).toEqual({
      next_earnings: null,
      blackout_from: null,
      latest_surprise: {
        period: '2026-03-31',
        year: 2026,
        quarter: 2,
        actual: 1.68,
        estimate: 1.61,
        surprise_percent: 4.3478,
        report_date: '2026-04-30',
        report_hour: 'amc',
      },
      trading_days_since_report: 10,
      drift_weight: 0.5,
      quarters: 4,
      same_sign_quarters: 4,
    });

    const [calendar, surprises] = fake.requests;
    expect(calendar?.path).toBe('/calendar/earnings');
    expect(Object.fromEntries(calendar?.query ?? [])).toEqual({ from: '2026-04-09', to: '2026-06-13', symbol: 'AAPL' });
    expect(surprises?.path).toBe('/stock/earnings');
    expect(Object.fromEntries(surprises?.query ?? [])).toEqual({ symbol: 'AAPL' });
    for (const q of fake.requests) {
      expect(q.headers['x-finnhub-token']).toBe(KEY);
      expect(q.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    }
  });

  it('carries the next report for the blackout when no surprise is recent', async () => {
    fake.on('GET', '/calendar/earnings', { body: CALENDAR_UPCOMING });
    const [r] = await createEventsProvider(cfg, deps(BEFORE_NEXT)).fetch('AAPL');
    const ts = Date.parse('2026-07-30T20:05:00Z');
    expect(r).toMatchObject({ score: 0, confidence: 0, mentions: 0, sourceTs: BEFORE_NEXT });
    expect(r?.detail).toMatchObject({
      next_earnings: { date: '2026-07-30', hour: 'amc', ts },
      blackout_from: ts - 24 * 3_600_000,
      latest_surprise: { period: '2026-03-31', report_date: null },
      trading_days_since_report: null,
      drift_weight: 0,
    });
    expect(Object.fromEntries(fake.requests[0]?.query ?? [])).toMatchObject({ from: '2026-06-15', to: '2026-08-19' });
  });

  it('uses EVENTS_BLACKOUT_HOURS for blackout_from', async () => {
    fake.on('GET', '/calendar/earnings', { body: CALENDAR_UPCOMING });
    const custom = config({ EVENTS_BASE_URL: fake.url, FINNHUB_API_KEY: KEY, EVENTS_BLACKOUT_HOURS: '48' });
    const [r] = await createEventsProvider(custom, deps(BEFORE_NEXT)).fetch('AAPL');
    expect(r?.detail?.['blackout_from']).toBe(Date.parse('2026-07-30T20:05:00Z') - 48 * 3_600_000);
  });

  it('never dates a report after it was fetched', async () => {
    // Reported this morning (bmo, public by 09:30); fetched at 09:00 because Finnhub already had it.
    const morning = Date.parse('2026-04-30T13:00:00Z');
    fake.on('GET', '/calendar/earnings', {
      body: { earningsCalendar: [entry({ date: '2026-04-30', hour: 'bmo', epsActual: 1.68, quarter: 2 })] },
    });
    const [r] = await createEventsProvider(cfg, deps(morning)).fetch('AAPL');
    expect(r?.sourceTs).toBe(morning);
    expect(r?.score).toBeCloseTo(Math.tanh(0.43478), 4);
  });

  it('says nothing when the last report is stale and none is scheduled', async () => {
    fake.on('GET', '/calendar/earnings', { body: { earningsCalendar: [] } });
    expect(await createEventsProvider(cfg, deps()).fetch('AAPL')).toEqual([]);
  });

  it('ignores a calendar entry of another quarter than the latest surprise', async () => {
    fake.on('GET', '/calendar/earnings', {
      body: { earningsCalendar: [entry({ date: '2026-04-30', epsActual: 1.68, quarter: 1 })] },
    });
    expect(await createEventsProvider(cfg, deps()).fetch('AAPL')).toEqual([]);
  });

  it('shares one Finnhub budget with analyst ratings', () => {
    const http = createHttpClient();
    createEventsProvider(cfg, deps(NOW, http));
    const analyst = analystRatingsConfig(
      z.object(ANALYST_RATINGS_ENV).parse({ ANALYST_RATINGS_BASE_URL: fake.url, FINNHUB_API_KEY: KEY }),
    );
    createAnalystRatingsProvider(analyst, deps(NOW, http));
    expect(http.limitState(fake.url).limit).toEqual(FINNHUB_LIMIT);
    expect((FINNHUB_LIMIT.requests / FINNHUB_LIMIT.perMs) * 60_000).toBe(60);
  });

  it('is unavailable without FINNHUB_API_KEY, and asks nothing', async () => {
    const provider = createEventsProvider(config({ EVENTS_BASE_URL: fake.url }), deps());
    expect(provider.availability()).toEqual({ available: false, reason: 'FINNHUB_API_KEY is not set' });
    expect((await rejection(provider.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('is unavailable when disabled', async () => {
    const provider = createEventsProvider({ ...cfg, enabled: false }, deps());
    expect(provider.availability()).toEqual({ available: false, reason: 'EVENTS_ENABLED is false' });
    expect((await rejection(provider.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a symbol that is not a ticker without asking', async () => {
    expect((await rejection(createEventsProvider(cfg, deps()).fetch('$$$'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('names the field when the surprises change shape', async () => {
    const renamed = SURPRISES.map(({ surprisePercent, ...rest }) => ({ ...rest, surprise_percent: surprisePercent }));
    fake.on('GET', '/stock/earnings', { body: renamed });
    const err = await rejection(createEventsProvider(cfg, deps()).fetch('AAPL'));
    expect(err.kind).toBe('schema');
    expect(err.message).toMatch(/surprisePercent/);
  });

  it('a report date that is not a date is schema', async () => {
    fake.on('GET', '/calendar/earnings', {
      body: { earningsCalendar: [{ ...entry({}), date: '2026-13-45' }] },
    });
    expect((await rejection(createEventsProvider(cfg, deps()).fetch('AAPL'))).kind).toBe('schema');
  });
});

describeHttpFailures({
  title: 'Finnhub earnings surprises',
  start: (fake, d) => {
    fake.on('GET', '/calendar/earnings', { body: CALENDAR_RECENT });
    return createEventsProvider(config({ EVENTS_BASE_URL: fake.url, FINNHUB_API_KEY: FINNHUB_KEY }), d);
  },
  method: 'GET',
  path: '/stock/earnings',
  symbol: 'AAPL',
  good: { body: SURPRISES },
  renamed: { body: SURPRISES.map(({ surprisePercent, ...rest }) => ({ ...rest, surprise_percent: surprisePercent })) },
  rateLimitBody: { error: 'API limit reached. Please try again later.' },
  clockStart: NOW,
  secret: FINNHUB_KEY,
});
