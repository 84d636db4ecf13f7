import { Subject } from 'rxjs';
import { createPaperBroker } from '../../../adapters/paper/paper-broker.js';
import type { Bar } from '../../../engine/messages/market.js';
import type { OrderIntent } from '../../../engine/messages/order.js';
import { brokerContract } from '../broker-contract.js';

const T0 = Date.UTC(2026, 10, 2, 14, 30);

brokerContract('paper broker', async () => {
  const bars = new Subject<Bar>();
  const broker = createPaperBroker({ bars$: bars });
  let minute = 0;
  let seq = 0;
  return {
    broker,
    order: (over) => {
      seq += 1;
      return {
        kind: 'order.submit',
        ts: T0,
        clientOrderId: `paper-contract-${seq}`,
        accountId: 'paper',
        symbol: 'SPY',
        side: 'BUY',
        quantity: 10,
        type: 'market',
        purpose: 'enter',
        strategyId: 'momentum_SPY',
        reason: 'contract',
        ...over,
      };
    },
    filling: (order) => order,
    // A limit far below the market never fills.
    resting: (order) => ({ ...order, type: 'limit', limitPrice: 1 }),
    // The paper broker rejects an order it cannot work (a limit order without a limit price).
    rejected: (order): OrderIntent => {
      const { limitPrice: _ignored, ...rest } = order;
      return { ...rest, type: 'limit' };
    },
    advance: async () => {
      minute += 1;
      bars.next({
        kind: 'bar',
        symbol: 'SPY',
        ts: T0 + minute * 60_000,
        timeframe: '1m',
        open: 100,
        high: 101,
        low: 99,
        close: 100,
        volume: 1_000_000,
      });
    },
    dispose: async () => broker.dispose(),
  };
});
