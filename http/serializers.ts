import type { SchedulerStatus, StrategyTypeInfo } from '../engine/engine-api.js';
import type { AccountState, PositionUpdated } from '../engine/messages/account.js';
import type { Bar } from '../engine/messages/market.js';
import type { FillEvent, OrderIntent } from '../engine/messages/order.js';
import type { RiskDecision } from '../engine/messages/risk.js';
import type { ScoredSignal } from '../engine/messages/signal.js';
import type { StrategyRecord } from '../engine/messages/strategy.js';
import { equityOf } from '../engine/messages/account.js';

/**
 * Presentation of engine values for REST and WebSocket clients: snake_case keys (the seed's API
 * style) and ISO-8601 strings for times, which the engine keeps as epoch ms.
 */
export type Json = Readonly<Record<string, unknown>>;

export const isoOf = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : isoOf(ms));

export const strategyTypeJson = (t: StrategyTypeInfo): Json => ({
  type: t.type,
  description: t.description,
  config_schema: t.configSchema,
});

export const strategyJson = (s: StrategyRecord): Json => ({
  id: s.id,
  strategy_type: s.strategyType,
  symbol: s.symbol,
  timeframe: s.timeframe,
  config: s.config,
  enabled: s.enabled,
  created_at: isoOf(s.createdTs),
  updated_at: isoOf(s.updatedTs),
});

export const orderJson = (o: OrderIntent): Json => ({
  client_order_id: o.clientOrderId,
  account_id: o.accountId,
  symbol: o.symbol,
  side: o.side,
  quantity: o.quantity,
  type: o.type,
  ...(o.limitPrice === undefined ? {} : { limit_price: o.limitPrice }),
  ...(o.stopPrice === undefined ? {} : { stop_price: o.stopPrice }),
  purpose: o.purpose,
  strategy_id: o.strategyId,
  reason: o.reason,
  ...(o.stopLoss === undefined ? {} : { stop_loss: o.stopLoss }),
  ...(o.takeProfit === undefined ? {} : { take_profit: o.takeProfit }),
  created_at: isoOf(o.ts),
});

export const scoredSignalJson = (s: ScoredSignal): Json => ({
  symbol: s.symbol,
  strategy_id: s.signal.strategyId,
  strategy_type: s.signal.strategyType,
  timeframe: s.signal.timeframe,
  side: s.signal.side,
  action: s.signal.action,
  confidence: s.confidence,
  technical_confidence: s.signal.confidence,
  price: s.signal.price,
  entry: s.signal.entry,
  stop_loss: s.signal.stopLoss,
  take_profit: s.signal.takeProfit,
  reason: s.signal.reason,
  indicators: s.signal.indicators,
  ...(s.signal.exitReason === undefined ? {} : { exit_reason: s.signal.exitReason }),
  // A partial exit (a profit-taking ladder step) says how many shares; a full exit has none.
  ...(s.signal.exitQuantity === undefined ? {} : { exit_quantity: s.signal.exitQuantity }),
  confluence: {
    score: s.confluence.score,
    level: s.confluence.level,
    directional_bias: s.confluence.directionalBias,
    components: s.confluence.components.map((c) => ({
      name: c.name,
      present: c.present,
      score: c.score,
      weight: c.weight,
      effective_weight: c.effectiveWeight,
      explanation: c.explanation,
    })),
  },
  generated_at: isoOf(s.ts),
});

export const decisionJson = (d: RiskDecision): Json => ({
  decision: d.kind === 'risk.approved' ? 'approved' : 'rejected',
  symbol: d.symbol,
  strategy_id: d.signal.signal.strategyId,
  side: d.signal.signal.side,
  confidence: d.signal.confidence,
  ...(d.kind === 'risk.approved'
    ? { order: orderJson(d.order), warnings: d.warnings }
    : { rule: d.rule, reason: d.reason }),
  decided_at: isoOf(d.ts),
});

export const barJson = (b: Bar): Json => ({
  symbol: b.symbol,
  timeframe: b.timeframe,
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume,
  opened_at: isoOf(b.ts),
});

export const positionJson = (e: PositionUpdated): Json => {
  const p = e.position;
  return {
    symbol: e.symbol,
    quantity: p.quantity,
    avg_price: p.avgPrice,
    last_price: p.lastPrice,
    market_value: p.quantity * p.lastPrice,
    unrealized_pnl: e.unrealizedPnl,
    realized_pnl: p.realizedPnl,
    commissions: p.commissions,
    strategy_id: p.strategyId,
    stop_loss: p.stopLoss,
    take_profit: p.takeProfit,
    opened_at: p.quantity === 0 ? null : isoOf(p.openedTs),
    updated_at: isoOf(p.updatedTs),
  };
};

export const accountJson = (a: AccountState): Json => ({
  account_id: a.accountId,
  initial_cash: a.initialCash,
  cash: a.cash,
  equity: equityOf(a),
  realized_pnl: a.realizedPnl,
  commissions: a.commissions,
  open_positions: Object.values(a.positions).filter((p) => p.quantity !== 0).length,
  updated_at: isoOf(a.updatedTs),
});

export const fillJson = (f: FillEvent): Json => ({
  client_order_id: f.clientOrderId,
  exec_id: f.execId,
  symbol: f.symbol,
  side: f.side,
  quantity: f.quantity,
  price: f.price,
  commission: f.commission,
  cumulative_quantity: f.cumulativeQuantity,
  remaining: f.remaining,
  partial: f.kind === 'order.partially_filled',
  filled_at: isoOf(f.ts),
});

export const schedulerStatusJson = (s: SchedulerStatus): Json => ({
  ...s,
  stats: { ...s.stats, last_evaluation: isoOrNull(s.stats.last_evaluation), last_trade: isoOrNull(s.stats.last_trade) },
});
