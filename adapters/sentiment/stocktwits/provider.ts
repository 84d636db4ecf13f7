import { ProviderError, asProviderError, redactUrl } from '../http/provider-error.js';
import type { Availability, ProviderDeps, ProviderReading, SentimentProvider } from '../provider.js';
import { scoreText } from '../text/text-scorer.js';
import { type WeightedScore, combineScores, requireSymbol, round3 } from '../text/social-score.js';
import type { StocktwitsConfig } from './config.js';
import { type Message, SymbolStreamSchema } from './schema.js';

/** Unauthenticated streams: about 200 requests per hour per IP (what integrators observe; not published). */
const STOCKTWITS_LIMIT = { requests: 200, perMs: 3_600_000 } as const;
/**
 * StockTwits answers an exhausted hourly budget with 429 and `{"errors":[{"message":"Rate limit exceeded.
 * Client may not make more than N requests an hour."}]}`, no Retry-After; its reset time is in headers
 * the HttpClient does not expose. After such a 429 the provider asks nothing for this long.
 */
export const RATE_LIMIT_COOLDOWN_MS = 15 * 60_000;
/** Messages older than this are not scored (a quiet stream's 30 newest can span weeks). */
export const MAX_MESSAGE_AGE_MS = 24 * 3_600_000;
/** An untagged message scored from its text counts half as much as one its author tagged. */
export const TEXT_WEIGHT = 0.5;

/**
 * A message's contribution: its author's tag (Bullish +1, Bearish -1) when there is one, its text
 * score at half weight otherwise. A message about several symbols is shared among them.
 */
export const scoreMessage = (message: Message): WeightedScore => {
  const share = 1 / Math.max(1, message.symbols?.length ?? 1);
  const label = message.entities?.sentiment?.basic;
  if (label === 'Bullish' || label === 'Bearish')
    return { score: label === 'Bullish' ? 1 : -1, weight: share, evidence: 1 };
  const { score, hits } = scoreText(message.body);
  return { score, weight: TEXT_WEIGHT * share, evidence: hits > 0 ? TEXT_WEIGHT : 0 };
};

/** The reading for a batch of new messages, or undefined when none is recent enough. */
export const messagesReading = (
  symbol: string,
  messages: readonly Message[],
  now: number,
): ProviderReading | undefined => {
  const recent = messages.filter((m) => now - Date.parse(m.created_at) <= MAX_MESSAGE_AGE_MS);
  if (recent.length === 0) return undefined;
  const items = recent.map(scoreMessage);
  const combined = combineScores(items);
  const tagged = (label: string) => recent.filter((m) => m.entities?.sentiment?.basic === label).length;
  return {
    source: 'stocktwits',
    symbol,
    score: combined.score,
    confidence: combined.confidence,
    mentions: recent.length,
    sourceTs: Math.max(...recent.map((m) => Date.parse(m.created_at))),
    detail: {
      bullish: tagged('Bullish'),
      bearish: tagged('Bearish'),
      scored: items.filter((i) => i.evidence > 0).length,
      dispersion: round3(combined.dispersion),
    },
  };
};

/**
 * StockTwits symbol stream (public, no key). Each poll asks only for messages newer than the newest
 * one already seen (`since`); no new message, no reading. Symbols go in the path as StockTwits
 * writes them (`BRK.B`).
 */
export const createStocktwitsProvider = (config: StocktwitsConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, STOCKTWITS_LIMIT);
  /** Newest message id seen per symbol. */
  const cursors = new Map<string, number>();
  let coolDownUntil = 0;

  const availability = (): Availability =>
    config.enabled ? { available: true } : { available: false, reason: 'disabled (STOCKTWITS_ENABLED=false)' };

  const fetchSymbol = async (raw: string): Promise<readonly ProviderReading[]> => {
    const state = availability();
    if (!state.available) throw new ProviderError('config', `stocktwits: ${state.reason}`);
    const symbol = requireSymbol('stocktwits', raw);
    const since = cursors.get(symbol);
    const url = `${config.baseUrl}/api/2/streams/symbol/${encodeURIComponent(symbol)}.json${
      since === undefined ? '' : `?since=${since}`
    }`;
    const now = deps.now();
    // Asking a paused host would park the poller in the limiter for the whole pause: refuse instead.
    if (coolDownUntil > now)
      throw new ProviderError(
        'rate_limited',
        `stocktwits: rate limited, next request in ${Math.ceil((coolDownUntil - now) / 1000)} s`,
        {
          url: redactUrl(url),
          retryAfterMs: coolDownUntil - now,
        },
      );
    const body = await deps.http.json('stocktwits', url, SymbolStreamSchema).catch((err: unknown) => {
      if (err instanceof ProviderError && err.kind === 'rate_limited')
        coolDownUntil = deps.now() + (err.details.retryAfterMs ?? RATE_LIMIT_COOLDOWN_MS);
      throw err;
    });
    // `since` is exclusive already; the filter guards against an API that ignores it.
    const fresh = body.messages.filter((m) => since === undefined || m.id > since);
    if (fresh.length > 0) cursors.set(symbol, Math.max(since ?? 0, ...fresh.map((m) => m.id)));
    const reading = messagesReading(symbol, fresh, now);
    return reading === undefined ? [] : [reading];
  };

  return {
    name: 'stocktwits',
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
