import { EntitySchema, type PrimaryKeyProp } from '@mikro-orm/core';

/** A free-form persisted value (JSON) keyed by name, e.g. the simulated market's cursor. */
export interface EngineValueRow {
  [PrimaryKeyProp]?: 'key';
  key: string;
  value: unknown;
}

export const EngineValueEntity = new EntitySchema<EngineValueRow>({
  name: 'EngineValueRow',
  tableName: 'engine_values',
  properties: {
    key: { type: 'string', primary: true },
    value: { type: 'json', nullable: true },
  },
});
