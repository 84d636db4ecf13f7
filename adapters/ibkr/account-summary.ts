import { type BrokerAccountReported, BrokerAccountReportedSchema } from '../../engine/messages/broker-account.js';
import type { RawAccountValue } from './ibkr-session.js';

/** The account-summary tags the bot reads (REQ_ACCOUNT_SUMMARY). */
export const ACCOUNT_SUMMARY_TAGS = [
  'AccountType',
  'NetLiquidation',
  'TotalCashValue',
  'SettledCash',
  'AvailableFunds',
  'BuyingPower',
  'DayTradesRemaining',
  'GrossPositionValue',
  'InitMarginReq',
  'MaintMarginReq',
  'ExcessLiquidity',
  'EquityWithLoanValue',
] as const;

/**
 * One IBKR account's summary in the API's words (snake_case, ready for JSON). A value IBKR did not
 * send, or sent as something other than a finite number, is null. `day_trades_remaining` is -1 when
 * IBKR reports no limit.
 */
export type IbkrAccountSummary = {
  readonly account_id: string;
  readonly account_type: string | null;
  readonly currency: string | null;
  readonly net_liquidation: number | null;
  readonly total_cash_value: number | null;
  readonly settled_cash: number | null;
  readonly available_funds: number | null;
  readonly buying_power: number | null;
  readonly day_trades_remaining: number | null;
  readonly gross_position_value: number | null;
  readonly init_margin_req: number | null;
  readonly maint_margin_req: number | null;
  readonly excess_liquidity: number | null;
  readonly equity_with_loan_value: number | null;
  /** When it was read (epoch ms, ISO). */
  readonly updated_at: string;
};

const FIELD: Readonly<Record<string, keyof IbkrAccountSummary>> = {
  NetLiquidation: 'net_liquidation',
  TotalCashValue: 'total_cash_value',
  SettledCash: 'settled_cash',
  AvailableFunds: 'available_funds',
  BuyingPower: 'buying_power',
  DayTradesRemaining: 'day_trades_remaining',
  GrossPositionValue: 'gross_position_value',
  InitMarginReq: 'init_margin_req',
  MaintMarginReq: 'maint_margin_req',
  ExcessLiquidity: 'excess_liquidity',
  EquityWithLoanValue: 'equity_with_loan_value',
};

const numberOf = (text: string): number | null => {
  if (!/^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
};

/**
 * Summaries per account from REQ_ACCOUNT_SUMMARY rows (values in the base currency, tag `...-S`
 * segment variants ignored). `account` picks one; otherwise the first account reported.
 */
export const summariseAccount = (
  rows: readonly RawAccountValue[],
  readAt: number,
  account?: string,
): IbkrAccountSummary | undefined => {
  const chosen = account ?? rows[0]?.account;
  if (chosen === undefined) return undefined;
  const mine = rows.filter((r) => r.account === chosen);
  if (mine.length === 0) return undefined;
  const summary: Record<string, unknown> = {
    account_id: chosen,
    account_type: null,
    currency: null,
    ...Object.fromEntries(Object.values(FIELD).map((k) => [k, null])),
    updated_at: new Date(readAt).toISOString(),
  };
  for (const row of mine) {
    if (row.tag === 'AccountType') summary['account_type'] = row.value || null;
    const key = FIELD[row.tag];
    if (key === undefined) continue;
    summary[key] = numberOf(row.value);
    if (row.currency && summary['currency'] === null) summary['currency'] = row.currency;
  }
  return summary as unknown as IbkrAccountSummary;
};

/**
 * The engine's `broker.account_reported` from a summary: IBKR's `DayTradesRemaining` and
 * `SettledCash` for risk. A figure that is not what IBKR documents (say, a fractional day-trade
 * count) fails the whole report with every problem named, rather than being guessed at: risk then
 * keeps deciding with its local ledgers.
 */
export const brokerAccountReport = (
  summary: IbkrAccountSummary,
):
  { readonly ok: true; readonly report: BrokerAccountReported } | { readonly ok: false; readonly problems: string } => {
  const parsed = BrokerAccountReportedSchema.safeParse({
    kind: 'broker.account_reported',
    ts: Date.parse(summary.updated_at),
    accountId: summary.account_id,
    dayTradesRemaining: summary.day_trades_remaining,
    settledCash: summary.settled_cash,
  });
  if (parsed.success) return { ok: true, report: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(report)'}: ${i.message}`).join('; '),
  };
};
