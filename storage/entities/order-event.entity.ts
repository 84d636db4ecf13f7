import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import type { OrderStatus } from '../../engine/messages/order.js';

/** One entry of an order's status history, in the order events were journaled. */
export interface OrderEventRow {
  [OptionalProps]?: 'id';
  id: number;
  clientOrderId: string;
  ts: number;
  status: OrderStatus;
  detail: string;
}

export const OrderEventEntity = new EntitySchema<OrderEventRow>({
  name: 'OrderEventRow',
  tableName: 'order_events',
  indexes: [{ name: 'order_events_client_order_id_index', properties: ['clientOrderId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    clientOrderId: { type: 'string' },
    ts: { type: 'integer' },
    status: { type: 'string' },
    detail: { type: 'string' },
  },
});
