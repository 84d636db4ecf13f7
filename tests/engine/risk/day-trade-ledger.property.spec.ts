import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { sessionBounds, tradingDaysWindow } from '../../../engine/calendar/nyse-calendar.js';
import {
  type DayTradeFill,
  type DayTradeLedgerState,
  type PdtConfig,
  checkDayTradeOrder,
  createDayTradeLedger,
  dayTradesInWindow,
  recordDayTradeFill,
  restoreDayTradeLedger,
  snapshotDayTradeLedger,
} from '../../../engine/risk/day-trade-ledger.js';
import type { Side } from '../../../engine/messages/signal.js';

/**
 * Trading days from 2026-11-16 to 2027-01-08: Thanksgiving, its early close, Christmas and New
 * Year's Day fall inside, so windows span holidays.
 */
const DAYS: readonly string[] = tradingDaysWindow('2027-01-08', 37);
const SYMBOLS = ['AAPL', 'MSFT', 'TSLA'] as const;

type Step =
  | {
      readonly kind: 'enter';
      readonly symbol: string;
      readonly side: Side;
      readonly quantity: number;
      readonly fillNow: boolean;
      readonly parts: number;
    }
  | { readonly kind: 'exit'; readonly symbol: string; readonly fraction: number; readonly parts: number }
  | { readonly kind: 'fill_pending'; readonly symbol: string }
  | { readonly kind: 'wait'; readonly days: number };

const enterArb = fc.record({
  kind: fc.constant('enter' as const),
  symbol: fc.constantFrom(...SYMBOLS),
  side: fc.constantFrom<Side>('BUY', 'SELL'),
  quantity: fc.integer({ min: 1, max: 300 }),
  fillNow: fc.boolean(),
  parts: fc.integer({ min: 1, max: 3 }),
});
const exitArb = fc.record({
  kind: fc.constant('exit' as const),
  symbol: fc.constantFrom(...SYMBOLS),
  fraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
  parts: fc.integer({ min: 1, max: 3 }),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: enterArb },
  { weight: 4, arbitrary: exitArb },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('fill_pending' as const), symbol: fc.constantFrom(...SYMBOLS) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 2 }) }) },
);

/**
 * Independent recount (no state machine): per symbol and trade date, each fill becomes legs, C for
 * the part that reduces the position and O for the part that opens or adds; a day trade is every
 * "OC" in the day's leg string (a closing leg right after an opening one, RN 21-13 /02).
 */
const oracleDayTrades = (fills: readonly (DayTradeFill & { readonly date: string })[]): Map<string, number> => {
  const perDay = new Map<string, number>();
  const position = new Map<string, number>();
  const legs = new Map<string, string>();
  for (const f of fills) {
    const key = `${f.symbol}|${f.date}`;
    const held = position.get(f.symbol) ?? 0;
    const signed = f.side === 'BUY' ? f.quantity : -f.quantity;
    const closing = held !== 0 && Math.sign(held) !== Math.sign(signed) ? Math.min(f.quantity, Math.abs(held)) : 0;
    legs.set(key, (legs.get(key) ?? '') + (closing > 0 ? 'C' : '') + (f.quantity - closing > 0 ? 'O' : ''));
    position.set(f.symbol, held + signed);
  }
  for (const [key, s] of legs) {
    const date = key.split('|')[1] ?? '';
    perDay.set(date, (perDay.get(date) ?? 0) + (s.match(/OC/g)?.length ?? 0));
  }
  return perDay;
};

const windowCount = (perDay: Map<string, number>, date: string): number =>
  tradingDaysWindow(date, 5).reduce((n, d) => n + (perDay.get(d) ?? 0), 0);

interface Sim {
  ledger: DayTradeLedgerState;
  day: number;
  minute: number;
  seq: number;
  readonly positions: Map<string, number>;
  readonly pending: Map<string, { side: Side; quantity: number; parts: number }>;
  readonly fills: (DayTradeFill & { date: string })[];
}

const now = (sim: Sim): { ts: number; date: string } => {
  const date = DAYS[sim.day] ?? '';
  const bounds = sessionBounds(date);
  if (bounds === undefined) throw new Error(`${date} is no trading day`);
  return { ts: Math.min(bounds.open + sim.minute * 60_000, bounds.close - 1), date };
};

const doFill = (sim: Sim, symbol: string, side: Side, quantity: number, parts: number): void => {
  let left = quantity;
  for (let p = parts; p >= 1 && left > 0; p--) {
    const q = p === 1 ? left : Math.max(1, Math.floor(left / p));
    left -= q;
    sim.minute += 1;
    const { ts, date } = now(sim);
    const f = { symbol, side, quantity: q, ts, execId: `e${++sim.seq}`, date };
    sim.ledger = recordDayTradeFill(sim.ledger, f);
    sim.fills.push(f);
    sim.positions.set(symbol, (sim.positions.get(symbol) ?? 0) + (side === 'BUY' ? q : -q));
  }
};

/** Runs the steps; every entry passes `checkDayTradeOrder` first, exits must always pass. */
const run = (steps: readonly Step[], config: PdtConfig, equity: number): Sim => {
  const sim: Sim = {
    ledger: createDayTradeLedger(),
    day: 0,
    minute: 0,
    seq: 0,
    positions: new Map(),
    pending: new Map(),
    fills: [],
  };
  for (const step of steps) {
    if (step.kind === 'wait') {
      sim.day = Math.min(sim.day + step.days, DAYS.length - 1);
      sim.minute = 0;
      continue;
    }
    if (sim.minute > 380) continue;
    const held = sim.positions.get(step.symbol) ?? 0;
    if (step.kind === 'fill_pending') {
      const p = sim.pending.get(step.symbol);
      if (p === undefined) continue;
      sim.pending.delete(step.symbol);
      doFill(sim, step.symbol, p.side, p.quantity, p.parts);
    } else if (step.kind === 'enter') {
      // As the risk operator does: one pending entry per symbol, no entry against a held position.
      if (sim.pending.has(step.symbol)) continue;
      if ((held > 0 && step.side === 'SELL') || (held < 0 && step.side === 'BUY')) continue;
      const order = { symbol: step.symbol, side: step.side, quantity: step.quantity, ts: now(sim).ts };
      const decision = checkDayTradeOrder(sim.ledger, config, order, {
        equity,
        pendingOpeningSymbols: [...sim.pending.keys()],
      });
      if (!decision.ok) continue;
      if (step.fillNow) doFill(sim, step.symbol, step.side, step.quantity, step.parts);
      else sim.pending.set(step.symbol, { side: step.side, quantity: step.quantity, parts: step.parts });
    } else {
      if (held === 0) continue;
      const quantity = Math.max(1, Math.floor(Math.abs(held) * step.fraction));
      const side: Side = held > 0 ? 'SELL' : 'BUY';
      const order = { symbol: step.symbol, side, quantity, ts: now(sim).ts };
      const decision = checkDayTradeOrder(sim.ledger, config, order, { equity });
      expect(decision.ok, `exit ${side} ${quantity} ${step.symbol} must be allowed`).toBe(true);
      doFill(sim, step.symbol, side, quantity, step.parts);
    }
  }
  return sim;
};

const STRICT: PdtConfig = { policy: 'finra-legacy', mode: 'strict', equityThreshold: 25_000, accountType: 'margin' };
const steps = fc.array(stepArb, { minLength: 1, maxLength: 150, size: 'max' });
const smallEquity = fc.double({ min: 0, max: 24_999.99, noNaN: true });

describe('day-trade ledger properties', () => {
  it('strict mode: no sequence of allowed orders makes a 4th day trade in any 5 trading days', () => {
    fc.assert(
      fc.property(steps, smallEquity, (s, equity) => {
        const sim = run(s, STRICT, equity);
        const perDay = oracleDayTrades(sim.fills);
        for (const date of DAYS) expect(windowCount(perDay, date)).toBeLessThanOrEqual(3);
      }),
      { numRuns: 300 },
    );
  });

  it('the ledger counts what the independent recount counts, in every window (warning mode, so 4+ happen)', () => {
    fc.assert(
      fc.property(steps, (s) => {
        const sim = run(s, { ...STRICT, mode: 'warning' }, 10_000);
        const perDay = oracleDayTrades(sim.fills);
        // The ledger keeps the window of its newest fill and what comes after; older windows are pruned.
        const newest = sim.ledger.newestDate ?? '';
        for (const date of DAYS)
          if (date >= newest) expect(dayTradesInWindow(sim.ledger, date)).toBe(windowCount(perDay, date));
      }),
      { numRuns: 200 },
    );
  });

  it('exits are allowed under every policy and mode', () => {
    const configs = fc.record({
      policy: fc.constantFrom<PdtConfig['policy']>('finra-legacy', 'broker', 'off'),
      mode: fc.constantFrom<PdtConfig['mode']>('strict', 'warning'),
      equityThreshold: fc.constant(25_000),
      accountType: fc.constantFrom<PdtConfig['accountType']>('margin', 'cash'),
    });
    // `run` asserts every exit is allowed.
    fc.assert(
      fc.property(steps, configs, smallEquity, (s, config, equity) => {
        run(s, config, equity);
      }),
      { numRuns: 150 },
    );
  });

  it('a restored snapshot decides exactly as the live ledger', () => {
    fc.assert(
      fc.property(steps, fc.constantFrom(...SYMBOLS), fc.constantFrom<Side>('BUY', 'SELL'), (s, symbol, side) => {
        const sim = run(s, { ...STRICT, mode: 'warning' }, 10_000);
        const restored = restoreDayTradeLedger(JSON.stringify(snapshotDayTradeLedger(sim.ledger)));
        expect(restored).toEqual(sim.ledger);
        const order = { symbol, side, quantity: 10, ts: now(sim).ts };
        expect(checkDayTradeOrder(restored, STRICT, order, { equity: 1 })).toEqual(
          checkDayTradeOrder(sim.ledger, STRICT, order, { equity: 1 }),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('property harness sanity', () => {
  it('the window spans the holidays it is meant to', () => {
    expect(DAYS[0]).toBe('2026-11-16');
    expect(DAYS).not.toContain('2026-11-26');
    expect(DAYS).not.toContain('2026-12-25');
    expect(DAYS).not.toContain('2027-01-01');
    expect(DateTime.fromISO(DAYS[DAYS.length - 1] ?? '').toISODate()).toBe('2027-01-08');
  });

  it('the oracle counts the RN 21-13 example as one day trade and buy/sell twice as two', () => {
    const f = (side: Side, quantity: number, i: number) => ({
      symbol: 'AAPL',
      side,
      quantity,
      ts: i,
      execId: `o${i}`,
      date: '2026-11-23',
    });
    expect(oracleDayTrades([f('BUY', 100, 1), f('BUY', 100, 2), f('SELL', 200, 3)]).get('2026-11-23')).toBe(1);
    expect(oracleDayTrades([f('BUY', 1, 1), f('SELL', 1, 2), f('BUY', 1, 3), f('SELL', 1, 4)]).get('2026-11-23')).toBe(
      2,
    );
  });
});
