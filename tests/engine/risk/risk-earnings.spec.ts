import { describe, expect, it } from 'vitest';
import type { OrderRequested } from '../../../engine/messages/engine-event.js';
import type { EarningsScheduled } from '../../../engine/messages/market.js';
import type { RiskDecision } from '../../../engine/messages/risk.js';
import {
  type RiskConfig,
  type RiskInput,
  type RiskState,
  createRiskState,
  reduceRisk,
} from '../../../engine/risk/risk.operator.js';
import { T0, account, position, riskConfig, scored, sequentialIds } from '../../support/factories.js';

const MIN = 60_000;
const HOUR = 3_600_000;
/** Reports the day after T0, 16:05 ET (after the close). */
const REPORT = T0 + 24 * HOUR + 395 * MIN;
const BLACKOUT: RiskConfig = riskConfig({ earningsBlackoutMs: 24 * HOUR });

const earnings = (reportTs: number | null, symbol = 'AAPL', ts = T0 - HOUR): EarningsScheduled => ({
  kind: 'earnings.scheduled',
  ts,
  symbol,
  reportTs,
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

/** Feeds `setup` (which must decide nothing), then returns the decision on `input`. */
const decide = (
  input: RiskInput,
  setup: readonly RiskInput[] = [earnings(REPORT)],
  c: RiskConfig = BLACKOUT,
  state: RiskState = createRiskState(account(100_000)),
): RiskDecision => {
  const ids = sequentialIds('o');
  for (const e of setup) expect(reduceRisk(state, c, ids, e)).toBeUndefined();
  const d = reduceRisk(state, c, ids, input);
  if (d?.kind !== 'risk.approved' && d?.kind !== 'risk.rejected') throw new Error('no decision');
  return d;
};

const entry = (ts: number, symbol = 'AAPL') => scored({ ts, symbol });

describe('earnings blackout: entries', () => {
  it.each([
    ['1 h before the report', REPORT - HOUR],
    ['exactly the blackout before it', REPORT - 24 * HOUR],
    ['at the report time', REPORT],
  ])('rejects an entry %s', (_label, ts) => {
    const d = decide(entry(ts));
    expect(d).toMatchObject({ kind: 'risk.rejected', rule: 'earnings_blackout', symbol: 'AAPL' });
    if (d.kind !== 'risk.rejected') return;
    expect(d.reason).toContain(new Date(REPORT).toISOString());
    expect(d.reason).toContain('24 h');
  });

  it.each([
    ['1 ms before the blackout starts', REPORT - 24 * HOUR - 1],
    ['a week before', REPORT - 7 * 24 * HOUR],
    ['1 ms after the report', REPORT + 1],
    ['a day after the report', REPORT + 24 * HOUR],
  ])('approves an entry %s', (_label, ts) => {
    expect(decide(entry(ts))).toMatchObject({ kind: 'risk.approved', order: { purpose: 'enter', side: 'BUY' } });
  });

  it('blackout 0 switches the rule off', () => {
    expect(decide(entry(REPORT - HOUR), [earnings(REPORT)], riskConfig({ earningsBlackoutMs: 0 }))).toMatchObject({
      kind: 'risk.approved',
    });
  });

  it('reportTs null clears a scheduled report', () => {
    expect(decide(entry(REPORT - HOUR), [earnings(REPORT), earnings(null, 'AAPL', T0)])).toMatchObject({
      kind: 'risk.approved',
    });
  });

  it('a rescheduled report replaces the earlier date', () => {
    const later = REPORT + 7 * 24 * HOUR;
    const setup = [earnings(REPORT), earnings(later, 'AAPL', T0)];
    expect(decide(entry(REPORT - HOUR), setup)).toMatchObject({ kind: 'risk.approved' });
    expect(decide(entry(later - HOUR), setup)).toMatchObject({ kind: 'risk.rejected', rule: 'earnings_blackout' });
  });

  it('applies per symbol: another symbol’s report does not block', () => {
    expect(decide(entry(REPORT - HOUR, 'MSFT'))).toMatchObject({ kind: 'risk.approved', symbol: 'MSFT' });
    expect(decide(entry(REPORT - HOUR, 'MSFT'), [earnings(REPORT, 'MSFT')])).toMatchObject({
      kind: 'risk.rejected',
      rule: 'earnings_blackout',
    });
  });

  it('no report known: approved', () => {
    expect(decide(entry(REPORT - HOUR), [])).toMatchObject({ kind: 'risk.approved' });
  });

  it('a rejected entry leaves nothing pending: after the report the same entry goes through', () => {
    const state = createRiskState(account(100_000));
    expect(decide(entry(REPORT - HOUR), [earnings(REPORT)], BLACKOUT, state)).toMatchObject({ kind: 'risk.rejected' });
    expect(state.pending.size).toBe(0);
    expect(decide(entry(REPORT + HOUR), [], BLACKOUT, state)).toMatchObject({ kind: 'risk.approved' });
  });
});

describe('earnings blackout: exits and manual orders', () => {
  const holding = (): RiskState => createRiskState(account(90_000, [position('AAPL', 100, 100)]));

  it('never blocks an exit signal', () => {
    const exit = scored({ ts: REPORT - HOUR, side: 'SELL', action: 'exit', exitReason: 'stop', confidence: 1 });
    expect(decide(exit, [earnings(REPORT)], BLACKOUT, holding())).toMatchObject({
      kind: 'risk.approved',
      order: { purpose: 'exit', side: 'SELL', quantity: 100 },
    });
  });

  it('never blocks a manual sell that reduces a held position', () => {
    const sell = manual({ ts: REPORT - HOUR, side: 'SELL', quantity: 40 });
    expect(decide(sell, [earnings(REPORT)], BLACKOUT, holding())).toMatchObject({
      kind: 'risk.approved',
      requestId: 'req-1',
      order: { purpose: 'exit', side: 'SELL', quantity: 40 },
    });
  });

  it('rejects a manual buy within the blackout, naming the request', () => {
    expect(decide(manual({ ts: REPORT - HOUR }))).toMatchObject({
      kind: 'risk.rejected',
      rule: 'earnings_blackout',
      requestId: 'req-1',
    });
  });

  it('rejects a manual buy adding to a held position within the blackout', () => {
    expect(decide(manual({ ts: REPORT - HOUR }), [earnings(REPORT)], BLACKOUT, holding())).toMatchObject({
      kind: 'risk.rejected',
      rule: 'earnings_blackout',
    });
  });

  it('approves the same manual buy outside the blackout', () => {
    expect(decide(manual({ ts: REPORT - 25 * HOUR }))).toMatchObject({
      kind: 'risk.approved',
      order: { purpose: 'enter', quantity: 10 },
    });
  });
});
