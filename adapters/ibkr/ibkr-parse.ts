import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Contract, Execution, Order, OrderState } from '@stoqey/ib';
import type { Bar, Timeframe } from '../../engine/messages/market.js';
import type { BrokerOrderView, ExecutionView, PositionView } from './ibkr-views.js';
import { engineSymbol } from './order-mapping.js';

/**
 * The edge between @stoqey/ib's decoded messages and the adapter: every value is checked here, so
 * no NaN, Infinity, negative price or fractional share count gets further. Each parser returns the
 * view or a reason it was dropped.
 */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const price = z.number().positive();
const shares = z.number().int().nonnegative();
const id = z.number().int();

const sideOf = (action: string | undefined): 'BUY' | 'SELL' | undefined => {
  const a = (action ?? '').toUpperCase();
  if (a === 'BUY' || a === 'BOT') return 'BUY';
  if (a === 'SELL' || a === 'SLD' || a === 'SSHORT') return 'SELL';
  return undefined;
};

const fail = (what: string, err: z.ZodError): Parsed<never> => ({
  ok: false,
  reason: `${what}: ${err.issues.map((i) => `${i.path.join('.') || '(value)'} ${i.message}`).join('; ')}`,
});

const IB_ZONES: Readonly<Record<string, string>> = {
  EST: 'America/New_York',
  EDT: 'America/New_York',
  'US/Eastern': 'America/New_York',
  'US/Central': 'America/Chicago',
  'US/Pacific': 'America/Los_Angeles',
  MET: 'Europe/Berlin',
  GMT: 'UTC',
  UTC: 'UTC',
};

/**
 * An IBKR time string as epoch ms: `yyyyMMdd HH:mm:ss <zone>` (zone optional: then `defaultZone`),
 * `yyyyMMdd-HH:mm:ss` (UTC, as executions and filters use it), `yyyyMMdd` (a day, at midnight in
 * `defaultZone`) or epoch seconds. Undefined when it is none of these.
 */
export const parseIbTime = (text: string, defaultZone = 'America/New_York'): number | undefined => {
  const t = text.trim();
  if (/^\d{9,10}$/.test(t)) return Number(t) * 1000;
  const legacy = /^(\d{8})-(\d{2}:\d{2}:\d{2})$/.exec(t);
  if (legacy) {
    const dt = DateTime.fromFormat(`${legacy[1]} ${legacy[2]}`, 'yyyyMMdd HH:mm:ss', { zone: 'UTC' });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  const full = /^(\d{8})\s+(\d{2}:\d{2}:\d{2})(?:\s+(\S+))?$/.exec(t);
  if (full) {
    const zone = full[3] === undefined ? defaultZone : (IB_ZONES[full[3]] ?? full[3]);
    const dt = DateTime.fromFormat(`${full[1]} ${full[2]}`, 'yyyyMMdd HH:mm:ss', { zone });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  if (/^\d{8}$/.test(t)) {
    const dt = DateTime.fromFormat(t, 'yyyyMMdd', { zone: defaultZone });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  return undefined;
};

/** `yyyyMMdd-HH:mm:ss` in UTC, the form IBKR takes in an execution filter. */
export const formatIbUtc = (ts: number): string =>
  DateTime.fromMillis(ts, { zone: 'UTC' }).toFormat('yyyyMMdd-HH:mm:ss');

const OrderViewSchema = z.object({
  orderId: id,
  permId: id.nonnegative(),
  orderRef: z.string(),
  symbol: z.string().min(1),
  side: z.enum(['BUY', 'SELL']),
  quantity: shares,
  status: z.string(),
  filled: shares,
  source: z.enum(['open', 'completed']),
  text: z.string(),
});

/** An OPEN_ORDER or COMPLETED_ORDER as a view (`filled` from the status message or the order). */
export const parseOrder = (
  source: 'open' | 'completed',
  orderId: number | undefined,
  contract: Contract,
  order: Order,
  state: OrderState,
  filled?: number,
): Parsed<BrokerOrderView> => {
  const parsed = OrderViewSchema.safeParse({
    orderId: orderId ?? order.orderId ?? 0,
    permId: order.permId ?? 0,
    orderRef: order.orderRef ?? '',
    symbol: engineSymbol(contract.symbol ?? ''),
    side: sideOf(order.action),
    quantity: order.totalQuantity,
    status: String(state.status ?? ''),
    filled: filled ?? order.filledQuantity ?? 0,
    source,
    text: state.completedStatus ?? state.warningText ?? '',
  });
  return parsed.success ? { ok: true, value: parsed.data } : fail(`${source} order ${orderId ?? '?'}`, parsed.error);
};

/** An ORDER_STATUS message. */
export interface OrderStatusView {
  readonly orderId: number;
  readonly status: string;
  readonly filled: number;
  readonly remaining: number;
  readonly avgFillPrice: number;
  readonly permId: number;
}

const OrderStatusSchema = z.object({
  orderId: id,
  status: z.string(),
  filled: shares,
  remaining: shares,
  avgFillPrice: z.number().nonnegative(),
  permId: id.nonnegative(),
});

export const parseOrderStatus = (
  orderId: number,
  status: string,
  filled: number,
  remaining: number,
  avgFillPrice: number,
  permId: number | undefined,
): Parsed<OrderStatusView> => {
  const parsed = OrderStatusSchema.safeParse({ orderId, status, filled, remaining, avgFillPrice, permId: permId ?? 0 });
  return parsed.success ? { ok: true, value: parsed.data } : fail(`order status ${orderId}`, parsed.error);
};

const ExecutionSchema = z.object({
  execId: z.string().min(1),
  orderId: id,
  permId: id.nonnegative(),
  orderRef: z.string(),
  symbol: z.string().min(1),
  side: z.enum(['BUY', 'SELL']),
  shares: shares.positive(),
  price,
  cumQty: shares.positive(),
  ts: z.number().int().nonnegative(),
  commission: z.number().nonnegative().optional(),
});

/** An EXECUTION_DATA message; `fallbackTs` when IBKR's time text cannot be read. */
export const parseExecution = (
  contract: Contract,
  execution: Execution,
  fallbackTs: number,
  commission: number | undefined,
): Parsed<ExecutionView> => {
  const parsed = ExecutionSchema.safeParse({
    execId: execution.execId ?? '',
    orderId: execution.orderId ?? 0,
    permId: execution.permId ?? 0,
    orderRef: execution.orderRef ?? '',
    symbol: engineSymbol(contract.symbol ?? ''),
    side: sideOf(execution.side),
    shares: execution.shares,
    price: execution.price,
    cumQty: execution.cumQty,
    ts: parseIbTime(execution.time ?? '', 'UTC') ?? fallbackTs,
    ...(commission === undefined ? {} : { commission }),
  });
  if (!parsed.success) return fail(`execution ${execution.execId ?? '?'}`, parsed.error);
  return { ok: true, value: { ...parsed.data, commission: parsed.data.commission } };
};

/** A COMMISSION_REPORT's commission (undefined or Double.MAX become undefined; negative is refused). */
export const parseCommission = (commission: number | undefined): number | undefined =>
  commission !== undefined && Number.isFinite(commission) && commission >= 0 && commission < 1e300
    ? commission
    : undefined;

const PositionSchema = z.object({
  account: z.string(),
  symbol: z.string().min(1),
  quantity: z.number().int(),
  avgCost: z.number().nonnegative(),
});

/** A POSITION message (stocks only: other security types are dropped). */
export const parsePosition = (
  account: string,
  contract: Contract,
  quantity: number,
  avgCost: number | undefined,
): Parsed<PositionView> => {
  if (contract.secType !== undefined && String(contract.secType) !== 'STK')
    return { ok: false, reason: `position in ${String(contract.secType)} ${contract.symbol ?? ''} is not a stock` };
  const parsed = PositionSchema.safeParse({
    account,
    symbol: engineSymbol(contract.symbol ?? ''),
    quantity,
    avgCost: avgCost ?? 0,
  });
  return parsed.success ? { ok: true, value: parsed.data } : fail(`position ${contract.symbol ?? '?'}`, parsed.error);
};

const BarSchema = z
  .object({
    kind: z.literal('bar'),
    symbol: z.string().min(1),
    ts: z.number().int().nonnegative(),
    timeframe: z.enum(['1m', '5m', '15m', '1h', '1d']),
    open: price,
    high: price,
    low: price,
    close: price,
    volume: z.number().nonnegative(),
  })
  .refine((b) => b.high >= b.low && b.high >= Math.max(b.open, b.close) && b.low <= Math.min(b.open, b.close), {
    message: 'high/low must bound open and close',
  });

/** A bar from IBKR's numbers: finite, positive prices, high >= open/close >= low, volume >= 0 (IBKR's -1 = unknown becomes 0). */
export const parseBar = (
  symbol: string,
  ts: number | undefined,
  timeframe: Timeframe,
  ohlcv: {
    readonly open: number;
    readonly high: number;
    readonly low: number;
    readonly close: number;
    readonly volume: number;
  },
): Parsed<Bar> => {
  const parsed = BarSchema.safeParse({
    kind: 'bar',
    symbol,
    ts,
    timeframe,
    ...ohlcv,
    volume: ohlcv.volume === -1 ? 0 : ohlcv.volume,
  });
  return parsed.success ? { ok: true, value: parsed.data } : fail(`${timeframe} bar ${symbol}`, parsed.error);
};
