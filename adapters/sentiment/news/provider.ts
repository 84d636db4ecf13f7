import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { z } from 'zod';
import { ProviderError, asProviderError, redactUrl } from '../http/provider-error.js';
import type { HostLimit } from '../http/rate-limiter.js';
import { type ProviderDeps, type ProviderReading, type SentimentProvider, clampScore, clampUnit } from '../provider.js';
import { relevance, scoreText } from '../text/text-scorer.js';
import { type NewsConfig, SYMBOL_PLACEHOLDER } from './config.js';
import { type AtomEntry, AtomDocumentSchema, type RssItem, RssDocumentSchema } from './schema.js';

/** One news item, cleaned: plain-text title and description, publication time in epoch ms. */
export interface FeedItem {
  /** guid / Atom id, else the link, else title and date: what "seen before" is keyed on. */
  readonly id: string;
  readonly link: string | undefined;
  readonly title: string;
  readonly description: string;
  readonly publishedMs: number;
}

/** Feed sites publish no limits; this stays well below what a news site tolerates from one client. */
export const FEED_HOST_LIMIT: HostLimit = { requests: 30, perMs: 60_000 };

/** Items older than this are never scored, even on the first fetch of a feed. */
export const NEWS_LOOKBACK_MS = 24 * 3_600_000;

/** Everything in a per-ticker feed is about the symbol, so its items count at least this much. */
export const PER_TICKER_RELEVANCE_FLOOR = 0.5;

/** A headline is the article's own summary of its news: it counts twice as much as the description. */
export const HEADLINE_WEIGHT = 2;

const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5';

// ---------------------------------------------------------------------------------------------
// Text cleaning
// ---------------------------------------------------------------------------------------------

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  hellip: '…',
  bull: '•',
  middot: '·',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  cent: '¢',
};

const codePoint = (n: number, raw: string): string =>
  Number.isInteger(n) && n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : raw;

/** Decodes named (common subset), decimal and hex HTML entities; unknown ones stay as written. */
export const decodeEntities = (text: string): string =>
  text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+\d*);/gi, (raw, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return codePoint(parseInt(body.slice(2), 16), raw);
    if (body.startsWith('#')) return codePoint(parseInt(body.slice(1), 10), raw);
    return NAMED_ENTITIES[body.toLowerCase()] ?? raw;
  });

const stripTags = (text: string): string =>
  text
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, ' ');

/**
 * Feed text as plain text: tags dropped, entities decoded, whitespace collapsed. Tags are stripped
 * again after decoding because some feeds escape their HTML twice (`&amp;lt;p&amp;gt;`).
 */
export const stripHtml = (text: string): string =>
  stripTags(decodeEntities(stripTags(text)))
    .replace(/\s+/g, ' ')
    .trim();

// ---------------------------------------------------------------------------------------------
// Feed parsing
// ---------------------------------------------------------------------------------------------

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: false,
});

const dateMs = (...candidates: (string | undefined)[]): number | undefined => {
  for (const c of candidates) {
    if (c === undefined || c.trim() === '') continue;
    const ms = Date.parse(c.trim());
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
};

const nonEmpty = (s: string | undefined): string | undefined => {
  const t = s?.trim();
  return t === undefined || t === '' ? undefined : t;
};

const item = (
  title: string,
  description: string,
  guid: string | undefined,
  link: string | undefined,
  publishedMs: number | undefined,
): FeedItem | undefined => {
  // An undated item cannot be placed in time (no sourceTs, no "newer than"): it is skipped.
  if (publishedMs === undefined) return undefined;
  const cleanTitle = stripHtml(title);
  return {
    id: guid ?? link ?? `${cleanTitle}|${publishedMs}`,
    link,
    title: cleanTitle,
    description: stripHtml(description),
    publishedMs,
  };
};

const fromRss = (i: RssItem): FeedItem | undefined =>
  item(i.title ?? '', i.description ?? '', nonEmpty(i.guid), nonEmpty(i.link), dateMs(i.pubDate));

const fromAtom = (e: AtomEntry): FeedItem | undefined => {
  const links = e.link ?? [];
  const href = (links.find((l) => (l['@_rel'] ?? 'alternate') === 'alternate') ?? links[0])?.['@_href'];
  return item(e.title, e.summary ?? '', nonEmpty(e.id), nonEmpty(href), dateMs(e.updated, e.published));
};

const validated = <S extends z.ZodType>(schema: S, doc: unknown, url: string, what: string): z.output<S> => {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
  throw new ProviderError('schema', `${redactUrl(url)}: unexpected ${what} (${where})`, { url: redactUrl(url) });
};

/**
 * Parses an RSS 2.0 or Atom document into dated items (undated ones are dropped). Rejects with
 * `malformed` for anything that is not well-formed XML with an `<rss>` or `<feed>` root (an HTML
 * error page, JSON, RSS 1.0/RDF), and with `schema` when a feed lacks what we read.
 */
export const parseFeed = (xml: string, url: string): readonly FeedItem[] => {
  const safeUrl = redactUrl(url);
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new ProviderError('malformed', `${safeUrl}: not well-formed XML (${valid.err.msg})`, { url: safeUrl });
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new ProviderError('malformed', `${safeUrl}: unreadable XML`, { url: safeUrl }, { cause: err });
  }
  const root = typeof doc === 'object' && doc !== null ? doc : {};
  if ('rss' in root) {
    const rss = validated(RssDocumentSchema, doc, url, 'RSS');
    return (rss.rss.channel.item ?? []).map(fromRss).filter((i) => i !== undefined);
  }
  if ('feed' in root) {
    const atom = validated(AtomDocumentSchema, doc, url, 'Atom feed');
    return (atom.feed.entry ?? []).map(fromAtom).filter((i) => i !== undefined);
  }
  throw new ProviderError('malformed', `${safeUrl}: neither an RSS 2.0 nor an Atom feed`, { url: safeUrl });
};

// ---------------------------------------------------------------------------------------------
// "Only what is new"
// ---------------------------------------------------------------------------------------------

/** The newest publication time seen on a feed, and the ids published at exactly that time. */
export interface SeenMark {
  readonly ts: number;
  readonly ids: ReadonlySet<string>;
}

interface Dated {
  readonly id: string;
  readonly publishedMs: number;
}

/** Items published after the mark (or at its time but not yet seen). */
export const unseen = <T extends Dated>(items: readonly T[], mark: SeenMark | undefined): T[] =>
  mark === undefined
    ? [...items]
    : items.filter((i) => i.publishedMs > mark.ts || (i.publishedMs === mark.ts && !mark.ids.has(i.id)));

/** The mark once `items` have been seen. */
export const advanceMark = (mark: SeenMark | undefined, items: readonly Dated[]): SeenMark | undefined => {
  let ts = mark?.ts ?? -Infinity;
  for (const i of items) ts = Math.max(ts, i.publishedMs);
  if (ts === -Infinity) return mark;
  const ids = new Set(mark !== undefined && mark.ts === ts ? mark.ids : []);
  for (const i of items) if (i.publishedMs === ts) ids.add(i.id);
  return { ts, ids };
};

// ---------------------------------------------------------------------------------------------
// Scoring (shared with the NewsAPI provider)
// ---------------------------------------------------------------------------------------------

/**
 * How much an article counts for `symbol`, 0..1: `relevance()` of title and description, raised to
 * `floor` for sources already about the symbol (per-ticker feeds, a search for the ticker). With
 * `floor` 0 an article that does not mention the symbol (or one of its `names`) counts 0.
 */
export const articleRelevance = (
  title: string,
  description: string,
  symbol: string,
  names: readonly string[],
  floor: number,
): number => Math.max(floor, relevance(`${title}\n${description}`, symbol, names));

/**
 * An article's tone, -1..1, or undefined when neither headline nor description has a lexicon word:
 * the mean of the two text scores, the headline weighted HEADLINE_WEIGHT, a part without hits left out.
 */
export const articleTone = (title: string, description: string): number | undefined => {
  const head = scoreText(title);
  const body = scoreText(description);
  const wHead = head.hits > 0 ? HEADLINE_WEIGHT : 0;
  const wBody = body.hits > 0 ? 1 : 0;
  return wHead + wBody === 0 ? undefined : (wHead * head.score + wBody * body.score) / (wHead + wBody);
};

export interface WeightedArticle {
  readonly title: string;
  readonly description: string;
  readonly relevance: number;
  readonly publishedMs: number;
}

export interface NewsScore {
  /** Relevance-weighted mean tone of the articles that had one. */
  readonly score: number;
  readonly confidence: number;
  /** All relevant articles, including those without a readable tone. */
  readonly mentions: number;
  /** Articles with a tone. */
  readonly scored: number;
  /** Newest publication time. */
  readonly sourceTs: number;
  readonly meanRelevance: number;
}

/** Relevance weight at which evidence reaches 1 - 1/e of its maximum (about three on-topic articles). */
const EVIDENCE_SCALE = 3;
/** Headline lexicon scoring is coarse: even many agreeing articles do not make it certain. */
const MAX_CONFIDENCE = 0.9;

/**
 * Scores relevant articles: score = sum(r_i * tone_i) / sum(r_i) over articles with a tone;
 * confidence = 0.9 * (1 - exp(-sum(r_i) / 3)) * (0.5 + 0.5 * agreement), where agreement =
 * |sum(r_i * tone_i)| / sum(r_i * |tone_i|) is 1 when all tones point the same way. Undefined for no articles.
 */
export const scoreArticles = (articles: readonly WeightedArticle[]): NewsScore | undefined => {
  if (articles.length === 0) return undefined;
  let weight = 0;
  let signed = 0;
  let absolute = 0;
  let scored = 0;
  for (const a of articles) {
    const tone = articleTone(a.title, a.description);
    if (tone === undefined || a.relevance <= 0) continue;
    scored++;
    weight += a.relevance;
    signed += a.relevance * tone;
    absolute += a.relevance * Math.abs(tone);
  }
  const agreement = absolute > 0 ? Math.abs(signed) / absolute : 0;
  const evidence = 1 - Math.exp(-weight / EVIDENCE_SCALE);
  return {
    score: weight > 0 ? clampScore(signed / weight) : 0,
    confidence: scored > 0 ? clampUnit(MAX_CONFIDENCE * evidence * (0.5 + 0.5 * agreement)) : 0,
    mentions: articles.length,
    scored,
    sourceTs: Math.max(...articles.map((a) => a.publishedMs)),
    meanRelevance: articles.reduce((s, a) => s + a.relevance, 0) / articles.length,
  };
};

/**
 * The reading of a symbol's new articles (none without articles): `scoreArticles`, dated at the
 * newest article but never later than `now`, with `detail` added to the scoring's own figures.
 */
export const articlesReading = (
  source: 'news' | 'newsapi',
  symbol: string,
  articles: readonly WeightedArticle[],
  now: number,
  detail: Readonly<Record<string, unknown>>,
): ProviderReading[] => {
  const s = scoreArticles(articles);
  if (s === undefined) return [];
  return [
    {
      source,
      symbol,
      score: s.score,
      confidence: s.confidence,
      mentions: s.mentions,
      sourceTs: Math.min(s.sourceTs, now),
      detail: { scored: s.scored, meanRelevance: Math.round(s.meanRelevance * 1000) / 1000, ...detail },
    },
  ];
};

// ---------------------------------------------------------------------------------------------
// The provider
// ---------------------------------------------------------------------------------------------

const isPerTicker = (feed: string): boolean => feed.includes(SYMBOL_PLACEHOLDER);

const feedUrl = (feed: string, symbol: string): string =>
  feed.replaceAll(SYMBOL_PLACEHOLDER, encodeURIComponent(symbol));

interface CachedFeed {
  readonly fetchedAt: number;
  readonly items: Promise<readonly FeedItem[]>;
}

/**
 * RSS 2.0 / Atom headlines. Per-ticker feeds (URL with `{symbol}`) are fetched for each symbol and
 * all their items count (relevance at least 0.5); general feeds are fetched once per interval,
 * shared by all symbols, and only items that mention the symbol (cashtag, unambiguous ticker or a
 * configured company name) count. Only items newer than the last one seen per symbol and feed, and
 * at most NEWS_LOOKBACK_MS old, are scored; one article in several feeds counts once (guid/link).
 * Score and confidence: `scoreArticles`. `sourceTs`: the newest counted item (never later than now).
 * A failing feed does not stop the others; the fetch rejects only when every feed failed.
 */
export const createNewsProvider = (config: NewsConfig, deps: ProviderDeps): SentimentProvider => {
  for (const feed of config.feeds) deps.http.declareLimit(feedUrl(feed, 'AAPL'), FEED_HOST_LIMIT);
  const generalCache = new Map<string, CachedFeed>();
  const marks = new Map<string, SeenMark>();

  const load = async (url: string): Promise<readonly FeedItem[]> =>
    parseFeed(await deps.http.text('news', url, { headers: { Accept: FEED_ACCEPT } }), url);

  /**
   * A general feed's items, fetched at most once per interval whatever the number of symbols. A failure
   * is kept for the interval too, so a failing site is not asked again for every symbol.
   */
  const general = (feed: string): Promise<readonly FeedItem[]> => {
    const now = deps.now();
    const cached = generalCache.get(feed);
    if (cached !== undefined && now - cached.fetchedAt < config.intervalMs) return cached.items;
    const items = load(feed);
    generalCache.set(feed, { fetchedAt: now, items });
    return items;
  };

  const availability = () =>
    !config.enabled
      ? ({ available: false, reason: 'disabled (NEWS_ENABLED=false)' } as const)
      : config.feeds.length === 0
        ? ({ available: false, reason: 'NEWS_RSS_FEEDS lists no feed' } as const)
        : ({ available: true } as const);

  return {
    name: 'news',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (symbol): Promise<readonly ProviderReading[]> => {
      const state = availability();
      if (!state.available) throw new ProviderError('config', `news: ${state.reason}`);
      const results = await Promise.allSettled(
        config.feeds.map((feed) => (isPerTicker(feed) ? load(feedUrl(feed, symbol)) : general(feed))),
      );
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [asProviderError(r.reason)] : []));
      const [firstFailure] = failures;
      if (firstFailure !== undefined && failures.length === results.length) throw firstFailure;

      const now = deps.now();
      const names = config.names[symbol.toUpperCase()] ?? [];
      const counted = new Set<string>();
      const articles: WeightedArticle[] = [];
      results.forEach((result, i) => {
        const feed = config.feeds[i];
        if (result.status === 'rejected' || feed === undefined) return;
        const key = `${symbol}\n${feed}`;
        const mark = marks.get(key);
        const floor = isPerTicker(feed) ? PER_TICKER_RELEVANCE_FLOOR : 0;
        for (const it of unseen(result.value, mark)) {
          if (it.publishedMs < now - NEWS_LOOKBACK_MS) continue;
          if (counted.has(it.id) || (it.link !== undefined && counted.has(it.link))) continue;
          const rel = articleRelevance(it.title, it.description, symbol, names, floor);
          if (rel <= 0) continue;
          counted.add(it.id);
          if (it.link !== undefined) counted.add(it.link);
          articles.push({ title: it.title, description: it.description, relevance: rel, publishedMs: it.publishedMs });
        }
        const next = advanceMark(mark, result.value);
        if (next !== undefined) marks.set(key, next);
      });

      return articlesReading('news', symbol, articles, now, { feeds: results.length, failedFeeds: failures.length });
    },
  };
};
