import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type HttpClient, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import {
  INSIDER_TRADING_ENV,
  type InsiderTradingConfig,
  insiderTradingConfig,
} from '../../../adapters/sentiment/insider_trading/config.js';
import {
  type InsiderTrade,
  createInsiderTradingProvider,
  dollarSize,
  rawOwnershipPath,
  readForm4,
  roleOf,
  scoreInsiderTrades,
} from '../../../adapters/sentiment/insider_trading/provider.js';
import type { ProviderReading, ReadingHistory } from '../../../adapters/sentiment/provider.js';
import { EDGAR_HOST_LIMIT } from '../../../adapters/sentiment/sec_filings/edgar.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/insider_trading/${name}`, import.meta.url), 'utf8');
const json = (name: string): Record<string, unknown> => JSON.parse(fixture(name)) as Record<string, unknown>;

const NOW = Date.parse('2026-05-15T20:00:00Z');
const UA = 'IbkrBotTests/1.0 ops@example.com';
const TICKERS = '/files/company_tickers.json';
const NWDV = '/submissions/CIK0001876543.json';
const ARCHIVE = '/Archives/edgar/data/1876543';
const DAY = 24 * 60 * 60 * 1000;

/** Raw XML paths (no `xslF345X0N/` folder) of the Form 4s in the lookback, and their fixtures. */
const DOCUMENTS: Readonly<Record<string, string>> = {
  [`${ARCHIVE}/000120919126031001/wk-form4_1778792553.xml`]: 'form4-ceo-buy.xml',
  [`${ARCHIVE}/000120919126030550/wk-form4_1778609709.xml`]: 'form4-cfo-plan-sale.xml',
  [`${ARCHIVE}/000112760226014420/edgardoc.xml`]: 'form4-director-plan-sale-x0306.xml',
  [`${ARCHIVE}/000120919126028870/wk-form4_1775161812.xml`]: 'form4-officer-award.xml',
  [`${ARCHIVE}/000120919126027001/wk-form4_1774041105.xml`]: 'form4-malformed.xml',
  [`${ARCHIVE}/000095017026035120/primary_doc.xml`]: 'form4-ten-percent-owner-buy.xml',
  [`${ARCHIVE}/000187654326000029/wk-form4_1772738441.xml`]: 'form4-other-issuer.xml',
};
const CEO_BUY = `${ARCHIVE}/000120919126031001/wk-form4_1778792553.xml`;

/** The submissions fixture cut to the rows at `indices` (0 = newest). */
const onlyRows = (...indices: number[]): Record<string, unknown> => {
  const body = json('submissions-CIK0001876543.json') as { filings: { recent: Record<string, unknown[]> } };
  for (const [column, values] of Object.entries(body.filings.recent))
    body.filings.recent[column] = indices.map((i) => values[i]);
  return body;
};

describe('insider_trading config', () => {
  it('has the documented defaults', () => {
    expect(insiderTradingConfig(z.object(INSIDER_TRADING_ENV).parse({}))).toEqual({
      enabled: true,
      baseUrl: 'https://data.sec.gov',
      archivesBaseUrl: 'https://www.sec.gov',
      intervalMs: 1_800_000,
      lookbackDays: 90,
      userAgent: undefined,
    });
  });

  it('reads every variable and bounds the lookback to what filings.recent holds', () => {
    const env = z.object(INSIDER_TRADING_ENV);
    expect(
      insiderTradingConfig(
        env.parse({
          INSIDER_TRADING_ENABLED: 'no',
          INSIDER_TRADING_POLL_INTERVAL: '600',
          INSIDER_TRADING_LOOKBACK_DAYS: '30',
          SEC_FILINGS_BASE_URL: 'http://127.0.0.1:1',
          SEC_ARCHIVES_BASE_URL: 'http://127.0.0.1:2',
          SEC_USER_AGENT: UA,
        }),
      ),
    ).toEqual({
      enabled: false,
      baseUrl: 'http://127.0.0.1:1',
      archivesBaseUrl: 'http://127.0.0.1:2',
      intervalMs: 600_000,
      lookbackDays: 30,
      userAgent: UA,
    });
    expect(env.safeParse({ INSIDER_TRADING_LOOKBACK_DAYS: '0' }).success).toBe(false);
    expect(env.safeParse({ INSIDER_TRADING_LOOKBACK_DAYS: '400' }).success).toBe(false);
    expect(env.safeParse({ INSIDER_TRADING_LOOKBACK_DAYS: '7.5' }).success).toBe(false);
  });
});

/** The provider's config with both EDGAR hosts at `url` (a fake server). */
const edgarAt = (url: string): InsiderTradingConfig => ({
  enabled: true,
  baseUrl: url,
  archivesBaseUrl: url,
  intervalMs: 1_800_000,
  lookbackDays: 90,
  userAgent: UA,
});

describe('insider_trading provider against a fake EDGAR', () => {
  let fake: FakeHttp;
  let http: HttpClient;
  let now: number;
  const history: ReadingHistory = { readings: () => Promise.resolve([]) };

  const provider = (overrides: Partial<InsiderTradingConfig> = {}) =>
    createInsiderTradingProvider({ ...edgarAt(fake.url), ...overrides }, { http, history, now: () => now });

  const documentRequests = () => fake.requests.filter((q) => q.path.startsWith('/Archives/'));

  beforeEach(async () => {
    fake = await startFakeHttp();
    http = createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 });
    now = NOW;
    fake.on('GET', TICKERS, { body: json('company_tickers.json') });
    fake.on('GET', NWDV, { body: json('submissions-CIK0001876543.json') });
    for (const [path, file] of Object.entries(DOCUMENTS)) fake.on('GET', path, { body: fixture(file) });
  });
  afterEach(() => fake.close());

  it('scores open-market trades of officers, directors and 10 % owners', async () => {
    const readings = await provider().fetch('NWDV');
    expect(readings).toHaveLength(1);
    const [r] = readings as [ProviderReading];
    expect(r.source).toBe('insider_trading');
    expect(r.symbol).toBe('NWDV');
    // CEO buys $425k (+2.46), CFO sells $900k under a plan (-0.26 after 2 days), a director sells
    // $220k under a plan (-0.06 after 16 days), a fund buys $4.1M (+0.05 after 65 days):
    // tanh(2.18 / 3) = 0.62, buys and sales partly disagree.
    expect(r.score).toBeCloseTo(0.622, 2);
    expect(r.confidence).toBeCloseTo(0.751, 2);
    expect(r.mentions).toBe(5);
    // The CEO's Form 4: 21:02:33 "Z" read as New York time (the later of the two plausible readings).
    expect(r.sourceTs).toBe(Date.parse('2026-05-15T01:02:33Z'));
    expect(r.detail).toEqual({
      cik: 1876543,
      company: 'Northwind Devices Inc.',
      lookbackDays: 90,
      buys: 2,
      sales: 3,
      buyValueUsd: 4_525_000,
      saleValueUsd: 1_120_000,
      planTrades: 3,
      insiders: 4,
      form4Filings: 7,
      parsedFilings: 5,
      malformedFilings: 1,
      unreadableFilings: 0,
      otherIssuerFilings: 1,
      missingDocuments: 0,
      pendingFilings: 0,
      ignoredTransactions: 2,
      unpricedTrades: 0,
    });
    // Raw XML without the XSL folder; no 4/A, nothing older than 90 days, nothing but Form 4.
    expect(
      documentRequests()
        .map((q) => q.path)
        .sort(),
    ).toEqual(Object.keys(DOCUMENTS).sort());
    for (const q of fake.requests) expect(q.headers['user-agent']).toBe(UA);
  });

  it('fetches each Form 4 once, and gives no reading until a new one is filed', async () => {
    const p = provider();
    await p.fetch('NWDV');
    expect(await p.fetch('NWDV')).toEqual([]);
    expect(documentRequests()).toHaveLength(7);
    expect(fake.requests.filter((q) => q.path === TICKERS)).toHaveLength(1);

    // A new Form 4 (a CFO open-market buy) on top: one more document, one new reading.
    const body = json('submissions-CIK0001876543.json') as { filings: { recent: Record<string, unknown[]> } };
    const row: Record<string, unknown> = {
      accessionNumber: '0001209191-26-031500',
      filingDate: '2026-05-15',
      acceptanceDateTime: '2026-05-15T06:30:00.000Z',
      form: '4',
      primaryDocument: 'xslF345X05/wk-form4_new.xml',
    };
    for (const [column, values] of Object.entries(body.filings.recent)) values.unshift(row[column] ?? '');
    fake.on('GET', NWDV, { body });
    fake.on('GET', `${ARCHIVE}/000120919126031500/wk-form4_new.xml`, {
      body: fixture('form4-cfo-plan-sale.xml')
        .replaceAll('<transactionCode>S</transactionCode>', '<transactionCode>P</transactionCode>')
        .replace('<aff10b5One>1</aff10b5One>', '<aff10b5One>0</aff10b5One>'),
    });
    const [r] = (await p.fetch('NWDV')) as [ProviderReading];
    expect(documentRequests()).toHaveLength(8);
    expect(r.sourceTs).toBe(Date.parse('2026-05-15T10:30:00Z'));
    expect(r.mentions).toBe(7);
    expect(r.score).toBeGreaterThan(0.622);
  });

  it('skips a Form 4 whose document is missing (404), counts it and asks again next time', async () => {
    fake.on('GET', CEO_BUY, { status: 404, body: 'Not Found' });
    const p = provider();
    const [r] = (await p.fetch('NWDV')) as [ProviderReading];
    expect(r.detail).toMatchObject({ missingDocuments: 1, parsedFilings: 4 });
    // Without the CEO's buy the sales lead: the newest scored filing is the CFO's.
    expect(r.sourceTs).toBe(Date.parse('2026-05-12T22:15:09Z'));
    expect(r.score).toBeLessThan(0.1);
    fake.on('GET', CEO_BUY, { body: fixture('form4-ceo-buy.xml') });
    const [again] = (await p.fetch('NWDV')) as [ProviderReading];
    expect(again.score).toBeCloseTo(0.622, 2);
    expect(documentRequests().filter((q) => q.path === CEO_BUY)).toHaveLength(2);
  });

  it('gives no reading when the lookback has no open-market trade', async () => {
    fake.on('GET', NWDV, { body: onlyRows(5, 6) }); // the award and the malformed Form 4
    expect(await provider().fetch('NWDV')).toEqual([]);
  });

  it('honours the lookback', async () => {
    const [r] = (await provider({ lookbackDays: 30 }).fetch('NWDV')) as [ProviderReading];
    expect(r.detail).toMatchObject({ form4Filings: 3, lookbackDays: 30 });
    expect(documentRequests()).toHaveLength(3);
  });

  it('is a schema error when no Form 4 has the expected shape (EDGAR changed the format)', async () => {
    fake.on('GET', NWDV, { body: onlyRows(0) });
    fake.on('GET', CEO_BUY, {
      body: fixture('form4-ceo-buy.xml').replaceAll('reportingOwner>', 'reportingPerson>'),
    });
    const error = await rejection(provider().fetch('NWDV'));
    expect(error.kind).toBe('schema');
  });

  it('a document that fails with 500 is retried, then fails the reading', async () => {
    fake.on('GET', CEO_BUY, { status: 500, body: 'oops' });
    const error = await rejection(provider().fetch('NWDV'));
    expect(error.kind).toBe('http');
    expect(documentRequests().filter((q) => q.path === CEO_BUY)).toHaveLength(2);
  });

  it('a hanging document is a timeout', async () => {
    fake.on('GET', NWDV, { body: onlyRows(0) });
    fake.on('GET', CEO_BUY, { hang: true });
    expect((await rejection(provider().fetch('NWDV'))).kind).toBe('timeout');
  });

  it('403 on the submissions (an undeclared client) is auth', async () => {
    fake.on('GET', NWDV, { status: 403, body: 'Request Rate Threshold Exceeded' });
    expect((await rejection(provider().fetch('NWDV'))).kind).toBe('auth');
  });

  it('is unavailable without SEC_USER_AGENT and makes no request', async () => {
    const p = provider({ userAgent: undefined });
    const availability = p.availability();
    expect(!availability.available && availability.reason).toContain('SEC_USER_AGENT');
    expect((await rejection(p.fetch('NWDV'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
    const disabled = provider({ enabled: false }).availability();
    expect(!disabled.available && disabled.reason).toContain('INSIDER_TRADING_ENABLED');
  });

  it('declares the shared EDGAR limit on both hosts', () => {
    createInsiderTradingProvider(
      {
        enabled: true,
        baseUrl: 'https://data.sec.gov',
        archivesBaseUrl: 'https://www.sec.gov',
        intervalMs: 1,
        lookbackDays: 90,
        userAgent: UA,
      },
      { http, history, now: () => now },
    );
    expect(http.limitState('https://data.sec.gov/').limit).toEqual(EDGAR_HOST_LIMIT);
    expect(http.limitState('https://www.sec.gov/').limit).toEqual(EDGAR_HOST_LIMIT);
  });
});

describeHttpFailures({
  title: 'EDGAR submissions',
  start: (fake, d) => {
    fake.on('GET', TICKERS, { body: json('company_tickers.json') });
    for (const [path, file] of Object.entries(DOCUMENTS)) fake.on('GET', path, { body: fixture(file) });
    return createInsiderTradingProvider(edgarAt(fake.url), d);
  },
  method: 'GET',
  path: NWDV,
  symbol: 'NWDV',
  good: { body: json('submissions-CIK0001876543.json') },
  renamed: {
    body: (() => {
      const renamed = json('submissions-CIK0001876543.json') as { filings: { recent: Record<string, unknown> } };
      renamed.filings.recent.formType = renamed.filings.recent.form;
      delete renamed.filings.recent.form;
      return renamed;
    })(),
  },
  rateLimitBody: { message: 'slow down' },
  clockStart: NOW,
});

describe('Form 4 parsing', () => {
  const filing = { accession: '0001209191-26-031001', acceptedAt: NOW };
  const read = (xml: string) => readForm4(xml, filing, 1876543);
  const trades = (xml: string): readonly InsiderTrade[] => {
    const outcome = read(xml);
    if (outcome.kind !== 'parsed') throw new Error(`expected parsed, got ${outcome.kind}`);
    return outcome.trades;
  };

  it.each([
    ['xslF345X05/wk-form4_1778792553.xml', 'wk-form4_1778792553.xml'],
    ['xslF345X03/edgardoc.xml', 'edgardoc.xml'],
    ['primary_doc.xml', 'primary_doc.xml'],
  ])('rawOwnershipPath(%s) = %s', (input, expected) => {
    expect(rawOwnershipPath(input)).toBe(expected);
  });

  it.each([
    [{ isOfficer: true, officerTitle: 'Chief Executive Officer' }, 'ceo_cfo'],
    [{ isOfficer: true, isDirector: true, officerTitle: 'Chairman & CEO' }, 'ceo_cfo'],
    [{ isOfficer: true, officerTitle: 'EVP and CFO' }, 'ceo_cfo'],
    [{ isOfficer: true, officerTitle: 'Principal Financial Officer' }, 'ceo_cfo'],
    [{ isOfficer: true, officerTitle: 'SVP, Engineering' }, 'officer'],
    [{ isOfficer: true }, 'officer'],
    [{ isDirector: true }, 'director'],
    [{ isTenPercentOwner: true }, 'ten_percent_owner'],
    [{ isOther: true }, undefined],
    [{}, undefined],
  ])('roleOf(%j) = %s', (relationship, role) => {
    expect(roleOf(relationship)).toBe(role);
  });

  it('reads a CEO open-market buy', () => {
    expect(trades(fixture('form4-ceo-buy.xml'))).toEqual([
      {
        accession: filing.accession,
        acceptedAt: NOW,
        owner: 'Okafor Adaeze',
        role: 'ceo_cfo',
        direction: 'buy',
        shares: 10_000,
        valueUsd: 425_000,
        plan: false,
      },
    ]);
  });

  it('flags 10b5-1 plan trades from the checkbox and from footnotes on older forms', () => {
    const cfo = trades(fixture('form4-cfo-plan-sale.xml'));
    expect(cfo.map((t) => [t.direction, t.valueUsd, t.plan])).toEqual([
      ['sell', 541_200, true],
      ['sell', 358_800, true],
    ]);
    const director = trades(fixture('form4-director-plan-sale-x0306.xml'));
    expect(director.map((t) => [t.role, t.plan])).toEqual([['director', true]]);
  });

  it('with the checkbox set, footnotes say which trades were planned', () => {
    // The first fill no longer cites the plan footnote (only the price one): only the second is planned.
    const xml = fixture('form4-cfo-plan-sale.xml').replace(
      '<footnoteId id="F1"/>\n            </transactionCoding>',
      '</transactionCoding>',
    );
    expect(trades(xml).map((t) => t.plan)).toEqual([false, true]);
  });

  it('an unchecked checkbox wins over a footnote; a footnote denying a plan is not a plan', () => {
    const unchecked = fixture('form4-cfo-plan-sale.xml').replace(
      '<aff10b5One>1</aff10b5One>',
      '<aff10b5One>0</aff10b5One>',
    );
    expect(trades(unchecked).map((t) => t.plan)).toEqual([false, false]);
    const denied = fixture('form4-director-plan-sale-x0306.xml').replace(
      'was effected pursuant to a Rule 10b5-1 trading plan',
      'was not effected pursuant to a Rule 10b5-1 trading plan',
    );
    expect(trades(denied).map((t) => t.plan)).toEqual([false]);
  });

  it('ignores grants, exercises and tax withholding', () => {
    const outcome = read(fixture('form4-officer-award.xml'));
    expect(outcome).toEqual({ kind: 'parsed', trades: [], ignored: 2, unpriced: 0 });
  });

  it('takes the strongest role of joint filers and skips "other" owners alone', () => {
    const fund = trades(fixture('form4-ten-percent-owner-buy.xml'));
    expect(fund.map((t) => [t.owner, t.role, t.valueUsd])).toEqual([
      ['Harbor Point Capital LP', 'ten_percent_owner', 4_100_000],
    ]);
    const otherOnly = fixture('form4-ten-percent-owner-buy.xml').replace(
      '<isTenPercentOwner>1</isTenPercentOwner>',
      '<isTenPercentOwner>0</isTenPercentOwner>',
    );
    expect(read(otherOnly)).toEqual({ kind: 'parsed', trades: [], ignored: 1, unpriced: 0 });
  });

  it('counts a trade priced only in a footnote as unpriced', () => {
    const xml = fixture('form4-ceo-buy.xml').replace('<value>42.50</value>', '<footnoteId id="F9"/>');
    expect(read(xml)).toEqual({ kind: 'parsed', trades: [], ignored: 0, unpriced: 1 });
  });

  it('tells malformed XML, unreadable documents and other issuers apart', () => {
    expect(read(fixture('form4-malformed.xml')).kind).toBe('malformed');
    expect(read('<html><body>Forbidden<br></body></html>').kind).toBe('malformed');
    expect(read('<?xml version="1.0"?><html><body>Not an ownership document</body></html>').kind).toBe('unreadable');
    expect(read(fixture('form4-other-issuer.xml'))).toEqual({ kind: 'other_issuer' });
  });
});

describe('insider trade scoring', () => {
  const AS_OF = Date.parse('2026-05-15T12:00:00Z');
  let n = 0;
  const trade = (over: Partial<InsiderTrade>): InsiderTrade => ({
    accession: `0000000001-26-${String(++n).padStart(6, '0')}`,
    acceptedAt: AS_OF,
    owner: 'Someone',
    role: 'officer',
    direction: 'buy',
    shares: 1000,
    valueUsd: 1_000_000,
    plan: false,
    ...over,
  });

  it.each([
    [10_000, 0.301],
    [100_000, 1.041],
    [1_000_000, 2.004],
    [10_000_000, 3.0],
    [0, 0],
  ])('dollarSize(%d) = %d', (usd, size) => {
    expect(dollarSize(usd)).toBeCloseTo(size, 3);
  });

  it('a CEO buying $1M is strongly bullish', () => {
    const s = scoreInsiderTrades([trade({ role: 'ceo_cfo' })], AS_OF);
    expect(s.score).toBeCloseTo(Math.tanh((1.5 * dollarSize(1_000_000)) / 3), 10);
    expect(s.confidence).toBeCloseTo(1 - Math.exp(-(1.5 * dollarSize(1_000_000)) / 1.5), 10);
  });

  it('a sale weighs 0.4 of a buy of the same size, and a plan trade 0.25', () => {
    const [buy] = scoreInsiderTrades([trade({})], AS_OF).contributions;
    const [sale] = scoreInsiderTrades([trade({ direction: 'sell' })], AS_OF).contributions;
    const [planned] = scoreInsiderTrades([trade({ plan: true })], AS_OF).contributions;
    expect(sale).toBeCloseTo(-0.4 * (buy ?? 0), 10);
    expect(planned).toBeCloseTo(0.25 * (buy ?? 0), 10);
  });

  it('weights CEO/CFO 1.5, officers and directors 1, 10 % owners 0.5', () => {
    const c = (role: InsiderTrade['role']) => scoreInsiderTrades([trade({ role })], AS_OF).contributions[0] ?? 0;
    expect(c('ceo_cfo') / c('officer')).toBeCloseTo(1.5, 10);
    expect(c('director') / c('officer')).toBeCloseTo(1, 10);
    expect(c('ten_percent_owner') / c('officer')).toBeCloseTo(0.5, 10);
  });

  it('halves a trade every 14 days', () => {
    const s = scoreInsiderTrades([trade({}), trade({ acceptedAt: AS_OF - 14 * DAY })], AS_OF);
    expect((s.contributions[1] ?? 0) / (s.contributions[0] ?? 1)).toBeCloseTo(0.5, 10);
  });

  it('fills of one order count once, by their total', () => {
    const whole = scoreInsiderTrades([trade({ accession: 'A', valueUsd: 1_000_000 })], AS_OF);
    const split = scoreInsiderTrades(
      [trade({ accession: 'A', valueUsd: 600_000 }), trade({ accession: 'A', valueUsd: 400_000 })],
      AS_OF,
    );
    expect(split.contributions).toHaveLength(1);
    expect(split.score).toBeCloseTo(whole.score, 10);
  });

  it('buys and sales that disagree lower the confidence', () => {
    const one = scoreInsiderTrades([trade({})], AS_OF);
    const mixed = scoreInsiderTrades([trade({}), trade({ direction: 'sell', valueUsd: 5_000_000 })], AS_OF);
    expect(mixed.confidence).toBeLessThan(one.confidence);
    expect(mixed.score).toBeLessThan(one.score);
  });
});
