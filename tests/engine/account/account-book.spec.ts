import { describe, expect, it } from 'vitest';
import { createAccountBook, freshAccount, reduceAccount } from '../../../engine/account/account-book.js';
import { equityOf } from '../../../engine/messages/account.js';
import type { OrderIntent } from '../../../engine/messages/order.js';
import { T0, bar, fill } from '../../support/factories.js';

const placed = (clientOrderId: string, over: Partial<OrderIntent> = {}) => ({
  kind: 'order.placed' as const,
  ts: T0,
  order: {
    kind: 'order.submit' as const,
    ts: T0,
    clientOrderId,
    accountId: 'paper',
    symbol: 'AAPL',
    side: 'BUY' as const,
    quantity: 10,
    type: 'market' as const,
    purpose: 'enter' as const,
    strategyId: 'momentum_AAPL',
    reason: 'test',
    stopLoss: 95,
    takeProfit: 110,
    ...over,
  },
});

describe('account book', () => {
  it('opens a long from a fill: cash, average price, commission in realized P&L, levels from the order', () => {
    const book = createAccountBook(freshAccount('paper', 10_000));
    reduceAccount(book, placed('a'));
    const out = reduceAccount(book, fill('a', 'BUY', 10, 100, { commission: 1 }));
    expect(out.map((e) => e.kind)).toEqual(['position.updated', 'account.updated']);
    const p = book.account.positions['AAPL'];
    expect(p).toMatchObject({
      quantity: 10,
      avgPrice: 100,
      strategyId: 'momentum_AAPL',
      stopLoss: 95,
      takeProfit: 110,
      realizedPnl: -1,
    });
    expect(book.account.cash).toBe(10_000 - 1_000 - 1);
    expect(book.account.realizedPnl).toBe(-1);
    expect(equityOf(book.account)).toBe(9_999);
  });

  it.each([
    // steps: [side, qty, price, commission], expected quantity, avg, account realized, cash
    [
      'buy twice averages',
      [
        ['BUY', 10, 100, 1],
        ['BUY', 10, 110, 1],
      ],
      20,
      105,
      -2,
      10_000 - 2_100 - 2,
    ],
    [
      'partial sell realizes on the sold part',
      [
        ['BUY', 10, 100, 1],
        ['SELL', 4, 110, 1],
      ],
      6,
      100,
      40 - 2,
      10_000 - 1_000 + 440 - 2,
    ],
    [
      'round trip closes the position',
      [
        ['BUY', 10, 100, 1],
        ['SELL', 10, 95, 1],
      ],
      0,
      0,
      -50 - 2,
      10_000 - 1_000 + 950 - 2,
    ],
    [
      'a sell through zero flips short at the fill price',
      [
        ['BUY', 10, 100, 1],
        ['SELL', 15, 90, 1],
      ],
      -5,
      90,
      -100 - 2,
      10_000 - 1_000 + 1_350 - 2,
    ],
    [
      'covering a short realizes (entry - exit)',
      [
        ['SELL', 10, 100, 1],
        ['BUY', 10, 90, 1],
      ],
      0,
      0,
      100 - 2,
      10_000 + 1_000 - 900 - 2,
    ],
  ] as const)('%s', (_name, steps, qty, avg, realized, cash) => {
    const book = createAccountBook(freshAccount('paper', 10_000));
    steps.forEach(([side, q, price, commission], i) =>
      reduceAccount(book, fill(`o${i}`, side, q, price, { commission, execId: `e${i}` })),
    );
    const p = book.account.positions['AAPL'];
    expect(p?.quantity ?? 0).toBe(qty);
    expect(p?.avgPrice ?? 0).toBeCloseTo(avg, 9);
    expect(book.account.realizedPnl).toBeCloseTo(realized, 9);
    expect(book.account.cash).toBeCloseTo(cash, 9);
    expect(book.account.commissions).toBe(steps.length);
  });

  it('opens positions from orders restored after a restart with their strategy and protective levels', () => {
    const restored = placed('r1', { strategyId: 'momentum_MSFT', stopLoss: 90, takeProfit: 120 }).order;
    const book = createAccountBook(freshAccount('paper', 10_000), [restored]);
    reduceAccount(book, fill('r1', 'BUY', 5, 100));
    expect(book.account.positions['AAPL']).toMatchObject({
      strategyId: 'momentum_MSFT',
      stopLoss: 90,
      takeProfit: 120,
    });
  });

  it('applies a replayed execution once', () => {
    const book = createAccountBook(freshAccount('paper', 10_000));
    const f = fill('a', 'BUY', 10, 100);
    reduceAccount(book, f);
    expect(reduceAccount(book, f)).toEqual([]);
    expect(book.account.positions['AAPL']?.quantity).toBe(10);
  });

  it('marks held positions to market on bars and ignores bars of symbols not held', () => {
    const book = createAccountBook(freshAccount('paper', 10_000));
    reduceAccount(book, fill('a', 'BUY', 10, 100));
    const out = reduceAccount(book, bar('AAPL', 1, 103));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'position.updated', unrealizedPnl: 30 });
    expect(reduceAccount(book, bar('MSFT', 1, 50))).toEqual([]);
    expect(equityOf(book.account)).toBeCloseTo(10_000 - 1 + 30, 9);
  });

  it('publishes snapshots that later fills do not change', () => {
    const book = createAccountBook(freshAccount('paper', 10_000));
    const first = reduceAccount(book, fill('a', 'BUY', 10, 100, { execId: 'x1' }));
    const snapshot = first[1];
    reduceAccount(book, fill('b', 'BUY', 10, 100, { execId: 'x2' }));
    expect(snapshot?.kind === 'account.updated' && snapshot.account.positions['AAPL']?.quantity).toBe(10);
  });
});
