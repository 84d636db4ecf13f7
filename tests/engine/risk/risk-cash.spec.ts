import { describe, expect, it } from 'vitest';
import type { OrderRequested } from '../../../engine/messages/engine-event.js';
import {
  type RiskConfig,
  type RiskInput,
  type RiskState,
  createRiskState,
  reduceRisk,
} from '../../../engine/risk/risk.operator.js';
import { createSettlementLedger } from '../../../engine/risk/settlement-ledger.js';
import { T0, account, fill, position, riskConfig, sequentialIds } from '../../support/factories.js';

const DAY = 86_400_000;
// T0 is Monday 2026-11-02 09:30 New York; T+1 settlement.
const config = (mode: 'strict' | 'warning'): RiskConfig =>
  riskConfig({
    maxPositionPct: 1,
    pdt: { policy: 'finra-legacy', mode, equityThreshold: 25_000, accountType: 'cash' },
  });

const ids = sequentialIds('o');
let request = 0;
const manual = (symbol: string, side: 'BUY' | 'SELL', quantity: number, ts: number): OrderRequested => ({
  kind: 'order.requested',
  ts,
  requestId: `req-${++request}`,
  accountId: 'paper',
  symbol,
  side,
  quantity,
  price: 50,
  confidence: 1,
});

/** Approves (or fails the test) and fills a manual order at $50, keeping risk's positions in step. */
const trade = (s: RiskState, c: RiskConfig, symbol: string, side: 'BUY' | 'SELL', quantity: number, ts: number) => {
  const step = (input: RiskInput) => reduceRisk(s, c, ids, input);
  const d = step(manual(symbol, side, quantity, ts));
  if (d?.kind !== 'risk.approved') throw new Error(`not approved: ${JSON.stringify(d)}`);
  step(fill(d.order.clientOrderId, side, quantity, 50, { symbol, ts: ts + 60_000, commission: 0 }));
  const held = (s.positions.get(symbol)?.quantity ?? 0) + (side === 'BUY' ? quantity : -quantity);
  if (held === 0) s.positions.delete(symbol);
  else s.positions.set(symbol, position(symbol, held, 50));
  return d;
};

const cashAccount = (): RiskState => {
  const a = account(10_000);
  return createRiskState(a, [], undefined, undefined, createSettlementLedger(a.cash));
};

describe('cash account through the risk operator (T+1)', () => {
  it('buys only with settled cash: sale proceeds can be used the next settlement day', () => {
    const strict = config('strict');
    const s = cashAccount();
    trade(s, strict, 'A', 'BUY', 100, T0); // $5,000 of $10,000 settled
    trade(s, strict, 'A', 'SELL', 100, T0 + DAY); // Tuesday: $5,000 proceeds settle Wednesday
    const tooEarly = reduceRisk(s, strict, ids, manual('B', 'BUY', 160, T0 + DAY)); // $8,000 > $5,000 settled
    expect(tooEarly).toMatchObject({ kind: 'risk.rejected', rule: 'unsettled_cash' });
    const settled = reduceRisk(s, strict, ids, manual('B', 'BUY', 160, T0 + 2 * DAY));
    expect(settled?.kind).toBe('risk.approved');
  });

  it('refuses in strict mode the sale that would be a good-faith violation, and says when it is allowed', () => {
    const s = cashAccount();
    trade(s, config('strict'), 'A', 'BUY', 100, T0);
    trade(s, config('strict'), 'A', 'SELL', 100, T0 + DAY);
    // Warning mode lets a buy use the unsettled proceeds (with a warning)...
    const risky = trade(s, config('warning'), 'B', 'BUY', 160, T0 + DAY);
    expect(risky.warnings.length).toBeGreaterThan(0);
    // ...and strict mode then refuses selling those shares before the proceeds settle.
    const sale = reduceRisk(s, config('strict'), ids, manual('B', 'SELL', 160, T0 + DAY + 3_600_000));
    expect(sale).toMatchObject({ kind: 'risk.rejected' });
    expect(sale?.kind === 'risk.rejected' && ['good_faith_violation', 'free_riding'].includes(sale.rule)).toBe(true);
    // Once they settle, the sale is an ordinary exit.
    expect(reduceRisk(s, config('strict'), ids, manual('B', 'SELL', 160, T0 + 2 * DAY))?.kind).toBe('risk.approved');
  });

  it('refuses short entries in a cash account', () => {
    const c = config('strict');
    const d = reduceRisk(cashAccount(), c, ids, {
      kind: 'signal.scored',
      ts: T0,
      symbol: 'A',
      confidence: 0.9,
      signal: {
        kind: 'signal.generated',
        ts: T0,
        strategyId: 'momentum_A',
        strategyType: 'momentum',
        symbol: 'A',
        timeframe: '5m',
        side: 'SELL',
        action: 'enter',
        confidence: 0.9,
        price: 50,
        entry: 50,
        stopLoss: 51,
        takeProfit: 48,
        reason: 'test',
        indicators: {},
      },
      confluence: { score: 0.9, level: 'high', directionalBias: 'bearish', components: [] },
    });
    expect(d).toMatchObject({ kind: 'risk.rejected', rule: 'short_not_allowed' });
  });
});
