import { DateTime } from 'luxon';
import {
  previousTradingDay,
  sessionDateOf,
  tradingDayAtOrBefore,
  tradingDaysWindow,
} from '../../../engine/calendar/nyse-calendar.js';
import { SYMBOL_PATTERN } from '../../../engine/messages/symbol.js';
import { ProviderError, asProviderError, redactUrl } from '../http/provider-error.js';
import { clampScore, clampUnit } from '../provider.js';
import type { ProviderDeps, ProviderReading, SentimentProvider } from '../provider.js';
import type { DarkPoolConfig } from './config.js';
import {
  SHORT_VOLUME_COLUMNS,
  ShortVolumeHeaderSchema,
  ShortVolumeRowSchema,
  StoredDarkPoolDetailSchema,
  TRAILER_PATTERN,
  type ShortVolumeColumn,
} from './schema.js';

const NYSE_ZONE = 'America/New_York';
/** FINRA posts each day's files "no later than 6:00:00 pm ET" of the trade date. */
const PUBLICATION_TIME = { hour: 18, minute: 0, second: 0, millisecond: 0 } as const;
/** Trading days tried backwards for the newest file before concluding that something is wrong. */
export const MAX_LOOKBACK_DAYS = 5;
/** Symbols whose rows are kept from each file; the oldest-registered is dropped beyond this. */
const MAX_TRACKED_SYMBOLS = 500;
/** A 403/404 for a recent date is asked again after this (the file may still be on its way). */
const MISSING_RETRY_MS = 15 * 60_000;
/** Below this many baseline days the norm is too thin to score against. */
export const MIN_BASELINE_DAYS = 5;
/** Floor of the ratio's standard deviation, so a near-constant history cannot blow up the z-score. */
const MIN_RATIO_STD = 0.01;
/** The ceiling of this source's confidence: the direction of the signal is itself uncertain. */
export const MAX_CONFIDENCE = 0.5;
/** Below this many shares a day's ratio is noisy; confidence shrinks in proportion. */
const FULL_CONFIDENCE_VOLUME = 100_000;
/** FINRA documents no limit for its CDN; this stays polite while a baseline backfill runs. */
const CDN_LIMIT = { requests: 5, perMs: 1000 } as const;

/** A tracked symbol's row of one daily file. */
export interface DailyShortVolume {
  readonly shortVolume: number;
  readonly shortExemptVolume: number;
  readonly totalVolume: number;
  readonly market: string;
}

/** `https://cdn.finra.org/equity/regsho/daily/CNMSshvol20260306.txt` for 2026-03-06 (consolidated NMS file). */
export const shortVolumeFileUrl = (baseUrl: string, date: string): string =>
  `${baseUrl}/equity/regsho/daily/CNMSshvol${date.replaceAll('-', '')}.txt`;

/** 18:00 New York time on `date` ('YYYY-MM-DD'): when FINRA has published that day's file. */
export const publicationTs = (date: string): number =>
  DateTime.fromISO(date, { zone: NYSE_ZONE }).set(PUBLICATION_TIME).toMillis();

/**
 * The trading days whose file may exist at `now`, newest first: those whose 18:00 ET publication
 * time has passed (a file is never used before it is due, so `sourceTs` never lies in the future).
 */
export const candidateDates = (now: number, count = MAX_LOOKBACK_DAYS): readonly string[] => {
  let newest = tradingDayAtOrBefore(sessionDateOf(now));
  if (publicationTs(newest) > now) newest = previousTradingDay(newest);
  return [...tradingDaysWindow(newest, count)].reverse();
};

/**
 * Parses one daily short volume file and keeps the rows of the symbols `keep` accepts (the whole
 * file is ~10 000 symbols; only tracked ones are worth memory). Every row must have the header's
 * column count and the file's date; kept rows are validated in full. Not pipe-delimited text or a
 * trailer count that disagrees with the rows (a cut-off download) is `malformed`; a renamed column
 * or a bad value is `schema`. Several rows for one symbol are summed.
 */
export const parseShortVolumeFile = (
  text: string,
  date: string,
  keep: (symbol: string) => boolean,
  url = '',
): ReadonlyMap<string, DailyShortVolume> => {
  const where = url === '' ? `Reg SHO file of ${date}` : redactUrl(url);
  const malformed = (why: string): ProviderError => new ProviderError('malformed', `${where}: ${why}`, { url: where });
  const schema = (why: string): ProviderError => new ProviderError('schema', `${where}: ${why}`, { url: where });

  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const headerLine = lines[0];
  if (headerLine === undefined) throw malformed('empty file');
  const header = headerLine.split('|').map((name) => name.trim());
  if (header.length < 2) throw malformed('not a pipe-delimited short volume file');
  const headerCheck = ShortVolumeHeaderSchema.safeParse(header);
  if (!headerCheck.success) throw schema(`unexpected header (${headerCheck.error.issues[0]?.message ?? 'bad'})`);
  const index = Object.fromEntries(SHORT_VOLUME_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<
    ShortVolumeColumn,
    number
  >;

  const last = lines.length > 1 ? (lines[lines.length - 1] ?? '').trim() : '';
  const trailer = TRAILER_PATTERN.test(last) ? Number(last) : undefined;
  const dataEnd = trailer === undefined ? lines.length : lines.length - 1;
  const compactDate = date.replaceAll('-', '');
  const rows = new Map<string, DailyShortVolume>();
  for (let i = 1; i < dataEnd; i++) {
    const fields = (lines[i] ?? '').split('|');
    if (fields.length !== header.length)
      throw malformed(`line ${i + 1} has ${fields.length} fields, the header ${header.length}`);
    const field = (column: ShortVolumeColumn): string => (fields[index[column]] ?? '').trim();
    if (field('Date') !== compactDate) throw schema(`line ${i + 1} is dated '${field('Date')}'`);
    const symbol = field('Symbol').toUpperCase();
    if (!keep(symbol)) continue;
    const parsed = ShortVolumeRowSchema.safeParse(Object.fromEntries(SHORT_VOLUME_COLUMNS.map((c) => [c, field(c)])));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw schema(`line ${i + 1} (${symbol}): ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
    }
    const row = parsed.data;
    const before = rows.get(symbol);
    rows.set(symbol, {
      shortVolume: row.ShortVolume + (before?.shortVolume ?? 0),
      shortExemptVolume: row.ShortExemptVolume + (before?.shortExemptVolume ?? 0),
      totalVolume: row.TotalVolume + (before?.totalVolume ?? 0),
      market: before === undefined ? row.Market : `${before.market};${row.Market}`,
    });
  }
  if (trailer !== undefined && trailer !== dataEnd - 1)
    throw malformed(`the trailer counts ${trailer} records but the file has ${dataEnd - 1} (cut off?)`);
  return rows;
};

/** ShortVolume / TotalVolume, or undefined when nothing traded. */
export const shortRatio = (row: DailyShortVolume): number | undefined =>
  row.totalVolume > 0 ? Math.min(1, row.shortVolume / row.totalVolume) : undefined;

/** Mean and sample standard deviation of the baseline ratios. */
export interface RatioNorm {
  readonly mean: number;
  readonly std: number;
  readonly days: number;
}

export const ratioNorm = (ratios: readonly number[]): RatioNorm | undefined => {
  const n = ratios.length;
  if (n < 2) return undefined;
  const mean = ratios.reduce((s, r) => s + r, 0) / n;
  const variance = ratios.reduce((s, r) => s + (r - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), days: n };
};

export interface ShortRatioScore {
  readonly score: number;
  readonly confidence: number;
  /** Undefined when the baseline is too short to compare against. */
  readonly z: number | undefined;
}

/**
 * Scores a day's off-exchange short ratio against the symbol's own norm.
 *
 * Direction: a ratio above the norm is read as BULLISH, following SqueezeMetrics' "Short Is Long"
 * (the DIX): most off-exchange short volume is market makers selling short to fill customers'
 * buy orders, so a higher short share of dark volume reflects buying demand. That finding is about
 * the index aggregate; for single stocks the evidence is mixed (short selling in general, e.g.
 * informed institutional shorts, predicts lower returns), so the sign is a considered bet, not a
 * settled fact. Hence the confidence is capped at `MAX_CONFIDENCE` (0.5) and shrinks with a short
 * baseline (days / baselineDays) and a thin day (total volume below 100 000 shares).
 *
 * score = tanh(z / 2), z = (ratio - mean) / max(std, 0.01): z = 1 gives 0.46, z = 2 gives 0.76.
 * Fewer than `MIN_BASELINE_DAYS` baseline days: score 0, confidence 0.
 */
export const scoreShortRatio = (
  ratio: number,
  norm: RatioNorm | undefined,
  baselineDays: number,
  totalVolume: number,
): ShortRatioScore => {
  if (norm === undefined || norm.days < MIN_BASELINE_DAYS) return { score: 0, confidence: 0, z: undefined };
  const z = (ratio - norm.mean) / Math.max(norm.std, MIN_RATIO_STD);
  const coverage = Math.min(1, norm.days / baselineDays);
  const volumeFactor = Math.min(1, totalVolume / FULL_CONFIDENCE_VOLUME);
  return {
    score: clampScore(Math.tanh(z / 2)),
    confidence: clampUnit(MAX_CONFIDENCE * coverage * volumeFactor),
    z,
  };
};

const round = (x: number, digits = 6): number => Number(x.toFixed(digits));

/** A day's file as cached: rows of the symbols registered up to `version` when it was downloaded. */
interface DayEntry {
  readonly version: number;
  readonly rows: ReadonlyMap<string, DailyShortVolume>;
}

interface Missing {
  readonly until: number;
  readonly status: number | undefined;
}

const isNotPublished = (err: unknown): err is ProviderError =>
  err instanceof ProviderError && (err.details.status === 403 || err.details.status === 404);

/**
 * FINRA's consolidated (CNMS) daily short sale volume: off-exchange (TRF/ADF) short volume per
 * symbol, one file per trading day for every symbol. Each poll finds the newest published file
 * (latest NYSE trading days backwards; a 403/404 means "not published yet"), compares the symbol's
 * ShortVolume / TotalVolume with its own mean and spread over the previous `baselineDays` trading
 * days (earlier readings' `detail.short_ratio` first, older files otherwise, fetched once), and
 * scores the z-score (see `scoreShortRatio`). A file is downloaded once per day for every tracked
 * symbol; only tracked symbols' rows are kept. `sourceTs` is the trade date at 18:00 New York,
 * FINRA's publication deadline. A date already reported gives no new reading.
 */
export const createDarkPoolProvider = (config: DarkPoolConfig, deps: ProviderDeps): SentimentProvider => {
  deps.http.declareLimit(config.baseUrl, CDN_LIMIT);
  const maxCachedDays = config.baselineDays + MAX_LOOKBACK_DAYS + 1;

  /** Tracked symbol -> the registration version; a day entry covers symbols registered by its version. */
  const registered = new Map<string, number>();
  let version = 0;
  const days = new Map<string, DayEntry>();
  const missing = new Map<string, Missing>();
  const inflight = new Map<string, Promise<DayEntry | undefined>>();
  /** Symbols whose baseline was already backfilled from older files in this process. */
  const backfilled = new Set<string>();
  /** Symbol -> the newest date a reading was returned for. */
  const reported = new Map<string, string>();

  const register = (symbol: string): void => {
    if (registered.has(symbol)) return;
    if (registered.size >= MAX_TRACKED_SYMBOLS) {
      const oldest = registered.keys().next().value;
      if (oldest !== undefined) {
        registered.delete(oldest);
        backfilled.delete(oldest);
        reported.delete(oldest);
      }
    }
    version += 1;
    registered.set(symbol, version);
  };
  for (const symbol of config.trackedSymbols ?? []) register(symbol.trim().toUpperCase());

  const covers = (entry: DayEntry, symbol: string): boolean => {
    const since = registered.get(symbol);
    return since !== undefined && since <= entry.version;
  };

  /** Keeps the newest `limit` dates of a date-keyed map (ISO dates sort as strings). */
  const trim = <V>(map: Map<string, V>, limit: number): void => {
    if (map.size <= limit) return;
    const excess = [...map.keys()].sort().slice(0, map.size - limit);
    for (const date of excess) map.delete(date);
  };

  const download = async (date: string, newestKnown: string | undefined): Promise<DayEntry | undefined> => {
    const url = shortVolumeFileUrl(config.baseUrl, date);
    let text: string;
    try {
      text = await deps.http.text('dark_pool', url);
    } catch (err) {
      if (!isNotPublished(err)) throw err;
      // A date older than a published one will not appear later; a recent one may.
      const final = newestKnown !== undefined && date < newestKnown;
      missing.set(date, { until: final ? Infinity : deps.now() + MISSING_RETRY_MS, status: err.details.status });
      trim(missing, 2 * maxCachedDays);
      return undefined;
    }
    // Symbols registered while the file was on its way are kept too (parsing is synchronous).
    const entry: DayEntry = { version, rows: parseShortVolumeFile(text, date, (s) => registered.has(s), url) };
    days.set(date, entry);
    missing.delete(date);
    trim(days, maxCachedDays);
    return entry;
  };

  /** The day's entry covering `symbol`, downloading it when needed; undefined when not published. */
  const ensureDay = async (date: string, symbol: string): Promise<DayEntry | undefined> => {
    for (;;) {
      const cached = days.get(date);
      if (cached !== undefined && covers(cached, symbol)) return cached;
      const gone = missing.get(date);
      if (gone !== undefined && deps.now() < gone.until) return undefined;
      const pending = inflight.get(date);
      if (pending !== undefined) {
        // Another symbol's download of this date: wait for it, then check whether it covers us.
        const entry = await pending;
        if (entry === undefined || covers(entry, symbol)) return entry;
        continue;
      }
      const newestKnown = [...days.keys()].sort().at(-1);
      const started = download(date, newestKnown).finally(() => {
        if (inflight.get(date) === started) inflight.delete(date);
      });
      inflight.set(date, started);
      return started;
    }
  };

  const findNewest = async (symbol: string): Promise<{ date: string; entry: DayEntry }> => {
    const dates = candidateDates(deps.now());
    for (const date of dates) {
      const entry = await ensureDay(date, symbol);
      if (entry !== undefined) return { date, entry };
    }
    const forbidden = dates.some((d) => missing.get(d)?.status === 403);
    throw new ProviderError(
      forbidden ? 'auth' : 'http',
      `no FINRA short volume file for any of the last ${dates.length} trading days (${dates.at(-1)}..${dates[0]})` +
        (forbidden ? '; 403 may mean the CDN refuses our User-Agent' : ''),
      { url: redactUrl(`${config.baseUrl}/equity/regsho/daily/`), status: forbidden ? 403 : 404 },
    );
  };

  /** Baseline ratios by date: stored readings first, then cached files, then (once) older files. */
  const baselineRatios = async (symbol: string, newest: string): Promise<readonly number[]> => {
    const dates = tradingDaysWindow(previousTradingDay(newest), config.baselineDays);
    const first = dates[0];
    if (first === undefined) return [];
    const wanted = new Set(dates);
    const ratios = new Map<string, number>();
    const stored = await deps.history.readings(
      symbol,
      DateTime.fromISO(first, { zone: NYSE_ZONE }).toMillis(),
      publicationTs(newest) - 1,
      ['dark_pool'],
    );
    for (const reading of stored) {
      const detail = StoredDarkPoolDetailSchema.safeParse(reading.detail);
      if (detail.success && wanted.has(detail.data.date)) ratios.set(detail.data.date, detail.data.short_ratio);
    }
    /** Dates known to have no usable row for the symbol (not traded), so not worth fetching. */
    const settled = new Set<string>(ratios.keys());
    const fromEntry = (date: string, entry: DayEntry | undefined): void => {
      if (entry === undefined || !covers(entry, symbol)) return;
      settled.add(date);
      const row = entry.rows.get(symbol);
      const ratio = row === undefined ? undefined : shortRatio(row);
      if (ratio !== undefined) ratios.set(date, ratio);
    };
    for (const date of dates) fromEntry(date, days.get(date));

    if (ratios.size < config.baselineDays && !backfilled.has(symbol)) {
      const gaps = dates.filter((d) => !settled.has(d));
      const entries = await Promise.all(gaps.map((d) => ensureDay(d, symbol)));
      gaps.forEach((d, i) => fromEntry(d, entries[i]));
      backfilled.add(symbol);
    }
    return dates.flatMap((d) => {
      const ratio = ratios.get(d);
      return ratio === undefined ? [] : [ratio];
    });
  };

  const fetchSymbol = async (raw: string): Promise<readonly ProviderReading[]> => {
    const symbol = raw.trim().toUpperCase();
    if (!SYMBOL_PATTERN.test(symbol)) throw new ProviderError('config', `dark_pool: '${raw}' is not a ticker symbol`);
    register(symbol);
    const { date, entry } = await findNewest(symbol);
    if (reported.get(symbol) === date) return [];
    const row = entry.rows.get(symbol);
    const ratio = row === undefined ? undefined : shortRatio(row);
    if (row === undefined || ratio === undefined) return [];
    const baseline = await baselineRatios(symbol, date);
    const norm = ratioNorm(baseline);
    const scored = scoreShortRatio(ratio, norm, config.baselineDays, row.totalVolume);
    reported.set(symbol, date);
    return [
      {
        source: 'dark_pool',
        symbol,
        score: scored.score,
        confidence: scored.confidence,
        mentions: 1,
        sourceTs: publicationTs(date),
        detail: {
          date,
          short_ratio: round(ratio),
          short_volume: row.shortVolume,
          short_exempt_volume: row.shortExemptVolume,
          total_volume: row.totalVolume,
          market: row.market,
          baseline_days: baseline.length,
          ...(norm === undefined ? {} : { baseline_mean: round(norm.mean), baseline_std: round(norm.std) }),
          ...(scored.z === undefined ? { reason: 'baseline_short' } : { z: round(scored.z, 4) }),
        },
      },
    ];
  };

  return {
    name: 'dark_pool',
    intervalMs: config.intervalMs,
    availability: () =>
      config.enabled ? { available: true } : { available: false, reason: 'disabled (DARK_POOL_ENABLED=false)' },
    fetch: async (symbol) => {
      try {
        return await fetchSymbol(symbol);
      } catch (err) {
        throw asProviderError(err);
      }
    },
  };
};
