import type { EntityManager } from '@mikro-orm/sqlite';
import type {
  FillEvent,
  OrderAccepted,
  OrderCancelled,
  OrderFailed,
  OrderIntent,
  OrderPlaced,
  OrderRejected,
  OrderStatus,
} from '../../engine/messages/order.js';
import { FillEntity } from '../entities/fill.entity.js';
import { OrderEventEntity } from '../entities/order-event.entity.js';
import { OrderEntity, type OrderRow } from '../entities/order.entity.js';
import { nextOrderStatus } from '../order-status.js';

/** Creates the row for a new order intent (status `created`) with its first history entry. */
export const insertOrderIntent = (em: EntityManager, intent: OrderIntent): OrderRow => {
  const row = em.create(OrderEntity, {
    clientOrderId: intent.clientOrderId,
    accountId: intent.accountId,
    symbol: intent.symbol,
    side: intent.side,
    quantity: intent.quantity,
    type: intent.type,
    limitPrice: intent.limitPrice ?? null,
    stopPrice: intent.stopPrice ?? null,
    purpose: intent.purpose,
    strategyId: intent.strategyId,
    reason: intent.reason,
    stopLoss: intent.stopLoss ?? null,
    takeProfit: intent.takeProfit ?? null,
    status: 'created',
    filledQuantity: 0,
    avgFillPrice: 0,
    brokerOrderId: null,
    lastError: null,
    createdTs: intent.ts,
    updatedTs: intent.ts,
  });
  addHistory(em, row, intent.ts, 'created', 'intent saved');
  return row;
};

const addHistory = (em: EntityManager, row: OrderRow, ts: number, status: OrderStatus, detail: string): void => {
  em.create(OrderEventEntity, { clientOrderId: row.clientOrderId, ts, status, detail });
};

/** Applies a reported status (never moving backwards) and appends it to the order's history. */
const report = (em: EntityManager, row: OrderRow, ts: number, status: OrderStatus, detail: string): void => {
  row.status = nextOrderStatus(row.status, status);
  row.updatedTs = Math.max(row.updatedTs, ts);
  addHistory(em, row, ts, status, detail);
};

const findOrder = (em: EntityManager, clientOrderId: string): Promise<OrderRow | null> =>
  em.findOne(OrderEntity, { clientOrderId });

export const projectOrderPlaced = async (em: EntityManager, event: OrderPlaced): Promise<void> => {
  const row = (await findOrder(em, event.order.clientOrderId)) ?? insertOrderIntent(em, event.order);
  report(em, row, event.ts, 'submitted', 'handed to the broker');
};

export const projectOrderAccepted = async (em: EntityManager, event: OrderAccepted): Promise<void> => {
  const row = await findOrder(em, event.clientOrderId);
  if (!row) return;
  row.brokerOrderId = event.brokerOrderId;
  report(em, row, event.ts, 'accepted', `broker order id ${event.brokerOrderId}`);
};

/** Ends the order with an error text: cancelled (reason), rejected (`code: text`) or failed (error). */
export const projectOrderEnded = async (
  em: EntityManager,
  event: OrderCancelled | OrderRejected | OrderFailed,
): Promise<void> => {
  const row = await findOrder(em, event.clientOrderId);
  if (!row) return;
  const { status, error, detail } = endingOf(event);
  row.lastError = error;
  report(em, row, event.ts, status, detail);
};

const endingOf = (
  event: OrderCancelled | OrderRejected | OrderFailed,
): { status: OrderStatus; error: string; detail: string } => {
  switch (event.kind) {
    case 'order.cancelled':
      return { status: 'cancelled', error: event.reason, detail: event.reason };
    case 'order.rejected':
      return { status: 'rejected', error: `${event.code}: ${event.text}`, detail: `${event.code}: ${event.text}` };
    case 'order.failed':
      return { status: 'failed', error: event.error, detail: `${event.stage}: ${event.error}` };
  }
};

/**
 * Stores the execution and folds it into its order (filled quantity, volume-weighted average price,
 * status). A fill whose `execId` is already stored is ignored entirely. A fill for an order the store
 * does not know is still kept in `fills`.
 */
export const projectFill = async (em: EntityManager, event: FillEvent): Promise<void> => {
  if (await em.findOne(FillEntity, { execId: event.execId })) return;
  em.create(FillEntity, {
    execId: event.execId,
    clientOrderId: event.clientOrderId,
    symbol: event.symbol,
    side: event.side,
    quantity: event.quantity,
    price: event.price,
    commission: event.commission,
    ts: event.ts,
  });
  const row = await findOrder(em, event.clientOrderId);
  if (!row) return;
  const added = row.filledQuantity + event.quantity;
  row.avgFillPrice = added > 0 ? (row.avgFillPrice * row.filledQuantity + event.price * event.quantity) / added : 0;
  // The broker's cumulative count also covers fills this store never received.
  row.filledQuantity = Math.max(added, event.cumulativeQuantity);
  const status = event.kind === 'order.filled' ? 'filled' : 'partially_filled';
  report(em, row, event.ts, status, `exec ${event.execId}: ${event.quantity} @ ${event.price}`);
};
