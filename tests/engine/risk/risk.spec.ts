import { marbles } from 'rxjs-marbles';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { OrderRequested } from '../../../engine/messages/engine-event.js';
import type { RiskDecision } from '../../../engine/messages/risk.js';
import { type RiskConfig, createRiskState, reduceRisk, riskManager } from '../../../engine/risk/risk.operator.js';
import { sharesFor, tierFraction } from '../../../engine/risk/sizing.js';
import { T0, account, fill, position, riskConfig, scored, sequentialIds } from '../../support/factories.js';

// Loose limits and PDT off: the cases below are about the other rules (those have their own specs).
const CONFIG: RiskConfig = riskConfig({ maxConcurrentTrades: 2 });

const decideOn = (state = createRiskState(account(100_000)), input = scored(), config = CONFIG): RiskDecision => {
  const d = reduceRisk(state, config, sequentialIds('o'), input);
  if (d?.kind !== 'risk.approved' && d?.kind !== 'risk.rejected') throw new Error('no decision');
  return d;
};

const manual = (over: Partial<OrderRequested> = {}): OrderRequested => ({
  kind: 'order.requested',
  ts: T0,
  requestId: 'req-1',
  accountId: 'paper',
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 10,
  price: 100,
  confidence: 1,
  ...over,
});

describe('sizing', () => {
  it.each([
    [0.39, 0.01],
    [0.4, 0.025],
    [0.69, 0.025],
    [0.7, 0.04],
    [0.95, 0.04],
  ])('confidence %f -> %f of equity', (confidence, fraction) => {
    expect(tierFraction(confidence, CONFIG.sizingTiers)).toBe(fraction);
  });

  it.each([
    // confidence, equity, price, shares
    [0.8, 100_000, 100, 40],
    [0.5, 100_000, 100, 25],
    [0.3, 100_000, 100, 10],
    [0.8, 100_000, 3_000, 1],
    [0.8, 100_000, 5_000, 0],
    [0.8, 100_000, 0, 0],
  ])('confidence %f, equity %f, price %f -> %i whole shares', (confidence, equity, price, shares) => {
    expect(sharesFor(confidence, equity, price, CONFIG.sizingTiers, CONFIG.maxPositionPct)).toBe(shares);
  });

  it('caps a tier above the per-position maximum', () => {
    expect(sharesFor(0.9, 100_000, 100, { low: 0.2, medium: 0.2, high: 0.2 }, 0.1)).toBe(100);
  });
});

describe('risk rules', () => {
  it('approves a confident entry with a sized market order carrying the protective levels', () => {
    const d = decideOn();
    expect(d.kind).toBe('risk.approved');
    if (d.kind !== 'risk.approved') return;
    expect(d.order).toMatchObject({
      side: 'BUY',
      quantity: 40,
      type: 'market',
      purpose: 'enter',
      stopLoss: 98,
      takeProfit: 105,
    });
    expect(d.order.clientOrderId).toBe('o-1');
  });

  it.each([
    ['min_confidence', createRiskState(account(100_000)), scored({ confidence: 0.45 })],
    ['confluence_min', createRiskState(account(100_000)), scored({ confidence: 0.55 })],
    ['position_exists', createRiskState(account(90_000, [position('AAPL', 10, 100)])), scored()],
    [
      'max_concurrent_positions',
      createRiskState(account(90_000, [position('MSFT', 10, 100), position('QQQ', 10, 100)])),
      scored(),
    ],
    ['size_zero', createRiskState(account(100_000)), scored({ price: 50_000, entry: 50_000 })],
    ['insufficient_funds', createRiskState(account(1_000, [position('MSFT', 990, 100)])), scored({ price: 100 })],
    ['no_position', createRiskState(account(100_000)), scored({ side: 'SELL', action: 'exit', exitReason: 'stop' })],
    ['not_actionable', createRiskState(account(100_000)), scored({ side: 'HOLD', action: 'none' })],
  ])('rejects with rule %s and writes no order', (rule, state, input) => {
    const d = decideOn(state, input);
    expect(d.kind).toBe('risk.rejected');
    if (d.kind === 'risk.rejected') {
      expect(d.rule).toBe(rule);
      expect(d.reason.length).toBeGreaterThan(5);
    }
    expect(state.pending.size).toBe(0);
  });

  it('never blocks an exit with the concurrent-position limit and sells the whole position', () => {
    const state = createRiskState(
      account(80_000, [position('AAPL', 30, 100), position('MSFT', 10, 100), position('QQQ', 10, 100)]),
    );
    const d = decideOn(state, scored({ side: 'SELL', action: 'exit', exitReason: 'target', confidence: 0.1 }));
    expect(d.kind).toBe('risk.approved');
    if (d.kind === 'risk.approved') expect(d.order).toMatchObject({ side: 'SELL', quantity: 30, purpose: 'exit' });
  });

  it('counts pending entries so two signals cannot open the same symbol twice', () => {
    const state = createRiskState(account(100_000));
    expect(decideOn(state).kind).toBe('risk.approved');
    const second = decideOn(state);
    expect(second.kind === 'risk.rejected' && second.rule).toBe('order_pending');
  });

  it('releases a pending order when it reaches a terminal status', () => {
    const state = createRiskState(account(100_000));
    const first = decideOn(state);
    if (first.kind !== 'risk.approved') throw new Error('expected approval');
    reduceRisk(state, CONFIG, sequentialIds(), {
      kind: 'order.rejected',
      ts: T0,
      clientOrderId: first.order.clientOrderId,
      symbol: 'AAPL',
      code: '201',
      text: 'no',
    });
    expect(state.pending.size).toBe(0);
    expect(decideOn(state).kind).toBe('risk.approved');
  });

  it('takes the positions of each account update as they are: a position gone from it is no longer held', () => {
    const state = createRiskState(account(90_000, [position('AAPL', 10, 100), position('MSFT', 5, 200)]));
    const update = (positions: ReturnType<typeof position>[]) =>
      reduceRisk(state, CONFIG, sequentialIds(), {
        kind: 'account.updated',
        ts: T0,
        account: account(90_000, positions),
      });
    expect(decideOn(state).kind === 'risk.rejected').toBe(true);
    update([position('MSFT', 5, 200)]);
    expect([...state.positions.keys()]).toEqual(['MSFT']);
    expect(decideOn(state).kind).toBe('risk.approved');
    update([position('MSFT', 5, 200), position('AAPL', 3, 100)]);
    expect(state.positions.get('AAPL')?.quantity).toBe(3);
    update([]);
    expect(state.positions.size).toBe(0);
  });

  it('restores pending orders after a restart so a working entry is not doubled', () => {
    const state = createRiskState(account(100_000), [
      {
        kind: 'order.submit',
        ts: T0,
        clientOrderId: 'old',
        accountId: 'paper',
        symbol: 'AAPL',
        side: 'BUY',
        quantity: 5,
        type: 'market',
        purpose: 'enter',
        strategyId: 's',
        reason: 'r',
      },
    ]);
    const d = decideOn(state);
    expect(d.kind === 'risk.rejected' && d.rule).toBe('order_pending');
  });

  it('fails closed when a rule throws', () => {
    const broken = createRiskState(account(100_000));
    Object.defineProperty(broken.account, 'cash', {
      get() {
        throw new Error('corrupt state');
      },
    });
    const d = decideOn(broken);
    expect(d.kind).toBe('risk.rejected');
    if (d.kind === 'risk.rejected') {
      expect(d.rule).toBe('risk_error');
      expect(d.reason).toContain('corrupt state');
    }
  });

  it.each([
    ['a buy within limits', manual(), 'risk.approved', undefined],
    ['a manual short', manual({ side: 'SELL' }), 'risk.rejected', 'short_not_allowed'],
    ['a buy over the position cap', manual({ quantity: 200 }), 'risk.rejected', 'max_position_size'],
    ['a low-confidence buy', manual({ confidence: 0.2 }), 'risk.rejected', 'min_confidence'],
  ] as const)('manual orders: %s', (_name, request, kind, rule) => {
    const d = decideOn(createRiskState(account(100_000)), request as never);
    expect(d.kind).toBe(kind);
    expect(d.requestId).toBe('req-1');
    if (d.kind === 'risk.rejected') expect(d.rule).toBe(rule);
    if (d.kind === 'risk.approved') expect(d.order.clientOrderId).toBe('req-1');
  });

  it('treats a manual sell of a held long as an exit, up to the held quantity', () => {
    const state = createRiskState(account(90_000, [position('AAPL', 10, 100)]));
    const ok = decideOn(state, manual({ side: 'SELL', quantity: 4 }) as never);
    expect(ok.kind === 'risk.approved' && ok.order.purpose).toBe('exit');
    const tooMany = decideOn(
      createRiskState(account(90_000, [position('AAPL', 10, 100)])),
      manual({ side: 'SELL', quantity: 11 }) as never,
    );
    expect(tooMany.kind === 'risk.rejected' && tooMany.rule).toBe('exceeds_position');
  });
});

describe('riskManager operator', () => {
  it(
    'decides on signals with the account state it has seen so far',
    marbles((m) => {
      const held = account(96_000, [position('AAPL', 40, 100)]);
      const input = m.cold('a-b-c-d|', {
        a: scored(),
        b: fill('o-1', 'BUY', 40, 100),
        c: { kind: 'account.updated' as const, ts: T0, account: held },
        d: scored(),
      });
      const out = input.pipe(
        riskManager(CONFIG, sequentialIds('o'), createRiskState(account(100_000))),
        map((d) =>
          d.kind === 'risk.approved' ? `ok:${d.order.quantity}` : d.kind === 'risk.rejected' ? `no:${d.rule}` : d.kind,
        ),
      );
      m.expect(out).toBeObservable('a-----b|', { a: 'ok:40', b: 'no:position_exists' });
    }),
  );

  it(
    'propagates an upstream error',
    marbles((m) => {
      const input = m.cold('a#', { a: scored() }, new Error('bus failed'));
      const out = input.pipe(
        riskManager(CONFIG, sequentialIds('o'), createRiskState(account(100_000))),
        map((d) => d.kind),
      );
      m.expect(out).toBeObservable('a#', { a: 'risk.approved' }, new Error('bus failed'));
    }),
  );
});
