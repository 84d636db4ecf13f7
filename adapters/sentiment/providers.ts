import type { z } from 'zod';
import { ANALYST_RATINGS_ENV, type AnalystRatingsConfig, analystRatingsConfig } from './analyst_ratings/config.js';
import { createAnalystRatingsProvider } from './analyst_ratings/provider.js';
import { DARK_POOL_ENV, type DarkPoolConfig, darkPoolConfig } from './dark_pool/config.js';
import { createDarkPoolProvider } from './dark_pool/provider.js';
import { EVENTS_ENV, type EventsConfig, eventsConfig } from './events/config.js';
import { createEventsProvider } from './events/provider.js';
import { GOOGLE_TRENDS_ENV, type GoogleTrendsConfig, googleTrendsConfig } from './google_trends/config.js';
import { createGoogleTrendsProvider } from './google_trends/provider.js';
import { INSIDER_TRADING_ENV, type InsiderTradingConfig, insiderTradingConfig } from './insider_trading/config.js';
import { createInsiderTradingProvider } from './insider_trading/provider.js';
import { MENTION_VOLUME_ENV, type MentionVolumeConfig, mentionVolumeConfig } from './mention_volume/config.js';
import { createMentionVolumeProvider } from './mention_volume/provider.js';
import { NEWS_ENV, type NewsConfig, newsConfig } from './news/config.js';
import { createNewsProvider } from './news/provider.js';
import { NEWSAPI_ENV, type NewsApiConfig, newsApiConfig } from './newsapi/config.js';
import { createNewsApiProvider } from './newsapi/provider.js';
import { OPTIONS_ENV, type OptionsConfig, optionsConfig } from './options/config.js';
import { type OptionStatsSource, createOptionsProvider } from './options/provider.js';
import type { ProviderDeps, SourceName } from './provider.js';
import { REDDIT_ENV, type RedditConfig, redditConfig } from './reddit/config.js';
import { createRedditProvider } from './reddit/provider.js';
import { SEC_FILINGS_ENV, type SecFilingsConfig, secFilingsConfig } from './sec_filings/config.js';
import { createSecFilingsProvider } from './sec_filings/provider.js';
import type { RegisteredProvider } from './sentiment-service.js';
import { STOCKTWITS_ENV, type StocktwitsConfig, stocktwitsConfig } from './stocktwits/config.js';
import { createStocktwitsProvider } from './stocktwits/provider.js';
import { TWITTER_ENV, type TwitterConfig, twitterConfig } from './twitter/config.js';
import { createTwitterProvider } from './twitter/provider.js';

/** Every provider's variables (each provider folder owns its own; names never collide but FINNHUB_API_KEY, shared on purpose). */
export const PROVIDER_ENV = {
  ...TWITTER_ENV,
  ...REDDIT_ENV,
  ...STOCKTWITS_ENV,
  ...NEWS_ENV,
  ...NEWSAPI_ENV,
  ...GOOGLE_TRENDS_ENV,
  ...ANALYST_RATINGS_ENV,
  ...INSIDER_TRADING_ENV,
  ...SEC_FILINGS_ENV,
  ...OPTIONS_ENV,
  ...DARK_POOL_ENV,
  ...MENTION_VOLUME_ENV,
  ...EVENTS_ENV,
};

export interface ProvidersConfig {
  readonly twitter: TwitterConfig;
  readonly reddit: RedditConfig;
  readonly stocktwits: StocktwitsConfig;
  readonly news: NewsConfig;
  readonly newsapi: NewsApiConfig;
  readonly google_trends: GoogleTrendsConfig;
  readonly analyst_ratings: AnalystRatingsConfig;
  readonly insider_trading: InsiderTradingConfig;
  readonly sec_filings: SecFilingsConfig;
  readonly options: OptionsConfig;
  readonly dark_pool: DarkPoolConfig;
  readonly mention_volume: MentionVolumeConfig;
  readonly events: EventsConfig;
}

type ProviderEnv = z.output<z.ZodObject<typeof PROVIDER_ENV>>;

export const providersConfig = (e: ProviderEnv): ProvidersConfig => ({
  twitter: twitterConfig(e),
  reddit: redditConfig(e),
  stocktwits: stocktwitsConfig(e),
  news: newsConfig(e),
  newsapi: newsApiConfig(e),
  google_trends: googleTrendsConfig(e),
  analyst_ratings: analystRatingsConfig(e),
  insider_trading: insiderTradingConfig(e),
  sec_filings: secFilingsConfig(e),
  options: optionsConfig(e),
  dark_pool: darkPoolConfig(e),
  mention_volume: mentionVolumeConfig(e),
  events: eventsConfig(e),
});

/** What some providers need beyond HTTP: IBKR's option ticks (BROKER=ibkr), the symbols tracked at start. */
export interface ProviderExtras {
  readonly optionStats?: OptionStatsSource;
  readonly symbols?: readonly string[];
}

const baseUrlOf = (config: object): string | undefined =>
  'baseUrl' in config && typeof config.baseUrl === 'string' ? config.baseUrl : undefined;

/** All thirteen providers, built whether or not they can run (each says why not in `availability()`). */
export const buildProviders = (
  config: ProvidersConfig,
  deps: ProviderDeps,
  extras: ProviderExtras = {},
): readonly RegisteredProvider[] => {
  const entry = (name: SourceName, c: object, provider: RegisteredProvider['provider']): RegisteredProvider => {
    if (provider.name !== name) throw new Error(`provider ${provider.name} registered as ${name}`);
    const baseUrl = baseUrlOf(c);
    return baseUrl === undefined ? { provider } : { provider, baseUrl };
  };
  return [
    entry('twitter', config.twitter, createTwitterProvider(config.twitter, deps)),
    entry('reddit', config.reddit, createRedditProvider(config.reddit, deps)),
    entry('stocktwits', config.stocktwits, createStocktwitsProvider(config.stocktwits, deps)),
    entry('news', config.news, createNewsProvider(config.news, deps)),
    entry('newsapi', config.newsapi, createNewsApiProvider(config.newsapi, deps)),
    entry('google_trends', config.google_trends, createGoogleTrendsProvider(config.google_trends, deps)),
    entry('analyst_ratings', config.analyst_ratings, createAnalystRatingsProvider(config.analyst_ratings, deps)),
    entry('insider_trading', config.insider_trading, createInsiderTradingProvider(config.insider_trading, deps)),
    entry('sec_filings', config.sec_filings, createSecFilingsProvider(config.sec_filings, deps)),
    entry('options', config.options, createOptionsProvider(config.options, deps, extras.optionStats)),
    entry(
      'dark_pool',
      config.dark_pool,
      createDarkPoolProvider({ ...config.dark_pool, trackedSymbols: extras.symbols ?? [] }, deps),
    ),
    entry('mention_volume', config.mention_volume, createMentionVolumeProvider(config.mention_volume, deps)),
    entry('events', config.events, createEventsProvider(config.events, deps)),
  ];
};
