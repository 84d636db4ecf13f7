import { afterAll, beforeAll } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../../support/fake-gateway/fake-gateway.js';
import type { OrderIntent, OrderRecord } from '../../../engine/messages/order.js';
import { brokerContract } from '../broker-contract.js';
import { adapterFor, intent } from './ibkr-test-kit.js';

let gw: FakeGateway;

beforeAll(async () => {
  gw = await startFakeGateway();
  gw.setMarketPrice('AAPL', 190);
});

afterAll(async () => {
  await gw.close();
  gw.assertNoDecodeErrors();
});

let clientId = 20;

brokerContract('IBKR adapter on the fake gateway', async () => {
  clientId += 1;
  const orders: OrderIntent[] = [];
  // A ledger that lags behind: every order still open with nothing filled, so a replay of the
  // executions must be recognised by execId, not by what the database already holds.
  const staleLedger = {
    openOrders: async (): Promise<OrderRecord[]> =>
      orders.map((intent) => ({
        intent,
        status: 'accepted',
        filledQuantity: 0,
        avgFillPrice: 0,
        updatedTs: intent.ts,
      })),
  };
  const { adapter } = adapterFor(gw, { clientId, ledger: staleLedger });
  await adapter.connect();
  return {
    broker: adapter.broker,
    order: (over) => {
      const order = intent(over);
      orders.push(order);
      return order;
    },
    filling: (order) => {
      gw.scriptOrder({ kind: 'fill', price: 190 }, { orderRef: order.clientOrderId });
      return order;
    },
    resting: (order) => {
      gw.scriptOrder({ kind: 'hold' }, { orderRef: order.clientOrderId });
      return order;
    },
    rejected: (order) => {
      gw.scriptOrder(
        { kind: 'reject', code: 201, text: 'Order rejected - reason: contract test' },
        { orderRef: order.clientOrderId },
      );
      return order;
    },
    advance: () => new Promise((resolve) => setTimeout(resolve, 5)),
    // Reconciliation asks the gateway for the day's executions again: the same execIds come back
    // for orders the (stale) ledger still calls open.
    replayExecutions: async () => {
      await adapter.broker.sync('contract replay');
    },
    dispose: async () => adapter.dispose(),
  };
});
