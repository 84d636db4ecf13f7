import type { z } from 'zod';
import { booleanVar, numberVar, parseEntries, parseSymbol, requiredList } from '../../config/env-fields.js';

/** Marks a per-ticker feed URL; replaced by the URL-encoded symbol on each fetch. */
export const SYMBOL_PLACEHOLDER = '{symbol}';

/** Yahoo Finance's per-ticker headline feed (unofficial, widely used). */
export const DEFAULT_NEWS_FEED = 'https://feeds.finance.yahoo.com/rss/2.0/headline?s={symbol}&region=US&lang=en-US';

/** A feed entry is valid when it is an http(s) URL once the placeholder is filled in. */
const parseFeed = (entry: string): string | undefined => {
  const probe = entry.replaceAll(SYMBOL_PLACEHOLDER, 'AAPL');
  if (!URL.canParse(probe)) return undefined;
  const { protocol } = new URL(probe);
  return protocol === 'http:' || protocol === 'https:' ? entry : undefined;
};

/** Comma-separated feed URLs; `{symbol}` marks per-ticker feeds, the others are general feeds. */
export function feedListVar(fallback: string) {
  const what = `an http(s) feed URL (${SYMBOL_PLACEHOLDER} marks a per-ticker feed)`;
  return requiredList(fallback, (raw) => parseEntries(raw, what, parseFeed, (feed) => feed));
}

/** `SYMBOL=Name`; a name must not contain `"` (it is quoted in search queries). */
const parseNameEntry = (entry: string): readonly [string, string] | undefined => {
  const eq = entry.indexOf('=');
  if (eq <= 0) return undefined;
  const symbol = parseSymbol(entry.slice(0, eq));
  const name = entry.slice(eq + 1).trim();
  return symbol === undefined || name === '' || name.includes('"') ? undefined : [symbol, name];
};

/**
 * Company names per symbol, `AAPL=Apple,MSFT=Microsoft,AAPL=iPhone` (a symbol may repeat to add
 * names). Names make a text relevant like the bare ticker does; blank means none.
 */
export function companyNamesVar() {
  const what = 'SYMBOL=Company name';
  return requiredList('', (raw) =>
    parseEntries(raw, what, parseNameEntry, ([symbol, name]) => `${symbol}=${name.toLowerCase()}`),
  ).transform((entries): Readonly<Record<string, readonly string[]>> => {
    const names: Record<string, string[]> = {};
    for (const [symbol, name] of entries) (names[symbol] ??= []).push(name);
    return names;
  });
}

export const NEWS_ENV = {
  NEWS_ENABLED: booleanVar('true'),
  NEWS_RSS_FEEDS: feedListVar(DEFAULT_NEWS_FEED),
  NEWS_RSS_NAMES: companyNamesVar(),
  NEWS_POLL_INTERVAL: numberVar('300', { min: 1 }),
};

export interface NewsConfig {
  readonly enabled: boolean;
  /** Feed URLs; those containing `{symbol}` are per-ticker templates. Replaces a single base URL. */
  readonly feeds: readonly string[];
  /** Company names per symbol for the relevance of general-feed items. */
  readonly names: Readonly<Record<string, readonly string[]>>;
  readonly intervalMs: number;
}

export const newsConfig = (e: z.output<z.ZodObject<typeof NEWS_ENV>>): NewsConfig => ({
  enabled: e.NEWS_ENABLED,
  feeds: e.NEWS_RSS_FEEDS,
  names: e.NEWS_RSS_NAMES,
  intervalMs: e.NEWS_POLL_INTERVAL * 1000,
});
