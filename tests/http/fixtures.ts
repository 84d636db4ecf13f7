import type { PositionUpdated } from '../../engine/messages/account.js';
import type { Bar } from '../../engine/messages/market.js';
import type { OrderFilled, OrderIntent, OrderRejected } from '../../engine/messages/order.js';
import type { RiskApproved, RiskRejected } from '../../engine/messages/risk.js';
import type { ScoredSignal, Signal, SignalSide } from '../../engine/messages/signal.js';

/** Engine events as the graph would publish them, for pushing through `engine.emit`. */
export const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);

export const bar = (symbol: string, close: number, ts = T0): Bar => ({
  kind: 'bar',
  symbol,
  ts,
  timeframe: '1m',
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 1000,
});

export const signal = (symbol: string, side: SignalSide, ts = T0): Signal => ({
  kind: 'signal.generated',
  ts,
  strategyId: `momentum_${symbol}`,
  strategyType: 'momentum',
  symbol,
  timeframe: '5m',
  side,
  action: side === 'HOLD' ? 'none' : 'enter',
  confidence: 0.8,
  price: 100,
  entry: 100,
  stopLoss: 95,
  takeProfit: 110,
  reason: 'rsi crossed',
  indicators: { rsi: 55 },
});

export const scored = (symbol: string, ts = T0): ScoredSignal => ({
  kind: 'signal.scored',
  ts,
  symbol,
  signal: signal(symbol, 'BUY', ts),
  confluence: { score: 0.7, level: 'medium', directionalBias: 'bullish', components: [] },
  confidence: 0.72,
});

export const intent = (symbol: string, ts = T0): OrderIntent => ({
  kind: 'order.submit',
  ts,
  clientOrderId: '11111111-1111-4111-8111-111111111111',
  accountId: 'paper',
  symbol,
  side: 'BUY',
  quantity: 10,
  type: 'market',
  purpose: 'enter',
  strategyId: `momentum_${symbol}`,
  reason: 'signal',
  stopLoss: 95,
});

export const approved = (symbol: string, ts = T0): RiskApproved => ({
  kind: 'risk.approved',
  ts,
  symbol,
  signal: scored(symbol, ts),
  order: intent(symbol, ts),
  warnings: ['pdt warning'],
});

export const rejected = (symbol: string, rule: string, ts = T0): RiskRejected => ({
  kind: 'risk.rejected',
  ts,
  symbol,
  signal: scored(symbol, ts),
  rule,
  reason: `${rule} says no`,
});

export const filled = (symbol: string, ts = T0): OrderFilled => ({
  kind: 'order.filled',
  ts,
  clientOrderId: '11111111-1111-4111-8111-111111111111',
  symbol,
  execId: 'exec-1',
  side: 'BUY',
  quantity: 10,
  price: 100.5,
  commission: 1,
  cumulativeQuantity: 10,
  remaining: 0,
});

export const brokerRejected = (symbol: string, ts = T0): OrderRejected => ({
  kind: 'order.rejected',
  ts,
  clientOrderId: '22222222-2222-4222-8222-222222222222',
  symbol,
  code: '201',
  text: 'margin',
});

export const positionUpdated = (symbol: string, quantity: number, lastPrice: number, ts = T0): PositionUpdated => ({
  kind: 'position.updated',
  ts,
  symbol,
  position: {
    symbol,
    quantity,
    avgPrice: 100,
    lastPrice,
    realizedPnl: 5,
    commissions: 1,
    openedTs: T0,
    updatedTs: ts,
    strategyId: `momentum_${symbol}`,
    stopLoss: 95,
    takeProfit: null,
  },
  unrealizedPnl: (lastPrice - 100) * quantity,
});
