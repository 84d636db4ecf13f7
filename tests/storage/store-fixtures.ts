import { lastValueFrom, type Observable } from 'rxjs';
import type { AccountState, AccountUpdated, Position, PositionUpdated } from '../../engine/messages/account.js';
import type { FillEvent, OrderIntent } from '../../engine/messages/order.js';
import type { RiskApproved, RiskRejected } from '../../engine/messages/risk.js';
import type { ScoredSignal, Signal } from '../../engine/messages/signal.js';
import type { StrategyRecord } from '../../engine/messages/strategy.js';

export const T0 = 1_750_000_000_000;

/** Runs a store call to completion. */
export const run = <T>(obs: Observable<T>): Promise<T> => lastValueFrom(obs);

export const intent = (overrides: Partial<OrderIntent> = {}): OrderIntent => ({
  kind: 'order.submit',
  ts: T0,
  clientOrderId: 'c-1',
  accountId: 'DU1',
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 10,
  type: 'limit',
  limitPrice: 190.5,
  purpose: 'enter',
  strategyId: 'ema_AAPL',
  reason: 'ema cross',
  stopLoss: 185,
  takeProfit: 200,
  ...overrides,
});

export const signal = (overrides: Partial<Signal> = {}): Signal => ({
  kind: 'signal.generated',
  ts: T0,
  strategyId: 'ema_AAPL',
  strategyType: 'ema',
  symbol: 'AAPL',
  timeframe: '5m',
  side: 'BUY',
  action: 'enter',
  confidence: 0.7,
  price: 190,
  entry: 190,
  stopLoss: 185,
  takeProfit: 200,
  reason: 'fast ema crossed above slow ema',
  indicators: { emaFast: 190.1, emaSlow: 189.7 },
  ...overrides,
});

export const scored = (overrides: Partial<Signal> = {}, confidence = 0.8): ScoredSignal => {
  const s = signal(overrides);
  return {
    kind: 'signal.scored',
    ts: s.ts,
    symbol: s.symbol,
    signal: s,
    confidence,
    confluence: {
      score: 0.75,
      level: 'high',
      directionalBias: 'bullish',
      components: [
        { name: 'technical', present: true, score: 0.7, weight: 0.5, effectiveWeight: 1, explanation: 'ema cross' },
        { name: 'sentiment', present: false, score: 0, weight: 0.3, effectiveWeight: 0, explanation: 'no data' },
      ],
    },
  };
};

export const approved = (s: ScoredSignal, order: OrderIntent, warnings: string[] = []): RiskApproved => ({
  kind: 'risk.approved',
  ts: s.ts,
  symbol: s.symbol,
  signal: s,
  order,
  warnings,
});

export const rejected = (s: ScoredSignal, rule: string, reason: string): RiskRejected => ({
  kind: 'risk.rejected',
  ts: s.ts,
  symbol: s.symbol,
  signal: s,
  rule,
  reason,
});

export const fill = (
  kind: FillEvent['kind'],
  execId: string,
  quantity: number,
  price: number,
  cumulativeQuantity: number,
  overrides: Partial<FillEvent> = {},
): FillEvent =>
  ({
    kind,
    ts: T0 + 2_000,
    clientOrderId: 'c-1',
    symbol: 'AAPL',
    execId,
    side: 'BUY',
    quantity,
    price,
    commission: 1,
    cumulativeQuantity,
    remaining: 10 - cumulativeQuantity,
    ...overrides,
  }) as FillEvent;

export const position = (overrides: Partial<Position> = {}): Position => ({
  symbol: 'AAPL',
  quantity: 10,
  avgPrice: 190.25,
  lastPrice: 191,
  realizedPnl: 0,
  commissions: 2,
  openedTs: T0 + 2_000,
  updatedTs: T0 + 2_000,
  strategyId: 'ema_AAPL',
  stopLoss: 185,
  takeProfit: 200,
  ...overrides,
});

export const positionUpdated = (p: Position, ts = p.updatedTs): PositionUpdated => ({
  kind: 'position.updated',
  ts,
  symbol: p.symbol,
  position: p,
  unrealizedPnl: (p.lastPrice - p.avgPrice) * p.quantity,
});

export const account = (overrides: Partial<AccountState> = {}): AccountState => ({
  accountId: 'DU1',
  initialCash: 100_000,
  cash: 98_095.5,
  realizedPnl: 0,
  commissions: 2,
  positions: {},
  updatedTs: T0 + 2_000,
  ...overrides,
});

export const accountUpdated = (a: AccountState): AccountUpdated => ({
  kind: 'account.updated',
  ts: a.updatedTs,
  account: a,
});

export const strategy = (overrides: Partial<StrategyRecord> = {}): StrategyRecord => ({
  id: 'ema_AAPL',
  strategyType: 'ema',
  symbol: 'AAPL',
  timeframe: '5m',
  config: { fast: 9, slow: 21, nested: { on: true, list: [1, 'two'] } },
  enabled: true,
  createdTs: T0,
  updatedTs: T0,
  ...overrides,
});
