import { describe, expect, it } from 'vitest';
import {
  BRACKET_OCA_TYPE,
  DEFAULT_ORDER_MAPPING,
  engineSymbol,
  isBracket,
  orderIdsNeeded,
  parseOrderRef,
  stockContract,
  toIbOrders,
} from '../../../adapters/ibkr/order-mapping.js';
import { intent } from './ibkr-test-kit.js';

const BRACKETS = { ...DEFAULT_ORDER_MAPPING, bracketEntries: true };

describe('toIbOrders: single orders', () => {
  it.each([
    ['market', {}, { orderType: 'MKT' }],
    ['limit', { limitPrice: 189.5 }, { orderType: 'LMT', lmtPrice: 189.5 }],
    ['stop', { stopPrice: 180 }, { orderType: 'STP', auxPrice: 180 }],
    ['stop_limit', { stopPrice: 180, limitPrice: 179.5 }, { orderType: 'STP LMT', auxPrice: 180, lmtPrice: 179.5 }],
  ] as const)('%s', (type, prices, expected) => {
    const order = intent({ type, side: 'SELL', quantity: 25, ...prices });
    const [ticket, ...rest] = toIbOrders(order, [1042]);
    expect(rest).toEqual([]);
    expect(ticket?.role).toBe('single');
    expect(ticket?.orderId).toBe(1042);
    expect(ticket?.contract).toEqual({ symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' });
    expect(ticket?.order).toEqual({
      orderId: 1042,
      orderRef: order.clientOrderId,
      action: 'SELL',
      totalQuantity: 25,
      tif: 'DAY',
      outsideRth: false,
      transmit: true,
      ...expected,
    });
  });

  it('sets account, GTC and outsideRth when configured', () => {
    const [ticket] = toIbOrders(intent(), [7], {
      ...DEFAULT_ORDER_MAPPING,
      account: 'DU1',
      timeInForce: 'GTC',
      outsideRth: true,
    });
    expect(ticket?.order).toMatchObject({ account: 'DU1', tif: 'GTC', outsideRth: true, transmit: true });
  });

  it('refuses a limit order without a limit price and a wrong id count', () => {
    expect(() => toIbOrders(intent({ type: 'limit' }), [1])).toThrow(/needs a finite limitPrice > 0/);
    expect(() => toIbOrders(intent({ type: 'stop_limit', limitPrice: 1 }), [1])).toThrow(/stopPrice/);
    expect(() => toIbOrders(intent(), [1, 2])).toThrow(/needs 1 order id/);
  });
});

describe('toIbOrders: bracket', () => {
  const entry = intent({ type: 'limit', limitPrice: 100, stopLoss: 98, takeProfit: 105, quantity: 10 });

  it('is the entry plus a stop and a target linked by parentId and one OCA group; only the last leg transmits', () => {
    expect(orderIdsNeeded(entry, BRACKETS)).toBe(3);
    const tickets = toIbOrders(entry, [500, 501, 502], BRACKETS);
    expect(tickets.map((t) => [t.role, t.orderId, t.orderRef])).toEqual([
      ['parent', 500, entry.clientOrderId],
      ['stop', 501, `${entry.clientOrderId}:stop`],
      ['target', 502, `${entry.clientOrderId}:target`],
    ]);
    const [parent, stop, target] = tickets.map((t) => t.order);
    expect(parent).toMatchObject({
      action: 'BUY',
      orderType: 'LMT',
      lmtPrice: 100,
      totalQuantity: 10,
      transmit: false,
    });
    expect(parent?.parentId).toBeUndefined();
    expect(parent?.ocaGroup).toBeUndefined();
    const oca = `oca-${entry.clientOrderId}`;
    expect(stop).toMatchObject({
      action: 'SELL',
      orderType: 'STP',
      auxPrice: 98,
      parentId: 500,
      ocaGroup: oca,
      ocaType: BRACKET_OCA_TYPE,
      transmit: false,
    });
    expect(target).toMatchObject({
      action: 'SELL',
      orderType: 'LMT',
      lmtPrice: 105,
      parentId: 500,
      ocaGroup: oca,
      ocaType: BRACKET_OCA_TYPE,
      transmit: true,
    });
  });

  it('mirrors the exits for a short entry and refuses levels on the wrong side', () => {
    const short = intent({ side: 'SELL', stopLoss: 105, takeProfit: 95 });
    const [, stop, target] = toIbOrders(short, [1, 2, 3], BRACKETS).map((t) => t.order);
    expect(stop).toMatchObject({ action: 'BUY', auxPrice: 105 });
    expect(target).toMatchObject({ action: 'BUY', lmtPrice: 95 });
    expect(() => toIbOrders(intent({ stopLoss: 110, takeProfit: 105 }), [1, 2, 3], BRACKETS)).toThrow(
      /stopLoss below takeProfit/,
    );
  });

  it('applies only to entries of market/limit type with both levels, and only when enabled', () => {
    expect(isBracket(entry, DEFAULT_ORDER_MAPPING)).toBe(false);
    expect(isBracket(entry, BRACKETS)).toBe(true);
    expect(isBracket({ ...entry, purpose: 'exit' }, BRACKETS)).toBe(false);
    expect(isBracket({ ...entry, type: 'stop', stopPrice: 99 }, BRACKETS)).toBe(false);
    const { takeProfit: _tp, ...noTarget } = entry;
    expect(isBracket(noTarget, BRACKETS)).toBe(false);
  });
});

describe('symbols and refs', () => {
  it('maps BRK.B to IBKR BRK B and back', () => {
    expect(stockContract('BRK.B').symbol).toBe('BRK B');
    expect(engineSymbol('BRK B')).toBe('BRK.B');
    expect(engineSymbol(' aapl ')).toBe('AAPL');
  });

  it('parses our orderRefs', () => {
    expect(parseOrderRef('abc')).toEqual({ clientOrderId: 'abc', role: 'main' });
    expect(parseOrderRef('abc:stop')).toEqual({ clientOrderId: 'abc', role: 'stop' });
    expect(parseOrderRef('abc:target')).toEqual({ clientOrderId: 'abc', role: 'target' });
    expect(parseOrderRef('')).toBeUndefined();
    expect(parseOrderRef(undefined)).toBeUndefined();
  });
});
