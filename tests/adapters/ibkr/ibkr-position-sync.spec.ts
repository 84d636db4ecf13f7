import { afterEach, describe, expect, it } from 'vitest';
import type { ReconciliationReport } from '../../../adapters/ibkr/reconciliation.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';
import { type FakeGateway, startFakeGateway } from '../../support/fake-gateway/fake-gateway.js';
import { type AdapterUnderTest, adapterFor, drive, record } from './ibkr-test-kit.js';

const T0 = Date.UTC(2026, 10, 2, 15, 0);
const HOUR = 3_600_000;

let gw: FakeGateway | undefined;
let a: AdapterUnderTest | undefined;

afterEach(async () => {
  a?.adapter.dispose();
  await gw?.close();
  gw?.assertNoDecodeErrors();
  gw = undefined;
  a = undefined;
});

describe('position sync (virtual time)', () => {
  it('reconciles every POSITION_SYNC_INTERVAL while connected and reports position differences', async () => {
    const scheduler = new EventTimeScheduler(T0);
    const g = await startFakeGateway({ clock: () => scheduler.now() });
    gw = g;
    g.setAccountValues({ NetLiquidation: 1_000 });
    g.setPositions([{ symbol: 'AAPL', quantity: 10, avgCost: 100 }]);
    a = adapterFor(g, {
      scheduler,
      config: {
        ibkr: { host: '127.0.0.1', port: g.port, clientId: 7, tradingMode: 'paper' },
        positionSync: { enabled: true, intervalSeconds: 300 },
      },
      ledger: { openOrders: async () => [], positions: async () => ({ AAPL: 5 }) },
      tuning: { requestTimeoutMs: HOUR, openTimeoutMs: HOUR, connectTimeoutMs: HOUR },
    });
    const adapter = a.adapter;
    const reports = record<ReconciliationReport>(adapter.broker.reconciliations$);
    void adapter.connect();
    await drive(scheduler, g, adapter, () => reports.length === 1, 20);
    expect(reports[0]?.positionDifferences).toEqual([{ symbol: 'AAPL', ledger: 5, broker: 10 }]);
    const syncedAt = scheduler.now();
    await drive(
      scheduler,
      g,
      adapter,
      () => reports.length === 3 && g.receivedOf('reqAccountSummary').length === 3,
      1_000,
    );
    expect(reports.map((r) => r.reason)).toEqual(['connect', 'position sync', 'position sync']);
    expect(scheduler.now() - syncedAt).toBeGreaterThanOrEqual(2 * 300_000 - 1_000);
    expect(g.receivedOf('reqOpenOrders')).toHaveLength(3);
    expect(g.receivedOf('reqAccountSummary')).toHaveLength(3);
  });
});
