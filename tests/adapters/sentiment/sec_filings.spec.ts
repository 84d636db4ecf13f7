import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type HttpClient, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import type { ProviderReading, ReadingHistory } from '../../../adapters/sentiment/provider.js';
import {
  SEC_FILINGS_ENV,
  type SecFilingsConfig,
  secFilingsConfig,
} from '../../../adapters/sentiment/sec_filings/config.js';
import {
  EDGAR_HOST_LIMIT,
  type Filing,
  TICKER_CACHE_MS,
  acceptanceTime,
  archiveUrl,
  edgarTicker,
  filingsOf,
  paddedCik,
} from '../../../adapters/sentiment/sec_filings/edgar.js';
import {
  type ClassifiedFiling,
  classifyFiling,
  createSecFilingsProvider,
  eightKScore,
  scoreFilings,
} from '../../../adapters/sentiment/sec_filings/provider.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/sec_filings/${name}`, import.meta.url), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(fixture(name)) as Record<string, unknown>;

const NOW = Date.parse('2026-05-15T20:00:00Z');
const UA = 'IbkrBotTests/1.0 ops@example.com';
const TICKERS = '/files/company_tickers.json';
const NWDV = '/submissions/CIK0001876543.json';
const DAY = 24 * 60 * 60 * 1000;

/** The submissions fixture with one more filing on top (newest first, as EDGAR orders them). */
const withNewFiling = (row: Readonly<Record<string, string>>): Record<string, unknown> => {
  const body = json('submissions-CIK0001876543.json') as { filings: { recent: Record<string, unknown[]> } };
  for (const [column, values] of Object.entries(body.filings.recent))
    values.unshift(row[column] ?? (typeof values[0] === 'number' ? 0 : ''));
  return body;
};

describe('sec_filings config', () => {
  it('has the documented defaults and needs SEC_USER_AGENT', () => {
    const config = secFilingsConfig(z.object(SEC_FILINGS_ENV).parse({}));
    expect(config).toEqual({
      enabled: true,
      baseUrl: 'https://data.sec.gov',
      archivesBaseUrl: 'https://www.sec.gov',
      intervalMs: 900_000,
      userAgent: undefined,
    });
  });

  it('reads every variable', () => {
    const config = secFilingsConfig(
      z.object(SEC_FILINGS_ENV).parse({
        SEC_FILINGS_ENABLED: 'false',
        SEC_FILINGS_BASE_URL: 'http://127.0.0.1:9/',
        SEC_ARCHIVES_BASE_URL: 'http://127.0.0.1:8',
        SEC_FILINGS_POLL_INTERVAL: '60',
        SEC_USER_AGENT: UA,
      }),
    );
    expect(config).toEqual({
      enabled: false,
      baseUrl: 'http://127.0.0.1:9',
      archivesBaseUrl: 'http://127.0.0.1:8',
      intervalMs: 60_000,
      userAgent: UA,
    });
    expect(z.object(SEC_FILINGS_ENV).safeParse({ SEC_FILINGS_POLL_INTERVAL: '0' }).success).toBe(false);
  });
});

describe('sec_filings provider against a fake EDGAR', () => {
  let fake: FakeHttp;
  let http: HttpClient;
  let now: number;
  let stored: ProviderReading[];
  const history: ReadingHistory = { readings: () => Promise.resolve(stored) };

  const provider = (overrides: Partial<SecFilingsConfig> = {}) =>
    createSecFilingsProvider(
      {
        enabled: true,
        baseUrl: fake.url,
        archivesBaseUrl: fake.url,
        intervalMs: 900_000,
        userAgent: UA,
        ...overrides,
      },
      { http, history, now: () => now },
    );

  beforeEach(async () => {
    fake = await startFakeHttp();
    http = createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 });
    now = NOW;
    stored = [];
    fake.on('GET', TICKERS, { body: json('company_tickers.json') });
    fake.on('GET', NWDV, { body: json('submissions-CIK0001876543.json') });
  });
  afterEach(() => fake.close());

  it('scores the last 30 days of filings, newest acceptance as sourceTs', async () => {
    const readings = await provider().fetch('NWDV');
    expect(readings).toHaveLength(1);
    const [r] = readings as [ProviderReading];
    expect(r.source).toBe('sec_filings');
    expect(r.symbol).toBe('NWDV');
    // 8-K 5.02 today (-0.2), 8-K 2.06 2.4 days back (-0.5 x 0.785), 424B5 5.8 days back (-0.2 x 0.562),
    // 10-Q and 8-K 2.02 (0), 8-K 1.01+2.03 24 days back (+0.2 x 0.091): about -0.687.
    expect(r.score).toBeCloseTo(-0.687, 2);
    expect(r.confidence).toBeCloseTo(0.812, 2);
    // The Form 4, the 13G and the filings older than 30 days do not count.
    expect(r.mentions).toBe(6);
    // 16:42:10 "Z" is read as New York time (both readings fall in EDGAR hours: the later one).
    expect(r.sourceTs).toBe(Date.parse('2026-05-14T20:42:10Z'));
    expect(r.detail).toMatchObject({
      cik: 1876543,
      company: 'Northwind Devices Inc.',
      newestForm: '8-K',
      newestAccession: '0001876543-26-000041',
      forms: { '8-K': 4, '424B5': 1, '10-Q': 1 },
      items: { '5.02': 1, '2.06': 1, '2.02': 1, '1.01': 1, '2.03': 1, '9.01': 4 },
    });
    expect(fake.requests.map((q) => q.path)).toEqual([TICKERS, NWDV]);
    for (const q of fake.requests) {
      expect(q.headers['user-agent']).toBe(UA);
      expect(q.headers.accept).toBe('application/json');
    }
  });

  it('gives no reading while nothing new was filed, then one for a new filing', async () => {
    const p = provider();
    expect(await p.fetch('NWDV')).toHaveLength(1);
    expect(await p.fetch('NWDV')).toEqual([]);
    fake.on('GET', NWDV, {
      body: withNewFiling({
        accessionNumber: '0001876543-26-000044',
        filingDate: '2026-05-15',
        acceptanceDateTime: '2026-05-15T06:10:00.000Z',
        form: '8-K',
        items: '1.03',
        primaryDocument: 'nwdv-20260515.htm',
      }),
    });
    const [r] = (await p.fetch('NWDV')) as [ProviderReading];
    expect(r.sourceTs).toBe(Date.parse('2026-05-15T10:10:00Z'));
    expect(r.score).toBe(-1);
    expect(r.mentions).toBe(7);
    // The ticker file was fetched once for the three calls.
    expect(fake.requests.filter((q) => q.path === TICKERS)).toHaveLength(1);
  });

  it('does not repeat a reading the history already holds (restart)', async () => {
    stored = [
      {
        source: 'sec_filings',
        symbol: 'NWDV',
        score: -0.687,
        confidence: 0.812,
        mentions: 6,
        sourceTs: Date.parse('2026-05-14T20:42:10Z'),
      },
    ];
    expect(await provider().fetch('NWDV')).toEqual([]);
  });

  it('gives no reading when nothing was filed in the last 30 days', async () => {
    now = NOW + 45 * DAY;
    expect(await provider().fetch('NWDV')).toEqual([]);
  });

  it('refreshes the ticker file after a day', async () => {
    const p = provider();
    await p.fetch('NWDV');
    now += TICKER_CACHE_MS - 1;
    await p.fetch('NWDV');
    expect(fake.requests.filter((q) => q.path === TICKERS)).toHaveLength(1);
    now += 2;
    await p.fetch('NWDV');
    expect(fake.requests.filter((q) => q.path === TICKERS)).toHaveLength(2);
  });

  it('maps BRK.B to BRK-B and its zero-padded CIK; routine filings alone stay below 0.3 confidence', async () => {
    fake.on('GET', '/submissions/CIK0001067983.json', { body: json('submissions-CIK0001067983.json') });
    const [r] = (await provider().fetch('BRK.B')) as [ProviderReading];
    expect(fake.requests.at(-1)?.path).toBe('/submissions/CIK0001067983.json');
    expect(r.score).toBe(0);
    expect(r.mentions).toBe(2);
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThan(0.3);
  });

  it('gives no reading for a ticker EDGAR does not list, without asking for submissions', async () => {
    expect(await provider().fetch('SPY')).toEqual([]);
    expect(fake.requests.map((q) => q.path)).toEqual([TICKERS]);
  });

  it('is unavailable without SEC_USER_AGENT and makes no request', async () => {
    const p = provider({ userAgent: undefined });
    const availability = p.availability();
    expect(availability.available).toBe(false);
    expect(!availability.available && availability.reason).toContain('SEC_USER_AGENT');
    expect((await rejection(p.fetch('NWDV'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('is unavailable with a User-Agent that has no contact email, or when disabled', () => {
    const noEmail = provider({ userAgent: 'IbkrBot/1.0' }).availability();
    expect(!noEmail.available && noEmail.reason).toMatch(/SEC_USER_AGENT must contain a contact email/);
    const disabled = provider({ enabled: false }).availability();
    expect(!disabled.available && disabled.reason).toContain('SEC_FILINGS_ENABLED');
    expect(provider().availability()).toEqual({ available: true });
  });

  it('declares 5 requests/s on each EDGAR host (10/s together)', () => {
    createSecFilingsProvider(
      {
        enabled: true,
        baseUrl: 'https://data.sec.gov',
        archivesBaseUrl: 'https://www.sec.gov',
        intervalMs: 1,
        userAgent: UA,
      },
      { http, history, now: () => now },
    );
    expect(EDGAR_HOST_LIMIT).toEqual({ requests: 5, perMs: 1000 });
    expect(http.limitState('https://data.sec.gov/x').limit).toEqual(EDGAR_HOST_LIMIT);
    expect(http.limitState('https://www.sec.gov/x').limit).toEqual(EDGAR_HOST_LIMIT);
  });

  it('403 (an undeclared client) is an auth error', async () => {
    fake.on('GET', NWDV, { status: 403, body: 'Request Rate Threshold Exceeded' });
    expect((await rejection(provider().fetch('NWDV'))).kind).toBe('auth');
  });

  it('a renamed column is a schema error, and so are columns of different lengths', async () => {
    fake.on('GET', NWDV, { body: renamedSubmissions() });
    const error = await rejection(provider().fetch('NWDV'));
    expect(error.kind).toBe('schema');
    expect(error.message).toContain('acceptanceDateTime');

    const ragged = json('submissions-CIK0001876543.json') as { filings: { recent: Record<string, unknown[]> } };
    ragged.filings.recent.form?.pop();
    fake.on('GET', NWDV, { body: ragged });
    expect((await rejection(provider().fetch('NWDV'))).kind).toBe('schema');

    fake.on('GET', TICKERS, { body: { '0': { cik: 1876543, ticker: 'NWDV', title: 'Northwind' } } });
    expect((await rejection(provider().fetch('NWDV'))).kind).toBe('schema');
  });
});

const renamedSubmissions = (): Record<string, unknown> => {
  const renamed = json('submissions-CIK0001876543.json') as { filings: { recent: Record<string, unknown> } };
  renamed.filings.recent.acceptedDateTime = renamed.filings.recent.acceptanceDateTime;
  delete renamed.filings.recent.acceptanceDateTime;
  return renamed;
};

describeHttpFailures({
  title: 'EDGAR submissions',
  start: (fake, d) => {
    fake.on('GET', TICKERS, { body: json('company_tickers.json') });
    return createSecFilingsProvider(
      { enabled: true, baseUrl: fake.url, archivesBaseUrl: fake.url, intervalMs: 900_000, userAgent: UA },
      d,
    );
  },
  method: 'GET',
  path: NWDV,
  symbol: 'NWDV',
  good: { body: json('submissions-CIK0001876543.json') },
  renamed: { body: renamedSubmissions() },
  rateLimitBody: { message: 'slow down' },
  clockStart: NOW,
});

describe('EDGAR helpers', () => {
  it.each([
    // [raw, filingDate, expected ISO, why]
    [
      '2026-05-14T16:42:10.000Z',
      '2026-05-14',
      '2026-05-14T20:42:10.000Z',
      'both plausible: the later (New York) reading',
    ],
    [
      '2024-11-01T06:01:36.000Z',
      '2024-11-01',
      '2024-11-01T10:01:36.000Z',
      '02:01 in New York is closed: New York clock',
    ],
    [
      '2026-01-12T02:15:00.000Z',
      '2026-01-11',
      '2026-01-12T02:15:00.000Z',
      'a 02:15 New York clock is closed: real UTC',
    ],
    ['2026-03-10T16:58:03.000Z', '2026-03-10', '2026-03-10T20:58:03.000Z', 'after the DST switch: UTC-4'],
    ['', '2026-02-05', '2026-02-06T03:00:00.000Z', 'no time: 22:00 New York on the filing date'],
  ])('acceptanceTime(%s)', (raw, filingDate, expected) => {
    expect(new Date(acceptanceTime(raw, filingDate) ?? 0).toISOString()).toBe(expected);
  });

  it('acceptanceTime is undefined when neither field is usable', () => {
    expect(acceptanceTime('yesterday', 'soon')).toBeUndefined();
  });

  it('filingsOf sorts newest first, splits items and clamps future times to now', () => {
    const now = Date.parse('2026-05-14T20:50:00Z');
    const rows = filingsOf(
      {
        accessionNumber: ['0000000001-26-000001', '0000000001-26-000002'],
        filingDate: ['2026-05-01', '2026-05-14'],
        acceptanceDateTime: ['2026-05-01T16:00:00.000Z', '2026-05-14T20:45:00.000Z'],
        form: ['10-q', '8-K'],
        primaryDocument: ['a.htm', 'b.htm'],
        items: ['', ' 2.02, 9.01'],
      },
      now,
    );
    expect(rows.map((r) => r.accessionNumber)).toEqual(['0000000001-26-000002', '0000000001-26-000001']);
    // 20:45 "Z" read as New York is 00:45Z tomorrow, after now: clamped.
    expect(rows[0]?.acceptedAt).toBe(now);
    expect(rows[0]?.items).toEqual(['2.02', '9.01']);
    expect(rows[1]?.form).toBe('10-Q');
  });

  it('spells tickers, CIKs and archive URLs the EDGAR way', () => {
    expect(edgarTicker(' brk.b ')).toBe('BRK-B');
    expect(paddedCik(320193)).toBe('CIK0000320193');
    expect(archiveUrl('https://www.sec.gov', 320193, '0000320193-24-000123', 'aapl-20240928.htm')).toBe(
      'https://www.sec.gov/Archives/edgar/data/320193/000032019324000123/aapl-20240928.htm',
    );
  });
});

describe('filing classification', () => {
  it.each([
    ['8-K', '1.03', 'event', -1],
    ['8-K', '1.01,2.03,9.01', 'event', 0.2],
    ['8-K', '2.02,9.01', 'event', 0],
    ['8-K', '3.01', 'event', -0.8],
    ['8-K', '4.02,9.01', 'event', -0.9],
    ['8-K', '5.02', 'event', -0.2],
    ['8-K', '8.01', 'event', 0],
    ['8-K', '1.03,2.04,3.01', 'event', -1],
    ['8-K/A', '2.06', 'event', -0.25],
    ['10-Q', '', 'periodic', 0],
    ['10-K', '', 'periodic', 0],
    ['NT 10-K', '', 'late', -0.6],
    ['NT 10-Q', '', 'late', -0.5],
    ['S-3', '', 'offering', -0.2],
    ['S-1/A', '', 'offering', -0.2],
    ['424B2', '', 'offering', -0.2],
    ['SC 13D', '', 'activist', 0.3],
    ['SCHEDULE 13D/A', '', 'activist', 0.1],
  ])('%s %s -> %s %d', (form, items, category, score) => {
    const c = classifyFiling(form, items === '' ? [] : items.split(','));
    expect(c?.category).toBe(category);
    expect(c?.score).toBeCloseTo(score, 10);
  });

  it.each(['4', '4/A', 'SC 13G', 'DEF 14A', '13F-HR', '3'])('ignores %s', (form) => {
    expect(classifyFiling(form, [])).toBeUndefined();
  });

  it('unknown 8-K items count as neutral', () => {
    expect(eightKScore(['6.05', '9.99'])).toBe(0);
  });
});

describe('filing scoring', () => {
  const AS_OF = Date.parse('2026-05-15T12:00:00Z');
  let n = 0;
  const filed = (form: string, items: string, daysBefore: number): ClassifiedFiling => {
    const filing: Filing = {
      accessionNumber: `0000000001-26-${String(++n).padStart(6, '0')}`,
      form,
      filingDate: '2026-05-15',
      acceptedAt: AS_OF - daysBefore * DAY,
      primaryDocument: 'x.htm',
      items: items === '' ? [] : items.split(','),
    };
    const c = classifyFiling(form, filing.items);
    if (c === undefined) throw new Error(`unscored form ${form}`);
    return { filing, class: c };
  };

  it('one bankruptcy filing is -1 with high confidence', () => {
    const s = scoreFilings([filed('8-K', '1.03', 0)], AS_OF);
    expect(s.score).toBe(-1);
    expect(s.confidence).toBeCloseTo(1 - Math.exp(-2.15), 6);
  });

  it('halves a filing every 7 days', () => {
    expect(scoreFilings([filed('8-K', '1.01', 7)], AS_OF).score).toBeCloseTo(0.15, 10);
    expect(scoreFilings([filed('8-K', '1.01', 14)], AS_OF).score).toBeCloseTo(0.075, 10);
  });

  it('counts a stream of prospectuses once (the strongest)', () => {
    const many = [0, 0, 1, 2, 3].map((d) => filed('424B2', '', d));
    expect(scoreFilings(many, AS_OF).score).toBeCloseTo(-0.2, 10);
  });

  it('adds 8-K events together, and a 13D offsets a 5.02', () => {
    expect(scoreFilings([filed('8-K', '5.02', 0), filed('8-K', '2.06', 0)], AS_OF).score).toBeCloseTo(-0.7, 10);
    expect(scoreFilings([filed('8-K', '5.02', 0), filed('SC 13D', '', 0)], AS_OF).score).toBeCloseTo(0.1, 10);
  });

  it('filings that cancel out give a low-confidence zero', () => {
    const agreeing = scoreFilings([filed('8-K', '1.01', 0), filed('SC 13D', '', 0)], AS_OF);
    const cancelling = scoreFilings([filed('8-K', '1.02', 0), filed('SC 13D', '', 0)], AS_OF);
    expect(cancelling.score).toBeCloseTo(0, 10);
    expect(cancelling.confidence).toBeCloseTo(agreeing.confidence / 2, 6);
  });

  it('neutral filings alone never reach the 0.3 minimum confidence', () => {
    const routine = [0, 1, 2, 3, 4, 5].map((d) => filed('10-Q', '', d));
    const s = scoreFilings(routine, AS_OF);
    expect(s.score).toBe(0);
    expect(s.confidence).toBeCloseTo(1 - Math.exp(-0.3), 6);
  });

  it('a late 10-K is negative', () => {
    expect(scoreFilings([filed('NT 10-K', '', 0)], AS_OF).score).toBeCloseTo(-0.6, 10);
  });
});
