import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** Day-trade ledger for the PDT rule: a position opened and closed in the same session. */
export interface DayTradeRow {
  [OptionalProps]?: 'id';
  id: number;
  symbol: string;
  /** Exchange session date, `YYYY-MM-DD` (America/New_York). */
  sessionDate: string;
  openedTs: number;
  closedTs: number;
  quantity: number;
}

export const DayTradeEntity = new EntitySchema<DayTradeRow>({
  name: 'DayTradeRow',
  tableName: 'day_trades',
  indexes: [{ name: 'day_trades_session_date_index', properties: ['sessionDate'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    symbol: { type: 'string' },
    sessionDate: { type: 'string' },
    openedTs: { type: 'integer' },
    closedTs: { type: 'integer' },
    quantity: { type: 'float' },
  },
});
