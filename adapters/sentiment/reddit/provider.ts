import { ProviderError, asProviderError } from '../http/provider-error.js';
import type { Availability, ProviderDeps, ProviderReading, SentimentProvider } from '../provider.js';
import { relevance, scoreText } from '../text/text-scorer.js';
import { type WeightedScore, combineScores, engagementWeight, requireSymbol, round3 } from '../text/social-score.js';
import type { RedditConfig } from './config.js';
import { type Post, SearchListingSchema, TokenResponseSchema } from './schema.js';

/** Free tier: 100 queries per minute per OAuth client id (token requests included). */
const REDDIT_LIMIT = { requests: 100, perMs: 60_000 } as const;
/** A cached token is replaced this long before Reddit says it expires. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

/**
 * The search query for a symbol: the bare ticker (Reddit's search matches `$AAPL` on `AAPL`); a
 * dotted ticker is quoted so `BRK.B` is searched as one phrase, not as `BRK` or `B`. Posts that only
 * match loosely are dropped afterwards by `relevance`.
 */
export const redditQuery = (symbol: string): string => (symbol.includes('.') ? `"${symbol}"` : symbol);

/** Title and body, as one text. */
const postText = (post: Post): string => (post.selftext === '' ? post.title : `${post.title}\n${post.selftext}`);

/** A post's contribution: text score of title + body, weighted by relevance and by upvotes (log). */
export const scorePost = (post: Post, symbol: string): WeightedScore => {
  const text = postText(post);
  const { score, hits } = scoreText(text);
  return { score, weight: relevance(text, symbol) * engagementWeight(post.ups), evidence: hits > 0 ? 1 : 0 };
};

/** The reading for a batch of new posts, or undefined when none is about the symbol. */
export const postsReading = (symbol: string, posts: readonly Post[]): ProviderReading | undefined => {
  const relevant = posts.filter((p) => relevance(postText(p), symbol) > 0);
  if (relevant.length === 0) return undefined;
  const items = relevant.map((p) => scorePost(p, symbol));
  const combined = combineScores(items);
  const bySubreddit: Record<string, number> = {};
  for (const p of relevant) bySubreddit[p.subreddit] = (bySubreddit[p.subreddit] ?? 0) + 1;
  return {
    source: 'reddit',
    symbol,
    score: combined.score,
    confidence: combined.confidence,
    mentions: relevant.length,
    sourceTs: Math.max(...relevant.map((p) => Math.round(p.created_utc * 1000))),
    detail: {
      scored: items.filter((i) => i.evidence > 0).length,
      dispersion: round3(combined.dispersion),
      subreddits: bySubreddit,
    },
  };
};

const query = (params: Readonly<Record<string, string>>): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

interface Token {
  readonly value: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * Reddit: app-only OAuth (client credentials), then `/r/{sub}/search` in each configured subreddit
 * for posts of the last day, newest first. Only posts newer than the newest one already seen for
 * the symbol are scored, so a post is never counted twice; no new post, no reading.
 */
export const createRedditProvider = (config: RedditConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, REDDIT_LIMIT);
  deps.http.declareLimit(config.authUrl, REDDIT_LIMIT);
  let token: Token | undefined;
  let pending: Promise<string> | undefined;
  /** Newest `created_utc` (seconds) seen per symbol. */
  const lastSeen = new Map<string, number>();

  const availability = (): Availability => {
    if (!config.enabled) return { available: false, reason: 'disabled (REDDIT_ENABLED=false)' };
    const missing = [
      config.clientId === undefined ? 'REDDIT_CLIENT_ID' : undefined,
      config.clientSecret === undefined ? 'REDDIT_CLIENT_SECRET' : undefined,
      config.userAgent === undefined ? 'REDDIT_USER_AGENT' : undefined,
    ].filter((v) => v !== undefined);
    if (missing.length === 0) return { available: true };
    const uaHint =
      config.userAgent === undefined
        ? ' (Reddit requires a unique User-Agent, e.g. "nodejs:my-bot:0.1 (by /u/your_reddit_name)")'
        : '';
    return {
      available: false,
      reason: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set${uaHint}`,
    };
  };

  const userAgent = (): string => config.userAgent ?? '';

  const requestToken = async (): Promise<string> => {
    const basic = Buffer.from(`${config.clientId ?? ''}:${config.clientSecret ?? ''}`).toString('base64');
    const body = await deps.http.json('reddit', `${config.authUrl}/api/v1/access_token`, TokenResponseSchema, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': userAgent(),
      },
      body: 'grant_type=client_credentials',
    });
    if ('error' in body)
      throw new ProviderError(
        'auth',
        `reddit: the token endpoint refused the client credentials (${String(body.error)})`,
      );
    token = { value: body.access_token, expiresAt: deps.now() + body.expires_in * 1000 };
    return body.access_token;
  };

  /** The cached token while it has more than a minute left; one request at a time refreshes it. */
  const accessToken = (): Promise<string> => {
    if (token !== undefined && deps.now() < token.expiresAt - TOKEN_REFRESH_MARGIN_MS)
      return Promise.resolve(token.value);
    pending ??= requestToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const search = async (subreddit: string, symbol: string) => {
    const url = `${config.baseUrl}/r/${encodeURIComponent(subreddit)}/search?${query({
      q: redditQuery(symbol),
      restrict_sr: '1',
      sort: 'new',
      limit: '100',
      t: 'day',
      // Without it Reddit HTML-escapes &, < and > in titles and bodies.
      raw_json: '1',
    })}`;
    const get = (bearer: string) =>
      deps.http.json('reddit', url, SearchListingSchema, {
        headers: { Authorization: `Bearer ${bearer}`, 'User-Agent': userAgent() },
      });
    const used = await accessToken();
    try {
      return await get(used);
    } catch (err) {
      // A token revoked or expired early: fetch a new one, once.
      if (!(err instanceof ProviderError && err.kind === 'auth' && err.details.status === 401)) throw err;
      if (token?.value === used) token = undefined;
      return get(await accessToken());
    }
  };

  const fetchSymbol = async (raw: string): Promise<readonly ProviderReading[]> => {
    const state = availability();
    if (!state.available) throw new ProviderError('config', `reddit: ${state.reason}`);
    const symbol = requireSymbol('reddit', raw);
    const posts = new Map<string, Post>();
    // One subreddit after another: the whole poll fails or succeeds, and the cursor moves only then.
    for (const subreddit of config.subreddits) {
      const listing = await search(subreddit, symbol);
      for (const child of listing.data.children) posts.set(child.data.name, child.data);
    }
    const since = lastSeen.get(symbol);
    const fresh = [...posts.values()].filter((p) => since === undefined || p.created_utc > since);
    if (fresh.length > 0) lastSeen.set(symbol, Math.max(since ?? 0, ...fresh.map((p) => p.created_utc)));
    const reading = postsReading(symbol, fresh);
    return reading === undefined ? [] : [reading];
  };

  return {
    name: 'reddit',
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
