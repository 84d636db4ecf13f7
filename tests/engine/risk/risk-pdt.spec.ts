import { describe, expect, it } from 'vitest';
import type { PdtConfig } from '../../../engine/risk/day-trade-ledger.js';
import {
  type RiskConfig,
  type RiskInput,
  type RiskState,
  createRiskState,
  reduceRisk,
} from '../../../engine/risk/risk.operator.js';
import { T0, account, fill, position, scored, sequentialIds, riskConfig } from '../../support/factories.js';

const DAY = 86_400_000;
// T0 is Monday 2026-11-02 09:30 New York.
const config = (pdt: Partial<PdtConfig> = {}): RiskConfig =>
  riskConfig({
    pdt: { policy: 'finra-legacy', mode: 'strict', equityThreshold: 25_000, accountType: 'margin', ...pdt },
  });

const ids = sequentialIds('o');
const entry = (symbol: string, ts: number) => scored({ symbol, ts, confidence: 0.9, price: 10, entry: 10 });
const exit = (symbol: string, ts: number) =>
  scored({ symbol, ts, side: 'SELL', action: 'exit', exitReason: 'target', confidence: 1, price: 10 });

/** One round trip in `symbol` at `ts`: entry approved and filled, exit approved and filled. */
const dayTrade = (s: RiskState, c: RiskConfig, symbol: string, ts: number): void => {
  const step = (input: RiskInput) => reduceRisk(s, c, ids, input);
  const buy = step(entry(symbol, ts));
  if (buy?.kind !== 'risk.approved') throw new Error(`entry ${symbol} not approved: ${JSON.stringify(buy)}`);
  step(fill(buy.order.clientOrderId, 'BUY', buy.order.quantity, 10, { symbol, ts: ts + 60_000 }));
  const held = position(symbol, buy.order.quantity, 10);
  step({ kind: 'position.updated', ts: ts + 60_000, symbol, position: held, unrealizedPnl: 0 });
  const sell = step(exit(symbol, ts + 120_000));
  if (sell?.kind !== 'risk.approved') throw new Error(`exit ${symbol} not approved: ${JSON.stringify(sell)}`);
  step(fill(sell.order.clientOrderId, 'SELL', sell.order.quantity, 10, { symbol, ts: ts + 180_000 }));
  s.positions.delete(symbol);
};

const threeDayTrades = (c: RiskConfig, cash = 10_000): RiskState => {
  const s = createRiskState(account(cash));
  dayTrade(s, c, 'A', T0);
  dayTrade(s, c, 'B', T0 + DAY);
  dayTrade(s, c, 'C', T0 + 2 * DAY);
  return s;
};

describe('pattern day trader rule through the risk operator', () => {
  it('refuses in strict mode the entry that could make a 4th day trade in 5 business days', () => {
    const c = config();
    const s = threeDayTrades(c);
    const d = reduceRisk(s, c, ids, entry('D', T0 + 3 * DAY));
    expect(d).toMatchObject({ kind: 'risk.rejected', rule: 'pdt' });
  });

  it('never refuses an exit, even with the day trades used up', () => {
    const c = config();
    const s = threeDayTrades(c);
    s.positions.set('MSFT', position('MSFT', 10, 10));
    expect(reduceRisk(s, c, ids, exit('MSFT', T0 + 3 * DAY))).toMatchObject({ kind: 'risk.approved' });
  });

  it('allows the entry with a warning in warning mode', () => {
    const c = config({ mode: 'warning' });
    const d = reduceRisk(threeDayTrades(c), c, ids, entry('D', T0 + 3 * DAY));
    expect(d?.kind).toBe('risk.approved');
    expect(d?.kind === 'risk.approved' && d.warnings.join(' ')).toMatch(/day trade/i);
  });

  it('does not limit an account at or above the equity threshold, nor with policy off', () => {
    const rich = config();
    expect(reduceRisk(threeDayTrades(rich, 30_000), rich, ids, entry('D', T0 + 3 * DAY))?.kind).toBe('risk.approved');
    const off = config({ policy: 'off' });
    expect(reduceRisk(threeDayTrades(off), off, ids, entry('D', T0 + 3 * DAY))?.kind).toBe('risk.approved');
  });

  it('allows entries again once the oldest day trade leaves the 5-business-day window', () => {
    const c = config();
    const s = threeDayTrades(c);
    // Monday's day trade leaves the window on the following Monday (5 trading days: Tue..Mon).
    expect(reduceRisk(s, c, ids, entry('D', T0 + 7 * DAY))).toMatchObject({ kind: 'risk.approved' });
  });
});
