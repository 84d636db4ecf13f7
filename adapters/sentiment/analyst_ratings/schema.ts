import { z } from 'zod';

/*
 * Shapes as documented (extra fields are allowed; the fields we use are checked):
 * - Finnhub `GET /stock/recommendation?symbol=` (https://finnhub.io/docs/api/recommendation-trends):
 *   an array of monthly counts, newest first.
 * - Finnhub `GET /stock/price-target?symbol=` (https://finnhub.io/docs/api/price-target): premium.
 * - FMP `GET /stable/grades-historical?symbol=&limit=`
 *   (https://site.financialmodelingprep.com/developer/docs/stable/historical-grades): monthly counts.
 * - FMP `GET /stable/price-target-consensus?symbol=`
 *   (https://site.financialmodelingprep.com/developer/docs/stable/price-target-consensus).
 */

const count = z.number().int().nonnegative();
/** Price targets are absent or null for symbols without coverage. */
const price = z.number().nullable().optional();

export const FinnhubRecommendationSchema = z.object({
  buy: count,
  hold: count,
  /** Month start, `YYYY-MM-DD`. */
  period: z.iso.date(),
  sell: count,
  strongBuy: count,
  strongSell: count,
  symbol: z.string(),
});
export type FinnhubRecommendation = z.output<typeof FinnhubRecommendationSchema>;
export const FinnhubRecommendationsSchema = z.array(FinnhubRecommendationSchema);

export const FinnhubPriceTargetSchema = z.object({
  lastUpdated: z.string().nullable().optional(),
  numberAnalysts: z.number().int().nullable().optional(),
  symbol: z.string().optional(),
  targetHigh: price,
  targetLow: price,
  targetMean: price,
  targetMedian: price,
});
export type FinnhubPriceTarget = z.output<typeof FinnhubPriceTargetSchema>;

export const FmpGradesHistoricalEntrySchema = z.object({
  symbol: z.string(),
  /** `YYYY-MM-DD`, the month the counts belong to. */
  date: z.iso.date(),
  analystRatingsStrongBuy: count,
  analystRatingsBuy: count,
  analystRatingsHold: count,
  analystRatingsSell: count,
  analystRatingsStrongSell: count,
});
export type FmpGradesHistoricalEntry = z.output<typeof FmpGradesHistoricalEntrySchema>;

export const FmpPriceTargetConsensusEntrySchema = z.object({
  symbol: z.string(),
  targetHigh: price,
  targetLow: price,
  targetConsensus: price,
  targetMedian: price,
});
export type FmpPriceTargetConsensusEntry = z.output<typeof FmpPriceTargetConsensusEntrySchema>;
