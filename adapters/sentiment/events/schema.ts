import { z } from 'zod';

/*
 * Shapes as documented (extra fields are allowed; the fields we use are checked):
 * - Finnhub `GET /calendar/earnings?from=&to=&symbol=` (https://finnhub.io/docs/api/earnings-calendar)
 * - Finnhub `GET /stock/earnings?symbol=` (https://finnhub.io/docs/api/company-earnings)
 */

/** Not yet reported, or not known, is null. */
const figure = z.number().nullable();

export const FinnhubEarningsCalendarEntrySchema = z.object({
  /** Report date, `YYYY-MM-DD`. */
  date: z.iso.date(),
  epsActual: figure,
  epsEstimate: figure,
  /** `bmo` (before market open), `amc` (after market close), `dmh` (during market hours); often '' when unknown. */
  hour: z.string().nullable(),
  quarter: z.number().int(),
  revenueActual: figure.optional(),
  revenueEstimate: figure.optional(),
  symbol: z.string(),
  year: z.number().int(),
});
export type FinnhubEarningsCalendarEntry = z.output<typeof FinnhubEarningsCalendarEntrySchema>;

export const FinnhubEarningsCalendarSchema = z.object({
  earningsCalendar: z.array(FinnhubEarningsCalendarEntrySchema),
});

export const FinnhubEarningsSurpriseSchema = z.object({
  actual: figure,
  estimate: figure,
  /** Fiscal quarter end, `YYYY-MM-DD` (not the report date). */
  period: z.iso.date(),
  quarter: z.number().int(),
  surprise: figure,
  surprisePercent: figure,
  symbol: z.string(),
  year: z.number().int(),
});
export type FinnhubEarningsSurprise = z.output<typeof FinnhubEarningsSurpriseSchema>;

export const FinnhubEarningsSurprisesSchema = z.array(FinnhubEarningsSurpriseSchema);
