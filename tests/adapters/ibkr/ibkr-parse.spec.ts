import { describe, expect, it } from 'vitest';
import { OrderAction, OrderType, SecType } from '@stoqey/ib';
import type { Contract, Execution, Order, OrderState } from '@stoqey/ib';
import {
  formatIbUtc,
  parseBar,
  parseCommission,
  parseExecution,
  parseIbTime,
  parseOrder,
  parsePosition,
} from '../../../adapters/ibkr/ibkr-parse.js';

const aapl: Contract = { symbol: 'AAPL', secType: SecType.STK };

describe('parseIbTime', () => {
  it.each([
    // Formats from the protocol notes: legacy executions (sv176) are UTC, newer builds add a zone.
    ['20231116-12:15:35', Date.UTC(2023, 10, 16, 12, 15, 35)],
    ['20240102 09:30:00 US/Eastern', Date.UTC(2024, 0, 2, 14, 30)],
    ['20240102 09:30:00 EST', Date.UTC(2024, 0, 2, 14, 30)],
    ['20240702 09:30:00 America/New_York', Date.UTC(2024, 6, 2, 13, 30)],
    ['20240102 14:30:00 UTC', Date.UTC(2024, 0, 2, 14, 30)],
    ['1704205800', Date.UTC(2024, 0, 2, 14, 30)],
    ['20240102', Date.UTC(2024, 0, 2, 5, 0)],
  ])('%s', (text, ts) => {
    expect(parseIbTime(text)).toBe(ts);
  });

  it('is undefined for anything else', () => {
    expect(parseIbTime('yesterday')).toBeUndefined();
    expect(parseIbTime('20241302 09:30:00')).toBeUndefined();
  });

  it('formats execution-filter times in UTC', () => {
    expect(formatIbUtc(Date.UTC(2024, 0, 2, 14, 30, 5))).toBe('20240102-14:30:05');
  });
});

describe('parseBar (the edge: nothing invalid reaches the engine)', () => {
  const ok = { open: 10, high: 11, low: 9, close: 10.5, volume: 100 };
  it('accepts a consistent bar and maps IBKR volume -1 to 0', () => {
    expect(parseBar('AAPL', 60_000, '1m', { ...ok, volume: -1 })).toEqual({
      ok: true,
      value: { kind: 'bar', symbol: 'AAPL', ts: 60_000, timeframe: '1m', ...ok, volume: 0 },
    });
  });

  it.each([
    ['NaN close', { ...ok, close: Number.NaN }],
    ['Infinity high', { ...ok, high: Number.POSITIVE_INFINITY }],
    ['negative low', { ...ok, low: -1 }],
    ['zero open', { ...ok, open: 0 }],
    ['high below low', { ...ok, high: 8 }],
    ['close above high', { ...ok, close: 12 }],
    ['negative volume', { ...ok, volume: -5 }],
  ])('drops a bar with %s', (_name, bar) => {
    const parsed = parseBar('AAPL', 60_000, '1m', bar);
    expect(parsed.ok).toBe(false);
  });

  it('drops a bar without a time', () => {
    expect(parseBar('AAPL', undefined, '1m', ok)).toMatchObject({ ok: false, reason: expect.stringMatching(/ts/) });
  });
});

describe('parseExecution', () => {
  const execution: Execution = {
    execId: '0000e9b5.6555a859.01.01',
    orderId: 1000,
    permId: 2138440174,
    orderRef: 'ref-1',
    side: 'BOT',
    shares: 10,
    price: 190.25,
    cumQty: 10,
    time: '20231116-12:15:35',
  };
  it('maps BOT/SLD to BUY/SELL and reads the time', () => {
    const parsed = parseExecution(aapl, execution, 0, 1.5);
    expect(parsed).toEqual({
      ok: true,
      value: {
        execId: '0000e9b5.6555a859.01.01',
        orderId: 1000,
        permId: 2138440174,
        orderRef: 'ref-1',
        symbol: 'AAPL',
        side: 'BUY',
        shares: 10,
        price: 190.25,
        cumQty: 10,
        ts: Date.UTC(2023, 10, 16, 12, 15, 35),
        commission: 1.5,
      },
    });
    expect(parseExecution(aapl, { ...execution, side: 'SLD' }, 0, undefined)).toMatchObject({
      ok: true,
      value: { side: 'SELL', commission: undefined },
    });
  });

  it.each([
    ['fractional shares', { shares: 1.5 }],
    ['a zero price', { price: 0 }],
    ['no execId', { execId: '' }],
    ['an unknown side', { side: 'X' }],
  ])('drops %s', (_name, over) => {
    expect(parseExecution(aapl, { ...execution, ...over }, 0, undefined).ok).toBe(false);
  });

  it('uses the fallback time when IBKR sends one it cannot read', () => {
    expect(parseExecution(aapl, { ...execution, time: '??' }, 42, undefined)).toMatchObject({
      ok: true,
      value: { ts: 42 },
    });
  });
});

describe('parseOrder / parsePosition / parseCommission', () => {
  it('reads an open order', () => {
    const order: Order = {
      orderId: 5,
      permId: 9,
      orderRef: 'r',
      action: OrderAction.SELL,
      totalQuantity: 3,
      orderType: OrderType.LMT,
    };
    const state = { status: 'Submitted' } as OrderState;
    expect(parseOrder('open', 5, { symbol: 'BRK B' }, order, state, 1)).toEqual({
      ok: true,
      value: {
        orderId: 5,
        permId: 9,
        orderRef: 'r',
        symbol: 'BRK.B',
        side: 'SELL',
        quantity: 3,
        status: 'Submitted',
        filled: 1,
        source: 'open',
        text: '',
      },
    });
  });

  it('keeps stock positions (zero included) and drops other security types', () => {
    expect(parsePosition('DU1', aapl, 0, 150)).toMatchObject({ ok: true, value: { symbol: 'AAPL', quantity: 0 } });
    expect(parsePosition('DU1', { symbol: 'ES', secType: SecType.FUT }, 1, 1).ok).toBe(false);
  });

  it('treats Double.MAX and negative commissions as unknown', () => {
    expect(parseCommission(1.7)).toBe(1.7);
    expect(parseCommission(1.7976931348623157e308)).toBeUndefined();
    expect(parseCommission(-1)).toBeUndefined();
    expect(parseCommission(undefined)).toBeUndefined();
  });
});
