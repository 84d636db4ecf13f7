import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import type { Timeframe } from '../../engine/messages/market.js';
import type { Confluence, ExitReason, Signal, SignalSide } from '../../engine/messages/signal.js';

/**
 * A scored signal and, once risk has looked at it, its decision. `confidence` is the strategy's
 * technical confidence, `finalConfidence` the one after confluence scoring.
 */
export interface SignalRow {
  [OptionalProps]?: 'id';
  id: number;
  strategyId: string;
  strategyType: string;
  symbol: string;
  timeframe: Timeframe;
  ts: number;
  side: SignalSide;
  action: Signal['action'];
  confidence: number;
  finalConfidence: number;
  price: number;
  entry: number;
  stopLoss: number;
  takeProfit: number;
  reason: string;
  exitReason: ExitReason | null;
  indicators: Readonly<Record<string, number>>;
  confluence: Confluence | null;
  decision: 'approved' | 'rejected' | null;
  rule: string | null;
  decisionReason: string | null;
  clientOrderId: string | null;
}

export const SignalEntity = new EntitySchema<SignalRow>({
  name: 'SignalRow',
  tableName: 'signals',
  indexes: [{ name: 'signals_strategy_id_ts_index', properties: ['strategyId', 'ts'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    strategyId: { type: 'string' },
    strategyType: { type: 'string' },
    symbol: { type: 'string' },
    timeframe: { type: 'string' },
    ts: { type: 'integer' },
    side: { type: 'string' },
    action: { type: 'string' },
    confidence: { type: 'float' },
    finalConfidence: { type: 'float' },
    price: { type: 'float' },
    entry: { type: 'float' },
    stopLoss: { type: 'float' },
    takeProfit: { type: 'float' },
    reason: { type: 'string' },
    exitReason: { type: 'string', nullable: true },
    indicators: { type: 'json' },
    confluence: { type: 'json', nullable: true },
    decision: { type: 'string', nullable: true },
    rule: { type: 'string', nullable: true },
    decisionReason: { type: 'string', nullable: true },
    clientOrderId: { type: 'string', nullable: true },
  },
});
