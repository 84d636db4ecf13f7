import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/**
 * One position lifecycle in one symbol: opened when it leaves zero, closed (`closedTs` set) when it
 * returns to zero. At most one open row per symbol (partial unique index).
 */
export interface PositionRow {
  [OptionalProps]?: 'id';
  id: number;
  symbol: string;
  quantity: number;
  avgPrice: number;
  lastPrice: number;
  realizedPnl: number;
  commissions: number;
  strategyId: string;
  stopLoss: number | null;
  takeProfit: number | null;
  openedTs: number;
  closedTs: number | null;
  updatedTs: number;
}

export const OPEN_POSITION_INDEX = 'positions_open_symbol_unique';

export const PositionEntity = new EntitySchema<PositionRow>({
  name: 'PositionRow',
  tableName: 'positions',
  indexes: [
    { name: 'positions_symbol_index', properties: ['symbol'] },
    {
      name: OPEN_POSITION_INDEX,
      expression: `create unique index \`${OPEN_POSITION_INDEX}\` on \`positions\` (\`symbol\`) where \`closed_ts\` is null`,
    },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    symbol: { type: 'string' },
    quantity: { type: 'float' },
    avgPrice: { type: 'float' },
    lastPrice: { type: 'float' },
    realizedPnl: { type: 'float' },
    commissions: { type: 'float' },
    strategyId: { type: 'string' },
    stopLoss: { type: 'float', nullable: true },
    takeProfit: { type: 'float', nullable: true },
    openedTs: { type: 'integer' },
    closedTs: { type: 'integer', nullable: true },
    updatedTs: { type: 'integer' },
  },
});
