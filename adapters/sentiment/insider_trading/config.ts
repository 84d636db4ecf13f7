import type { z } from 'zod';
import { booleanVar, numberVar } from '../../config/env-fields.js';
import { EDGAR_ENV, type EdgarSettings } from '../sec_filings/edgar.js';

/** Form 4 insider trades from SEC EDGAR (shares SEC_USER_AGENT and the EDGAR base URLs with sec_filings). */
export const INSIDER_TRADING_ENV = {
  INSIDER_TRADING_ENABLED: booleanVar('true'),
  INSIDER_TRADING_POLL_INTERVAL: numberVar('1800', { min: 1 }),
  /** `filings.recent` always covers at least a year, hence the cap. */
  INSIDER_TRADING_LOOKBACK_DAYS: numberVar('90', { min: 1, max: 365, integer: true }),
  ...EDGAR_ENV,
};

export interface InsiderTradingConfig extends EdgarSettings {
  readonly enabled: boolean;
  readonly intervalMs: number;
  readonly lookbackDays: number;
}

export const insiderTradingConfig = (e: z.output<z.ZodObject<typeof INSIDER_TRADING_ENV>>): InsiderTradingConfig => ({
  enabled: e.INSIDER_TRADING_ENABLED,
  baseUrl: e.SEC_FILINGS_BASE_URL,
  archivesBaseUrl: e.SEC_ARCHIVES_BASE_URL,
  intervalMs: e.INSIDER_TRADING_POLL_INTERVAL * 1000,
  lookbackDays: e.INSIDER_TRADING_LOOKBACK_DAYS,
  userAgent: e.SEC_USER_AGENT,
});
