import { EntitySchema, type PrimaryKeyProp } from '@mikro-orm/core';

/** Risk manager state that must survive a restart (kill switch, ladder steps, counters), keyed by name. */
export interface RiskStateRow {
  [PrimaryKeyProp]?: 'key';
  key: string;
  value: unknown;
  updatedTs: number;
}

export const RiskStateEntity = new EntitySchema<RiskStateRow>({
  name: 'RiskStateRow',
  tableName: 'risk_state',
  properties: {
    key: { type: 'string', primary: true },
    value: { type: 'json', nullable: true },
    updatedTs: { type: 'integer' },
  },
});
