import { z } from 'zod';

/** A US-equity ticker as the engine uses it: upper case, a letter then up to 9 letters, digits or dots (AAPL, BRK.B). */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.]{0,9}$/;

export const SYMBOL_MESSAGE =
  'symbol must be a ticker: a letter followed by up to 9 letters, digits or dots (e.g. AAPL, BRK.B)';

/** User input of a symbol: trimmed and upper-cased, then checked against SYMBOL_PATTERN. */
export const SymbolSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'symbol is required' : 'symbol must be a string') })
  .trim()
  .toUpperCase()
  .regex(SYMBOL_PATTERN, { error: SYMBOL_MESSAGE });
