import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerAccountReported } from '../../../engine/messages/broker-account.js';
import { BrokerAccountReportedSchema } from '../../../engine/messages/broker-account.js';
import type { OrderRequested } from '../../../engine/messages/engine-event.js';
import type { RiskDecision } from '../../../engine/messages/risk.js';
import {
  DEFAULT_BROKER_REPORT_MAX_AGE_MS,
  brokerSettlementStatus,
  pdtAllowanceStatus,
} from '../../../engine/risk/broker-account.js';
import type { PdtConfig } from '../../../engine/risk/day-trade-ledger.js';
import {
  type RiskConfig,
  type RiskInput,
  type RiskState,
  createRiskState,
  reduceRisk,
} from '../../../engine/risk/risk.operator.js';
import { checkBuy, createSettlementLedger } from '../../../engine/risk/settlement-ledger.js';
import { T0, account, fill, position, riskConfig, scored, sequentialIds } from '../../support/factories.js';

// T0 is Monday 2026-11-02 09:30 New York.
const DAY = 86_400_000;
const MIN = 60_000;
const MAX_AGE = DEFAULT_BROKER_REPORT_MAX_AGE_MS;

const pdtConfig = (pdt: Partial<PdtConfig> = {}): RiskConfig =>
  riskConfig({
    pdt: { policy: 'broker', mode: 'strict', equityThreshold: 25_000, accountType: 'margin', ...pdt },
  });

const report = (
  ts: number,
  figures: { dayTradesRemaining?: number | null; settledCash?: number | null } = {},
): BrokerAccountReported => ({
  kind: 'broker.account_reported',
  ts,
  accountId: 'DU1234567',
  dayTradesRemaining: figures.dayTradesRemaining ?? null,
  settledCash: figures.settledCash ?? null,
});

const ids = sequentialIds('o');
let request = 0;
const manual = (symbol: string, side: 'BUY' | 'SELL', quantity: number, ts: number, price = 50): OrderRequested => ({
  kind: 'order.requested',
  ts,
  requestId: `req-${++request}`,
  accountId: 'paper',
  symbol,
  side,
  quantity,
  price,
  confidence: 1,
});

const decide = (s: RiskState, c: RiskConfig, input: RiskInput): RiskDecision => {
  const d = reduceRisk(s, c, ids, input);
  if (d?.kind !== 'risk.approved' && d?.kind !== 'risk.rejected') throw new Error(`no decision: ${JSON.stringify(d)}`);
  return d;
};

/** Buys and sells `symbol` at $10 at `ts` through the risk operator (PDT off, so it always passes): one day trade. */
const dayTrade = (s: RiskState, symbol: string, ts: number): void => {
  const off = pdtConfig({ policy: 'off' });
  const buy = decide(s, off, manual(symbol, 'BUY', 10, ts, 10));
  if (buy.kind !== 'risk.approved') throw new Error(`buy ${symbol}: ${buy.reason}`);
  reduceRisk(s, off, ids, fill(buy.order.clientOrderId, 'BUY', 10, 10, { symbol, ts: ts + MIN }));
  s.positions.set(symbol, position(symbol, 10, 10));
  const sell = decide(s, off, manual(symbol, 'SELL', 10, ts + 2 * MIN, 10));
  if (sell.kind !== 'risk.approved') throw new Error(`sell ${symbol}: ${sell.reason}`);
  reduceRisk(s, off, ids, fill(sell.order.clientOrderId, 'SELL', 10, 10, { symbol, ts: ts + 3 * MIN }));
  s.positions.delete(symbol);
};

/** A margin account with `local` day trades made on Monday, before any report. */
const marginAccount = (local: number, cash = 10_000): RiskState => {
  const s = createRiskState(account(cash));
  for (let i = 0; i < local; i++) dayTrade(s, `L${i}`, T0 + i * 10 * MIN);
  return s;
};

const WED = T0 + 2 * DAY;

describe('broker PDT policy with the broker report', () => {
  type Outcome = 'approved' | 'warned' | 'rejected';
  it.each<[string, Partial<PdtConfig>, number | null, number | null, number, number, Outcome]>([
    // name, pdt, report age (ms; null = no report), DayTradesRemaining, local day trades, equity, outcome
    ['fresh 0 remaining, strict: the entry is refused', {}, MIN, 0, 0, 10_000, 'rejected'],
    ['fresh 0 remaining, warning: allowed with a warning', { mode: 'warning' }, MIN, 0, 0, 10_000, 'warned'],
    ['fresh 0 remaining refuses whatever the equity', {}, MIN, 0, 0, 1_000_000, 'rejected'],
    ['fresh -1 is unlimited, even with 3 counted here', {}, MIN, -1, 3, 10_000, 'approved'],
    ['fresh 3 remaining but 3 counted here: local bounds', {}, MIN, 3, 3, 10_000, 'rejected'],
    ['fresh 3 remaining, 2 counted here: allowed', {}, MIN, 3, 2, 10_000, 'approved'],
    ['fresh report without DayTradesRemaining: local decides', {}, MIN, null, 0, 10_000, 'approved'],
    ['a report exactly at the age bound is still used', {}, MAX_AGE, 0, 0, 10_000, 'rejected'],
    ['stale 0 remaining: local decides (none counted)', {}, MAX_AGE + 1, 0, 0, 10_000, 'approved'],
    ['stale -1: local decides (3 counted)', {}, MAX_AGE + 1, -1, 3, 10_000, 'rejected'],
    ['no report: local decides whatever the equity', {}, null, null, 3, 1_000_000, 'rejected'],
    ['policy finra-legacy ignores the broker figure', { policy: 'finra-legacy' }, MIN, 0, 0, 10_000, 'approved'],
  ])('%s', (_name, pdt, age, remaining, local, cash, outcome) => {
    const c = pdtConfig(pdt);
    const s = marginAccount(local, cash);
    if (age !== null) reduceRisk(s, c, ids, report(WED - age, { dayTradesRemaining: remaining }));
    const d = decide(s, c, scored({ symbol: 'NEW', ts: WED, confidence: 0.9, price: 10, entry: 10 }));
    const got: Outcome =
      d.kind === 'risk.rejected' ? 'rejected' : d.warnings.some((w) => /day trade/.test(w)) ? 'warned' : 'approved';
    expect(got).toBe(outcome);
    if (d.kind === 'risk.rejected') expect(d.rule).toBe('pdt');
  });

  it('names the broker figure and its time in the refusal', () => {
    const c = pdtConfig();
    const s = marginAccount(0);
    reduceRisk(s, c, ids, report(WED - MIN, { dayTradesRemaining: 0 }));
    const d = decide(s, c, manual('NEW', 'BUY', 10, WED));
    expect(d.kind === 'risk.rejected' && d.reason).toContain(
      `the broker reports 0 day trades remaining (IBKR reported 0 at ${new Date(WED - MIN).toISOString()})`,
    );
  });

  it('takes day trades made after the report off the broker figure (it lags our fills)', () => {
    const c = pdtConfig();
    const s = marginAccount(0);
    reduceRisk(s, c, ids, report(WED, { dayTradesRemaining: 1 }));
    expect(decide(s, c, manual('NEW', 'BUY', 10, WED + MIN)).kind).toBe('risk.approved');
    s.pending.clear();
    dayTrade(s, 'X', WED + 2 * MIN); // local: 1 of 3 used, so only the broker figure can refuse now
    const d = decide(s, c, manual('NEW', 'BUY', 10, WED + 6 * MIN));
    expect(d).toMatchObject({ kind: 'risk.rejected', rule: 'pdt' });
    expect(d.kind === 'risk.rejected' && d.reason).toContain('1 day trade(s) made since');
    // A new report starts afresh.
    reduceRisk(s, c, ids, report(WED + 7 * MIN, { dayTradesRemaining: 1 }));
    expect(decide(s, c, manual('NEW', 'BUY', 10, WED + 8 * MIN)).kind).toBe('risk.approved');
  });

  it('does not count a replayed execution of a day trade twice', () => {
    const c = pdtConfig();
    const s = marginAccount(0);
    reduceRisk(s, c, ids, report(WED, { dayTradesRemaining: 2 }));
    dayTrade(s, 'X', WED + MIN);
    const closing = s.dayTrades.dayTrades.at(-1);
    if (closing === undefined) throw new Error('no day trade recorded');
    reduceRisk(s, c, ids, fill('o-x', 'SELL', 10, 10, { symbol: 'X', ts: closing.ts, execId: closing.execId }));
    // 2 reported, 1 made since: one left (a second count would leave none).
    expect(decide(s, c, manual('NEW', 'BUY', 10, WED + 10 * MIN)).kind).toBe('risk.approved');
    expect(s.brokerAccount?.dayTradesSince).toBe(1);
  });

  it('never refuses an exit with 0 remaining', () => {
    const c = pdtConfig();
    const s = marginAccount(0);
    s.positions.set('MSFT', position('MSFT', 10, 10));
    reduceRisk(s, c, ids, report(WED, { dayTradesRemaining: 0 }));
    expect(decide(s, c, manual('MSFT', 'SELL', 10, WED + MIN)).kind).toBe('risk.approved');
  });

  it('strict mode with a fresh 0 from the broker approves no opening order, whatever comes before (property)', () => {
    const SYMBOLS = ['A', 'B', 'C'] as const;
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('signal' as const),
        symbol: fc.constantFrom(...SYMBOLS),
        side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
        action: fc.constantFrom<'enter' | 'exit'>('enter', 'exit'),
      }),
      fc.record({
        kind: fc.constant('manual' as const),
        symbol: fc.constantFrom(...SYMBOLS),
        side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
        quantity: fc.integer({ min: 1, max: 30 }),
      }),
      fc.record({ kind: fc.constant('fill' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('report' as const), remaining: fc.constantFrom(0, 0, 2, -1) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 40 }),
        fc.integer({ min: 1_000, max: 100_000 }),
        fc.subarray([...SYMBOLS]),
        (steps, cash, held) => {
          const c = pdtConfig();
          const s = createRiskState(
            account(
              cash,
              held.map((symbol) => position(symbol, 10, 10)),
            ),
          );
          const open: { id: string; symbol: string; side: 'BUY' | 'SELL'; quantity: number }[] = [];
          let ts = WED;
          let brokerSaysZero = false;
          for (const st of steps) {
            // 10 s apart: 40 steps stay well within the age bound, so the latest report is always fresh.
            ts += 10_000;
            let input: RiskInput;
            if (st.kind === 'report') {
              input = report(ts, { dayTradesRemaining: st.remaining });
              brokerSaysZero = st.remaining === 0;
            } else if (st.kind === 'fill') {
              const o = open.splice(st.which % Math.max(1, open.length), 1)[0];
              if (o === undefined) continue;
              input = fill(o.id, o.side, o.quantity, 10, { symbol: o.symbol, ts });
              const now = (s.positions.get(o.symbol)?.quantity ?? 0) + (o.side === 'BUY' ? o.quantity : -o.quantity);
              if (now === 0) s.positions.delete(o.symbol);
              else s.positions.set(o.symbol, position(o.symbol, now, 10));
            } else if (st.kind === 'signal')
              input = scored({ symbol: st.symbol, side: st.side, action: st.action, ts, confidence: 0.9, price: 10 });
            else input = manual(st.symbol, st.side, st.quantity, ts, 10);
            const out = reduceRisk(s, c, ids, input);
            if (out?.kind !== 'risk.approved') continue;
            if (brokerSaysZero) expect(out.order.purpose).toBe('exit');
            open.push({
              id: out.order.clientOrderId,
              symbol: out.symbol,
              side: out.order.side,
              quantity: out.order.quantity,
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('cash account: settled cash reconciled with the broker', () => {
  const cashConfig = (mode: 'strict' | 'warning' = 'strict'): RiskConfig =>
    riskConfig({
      maxPositionPct: 1,
      sizingTiers: { low: 1, medium: 1, high: 1 },
      pdt: { policy: 'broker', mode, equityThreshold: 25_000, accountType: 'cash' },
    });
  /** $10,000 cash, all settled, on the local ledger. */
  const cashAccount = (): RiskState => {
    const a = account(10_000);
    return createRiskState(a, [], undefined, undefined, createSettlementLedger(a.cash));
  };

  it('a broker figure below the ledger sizes and refuses buys; one above it changes nothing', () => {
    const c = cashConfig();
    const s = cashAccount();
    const entry = scored({ symbol: 'NEW', ts: T0 + MIN, confidence: 0.9, price: 50, entry: 50 });
    expect(decide(s, c, entry)).toMatchObject({ kind: 'risk.approved', order: { quantity: 200 } });
    s.pending.clear();

    reduceRisk(s, c, ids, report(T0, { settledCash: 4_000 }));
    const entry2 = scored({ symbol: 'NEW2', ts: T0 + MIN, confidence: 0.9, price: 50, entry: 50 });
    expect(decide(s, c, entry2)).toMatchObject({
      kind: 'risk.approved',
      order: { quantity: 80 },
    });
    s.pending.clear();
    const refused = decide(s, c, manual('NEW', 'BUY', 81, T0 + MIN));
    expect(refused).toMatchObject({ kind: 'risk.rejected', rule: 'unsettled_cash' });
    expect(refused.kind === 'risk.rejected' && refused.reason).toContain(
      `exceeds settled cash 4000.00 (IBKR SettledCash 4000.00 at ${new Date(T0).toISOString()}; the local ledger has 10000.00)`,
    );

    reduceRisk(s, c, ids, report(T0 + 2 * MIN, { settledCash: 50_000 }));
    expect(decide(s, c, manual('NEW', 'BUY', 200, T0 + 3 * MIN)).kind).toBe('risk.approved');
    expect(decide(s, c, manual('NEW3', 'BUY', 1, T0 + 3 * MIN)).kind).toBe('risk.rejected');
  });

  it('warning mode lets a buy beyond the broker figure through with a warning naming it', () => {
    const c = cashConfig('warning');
    const s = cashAccount();
    reduceRisk(s, c, ids, report(T0, { settledCash: 4_000 }));
    const d = decide(s, c, manual('NEW', 'BUY', 100, T0 + MIN));
    expect(d.kind === 'risk.approved' && d.warnings.join(' ')).toContain('IBKR SettledCash 4000.00');
  });

  it('spends the broker figure once: pending buys and buys filled after the report count against it', () => {
    const c = cashConfig();
    const s = cashAccount();
    reduceRisk(s, c, ids, report(T0, { settledCash: 4_000 }));
    const first = decide(s, c, manual('A', 'BUY', 60, T0 + MIN)); // $3,000 of $4,000
    if (first.kind !== 'risk.approved') throw new Error(first.reason);
    // Pending: $1,000 left.
    expect(decide(s, c, manual('B', 'BUY', 21, T0 + 2 * MIN)).kind).toBe('risk.rejected');
    reduceRisk(s, c, ids, fill(first.order.clientOrderId, 'BUY', 60, 50, { symbol: 'A', ts: T0 + 3 * MIN }));
    s.positions.set('A', position('A', 60, 50));
    // Filled at $3,000 + $1 commission, after the report: $999 left by IBKR, $6,999 by the ledger.
    expect(decide(s, c, manual('B', 'BUY', 20, T0 + 4 * MIN))).toMatchObject({ kind: 'risk.rejected' });
    const ok = decide(s, c, manual('B', 'BUY', 19, T0 + 4 * MIN));
    expect(ok.kind).toBe('risk.approved');
    s.pending.clear();
    // A replayed execution is not spent twice.
    reduceRisk(s, c, ids, fill(first.order.clientOrderId, 'BUY', 60, 50, { symbol: 'A', ts: T0 + 3 * MIN }));
    expect(decide(s, c, manual('C', 'BUY', 19, T0 + 5 * MIN)).kind).toBe('risk.approved');
    s.pending.clear();
    expect(brokerSettlementStatus(s.brokerAccount, 6_999, T0 + 5 * MIN, MAX_AGE)).toMatchObject({
      effective_settled_cash: 999,
      broker: { settled_cash: 4_000, bought_since_report: 3_001, stale: false, age_seconds: 300 },
    });
  });

  it('a stale broker figure is ignored: the ledger decides', () => {
    const c = cashConfig();
    const s = cashAccount();
    reduceRisk(s, c, ids, report(T0, { settledCash: 0 }));
    expect(decide(s, c, manual('A', 'BUY', 1, T0 + MAX_AGE)).kind).toBe('risk.rejected');
    expect(decide(s, c, manual('A', 'BUY', 200, T0 + MAX_AGE + 1)).kind).toBe('risk.approved');
    expect(brokerSettlementStatus(s.brokerAccount, 10_000, T0 + MAX_AGE + 1, MAX_AGE)).toMatchObject({
      effective_settled_cash: 10_000,
      broker: { stale: true },
    });
  });

  it('reports a mismatch once per change, and when the two agree again', () => {
    const c = cashConfig();
    const s = cashAccount();
    const first = reduceRisk(s, c, ids, report(T0, { settledCash: 4_000 }));
    expect(first).toEqual({
      kind: 'risk.settled_cash_reconciled',
      ts: T0,
      localSettledCash: 10_000,
      brokerSettledCash: 4_000,
      difference: -6_000,
      mismatch: true,
    });
    expect(reduceRisk(s, c, ids, report(T0 + MIN, { settledCash: 4_000.5 }))).toBeUndefined();
    expect(reduceRisk(s, c, ids, report(T0 + 2 * MIN, { settledCash: 5_000 }))).toMatchObject({
      difference: -5_000,
      mismatch: true,
    });
    expect(reduceRisk(s, c, ids, report(T0 + 3 * MIN, { settledCash: 10_000.75 }))).toMatchObject({
      difference: 0.75,
      mismatch: false,
    });
    expect(reduceRisk(s, c, ids, report(T0 + 4 * MIN, { settledCash: 9_999.5 }))).toBeUndefined();
    expect(brokerSettlementStatus(s.brokerAccount, 10_000, T0 + 4 * MIN, MAX_AGE).broker).toMatchObject({
      difference: -0.5,
      mismatch: false,
    });
  });

  it('a margin account neither compares nor caps with SettledCash', () => {
    const c = pdtConfig({ policy: 'off' });
    const s = marginAccount(0);
    expect(reduceRisk(s, c, ids, report(T0, { settledCash: 0, dayTradesRemaining: 0 }))).toBeUndefined();
    expect(decide(s, c, manual('A', 'BUY', 10, T0 + MIN)).kind).toBe('risk.approved');
  });
});

describe('checkBuy with the broker figure', () => {
  const ledger = createSettlementLedger(10_000);
  const note = 'IBKR SettledCash 4000.00 at then';
  it.each<[string, number, number, number | undefined, boolean]>([
    // name, cost, committed, broker settled cash, allowed
    ['within the lower broker figure', 4_000, 0, 4_000, true],
    ['beyond the lower broker figure', 4_001, 0, 4_000, false],
    ['committed buys count against the broker figure', 3_000, 1_001, 4_000, false],
    ['a higher broker figure does not raise the ledger', 10_001, 0, 50_000, false],
    ['a negative broker figure refuses everything', 1, 0, -5, false],
    ['no broker figure: the ledger alone', 10_000, 0, undefined, true],
  ])('%s', (_name, cost, committed, broker, allowed) => {
    const d = checkBuy(
      ledger,
      cost,
      T0,
      'strict',
      committed,
      broker === undefined ? undefined : { settledCash: broker, note },
    );
    expect(d.ok).toBe(allowed);
  });

  it('refuses a broker figure that is not a finite number with a clear error', () => {
    expect(() => checkBuy(ledger, 1, T0, 'strict', 0, { settledCash: Number.NaN, note })).toThrow(
      'checkBuy: broker settledCash must be a finite number, got NaN',
    );
  });
});

describe('risk status: where the PDT allowance comes from', () => {
  const view = (ts: number, dayTradesRemaining: number | null) => {
    const s = marginAccount(0);
    reduceRisk(s, pdtConfig(), ids, report(ts, { dayTradesRemaining }));
    return s.brokerAccount;
  };
  const BROKER: PdtConfig = { policy: 'broker', mode: 'strict', equityThreshold: 25_000, accountType: 'margin' };

  it.each<[string, PdtConfig, number | null | 'none', number, number, object]>([
    ['fresh broker figure', BROKER, 2, 0, 60_000, { source: 'broker', day_trades_remaining: 2 }],
    ['broker bounded by the local count', BROKER, 3, 2, 60_000, { source: 'broker', day_trades_remaining: 1 }],
    ['broker unlimited', BROKER, -1, 3, 60_000, { source: 'broker', day_trades_remaining: null }],
    ['stale broker figure', BROKER, 0, 1, MAX_AGE + 1000, { source: 'local', day_trades_remaining: 2 }],
    ['no report, rich account', BROKER, 'none', 1, 0, { source: 'local', day_trades_remaining: 2, broker: null }],
    [
      'finra-legacy, rich',
      { ...BROKER, policy: 'finra-legacy' },
      0,
      1,
      0,
      { source: 'local', day_trades_remaining: null },
    ],
    ['cash account', { ...BROKER, accountType: 'cash' }, 0, 1, 0, { source: 'broker', day_trades_remaining: null }],
  ])('%s', (_name, pdt, remaining, used, age, expected) => {
    const v = remaining === 'none' ? undefined : view(T0, remaining);
    const status = pdtAllowanceStatus(v, pdt, used, 1_000_000, T0 + age, MAX_AGE);
    expect(status).toMatchObject(expected);
    if (v !== undefined)
      expect(status.broker).toMatchObject({
        day_trades_remaining: remaining,
        reported_at: new Date(T0).toISOString(),
        age_seconds: Math.round(age / 1000),
        stale: age > MAX_AGE,
      });
  });
});

describe('BrokerAccountReportedSchema', () => {
  it.each([
    ['a fractional day-trade count', { dayTradesRemaining: 1.5 }, 'dayTradesRemaining must be a whole number'],
    ['a count below -1', { dayTradesRemaining: -2 }, 'dayTradesRemaining must be >= -1 (-1 = unlimited)'],
    ['an infinite settled cash', { settledCash: Number.POSITIVE_INFINITY }, 'settledCash must be a finite number'],
    ['an unknown field', { extra: 1 }, 'Unrecognized key'],
  ])('refuses %s with a clear message', (_name, over, message) => {
    const parsed = BrokerAccountReportedSchema.safeParse({ ...report(T0, { dayTradesRemaining: 1 }), ...over });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });

  it('takes a report with figures missing', () => {
    expect(BrokerAccountReportedSchema.safeParse(report(T0)).success).toBe(true);
  });
});
