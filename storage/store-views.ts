import type { EntityManager } from '@mikro-orm/sqlite';
import { DomainError } from '../engine/errors.js';
import { FillEntity, type FillRow } from './entities/fill.entity.js';
import { OrderEventEntity, type OrderEventRow } from './entities/order-event.entity.js';
import { OrderEntity, type OrderRow } from './entities/order.entity.js';
import { PositionEntity, type PositionRow } from './entities/position.entity.js';
import { SignalEntity, type SignalRow } from './entities/signal.entity.js';

type Plain<T> = { readonly [K in keyof T as K extends string ? K : never]: T[K] };

/** An order as stored: intent columns plus its latest status, fill totals and last error. */
export type OrderView = Plain<OrderRow>;
/** One execution as stored. */
export type FillView = Plain<FillRow>;
/** One entry of an order's status history: the status an event reported, with details. */
export type OrderEventView = Plain<OrderEventRow>;
/** One position lifecycle; `closedTs` is null while it is open. */
export type PositionView = Plain<PositionRow>;
/** A scored signal with its risk decision (null until risk decided). */
export type SignalView = Plain<SignalRow>;

/** The largest page the list helpers return. */
export const MAX_LIST_LIMIT = 1000;

const checkLimit = (limit: number): void => {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new DomainError('validation_error', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`, [
      { path: 'limit', message: `must be an integer from 1 to ${MAX_LIST_LIMIT}` },
    ]);
  }
};

const plain = <T extends object>(row: T): Plain<T> => ({ ...row });

/** The newest orders first (by creation time). */
export const listOrders = async (em: EntityManager, limit: number): Promise<readonly OrderView[]> => {
  checkLimit(limit);
  const rows = await em.find(OrderEntity, {}, { orderBy: { createdTs: 'desc', clientOrderId: 'desc' }, limit });
  return rows.map(plain);
};

/** Fills oldest first, of one order when `clientOrderId` is given; at most the newest `limit`. */
export const listFills = async (
  em: EntityManager,
  clientOrderId: string | undefined,
  limit: number,
): Promise<readonly FillView[]> => {
  checkLimit(limit);
  const where = clientOrderId === undefined ? {} : { clientOrderId };
  const rows = await em.find(FillEntity, where, { orderBy: { ts: 'desc', execId: 'desc' }, limit });
  return rows.reverse().map(plain);
};

/** The newest signals first (by insertion). */
export const listSignals = async (em: EntityManager, limit: number): Promise<readonly SignalView[]> => {
  checkLimit(limit);
  const rows = await em.find(SignalEntity, {}, { orderBy: { id: 'desc' }, limit });
  return rows.map(plain);
};

/** An order's status history in the order it was recorded. */
export const listOrderEvents = async (em: EntityManager, clientOrderId: string): Promise<readonly OrderEventView[]> => {
  const rows = await em.find(OrderEventEntity, { clientOrderId }, { orderBy: { id: 'asc' } });
  return rows.map(plain);
};

/** Position lifecycles, open and closed, the most recently opened first. */
export const listPositions = async (em: EntityManager, limit: number): Promise<readonly PositionView[]> => {
  checkLimit(limit);
  const rows = await em.find(PositionEntity, {}, { orderBy: { id: 'desc' }, limit });
  return rows.map(plain);
};
