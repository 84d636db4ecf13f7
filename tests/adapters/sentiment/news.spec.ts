import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_USER_AGENT, type HttpClient, createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { ProviderError } from '../../../adapters/sentiment/http/provider-error.js';
import { DEFAULT_NEWS_FEED, NEWS_ENV, newsConfig } from '../../../adapters/sentiment/news/config.js';
import {
  HEADLINE_WEIGHT,
  type WeightedArticle,
  advanceMark,
  articleRelevance,
  articleTone,
  createNewsProvider,
  decodeEntities,
  parseFeed,
  scoreArticles,
  stripHtml,
  unseen,
} from '../../../adapters/sentiment/news/provider.js';
import type { ProviderDeps, SentimentProvider } from '../../../adapters/sentiment/provider.js';
import { type FakeHttp, startFakeHttp } from '../../support/fake-http.js';
import { describeHttpFailures, rejection } from './provider-helpers.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/news/${name}`, import.meta.url), 'utf8');
const YAHOO = fixture('yahoo-aapl.xml');
const ATOM = fixture('market-atom.xml');
const EMPTY_RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>';

const NOW = Date.parse('2024-03-13T16:00:00Z');
const at = (iso: string): number => Date.parse(iso);

const testClient = (maxRetryWaitMs = 50): HttpClient =>
  createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs });

const config = (env: Record<string, string>) => newsConfig(z.object(NEWS_ENV).parse(env));

/** Inserts an RSS `<item>` before the first existing one. */
const withItem = (xml: string, title: string, pubDate: string, guid: string): string =>
  xml.replace(
    '<item>',
    `<item><description>Breaking.</description><guid isPermaLink="false">${guid}</guid>` +
      `<link>https://finance.yahoo.com/news/${guid}.html</link><pubDate>${pubDate}</pubDate><title>${title}</title></item><item>`,
  );

describe('news config', () => {
  it('defaults to the Yahoo per-ticker feed every 300 s', () => {
    expect(config({})).toEqual({ enabled: true, feeds: [DEFAULT_NEWS_FEED], names: {}, intervalMs: 300_000 });
  });

  it('reads feed lists and company names', () => {
    const c = config({
      NEWS_RSS_FEEDS: 'https://a.example/rss?s={symbol}, https://b.example/atom.xml,',
      NEWS_RSS_NAMES: 'AAPL=Apple, aapl=iPhone,MSFT=Microsoft',
      NEWS_POLL_INTERVAL: '60',
    });
    expect(c.feeds).toEqual(['https://a.example/rss?s={symbol}', 'https://b.example/atom.xml']);
    expect(c.names).toEqual({ AAPL: ['Apple', 'iPhone'], MSFT: ['Microsoft'] });
    expect(c.intervalMs).toBe(60_000);
  });

  it.each([
    [{ NEWS_RSS_FEEDS: 'ftp://a.example/feed' }, "'ftp://a.example/feed'"],
    [{ NEWS_RSS_FEEDS: 'https://a.example/x,https://a.example/x' }, 'duplicate'],
    [{ NEWS_RSS_NAMES: 'Apple' }, "'Apple'"],
    [{ NEWS_RSS_NAMES: 'AAPL=' }, "'AAPL='"],
    [{ NEWS_RSS_NAMES: 'AAPL=Say "Apple"' }, 'SYMBOL=Company name'],
    [{ NEWS_POLL_INTERVAL: '0' }, '>= 1'],
  ])('refuses %j', (env, message) => {
    const result = z.object(NEWS_ENV).safeParse(env);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});

describe('text cleaning', () => {
  it.each([
    ['<p>Hello <b>world</b></p>', 'Hello world'],
    ['AT&amp;T &lt;up&gt;', 'AT&T'],
    ['&amp;lt;p&amp;gt;double&amp;lt;/p&amp;gt;', '&lt;p&gt;double&lt;/p&gt;'],
    ['Apple&#8217;s &#x2014; rally&nbsp;now', 'Apple’s — rally now'],
    ['a<script>var x = "<b>";</script>b<style>p{}</style>c', 'a b c'],
    ['  many \n\t spaces  ', 'many spaces'],
    ['&bogus; &#0; 5 < 6', '&bogus; &#0; 5 < 6'],
  ])('stripHtml(%j) = %j', (input, expected) => {
    expect(stripHtml(input)).toBe(expected);
  });

  it('decodes entities once', () => {
    expect(decodeEntities('&amp;lt;')).toBe('&lt;');
  });
});

describe('parseFeed', () => {
  it('reads RSS 2.0 items, dropping undated ones and cleaning HTML', () => {
    const items = parseFeed(YAHOO, 'https://feeds.example/rss');
    expect(items).toHaveLength(5);
    expect(items[0]).toEqual({
      id: 'c0a8e5b2-1f3d-3a1e-9d7b-0f1e2d3c4b5a',
      link: 'https://finance.yahoo.com/news/apple-beats-estimates-153000123.html?.tsrc=rss',
      title: 'Apple beats estimates as iPhone sales surge, raises guidance',
      description: 'Apple Inc. (AAPL) reported record services revenue and strong iPhone demand in China.',
      publishedMs: at('2024-03-13T15:30:00Z'),
    });
    expect(items[2]?.description).toBe('The European Commission opened an investigation into Apple’s App Store rules.');
    expect(items.map((i) => i.title)).not.toContain('Apple undated item');
  });

  it('reads Atom entries: alternate link, id, updated before published, html summary', () => {
    const items = parseFeed(ATOM, 'https://feeds.example/atom');
    expect(items).toHaveLength(4);
    expect(items[0]).toEqual({
      id: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
      link: 'https://news.example.com/markets/tech-rebound',
      title: '$AAPL and $MSFT rally as tech stocks rebound',
      description: 'Big tech led the market higher & the Nasdaq gained 1.5%.',
      publishedMs: at('2024-03-13T15:45:00Z'),
    });
    expect(items[1]?.link).toBe('https://news.example.com/autos/tesla-recall');
  });

  it('reads a single-item channel and a channel without items', () => {
    const one =
      '<rss version="2.0"><channel><item><title>Only</title><link>https://x.example/1</link>' +
      '<pubDate>Wed, 13 Mar 2024 14:05:00 GMT</pubDate></item></channel></rss>';
    expect(parseFeed(one, 'https://x.example/rss')).toEqual([
      {
        id: 'https://x.example/1',
        link: 'https://x.example/1',
        title: 'Only',
        description: '',
        publishedMs: at('2024-03-13T14:05:00Z'),
      },
    ]);
    expect(parseFeed(EMPTY_RSS, 'https://x.example/rss')).toEqual([]);
  });

  it.each([
    ['broken XML', '<rss><channel><item><title>x</titl></item></channel></rss>', 'malformed'],
    [
      'an HTML page',
      '<html><head><meta charset=utf-8><title>Sorry</title></head><body>x<br></body></html>',
      'malformed',
    ],
    ['JSON', '{"items":[]}', 'malformed'],
    ['an empty body', '', 'malformed'],
    ['another XML document', '<rdf:RDF><item><title>x</title></item></rdf:RDF>', 'malformed'],
    ['a renamed channel', YAHOO.replaceAll('channel>', 'chanel>'), 'schema'],
    [
      'an item with neither title nor description',
      '<rss><channel><item><link>x</link></item></channel></rss>',
      'schema',
    ],
    [
      'an Atom entry without a title',
      '<feed><entry><id>1</id><updated>2024-03-13T15:00:00Z</updated></entry></feed>',
      'schema',
    ],
  ])('rejects %s', (_, xml, kind) => {
    let error: unknown;
    try {
      parseFeed(xml, 'https://x.example/feed?key=secret');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe(kind);
    expect((error as ProviderError).message).not.toContain('secret');
  });
});

describe('news scoring', () => {
  const article = (title: string, relevance: number, description = ''): WeightedArticle => ({
    title,
    description,
    relevance,
    publishedMs: NOW,
  });

  it('weights the headline above the description, and ignores parts without lexicon words', () => {
    const head = articleTone('Apple beats estimates', '');
    const body = articleTone('', 'Apple misses estimates');
    const both = articleTone('Apple beats estimates', 'Apple misses estimates');
    expect(head).toBeGreaterThan(0);
    expect(body).toBeLessThan(0);
    expect(both).toBeCloseTo(((head ?? 0) * HEADLINE_WEIGHT + (body ?? 0)) / (HEADLINE_WEIGHT + 1), 10);
    expect(articleTone('Apple sets a date', 'The event is in June')).toBeUndefined();
  });

  it('floors relevance for sources already about the symbol', () => {
    expect(articleRelevance('Tesla recalls cars', '', 'AAPL', [], 0)).toBe(0);
    expect(articleRelevance('Tesla recalls cars', '', 'AAPL', [], 0.5)).toBe(0.5);
    expect(articleRelevance('$AAPL and $MSFT rally', '', 'AAPL', [], 0)).toBe(0.5);
    expect(articleRelevance('Apple rallies', '', 'AAPL', ['Apple'], 0)).toBe(1);
  });

  it('is undefined without articles', () => {
    expect(scoreArticles([])).toBeUndefined();
  });

  it.each([
    {
      name: 'one clearly positive on-topic headline',
      articles: [article('Apple soars after it beats estimates', 1)],
      score: [0.5, 1],
      confidence: [0.2, 0.3],
    },
    {
      name: 'one clearly negative on-topic headline',
      articles: [article('Apple plunges after it misses estimates', 1)],
      score: [-1, -0.5],
      confidence: [0.2, 0.3],
    },
    {
      name: 'many agreeing headlines raise confidence',
      articles: Array.from({ length: 6 }, () => article('Apple soars after upgrade', 1)),
      score: [0.5, 1],
      confidence: [0.75, 0.9],
    },
    {
      name: 'disagreement lowers confidence and cancels the score',
      articles: [
        ...Array.from({ length: 3 }, () => article('Apple soars after upgrade', 1)),
        ...Array.from({ length: 3 }, () => article('Apple plunges after downgrade', 1)),
      ],
      score: [-0.1, 0.1],
      confidence: [0.3, 0.45],
    },
    {
      name: 'a relevant positive outweighs a barely relevant negative',
      articles: [article('Apple soars after upgrade', 1), article('Apple plunges after downgrade', 0.1)],
      score: [0.3, 1],
      confidence: [0.2, 0.35],
    },
    {
      name: 'articles without a readable tone count as mentions only',
      articles: [article('Apple sets a date', 1), article('Apple opens a store', 1)],
      score: [0, 0],
      confidence: [0, 0],
    },
  ])('$name', ({ articles, score, confidence }) => {
    const s = scoreArticles(articles);
    expect(s).toBeDefined();
    expect(s?.mentions).toBe(articles.length);
    expect(s?.score).toBeGreaterThanOrEqual(score[0] ?? NaN);
    expect(s?.score).toBeLessThanOrEqual(score[1] ?? NaN);
    expect(s?.confidence).toBeGreaterThanOrEqual(confidence[0] ?? NaN);
    expect(s?.confidence).toBeLessThanOrEqual(confidence[1] ?? NaN);
  });

  it('takes the newest publication time as sourceTs', () => {
    const s = scoreArticles([
      { ...article('Apple soars', 1), publishedMs: 5 },
      { ...article('Apple rallies', 1), publishedMs: 9 },
    ]);
    expect(s?.sourceTs).toBe(9);
  });

  it('tracks what was seen: newer items, or unseen ids at the newest time', () => {
    const a = { id: 'a', publishedMs: 10 };
    const b = { id: 'b', publishedMs: 20 };
    const c = { id: 'c', publishedMs: 20 };
    const d = { id: 'd', publishedMs: 30 };
    expect(unseen([a, b], undefined)).toEqual([a, b]);
    const mark = advanceMark(undefined, [a, b]);
    expect(mark).toEqual({ ts: 20, ids: new Set(['b']) });
    expect(unseen([a, b, c, d], mark)).toEqual([c, d]);
    expect(advanceMark(mark, [c])).toEqual({ ts: 20, ids: new Set(['b', 'c']) });
    expect(advanceMark(mark, [])).toEqual(mark);
    expect(advanceMark(undefined, [])).toBeUndefined();
  });
});

describe('news provider', () => {
  let fake: FakeHttp;
  let now: number;
  const deps = (http: HttpClient = testClient()): ProviderDeps => ({
    http,
    history: { readings: () => Promise.resolve([]) },
    now: () => now,
  });
  const tickerFeed = () => `${fake.url}/rss/2.0/headline?s={symbol}&region=US&lang=en-US`;
  const generalFeed = () => `${fake.url}/markets/atom.xml`;
  const provider = (env: Record<string, string> = {}, http?: HttpClient): SentimentProvider =>
    createNewsProvider(config({ NEWS_RSS_FEEDS: `${tickerFeed()},${generalFeed()}`, ...env }), deps(http));
  const tickerOnly = (http?: HttpClient) => provider({ NEWS_RSS_FEEDS: tickerFeed() }, http);
  const tickerRequests = () => fake.requests.filter((r) => r.path === '/rss/2.0/headline');
  const generalRequests = () => fake.requests.filter((r) => r.path === '/markets/atom.xml');

  beforeEach(async () => {
    now = NOW;
    fake = await startFakeHttp();
    fake.on('GET', '/rss/2.0/headline', (req) => ({
      headers: { 'content-type': 'application/rss+xml' },
      body: req.query.get('s') === 'AAPL' ? YAHOO : EMPTY_RSS,
    }));
    fake.on('GET', '/markets/atom.xml', { headers: { 'content-type': 'application/atom+xml' }, body: ATOM });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('scores new, relevant, deduplicated items of all feeds', async () => {
    const readings = await provider().fetch('AAPL');
    // Yahoo: four dated items within 24 h (one with no tone); Atom: the $AAPL/$MSFT story. The
    // Atom copy of the upgrade story (same link), Tesla and Microsoft do not count.
    expect(readings).toHaveLength(1);
    const r = readings[0];
    expect(r).toMatchObject({ source: 'news', symbol: 'AAPL', mentions: 5, sourceTs: at('2024-03-13T15:45:00Z') });
    expect(r?.score).toBeGreaterThan(0.3);
    expect(r?.score).toBeLessThan(0.65);
    expect(r?.confidence).toBeGreaterThan(0.3);
    expect(r?.confidence).toBeLessThan(0.6);
    expect(r?.detail).toMatchObject({ scored: 4, feeds: 2, failedFeeds: 0 });

    const [req] = tickerRequests();
    expect(req?.query.get('s')).toBe('AAPL');
    expect(req?.query.get('region')).toBe('US');
    expect(req?.query.get('lang')).toBe('en-US');
    expect(req?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(req?.headers.accept).toContain('application/rss+xml');
    expect(generalRequests()).toHaveLength(1);
  });

  it('URL-encodes the symbol into per-ticker feeds', async () => {
    await tickerOnly().fetch('BRK.B');
    expect(tickerRequests()[0]?.query.get('s')).toBe('BRK.B');
  });

  it('scores only items newer than the last seen, per symbol and feed', async () => {
    const p = tickerOnly();
    expect(await p.fetch('AAPL')).toHaveLength(1);
    expect(await p.fetch('AAPL')).toEqual([]);
    fake.on('GET', '/rss/2.0/headline', {
      body: withItem(YAHOO, 'Apple stock plunges after guidance cut', 'Wed, 13 Mar 2024 15:55:00 +0000', 'new-1'),
    });
    const [r] = await p.fetch('AAPL');
    expect(r).toMatchObject({ mentions: 1, sourceTs: at('2024-03-13T15:55:00Z') });
    expect(r?.score).toBeLessThan(-0.5);
    expect(tickerRequests()).toHaveLength(3);
  });

  it('fetches a general feed once per interval for all symbols and filters it by relevance', async () => {
    const p = provider({ NEWS_POLL_INTERVAL: '300' });
    await p.fetch('AAPL');
    const [msft] = await p.fetch('MSFT');
    // MSFT: its own feed is empty; from the general feed the downgrade (relevance 1) and the
    // $AAPL/$MSFT rally (0.5).
    expect(msft).toMatchObject({ symbol: 'MSFT', mentions: 2, sourceTs: at('2024-03-13T15:45:00Z') });
    expect(generalRequests()).toHaveLength(1);
    expect(tickerRequests().map((r) => r.query.get('s'))).toEqual(['AAPL', 'MSFT']);

    now += 299_000;
    expect(await p.fetch('TSLA')).toEqual([]);
    expect(generalRequests()).toHaveLength(1);
    now += 1_000;
    await p.fetch('TSLA');
    expect(generalRequests()).toHaveLength(2);
  });

  it('counts configured company names as mentions in general feeds', async () => {
    const without = provider({ NEWS_RSS_FEEDS: generalFeed() });
    expect(await without.fetch('TSLA')).toEqual([]);
    const withNames = provider({ NEWS_RSS_FEEDS: generalFeed(), NEWS_RSS_NAMES: 'TSLA=Tesla' });
    const [r] = await withNames.fetch('TSLA');
    expect(r).toMatchObject({ mentions: 1, sourceTs: at('2024-03-13T15:00:00Z') });
    expect(r?.score).toBeLessThan(0);
  });

  it('keeps going when one feed fails', async () => {
    fake.on('GET', '/rss/2.0/headline', { status: 500 });
    const [r] = await provider().fetch('AAPL');
    expect(r).toMatchObject({ mentions: 2, detail: { feeds: 2, failedFeeds: 1 } });
  });

  it('rejects with the first feed error when every feed fails', async () => {
    fake.on('GET', '/rss/2.0/headline', { status: 401 });
    fake.on('GET', '/markets/atom.xml', { status: 500 });
    const error = await rejection(provider().fetch('AAPL'));
    expect(error.kind).toBe('auth');
  });

  it.each([
    ['403', 'auth', { status: 403 }, 1],
    ['404', 'http', { status: 404, body: 'Not Found' }, 1],
    ['an HTML page', 'malformed', { body: '<!DOCTYPE html><html><body>Will be right back<br></body></html>' }, 1],
    ['JSON', 'malformed', { body: { error: 'gone' } }, 1],
  ])('maps %s to %s', async (_, kind, response, attempts) => {
    fake.on('GET', '/rss/2.0/headline', response);
    const error = await rejection(tickerOnly().fetch('AAPL'));
    expect(error.kind).toBe(kind);
    expect(tickerRequests()).toHaveLength(attempts);
  });

  it('is unavailable when disabled and then makes no request', async () => {
    const p = provider({ NEWS_ENABLED: 'false' });
    expect(p.availability()).toEqual({ available: false, reason: expect.stringContaining('NEWS_ENABLED') });
    expect((await rejection(p.fetch('AAPL'))).kind).toBe('config');
    expect(fake.requests).toHaveLength(0);
  });

  it('is unavailable without feeds', () => {
    const p = createNewsProvider({ ...config({}), feeds: [] }, deps());
    expect(p.availability()).toEqual({ available: false, reason: expect.stringContaining('NEWS_RSS_FEEDS') });
  });

  it('uses the configured interval', () => {
    expect(provider({ NEWS_POLL_INTERVAL: '120' }).intervalMs).toBe(120_000);
  });
});

describeHttpFailures({
  title: 'RSS feed',
  start: (fake, d) =>
    createNewsProvider(config({ NEWS_RSS_FEEDS: `${fake.url}/rss/2.0/headline?s={symbol}&region=US&lang=en-US` }), d),
  method: 'GET',
  path: '/rss/2.0/headline',
  symbol: 'AAPL',
  good: { headers: { 'content-type': 'application/rss+xml' }, body: YAHOO },
  renamed: { headers: { 'content-type': 'application/rss+xml' }, body: YAHOO.replaceAll('channel>', 'chanel>') },
  rateLimitBody: { error: 'Too Many Requests' },
  clockStart: NOW,
});
