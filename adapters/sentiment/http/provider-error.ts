/**
 * Why a provider request failed. Bounded (it is a metric label): `auth` 401/403, `rate_limited` 429
 * (or our own limiter refusing to wait that long), `http` any other non-2xx, `timeout`, `network`
 * (connection refused, reset, DNS), `malformed` (not the JSON/XML/text the API sends), `schema` (valid
 * JSON of the wrong shape: the API changed), `config` (the provider cannot run as configured).
 */
export type ProviderErrorKind =
  'auth' | 'rate_limited' | 'http' | 'timeout' | 'network' | 'malformed' | 'schema' | 'config';

export const PROVIDER_ERROR_KINDS: readonly ProviderErrorKind[] = [
  'auth',
  'rate_limited',
  'http',
  'timeout',
  'network',
  'malformed',
  'schema',
  'config',
];

export interface ProviderErrorDetails {
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** From `Retry-After` (or the limiter): how long until the host may be asked again. */
  readonly retryAfterMs?: number;
  /** The URL without its query string (keys travel in queries; they are never logged). */
  readonly url?: string;
}

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: ProviderErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any failure as a ProviderError (a provider bug surfaces as `malformed`, with the original as cause). */
export const asProviderError = (err: unknown): ProviderError =>
  err instanceof ProviderError
    ? err
    : new ProviderError('malformed', err instanceof Error ? err.message : String(err), {}, { cause: err });

/** `https://host/path?key=secret` -> `https://host/path`: safe to log and to show in the status endpoint. */
export const redactUrl = (url: string): string => {
  if (!URL.canParse(url)) return '<invalid url>';
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};
