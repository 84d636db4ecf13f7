import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** Settlement ledger (cash accounts): proceeds of a trade become usable on `settleDate`. */
export interface SettlementRow {
  [OptionalProps]?: 'id';
  id: number;
  tradeTs: number;
  /** `YYYY-MM-DD` the amount settles on. */
  settleDate: string;
  amount: number;
  kind: string;
  settled: boolean;
}

export const SettlementEntity = new EntitySchema<SettlementRow>({
  name: 'SettlementRow',
  tableName: 'settlements',
  indexes: [{ name: 'settlements_settle_date_index', properties: ['settleDate'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    tradeTs: { type: 'integer' },
    settleDate: { type: 'string' },
    amount: { type: 'float' },
    kind: { type: 'string' },
    settled: { type: 'boolean' },
  },
});
