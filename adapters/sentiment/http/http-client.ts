import type { z } from 'zod';
import type { SourceName } from '../provider.js';
import { ProviderError, redactUrl } from './provider-error.js';
import { type HostLimit, type HostLimitState, RateLimiter } from './rate-limiter.js';

/** Identifies the bot to APIs that ask for it (Reddit and EDGAR need their own; providers pass it). */
export const DEFAULT_USER_AGENT = 'ibkr-trading-bot/0.1 (sentiment; +https://github.com/ibkr-trading-bot)';

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Counts for `provider_requests_total` (errors are counted per failed fetch by the poller). */
export interface HttpObserver {
  /** `status`: the HTTP status code, or `timeout` / `network` when there was no response. */
  request(provider: SourceName, status: string): void;
}

export interface HttpClientOptions {
  readonly limiter?: RateLimiter;
  readonly observer?: HttpObserver;
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Attempts after the first, for 429, 5xx, timeouts and network errors. */
  readonly maxRetries?: number;
  /** First backoff for 5xx/timeouts/network (doubled each retry), and for a 429 without Retry-After. */
  readonly backoffMs?: number;
  /** A 429 asking us to wait longer than this fails at once (`rate_limited`) and pauses the host instead. */
  readonly maxRetryWaitMs?: number;
  /** Responses larger than this are refused (`malformed`). */
  readonly maxBytes?: number;
  readonly userAgent?: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Every provider's HTTP: one rate limiter per host, a timeout per attempt, bounded retries with
 * backoff (honouring `Retry-After` on 429), and every JSON response validated with zod. Errors are
 * `ProviderError`s whose messages never contain the query string (where API keys travel).
 */
export interface HttpClient {
  /** GET (or POST) `url`, parse JSON, validate with `schema`. */
  json<S extends z.ZodType>(
    provider: SourceName,
    url: string,
    schema: S,
    options?: RequestOptions,
  ): Promise<z.output<S>>;
  /** The body as text (RSS, XML, pipe-delimited files). */
  text(provider: SourceName, url: string, options?: RequestOptions): Promise<string>;
  /** Declares the limit of the host of `url` (see RateLimiter.declare). */
  declareLimit(url: string, limit: HostLimit): void;
  /** Limiter state of the host of `url`. */
  limitState(url: string): HostLimitState;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const hostOf = (url: string): string => {
  if (!URL.canParse(url)) throw new ProviderError('config', `invalid URL '${redactUrl(url)}'`);
  return new URL(url).host;
};

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | null, now: number): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${path}: ${issue.message}`;
};

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const limiter = options.limiter ?? new RateLimiter({ now, sleep });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 2;
  const backoffMs = options.backoffMs ?? 1_000;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  const doFetch = options.fetch ?? fetch;
  const observer = options.observer;

  /** One attempt: a response with a 2xx status and its body, or a ProviderError saying whether to retry. */
  const attempt = async (
    provider: SourceName,
    url: string,
    host: string,
    req: RequestOptions,
  ): Promise<{ ok: true; body: string } | { ok: false; error: ProviderError; retryInMs?: number }> => {
    await limiter.acquire(host);
    const safeUrl = redactUrl(url);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: req.method ?? 'GET',
        headers: { 'User-Agent': options.userAgent ?? DEFAULT_USER_AGENT, ...req.headers },
        ...(req.body === undefined ? {} : { body: req.body }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      observer?.request(provider, timedOut ? 'timeout' : 'network');
      const error = timedOut
        ? new ProviderError('timeout', `${safeUrl}: no response within ${timeoutMs} ms`, { url: safeUrl })
        : new ProviderError(
            'network',
            `${safeUrl}: ${err instanceof Error ? err.message : String(err)}`,
            { url: safeUrl },
            { cause: err },
          );
      return { ok: false, error, retryInMs: backoffMs };
    }
    observer?.request(provider, String(response.status));
    let body: string;
    try {
      body = await response.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return {
        ok: false,
        error: new ProviderError(timedOut ? 'timeout' : 'network', `${safeUrl}: the response body was cut off`, {
          url: safeUrl,
          status: response.status,
        }),
        retryInMs: backoffMs,
      };
    }
    if (body.length > maxBytes)
      return {
        ok: false,
        error: new ProviderError('malformed', `${safeUrl}: response larger than ${maxBytes} bytes`, { url: safeUrl }),
      };
    if (response.ok) return { ok: true, body };
    const status = response.status;
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      const error = new ProviderError('rate_limited', `${safeUrl}: 429 Too Many Requests`, {
        url: safeUrl,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      return { ok: false, error, retryInMs: retryAfterMs ?? backoffMs };
    }
    if (status === 401 || status === 403)
      return {
        ok: false,
        error: new ProviderError('auth', `${safeUrl}: ${status} (check the API key or credentials)`, {
          url: safeUrl,
          status,
        }),
      };
    const error = new ProviderError('http', `${safeUrl}: HTTP ${status}`, { url: safeUrl, status });
    return status >= 500 ? { ok: false, error, retryInMs: backoffMs } : { ok: false, error };
  };

  const request = async (provider: SourceName, url: string, req: RequestOptions = {}): Promise<string> => {
    const host = hostOf(url);
    let backoff = 0;
    for (let tries = 0; ; tries++) {
      const result = await attempt(provider, url, host, req);
      if (result.ok) return result.body;
      const { error, retryInMs } = result;
      if (retryInMs === undefined || tries >= maxRetries) {
        if (error.kind === 'rate_limited') limiter.pause(host, now() + (error.details.retryAfterMs ?? backoffMs));
        throw error;
      }
      // Exponential for 5xx/timeouts; a 429's Retry-After is taken as given.
      const wait = error.kind === 'rate_limited' ? retryInMs : Math.max(retryInMs, backoff * 2);
      if (wait > maxRetryWaitMs) {
        limiter.pause(host, now() + wait);
        throw new ProviderError(error.kind, `${error.message}; retry in ${Math.ceil(wait / 1000)} s`, {
          ...error.details,
          retryAfterMs: wait,
        });
      }
      backoff = wait;
      if (error.kind === 'rate_limited') limiter.pause(host, now() + wait);
      else await sleep(wait);
    }
  };

  return {
    text: (provider, url, req) => request(provider, url, req),
    json: async (provider, url, schema, req) => {
      const body = await request(provider, url, {
        ...req,
        headers: { Accept: 'application/json', ...req?.headers },
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new ProviderError('malformed', `${redactUrl(url)}: the response is not JSON`, { url: redactUrl(url) });
      }
      const result = schema.safeParse(parsed);
      if (!result.success)
        throw new ProviderError('schema', `${redactUrl(url)}: unexpected response (${describeIssue(result.error)})`, {
          url: redactUrl(url),
        });
      return result.data;
    },
    declareLimit: (url, limit) => limiter.declare(hostOf(url), limit),
    limitState: (url) => limiter.state(hostOf(url)),
  };
}
