import { EntitySchema, type PrimaryKeyProp } from '@mikro-orm/core';
import type { Side } from '../../engine/messages/signal.js';

/** One execution; `execId` is unique so a replayed fill is stored (and applied) once. */
export interface FillRow {
  [PrimaryKeyProp]?: 'execId';
  execId: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  quantity: number;
  price: number;
  commission: number;
  ts: number;
}

export const FillEntity = new EntitySchema<FillRow>({
  name: 'FillRow',
  tableName: 'fills',
  indexes: [{ name: 'fills_client_order_id_index', properties: ['clientOrderId'] }],
  properties: {
    execId: { type: 'string', primary: true },
    clientOrderId: { type: 'string' },
    symbol: { type: 'string' },
    side: { type: 'string' },
    quantity: { type: 'float' },
    price: { type: 'float' },
    commission: { type: 'float' },
    ts: { type: 'integer' },
  },
});
