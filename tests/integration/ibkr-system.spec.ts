import { createServer } from 'node:net';
import { join } from 'node:path';
import { filter, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/config/app-config.js';
import { type System, createSystem } from '../../adapters/system/create-system.js';
import { ORDER_ID_HIGH_WATER } from '../../adapters/system/stored-order-ids.js';
import { openStore } from '../../storage/sqlite-store.js';
import type { OrderPlaced } from '../../engine/messages/order.js';
import { startFakeGateway } from '../support/fake-gateway/fake-gateway.js';
import { ibkrOf, useSystemHarness } from '../support/system-harness.js';
import type { FakeOrder } from '../support/fake-gateway/fake-gateway.types.js';
import { FAST_TUNING, until } from '../adapters/ibkr/ibkr-test-kit.js';

const h = useSystemHarness('tradebot-ibkr-');

/** The real system with BROKER=ibkr on a SQLite file, the API on port 0, the scheduler stopped. */
const boot = async (port: number, env: Record<string, string> = {}) => {
  const system = ibkrOf(
    await createSystem({
      config: loadConfig({
        BROKER: 'ibkr',
        SENTIMENT_PROVIDERS: 'false',
        IBKR_HOST: '127.0.0.1',
        IBKR_PORT: String(port),
        IBKR_CLIENT_ID: '7',
        DATABASE_URL: `sqlite:///${join(h.dir(), 'trading.db')}`,
        API_PORT: '0',
        SCHEDULER_ENABLED: 'false',
        TRADING_STRATEGIES: '',
        ...env,
      }),
      logger: h.logger,
      ibkrTuning: FAST_TUNING,
    }),
  );
  h.running.push(system);
  const placed = new Set<string>();
  system.engine.events$
    .pipe(filter((e): e is OrderPlaced => e.kind === 'order.placed'))
    .subscribe((e) => placed.add(e.order.clientOrderId));
  const { port: apiPort } = await system.start();
  return { system, base: `http://127.0.0.1:${apiPort}`, placed };
};

const stop = async (system: System): Promise<void> => {
  h.running.splice(h.running.indexOf(system), 1);
  await system.stop();
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const call = async (url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> => {
  const res = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: res.status, body: await res.json() };
};

/** The start-up warnings that the engine's book and the IBKR account differ. */
const bookWarnings = (): object[] =>
  h
    .logs()
    .filter((l) => l.level === 'warn' && l.msg.includes("against the engine's own book"))
    .map((l) => l.obj);

const metricsOf = (base: string): Promise<string> => fetch(`${base}/metrics`).then((r) => r.text());

const held = (system: System, symbol: string): number =>
  system.engine.portfolio().positions.find((p) => p.symbol === symbol)?.quantity ?? 0;

/** A gateway that fills market orders at 190 and records, per placeOrder, whether the engine had persisted it. */
const gatewayRecordingPersistence = async (placedBeforeSend: [string, boolean][], placed: () => Set<string>) => {
  const g = await startFakeGateway({
    defaultOrderScript: (order: FakeOrder) => {
      placedBeforeSend.push([order.orderRef, placed().has(order.orderRef)]);
      return { kind: 'fill' };
    },
  });
  g.setMarketPrice('AAPL', 190);
  g.setAccountValues({ NetLiquidation: 100_000, TotalCashValue: 100_000, SettledCash: 100_000 });
  h.gateway = g;
  return g;
};

const BUY_10_AAPL = { symbol: 'AAPL', side: 'BUY', quantity: 10, price_per_share: 190 };

describe('BROKER=ibkr end to end (real sockets to the fake IB Gateway, SQLite file)', () => {
  it('connects at start, sends a manual order once with orderRef = the stored client order id, and books its fill once', async () => {
    const seen: [string, boolean][] = [];
    let placed = new Set<string>();
    const g = await gatewayRecordingPersistence(seen, () => placed);
    const booted = await boot(g.port);
    const { system, base } = booted;
    placed = booted.placed;

    const status = await call(`${base}/api/trading/ibkr/status`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      connected: true,
      state: 'connected',
      broker: 'ibkr',
      mode: 'paper',
      client_id: 7,
      accounts: ['DU1234567'],
    });
    expect(await metricsOf(base)).toMatch(/^ibkr_connection_status 1$/m);
    expect(g.receivedOf('startApi').map((r) => r.requestedClientId)).toEqual(['7']);

    const executed = await call(`${base}/api/trading/execute`, 'POST', BUY_10_AAPL);
    expect(executed.status).toBe(201);
    const id: string = executed.body.order.client_order_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => held(system, 'AAPL') === 10, 'the fill in the portfolio');
    await system.engine.idle();

    const sent = g.placeOrdersFor(id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ orderRef: id, action: 'BUY', totalQuantity: 10, orderType: 'MKT' });
    // order.placed is published only once the intent is committed: it was in SQLite before the send.
    expect(seen).toEqual([[id, true]]);
    const orders = await lastValueFrom(system.store.listOrders(10));
    expect(orders).toEqual([expect.objectContaining({ clientOrderId: id, status: 'filled', filledQuantity: 10 })]);
    expect(await lastValueFrom(system.store.listFills(id))).toHaveLength(1);

    // A reconciliation (what the position-sync loop runs) finds the order filled and adds nothing.
    expect(await system.ibkr.broker.sync('test')).toBe(true);
    await system.engine.idle();
    expect(held(system, 'AAPL')).toBe(10);
    expect(await lastValueFrom(system.store.listFills(id))).toHaveLength(1);
    expect(g.placeOrdersFor(id)).toHaveLength(1);
    expect(system.ibkr.broker.lastReconciliation()).toMatchObject({ reason: 'test', positionDifferences: [] });
    expect(bookWarnings()).toEqual([]);
    expect((await call(`${base}/api/trading/ibkr/positions`)).body).toEqual({
      positions: [{ symbol: 'AAPL', quantity: 10, avg_cost: expect.any(Number), account: 'DU1234567' }],
    });
  });

  it('after POST /disconnect reports disconnected and refuses orders with 503 before writing anything', async () => {
    const gw = await gatewayRecordingPersistence([], () => new Set());
    const { system, base } = await boot(gw.port);

    const disconnected = await call(`${base}/api/trading/ibkr/disconnect`, 'POST');
    expect(disconnected.status).toBe(200);
    expect(disconnected.body).toMatchObject({ connected: false, state: 'disconnected' });
    expect((await call(`${base}/api/trading/ibkr/status`)).body).toMatchObject({
      connected: false,
      state: 'disconnected',
    });
    expect(await metricsOf(base)).toMatch(/^ibkr_connection_status 0$/m);

    const refused = await call(`${base}/api/trading/execute`, 'POST', BUY_10_AAPL);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'not_connected' });
    expect(refused.body.message).toMatch(/^the ibkr broker is not connected; the order was not placed/);
    expect(await lastValueFrom(system.store.listOrders(10))).toEqual([]);
    expect(gw.receivedOf('placeOrder')).toEqual([]);
    expect((await call(`${base}/api/trading/ibkr/account`)).status).toBe(503);

    const reconnected = await call(`${base}/api/trading/ibkr/connect`, 'POST');
    expect(reconnected.status).toBe(200);
    expect(reconnected.body).toMatchObject({ connected: true, state: 'connected' });
    expect((await call(`${base}/api/trading/execute`, 'POST', BUY_10_AAPL)).status).toBe(201);
  });

  it('never reuses an order id after a restart on the same database, even when the gateway rolls nextValidId back', async () => {
    const g = await gatewayRecordingPersistence([], () => new Set());
    const first = await boot(g.port);
    const one = await call(`${first.base}/api/trading/execute`, 'POST', BUY_10_AAPL);
    expect(one.status).toBe(201);
    const firstRef: string = one.body.order.client_order_id;
    await until(() => held(first.system, 'AAPL') === 10, 'the first fill');
    const firstId = g.placeOrdersFor(firstRef)[0]?.orderId ?? Number.NaN;
    expect(firstId).toBeGreaterThan(0);
    await stop(first.system);

    // The gateway restarts and hands out the id it already used (Lean IB #242).
    await g.restart({ nextValidId: firstId });
    const second = await boot(g.port);
    expect(second.system.ibkr.broker.isConnected()).toBe(true);
    expect(g.nextValidId).toBe(firstId);
    expect((await lastValueFrom(second.system.store.load())).values[ORDER_ID_HIGH_WATER]).toBe(firstId);
    expect(held(second.system, 'AAPL')).toBe(10);

    const two = await call(`${second.base}/api/trading/execute`, 'POST', BUY_10_AAPL);
    expect(two.status).toBe(201);
    const secondRef: string = two.body.order.client_order_id;
    await until(() => g.placeOrdersFor(secondRef).length > 0, 'the second placeOrder');
    expect(g.placeOrdersFor(secondRef)[0]?.orderId).toBeGreaterThan(firstId);
    await until(() => held(second.system, 'AAPL') === 20, 'the second fill');
    expect(g.placeOrdersFor(secondRef)).toHaveLength(1);
    expect(g.placeOrdersFor(firstRef)).toHaveLength(1);
    expect(g.clientErrors.filter((e) => e.code === 103)).toEqual([]);
  });

  it('reconciles with IBKR on the engine position-sync loop (POSITION_SYNC_INTERVAL), reporting position differences', async () => {
    const g = await gatewayRecordingPersistence([], () => new Set());
    g.setPositions([{ symbol: 'MSFT', quantity: 5, avgCost: 400 }]);
    g.setAccountValues({ NetLiquidation: 20_000 });
    const { system } = await boot(g.port, { SCHEDULER_ENABLED: 'true', POSITION_SYNC_INTERVAL: '0.05' });
    const reasons: string[] = [];
    system.ibkr.broker.reconciliations$.subscribe((r) => reasons.push(r.reason));
    await until(() => reasons.filter((r) => r === 'position sync').length >= 2, 'two position syncs');
    expect(system.ibkr.broker.lastReconciliation()?.positionDifferences).toEqual([
      { symbol: 'MSFT', ledger: 0, broker: 5 },
    ]);
    expect(h.logs().some((l) => l.level === 'warn' && l.msg === 'ibkr: reconciliation finished')).toBe(true);
    // The engine's book (PAPER_INITIAL_CASH 100,000) is not the IBKR account (NetLiquidation 20,000): said once.
    expect(bookWarnings()).toEqual([{ account: 'DU1234567', book_equity: 100_000, ibkr_net_liquidation: 20_000 }]);
  });

  it('warns (and does not refuse) when IBKR_TRADING_MODE=live points at a paper port', async () => {
    const system = await createSystem({
      config: loadConfig({
        BROKER: 'ibkr',
        SENTIMENT_PROVIDERS: 'false',
        IBKR_TRADING_MODE: 'live',
        IBKR_PORT: '4004',
        DATABASE_URL: 'sqlite::memory:',
        TRADING_STRATEGIES: '',
      }),
      logger: h.logger,
    });
    expect(system.mode).toBe('ibkr');
    await system.stop();
    const warnings = h.logs().filter((l) => l.level === 'warn' && l.msg.startsWith('IBKR port and mode mismatch'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('IBKR_TRADING_MODE=live but IBKR_PORT=4004 is a paper-trading port');
  });

  it('refuses to start on a database whose order-id high-water mark is not a whole number', async () => {
    const url = `sqlite:///${join(h.dir(), 'trading.db')}`;
    const store = await openStore({ url });
    await lastValueFrom(store.saveValue(ORDER_ID_HIGH_WATER, 12.5), { defaultValue: undefined });
    await store.close();
    await expect(
      createSystem({
        config: loadConfig({ BROKER: 'ibkr', DATABASE_URL: url, API_PORT: '0', TRADING_STRATEGIES: '' }),
        logger: h.logger,
      }),
    ).rejects.toThrow(/invalid IBKR order-id high-water mark \(ibkr\.order_id_high_water = 12\.5\); refusing to start/);
  });

  it('starts while nothing listens on the gateway port: status not connected, /health degraded, orders refused', async () => {
    const port = await freePort();
    const { base } = await boot(port, { SCHEDULER_REQUIRE_IBKR_CONNECTION: 'true' });

    const status = await call(`${base}/api/trading/ibkr/status`);
    expect(status.status).toBe(200);
    expect(status.body.connected).toBe(false);
    expect(['connecting', 'disconnected']).toContain(status.body.state);
    const health = await call(`${base}/health`);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', broker: { name: 'ibkr', connected: false } });
    expect(health.body.problems).toContain('broker not connected');
    expect((await call(`${base}/api/trading/execute`, 'POST', BUY_10_AAPL)).status).toBe(503);
    expect(await metricsOf(base)).toMatch(/^ibkr_connection_status 0$/m);
    expect(
      h.logs().some((l) => l.level === 'warn' && /IB Gateway at 127\.0\.0\.1:\d+ is not connected yet/.test(l.msg)),
    ).toBe(true);
  });
});

/** A port nothing listens on (bound once on 127.0.0.1:0, then released). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
