import { afterEach, describe, expect, it } from 'vitest';
import { lastValueFrom } from 'rxjs';
import { EventName, IBApi } from '@stoqey/ib';
import type { BrokerEvent, OrderIntent } from '../../../engine/messages/order.js';
import type { Bar } from '../../../engine/messages/market.js';
import type { ReconciliationReport } from '../../../adapters/ibkr/reconciliation.js';
import { type FakeGateway, startFakeGateway } from '../../support/fake-gateway/fake-gateway.js';
import { type AdapterUnderTest, adapterFor, decodeErrorsIn, intent, record, until } from './ibkr-test-kit.js';

let gw: FakeGateway | undefined;
let under: AdapterUnderTest[] = [];
const raw: IBApi[] = [];

afterEach(async () => {
  for (const a of under) a.adapter.dispose();
  for (const api of raw.splice(0)) api.disconnect();
  const logs = under.flatMap((a) => a.logger.entries);
  under = [];
  if (gw) {
    const g = gw;
    gw = undefined;
    await g.close();
    g.assertNoDecodeErrors();
  }
  expect(decodeErrorsIn(logs)).toEqual([]);
});

const start = async (serverVersion: number, over: Parameters<typeof adapterFor>[1] = {}) => {
  gw = await startFakeGateway({ serverVersion });
  gw.setMarketPrice('AAPL', 190);
  const a = adapterFor(gw, over);
  under.push(a);
  const events = record<BrokerEvent>(a.adapter.broker.events$);
  const reports = record<ReconciliationReport>(a.adapter.broker.reconciliations$);
  return { gw, a, broker: a.adapter.broker, events, reports };
};

const submit = (a: AdapterUnderTest, order: OrderIntent) =>
  lastValueFrom(a.adapter.broker.submit(order), { defaultValue: undefined });

const eventsOf = (events: readonly BrokerEvent[], order: OrderIntent) =>
  events.filter((e) => e.clientOrderId === order.clientOrderId);

const kinds = (events: readonly BrokerEvent[], order: OrderIntent) => eventsOf(events, order).map((e) => e.kind);

describe.each([176, 187, 193])('IBKR adapter on the fake gateway at server version %i', (sv) => {
  it('connects with the fixed client id, reconciles, and reports connected', async () => {
    const { gw, a, reports } = await start(sv);
    const states = record(a.adapter.broker.connection$);
    expect(await a.adapter.connect()).toBe('connected');
    expect(a.adapter.broker.isConnected()).toBe(true);
    expect(gw.receivedOf('startApi').map((r) => r.requestedClientId)).toEqual(['7']);
    const kindsSent = gw.received.map((r) => r.kind);
    for (const k of [
      'reqIds',
      'reqOpenOrders',
      'reqCompletedOrders',
      'reqExecutions',
      'reqPositions',
      'reqAccountSummary',
    ] as const)
      expect(kindsSent, k).toContain(k);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.reason).toBe('connect');
    const status = await a.adapter.control.status();
    expect(status).toMatchObject({
      connected: true,
      state: 'connected',
      mode: 'paper',
      client_id: 7,
      server_version: sv,
      accounts: ['DU1234567'],
    });
    expect(JSON.stringify(status)).not.toMatch(/password/i);
    expect(states).toContain('connected');
  });

  it('places a market order: orderRef = clientOrderId, then accepted and one fill with commission', async () => {
    const { gw, a, events } = await start(sv);
    await a.adapter.connect();
    const order = intent();
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.filled'), 'the fill');
    const [placed] = gw.placeOrdersFor(order.clientOrderId);
    expect(placed).toMatchObject({
      orderType: 'MKT',
      action: 'BUY',
      totalQuantity: 10,
      transmit: true,
      orderRef: order.clientOrderId,
    });
    expect(placed?.orderId).toBeGreaterThanOrEqual(1000);
    // The gateway sends the Filled OPEN_ORDER/ORDER_STATUS pair twice (as a real one does): still one accepted, one fill.
    await gw.waitUntil(() => gw.executions.length === 1);
    expect(kinds(events, order)).toEqual(['order.accepted', 'order.filled']);
    const fill = eventsOf(events, order)[1];
    expect(fill).toMatchObject({
      symbol: 'AAPL',
      side: 'BUY',
      quantity: 10,
      price: 190,
      commission: 1,
      cumulativeQuantity: 10,
      remaining: 0,
    });
    expect(fill && 'execId' in fill ? fill.execId : '').toBe(gw.executions[0]?.execId);
  });

  it('places a limit order that rests, then fills when the price crosses', async () => {
    const { gw, a, events } = await start(sv);
    await a.adapter.connect();
    const order = intent({ type: 'limit', limitPrice: 185 });
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.accepted'), 'the acknowledgement');
    expect(gw.placeOrdersFor(order.clientOrderId)[0]).toMatchObject({ orderType: 'LMT', lmtPrice: 185 });
    gw.pushTick('AAPL', { last: 184.5 });
    await until(() => kinds(events, order).includes('order.filled'), 'the fill');
    const fill = eventsOf(events, order).at(-1);
    expect(fill).toMatchObject({ kind: 'order.filled', quantity: 10 });
    expect(fill && 'price' in fill ? fill.price : Number.NaN).toBeLessThanOrEqual(185);
  });

  it('reports a partial fill, then the rest', async () => {
    const { gw, a, events } = await start(sv);
    await a.adapter.connect();
    const order = intent();
    gw.scriptOrder(
      {
        kind: 'partial',
        fills: [
          { qty: 4, price: 190 },
          { qty: 6, price: 191 },
        ],
      },
      { orderRef: order.clientOrderId },
    );
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.filled'), 'the last fill');
    expect(
      eventsOf(events, order).map((e) =>
        e.kind === 'order.partially_filled' || e.kind === 'order.filled'
          ? [e.kind, e.quantity, e.cumulativeQuantity, e.remaining]
          : [e.kind],
      ),
    ).toEqual([['order.accepted'], ['order.partially_filled', 4, 4, 6], ['order.filled', 6, 10, 0]]);
  });

  it('reports a reject (201) with IBKR code and text', async () => {
    const { gw, a, events } = await start(sv);
    await a.adapter.connect();
    const order = intent();
    gw.scriptOrder(
      { kind: 'reject', code: 201, text: 'Order rejected - reason: insufficient funds' },
      { orderRef: order.clientOrderId },
    );
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.rejected'), 'the reject');
    await gw.waitUntil(() => gw.findOrder({ orderRef: order.clientOrderId })?.status === 'Inactive');
    expect(eventsOf(events, order)).toEqual([
      expect.objectContaining({
        kind: 'order.rejected',
        code: '201',
        text: 'Order rejected - reason: insufficient funds',
        symbol: 'AAPL',
      }),
    ]);
  });

  it('cancels a working order (ORDER_STATUS Cancelled + 202)', async () => {
    const { gw, a, events, broker } = await start(sv);
    await a.adapter.connect();
    const order = intent({ type: 'limit', limitPrice: 150 });
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.accepted'), 'the acknowledgement');
    await lastValueFrom(broker.cancel(order.clientOrderId), { defaultValue: undefined });
    await until(() => kinds(events, order).includes('order.cancelled'), 'the cancel');
    const placedId = gw.placeOrdersFor(order.clientOrderId)[0]?.orderId;
    expect(gw.receivedOf('cancelOrder').map((c) => c.orderId)).toEqual([placedId]);
    expect(kinds(events, order)).toEqual(['order.accepted', 'order.cancelled']);
    expect(eventsOf(events, order)[1]).toMatchObject({ reason: expect.stringMatching(/^cancelled on request/) });
    await expect(lastValueFrom(broker.cancel(order.clientOrderId))).rejects.toMatchObject({ code: 'conflict' });
    await expect(lastValueFrom(broker.cancel('no-such-order'))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reports a cancel by IBKR after a partial fill: fill first, then cancelled', async () => {
    const { gw, a, events } = await start(sv);
    await a.adapter.connect();
    const order = intent();
    gw.scriptOrder(
      { kind: 'partial', fills: [{ qty: 3, price: 190 }], then: 'cancel' },
      { orderRef: order.clientOrderId },
    );
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.cancelled'), 'the cancel');
    expect(kinds(events, order)).toEqual(['order.accepted', 'order.partially_filled', 'order.cancelled']);
    expect(eventsOf(events, order)[2]).toMatchObject({ reason: expect.stringMatching(/^cancelled by IBKR/) });
  });

  it('after a drop between placeOrder and any answer, finds the order by orderRef on reconnect: never resent, fill recorded once', async () => {
    const { gw, a, events, reports } = await start(sv);
    await a.adapter.connect();
    const order = intent();
    gw.scriptOrder({ kind: 'dropAfterPlace', then: { kind: 'fill', price: 191 } }, { orderRef: order.clientOrderId });
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.filled'), 'the fill found by reconciliation');
    await until(() => a.adapter.broker.isConnected(), 'the reconnect');
    expect(gw.connectionCount).toBe(2);
    expect(gw.placeOrdersFor(order.clientOrderId)).toHaveLength(1);
    expect(kinds(events, order)).toEqual(['order.accepted', 'order.filled']);
    expect(eventsOf(events, order)[1]).toMatchObject({ price: 191, quantity: 10, commission: 1 });
    const reconnect = reports.find((r) => r.reason === 'reconnect');
    expect(reconnect?.resolved).toEqual([
      { clientOrderId: order.clientOrderId, outcome: 'filled', foundIn: 'completed_orders' },
    ]);
    // A later sync finds the same execution again and reports nothing new.
    await a.adapter.broker.sync('test');
    expect(kinds(events, order)).toEqual(['order.accepted', 'order.filled']);
  });

  it('reports an order lost in a drop as rejected not_at_broker, and never resends it', async () => {
    const { gw, a, events, broker } = await start(sv);
    await a.adapter.connect();
    const order = intent();
    gw.scriptOrder({ kind: 'dropAfterPlace', then: 'lost' }, { orderRef: order.clientOrderId });
    await submit(a, order);
    await until(() => kinds(events, order).includes('order.rejected'), 'the missing-order report');
    expect(eventsOf(events, order)).toEqual([
      expect.objectContaining({ kind: 'order.rejected', code: 'not_at_broker' }),
    ]);
    expect(gw.placeOrdersFor(order.clientOrderId)).toHaveLength(1);
    await expect(submit(a, order)).rejects.toMatchObject({ code: 'conflict' });
    expect(gw.placeOrdersFor(order.clientOrderId)).toHaveLength(1);
    expect(broker.lastReconciliation()?.missing.map((m) => m.clientOrderId)).toEqual([order.clientOrderId]);
  });

  it('never reuses an order id after a gateway restart rolls nextValidId back', async () => {
    const { gw, a, events } = await start(sv);
    await a.adapter.connect();
    const first = [intent({ type: 'limit', limitPrice: 150 }), intent({ type: 'limit', limitPrice: 151 })];
    for (const o of first) await submit(a, o);
    await until(() => first.every((o) => kinds(events, o).includes('order.accepted')), 'both acknowledgements');
    await gw.restart({ nextValidId: 1000 });
    await until(() => gw.connectionCount === 2 && a.adapter.broker.isConnected(), 'the reconnect');
    const later = intent();
    await submit(a, later);
    await until(() => kinds(events, later).includes('order.filled'), 'the later fill');
    // A new process with the same persisted mark, against the same rolled-back gateway.
    const again = adapterFor(gw, { orderIdStore: a.ids, clientId: 8 });
    under.push(again);
    await again.adapter.connect();
    await submit(again, intent());
    await gw.waitUntil(() => gw.receivedOf('placeOrder').length === 4, 'the fourth order');
    const ids = gw.receivedOf('placeOrder').map((p) => p.orderId);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(kinds(events, first[0] as OrderIntent)).toEqual(['order.accepted']);
  });

  it('1101 requests market data again; 1102 only reconciles', async () => {
    const { gw, a, reports } = await start(sv);
    await a.adapter.connect();
    a.adapter.marketData.subscribe(['AAPL']);
    await gw.waitForRequest('reqRealTimeBars', (r) => r.contract.symbol === 'AAPL');
    gw.sendError(-1, 1102);
    await until(() => reports.some((r) => r.reason === 'restored (1102)'), 'the 1102 reconciliation');
    expect(gw.receivedOf('reqRealTimeBars')).toHaveLength(1);
    gw.sendError(-1, 1101);
    await gw.waitUntil(() => gw.receivedOf('reqRealTimeBars').length === 2, 'the new subscription');
    await until(() => reports.some((r) => r.reason === 'restored (1101): data lost'), 'the 1101 reconciliation');
    const [firstReq, secondReq] = gw.receivedOf('reqRealTimeBars');
    expect(gw.receivedOf('cancelRealTimeBars').map((c) => c.reqId)).toEqual([firstReq?.reqId]);
    expect(secondReq?.reqId).not.toBe(firstReq?.reqId);
  });

  it('1100 stops orders until IBKR is back; a broken farm only degrades', async () => {
    const { gw, a, broker } = await start(sv);
    await a.adapter.connect();
    gw.sendError(-1, 1100);
    await until(() => !broker.isConnected(), 'the lost state');
    expect((await a.adapter.control.status()).ibkr_link).toBe('lost');
    await expect(submit(a, intent())).rejects.toMatchObject({ code: 'not_connected' });
    gw.sendError(-1, 1102);
    await until(() => broker.isConnected(), 'the restore');
    const states = record(broker.connection$);
    gw.sendError(-1, 2103);
    await until(() => states.includes('degraded'), 'degraded');
    expect(broker.isConnected()).toBe(true);
    expect((await a.adapter.control.status()).broken_farms).toEqual(['usfarm']);
    gw.sendError(-1, 2104);
    await until(() => states.at(-1) === 'connected', 'connected again');
    expect(gw.receivedOf('placeOrder')).toHaveLength(0);
  });

  it('retries with the same client id while the id is in use (326), then connects', async () => {
    const g = await startFakeGateway({ serverVersion: sv });
    gw = g;
    const other = new IBApi({ host: '127.0.0.1', port: g.port });
    raw.push(other);
    const otherReady = new Promise((resolve) => other.once(EventName.nextValidId, resolve));
    other.connect(7);
    await otherReady;
    const a = adapterFor(g);
    under.push(a);
    const connecting = a.adapter.connect();
    await g.waitUntil(() => g.receivedOf('startApi').length >= 3, 'two refused attempts');
    expect(a.adapter.broker.isConnected()).toBe(false);
    expect((await a.adapter.control.status()).last_error).toMatchObject({ code: 326 });
    other.disconnect();
    await connecting;
    await until(() => a.adapter.broker.isConnected(), 'the connection');
    expect(new Set(g.receivedOf('startApi').map((r) => r.requestedClientId))).toEqual(new Set(['7']));
  });

  it('builds validated 1-minute bars from 5-second bars after warm-up history', async () => {
    const { gw, a } = await start(sv, { tuning: { warmup: '1 D' } });
    const minute = (m: number) => Date.UTC(2026, 10, 2, 14, 30 + m) / 1000;
    gw.setHistoricalBars('AAPL', [
      { time: String(minute(0)), open: 100, high: 101, low: 99, close: 100.5, volume: 1000 },
      { time: String(minute(1)), open: 100.5, high: 102, low: 100, close: 101, volume: 900 },
    ]);
    await a.adapter.connect();
    const bars = record<Bar>(a.adapter.marketData.bars$);
    a.adapter.marketData.subscribe(['AAPL']);
    await until(() => bars.length === 2, 'the warm-up bars');
    await gw.waitForRequest('reqRealTimeBars');
    // Minute 1 is covered by history; minute 2 is built live; one bad 5-second bar is dropped.
    for (let s = 0; s < 60; s += 5)
      gw.pushRealTimeBar('AAPL', { time: minute(1) + s, open: 101, high: 101, low: 101, close: 101, volume: 1 });
    gw.pushRealTimeBar('AAPL', { time: minute(2), open: 101, high: 100, low: 102, close: 101, volume: 1 });
    for (let s = 0; s < 60; s += 5)
      gw.pushRealTimeBar('AAPL', {
        time: minute(2) + s,
        open: 101 + s / 100,
        high: 102,
        low: 100,
        close: 101 + s / 100,
        volume: 10,
      });
    await until(() => bars.length === 3, 'the live bar');
    expect(bars.map((b) => [b.ts, b.open, b.high, b.low, b.close, b.volume])).toEqual([
      [minute(0) * 1000, 100, 101, 99, 100.5, 1000],
      [minute(1) * 1000, 100.5, 102, 100, 101, 900],
      [minute(2) * 1000, 101, 102, 100, 101.55, 120],
    ]);
    expect(a.adapter.marketData.invalidCount()).toBe(1);
    expect(a.adapter.marketData.lastPrice('AAPL')).toBe(101.55);
  });
});

describe('IBKR market data on the fake gateway', () => {
  it('keeps the last trade price from ticks and drops an invalid one', async () => {
    const { gw, a } = await start(193, { tuning: { ticks: true } });
    await a.adapter.connect();
    a.adapter.marketData.subscribe(['AAPL', 'not a symbol']);
    await gw.waitForRequest('reqMktData', (r) => r.contract.symbol === 'AAPL');
    gw.pushTick('AAPL', { last: 191.25 });
    await until(() => a.adapter.marketData.lastPrice('AAPL') === 191.25, 'the tick');
    gw.pushTick('AAPL', { last: -3 });
    gw.pushTick('AAPL', { last: 192 });
    await until(() => a.adapter.marketData.lastPrice('AAPL') === 192, 'the next tick');
    expect(a.adapter.marketData.invalidCount()).toBe(1);
    expect(a.adapter.marketData.symbols()).toEqual(['AAPL']);
  });

  it("reads the previous NYSE session's high, low and close from daily bars", async () => {
    const { gw, a } = await start(193);
    gw.setHistoricalBars('SPY', [
      { time: '20261030', open: 500, high: 505, low: 495, close: 501, volume: 1e6 },
      { time: '20261102', open: 501, high: 510, low: 498, close: 507, volume: 1e6 },
      { time: '20261103', open: 507, high: 512, low: 503, close: 511, volume: 1e6 },
    ]);
    await a.adapter.connect();
    const asOf = Date.UTC(2026, 10, 3, 16, 0); // Tuesday 2026-11-03 11:00 New York
    expect(await a.adapter.marketData.previousDayLevels('SPY', asOf)).toEqual({
      date: '2026-11-02',
      high: 510,
      low: 498,
      close: 507,
    });
    const [request] = gw.receivedOf('reqHistoricalData');
    expect(request).toMatchObject({ barSize: '1 day', duration: '5 D', useRTH: true, whatToShow: 'TRADES' });
  });
});

describe('IBKR history errors on the fake gateway', () => {
  it('fails only the request IBKR refused (162 pacing violation), with its code and text', async () => {
    const { gw, a } = await start(193);
    gw.failHistoricalData(
      'MSFT',
      162,
      'Historical Market Data Service error message:Historical data request pacing violation',
    );
    gw.setHistoricalBars('AAPL', [
      { time: String(Date.UTC(2026, 10, 2, 15) / 1000), open: 1, high: 1, low: 1, close: 1, volume: 1 },
    ]);
    await a.adapter.connect();
    const refused = a.adapter.marketData.history({ symbol: 'MSFT', timeframe: '1m', duration: '1 D' });
    const fine = a.adapter.marketData.history({ symbol: 'AAPL', timeframe: '1m', duration: '1 D' });
    await expect(refused).rejects.toMatchObject({ code: 162, message: expect.stringMatching(/pacing violation/) });
    expect(await fine).toHaveLength(1);
    await expect(
      a.adapter.marketData.history({ symbol: 'AAPL', timeframe: '1m', duration: 'two days' }),
    ).rejects.toMatchObject({
      code: 'validation_error',
    });
  });
});

describe('needs from the fake gateway (not emulated yet)', () => {
  it.todo(
    'a live EXECUTION_DATA delivered twice with the same execId is reported once — needs a gateway hook to re-send an execution (e.g. gw.replayExecution(execId))',
  );
  it.todo(
    'a bracket stop fill reduces/cancels the target through the OCA group — needs OCA and parent/child activation in the fake (README: not emulated)',
  );
});

describe('IBKR control on the fake gateway', () => {
  it('rejects with not_connected while disconnected', async () => {
    const { a } = await start(193);
    for (const call of [
      () => a.adapter.control.account(),
      () => a.adapter.control.positions(),
      () => a.adapter.control.test(),
    ])
      await expect(call()).rejects.toMatchObject({ name: 'DomainError', code: 'not_connected' });
    expect(await a.adapter.control.status()).toMatchObject({ connected: false, state: 'disconnected' });
  });

  it('disconnects on request (no retry) and connects again with the same client id', async () => {
    const { gw, a } = await start(193);
    expect(await a.adapter.control.connect()).toMatchObject({ connected: true, state: 'connected' });
    expect(await a.adapter.control.disconnect()).toMatchObject({ connected: false, state: 'disconnected' });
    await gw.waitUntil(() => gw.sessionInfo.length === 0, 'the session to close');
    await expect(a.adapter.control.account()).rejects.toMatchObject({ code: 'not_connected' });
    expect(gw.connectionCount).toBe(1);
    expect(await a.adapter.control.connect()).toMatchObject({ connected: true });
    expect(gw.receivedOf('startApi').map((r) => r.requestedClientId)).toEqual(['7', '7']);
  });

  it('connect reports a refused gateway as not_connected and keeps retrying', async () => {
    const g = await startFakeGateway();
    const port = g.port;
    await g.close();
    const a = adapterFor({ port } as FakeGateway, { tuning: { connectTimeoutMs: 200 } });
    under.push(a);
    await expect(a.adapter.control.connect()).rejects.toMatchObject({
      code: 'not_connected',
      message: expect.stringMatching(/still retrying/),
    });
    expect((await a.adapter.control.status()).state).toBe('connecting');
  });

  it('reads the account summary and positions (a zero position does not hide later ones)', async () => {
    const { gw, a } = await start(193);
    gw.setAccountValues({
      NetLiquidation: 100_000,
      TotalCashValue: 40_000,
      SettledCash: 39_000,
      AvailableFunds: 80_000,
      BuyingPower: 320_000,
      DayTradesRemaining: 3,
      GrossPositionValue: 60_000,
      InitMarginReq: 15_000,
      MaintMarginReq: 12_000,
      ExcessLiquidity: 85_000,
    });
    gw.setPositions([
      { symbol: 'AAPL', quantity: 100, avgCost: 150 },
      { symbol: 'MSFT', quantity: 50, avgCost: 300 },
      { symbol: 'TSLA', quantity: 20, avgCost: 200 },
    ]);
    await a.adapter.connect();
    gw.setPosition({ symbol: 'MSFT', quantity: 0, avgCost: 0 });
    expect(await a.adapter.control.account()).toMatchObject({
      account_id: 'DU1234567',
      net_liquidation: 100_000,
      total_cash_value: 40_000,
      settled_cash: 39_000,
      available_funds: 80_000,
      buying_power: 320_000,
      day_trades_remaining: 3,
      gross_position_value: 60_000,
      init_margin_req: 15_000,
      maint_margin_req: 12_000,
      excess_liquidity: 85_000,
      currency: 'USD',
    });
    expect(await a.adapter.control.positions()).toEqual([
      { symbol: 'AAPL', quantity: 100, avg_cost: 150, account: 'DU1234567' },
      { symbol: 'TSLA', quantity: 20, avg_cost: 200, account: 'DU1234567' },
    ]);
    expect(a.adapter.control.lastAccountSummary()?.net_liquidation).toBe(100_000);
  });

  it('test reports each check', async () => {
    const { gw, a } = await start(193, { tuning: { testSymbol: 'AAPL' } });
    gw.setAccountValues({ NetLiquidation: 5_000 });
    await a.adapter.connect();
    const result = await a.adapter.control.test();
    expect(result).toMatchObject({ ok: true, mode: 'paper' });
    const checks = result['checks'] as { name: string; ok: boolean; detail: Record<string, unknown> }[];
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['gateway_time', true],
      ['account', true],
      ['positions', true],
      ['market_data', true],
    ]);
    expect(checks[1]?.detail).toMatchObject({ net_liquidation: 5_000 });
    expect(checks[3]?.detail).toMatchObject({ symbol: 'AAPL', price: 190 });
  });

  it("test reports a failing check with IBKR's reason", async () => {
    gw = await startFakeGateway({ autoDefineContracts: false });
    const a = adapterFor(gw, { tuning: { testSymbol: 'ZZZZ' } });
    under.push(a);
    await a.adapter.connect();
    const result = await a.adapter.control.test();
    expect(result['ok']).toBe(false);
    const checks = result['checks'] as { name: string; ok: boolean; detail: Record<string, unknown> }[];
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['gateway_time', true],
      ['account', false],
      ['positions', true],
      ['market_data', false],
    ]);
    expect(checks[3]?.detail['error']).toMatch(/No security definition/);
  });

  it('sends a bracket as parent + stop + target with parentId, one OCA group and transmit only on the last', async () => {
    const { gw, a, events } = await start(193, { tuning: { bracketEntries: true } });
    await a.adapter.connect();
    const order = intent({ type: 'limit', limitPrice: 150, stopLoss: 140, takeProfit: 170 });
    await submit(a, order);
    await gw.waitUntil(() => gw.receivedOf('placeOrder').length === 3);
    const [parent, stop, target] = gw.receivedOf('placeOrder');
    expect([parent, stop, target].map((p) => [p?.orderRef, p?.orderType, p?.action, p?.transmit])).toEqual([
      [order.clientOrderId, 'LMT', 'BUY', false],
      [`${order.clientOrderId}:stop`, 'STP', 'SELL', false],
      [`${order.clientOrderId}:target`, 'LMT', 'SELL', true],
    ]);
    expect(stop?.parentId).toBe(parent?.orderId);
    expect(target?.parentId).toBe(parent?.orderId);
    expect(stop?.ocaGroup).toBe(`oca-${order.clientOrderId}`);
    expect(target?.ocaGroup).toBe(stop?.ocaGroup);
    expect(parent?.ocaGroup).toBe('');
    await until(() => kinds(events, order).includes('order.accepted'), 'the acknowledgement');
  });
});
