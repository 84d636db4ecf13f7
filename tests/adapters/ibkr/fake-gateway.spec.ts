import {
  BarSizeSetting,
  ConnectionState,
  EventName,
  OrderAction,
  OrderType,
  SecType,
  WhatToShow,
  type CommissionReport,
  type Contract,
  type Execution,
  type IBApi,
  type Order,
  type OrderState,
} from '@stoqey/ib';
import { ReplaySubject, filter, firstValueFrom, skip, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../../support/fake-gateway/fake-gateway.js';
import type { FakeGatewayOptions } from '../../support/fake-gateway/fake-gateway.types.js';
import {
  closeClients,
  collectEvents,
  connectIBApi,
  createIBApiNext,
  nextEvent,
  rawApiOf,
} from '../../support/fake-gateway/test-clients.js';

/**
 * The unmodified @stoqey/ib 1.6.10 client (IBApi and IBApiNext) against the fake gateway over
 * 127.0.0.1, at the server versions a real gateway negotiates (176 ≈ IBG 10.19, 187 ≈ 10.30,
 * 193 = the client's maximum). Facts from the project's TWS-protocol research notes (§4–§10).
 */

const AAPL: Contract = { symbol: 'AAPL', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
const MSFT: Contract = { symbol: 'MSFT', secType: SecType.STK, exchange: 'SMART', currency: 'USD' };

const marketOrder = (action: OrderAction, qty: number, orderRef: string): Order => ({
  action,
  orderType: OrderType.MKT,
  totalQuantity: qty,
  orderRef,
  transmit: true,
});

const limitOrder = (action: OrderAction, qty: number, price: number, orderRef: string): Order => ({
  action,
  orderType: OrderType.LMT,
  totalQuantity: qty,
  lmtPrice: price,
  orderRef,
  transmit: true,
});

type OrderStatusArgs = [number, string, number, number, number, number, number, number, number, string, number];
type ExecArgs = [number, Contract, Execution];
type OpenOrderArgs = [number, Contract, Order, OrderState];
type CompletedArgs = [Contract, Order, OrderState];
type ErrorArgs = [Error, number, number];

const gateways: FakeGateway[] = [];

const start = async (options: FakeGatewayOptions): Promise<FakeGateway> => {
  const gw = await startFakeGateway(options);
  gateways.push(gw);
  return gw;
};

afterEach(async () => {
  closeClients();
  const all = gateways.splice(0);
  try {
    for (const gw of all) {
      expect(gw.decodeErrors, 'no decode error (505) at any time').toEqual([]);
      expect(gw.clientErrors.filter((e) => e.code === 505)).toEqual([]);
    }
  } finally {
    await Promise.all(all.map((gw) => gw.close()));
  }
});

describe.each([176, 187, 193])('fake IB Gateway at server version %i', (serverVersion) => {
  const gatewayAt = (options: FakeGatewayOptions = {}): Promise<FakeGateway> => start({ serverVersion, ...options });

  it('completes the handshake and delivers managed accounts and the next valid id', async () => {
    const gw = await gatewayAt({ accounts: ['DU111', 'DU222'], nextValidId: 5000, clock: () => 1_704_205_800_123 });
    const ib = createIBApiNext(gw);
    ib.connect(17);
    expect(await ib.getManagedAccounts()).toEqual(['DU111', 'DU222']);
    expect(await ib.getNextValidOrderId()).toBe(5000);
    expect(ib.isConnected).toBe(true);
    expect(gw.sessionInfo).toEqual([expect.objectContaining({ clientId: 17, serverVersion })]);
    expect(gw.receivedOf('startApi')[0]?.requestedClientId).toBe('17');
    expect(await ib.getCurrentTime()).toBe(1_704_205_800);
  });

  it('delivers account-summary values under the requested tags, then live updates', async () => {
    const gw = await gatewayAt();
    gw.setAccountValues({
      NetLiquidation: 100_000.5,
      TotalCashValue: 40_000,
      SettledCash: 35_000,
      AvailableFunds: 38_000,
      BuyingPower: 152_000,
      DayTradesRemaining: 2,
      GrossPositionValue: 60_000,
      InitMarginReq: 15_000,
      MaintMarginReq: 12_000,
      ExcessLiquidity: 88_000,
      Cushion: 0.88,
    });
    const ib = createIBApiNext(gw);
    ib.connect(1);
    const tags =
      'NetLiquidation,TotalCashValue,SettledCash,AvailableFunds,BuyingPower,DayTradesRemaining,GrossPositionValue,InitMarginReq,MaintMarginReq,ExcessLiquidity';
    const summary$ = keepSubscribed(ib.getAccountSummary('All', tags));
    const first = await firstValueFrom(summary$);
    const values = first.all.get('DU1234567');
    const read = (tag: string, currency: string): string | undefined => values?.get(tag)?.get(currency)?.value;
    expect(read('NetLiquidation', 'USD')).toBe('100000.5');
    expect(read('TotalCashValue', 'USD')).toBe('40000');
    expect(read('SettledCash', 'USD')).toBe('35000');
    expect(read('AvailableFunds', 'USD')).toBe('38000');
    expect(read('BuyingPower', 'USD')).toBe('152000');
    expect(read('DayTradesRemaining', '')).toBe('2');
    expect(read('GrossPositionValue', 'USD')).toBe('60000');
    expect(read('InitMarginReq', 'USD')).toBe('15000');
    expect(read('MaintMarginReq', 'USD')).toBe('12000');
    expect(read('ExcessLiquidity', 'USD')).toBe('88000');
    expect(values?.has('Cushion')).toBe(false); // not requested
    expect(gw.receivedOf('reqAccountSummary')[0]?.tags).toEqual(tags.split(','));

    const update = firstValueFrom(summary$.pipe(filter((u) => u.changed !== undefined)));
    gw.setAccountValues({ TotalCashValue: 39_000 });
    const changed = await update;
    expect(changed.changed?.get('DU1234567')?.get('TotalCashValue')?.get('USD')?.value).toBe('39000');
  });

  it('delivers positions, and reproduces the IBApiNext zero-position bug that drops later positions', async () => {
    const gw = await gatewayAt();
    gw.setPositions([
      { symbol: 'AAPL', quantity: 100, avgCost: 150.25 },
      { symbol: 'MSFT', quantity: 50, avgCost: 400 },
      { symbol: 'TSLA', quantity: -20, avgCost: 250 },
    ]);
    const ib = createIBApiNext(gw);
    ib.connect(1);
    const positions$ = keepSubscribed(ib.getPositions());
    const initial = await firstValueFrom(positions$);
    const list = initial.all.get('DU1234567') ?? [];
    expect(list.map((p) => [p.contract.symbol, p.pos, p.avgCost])).toEqual([
      ['AAPL', 100, 150.25],
      ['MSFT', 50, 400],
      ['TSLA', -20, 250],
    ]);
    expect(list[0]?.contract.conId).toBe(gw.contractOf('AAPL')?.conId);

    // Closing MSFT (index 1): the client's `splice(index)` has no delete count, so TSLA vanishes too.
    const removal = firstValueFrom(positions$.pipe(filter((u) => u.removed !== undefined)));
    gw.setPosition({ symbol: 'MSFT', quantity: 0, avgCost: 0 });
    const afterClose = await removal;
    expect(afterClose.removed?.get('DU1234567')?.map((p) => p.contract.symbol)).toEqual(['MSFT']);
    expect(afterClose.all.get('DU1234567')?.map((p) => p.contract.symbol)).toEqual(['AAPL']);
    // The broker still holds TSLA; only the client's aggregate lost it.
    expect(gw.positionsOf().map((p) => p.symbol)).toEqual(['AAPL', 'MSFT', 'TSLA']);
  });

  it('streams account updates: values, portfolio, download end, then changes from fills', async () => {
    const gw = await gatewayAt();
    gw.setAccountValues({ NetLiquidation: 50_000, TotalCashValue: 20_000, AccountType: 'INDIVIDUAL' });
    gw.setPositions([{ symbol: 'AAPL', quantity: 10, avgCost: 150, marketPrice: 160 }]);
    gw.setMarketPrice('AAPL', 160);
    const { api } = await connectIBApi(gw, 2);
    const values = collectEvents<[string, string, string, string]>(api, EventName.updateAccountValue);
    const portfolio = collectEvents<[Contract, number, number, number, number, number, number, string]>(
      api,
      EventName.updatePortfolio,
    );
    const end = nextEvent<[string]>(api, EventName.accountDownloadEnd);
    api.reqAccountUpdates(true, 'DU1234567');
    expect(await end).toEqual(['DU1234567']);
    expect(values.events).toEqual([
      ['NetLiquidation', '50000', 'USD', 'DU1234567'],
      ['TotalCashValue', '20000', 'USD', 'DU1234567'],
      ['AccountType', 'INDIVIDUAL', '', 'DU1234567'],
    ]);
    expect(portfolio.events.map(([c, ...rest]) => [c.symbol, ...rest])).toEqual([
      ['AAPL', 10, 160, 1600, 150, 100, 0, 'DU1234567'],
    ]);

    const nextPortfolio = nextEvent<[Contract, number]>(api, EventName.updatePortfolio);
    api.placeOrder(1000, AAPL, marketOrder(OrderAction.SELL, 4, 'ref-acct'));
    const [contract, position] = await nextPortfolio;
    expect([contract.symbol, position]).toEqual(['AAPL', 6]);
    const nextValue = nextEvent<[string, string]>(api, EventName.updateAccountValue);
    gw.setAccountValues({ TotalCashValue: 20_639 });
    expect((await nextValue).slice(0, 2)).toEqual(['TotalCashValue', '20639']);
  });

  it('answers contract details with the defined contract, and 200 for unknown symbols when not auto-defining', async () => {
    const gw = await gatewayAt({ autoDefineContracts: false });
    gw.defineContract({ symbol: 'AAPL', conId: 265598, longName: 'APPLE INC', primaryExch: 'NASDAQ', minTick: 0.01 });
    const ib = createIBApiNext(gw);
    ib.connect(1);
    const details = await ib.getContractDetails(AAPL);
    expect(details).toHaveLength(1);
    expect(details[0]?.contract).toMatchObject({
      symbol: 'AAPL',
      conId: 265598,
      primaryExch: 'NASDAQ',
      currency: 'USD',
    });
    expect(details[0]?.longName).toBe('APPLE INC');
    expect(details[0]?.minTick).toBe(0.01);
    await expect(ib.getContractDetails({ ...AAPL, symbol: 'NOPE' })).rejects.toMatchObject({ code: 200 });
  });

  it('serves historical bars with exact values and records the request', async () => {
    const gw = await gatewayAt();
    gw.setHistoricalBars('AAPL', [
      {
        time: '20240102',
        open: 187.15,
        high: 188.44,
        low: 183.885,
        close: 185.64,
        volume: 82_488_674,
        wap: 185.9,
        count: 1_009_074,
      },
      { time: '20240103', open: 184.22, high: 185.88, low: 183.43, close: 184.25, volume: 58_414_460 },
    ]);
    const ib = createIBApiNext(gw);
    ib.connect(1);
    const bars = await ib.getHistoricalData(
      AAPL,
      '20240104 16:00:00 US/Eastern',
      '2 D',
      BarSizeSetting.DAYS_ONE,
      WhatToShow.TRADES,
      1,
      1,
    );
    expect(bars).toEqual([
      {
        time: '20240102',
        open: 187.15,
        high: 188.44,
        low: 183.885,
        close: 185.64,
        volume: 82_488_674,
        WAP: 185.9,
        count: 1_009_074,
      },
      {
        time: '20240103',
        open: 184.22,
        high: 185.88,
        low: 183.43,
        close: 184.25,
        volume: 58_414_460,
        WAP: 184.25,
        count: 1,
      },
    ]);
    const req = gw.receivedOf('reqHistoricalData')[0];
    expect(req).toMatchObject({
      endDateTime: '20240104 16:00:00 US/Eastern',
      duration: '2 D',
      barSize: '1 day',
      whatToShow: 'TRADES',
      useRTH: true,
      formatDate: 1,
      keepUpToDate: false,
    });
    expect(req?.contract.symbol).toBe('AAPL');
    await expect(
      ib.getHistoricalData(MSFT, '', '1 D', BarSizeSetting.MINUTES_ONE, WhatToShow.TRADES, 1, 1),
    ).rejects.toMatchObject({ code: 162 });

    const { api } = await connectIBApi(gw, 4);
    const update = nextEvent<[number, string, number, number, number, number, number, number, number]>(
      api,
      EventName.historicalDataUpdate,
    );
    api.reqHistoricalData(77, AAPL, '', '1 D', BarSizeSetting.DAYS_ONE, WhatToShow.TRADES, 1, 1, true);
    await gw.waitForRequest('reqHistoricalData', (r) => r.reqId === 77 && r.keepUpToDate);
    gw.pushHistoricalBarUpdate('AAPL', {
      time: '20240104',
      open: 184,
      high: 186,
      low: 183,
      close: 185.5,
      volume: 1000,
      count: 9,
    });
    expect(await update).toEqual([77, '20240104', 184, 186, 183, 185.5, 1000, 9, 185.5]);
  });

  it('streams market-data ticks and real-time bars', async () => {
    const gw = await gatewayAt();
    const ib = createIBApiNext(gw);
    ib.connect(1);
    const ticks$ = ib.getMarketData(AAPL, '', false, false);
    const withLast = firstValueFrom(ticks$.pipe(filter((u) => u.all.get(4)?.value === 190.25 && u.all.has(0))));
    await gw.waitForRequest('reqMktData');
    gw.pushTick('AAPL', { bid: 190.2, ask: 190.3, last: 190.25, bidSize: 300, askSize: 400, lastSize: 100 });
    const md = await withLast;
    expect(md.all.get(1)?.value).toBe(190.2); // BID
    expect(md.all.get(2)?.value).toBe(190.3); // ASK
    expect(md.all.get(0)?.value).toBe(300); // BID_SIZE (explicit TICK_SIZE; the implied one is lost to a client bug)
    expect(md.all.get(3)?.value).toBe(400); // ASK_SIZE
    expect(md.all.get(5)?.value).toBe(100); // LAST_SIZE

    const bars$ = ib.getRealTimeBars(AAPL, WhatToShow.TRADES, true);
    const firstBar = firstValueFrom(bars$);
    await gw.waitForRequest('reqRealTimeBars');
    gw.pushRealTimeBar('AAPL', {
      time: 1_704_205_800,
      open: 190,
      high: 190.5,
      low: 189.9,
      close: 190.4,
      volume: 1200,
      wap: 190.2,
      count: 37,
    });
    const delayedLast = nextEvent<[number, number, number]>(
      rawApiOf(ib),
      EventName.tickPrice,
      (id, type) => id === 99 && type === 68,
    );
    rawApiOf(ib).reqMarketDataType(3);
    rawApiOf(ib).reqMktData(99, MSFT, '', false, false);
    await gw.waitForRequest('reqMktData', (r) => r.reqId === 99);
    gw.pushTick('MSFT', { last: 410.5 });
    expect((await delayedLast)[2]).toBe(410.5); // DELAYED_LAST after reqMarketDataType(3)
    expect(await firstBar).toEqual({
      time: '1704205800',
      open: 190,
      high: 190.5,
      low: 189.9,
      close: 190.4,
      volume: 1200,
      WAP: 190.2,
      count: 37,
    });
  });

  it('fills a market order with execution and commission, like a real gateway', async () => {
    const gw = await gatewayAt();
    gw.setMarketPrice('AAPL', 190.5);
    const { api, nextValidId } = await connectIBApi(gw, 3);
    expect(nextValidId).toBe(1000);
    const statuses = collectEvents<OrderStatusArgs>(api, EventName.orderStatus);
    const openOrders = collectEvents<OpenOrderArgs>(api, EventName.openOrder);
    const exec = nextEvent<ExecArgs>(api, EventName.execDetails);
    const commission = nextEvent<[CommissionReport]>(api, EventName.commissionReport);
    api.placeOrder(nextValidId, AAPL, marketOrder(OrderAction.BUY, 10, 'ref-mkt-1'));

    const [reqId, contract, execution] = await exec;
    const [report] = await commission;
    expect(reqId).toBe(-1);
    expect(contract).toMatchObject({ symbol: 'AAPL', conId: gw.contractOf('AAPL')?.conId });
    expect(execution).toMatchObject({
      orderId: 1000,
      side: 'BOT',
      shares: 10,
      price: 190.5,
      cumQty: 10,
      avgPrice: 190.5,
      orderRef: 'ref-mkt-1',
      clientId: 3,
      acctNumber: 'DU1234567',
    });
    expect(report).toMatchObject({ execId: execution.execId, commission: 1, currency: 'USD' });
    expect(report.realizedPNL).toBeUndefined(); // Double.MAX on an opening fill
    expect(statuses.events.map((s) => s[1])).toEqual(['Submitted', 'Filled', 'Filled']);
    const filled = statuses.events[2];
    expect(filled?.slice(0, 6)).toEqual([
      1000,
      'Filled',
      10,
      0,
      190.5,
      gw.findOrder({ orderRef: 'ref-mkt-1' })?.permId,
    ]);
    expect(openOrders.events.at(-1)?.[3]).toMatchObject({ status: 'Filled', commission: 1, commissionCurrency: 'USD' });
    expect(openOrders.events.at(-1)?.[2]).toMatchObject({ orderRef: 'ref-mkt-1', clientId: 3, totalQuantity: 10 });
    expect(gw.positionsOf()).toEqual([
      { symbol: 'AAPL', quantity: 10, avgCost: 190.6, account: 'DU1234567', marketPrice: 190.5 },
    ]);

    // A second order gets a different permId and execId.
    const second = nextEvent<ExecArgs>(api, EventName.execDetails);
    api.placeOrder(1001, AAPL, marketOrder(OrderAction.SELL, 10, 'ref-mkt-2'));
    const [, , exec2] = await second;
    expect(exec2.permId).not.toBe(execution.permId);
    expect(exec2.execId).not.toBe(execution.execId);
    expect(exec2.side).toBe('SLD');
    expect(gw.positionsOf()[0]?.quantity).toBe(0);
    expect(gw.placeOrdersFor('ref-mkt-1')).toHaveLength(1);
  });

  it('delivers scripted partial fills with cumulative quantities', async () => {
    const gw = await gatewayAt();
    gw.scriptOrder(
      {
        kind: 'partial',
        fills: [
          { qty: 30, price: 100 },
          { qty: 20, price: 101 },
        ],
        then: 'hold',
      },
      { orderRef: 'ref-part' },
    );
    const { api, nextValidId } = await connectIBApi(gw, 3);
    const execs = collectEvents<ExecArgs>(api, EventName.execDetails);
    const statuses = collectEvents<OrderStatusArgs>(api, EventName.orderStatus);
    api.placeOrder(nextValidId, AAPL, limitOrder(OrderAction.BUY, 100, 101, 'ref-part'));
    await gw.waitUntil(() => gw.executions.length === 2);
    await statusMatching(api, statuses.events, (s) => s[2] === 50);
    expect(execs.events.map(([, , e]) => [e.shares, e.price, e.cumQty, e.avgPrice])).toEqual([
      [30, 100, 30, 100],
      [20, 101, 50, 100.4],
    ]);
    expect(statuses.events.at(-1)?.slice(1, 5)).toEqual(['Submitted', 50, 50, 100.4]);
    expect(gw.findOrder({ orderRef: 'ref-part' })?.status).toBe('Submitted');

    gw.fillOrder({ orderRef: 'ref-part' }, { price: 100.5 });
    const final = await statusMatching(api, statuses.events, (s) => s[1] === 'Filled');
    expect(final.slice(1, 5)).toEqual(['Filled', 100, 0, 100.45]);
  });

  it('fills unscripted limit orders when the market crosses them', async () => {
    const gw = await gatewayAt();
    gw.setMarketPrice('AAPL', 100);
    const { api, nextValidId } = await connectIBApi(gw, 3);
    const submitted = nextEvent<OrderStatusArgs>(api, EventName.orderStatus, (_id, s) => s === 'Submitted');
    api.placeOrder(nextValidId, AAPL, limitOrder(OrderAction.BUY, 10, 99, 'ref-lmt'));
    await submitted;
    expect(gw.executions).toEqual([]);
    const exec = nextEvent<ExecArgs>(api, EventName.execDetails);
    gw.pushTick('AAPL', { last: 99.5 });
    gw.pushTick('AAPL', { last: 98.75 });
    const [, , e] = await exec;
    expect([e.orderRef, e.shares, e.price]).toEqual(['ref-lmt', 10, 98.75]);
    expect(gw.findOrder({ orderRef: 'ref-lmt' })?.status).toBe('Filled');
  });

  it('rejects a scripted order with 201 and reports it Inactive', async () => {
    const gw = await gatewayAt();
    gw.scriptOrder(
      { kind: 'reject', text: 'Order rejected - reason: YOUR ORDER IS NOT ACCEPTED' },
      { orderRef: 'ref-rej' },
    );
    const { api, nextValidId } = await connectIBApi(gw, 3);
    const error = nextEvent<ErrorArgs>(api, EventName.error, (_e, code) => code === 201);
    const inactive = nextEvent<OrderStatusArgs>(api, EventName.orderStatus, (_id, status) => status === 'Inactive');
    api.placeOrder(nextValidId, AAPL, marketOrder(OrderAction.BUY, 10, 'ref-rej'));
    const [err, code, id] = await error;
    expect([err.message, code, id]).toEqual(['Order rejected - reason: YOUR ORDER IS NOT ACCEPTED', 201, nextValidId]);
    expect((await inactive)[0]).toBe(nextValidId);
    expect(gw.executions).toEqual([]);
    expect(gw.completedOrders[0]).toMatchObject({ status: 'Inactive', orderRef: 'ref-rej' });
  });

  it('cancels with 202: a client cancel of a held order, and a cancel by IB', async () => {
    const gw = await gatewayAt();
    gw.scriptOrder({ kind: 'hold' }, { orderRef: 'ref-hold' });
    gw.scriptOrder({ kind: 'cancel', text: 'Order Canceled - reason: market closed' }, { orderRef: 'ref-ibcancel' });
    const { api, nextValidId } = await connectIBApi(gw, 3);
    const submitted = nextEvent<OrderStatusArgs>(
      api,
      EventName.orderStatus,
      (id, s) => id === nextValidId && s === 'Submitted',
    );
    api.placeOrder(nextValidId, AAPL, limitOrder(OrderAction.BUY, 5, 50, 'ref-hold'));
    await submitted;
    const cancelled = nextEvent<OrderStatusArgs>(
      api,
      EventName.orderStatus,
      (id, s) => id === nextValidId && s === 'Cancelled',
    );
    const err202 = nextEvent<ErrorArgs>(api, EventName.error, (_e, code, id) => code === 202 && id === nextValidId);
    api.cancelOrder(nextValidId);
    await cancelled;
    expect((await err202)[0].message).toBe('Order Canceled - reason:');

    const byIb = nextEvent<ErrorArgs>(api, EventName.error, (_e, code, id) => code === 202 && id === nextValidId + 1);
    api.placeOrder(nextValidId + 1, AAPL, limitOrder(OrderAction.BUY, 5, 50, 'ref-ibcancel'));
    expect((await byIb)[0].message).toBe('Order Canceled - reason: market closed');

    const late = nextEvent<ErrorArgs>(api, EventName.error, (_e, code) => code === 10148);
    api.cancelOrder(nextValidId);
    expect((await late)[2]).toBe(nextValidId);
    expect(gw.completedOrders.map((o) => [o.orderRef, o.status])).toEqual([
      ['ref-hold', 'Cancelled'],
      ['ref-ibcancel', 'Cancelled'],
    ]);
  });

  it('keeps completed orders and executions for a client reconnecting after a drop at placeOrder', async () => {
    const gw = await gatewayAt();
    gw.setMarketPrice('AAPL', 190);
    gw.scriptOrder({ kind: 'dropAfterPlace', then: { kind: 'fill', price: 189.5 } }, { orderRef: 'ref-drop' });
    const first = await connectIBApi(gw, 9);
    const gone = nextEvent<[]>(first.api, EventName.disconnected);
    first.api.placeOrder(first.nextValidId, AAPL, marketOrder(OrderAction.BUY, 7, 'ref-drop'));
    await gone;

    const ib = createIBApiNext(gw);
    ib.connect(9);
    const execs = await ib.getExecutionDetails({});
    expect(execs.map((e) => [e.execution.orderRef, e.execution.shares, e.execution.price, e.contract.symbol])).toEqual([
      ['ref-drop', 7, 189.5, 'AAPL'],
    ]);
    expect(await ib.getNextValidOrderId()).toBe(first.nextValidId + 1);

    const { api } = await connectIBApi(gw, 10);
    const completed = collectEvents<CompletedArgs>(api, EventName.completedOrder);
    const end = nextEvent<[]>(api, EventName.completedOrdersEnd);
    api.reqCompletedOrders(false);
    await end;
    expect(completed.events.map(([c, o, s]) => [c.symbol, o.orderRef, o.permId, s.status, o.filledQuantity])).toEqual([
      ['AAPL', 'ref-drop', gw.findOrder({ orderRef: 'ref-drop' })?.permId, 'Filled', 7],
    ]);
    expect(completed.events[0]?.[2].completedStatus).toBe('Filled Size: 7');
    expect(gw.placeOrdersFor('ref-drop')).toHaveLength(1);
  });

  it('delivers info and error codes to the client', async () => {
    const gw = await gatewayAt();
    const { api } = await connectIBApi(gw, 4);
    const infos = collectEvents<[string, number]>(api, EventName.info);
    const errors = collectEvents<ErrorArgs>(api, EventName.error);
    const last = nextEvent<ErrorArgs>(api, EventName.error, (_e, code) => code === 504);
    for (const code of [2103, 2105, 1101, 1102, 2104, 2106, 2158]) gw.sendError(-1, code);
    gw.sendError(1234, 326, 'custom text');
    gw.sendError(77, 502);
    gw.sendError(78, 504);
    await last;
    expect(infos.events.map(([, code]) => code)).toEqual([2103, 2105, 1101, 1102, 2104, 2106, 2158]);
    expect(infos.events[3]?.[0]).toBe(
      'Connectivity between IBKR and Trader Workstation has been restored - data maintained.',
    );
    expect(errors.events.map(([e, code, id]) => [code, id, e.message])).toEqual([
      [326, 1234, 'custom text'],
      [502, 77, expect.stringContaining("Couldn't connect to TWS")],
      [504, 78, 'Not connected'],
    ]);
  });

  it('lets the client see a dropped connection, and IBApiNext drop the socket itself on 1100', async () => {
    const gw = await gatewayAt();
    const ib = createIBApiNext(gw);
    ib.connect(5);
    await ib.getCurrentTime();
    const down = firstValueFrom(ib.connectionState.pipe(filter((s) => s === ConnectionState.Disconnected)));
    await gw.dropConnections();
    await down;
    expect(gw.sessionInfo).toEqual([]);

    const ib2 = createIBApiNext(gw);
    ib2.connect(6);
    await ib2.getCurrentTime();
    const down2 = firstValueFrom(ib2.connectionState.pipe(filter((s) => s === ConnectionState.Disconnected)));
    gw.sendError(-1, 1100);
    await down2;
    await gw.waitUntil(() => gw.sessionInfo.length === 0, 'the client to close its socket');
  });

  it('refuses a second session with the same client id (326)', async () => {
    const gw = await gatewayAt();
    await connectIBApi(gw, 8);
    const ib = createIBApiNext(gw);
    const info = nextEvent<[string, number]>(rawApiOf(ib), EventName.info, (_m, code) => code === 326);
    ib.connect(8);
    expect((await info)[0]).toContain('client id is already in use');
    await firstValueFrom(
      ib.connectionState.pipe(
        skip(1),
        filter((s) => s === ConnectionState.Disconnected),
      ),
    );
    expect(gw.sessionInfo.map((s) => s.clientId)).toEqual([8]);
  });

  it('restarts with a rolled-back next valid id and lets IBApiNext reconnect', async () => {
    const gw = await gatewayAt({ nextValidId: 1000 });
    gw.setMarketPrice('AAPL', 100);
    const ib = createIBApiNext(gw, { reconnectInterval: 50 });
    ib.connect(2);
    const id = await ib.getNextValidOrderId();
    expect(id).toBe(1000);
    ib.placeOrder(id, AAPL, marketOrder(OrderAction.BUY, 1, 'ref-before-restart'));
    await gw.waitUntil(() => gw.executions.length === 1);
    expect(gw.nextValidId).toBe(1001);

    const before = gw.connectionCount;
    await gw.restart({ nextValidId: 990, downMs: 100 });
    await gw.waitUntil(() => gw.connectionCount > before && gw.sessionInfo.length === 1, 'the client to reconnect');
    expect(await ib.getNextValidOrderId()).toBe(990);
    expect(gw.sessionInfo[0]?.clientId).toBe(2);

    // The broker kept its history across the restart.
    const execs = await ib.getExecutionDetails({});
    expect(execs.map((e) => e.execution.orderRef)).toEqual(['ref-before-restart']);

    // Re-using the id of the finished order is refused, as by IB.
    const duplicate = firstValueFrom(ib.error.pipe(filter((e) => Number(e.code) === 103)));
    ib.placeOrder(1000, AAPL, marketOrder(OrderAction.BUY, 1, 'ref-reused-id'));
    expect((await duplicate).reqId).toBe(1000);
    expect(gw.executions).toHaveLength(1);
  });
});

/**
 * Subscribes once and replays to later subscribers, so waiting for successive values never drops the
 * client's subscription (the last IBApiNext unsubscribe cancels the request at the gateway).
 */
const keepSubscribed = <T>(source: Observable<T>): Observable<T> => {
  const replay = new ReplaySubject<T>();
  source.subscribe(replay);
  return replay;
};

/** The first collected orderStatus matching `predicate`, or the next one the client emits. */
const statusMatching = async (
  api: IBApi,
  collected: readonly OrderStatusArgs[],
  predicate: (args: OrderStatusArgs) => boolean,
): Promise<OrderStatusArgs> =>
  collected.find(predicate) ?? nextEvent<OrderStatusArgs>(api, EventName.orderStatus, (...args) => predicate(args));
