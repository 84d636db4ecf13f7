import { ProviderError, asProviderError } from '../http/provider-error.js';
import { type Availability, type ProviderDeps, type ProviderReading, type SentimentProvider } from '../provider.js';
import { type WeightedScore, combineScores, engagementWeight, requireSymbol, round3 } from '../text/social-score.js';
import { relevance, scoreText } from '../text/text-scorer.js';
import type { TwitterConfig } from './config.js';
import { RecentSearchSchema, type Tweet } from './schema.js';

// ---------------------------------------------------------------------------------------------
// X (Twitter)
// ---------------------------------------------------------------------------------------------

/** Documented app-only limit of recent search: 450 requests per 15-minute window. */
const RECENT_SEARCH_LIMIT = { requests: 450, perMs: 15 * 60_000 } as const;
/** The first poll of a symbol reads the last day only (older tweets are stale and each read is billed). */
export const FIRST_POLL_LOOKBACK_MS = 24 * 3_600_000;
/** Recent search covers 7 days and refuses a since_id older than that; past 6 days we start over. */
const SINCE_ID_MAX_AGE_MS = 6 * 24 * 3_600_000;

/** X wants `YYYY-MM-DDTHH:mm:ssZ` (no milliseconds). */
const xTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The recent-search query for a symbol: its cashtag (`$BRK.B` works as one), no retweets, English. */
export const tweetQuery = (symbol: string): string => `$${symbol} -is:retweet lang:en`;

/** A tweet's contribution: text score, weighted by relevance to the symbol and by likes + retweets. */
export const scoreTweet = (tweet: Tweet, symbol: string): WeightedScore => {
  const { score, hits } = scoreText(tweet.text);
  const m = tweet.public_metrics;
  return {
    score,
    weight: relevance(tweet.text, symbol) * engagementWeight(m.like_count + m.retweet_count),
    evidence: hits > 0 ? 1 : 0,
  };
};

/** The reading for a batch of new tweets, or undefined when none is about the symbol. */
export const tweetsReading = (
  symbol: string,
  tweets: readonly Tweet[],
  truncated = false,
): ProviderReading | undefined => {
  const relevant = tweets.filter((t) => relevance(t.text, symbol) > 0);
  if (relevant.length === 0) return undefined;
  const items = relevant.map((t) => scoreTweet(t, symbol));
  const combined = combineScores(items);
  return {
    source: 'twitter',
    symbol,
    score: combined.score,
    confidence: combined.confidence,
    mentions: relevant.length,
    sourceTs: Math.max(...relevant.map((t) => Date.parse(t.created_at))),
    detail: {
      scored: items.filter((i) => i.evidence > 0).length,
      dispersion: round3(combined.dispersion),
      // More new tweets than one page: the newest page was scored, the rest skipped (cost).
      truncated,
    },
  };
};

const newer = (a: string, b: string): boolean => BigInt(a) > BigInt(b);

interface Cursor {
  /** Newest tweet id seen for the symbol (sent as since_id). */
  readonly id: string;
  /** Its created_at, epoch ms. */
  readonly ts: number;
}

/**
 * X API v2 recent search for `$SYMBOL`. Each poll asks only for tweets newer than the newest one
 * already seen (`since_id`), so nothing is scored (or paid for) twice; no new tweet, no reading.
 * The rate-limit headers (`x-rate-limit-remaining/reset`) are not visible through the HttpClient,
 * so the documented limit is declared to the limiter instead.
 */
export const createTwitterProvider = (config: TwitterConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, RECENT_SEARCH_LIMIT);
  const cursors = new Map<string, Cursor>();

  const availability = (): Availability => {
    if (!config.enabled) return { available: false, reason: 'disabled (TWITTER_ENABLED=false; the X API is paid)' };
    if (config.bearerToken === undefined) return { available: false, reason: 'TWITTER_BEARER_TOKEN is not set' };
    return { available: true };
  };

  const fetchSymbol = async (raw: string): Promise<readonly ProviderReading[]> => {
    const state = availability();
    if (!state.available) throw new ProviderError('config', `twitter: ${state.reason}`);
    const symbol = requireSymbol('twitter', raw);
    const now = deps.now();
    const cursor = cursors.get(symbol);
    const useCursor = cursor !== undefined && now - cursor.ts < SINCE_ID_MAX_AGE_MS;
    const params: Record<string, string> = {
      query: tweetQuery(symbol),
      max_results: String(config.maxResults),
      'tweet.fields': 'created_at,public_metrics,lang',
      ...(useCursor ? { since_id: cursor.id } : { start_time: xTime(now - FIRST_POLL_LOOKBACK_MS) }),
    };
    const query = Object.entries(params)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    const body = await deps.http.json(
      'twitter',
      `${config.baseUrl}/2/tweets/search/recent?${query}`,
      RecentSearchSchema,
      {
        headers: { Authorization: `Bearer ${config.bearerToken ?? ''}` },
      },
    );
    // since_id is exclusive already; the filter guards against an API that ignores it.
    const tweets = (body.data ?? []).filter((t) => cursor === undefined || newer(t.id, cursor.id));
    const newest = tweets.reduce<Tweet | undefined>(
      (a, t) => (a === undefined || newer(t.id, a.id) ? t : a),
      undefined,
    );
    if (newest !== undefined) cursors.set(symbol, { id: newest.id, ts: Date.parse(newest.created_at) });
    const reading = tweetsReading(symbol, tweets, body.meta.next_token !== undefined);
    return reading === undefined ? [] : [reading];
  };

  return {
    name: 'twitter',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (symbol) => {
      try {
        return await fetchSymbol(symbol);
      } catch (err) {
        throw asProviderError(err);
      }
    },
  };
};
