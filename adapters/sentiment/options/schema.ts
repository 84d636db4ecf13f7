import { z } from 'zod';

/**
 * Unusual Whales `GET /api/option-trades/flow-alerts` (operation
 * PublicApi.OptionTradeController.flow_alerts, https://api.unusualwhales.com/docs): `{ data: [...] }`,
 * one entry per alert. Money and ratios are sent as decimal strings ("186705"), counts as numbers;
 * both spellings are accepted.
 */

/** A finite number sent as a JSON number or a decimal string. */
const decimal = z.union([z.number(), z.string().trim().min(1)]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isFinite(n)) return n;
  ctx.issues.push({ code: 'custom', message: `expected a number, got '${String(value)}'`, input: value });
  return z.NEVER;
});

/** ISO-8601 UTC time ("2023-12-12T16:35:52.168490Z") as epoch ms. */
const isoTime = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isFinite(ms)) return ms;
  ctx.issues.push({ code: 'custom', message: `expected an ISO timestamp, got '${value}'`, input: value });
  return z.NEVER;
});

export const FlowAlertSchema = z.object({
  ticker: z.string(),
  type: z.enum(['call', 'put']),
  created_at: isoTime,
  total_premium: decimal,
  /** Premium traded at or above the ask (buyer-initiated); absent in older payloads. */
  total_ask_side_prem: decimal.nullish(),
  /** Premium traded at or below the bid (seller-initiated). */
  total_bid_side_prem: decimal.nullish(),
  alert_rule: z.string().optional(),
  option_chain: z.string().optional(),
  has_sweep: z.boolean().optional(),
});
export type FlowAlert = z.output<typeof FlowAlertSchema>;

export const FlowAlertsResponseSchema = z.object({ data: z.array(FlowAlertSchema) });
