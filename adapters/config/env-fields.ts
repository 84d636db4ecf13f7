import { z } from 'zod';
import { SYMBOL_PATTERN } from '../../engine/messages/symbol.js';

/**
 * Builders for one environment variable each. Every builder trims the raw value, treats an empty
 * string as unset, and on a bad value reports `expected <what>, got '<raw>'` so the ConfigError
 * names the variable (the issue path) and says what would have been accepted.
 * Defaults are given as raw strings and go through the same parser, so a default can never be a
 * value the parser would refuse.
 */

/** Parses a trimmed, non-empty raw value; returns undefined when the value is not acceptable. */
type Parse<T> = (raw: string) => T | undefined;

/** A parser whose failure message depends on the value (e.g. which list entry was bad). */
type ParseWithReason<T> = (raw: string) => { ok: true; value: T } | { ok: false; reason: string };

const present = (input: string | undefined): string | undefined => {
  const trimmed = input?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
};

const quote = (raw: string): string => `'${raw}'`;

function detailed<T>(fallback: string | undefined, parse: ParseWithReason<T>) {
  return z
    .string()
    .optional()
    .transform((input, ctx): T | undefined => {
      const raw = present(input) ?? fallback;
      if (raw === undefined) return undefined;
      const result = parse(raw);
      if (result.ok) return result.value;
      ctx.issues.push({ code: 'custom', message: result.reason, input });
      return z.NEVER;
    });
}

const simple =
  <T>(expected: string, parse: Parse<T>): ParseWithReason<T> =>
  (raw) => {
    const value = parse(raw);
    return value === undefined ? { ok: false, reason: `expected ${expected}, got ${quote(raw)}` } : { ok: true, value };
  };

/** A variable that always has a value (its default when unset). */
export function required<T>(expected: string, fallback: string, parse: Parse<T>) {
  return detailed(fallback, simple(expected, parse)).transform((value) => value as T);
}

/** A variable that may stay unset (undefined). */
export function optional<T>(expected: string, parse: Parse<T>) {
  return detailed(undefined, simple(expected, parse));
}

/** A list variable whose message names the bad entry rather than the whole value. */
export function requiredList<T>(fallback: string, parse: ParseWithReason<T>) {
  return detailed(fallback, parse).transform((value) => value as T);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  /** When true, `min` itself is refused (e.g. intervals must be > 0). */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

/** "a number between 0 and 1", "an integer >= 1", "a number > 0" ... */
function describeNumber(range: NumberRange): string {
  const kind = range.integer ? 'an integer' : 'a number';
  const { min, max } = range;
  if (min !== undefined && max !== undefined && !range.minExclusive) return `${kind} between ${min} and ${max}`;
  const bounds = [
    min === undefined ? undefined : `${range.minExclusive ? '>' : '>='} ${min}`,
    max === undefined ? undefined : `<= ${max}`,
  ].filter((b) => b !== undefined);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

function parseNumber(range: NumberRange): Parse<number> {
  return (raw) => {
    if (!(range.integer ? INTEGER : DECIMAL).test(raw)) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || (range.integer && !Number.isSafeInteger(value))) return undefined;
    if (range.min !== undefined && (range.minExclusive ? value <= range.min : value < range.min)) return undefined;
    if (range.max !== undefined && value > range.max) return undefined;
    return value;
  };
}

export function numberVar(fallback: string, range: NumberRange) {
  return required(describeNumber(range), fallback, parseNumber(range));
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

export function booleanVar(fallback: 'true' | 'false') {
  return required('a boolean (true/false, 1/0, yes/no)', fallback, (raw) => {
    const lower = raw.toLowerCase();
    return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
  });
}

export function enumVar<const T extends readonly string[]>(values: T, fallback: T[number]) {
  return required(`one of ${values.join(', ')}`, fallback, (raw) =>
    (values as readonly string[]).includes(raw) ? (raw as T[number]) : undefined,
  );
}

export function stringVar(fallback: string) {
  return required('a non-empty string', fallback, (raw) => raw);
}

/** Free text that may stay unset; it has no format check, so no message ever quotes a secret. */
export function optionalStringVar() {
  return optional('a non-empty string', (raw) => raw);
}

/** Trimmed and uppercased; undefined when it does not look like a US-equity ticker. */
export function parseSymbol(raw: string): string | undefined {
  const symbol = raw.trim().toUpperCase();
  return SYMBOL_PATTERN.test(symbol) ? symbol : undefined;
}

/** Comma-separated entries; blank entries (a trailing comma) are ignored. */
const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

/** Entries parsed one by one; the message names the first bad or duplicated entry. */
export function parseEntries<T>(
  raw: string,
  what: string,
  parseEntry: Parse<T>,
  keyOf: (value: T) => string,
): ReturnType<ParseWithReason<readonly T[]>> {
  const seen = new Set<string>();
  const values: T[] = [];
  for (const entry of splitList(raw)) {
    const value = parseEntry(entry);
    if (value === undefined) return { ok: false, reason: `expected ${what}, got ${quote(entry)}` };
    if (seen.has(keyOf(value))) return { ok: false, reason: `duplicate entry ${quote(entry)}` };
    seen.add(keyOf(value));
    values.push(value);
  }
  return { ok: true, value: values };
}

export function symbolListVar(fallback: string) {
  const what = 'comma-separated ticker symbols (letters, digits and dots, starting with a letter, at most 10)';
  return requiredList(fallback, (raw) => {
    const parsed = parseEntries(raw, what, parseSymbol, (s) => s);
    if (parsed.ok && parsed.value.length === 0) return { ok: false, reason: `expected at least one symbol` };
    return parsed;
  });
}

/** An http(s) base URL; the trailing slash is dropped so `${base}/path` never doubles it. */
export function urlVar(fallback: string) {
  return required('an http:// or https:// URL', fallback, (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? raw.replace(/\/+$/, '') : undefined;
  });
}

/** Comma-separated free-text entries (no format check per entry); blank entries are ignored. */
export function stringListVar(fallback: string) {
  return requiredList<readonly string[]>(fallback, (raw) => ({ ok: true, value: splitList(raw) }));
}
