import type { z } from 'zod';
import {
  booleanVar,
  numberVar,
  optionalStringVar,
  parseEntries,
  requiredList,
  urlVar,
} from '../../config/env-fields.js';

/** A subreddit name as Reddit allows it (letters, digits, underscore; 2..21), `r/` prefix tolerated. */
const parseSubreddit = (raw: string): string | undefined => {
  const name = raw.replace(/^\/?r\//i, '');
  return /^[A-Za-z0-9][A-Za-z0-9_]{1,20}$/.test(name) ? name : undefined;
};

const subredditListVar = (fallback: string) =>
  requiredList<readonly string[]>(fallback, (raw) => {
    const parsed = parseEntries(
      raw,
      'comma-separated subreddit names (e.g. wallstreetbets,stocks)',
      parseSubreddit,
      (s) => s.toLowerCase(),
    );
    if (parsed.ok && parsed.value.length === 0) return { ok: false, reason: 'expected at least one subreddit' };
    return parsed;
  });

/** Reddit Data API, app-only OAuth (client credentials). */
export const REDDIT_ENV = {
  REDDIT_ENABLED: booleanVar('true'),
  REDDIT_BASE_URL: urlVar('https://oauth.reddit.com'),
  REDDIT_AUTH_URL: urlVar('https://www.reddit.com'),
  REDDIT_POLL_INTERVAL: numberVar('300', { min: 1 }),
  REDDIT_CLIENT_ID: optionalStringVar(),
  REDDIT_CLIENT_SECRET: optionalStringVar(),
  REDDIT_USER_AGENT: optionalStringVar(),
  REDDIT_SUBREDDITS: subredditListVar('wallstreetbets,stocks,investing'),
};

export interface RedditConfig {
  readonly enabled: boolean;
  /** Data API, `https://oauth.reddit.com`. */
  readonly baseUrl: string;
  /** Token endpoint host, `https://www.reddit.com`. */
  readonly authUrl: string;
  readonly intervalMs: number;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** Reddit requires a unique one, `<platform>:<app id>:<version> (by /u/<reddit user>)`; no default. */
  readonly userAgent: string | undefined;
  readonly subreddits: readonly string[];
}

export const redditConfig = (e: z.output<z.ZodObject<typeof REDDIT_ENV>>): RedditConfig => ({
  enabled: e.REDDIT_ENABLED,
  baseUrl: e.REDDIT_BASE_URL,
  authUrl: e.REDDIT_AUTH_URL,
  intervalMs: e.REDDIT_POLL_INTERVAL * 1000,
  clientId: e.REDDIT_CLIENT_ID,
  clientSecret: e.REDDIT_CLIENT_SECRET,
  userAgent: e.REDDIT_USER_AGENT,
  subreddits: e.REDDIT_SUBREDDITS,
});
