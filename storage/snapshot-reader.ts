import type { EntityManager } from '@mikro-orm/sqlite';
import type { AccountState, Position } from '../engine/messages/account.js';
import { TERMINAL_ORDER_STATUSES, type OrderIntent, type OrderRecord } from '../engine/messages/order.js';
import type { StrategyRecord } from '../engine/messages/strategy.js';
import type { EngineSnapshot } from '../engine/ports/store.port.js';
import type { SchedulerStats } from '../engine/scheduler/scheduler-stats.js';
import { AccountEntity } from './entities/account.entity.js';
import { EngineValueEntity } from './entities/engine-value.entity.js';
import { OrderEntity, type OrderRow } from './entities/order.entity.js';
import { PositionEntity, type PositionRow } from './entities/position.entity.js';
import { SCHEDULER_STATS_ID, SchedulerStatsEntity } from './entities/scheduler-stats.entity.js';
import { StrategyEntity, type StrategyRow } from './entities/strategy.entity.js';

const toStrategy = (r: StrategyRow): StrategyRecord => ({
  id: r.id,
  strategyType: r.strategyType,
  symbol: r.symbol,
  timeframe: r.timeframe,
  config: r.config,
  enabled: r.enabled,
  createdTs: r.createdTs,
  updatedTs: r.updatedTs,
});

const toPosition = (r: PositionRow): Position => ({
  symbol: r.symbol,
  quantity: r.quantity,
  avgPrice: r.avgPrice,
  lastPrice: r.lastPrice,
  realizedPnl: r.realizedPnl,
  commissions: r.commissions,
  openedTs: r.openedTs,
  updatedTs: r.updatedTs,
  strategyId: r.strategyId,
  stopLoss: r.stopLoss,
  takeProfit: r.takeProfit,
});

/** Rebuilds the intent exactly as it was saved: optional fields stored as NULL are omitted again. */
const intentOf = (r: OrderRow): OrderIntent => ({
  kind: 'order.submit',
  ts: r.createdTs,
  clientOrderId: r.clientOrderId,
  accountId: r.accountId,
  symbol: r.symbol,
  side: r.side,
  quantity: r.quantity,
  type: r.type,
  ...(r.limitPrice === null ? {} : { limitPrice: r.limitPrice }),
  ...(r.stopPrice === null ? {} : { stopPrice: r.stopPrice }),
  purpose: r.purpose,
  strategyId: r.strategyId,
  reason: r.reason,
  ...(r.stopLoss === null ? {} : { stopLoss: r.stopLoss }),
  ...(r.takeProfit === null ? {} : { takeProfit: r.takeProfit }),
});

const toOrderRecord = (r: OrderRow): OrderRecord => ({
  intent: intentOf(r),
  status: r.status,
  filledQuantity: r.filledQuantity,
  avgFillPrice: r.avgFillPrice,
  ...(r.brokerOrderId === null ? {} : { brokerOrderId: r.brokerOrderId }),
  updatedTs: r.updatedTs,
});

/** The most recently updated account with its open positions; undefined on a fresh database. */
const readAccount = async (em: EntityManager): Promise<AccountState | undefined> => {
  const [account] = await em.find(AccountEntity, {}, { orderBy: { updatedTs: 'desc', accountId: 'asc' }, limit: 1 });
  if (!account) return undefined;
  const open = await em.find(PositionEntity, { closedTs: null }, { orderBy: { symbol: 'asc' } });
  return {
    accountId: account.accountId,
    initialCash: account.initialCash,
    cash: account.cash,
    realizedPnl: account.realizedPnl,
    commissions: account.commissions,
    positions: Object.fromEntries(open.map((r) => [r.symbol, toPosition(r)])),
    updatedTs: account.updatedTs,
  };
};

const readStats = async (em: EntityManager): Promise<SchedulerStats | undefined> => {
  const r = await em.findOne(SchedulerStatsEntity, { id: SCHEDULER_STATS_ID });
  if (!r) return undefined;
  return {
    evaluations_run: r.evaluationsRun,
    signals_generated: r.signalsGenerated,
    trades_executed: r.tradesExecuted,
    trades_rejected: r.tradesRejected,
    errors: r.errors,
    last_evaluation: r.lastEvaluation,
    last_trade: r.lastTrade,
  };
};

/** Everything the engine needs after a restart, read in one pass. */
export const readSnapshot = async (em: EntityManager): Promise<EngineSnapshot> => {
  const strategies = await em.find(StrategyEntity, {}, { orderBy: { createdTs: 'asc', id: 'asc' } });
  const account = await readAccount(em);
  const openOrders = await em.find(
    OrderEntity,
    { status: { $nin: [...TERMINAL_ORDER_STATUSES] } },
    { orderBy: { createdTs: 'asc', clientOrderId: 'asc' } },
  );
  const stats = await readStats(em);
  const values = await em.find(EngineValueEntity, {}, { orderBy: { key: 'asc' } });
  return {
    strategies: strategies.map(toStrategy),
    account,
    openOrders: openOrders.map(toOrderRecord),
    stats,
    values: Object.fromEntries(values.map((v) => [v.key, v.value])),
  };
};
