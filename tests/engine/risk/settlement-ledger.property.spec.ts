import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextTradingDay, sessionBounds, tradingDaysWindow } from '../../../engine/calendar/nyse-calendar.js';
import {
  DEFAULT_SETTLEMENT_CONFIG,
  type SettlementConfig,
  type SettlementLedgerState,
  type SettlementMode,
  cashRestrictionAt,
  checkBuy,
  checkSell,
  createSettlementLedger,
  recordSettlementFill,
  restoreSettlementLedger,
  settledCash,
  snapshotSettlementLedger,
} from '../../../engine/risk/settlement-ledger.js';

/** Trading days from early October 2026 to 2027-01-08: Columbus Day, Veterans Day, Thanksgiving, Christmas, New Year. */
const DAYS: readonly string[] = tradingDaysWindow('2027-01-08', 68);
/** Bank holidays NYSE trades on in that span (FINRA NtM 95-77: no settlement on them). */
const NO_SETTLEMENT = new Set(['2026-10-12', '2026-11-11']);
const SYMBOLS = ['AAPL', 'MSFT', 'TSLA'] as const;
const INITIAL = 10_000;

/** T+n by walking trading days one at a time, written apart from the engine's `settlementDateOf`. */
const oracleSettleDate = (trade: string, n: number): string => {
  let date = trade;
  let counted = 0;
  while (counted < n) {
    date = nextTradingDay(date);
    if (!NO_SETTLEMENT.has(date)) counted += 1;
  }
  return date;
};

type Step =
  | {
      readonly kind: 'buy';
      readonly symbol: string;
      readonly quantity: number;
      readonly price: number;
      readonly commission: number;
    }
  | { readonly kind: 'sell'; readonly symbol: string; readonly fraction: number; readonly price: number }
  | { readonly kind: 'wait'; readonly days: number };

const cents = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((c) => c / 100);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('buy' as const),
      symbol: fc.constantFrom(...SYMBOLS),
      quantity: fc.integer({ min: 1, max: 40 }),
      price: cents(1, 150),
      commission: cents(0, 2),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('sell' as const),
      symbol: fc.constantFrom(...SYMBOLS),
      fraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
      price: cents(1, 300),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 3 }) }) },
);
const steps = fc.array(stepArb, { minLength: 1, maxLength: 120, size: 'max' });

interface CashEvent {
  readonly settleDate: string;
  readonly amount: number;
}

interface Sim {
  ledger: SettlementLedgerState;
  day: number;
  minute: number;
  seq: number;
  readonly held: Map<string, number>;
  /** Every cash movement: buys spend at once (settleDate = trade date), sales pay on their settlement date. */
  readonly cash: CashEvent[];
  buysBeyondSettled: number;
  violationsSeen: number;
}

const now = (sim: Sim): { ts: number; date: string } => {
  const date = DAYS[sim.day] ?? '';
  const bounds = sessionBounds(date);
  if (bounds === undefined) throw new Error(`${date} is no trading day`);
  return { ts: bounds.open + sim.minute * 60_000, date };
};

const oracleSettled = (sim: Sim, date: string): number =>
  sim.cash.reduce((sum, e) => (e.settleDate <= date ? sum + e.amount : sum), INITIAL);

const run = (list: readonly Step[], mode: SettlementMode, config: SettlementConfig): Sim => {
  const sim: Sim = {
    ledger: createSettlementLedger(INITIAL),
    day: 0,
    minute: 0,
    seq: 0,
    held: new Map(),
    cash: [],
    buysBeyondSettled: 0,
    violationsSeen: 0,
  };
  for (const step of list) {
    if (step.kind === 'wait') {
      sim.day = Math.min(sim.day + step.days, DAYS.length - 1);
      sim.minute = 0;
      continue;
    }
    if (sim.minute >= 380) continue;
    sim.minute += 1;
    const { ts, date } = now(sim);
    const execId = `e${++sim.seq}`;
    if (step.kind === 'buy') {
      const cost = step.quantity * step.price + step.commission;
      const decision = checkBuy(sim.ledger, cost, ts, mode);
      const settled = oracleSettled(sim, date);
      const withinSettled = cost <= settled + 1e-6;
      if (mode === 'strict') expect(decision.ok, `strict buy of ${cost} with ${settled} settled`).toBe(withinSettled);
      else if (withinSettled) expect(decision).toEqual({ ok: true, warnings: [] });
      if (!decision.ok) continue;
      if (!withinSettled) sim.buysBeyondSettled += 1;
      sim.ledger = recordSettlementFill(sim.ledger, { ...step, side: 'BUY', ts, execId }, config);
      sim.cash.push({ settleDate: date, amount: -cost });
      sim.held.set(step.symbol, (sim.held.get(step.symbol) ?? 0) + step.quantity);
    } else {
      const held = sim.held.get(step.symbol) ?? 0;
      if (held === 0) continue;
      const quantity = Math.max(1, Math.floor(held * step.fraction));
      const strict = checkSell(sim.ledger, step.symbol, quantity, ts, 'strict');
      const decision = checkSell(sim.ledger, step.symbol, quantity, ts, mode);
      if (mode === 'strict')
        expect(decision, 'strict mode never holds unpaid shares').toEqual({ ok: true, warnings: [] });
      else expect(decision.ok).toBe(true);
      const before = sim.ledger.violations.length;
      const fill = {
        symbol: step.symbol,
        side: 'SELL' as const,
        quantity,
        price: step.price,
        commission: 1,
        ts,
        execId,
      };
      sim.ledger = recordSettlementFill(sim.ledger, fill, config);
      const added = sim.ledger.violations.slice(before);
      // What the pre-trade check predicts is what the fill records.
      expect(added.map((v) => v.kind)).toEqual(strict.ok ? [] : [strict.rule]);
      sim.violationsSeen += added.length;
      sim.cash.push({ settleDate: oracleSettleDate(date, config.settlementDays), amount: quantity * step.price - 1 });
      sim.held.set(step.symbol, held - quantity);
    }
  }
  return sim;
};

const configArb = fc.record({
  settlementDays: fc.integer({ min: 1, max: 3 }),
  skipBankHolidays: fc.constant(true),
  goodFaithViolationLimit: fc.integer({ min: 1, max: 3 }),
  restrictionCalendarDays: fc.constant(90),
});

describe('settlement ledger properties', () => {
  it('strict mode never buys with unsettled cash, and so never sells unpaid shares', () => {
    fc.assert(
      fc.property(steps, configArb, (list, config) => {
        const sim = run(list, 'strict', config);
        expect(sim.ledger.violations).toEqual([]);
        expect(sim.ledger.restriction).toBeNull();
        for (const h of Object.values(sim.ledger.holdings)) expect(h.unpaidLots).toEqual([]);
        const { ts, date } = now(sim);
        expect(settledCash(sim.ledger, ts)).toBeCloseTo(oracleSettled(sim, date), 5);
      }),
      { numRuns: 200 },
    );
  });

  it('warning mode: checks predict the violations fills record, cash is conserved, restrictions follow violations', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(steps, configArb, (list, config) => {
        const sim = run(list, 'warning', config);
        for (const v of sim.ledger.violations) seen.add(v.kind);
        if (sim.buysBeyondSettled === 0) expect(sim.violationsSeen).toBe(0);
        // Once everything has settled, settled cash is every movement summed.
        const total = sim.cash.reduce((sum, e) => sum + e.amount, INITIAL);
        const later = (sessionBounds('2027-02-01')?.open ?? 0) + 60_000;
        expect(settledCash(sim.ledger, later)).toBeCloseTo(total, 5);
        // With the default limit of one, any violation restricts for 90 days.
        if (config.goodFaithViolationLimit === 1 && sim.violationsSeen > 0)
          expect(cashRestrictionAt(sim.ledger, now(sim).ts)).not.toBeNull();
        if (sim.violationsSeen === 0) expect(sim.ledger.restriction).toBeNull();
      }),
      { numRuns: 200 },
    );
    // The generator must produce both kinds for this property to mean anything.
    expect([...seen].sort()).toEqual(['free_riding', 'good_faith_violation']);
  });

  it('a restored snapshot equals the live ledger and decides the same', () => {
    fc.assert(
      fc.property(steps, fc.constantFrom(...SYMBOLS), (list, symbol) => {
        const sim = run(list, 'warning', DEFAULT_SETTLEMENT_CONFIG);
        const restored = restoreSettlementLedger(JSON.stringify(snapshotSettlementLedger(sim.ledger)));
        expect(restored).toEqual(sim.ledger);
        const { ts } = now(sim);
        expect(checkSell(restored, symbol, 1, ts, 'strict')).toEqual(checkSell(sim.ledger, symbol, 1, ts, 'strict'));
        expect(checkBuy(restored, 1_000, ts, 'strict')).toEqual(checkBuy(sim.ledger, 1_000, ts, 'strict'));
      }),
      { numRuns: 100 },
    );
  });
});

describe('property harness sanity', () => {
  it('the span holds the bank holidays and market holidays it is meant to', () => {
    expect((DAYS[0] ?? '9999') < '2026-10-09').toBe(true);
    for (const d of NO_SETTLEMENT) expect(DAYS).toContain(d);
    expect(DAYS).not.toContain('2026-11-26');
    expect(oracleSettleDate('2026-10-09', 1)).toBe('2026-10-13');
    expect(oracleSettleDate('2026-11-25', 1)).toBe('2026-11-27');
  });
});
