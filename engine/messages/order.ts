import type { Side } from './signal.js';

export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type OrderStatus =
  'created' | 'submitted' | 'accepted' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'failed';

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
