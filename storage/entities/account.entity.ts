import { EntitySchema, type PrimaryKeyProp } from '@mikro-orm/core';

/** One broker account's cash and totals; positions live in `positions`. */
export interface AccountRow {
  [PrimaryKeyProp]?: 'accountId';
  accountId: string;
  initialCash: number;
  cash: number;
  realizedPnl: number;
  commissions: number;
  updatedTs: number;
}

export const AccountEntity = new EntitySchema<AccountRow>({
  name: 'AccountRow',
  tableName: 'accounts',
  properties: {
    accountId: { type: 'string', primary: true },
    initialCash: { type: 'float' },
    cash: { type: 'float' },
    realizedPnl: { type: 'float' },
    commissions: { type: 'float' },
    updatedTs: { type: 'integer' },
  },
});
