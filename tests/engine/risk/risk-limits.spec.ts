import { describe, expect, it } from 'vitest';
import type { RiskDecision } from '../../../engine/messages/risk.js';
import { freshLimits, restoreLimits, snapshotLimits } from '../../../engine/risk/risk-limits.js';
import {
  type RiskConfig,
  type RiskInput,
  type RiskState,
  createRiskState,
  reduceRisk,
} from '../../../engine/risk/risk.operator.js';
import { T0, account, position, scored, sequentialIds, riskConfig } from '../../support/factories.js';

const DAY = 86_400_000;
// T0 is Monday 2026-11-02 09:30 New York.
const CONFIG: RiskConfig = riskConfig({
  limits: { dailyTradeLimit: 2, weeklyTradeLimit: 3, dailyLossLimitPct: 0.02, maxDrawdownPct: 0.1 },
});

const ids = sequentialIds('o');
const step = (s: RiskState, input: RiskInput) => reduceRisk(s, CONFIG, ids, input);
const entry = (symbol: string, ts = T0) => scored({ symbol, ts, confidence: 0.9 });
const exit = (symbol: string, ts = T0) =>
  scored({ symbol, ts, side: 'SELL', action: 'exit', exitReason: 'stop', confidence: 1 });
const ruleOf = (d: ReturnType<typeof step>): string =>
  d === undefined ? 'none' : d.kind === 'risk.rejected' ? d.rule : d.kind === 'risk.approved' ? 'approved' : d.kind;
const marked = (s: RiskState, equityCash: number, ts: number) =>
  step(s, { kind: 'account.updated', ts, account: { ...account(equityCash), updatedTs: ts } });

describe('kill switch', () => {
  it('refuses entries while engaged, still lets exits through, and resets', () => {
    const s = createRiskState(account(90_000, [position('MSFT', 10, 100)]));
    expect(step(s, { kind: 'risk.set_kill_switch', ts: T0, engaged: true, reason: 'going on holiday' })).toMatchObject({
      kind: 'risk.kill_switch_changed',
      engaged: true,
      source: 'operator',
    });
    const refused = step(s, entry('AAPL')) as RiskDecision;
    expect(refused).toMatchObject({ kind: 'risk.rejected', rule: 'kill_switch' });
    expect(refused.kind === 'risk.rejected' && refused.reason).toContain('going on holiday');
    expect(ruleOf(step(s, exit('MSFT')))).toBe('approved');
    step(s, { kind: 'risk.set_kill_switch', ts: T0, engaged: false, reason: '' });
    expect(ruleOf(step(s, entry('AAPL')))).toBe('approved');
  });

  it('is engaged by the drawdown limit from peak equity, once', () => {
    const s = createRiskState(account(100_000));
    expect(marked(s, 110_000, T0)).toBeUndefined(); // new peak
    expect(marked(s, 99_100, T0 + 60_000)).toBeUndefined(); // 9.9 % below the peak
    const engaged = marked(s, 99_000, T0 + 120_000); // exactly 10 %
    expect(engaged).toMatchObject({ kind: 'risk.kill_switch_changed', engaged: true, source: 'drawdown' });
    expect(engaged?.kind === 'risk.kill_switch_changed' && engaged.reason).toContain('10.00 %');
    expect(marked(s, 90_000, T0 + 180_000)).toBeUndefined(); // already engaged
    expect(ruleOf(step(s, entry('AAPL', T0 + DAY)))).toBe('kill_switch');
    // A reset restarts the peak from the current equity, so the same drawdown does not re-engage at once.
    step(s, { kind: 'risk.set_kill_switch', ts: T0 + DAY, engaged: false, reason: '' });
    expect(marked(s, 90_000, T0 + DAY)).toBeUndefined();
    expect(ruleOf(step(s, entry('AAPL', T0 + DAY)))).toBe('approved');
  });
});

describe('trade limits', () => {
  it('counts entries per NYSE session date and per week; exits are never counted or limited', () => {
    const s = createRiskState(account(100_000, [position('MSFT', 10, 100)]));
    expect(ruleOf(step(s, entry('A')))).toBe('approved');
    expect(ruleOf(step(s, entry('B')))).toBe('approved');
    expect(ruleOf(step(s, entry('C')))).toBe('daily_trade_limit');
    expect(ruleOf(step(s, exit('MSFT')))).toBe('approved');
    // Tuesday: a new day, but the week holds 2 of 3.
    expect(ruleOf(step(s, entry('C', T0 + DAY)))).toBe('approved');
    expect(ruleOf(step(s, entry('D', T0 + DAY)))).toBe('weekly_trade_limit');
    // Next Monday: a new week.
    expect(ruleOf(step(s, entry('D', T0 + 7 * DAY)))).toBe('approved');
  });

  it('uses the New York session date, not the UTC date (an entry at 19:30 New York is still that day)', () => {
    const s = createRiskState(account(100_000));
    const evening = T0 + 10 * 3_600_000; // 19:30 New York = 00:30 UTC the next day
    step(s, entry('A'));
    step(s, entry('B', evening));
    expect(ruleOf(step(s, entry('C', evening)))).toBe('daily_trade_limit');
  });
});

describe('daily loss limit', () => {
  it('stops entries after a 2 % loss from the session start equity until the next session', () => {
    const s = createRiskState(account(100_000));
    marked(s, 100_000, T0);
    marked(s, 98_100, T0 + 60_000);
    expect(ruleOf(step(s, entry('A', T0 + 60_000)))).toBe('approved');
    marked(s, 98_000, T0 + 120_000); // exactly 2 % down
    const refused = step(s, entry('B', T0 + 120_000));
    expect(ruleOf(refused)).toBe('daily_loss_limit');
    // The next session starts a new baseline.
    marked(s, 98_000, T0 + DAY);
    expect(ruleOf(step(s, entry('B', T0 + DAY)))).toBe('approved');
  });
});

describe('persistence of the limits', () => {
  it('round-trips through a snapshot and refuses a corrupt one with the issue', () => {
    const s = createRiskState(account(100_000));
    step(s, { kind: 'risk.set_kill_switch', ts: T0, engaged: true, reason: 'test' });
    step(s, entry('A'));
    const stored = JSON.parse(JSON.stringify(snapshotLimits(s.limits))) as unknown;
    const restored = createRiskState(account(100_000), [], restoreLimits(stored));
    expect(restored.limits).toEqual(s.limits);
    expect(ruleOf(reduceRisk(restored, CONFIG, ids, entry('B')))).toBe('kill_switch');
    expect(() => restoreLimits({ ...freshLimits(1), peakEquity: -1 })).toThrow(/peakEquity/);
    expect(() => restoreLimits('nonsense')).toThrow(/refusing to start/);
  });

  it('keeps only the last seven session dates of entry counts', () => {
    const s = createRiskState(account(100_000));
    const loose = { ...CONFIG, limits: { ...CONFIG.limits, dailyTradeLimit: 9, weeklyTradeLimit: 99 } };
    for (let d = 0; d < 12; d++) reduceRisk(s, loose, ids, entry(`S${d}`, T0 + d * DAY));
    expect(Object.keys(s.limits.entriesByDate)).toHaveLength(7);
  });
});
