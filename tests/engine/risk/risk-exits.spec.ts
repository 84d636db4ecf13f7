import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderRequested } from '../../../engine/messages/engine-event.js';
import type { RiskDecision } from '../../../engine/messages/risk.js';
import { dayTradesInWindow } from '../../../engine/risk/day-trade-ledger.js';
import {
  type RiskConfig,
  type RiskInput,
  type RiskState,
  createRiskState,
  reduceRisk,
} from '../../../engine/risk/risk.operator.js';
import { createSettlementLedger, unsettledCredits } from '../../../engine/risk/settlement-ledger.js';
import { engage } from '../../../engine/risk/risk-limits.js';
import { T0, account, fill, position, riskConfig, scored, sequentialIds } from '../../support/factories.js';

const MIN = 60_000;
const CLOSE = T0 + 390 * MIN; // 16:00 ET, 2026-11-02
const FLATTEN: RiskConfig = riskConfig({ flattenBeforeCloseMinutes: 15 });

const decide = (s: RiskState, input: RiskInput, c: RiskConfig = FLATTEN): RiskDecision => {
  const d = reduceRisk(s, c, sequentialIds('o'), input);
  if (d?.kind !== 'risk.approved' && d?.kind !== 'risk.rejected') throw new Error('no decision');
  return d;
};

const exitSignal = (ts: number, exitQuantity?: number, side: 'BUY' | 'SELL' = 'SELL') =>
  scored({
    ts,
    side,
    action: 'exit',
    exitReason: exitQuantity === undefined ? 'flatten' : 'ladder',
    confidence: 1,
    ...(exitQuantity === undefined ? {} : { exitQuantity }),
  });

const manual = (over: Partial<OrderRequested>): OrderRequested => ({
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

const holding = (quantity = 100): RiskState => createRiskState(account(90_000, [position('AAPL', quantity, 100)]));

describe('partial exits through risk', () => {
  it('sends the exit signal quantity, not the whole position', () => {
    const d = decide(holding(), exitSignal(T0 + MIN, 25));
    expect(d.kind).toBe('risk.approved');
    if (d.kind !== 'risk.approved') return;
    expect(d.order).toMatchObject({ side: 'SELL', quantity: 25, purpose: 'exit', type: 'market' });
    expect(d.order.reason).toMatch(/^exit \(ladder\): /);
  });

  it('never sends more than is held: an exit signal larger than the position sells the position', () => {
    const d = decide(holding(20), exitSignal(T0 + MIN, 25));
    expect(d.kind === 'risk.approved' && d.order.quantity).toBe(20);
  });

  it('still refuses a manual sell of more than is held', () => {
    const d = decide(holding(20), manual({ side: 'SELL', quantity: 25 }));
    expect(d).toMatchObject({ kind: 'risk.rejected', rule: 'exceeds_position' });
  });

  it.each([0, -3, 2.5, Number.NaN])('refuses a malformed exit quantity %s (fail closed)', (q) => {
    expect(decide(holding(), exitSignal(T0 + MIN, q))).toMatchObject({
      kind: 'risk.rejected',
      rule: 'invalid_quantity',
    });
  });

  it('a partial sell is a day trade once, like any closing fill after a same-day buy, and leaves the position open', () => {
    const c = riskConfig({
      pdt: { policy: 'finra-legacy', mode: 'strict', equityThreshold: 25_000, accountType: 'margin' },
    });
    const s = createRiskState(account(100_000));
    const ids = sequentialIds('p');
    const step = (input: RiskInput) => reduceRisk(s, c, ids, input);
    const buy = step(scored({ ts: T0, confidence: 0.9 }));
    if (buy?.kind !== 'risk.approved') throw new Error('entry not approved');
    step(fill(buy.order.clientOrderId, 'BUY', 100, 100, { ts: T0 + MIN }));
    let held = 100;
    for (const [i, q] of [25, 37, 38].entries()) {
      s.positions.set('AAPL', position('AAPL', held, 100));
      const sell = step(exitSignal(T0 + (i + 2) * MIN, q === 38 ? undefined : q));
      if (sell?.kind !== 'risk.approved') throw new Error(`exit ${i} not approved: ${JSON.stringify(sell)}`);
      expect(sell.order.quantity).toBe(q);
      step(fill(sell.order.clientOrderId, 'SELL', q, 105, { ts: T0 + (i + 2) * MIN, execId: `x-${i}` }));
      held -= q;
      expect(s.dayTrades.symbols['AAPL']?.quantity ?? 0).toBe(held);
      expect(dayTradesInWindow(s.dayTrades, '2026-11-02')).toBe(1);
    }
  });

  it('a cash account credits the proceeds of the shares sold only, and lets the rest be sold later', () => {
    const c = riskConfig({ pdt: { policy: 'off', mode: 'strict', equityThreshold: 25_000, accountType: 'cash' } });
    const a = account(10_000, [position('AAPL', 100, 50)]);
    const s = createRiskState(a, [], undefined, undefined, createSettlementLedger(a.cash, { AAPL: 100 }));
    const ids = sequentialIds('c');
    const sell = reduceRisk(s, c, ids, exitSignal(T0, 25));
    if (sell?.kind !== 'risk.approved') throw new Error(`not approved: ${JSON.stringify(sell)}`);
    reduceRisk(s, c, ids, fill(sell.order.clientOrderId, 'SELL', 25, 52, { ts: T0 + MIN, commission: 0 }));
    expect(unsettledCredits(s.settlement ?? fail(), T0 + MIN).map((x) => x.amount)).toEqual([25 * 52]);
    s.positions.set('AAPL', position('AAPL', 75, 50));
    const rest = reduceRisk(s, c, ids, exitSignal(T0 + 2 * MIN));
    expect(rest?.kind === 'risk.approved' && rest.order.quantity).toBe(75);
  });
});

const fail = (): never => {
  throw new Error('expected a settlement ledger');
};

describe('the flatten window (EXIT_FLATTEN_BEFORE_CLOSE_MINUTES)', () => {
  it.each([
    ['15:44', CLOSE - 16 * MIN, 'risk.approved'],
    ['15:45', CLOSE - 15 * MIN, 'risk.rejected'],
    ['15:59', CLOSE - MIN, 'risk.rejected'],
  ])('an entry at %s -> %s', (_name, ts, kind) => {
    const d = decide(createRiskState(account(100_000)), scored({ ts, confidence: 0.9 }));
    expect(d.kind).toBe(kind);
    if (d.kind === 'risk.rejected') {
      expect(d.rule).toBe('flatten_window');
      expect(d.reason).toMatch(/last 15 min before the 2026-11-02 close/);
    }
  });

  it('refuses manual entries too, but never an exit', () => {
    const s = holding();
    expect(decide(s, manual({ ts: CLOSE - 5 * MIN, symbol: 'MSFT' }))).toMatchObject({ rule: 'flatten_window' });
    expect(decide(s, exitSignal(CLOSE - 5 * MIN))).toMatchObject({ kind: 'risk.approved' });
  });

  it('is off when unset', () => {
    const d = decide(createRiskState(account(100_000)), scored({ ts: CLOSE - MIN, confidence: 0.9 }), riskConfig());
    expect(d.kind).toBe('risk.approved');
  });
});

describe('property: exits are never blocked by risk, and no exit sells more than is held', () => {
  it('for any entry-rule state (kill switch, limits used up, losses, PDT, flatten window, positions full)', () => {
    fc.assert(
      fc.property(
        fc.record({
          held: fc.integer({ min: 1, max: 5_000 }).chain((q) => fc.constantFrom(q, -q)),
          exitQuantity: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
          killSwitch: fc.boolean(),
          tradesUsed: fc.boolean(),
          pdtStrict: fc.boolean(),
          minutesBeforeClose: fc.integer({ min: 0, max: 390 }),
          flatten: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
          otherPositions: fc.integer({ min: 0, max: 6 }),
          cash: fc.integer({ min: 0, max: 200_000 }),
          price: fc.integer({ min: 1, max: 100_000 }).map((c) => c / 100),
        }),
        (p) => {
          const c = riskConfig({
            maxConcurrentTrades: 1,
            limits: {
              dailyTradeLimit: p.tradesUsed ? 0 : 5,
              weeklyTradeLimit: p.tradesUsed ? 0 : 20,
              dailyLossLimitPct: 0.001,
              maxDrawdownPct: 0.001,
            },
            pdt: {
              policy: 'finra-legacy',
              mode: p.pdtStrict ? 'strict' : 'warning',
              equityThreshold: 1e12,
              accountType: 'margin',
            },
            flattenBeforeCloseMinutes: p.flatten,
          });
          const others = Array.from({ length: p.otherPositions }, (_, i) => position(`S${i}`, 10, 10));
          const s = createRiskState(
            account(p.cash, [position('AAPL', p.held, 100, { lastPrice: p.price }), ...others]),
          );
          if (p.killSwitch) engage(s.limits, 'test', T0);
          const ts = CLOSE - p.minutesBeforeClose * MIN;
          const side = p.held > 0 ? 'SELL' : 'BUY';
          const d = decide(s, { ...exitSignal(ts, p.exitQuantity, side), confidence: 0 }, c);
          expect(d.kind, d.kind === 'risk.rejected' ? `${d.rule}: ${d.reason}` : '').toBe('risk.approved');
          if (d.kind !== 'risk.approved') return;
          expect(d.order.side).toBe(side);
          expect(d.order.purpose).toBe('exit');
          expect(d.order.quantity).toBeLessThanOrEqual(Math.abs(p.held));
          expect(d.order.quantity).toBe(Math.min(p.exitQuantity ?? Math.abs(p.held), Math.abs(p.held)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
