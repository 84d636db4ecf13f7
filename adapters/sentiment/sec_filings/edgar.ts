import { DateTime } from 'luxon';
import { optionalStringVar, urlVar } from '../../config/env-fields.js';
import type { HttpClient } from '../http/http-client.js';
import { ProviderError } from '../http/provider-error.js';
import type { HostLimit } from '../http/rate-limiter.js';
import type { Availability, ProviderDeps, ReadingHistory, SourceName } from '../provider.js';
import { CompanyTickersSchema, type RecentFilings, SubmissionsSchema } from './schema.js';

/**
 * What the two EDGAR providers (sec_filings, insider_trading) share: the User-Agent rule, the rate
 * limit, ticker -> CIK, the submissions feed and the archive URLs. EDGAR has no key, but refuses
 * (403, "Request Rate Threshold Exceeded") clients that do not declare who they are.
 */

export const SEC_USER_AGENT_VAR = 'SEC_USER_AGENT';

/** Variables both EDGAR providers read (spread into each provider's env object). */
export const EDGAR_ENV = {
  /** `Company-or-name contact@example.com`; required by EDGAR, so there is no default. */
  SEC_USER_AGENT: optionalStringVar(),
  SEC_FILINGS_BASE_URL: urlVar('https://data.sec.gov'),
  SEC_ARCHIVES_BASE_URL: urlVar('https://www.sec.gov'),
};

export interface EdgarSettings {
  /** `https://data.sec.gov`: the submissions JSON. */
  readonly baseUrl: string;
  /** `https://www.sec.gov`: the ticker file and the filing documents. */
  readonly archivesBaseUrl: string;
  readonly userAgent: string | undefined;
}

/**
 * EDGAR allows 10 requests per second per user, across all its hosts and all our providers. The
 * limiter keeps one bucket per host, so each of the two hosts gets half: the two together can never
 * exceed 10/s (the limiter is shared, so both providers draw from the same two buckets).
 */
export const EDGAR_HOST_LIMIT: HostLimit = { requests: 5, perMs: 1000 };

export const declareEdgarLimits = (http: HttpClient, settings: EdgarSettings): void => {
  http.declareLimit(settings.baseUrl, EDGAR_HOST_LIMIT);
  http.declareLimit(settings.archivesBaseUrl, EDGAR_HOST_LIMIT);
};

/** Unavailable when disabled, or when the User-Agent EDGAR requires is missing or has no contact email. */
export const edgarAvailability = (
  enabled: boolean,
  enabledVar: string,
  userAgent: string | undefined,
): Availability => {
  if (!enabled) return { available: false, reason: `disabled (${enabledVar}=false)` };
  if (userAgent === undefined)
    return {
      available: false,
      reason: `${SEC_USER_AGENT_VAR} is not set: EDGAR requires a declared User-Agent with a contact email, e.g. 'MyBot/1.0 admin@example.com'`,
    };
  if (!/\S+@\S+\.\S+/.test(userAgent))
    return {
      available: false,
      reason: `${SEC_USER_AGENT_VAR} must contain a contact email (EDGAR refuses anonymous clients), e.g. 'MyBot/1.0 admin@example.com'`,
    };
  return { available: true };
};

/** Throws a `config` ProviderError when the provider cannot run. */
export const requireAvailable = (availability: Availability): void => {
  if (!availability.available) throw new ProviderError('config', availability.reason);
};

/** EDGAR spells class shares with a dash: `BRK.B` is `BRK-B` in company_tickers.json. */
export const edgarTicker = (symbol: string): string => symbol.trim().toUpperCase().replaceAll('.', '-');

/** `CIK0000320193`: the 10-digit zero-padded form the submissions API wants. */
export const paddedCik = (cik: number): string => `CIK${String(cik).padStart(10, '0')}`;

/** `{archives}/Archives/edgar/data/{cik}/{accession without dashes}/{document}`. */
export const archiveUrl = (archivesBaseUrl: string, cik: number, accession: string, document: string): string =>
  `${archivesBaseUrl}/Archives/edgar/data/${cik}/${accession.replaceAll('-', '')}/${document
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;

/** One row of `filings.recent`, with the acceptance time resolved to epoch ms. */
export interface Filing {
  readonly accessionNumber: string;
  readonly form: string;
  readonly filingDate: string;
  /** Epoch ms; see `acceptanceTime`. */
  readonly acceptedAt: number;
  readonly primaryDocument: string;
  /** 8-K items (`['2.02', '9.01']`); empty for other forms. */
  readonly items: readonly string[];
}

const NEW_YORK = 'America/New_York';
/** EDGAR accepts filings from 6:00 to 22:00 Eastern; a little slack either side. */
const FIRST_ACCEPTANCE_MINUTE = 5 * 60 + 30;
const LAST_ACCEPTANCE_MINUTE = 22 * 60 + 30;
const plausibleMinute = (minute: number): boolean =>
  minute >= FIRST_ACCEPTANCE_MINUTE && minute <= LAST_ACCEPTANCE_MINUTE;

const ACCEPTANCE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$/;

/**
 * When a filing became public, epoch ms. `acceptanceDateTime` ends in `Z`, but for some filers the
 * clock is New York time with a `Z` appended (e.g. an Apple 10-K "accepted" at 06:01Z, 02:01 in New
 * York, when EDGAR is closed). Reading such a value as UTC would date the filing hours before it was
 * public (look-ahead in a backtest), so: the UTC reading is used only when it is the sole one that
 * falls in EDGAR's acceptance hours; otherwise the New York reading, which is never the earlier of the
 * two. Without a usable time, 22:00 New York on `filingDate` (EDGAR's last acceptance minute) is the
 * latest the filing can have been accepted. Undefined when neither field is usable.
 */
export const acceptanceTime = (raw: string, filingDate: string): number | undefined => {
  const m = ACCEPTANCE.exec(raw.trim());
  if (m) {
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const asUtc = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: 'utc' });
    const asNewYork = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: NEW_YORK });
    if (asUtc.isValid && asNewYork.isValid) {
      const utcInNewYork = asUtc.setZone(NEW_YORK);
      const utcPlausible = plausibleMinute(utcInNewYork.hour * 60 + utcInNewYork.minute);
      const newYorkPlausible = plausibleMinute(hour * 60 + minute);
      return utcPlausible && !newYorkPlausible ? asUtc.toMillis() : asNewYork.toMillis();
    }
  }
  const date = DateTime.fromISO(filingDate, { zone: NEW_YORK });
  return date.isValid ? date.set({ hour: 22 }).toMillis() : undefined;
};

/** The columns as rows, newest first; times after `now` are clamped to it (we have seen the filing). */
export const filingsOf = (recent: RecentFilings, now: number): readonly Filing[] => {
  const rows: Filing[] = [];
  recent.accessionNumber.forEach((accessionNumber, i) => {
    const filingDate = recent.filingDate[i] ?? '';
    const acceptedAt = acceptanceTime(recent.acceptanceDateTime[i] ?? '', filingDate);
    if (acceptedAt === undefined) return;
    const items = (recent.items[i] ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    rows.push({
      accessionNumber,
      form: (recent.form[i] ?? '').trim().toUpperCase(),
      filingDate,
      acceptedAt: Math.min(acceptedAt, now),
      primaryDocument: recent.primaryDocument[i] ?? '',
      items,
    });
  });
  return rows.sort((a, b) => b.acceptedAt - a.acceptedAt);
};

export interface EdgarClient {
  /** The CIK of a symbol, or undefined when EDGAR lists no such ticker (ETFs, funds, foreign lines). */
  cikOf(symbol: string): Promise<number | undefined>;
  /** The company's recent filings, newest first, and its name. */
  submissions(cik: number): Promise<{ readonly name: string; readonly filings: readonly Filing[] }>;
  /** A filing document as text. */
  document(cik: number, accession: string, document: string): Promise<string>;
}

/** company_tickers.json changes rarely and is about 1 MB: fetched at most once a day. */
export const TICKER_CACHE_MS = 24 * 60 * 60 * 1000;

/** EDGAR requests for one provider, with the declared User-Agent on every request. */
export const createEdgarClient = (provider: SourceName, settings: EdgarSettings, deps: ProviderDeps): EdgarClient => {
  let tickers: { readonly fetchedAt: number; readonly ciks: ReadonlyMap<string, number> } | undefined;
  let loading: Promise<ReadonlyMap<string, number>> | undefined;

  const headers = (): Readonly<Record<string, string>> => {
    if (settings.userAgent === undefined)
      throw new ProviderError('config', `${SEC_USER_AGENT_VAR} is not set: EDGAR requires a declared User-Agent`);
    return { 'User-Agent': settings.userAgent };
  };

  const loadTickers = async (): Promise<ReadonlyMap<string, number>> => {
    const url = `${settings.archivesBaseUrl}/files/company_tickers.json`;
    const body = await deps.http.json(provider, url, CompanyTickersSchema, { headers: headers() });
    const ciks = new Map<string, number>();
    // The file is ordered by market value; the first entry of a ticker wins.
    for (const entry of Object.values(body)) {
      const ticker = entry.ticker.toUpperCase();
      if (!ciks.has(ticker)) ciks.set(ticker, entry.cik_str);
    }
    tickers = { fetchedAt: deps.now(), ciks };
    return ciks;
  };

  const tickerMap = (): Promise<ReadonlyMap<string, number>> => {
    if (tickers !== undefined && deps.now() - tickers.fetchedAt < TICKER_CACHE_MS) return Promise.resolve(tickers.ciks);
    // Concurrent fetches for several symbols share one download.
    loading ??= loadTickers().finally(() => {
      loading = undefined;
    });
    return loading;
  };

  return {
    cikOf: async (symbol) => (await tickerMap()).get(edgarTicker(symbol)),
    submissions: async (cik) => {
      const url = `${settings.baseUrl}/submissions/${paddedCik(cik)}.json`;
      const body = await deps.http.json(provider, url, SubmissionsSchema, { headers: headers() });
      return { name: body.name, filings: filingsOf(body.filings.recent, deps.now()) };
    },
    document: async (cik, accession, document) =>
      deps.http.text(provider, archiveUrl(settings.archivesBaseUrl, cik, accession, document), {
        headers: headers(),
      }),
  };
};

/**
 * "No new filing since the last reading, no reading": remembers, per symbol, the `sourceTs` and item
 * count of the last reading returned. After a restart the newest stored reading of the source stands
 * in (its count unknown), so a restart does not repeat a reading.
 */
export interface ReadingGate {
  /** True when a reading with this newest item and item count says something the last one did not. */
  isNew(symbol: string, sourceTs: number, count: number): Promise<boolean>;
  /** Records a reading that was returned. */
  mark(symbol: string, sourceTs: number, count: number): void;
}

export const createReadingGate = (
  source: SourceName,
  history: ReadingHistory,
  now: () => number,
  lookbackMs: number,
): ReadingGate => {
  const last = new Map<string, { readonly ts: number; readonly count: number }>();
  const lastOf = async (symbol: string): Promise<{ readonly ts: number; readonly count: number } | undefined> => {
    const known = last.get(symbol);
    if (known !== undefined) return known;
    try {
      const stored = await history.readings(symbol, now() - lookbackMs, now(), [source]);
      const newest = stored.at(-1);
      if (newest === undefined) return undefined;
      // The stored count is unknown here: only a newer filing makes a new reading after a restart.
      const restored = { ts: newest.sourceTs, count: Number.POSITIVE_INFINITY };
      last.set(symbol, restored);
      return restored;
    } catch {
      // Without history the worst case is one repeated reading, better than none at all.
      return undefined;
    }
  };
  return {
    isNew: async (symbol, sourceTs, count) => {
      const previous = await lastOf(symbol);
      return previous === undefined || sourceTs > previous.ts || (sourceTs === previous.ts && count > previous.count);
    },
    mark: (symbol, sourceTs, count) => {
      last.set(symbol, { ts: sourceTs, count });
    },
  };
};

/** Half-life weight of an item `ageMs` old: 1 when new, 0.5 after one half-life. */
export const halfLifeWeight = (ageMs: number, halfLifeMs: number): number => 0.5 ** (Math.max(0, ageMs) / halfLifeMs);

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Three decimals, for `detail`. */
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;
