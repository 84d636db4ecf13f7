import { EMPTY, NEVER, of } from 'rxjs';
import type { AccountState, Position } from '../../engine/messages/account.js';
import type { Bar } from '../../engine/messages/market.js';
import type { FillEvent } from '../../engine/messages/order.js';
import type { ScoredSignal, Signal } from '../../engine/messages/signal.js';
import { scoreConfluence } from '../../engine/confluence/confluence.js';
import type { BrokerPort } from '../../engine/ports/broker.port.js';
import type { RiskConfig } from '../../engine/risk/risk.operator.js';
import { DEFAULT_SETTLEMENT_CONFIG } from '../../engine/risk/settlement-ledger.js';

/** Test data builders: small, explicit, overridable. */
export const T0 = Date.UTC(2026, 10, 2, 14, 30); // 2026-11-02 09:30 ET

export const bar = (symbol: string, minute: number, close: number, over: Partial<Bar> = {}): Bar => ({
  kind: 'bar',
  symbol,
  ts: T0 + minute * 60_000,
  timeframe: '1m',
  open: close,
  high: close,
  low: close,
  close,
  volume: 1000,
  ...over,
});

export const signal = (over: Partial<Signal> = {}): Signal => ({
  kind: 'signal.generated',
  ts: T0,
  strategyId: 'momentum_AAPL',
  strategyType: 'momentum',
  symbol: 'AAPL',
  timeframe: '5m',
  side: 'BUY',
  action: 'enter',
  confidence: 0.8,
  price: 100,
  entry: 100,
  stopLoss: 98,
  takeProfit: 105,
  reason: 'test',
  indicators: {},
  ...over,
});

export const scored = (over: Partial<Signal> = {}): ScoredSignal => {
  const s = signal(over);
  const c = scoreConfluence(s, {}, { technical: 0.5, sentiment: 0.3, options: 0.2 });
  return {
    kind: 'signal.scored',
    ts: s.ts,
    symbol: s.symbol,
    signal: s,
    confluence: c,
    confidence: s.action === 'exit' ? s.confidence : c.score,
  };
};

export const position = (
  symbol: string,
  quantity: number,
  avgPrice: number,
  over: Partial<Position> = {},
): Position => ({
  symbol,
  quantity,
  avgPrice,
  lastPrice: avgPrice,
  realizedPnl: 0,
  commissions: 0,
  openedTs: T0,
  updatedTs: T0,
  strategyId: `momentum_${symbol}`,
  stopLoss: null,
  takeProfit: null,
  ...over,
});

export const account = (cash: number, positions: Position[] = [], initialCash = 100_000): AccountState => ({
  accountId: 'paper',
  initialCash,
  cash,
  realizedPnl: 0,
  commissions: 0,
  positions: Object.fromEntries(positions.map((p) => [p.symbol, p])),
  updatedTs: T0,
});

export const fill = (
  clientOrderId: string,
  side: 'BUY' | 'SELL',
  quantity: number,
  price: number,
  over: Partial<FillEvent> = {},
): FillEvent => ({
  kind: 'order.filled',
  ts: T0,
  clientOrderId,
  symbol: 'AAPL',
  execId: `${clientOrderId}-1`,
  side,
  quantity,
  price,
  commission: 1,
  cumulativeQuantity: quantity,
  remaining: 0,
  ...over,
});

/** Deterministic ids: id-1, id-2, ... */
export const sequentialIds = (prefix = 'id') => {
  let n = 0;
  return { next: () => `${prefix}-${++n}` };
};

/**
 * A risk config for operator tests: the engine's tiers and caps, loose limits and PDT off, so a case
 * switches on just the rule it is about.
 */
export const riskConfig = (over: Partial<RiskConfig> = {}): RiskConfig => ({
  accountId: 'paper',
  minConfidence: 0.5,
  confluenceMin: 0.6,
  maxConcurrentTrades: 50,
  sizingTiers: { low: 0.01, medium: 0.025, high: 0.04 },
  maxPositionPct: 0.1,
  limits: { dailyTradeLimit: 100, weeklyTradeLimit: 100, dailyLossLimitPct: 0.5, maxDrawdownPct: 0.9 },
  pdt: { policy: 'off', mode: 'strict', equityThreshold: 25_000, accountType: 'margin' },
  settlement: DEFAULT_SETTLEMENT_CONFIG,
  earningsBlackoutMs: 0,
  ...over,
});

/** A connected broker that only hands orders over through `submit` (no events, cancel does nothing). */
export const brokerSubmitting = (submit: BrokerPort['submit']): BrokerPort => ({
  name: 'paper',
  events$: NEVER,
  connection$: of('connected'),
  isConnected: () => true,
  submit,
  cancel: () => EMPTY,
});
