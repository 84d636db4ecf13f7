import { EntitySchema, type PrimaryKeyProp } from '@mikro-orm/core';
import type { OrderIntent, OrderStatus, OrderType } from '../../engine/messages/order.js';
import type { Side } from '../../engine/messages/signal.js';

/** An order: its intent (written before it is sent) and its latest known broker state. */
export interface OrderRow {
  [PrimaryKeyProp]?: 'clientOrderId';
  clientOrderId: string;
  accountId: string;
  symbol: string;
  side: Side;
  quantity: number;
  type: OrderType;
  limitPrice: number | null;
  stopPrice: number | null;
  purpose: OrderIntent['purpose'];
  strategyId: string;
  reason: string;
  stopLoss: number | null;
  takeProfit: number | null;
  status: OrderStatus;
  filledQuantity: number;
  avgFillPrice: number;
  brokerOrderId: string | null;
  lastError: string | null;
  createdTs: number;
  updatedTs: number;
}

export const OrderEntity = new EntitySchema<OrderRow>({
  name: 'OrderRow',
  tableName: 'orders',
  indexes: [{ name: 'orders_status_index', properties: ['status'] }],
  properties: {
    clientOrderId: { type: 'string', primary: true },
    accountId: { type: 'string' },
    symbol: { type: 'string' },
    side: { type: 'string' },
    quantity: { type: 'float' },
    type: { type: 'string' },
    limitPrice: { type: 'float', nullable: true },
    stopPrice: { type: 'float', nullable: true },
    purpose: { type: 'string' },
    strategyId: { type: 'string' },
    reason: { type: 'string' },
    stopLoss: { type: 'float', nullable: true },
    takeProfit: { type: 'float', nullable: true },
    status: { type: 'string' },
    filledQuantity: { type: 'float' },
    avgFillPrice: { type: 'float' },
    brokerOrderId: { type: 'string', nullable: true },
    lastError: { type: 'string', nullable: true },
    createdTs: { type: 'integer' },
    updatedTs: { type: 'integer' },
  },
});
