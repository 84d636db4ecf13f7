import { AccountEntity } from './account.entity.js';
import { DayTradeEntity } from './day-trade.entity.js';
import { EngineValueEntity } from './engine-value.entity.js';
import { FillEntity } from './fill.entity.js';
import { OrderEventEntity } from './order-event.entity.js';
import { OrderEntity } from './order.entity.js';
import { PositionEntity } from './position.entity.js';
import { RiskStateEntity } from './risk-state.entity.js';
import { SchedulerStatsEntity } from './scheduler-stats.entity.js';
import { SentimentReadingEntity } from './sentiment-reading.entity.js';
import { SettlementEntity } from './settlement.entity.js';
import { SignalEntity } from './signal.entity.js';
import { StrategyEntity } from './strategy.entity.js';

export * from './account.entity.js';
export * from './day-trade.entity.js';
export * from './engine-value.entity.js';
export * from './fill.entity.js';
export * from './order-event.entity.js';
export * from './order.entity.js';
export * from './position.entity.js';
export * from './risk-state.entity.js';
export * from './scheduler-stats.entity.js';
export * from './sentiment-reading.entity.js';
export * from './settlement.entity.js';
export * from './signal.entity.js';
export * from './strategy.entity.js';

/** Every entity the ORM knows; the initial migration creates exactly these tables. */
export const ALL_ENTITIES = [
  AccountEntity,
  StrategyEntity,
  SignalEntity,
  OrderEntity,
  OrderEventEntity,
  FillEntity,
  PositionEntity,
  SchedulerStatsEntity,
  EngineValueEntity,
  DayTradeEntity,
  SettlementEntity,
  RiskStateEntity,
  SentimentReadingEntity,
] as const;
