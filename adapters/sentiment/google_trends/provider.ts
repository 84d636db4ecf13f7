import type { z } from 'zod';
import { ProviderError, redactUrl } from '../http/provider-error.js';
import type { HostLimit } from '../http/rate-limiter.js';
import type { Availability, ProviderDeps, ProviderReading, SentimentProvider } from '../provider.js';
import type { GoogleTrendsConfig } from './config.js';
import { ExploreResponseSchema, MultilineResponseSchema, type TimelinePoint } from './schema.js';

/** Google publishes no limit for these endpoints and blocks bursts: two calls per symbol, slowly. */
export const TRENDS_HOST_LIMIT: HostLimit = { requests: 5, perMs: 60_000 };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Attention is not opinion: the score never goes beyond this. */
export const MAX_ATTENTION_SCORE = 0.5;
/** A lexicon-free proxy deserves little trust, however clean the series. */
export const MAX_ATTENTION_CONFIDENCE = 0.4;

/** `)]}'` before the JSON (and `,` after it on widget data): Google's guard against JSON hijacking. */
const XSSI_PREFIX = /^\)\]\}',?\s*/;

/**
 * The JSON after the anti-XSSI prefix, validated. A body without the prefix (Google's HTML "sorry"
 * or consent page) or with bad JSON after it is `malformed`; JSON of another shape is `schema`.
 */
export const parseTrendsJson = <S extends z.ZodType>(body: string, url: string, schema: S): z.output<S> => {
  const safeUrl = redactUrl(url);
  const prefix = XSSI_PREFIX.exec(body);
  if (prefix === null)
    throw new ProviderError('malformed', `${safeUrl}: not a Trends JSON response (blocked or an HTML page?)`, {
      url: safeUrl,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(prefix[0].length));
  } catch (err) {
    throw new ProviderError('malformed', `${safeUrl}: the response is not JSON`, { url: safeUrl }, { cause: err });
  }
  const result = schema.safeParse(parsed);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'unexpected shape';
  throw new ProviderError('schema', `${safeUrl}: unexpected response (${where})`, { url: safeUrl });
};

export interface Attention {
  readonly score: number;
  readonly confidence: number;
  /** The latest interest value (0..100, relative to the week's peak). */
  readonly mentions: number;
  /** Time of the last timeline point, epoch ms. */
  readonly sourceTs: number;
  readonly recentMean: number;
  readonly previousMean: number;
  readonly recentPoints: number;
  readonly previousPoints: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Search interest has no direction, so it yields a small, bounded attention term rather than a
 * sentiment: score = 0.5 * tanh(ln((recent + 1) / (previous + 1))), where `recent` is the mean
 * interest of the last 24 h and `previous` that of the six days before (both on Google's 0..100
 * scale; the +1 keeps a quiet week from dividing by zero). A surge of interest reads mildly
 * positive, fading interest mildly negative; |score| < 0.5. Confidence is at most 0.4, scaled down
 * when either window has few points, and 0 when the series is all zeros (no search volume).
 * Points flagged `isPartial` (the running hour) stay out of the means. Undefined when a window is empty.
 */
export const attention = (timeline: readonly TimelinePoint[]): Attention | undefined => {
  const points = timeline
    .map((p) => ({ ms: Number(p.time) * 1000, value: p.value[0] ?? 0, partial: p.isPartial === true }))
    .sort((a, b) => a.ms - b.ms);
  const last = points.at(-1);
  if (last === undefined) return undefined;
  const complete = points.filter((p) => !p.partial);
  const recent = complete.filter((p) => p.ms > last.ms - DAY_MS).map((p) => p.value);
  const previous = complete.filter((p) => p.ms <= last.ms - DAY_MS && p.ms > last.ms - 7 * DAY_MS).map((p) => p.value);
  if (recent.length === 0 || previous.length === 0) return undefined;
  const recentMean = mean(recent);
  const previousMean = mean(previous);
  const anyVolume = points.some((p) => p.value > 0);
  return {
    score: MAX_ATTENTION_SCORE * Math.tanh(Math.log((recentMean + 1) / (previousMean + 1))),
    confidence: anyVolume
      ? MAX_ATTENTION_CONFIDENCE * Math.min(1, recent.length / 12) * Math.min(1, previous.length / 72)
      : 0,
    mentions: last.value,
    sourceTs: last.ms,
    recentMean,
    previousMean,
    recentPoints: recent.length,
    previousPoints: previous.length,
  };
};

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * Google Trends search interest in "<SYMBOL> stock" over the last 7 days (hourly), through the
 * unofficial explore + widget-data endpoints. Off by default (GOOGLE_TRENDS_ENABLED=false): Google
 * often answers 429 or an HTML page, which surface as `rate_limited` / `malformed` ProviderErrors,
 * never as crashes. At most one successful round trip per symbol per UTC day (the series is hourly
 * over a week; the default interval is a day): later fetches that day resolve with no readings.
 * Scoring: `attention` (a bounded attention term, not an opinion). `sourceTs`: the last point's time.
 */
export const createGoogleTrendsProvider = (config: GoogleTrendsConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, TRENDS_HOST_LIMIT);
  /** UTC day of each symbol's last successful fetch. */
  const fetchedOn = new Map<string, string>();

  const availability = (): Availability =>
    config.enabled
      ? { available: true }
      : { available: false, reason: 'disabled (GOOGLE_TRENDS_ENABLED=false; unofficial, often blocked)' };

  return {
    name: 'google_trends',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (symbol): Promise<readonly ProviderReading[]> => {
      const state = availability();
      if (!state.available) throw new ProviderError('config', `google_trends: ${state.reason}`);
      const key = symbol.toUpperCase();
      const today = utcDay(deps.now());
      if (fetchedOn.get(key) === today) return [];

      const keyword = `${key} stock`;
      const exploreUrl = `${config.baseUrl}/trends/api/explore?${new URLSearchParams({
        hl: 'en-US',
        tz: '0',
        req: JSON.stringify({
          comparisonItem: [{ keyword, geo: config.geo, time: 'now 7-d' }],
          category: 0,
          property: '',
        }),
      }).toString()}`;
      const explore = parseTrendsJson(
        await deps.http.text('google_trends', exploreUrl),
        exploreUrl,
        ExploreResponseSchema,
      );
      const widget = explore.widgets.find((w) => w.id === 'TIMESERIES');
      if (widget?.token === undefined || widget.request === undefined)
        throw new ProviderError('schema', `${redactUrl(exploreUrl)}: no TIMESERIES widget with a token`, {
          url: redactUrl(exploreUrl),
        });

      const dataUrl = `${config.baseUrl}/trends/api/widgetdata/multiline?${new URLSearchParams({
        hl: 'en-US',
        tz: '0',
        req: JSON.stringify(widget.request),
        token: widget.token,
      }).toString()}`;
      const data = parseTrendsJson(await deps.http.text('google_trends', dataUrl), dataUrl, MultilineResponseSchema);
      fetchedOn.set(key, today);

      const a = attention(data.default.timelineData);
      if (a === undefined) return [];
      return [
        {
          source: 'google_trends',
          symbol,
          score: a.score,
          confidence: a.confidence,
          mentions: a.mentions,
          sourceTs: a.sourceTs,
          detail: {
            keyword,
            recentMean: round(a.recentMean),
            previousMean: round(a.previousMean),
            recentPoints: a.recentPoints,
            previousPoints: a.previousPoints,
          },
        },
      ];
    },
  };
};
