import type { z } from 'zod';
import { booleanVar, numberVar } from '../../config/env-fields.js';
import { EDGAR_ENV, type EdgarSettings } from './edgar.js';

/** SEC EDGAR filings (8-K items, periodic reports, late filings, offerings, activist stakes). */
export const SEC_FILINGS_ENV = {
  SEC_FILINGS_ENABLED: booleanVar('true'),
  SEC_FILINGS_POLL_INTERVAL: numberVar('900', { min: 1 }),
  ...EDGAR_ENV,
};

export interface SecFilingsConfig extends EdgarSettings {
  readonly enabled: boolean;
  readonly intervalMs: number;
}

export const secFilingsConfig = (e: z.output<z.ZodObject<typeof SEC_FILINGS_ENV>>): SecFilingsConfig => ({
  enabled: e.SEC_FILINGS_ENABLED,
  baseUrl: e.SEC_FILINGS_BASE_URL,
  archivesBaseUrl: e.SEC_ARCHIVES_BASE_URL,
  intervalMs: e.SEC_FILINGS_POLL_INTERVAL * 1000,
  userAgent: e.SEC_USER_AGENT,
});
