import type { Side } from '../../engine/messages/signal.js';
import type { FillFields, OrderStatus } from '../../engine/messages/order.js';

/**
 * The adapter's vendor-free views of IB Gateway state, validated at the edge (`ibkr-parse.ts`):
 * what reconciliation and the broker's event mapping work from. Quantities are whole shares,
 * prices finite and > 0.
 */

/** An order as IB Gateway reports it (OPEN_ORDER + ORDER_STATUS, or COMPLETED_ORDER). */
export interface BrokerOrderView {
  readonly orderId: number;
  readonly permId: number;
  /** Our clientOrderId (or a bracket leg's ref); '' for orders placed elsewhere. */
  readonly orderRef: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  /** IBKR's status word: PreSubmitted, Submitted, Filled, Cancelled, Inactive ... */
  readonly status: string;
  readonly filled: number;
  readonly source: 'open' | 'completed';
  /** Completed status text or warning text IBKR gave. */
  readonly text: string;
}

/** One execution (EXECUTION_DATA), with its commission when the COMMISSION_REPORT is known. */
export interface ExecutionView {
  readonly execId: string;
  readonly orderId: number;
  readonly permId: number;
  readonly orderRef: string;
  readonly symbol: string;
  readonly side: Side;
  readonly shares: number;
  readonly price: number;
  /** Shares filled on the order so far, this execution included. */
  readonly cumQty: number;
  /** Execution time, epoch ms. */
  readonly ts: number;
  readonly commission: number | undefined;
}

/** A position as IBKR reports it (signed quantity). */
export interface PositionView {
  readonly account: string;
  readonly symbol: string;
  readonly quantity: number;
  readonly avgCost: number;
}

/** How far this process got in handing an order to the gateway. */
export type Handover =
  /** Never passed to `submit` in this process (e.g. persisted before a crash). */
  | 'none'
  /** `submit` failed before anything was written: certainly not sent. */
  | 'not_sent'
  /** Written on the current connection: the gateway has it or will answer for it. */
  | 'current'
  /** Written on an earlier connection that dropped: the outcome is unknown. */
  | 'previous';

/** One of our orders that the database holds as not terminal, plus what this process knows about it. */
export interface LedgerOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly status: OrderStatus;
  readonly filledQuantity: number;
  readonly handover: Handover;
}

/** A fill whose commission may still be unknown (the COMMISSION_REPORT follows the execution). */
export type FillDraft = Omit<FillFields, 'commission'> & {
  readonly kind: 'order.filled' | 'order.partially_filled';
  readonly commission: number | undefined;
};
