import { describe, expect, it } from 'vitest';
import type { BrokerOrderView, ExecutionView, LedgerOrder } from '../../../adapters/ibkr/ibkr-views.js';
import { type ReconcileInput, reconcile } from '../../../adapters/ibkr/reconciliation.js';

const NOW = 1_800_000_000_000;

const ledger = (id: string, over: Partial<LedgerOrder> = {}): LedgerOrder => ({
  clientOrderId: id,
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 10,
  status: 'submitted',
  filledQuantity: 0,
  handover: 'previous',
  ...over,
});

const order = (ref: string, over: Partial<BrokerOrderView> = {}): BrokerOrderView => ({
  orderId: 1000,
  permId: 5001,
  orderRef: ref,
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 10,
  status: 'Submitted',
  filled: 0,
  source: 'open',
  text: '',
  ...over,
});

const exec = (ref: string, execId: string, cumQty: number, over: Partial<ExecutionView> = {}): ExecutionView => ({
  execId,
  orderId: 1000,
  permId: 5001,
  orderRef: ref,
  symbol: 'AAPL',
  side: 'BUY',
  shares: 5,
  price: 190,
  cumQty,
  ts: NOW - 1_000,
  commission: 1,
  ...over,
});

const input = (over: Partial<ReconcileInput>): ReconcileInput => ({
  ts: NOW,
  reason: 'reconnect',
  startup: false,
  ledger: [],
  ledgerPositions: undefined,
  openOrders: [],
  completedOrders: [],
  executions: [],
  positions: undefined,
  seenExecIds: new Set(),
  ...over,
});

/** Events as short strings: `kind id [details]`. */
const summary = (over: Partial<ReconcileInput>): string[] =>
  reconcile(input(over)).events.map((e) => {
    switch (e.kind) {
      case 'order.accepted':
        return `accepted ${e.clientOrderId} ${e.brokerOrderId}`;
      case 'order.cancelled':
        return `cancelled ${e.clientOrderId}`;
      case 'order.rejected':
        return `rejected ${e.clientOrderId} ${e.code}`;
      default:
        return `${e.kind === 'order.filled' ? 'filled' : 'partial'} ${e.clientOrderId} ${e.execId} ${e.quantity}@${e.price} cum ${e.cumulativeQuantity} rem ${e.remaining}`;
    }
  });

describe('reconcile: decisions per order (ledger + IBKR -> events)', () => {
  it.each<[string, Partial<ReconcileInput>, string[]]>([
    [
      'unacknowledged, open at IBKR -> accepted',
      { ledger: [ledger('a')], openOrders: [order('a')] },
      ['accepted a 5001'],
    ],
    [
      'already accepted and still open -> nothing',
      { ledger: [ledger('a', { status: 'accepted' })], openOrders: [order('a')] },
      [],
    ],
    [
      'send outcome unknown, filled meanwhile -> accepted + the fill, found by orderRef',
      {
        ledger: [ledger('a')],
        completedOrders: [order('a', { status: 'Filled', filled: 10, source: 'completed' })],
        executions: [exec('a', 'x1', 10, { shares: 10 })],
      },
      ['accepted a 5001', 'filled a x1 10@190 cum 10 rem 0'],
    ],
    [
      'fills beyond what the ledger holds only, in fill order',
      {
        ledger: [ledger('a', { status: 'partially_filled', filledQuantity: 5 })],
        openOrders: [order('a', { filled: 10, status: 'Filled' })],
        executions: [exec('a', 'x2', 10), exec('a', 'x1', 5)],
      },
      ['filled a x2 5@190 cum 10 rem 0'],
    ],
    [
      'an execId already reported is never reported again',
      {
        ledger: [ledger('a', { status: 'accepted' })],
        openOrders: [order('a', { filled: 5 })],
        executions: [exec('a', 'x1', 5)],
        seenExecIds: new Set(['x1']),
      },
      [],
    ],
    [
      'cancelled at IBKR after a partial fill -> fill then cancelled',
      {
        ledger: [ledger('a', { status: 'accepted' })],
        completedOrders: [order('a', { status: 'Cancelled', filled: 5, source: 'completed' })],
        executions: [exec('a', 'x1', 5)],
      },
      ['partial a x1 5@190 cum 5 rem 5', 'cancelled a'],
    ],
    [
      'Inactive among completed orders -> rejected (inactive)',
      {
        ledger: [ledger('a')],
        completedOrders: [order('a', { status: 'Inactive', source: 'completed', text: 'Rejected: no funds' })],
      },
      ['rejected a inactive'],
    ],
    [
      'absent everywhere after a dropped send -> rejected not_at_broker, never resent',
      { ledger: [ledger('a', { handover: 'previous' })] },
      ['rejected a not_at_broker'],
    ],
    [
      'absent, persisted by an earlier process (startup) -> rejected not_at_broker',
      { ledger: [ledger('a', { handover: 'none' })], startup: true },
      ['rejected a not_at_broker'],
    ],
    ['absent, handed over on this connection -> pending', { ledger: [ledger('a', { handover: 'current' })] }, []],
    ['absent, not handed over yet (not startup) -> pending', { ledger: [ledger('a', { handover: 'none' })] }, []],
    ['absent, but acknowledged before -> unresolved, no event', { ledger: [ledger('a', { status: 'accepted' })] }, []],
    ['absent and completed orders unavailable -> undecided', { ledger: [ledger('a')], completedOrders: undefined }, []],
    [
      'matched by permId when the execution lost its orderRef',
      {
        ledger: [ledger('a', { status: 'accepted' })],
        openOrders: [order('a', { permId: 77, filled: 5 })],
        executions: [exec('', 'x1', 5, { permId: 77 })],
      },
      ['partial a x1 5@190 cum 5 rem 5'],
    ],
    [
      'executions without an order listing -> accepted + fills',
      { ledger: [ledger('a')], executions: [exec('a', 'x1', 10, { shares: 10 })] },
      ['accepted a 5001', 'filled a x1 10@190 cum 10 rem 0'],
    ],
  ])('%s', (_name, over, expected) => {
    expect(summary(over)).toEqual(expected);
  });
});

describe('reconcile: the report', () => {
  it('says where each order was found and what was settled', () => {
    const { report, track } = reconcile(
      input({
        ledger: [
          ledger('open'),
          ledger('gone', { handover: 'previous' }),
          ledger('acked', { status: 'accepted' }),
          ledger('new', { handover: 'current' }),
        ],
        openOrders: [order('open', { orderId: 1001, permId: 9 }), order('', { orderId: 1, permId: 3, symbol: 'TSLA' })],
        executions: [exec('foreign', 'z1', 1, { symbol: 'MSFT' })],
      }),
    );
    expect(track).toEqual([{ clientOrderId: 'open', orderId: 1001, permId: 9 }]);
    expect(report.resolved).toEqual([{ clientOrderId: 'open', outcome: 'open', foundIn: 'open_orders' }]);
    expect(report.missing.map((m) => m.clientOrderId)).toEqual(['gone']);
    expect(report.missing[0]?.text).toMatch(/orderRef gone .* not resent/);
    expect(report.unresolved.map((u) => u.clientOrderId)).toEqual(['acked']);
    expect(report.pending).toEqual(['new']);
    expect(report.unknownOrders).toEqual([
      { orderId: 1, permId: 3, orderRef: '', symbol: 'TSLA', status: 'Submitted' },
    ]);
    expect(report.unknownExecutions.map((e) => e.execId)).toEqual(['z1']);
  });

  it('does not call bracket legs of our orders unknown', () => {
    const { report } = reconcile(
      input({
        ledger: [ledger('p', { status: 'accepted' })],
        openOrders: [order('p'), order('p:stop', { orderId: 1001 }), order('p:target', { orderId: 1002 })],
      }),
    );
    expect(report.unknownOrders).toEqual([]);
  });

  it('flags IBKR fills without executions as unresolved instead of guessing', () => {
    const { report, events } = reconcile(
      input({
        ledger: [ledger('a', { status: 'accepted' })],
        completedOrders: [order('a', { status: 'Filled', filled: 10, source: 'completed' })],
      }),
    );
    expect(events).toEqual([]);
    expect(report.unresolved[0]?.text).toMatch(/10 shares filled but executions for only 0/);
  });

  it('compares positions per symbol (IBKR zero positions included)', () => {
    const { report } = reconcile(
      input({
        ledgerPositions: { AAPL: 10, MSFT: 5 },
        positions: [
          { account: 'DU1', symbol: 'AAPL', quantity: 10, avgCost: 1 },
          { account: 'DU1', symbol: 'MSFT', quantity: 0, avgCost: 0 },
          { account: 'DU1', symbol: 'TSLA', quantity: -3, avgCost: 1 },
        ],
      }),
    );
    expect(report.positionDifferences).toEqual([
      { symbol: 'MSFT', ledger: 5, broker: 0 },
      { symbol: 'TSLA', ledger: 0, broker: -3 },
    ]);
  });

  it('carries an unknown commission as undefined (the broker waits for it)', () => {
    const { events } = reconcile(
      input({
        ledger: [ledger('a', { status: 'accepted' })],
        executions: [exec('a', 'x1', 5, { commission: undefined })],
      }),
    );
    expect(events[0]).toMatchObject({ kind: 'order.partially_filled', execId: 'x1', commission: undefined });
  });
});
