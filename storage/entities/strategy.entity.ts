import { EntitySchema } from '@mikro-orm/core';
import type { Timeframe } from '../../engine/messages/market.js';

/** A configured strategy; `config` is the full validated config as JSON. */
export interface StrategyRow {
  id: string;
  strategyType: string;
  symbol: string;
  timeframe: Timeframe;
  config: Readonly<Record<string, unknown>>;
  enabled: boolean;
  createdTs: number;
  updatedTs: number;
}

export const StrategyEntity = new EntitySchema<StrategyRow>({
  name: 'StrategyRow',
  tableName: 'strategies',
  properties: {
    id: { type: 'string', primary: true },
    strategyType: { type: 'string' },
    symbol: { type: 'string' },
    timeframe: { type: 'string' },
    config: { type: 'json' },
    enabled: { type: 'boolean' },
    createdTs: { type: 'integer' },
    updatedTs: { type: 'integer' },
  },
});
