import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { TIMEFRAMES, type Timeframe } from '../../engine/messages/market.js';
import { strategyRegistry } from '../../engine/strategies/strategy-registry.js';
import type { ConfigIssue } from './config-error.js';
import { optional, parseEntries, parseSymbol, required, requiredList } from './env-fields.js';

/** A strategy to add at first start, in the body shape the engine's `addStrategy` takes. */
export interface SeedStrategy {
  readonly strategy_type: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
}

function parseSeedStrategy(entry: string): SeedStrategy | undefined {
  const [type, symbol, timeframe, ...rest] = entry.split(':').map((part) => part.trim());
  if (type === undefined || symbol === undefined || timeframe === undefined || rest.length > 0) return undefined;
  const parsedSymbol = parseSymbol(symbol);
  if (strategyRegistry.get(type) === undefined || parsedSymbol === undefined) return undefined;
  if (!(TIMEFRAMES as readonly string[]).includes(timeframe)) return undefined;
  return { strategy_type: type, symbol: parsedSymbol, timeframe: timeframe as Timeframe };
}

/**
 * `type:SYMBOL:timeframe,...`. Unlike other variables an empty value means "no strategies" (unset
 * means the default). Two entries with the same type and symbol are refused because the engine
 * names a strategy `<type>_<SYMBOL>` and the second would conflict.
 */
export function tradingStrategiesVar(fallback: string) {
  const types = strategyRegistry
    .types()
    .map((t) => t.type)
    .join(', ');
  const what = `type:SYMBOL:timeframe with type one of ${types} and timeframe one of ${TIMEFRAMES.join(', ')}`;
  return z
    .string()
    .optional()
    .transform((input, ctx): readonly SeedStrategy[] => {
      const raw = input ?? fallback;
      const parsed = parseEntries(raw, what, parseSeedStrategy, (s) => `${s.strategy_type}_${s.symbol}`);
      if (parsed.ok) return parsed.value;
      ctx.issues.push({ code: 'custom', message: parsed.reason, input });
      return z.NEVER;
    });
}

function parseOrigin(entry: string): string | undefined {
  if (!URL.canParse(entry)) return undefined;
  const url = new URL(entry);
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
  return (url.protocol === 'http:' || url.protocol === 'https:') && bare ? url.origin : undefined;
}

/** Comma-separated browser origins allowed by CORS; none by default. `*` is refused on purpose. */
export function corsOriginsVar() {
  return requiredList('', (raw) =>
    parseEntries(raw, 'an http(s) origin such as http://localhost:3000', parseOrigin, (o) => o),
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is refused). */
export function dateVar(fallback: string) {
  return required('a valid date YYYY-MM-DD', fallback, (raw) => {
    const match = ISO_DATE.exec(raw);
    if (!match) return undefined;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    return valid ? raw : undefined;
  });
}

export function hostVar(fallback: string) {
  return required('a host name or IP address', fallback, (raw) => (/^[^\s/]+$/.test(raw) ? raw : undefined));
}

/**
 * An IBKR account code (U1234567 live, DU1234567 paper, ...), uppercased. Unset means the first
 * account the gateway manages; set it when one login manages several accounts, so orders and
 * reports cannot land on the wrong one.
 */
export function ibkrAccountVar() {
  return optional('an IBKR account code of letters and digits, e.g. DU1234567', (raw) =>
    /^[A-Za-z0-9]{1,32}$/.test(raw) ? raw.toUpperCase() : undefined,
  );
}

/** True for the addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === '::1' || lower === '[::1]') return true;
  return isIPv4(lower) && lower.startsWith('127.');
}

/**
 * The API places orders, so it may listen beyond loopback only behind a bearer token
 * (SPEC.md section 10). Returns the issue to report, if any.
 */
export function apiExposureIssue(host: string, token: string | undefined): ConfigIssue | undefined {
  if (isLoopbackHost(host) || token !== undefined) return undefined;
  return {
    variable: 'API_HOST',
    message:
      `'${host}' is not a loopback address (127.0.0.0/8, ::1, localhost), so API_TOKEN must be set: ` +
      'without it anyone who can reach the port could place orders',
  };
}
