import type { z } from 'zod';
import { booleanVar, numberVar, optionalStringVar, urlVar } from '../../config/env-fields.js';

/**
 * Options flow: IBKR generic ticks on the stock (option volume, open interest, implied volatility;
 * live mode only) and, when `UW_API_KEY` is set, Unusual Whales flow alerts (`OPTIONS_BASE_URL`).
 */
export const OPTIONS_ENV = {
  OPTIONS_ENABLED: booleanVar('true'),
  OPTIONS_BASE_URL: urlVar('https://api.unusualwhales.com'),
  OPTIONS_POLL_INTERVAL: numberVar('300', { min: 1 }),
  UW_API_KEY: optionalStringVar(),
  OPTIONS_IV_JUMP: numberVar('0.15', { min: 0, minExclusive: true, max: 10 }),
  OPTIONS_MAX_LINES: numberVar('20', { min: 1, max: 1000, integer: true }),
};

export interface OptionsConfig {
  readonly enabled: boolean;
  /** Unusual Whales API, `https://api.unusualwhales.com`. */
  readonly baseUrl: string;
  readonly intervalMs: number;
  /** Unusual Whales API token; without it only IBKR ticks are used. */
  readonly uwApiKey: string | undefined;
  /** Relative IV rise since the previous reading that counts as a jump (0.15 = +15 %). */
  readonly ivJump: number;
  /** IBKR market-data lines the option-tick requests may hold at once (shared with quotes and bars). */
  readonly maxLines: number;
}

export const optionsConfig = (e: z.output<z.ZodObject<typeof OPTIONS_ENV>>): OptionsConfig => ({
  enabled: e.OPTIONS_ENABLED,
  baseUrl: e.OPTIONS_BASE_URL,
  intervalMs: e.OPTIONS_POLL_INTERVAL * 1000,
  uwApiKey: e.UW_API_KEY,
  ivJump: e.OPTIONS_IV_JUMP,
  maxLines: e.OPTIONS_MAX_LINES,
});
