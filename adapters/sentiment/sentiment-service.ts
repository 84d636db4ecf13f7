import { type Observable, Subject, lastValueFrom } from 'rxjs';
import { DomainError } from '../../engine/errors.js';
import type { EarningsScheduled, OptionsFlowReading, SentimentReading } from '../../engine/messages/market.js';
import { SymbolSchema } from '../../engine/messages/symbol.js';
import type { SentimentPort } from '../../engine/ports/sentiment.port.js';
import {
  type AggregatedSentiment,
  type AggregationConfig,
  aggregateSentiment,
  longestAge,
} from '../../engine/sentiment/aggregate.js';
import type { ReadingQuery, StoredSentimentReading } from '../../storage/sentiment-readings.js';
import type { ReadingView, SentimentApi, SourceStatus } from '../../http/sentiment-api.js';
import type { HttpClient } from './http/http-client.js';
import { ProviderError, type ProviderErrorKind, asProviderError } from './http/provider-error.js';
import {
  SOURCE_NAMES,
  type ProviderReading,
  type ReadingHistory,
  type SentimentProvider,
  type SourceName,
} from './provider.js';

/** The storage the service needs (SqliteStore fits). */
export interface SentimentStore {
  saveSentimentReadings(readings: readonly StoredSentimentReading[]): Observable<number>;
  sentimentReadings(query: ReadingQuery): Observable<readonly StoredSentimentReading[]>;
  pruneSentimentReadings(beforeTs: number): Observable<number>;
}

/** A provider with the base URL its rate limit is kept under (for the status endpoint). */
export interface RegisteredProvider {
  readonly provider: SentimentProvider;
  readonly baseUrl?: string;
}

/** A reading under any source name (the simulation's own), and the stream it belongs to. */
export type AnyReading = Omit<ProviderReading, 'source'> & { readonly source: string };
export interface ExtraReading {
  readonly channel: 'sentiment' | 'options';
  readonly reading: AnyReading;
}

/** Readings made outside the poller (the paper-mode simulation), stored and streamed like the rest. */
export interface ExtraReadings {
  readonly name: string;
  readonly readings$: Observable<ExtraReading>;
  /** Follow exactly these symbols (replaces the previous set). */
  track(symbols: readonly string[]): void;
  start(): void;
  stop(): void;
}

export interface SentimentLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface SentimentServiceOptions {
  readonly providers: readonly RegisteredProvider[];
  readonly store: SentimentStore;
  readonly http: HttpClient;
  readonly aggregation: AggregationConfig;
  readonly retentionDays: number;
  /** Wall clock (fetch times, poll timing). */
  readonly now: () => number;
  /** The engine's clock: market time in paper mode; "now" for the aggregated endpoint. */
  readonly engineNow?: () => number;
  readonly logger: SentimentLogger;
  readonly simulated?: ExtraReadings;
  /** A provider call that has not settled after this long is abandoned (its result, if any, is dropped). */
  readonly callTimeoutMs?: number;
  /** Why the providers not given are missing (shown in the status), e.g. "off with BROKER=paper". */
  readonly missingReason?: string;
  /** Told of every failed fetch (`provider_errors_total`). */
  readonly onProviderError?: (source: SourceName, kind: ProviderErrorKind) => void;
}

export interface SentimentService extends SentimentPort, SentimentApi {
  start(): void;
  /** Stops polling and waits for in-flight provider calls to settle (or be abandoned). */
  stop(): Promise<void>;
  /** One poll of one provider over the tracked symbols, now (also what the timers run). */
  pollOnce(source: SourceName): Promise<void>;
}

interface SourceRuntime {
  readonly entry: RegisteredProvider;
  timer: ReturnType<typeof setInterval> | undefined;
  inFlight: Promise<void> | undefined;
  lastSuccess: number | null;
  lastReading: number | null;
  readingsTotal: number;
  errorsTotal: number;
  lastError: { kind: ProviderErrorKind; message: string; at: number } | null;
}

const HOUR = 3_600_000;
/** Keys of readings already streamed, remembered so a re-seen publication is not streamed twice. */
const PUBLISHED_MEMORY = 50_000;
const DAY = 24 * HOUR;
const iso = (ts: number): string => new Date(ts).toISOString();

const view = (r: StoredSentimentReading): ReadingView => ({
  source: r.source,
  symbol: r.symbol,
  score: r.score,
  confidence: r.confidence,
  mentions: r.mentions,
  published_at: iso(r.sourceTs),
  fetched_at: iso(r.fetchedTs),
  detail: r.detail ?? null,
});

/** A stored reading as the provider-side shape (the stored source name is trusted: we wrote it). */
const fromStored = (r: StoredSentimentReading): ProviderReading => ({
  source: r.source as SourceName,
  symbol: r.symbol,
  score: r.score,
  confidence: r.confidence,
  mentions: r.mentions,
  sourceTs: r.sourceTs,
  ...(r.detail === undefined ? {} : { detail: r.detail }),
});

/** Stored readings as the providers that derive from history read them (mention volume, dark-pool norms). */
export const storedHistory = (store: Pick<SentimentStore, 'sentimentReadings'>): ReadingHistory => ({
  readings: async (symbol, fromTs, toTs, sources) =>
    (
      await lastValueFrom(
        store.sentimentReadings({ symbol, fromTs, toTs, ...(sources === undefined ? {} : { sources }) }),
      )
    ).map(fromStored),
});

const parseSymbol = (raw: string): string => {
  const parsed = SymbolSchema.safeParse(raw);
  if (!parsed.success)
    throw new DomainError('validation_error', parsed.error.issues[0]?.message ?? 'invalid symbol', [
      { path: 'symbol', message: parsed.error.issues[0]?.message ?? 'invalid symbol' },
    ]);
  return parsed.data;
};

/** The next earnings report a reading of the `events` source announces, if it carries one. */
const nextEarnings = (r: AnyReading): number | null | undefined => {
  const next = r.detail?.['next_earnings'];
  if (next === null) return null;
  if (typeof next !== 'object' || next === undefined) return undefined;
  const ts = (next as Record<string, unknown>)['ts'];
  return typeof ts === 'number' && Number.isFinite(ts) ? ts : undefined;
};

/**
 * Polls every available provider on its own interval for the tracked symbols, stores each reading
 * (with its source and fetch times) and streams it to the engine: sentiment to `readings$`, options
 * flow to `optionsFlow$`, earnings dates to `earnings$`. Providers are isolated: one that rejects,
 * throws or hangs only marks its own status; it never stops the others or the engine.
 */
export function createSentimentService(options: SentimentServiceOptions): SentimentService {
  const { store, http, aggregation, logger } = options;
  const now = options.now;
  const engineNow = options.engineNow ?? now;
  const callTimeoutMs = options.callTimeoutMs ?? 60_000;
  const readings$ = new Subject<SentimentReading>();
  const optionsFlow$ = new Subject<OptionsFlowReading>();
  const earnings$ = new Subject<EarningsScheduled>();
  const tracked = new Set<string>();
  const runtimes = new Map<string, SourceRuntime>();
  for (const entry of options.providers)
    runtimes.set(entry.provider.name, {
      entry,
      timer: undefined,
      inFlight: undefined,
      lastSuccess: null,
      lastReading: null,
      readingsTotal: 0,
      errorsTotal: 0,
      lastError: null,
    });
  const simulatedStats = { readings: 0, last: null as number | null };
  let running = false;
  let pruneTimer: ReturnType<typeof setInterval> | undefined;
  let simulatedSub: { unsubscribe(): void } | undefined;
  const pendingWrites = new Set<Promise<unknown>>();

  const publishEarnings = (r: AnyReading): void => {
    const reportTs = nextEarnings(r);
    if (reportTs !== undefined)
      earnings$.next({ kind: 'earnings.scheduled', ts: r.sourceTs, symbol: r.symbol, reportTs });
  };
  const published = new Set<string>();

  /** Streams a reading into the engine (after it is stored: a reading the engine used is on disk). */
  const publish = (
    r: AnyReading,
    channel: 'sentiment' | 'options' = r.source === 'options' ? 'options' : 'sentiment',
  ): void => {
    if (channel === 'options') {
      optionsFlow$.next({
        kind: 'options.updated',
        ts: r.sourceTs,
        symbol: r.symbol,
        score: r.score,
        confidence: r.confidence,
      });
    } else {
      readings$.next({
        kind: 'sentiment.updated',
        ts: r.sourceTs,
        symbol: r.symbol,
        source: r.source,
        score: r.score,
        confidence: r.confidence,
        mentions: r.mentions,
      });
    }
    if (r.source === 'events') publishEarnings(r);
  };

  const persist = async (readings: readonly AnyReading[], channel?: 'sentiment' | 'options'): Promise<void> => {
    if (readings.length === 0) return;
    const fetchedTs = now();
    const write = lastValueFrom(
      store.saveSentimentReadings(
        readings.map((r) => ({
          source: r.source,
          symbol: r.symbol,
          score: r.score,
          confidence: r.confidence,
          mentions: r.mentions,
          sourceTs: Math.round(r.sourceTs),
          fetchedTs,
          ...(r.detail === undefined ? {} : { detail: r.detail }),
        })),
      ),
    );
    pendingWrites.add(write);
    try {
      await write;
    } finally {
      pendingWrites.delete(write);
    }
    for (const r of readings) {
      // A reading already streamed (the same publication seen again) is not sent twice; an earnings date
      // may have moved, so events readings always go to the risk manager.
      const key = `${r.source}|${r.symbol}|${Math.round(r.sourceTs)}`;
      if (published.has(key)) {
        if (r.source === 'events') publishEarnings(r);
        continue;
      }
      published.add(key);
      if (published.size > PUBLISHED_MEMORY) published.delete(published.values().next().value as string);
      publish(r, channel);
    }
  };

  const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new ProviderError('timeout', `${what} did not settle within ${ms} ms`)), ms);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });

  const pollSymbol = async (rt: SourceRuntime, symbol: string): Promise<void> => {
    const { provider, baseUrl } = rt.entry;
    if (baseUrl !== undefined && http.limitState(baseUrl).pausedUntil !== null) return;
    try {
      const found = await withTimeout(
        Promise.resolve().then(() => provider.fetch(symbol)),
        callTimeoutMs,
        `${provider.name} ${symbol}`,
      );
      const valid = found.filter(
        (r) =>
          r.symbol === symbol &&
          Number.isFinite(r.score) &&
          Number.isFinite(r.confidence) &&
          Number.isFinite(r.sourceTs) &&
          r.sourceTs <= now() + 5 * 60_000,
      );
      if (valid.length < found.length)
        logger.warn(
          { source: provider.name, symbol, dropped: found.length - valid.length },
          'dropped invalid readings',
        );
      await persist(
        valid.map((r) => ({
          ...r,
          score: Math.max(-1, Math.min(1, r.score)),
          confidence: Math.max(0, Math.min(1, r.confidence)),
          mentions: Math.max(0, Math.round(r.mentions)),
        })),
      );
      rt.lastSuccess = now();
      if (valid.length > 0) {
        rt.readingsTotal += valid.length;
        rt.lastReading = Math.max(rt.lastReading ?? 0, ...valid.map((r) => r.sourceTs));
      }
    } catch (err) {
      const e = asProviderError(err);
      rt.errorsTotal++;
      rt.lastError = { kind: e.kind, message: e.message, at: now() };
      options.onProviderError?.(provider.name, e.kind);
      logger.warn({ source: provider.name, symbol, kind: e.kind, err: e.message }, 'sentiment source failed');
    }
  };

  const pollOnce = async (source: SourceName): Promise<void> => {
    const rt = runtimes.get(source);
    if (!rt || rt.inFlight) return rt?.inFlight;
    if (!rt.entry.provider.availability().available) return;
    const run = (async () => {
      for (const symbol of [...tracked]) await pollSymbol(rt, symbol);
    })();
    rt.inFlight = run.finally(() => {
      rt.inFlight = undefined;
    });
    return rt.inFlight;
  };

  /** After a restart, the engine gets the readings it would still weigh, oldest first. */
  const replay = async (symbols: readonly string[]): Promise<void> => {
    // Engine time: in paper mode the simulated readings carry market time, not wall time.
    const to = engineNow();
    for (const symbol of symbols) {
      const stored = await lastValueFrom(
        store.sentimentReadings({ symbol, fromTs: to - longestAge(aggregation), toTs: to }),
        { defaultValue: [] as readonly StoredSentimentReading[] },
      );
      for (const r of stored)
        publish({ ...r, source: r.source, ...(r.detail === undefined ? {} : { detail: r.detail }) });
    }
  };

  const startTimers = (): void => {
    for (const [name, rt] of runtimes) {
      if (!rt.entry.provider.availability().available) continue;
      rt.timer = setInterval(() => void pollOnce(name as SourceName), rt.entry.provider.intervalMs);
      rt.timer.unref?.();
      void pollOnce(name as SourceName);
    }
    const prune = (): void => {
      void lastValueFrom(store.pruneSentimentReadings(now() - options.retentionDays * DAY)).catch((err: unknown) =>
        logger.error({ err }, 'pruning sentiment readings failed'),
      );
    };
    pruneTimer = setInterval(prune, DAY);
    pruneTimer.unref?.();
    prune();
  };

  const aggregatedAt = async (symbol: string, asOf: number): Promise<AggregatedSentiment> => {
    const stored = await lastValueFrom(
      store.sentimentReadings({ symbol, fromTs: asOf - longestAge(aggregation), toTs: asOf }),
    );
    // Options flow (the provider's and the simulation's) is confluence's own component, as in the engine.
    const optionsSources = new Set(['options', ...(options.simulated ? [`${options.simulated.name}_options`] : [])]);
    return aggregateSentiment(
      stored
        .filter((r) => !optionsSources.has(r.source))
        .map((r) => ({
          source: r.source,
          ts: r.sourceTs,
          score: r.score,
          confidence: r.confidence,
          mentions: r.mentions,
        })),
      asOf,
      aggregation,
    );
  };

  const knownSource = (source: string): boolean =>
    (SOURCE_NAMES as readonly string[]).includes(source) ||
    (options.simulated !== undefined && source === options.simulated.name);

  const hoursParam = (hours: number): number => {
    if (!Number.isFinite(hours) || hours < 1 || hours > 720)
      throw new DomainError('validation_error', 'hours must be a number between 1 and 720', [
        { path: 'hours', message: 'hours must be a number between 1 and 720' },
      ]);
    return hours;
  };

  return {
    readings$: readings$.asObservable(),
    optionsFlow$: optionsFlow$.asObservable(),
    earnings$: earnings$.asObservable(),
    track: (symbols) => {
      const added = symbols.filter((s) => !tracked.has(s));
      tracked.clear();
      for (const s of symbols) tracked.add(s);
      options.simulated?.track(symbols);
      if (running && added.length > 0)
        void replay(added).catch((err: unknown) => logger.error({ err }, 'replaying stored sentiment failed'));
    },
    start: () => {
      if (running) return;
      running = true;
      if (options.simulated) {
        simulatedSub = options.simulated.readings$.subscribe(({ channel, reading }) => {
          simulatedStats.readings++;
          simulatedStats.last = reading.sourceTs;
          void persist([reading], channel).catch((err: unknown) =>
            logger.error({ err }, 'storing a simulated reading failed'),
          );
        });
        options.simulated.start();
      }
      void replay([...tracked])
        .catch((err: unknown) => logger.error({ err }, 'replaying stored sentiment failed'))
        .finally(() => {
          if (running) startTimers();
        });
    },
    stop: async () => {
      running = false;
      for (const rt of runtimes.values()) {
        if (rt.timer) clearInterval(rt.timer);
        rt.timer = undefined;
      }
      if (pruneTimer) clearInterval(pruneTimer);
      options.simulated?.stop();
      simulatedSub?.unsubscribe();
      await Promise.allSettled([...runtimes.values()].map((rt) => rt.inFlight));
      await Promise.allSettled([...pendingWrites]);
      readings$.complete();
      optionsFlow$.complete();
      earnings$.complete();
    },
    pollOnce,
    sourceReadings: async (source, rawSymbol, hours) => {
      const symbol = parseSymbol(rawSymbol);
      const h = hoursParam(hours);
      if (!knownSource(source))
        throw new DomainError('not_found', `unknown sentiment source '${source}'; known: ${SOURCE_NAMES.join(', ')}`);
      const to = engineNow();
      const stored = await lastValueFrom(
        store.sentimentReadings({ symbol, fromTs: to - h * HOUR, toTs: to, sources: [source] }),
      );
      return stored.map(view).reverse();
    },
    aggregated: async (rawSymbol) => {
      const symbol = parseSymbol(rawSymbol);
      const agg = await aggregatedAt(symbol, engineNow());
      return {
        symbol,
        as_of: iso(agg.asOf),
        score: agg.score,
        confidence: agg.confidence,
        level: agg.level,
        source_count: agg.sourceCount,
        mentions: agg.mentions,
        divergence: agg.divergence,
        divergent: agg.divergent,
        sources: agg.sources.map((x) => ({
          source: x.source,
          score: x.score,
          confidence: x.confidence,
          weight: x.weight,
          effective_weight: x.effectiveWeight,
          readings: x.readings,
          mentions: x.mentions,
          latest: iso(x.latestTs),
        })),
      };
    },
    optionsFlow: async (rawSymbol, hours) => {
      const symbol = parseSymbol(rawSymbol);
      const h = hoursParam(hours);
      const to = engineNow();
      const sources = ['options', ...(options.simulated ? [`${options.simulated.name}_options`] : [])];
      const stored = await lastValueFrom(store.sentimentReadings({ symbol, fromTs: to - h * HOUR, toTs: to, sources }));
      const rt = runtimes.get('options');
      const a = rt?.entry.provider.availability() ?? { available: false, reason: 'not built in this configuration' };
      const history = stored.map(view).reverse();
      return {
        symbol,
        available: a.available || history.length > 0,
        reason: a.available ? null : a.reason,
        latest: history[0] ?? null,
        history,
      };
    },
    status: () => ({
      sources: [
        ...[...SOURCE_NAMES].map((name): SourceStatus => {
          const rt = runtimes.get(name);
          if (!rt)
            return {
              source: name,
              available: false,
              reason: options.missingReason ?? 'not built in this configuration',
              poll_interval_seconds: null,
              last_success: null,
              last_reading: null,
              readings_total: 0,
              errors_total: 0,
              last_error: null,
              rate_limit: null,
            };
          const a = rt.entry.provider.availability();
          const limit = rt.entry.baseUrl === undefined ? null : http.limitState(rt.entry.baseUrl);
          return {
            source: name,
            available: a.available,
            reason: a.available ? null : a.reason,
            poll_interval_seconds: rt.entry.provider.intervalMs / 1000,
            last_success: rt.lastSuccess === null ? null : iso(rt.lastSuccess),
            last_reading: rt.lastReading === null ? null : iso(rt.lastReading),
            readings_total: rt.readingsTotal,
            errors_total: rt.errorsTotal,
            last_error: rt.lastError === null ? null : { ...rt.lastError, at: iso(rt.lastError.at) },
            rate_limit:
              limit === null
                ? null
                : { ...limit, paused_until: limit.pausedUntil === null ? null : iso(limit.pausedUntil) },
          };
        }),
        ...(options.simulated
          ? [
              {
                source: options.simulated.name,
                available: running,
                reason: running ? null : 'not started',
                poll_interval_seconds: null,
                last_success: simulatedStats.last === null ? null : iso(simulatedStats.last),
                last_reading: simulatedStats.last === null ? null : iso(simulatedStats.last),
                readings_total: simulatedStats.readings,
                errors_total: 0,
                last_error: null,
                rate_limit: null,
              },
            ]
          : []),
      ],
      tracked_symbols: [...tracked].sort(),
      aggregation: {
        half_life_hours: aggregation.halfLifeMs / HOUR,
        min_confidence: aggregation.minConfidence,
        divergence_threshold: aggregation.divergenceThreshold,
        max_age_hours: aggregation.maxAgeMs / HOUR,
        weights: aggregation.weights,
      },
    }),
  };
}
