import { z } from 'zod';
import type { Side } from './signal.js';

export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];
export const ORDER_STATUSES = [
  'created',
  'submitted',
  'accepted',
  'partially_filled',
  'filled',
  'cancelled',
  'rejected',
  'failed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = ['filled', 'cancelled', 'rejected', 'failed'];

/**
 * Command: send this order. `clientOrderId` (UUID) is written to the database before the order is
 * sent and travels to the broker (IBKR `orderRef`), so after a crash or reconnect the order is matched,
 * never sent twice. Quantity is a whole number of shares > 0.
 */
export interface OrderIntent {
  readonly kind: 'order.submit';
  readonly ts: number;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  /** Why the order exists: `enter` opens a position, `exit` reduces or closes it. */
  readonly purpose: 'enter' | 'exit';
  readonly strategyId: string;
  readonly reason: string;
  /** Protective levels of an entry, carried onto the position it opens (exits are checked against them). */
  readonly stopLoss?: number;
  readonly takeProfit?: number;
}

const positivePrice = (name: string) =>
  z.number({ error: `${name} must be a finite number > 0` }).positive(`${name} must be a finite number > 0`);

/**
 * An order intent as it may cross an edge (to the database, to a broker): whole quantity > 0, prices
 * finite and > 0, and the prices its type needs (limit for limit and stop_limit, stop for stop and
 * stop_limit).
 */
export const OrderIntentSchema = z
  .object({
    kind: z.literal('order.submit'),
    ts: z.number({ error: 'ts must be finite epoch ms' }).int().nonnegative(),
    clientOrderId: z.string().min(1, 'clientOrderId must be a non-empty string'),
    accountId: z.string().min(1, 'accountId must be a non-empty string'),
    symbol: z.string().min(1, 'symbol must be a non-empty string'),
    side: z.enum(['BUY', 'SELL'], { error: 'side must be BUY or SELL' }),
    quantity: z
      .number({ error: 'quantity must be a whole number of shares > 0' })
      .int('quantity must be a whole number of shares > 0')
      .positive('quantity must be a whole number of shares > 0')
      .max(Number.MAX_SAFE_INTEGER),
    type: z.enum(ORDER_TYPES, { error: 'type must be market, limit, stop or stop_limit' }),
    limitPrice: positivePrice('limitPrice').optional(),
    stopPrice: positivePrice('stopPrice').optional(),
    purpose: z.enum(['enter', 'exit'], { error: 'purpose must be enter or exit' }),
    strategyId: z.string(),
    reason: z.string(),
    stopLoss: positivePrice('stopLoss').optional(),
    takeProfit: positivePrice('takeProfit').optional(),
  })
  .superRefine((order, ctx) => {
    const needsLimit = order.type === 'limit' || order.type === 'stop_limit';
    const needsStop = order.type === 'stop' || order.type === 'stop_limit';
    if (needsLimit && order.limitPrice === undefined)
      ctx.addIssue({ code: 'custom', path: ['limitPrice'], message: `a ${order.type} order needs a limitPrice` });
    if (needsStop && order.stopPrice === undefined)
      ctx.addIssue({ code: 'custom', path: ['stopPrice'], message: `a ${order.type} order needs a stopPrice` });
  });

interface OrderEventBase {
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
}

/** The broker acknowledged the order. */
export interface OrderAccepted extends OrderEventBase {
  readonly kind: 'order.accepted';
  readonly brokerOrderId: string;
}

/** One execution. `execId` is unique per execution, so a replayed fill is recognised and applied once. */
export interface FillFields extends OrderEventBase {
  readonly execId: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly commission: number;
  /** Shares filled so far on this order, including this fill. */
  readonly cumulativeQuantity: number;
  /** Shares still open on this order after this fill. */
  readonly remaining: number;
}
export interface OrderPartiallyFilled extends FillFields {
  readonly kind: 'order.partially_filled';
}
export interface OrderFilled extends FillFields {
  readonly kind: 'order.filled';
}
export interface OrderCancelled extends OrderEventBase {
  readonly kind: 'order.cancelled';
  readonly reason: string;
}
export interface OrderRejected extends OrderEventBase {
  readonly kind: 'order.rejected';
  /** Broker's code (IBKR error code, e.g. 201) or a local one. */
  readonly code: string;
  readonly text: string;
}

/** What a broker reports about our orders. */
export type BrokerEvent = OrderAccepted | OrderPartiallyFilled | OrderFilled | OrderCancelled | OrderRejected;
export type FillEvent = OrderPartiallyFilled | OrderFilled;

export const isFill = (e: { readonly kind: string }): e is FillEvent =>
  e.kind === 'order.filled' || e.kind === 'order.partially_filled';

/** The execution sink persisted the intent and handed the order to the broker. */
export interface OrderPlaced {
  readonly kind: 'order.placed';
  readonly ts: number;
  readonly order: OrderIntent;
}

/** The execution sink could not persist or hand over the order; it was not sent (stage persist) or its fate is unknown (stage send). */
export interface OrderFailed extends OrderEventBase {
  readonly kind: 'order.failed';
  readonly stage: 'persist' | 'send';
  readonly error: string;
}

/** An order as the store keeps it (also used to resume open orders after a restart). */
export interface OrderRecord {
  readonly intent: OrderIntent;
  readonly status: OrderStatus;
  readonly filledQuantity: number;
  readonly avgFillPrice: number;
  readonly brokerOrderId?: string;
  readonly updatedTs: number;
}
