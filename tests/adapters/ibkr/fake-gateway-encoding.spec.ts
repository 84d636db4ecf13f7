import { OrderAction, OrderType, SecType, type Contract, type Order } from '@stoqey/ib';
import { Encoder, type EncoderCallbacks } from '@stoqey/ib/dist/core/io/encoder.js';
import { describe, expect, it } from 'vitest';
import { decodeClientRequest } from '../../support/fake-gateway/client-requests.js';
import type { FakeContract, FakeExecution, FakeOrder } from '../../support/fake-gateway/fake-gateway.types.js';
import { decodeWithClientDecoder } from '../../support/fake-gateway/frame-self-check.js';
import { defineContract } from '../../support/fake-gateway/gateway-defaults.js';
import * as msg from '../../support/fake-gateway/server-messages.js';
import {
  FrameReader,
  encodeFrame,
  fieldsToText,
  parseHandshake,
  type WireField,
} from '../../support/fake-gateway/wire-codec.js';

/**
 * Conformance of the fake's wire encoding with the unmodified @stoqey/ib 1.6.10 decoder and encoder at
 * every server version the fake supports (176..193): no 505, exact decoded values, exact field counts
 * (OPEN_ORDER 136 fields at 176, 141 at 193 — counts from the project's TWS-protocol research notes,
 * matched there against a real IB Gateway capture).
 */

const VERSIONS = Array.from({ length: 193 - 176 + 1 }, (_, i) => 176 + i);

const contract: FakeContract = defineContract({ symbol: 'AAPL', conId: 265598, longName: 'APPLE INC' }, 1);

const order: FakeOrder = {
  orderId: 1001,
  clientId: 3,
  permId: 1_800_000_007,
  account: 'DU1234567',
  contract,
  action: 'BUY',
  totalQuantity: 10,
  orderType: 'LMT',
  lmtPrice: 190.25,
  auxPrice: undefined,
  tif: 'DAY',
  orderRef: 'uuid-1',
  parentId: 0,
  outsideRth: true,
  transmit: true,
  status: 'Filled',
  filled: 10,
  avgFillPrice: 190.2,
  lastFillPrice: 190.2,
  commission: 1,
  completedStatus: 'Filled Size: 10',
  completedAtMs: 1_704_205_800_000,
  placedAtMs: 1_704_205_790_000,
};

const execution: FakeExecution = {
  execId: '00001001.6b49d207.01.01',
  orderId: 1001,
  clientId: 3,
  permId: 1_800_000_007,
  orderRef: 'uuid-1',
  account: 'DU1234567',
  symbol: 'AAPL',
  conId: 265598,
  side: 'BOT',
  shares: 10,
  price: 190.2,
  cumQty: 10,
  avgPrice: 190.2,
  timeMs: 1_704_205_800_000,
  time: '20240102 09:30:00 US/Eastern',
  commission: 1,
  commissionCurrency: 'USD',
  realizedPnl: undefined,
};

/** Decodes with the real client decoder; fails on any decoder error and returns the single event. */
const decodeOne = (sv: number, fields: readonly WireField[]): { name: string; args: readonly unknown[] } => {
  const result = decodeWithClientDecoder(sv, fieldsToText(fields));
  expect(result.errors).toEqual([]);
  const [first] = result.events;
  if (!first) throw new Error('no event decoded');
  return first;
};

/** Tokens exactly as @stoqey/ib's socket would send them for one encoder call. */
const encodeClient = (sv: number, call: (e: Encoder) => void): string[] => {
  const sent: unknown[][] = [];
  const callbacks: EncoderCallbacks = {
    serverVersion: sv,
    sendMsg: (...tokens: unknown[]) => {
      sent.push(tokens.flat(Infinity));
    },
    emitError: (message: string) => {
      throw new Error(message);
    },
  };
  call(new Encoder(callbacks));
  const [tokens] = sent;
  if (!tokens) throw new Error('encoder sent nothing');
  return tokens.map((v) => (v === true ? '1' : v === false ? '0' : v === undefined || v === null ? '' : String(v)));
};

const origin = { sessionId: 1, clientId: 3, atMs: 0 };

describe.each(VERSIONS)('server → client encoding at server version %i', (sv) => {
  it('OPEN_ORDER decodes field for field', () => {
    const fields = msg.openOrder(sv, order);
    const expectedCount =
      sv < 177 ? 136 : sv < 183 ? 135 : sv < 184 ? 136 : sv < 185 ? 137 : sv < 189 ? 138 : sv < 193 ? 139 : 141;
    expect(fields).toHaveLength(expectedCount);
    const { name, args } = decodeOne(sv, fields);
    expect(name).toBe('openOrder');
    const [orderId, c, o, state] = args as [number, Contract, Order & Record<string, unknown>, Record<string, unknown>];
    expect(orderId).toBe(1001);
    expect(c).toMatchObject({ conId: 265598, symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' });
    expect(o).toMatchObject({
      action: 'BUY',
      totalQuantity: 10,
      orderType: 'LMT',
      lmtPrice: 190.25,
      tif: 'DAY',
      account: 'DU1234567',
      orderRef: 'uuid-1',
      clientId: 3,
      permId: 1_800_000_007,
      outsideRth: true,
      parentId: 0,
    });
    expect(o.auxPrice).toBeUndefined();
    expect(state).toMatchObject({ status: 'Filled', commission: 1, commissionCurrency: 'USD' });
  });

  it('COMPLETED_ORDER and its end decode', () => {
    const { name, args } = decodeOne(sv, msg.completedOrder(sv, order, '20240102 09:30:00 US/Eastern'));
    expect(name).toBe('completedOrder');
    const [c, o, state] = args as [Contract, Order, Record<string, unknown>];
    expect(c.symbol).toBe('AAPL');
    expect(o).toMatchObject({ orderRef: 'uuid-1', permId: 1_800_000_007, filledQuantity: 10, totalQuantity: 10 });
    expect(state).toMatchObject({
      status: 'Filled',
      completedStatus: 'Filled Size: 10',
      completedTime: '20240102 09:30:00 US/Eastern',
    });
    expect(decodeOne(sv, msg.completedOrdersEnd()).name).toBe('completedOrdersEnd');
  });

  it('ORDER_STATUS, EXECUTION_DATA and COMMISSION_REPORT decode', () => {
    expect(decodeOne(sv, msg.orderStatus(order)).args).toEqual([
      1001,
      'Filled',
      10,
      0,
      190.2,
      1_800_000_007,
      0,
      190.2,
      3,
      '',
      0,
    ]);
    const exec = decodeOne(sv, msg.executionData(sv, 7, execution, contract));
    expect(exec.name).toBe('execDetails');
    expect(exec.args[0]).toBe(7);
    expect(exec.args[2]).toMatchObject({
      execId: execution.execId,
      orderId: 1001,
      permId: 1_800_000_007,
      clientId: 3,
      side: 'BOT',
      shares: 10,
      price: 190.2,
      cumQty: 10,
      avgPrice: 190.2,
      orderRef: 'uuid-1',
      time: '20240102 09:30:00 US/Eastern',
    });
    const report = decodeOne(sv, msg.commissionReport(execution));
    expect(report.args[0]).toEqual({
      execId: execution.execId,
      commission: 1,
      currency: 'USD',
      realizedPNL: undefined,
      yield: undefined,
      yieldRedemptionDate: 0,
    });
    expect(decodeOne(sv, msg.executionDataEnd(7)).args).toEqual([7]);
  });

  it('CONTRACT_DATA decodes', () => {
    const { name, args } = decodeOne(sv, msg.contractData(sv, 4, contract));
    expect(name).toBe('contractDetails');
    expect(args[0]).toBe(4);
    expect(args[1]).toMatchObject({
      contract: { symbol: 'AAPL', conId: 265598, primaryExch: 'NASDAQ', exchange: 'SMART', currency: 'USD' },
      longName: 'APPLE INC',
      minTick: 0.01,
      timeZoneId: 'US/Eastern',
      stockType: 'COMMON',
    });
    expect(decodeOne(sv, msg.contractDataEnd(4)).args).toEqual([4]);
  });

  it('account, position and market-data messages decode', () => {
    expect(decodeOne(sv, msg.accountSummary(2, 'DU1', 'NetLiquidation', '100000.5', 'USD')).args).toEqual([
      2,
      'DU1',
      'NetLiquidation',
      '100000.5',
      'USD',
    ]);
    expect(decodeOne(sv, msg.accountSummaryEnd(2)).args).toEqual([2]);
    expect(decodeOne(sv, msg.accountValue('TotalCashValue', '40000', 'USD', 'DU1')).args).toEqual([
      'TotalCashValue',
      '40000',
      'USD',
      'DU1',
    ]);
    const pv = decodeOne(sv, msg.portfolioValue(contract, 10, 191, 1910, 190.1, 9, 0, 'DU1'));
    expect(pv.args.slice(1)).toEqual([10, 191, 1910, 190.1, 9, 0, 'DU1']);
    expect(decodeOne(sv, msg.accountUpdateTime('09:31')).args).toEqual(['09:31']);
    expect(decodeOne(sv, msg.accountDownloadEnd('DU1')).args).toEqual(['DU1']);
    const pos = decodeOne(sv, msg.position('DU1', contract, -20, 250.5));
    expect([pos.args[0], (pos.args[1] as Contract).conId, pos.args[2], pos.args[3]]).toEqual([
      'DU1',
      265598,
      -20,
      250.5,
    ]);
    expect(decodeOne(sv, msg.positionEnd()).name).toBe('positionEnd');
    expect(decodeOne(sv, msg.tickPrice(5, 1, 190.2, 300)).args).toEqual([5, 1, 190.2, false]);
    expect(decodeOne(sv, msg.tickSize(5, 0, 300)).args).toEqual([5, 0, 300]);
    expect(decodeOne(sv, msg.tickString(5, 45, '1704205800')).args).toEqual([5, 45, '1704205800']);
    expect(decodeOne(sv, msg.marketDataType(5, 3)).args).toEqual([5, 3]);
    expect(decodeOne(sv, msg.tickReqParams(5, '9c0001')).name).toBe('tickReqParams');
    expect(decodeOne(sv, msg.tickSnapshotEnd(5)).args).toEqual([5]);
  });

  it('bars, ids, time and errors decode', () => {
    const bar = { time: '20240102', open: 1.5, high: 2, low: 1, close: 1.75, volume: 1000, wap: 1.6, count: 12 };
    const hist = decodeWithClientDecoder(sv, fieldsToText(msg.historicalData(9, '20240102', '20240103', [bar])));
    expect(hist.errors).toEqual([]);
    expect(hist.events.map((e) => e.args)).toEqual([
      [9, '20240102', 1.5, 2, 1, 1.75, 1000, 12, 1.6, undefined],
      [9, 'finished-20240102-20240103', -1, -1, -1, -1, -1, -1, -1, false],
    ]);
    expect(decodeOne(sv, msg.historicalDataUpdate(9, bar)).args).toEqual([
      9,
      '20240102',
      1.5,
      2,
      1,
      1.75,
      1000,
      12,
      1.6,
    ]);
    expect(
      decodeOne(sv, msg.realTimeBar(3, { time: 1_704_205_800, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }))
        .args,
    ).toEqual([3, 1_704_205_800, 1, 2, 0.5, 1.5, 10, 1.5, 1]);
    expect(decodeOne(sv, msg.nextValidId(1000)).args).toEqual([1000]);
    expect(decodeOne(sv, msg.managedAccounts(['DU1', 'DU2'])).args).toEqual(['DU1,DU2']);
    expect(decodeOne(sv, msg.currentTime(1_704_205_800)).args).toEqual([1_704_205_800]);
    expect(decodeOne(sv, msg.openOrderEnd()).name).toBe('openOrderEnd');
    const info = decodeWithClientDecoder(sv, fieldsToText(msg.errorMessage(sv, -1, 2104, 'farm OK')));
    expect(info.events).toEqual([{ name: 'info', args: ['farm OK', 2104] }]);
    const err = decodeWithClientDecoder(sv, fieldsToText(msg.errorMessage(sv, 1001, 202, 'Order Canceled - reason:')));
    expect(err.errors).toEqual([{ code: 202, message: 'Order Canceled - reason:' }]);
  });

  it('a deliberately wrong frame is caught as 505 (the self-check can fail)', () => {
    const extra = decodeWithClientDecoder(sv, fieldsToText([...msg.nextValidId(1000), 'surplus']));
    expect(extra.errors.map((e) => e.code)).toEqual([505]);
    const short = decodeWithClientDecoder(sv, fieldsToText(msg.openOrder(sv, order).slice(0, -1)));
    expect(short.errors.map((e) => e.code)).toEqual([505]);
    expect(short.events).toEqual([]);
  });
});

describe.each(VERSIONS)('client → server decoding at server version %i', (sv) => {
  const aapl: Contract = {
    conId: 265598,
    symbol: 'AAPL',
    secType: SecType.STK,
    exchange: 'SMART',
    primaryExch: 'NASDAQ',
    currency: 'USD',
  };

  it('reads placeOrder as the real encoder writes it', () => {
    const fields = encodeClient(sv, (e) =>
      e.placeOrder(1001, aapl, {
        action: OrderAction.SELL,
        orderType: OrderType.STP,
        totalQuantity: 25,
        auxPrice: 180.5,
        tif: 'GTC',
        account: 'DU1234567',
        orderRef: 'uuid-9',
        transmit: false,
        parentId: 1000,
        outsideRth: true,
      }),
    );
    const r = decodeClientRequest(sv, fields, origin);
    expect(r).toMatchObject({
      kind: 'placeOrder',
      orderId: 1001,
      action: 'SELL',
      totalQuantity: 25,
      orderType: 'STP',
      lmtPrice: undefined,
      auxPrice: 180.5,
      tif: 'GTC',
      account: 'DU1234567',
      orderRef: 'uuid-9',
      transmit: false,
      parentId: 1000,
      outsideRth: true,
      contract: expect.objectContaining({ conId: 265598, symbol: 'AAPL', exchange: 'SMART', primaryExch: 'NASDAQ' }),
    });
  });

  it('reads cancelOrder, historical, market-data, bars, contract, summary, executions and completed-order requests', () => {
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.cancelOrder(1234, {})),
        origin,
      ),
    ).toMatchObject({
      kind: 'cancelOrder',
      orderId: 1234,
    });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) =>
          e.reqHistoricalData(
            7,
            aapl,
            '20240104 16:00:00 US/Eastern',
            '2 D',
            '1 day' as never,
            'TRADES' as never,
            1,
            2,
            true,
            [],
          ),
        ),
        origin,
      ),
    ).toMatchObject({
      kind: 'reqHistoricalData',
      reqId: 7,
      endDateTime: '20240104 16:00:00 US/Eastern',
      duration: '2 D',
      barSize: '1 day',
      useRTH: true,
      whatToShow: 'TRADES',
      formatDate: 2,
      keepUpToDate: true,
    });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.reqMktData(8, aapl, '233', true, false)),
        origin,
      ),
    ).toMatchObject({
      kind: 'reqMktData',
      reqId: 8,
      genericTickList: '233',
      snapshot: true,
    });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.reqRealTimeBars(9, aapl, 5, 'MIDPOINT' as never, false, [])),
        origin,
      ),
    ).toMatchObject({ kind: 'reqRealTimeBars', reqId: 9, whatToShow: 'MIDPOINT', useRTH: false });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.reqContractDetails(10, aapl)),
        origin,
      ),
    ).toMatchObject({
      kind: 'reqContractDetails',
      reqId: 10,
      contract: expect.objectContaining({ symbol: 'AAPL', conId: 265598 }),
    });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.reqAccountSummary(11, 'All', 'NetLiquidation,SettledCash')),
        origin,
      ),
    ).toMatchObject({ kind: 'reqAccountSummary', reqId: 11, group: 'All', tags: ['NetLiquidation', 'SettledCash'] });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) =>
          e.reqExecutions(12, {
            clientId: '3',
            acctCode: 'DU1',
            time: '20240102-09:30:00',
            symbol: 'AAPL',
            side: 'BUY',
          }),
        ),
        origin,
      ),
    ).toMatchObject({
      kind: 'reqExecutions',
      reqId: 12,
      filter: { clientId: 3, account: 'DU1', time: '20240102-09:30:00', symbol: 'AAPL', side: 'BUY' },
    });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.reqCompletedOrders(true)),
        origin,
      ),
    ).toMatchObject({
      kind: 'reqCompletedOrders',
      apiOnly: true,
    });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.reqAccountUpdates(true, 'DU1')),
        origin,
      ),
    ).toMatchObject({
      kind: 'reqAccountUpdates',
      subscribe: true,
      account: 'DU1',
    });
    expect(
      decodeClientRequest(
        sv,
        encodeClient(sv, (e) => e.reqAutoOpenOrders(true)),
        origin,
      ),
    ).toMatchObject({
      kind: 'reqAutoOpenOrders',
      autoBind: true,
    });
  });
});

describe('wire codec', () => {
  it('frames fields with a length prefix and a NUL after every field', () => {
    const frame = encodeFrame([9, 1, 1000, true, undefined]);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(frame.subarray(4).toString('utf8')).toBe('9\u00001\u00001000\u00001\u0000\u0000');
  });

  it('reassembles frames split across and merged within TCP chunks', () => {
    const bytes = Buffer.concat([encodeFrame([15, 1, 'DU1']), encodeFrame([9, 1, 1000]), encodeFrame([49, 1, 17])]);
    const reader = new FrameReader();
    const frames = [
      ...reader.push(bytes.subarray(0, 3)),
      ...reader.push(bytes.subarray(3, 20)),
      ...reader.push(bytes.subarray(20)),
    ];
    expect(frames).toEqual([
      ['15', '1', 'DU1'],
      ['9', '1', '1000'],
      ['49', '1', '17'],
    ]);
    expect(reader.pending).toBe(0);
  });

  it('parses the client handshake, tolerating connect options and partial input', () => {
    const raw = Buffer.concat([
      Buffer.from('API\0', 'latin1'),
      Buffer.from([0, 0, 0, 18]),
      Buffer.from('v100..193 +PACEAPI'),
    ]);
    expect(parseHandshake(raw.subarray(0, 6))).toEqual({ kind: 'incomplete' });
    expect(parseHandshake(raw)).toEqual({
      kind: 'ok',
      handshake: { minVersion: 100, maxVersion: 193, raw: 'v100..193 +PACEAPI' },
      consumed: 26,
    });
    expect(parseHandshake(Buffer.from('GET / HTTP/1.1')).kind).toBe('invalid');
  });

  it('refuses to encode non-finite numbers', () => {
    expect(() => encodeFrame([Number.NaN])).toThrow(/non-finite/);
  });
});
