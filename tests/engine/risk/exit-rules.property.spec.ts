import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Position } from '../../../engine/messages/account.js';
import { ExitConfigSchema, type ExitConfig, type LadderStep } from '../../../engine/risk/exit-config.js';
import { evaluateExits, type ExitDecision } from '../../../engine/risk/exit-rules.js';
import { restoreExitState, snapshotExitState, type ExitState } from '../../../engine/risk/exit-state.js';
import { T0, position } from '../../support/factories.js';

const TIMEOUT_S = 120;

/** Valid ladders: 0-5 steps, gains strictly increasing, only the last may sell everything. */
const ladderArb: fc.Arbitrary<LadderStep[]> = fc
  .array(
    fc.record({
      increment: fc.integer({ min: 5, max: 80 }).map((n) => n / 1000),
      sell_fraction: fc.integer({ min: 1, max: 99 }).map((n) => n / 100),
    }),
    { maxLength: 5 },
  )
  .chain((steps) =>
    fc.boolean().map((lastSellsAll) => {
      let gain = 0;
      return steps.map(({ increment, sell_fraction }, i) => {
        gain += increment;
        return { gain, sell_fraction: lastSellsAll && i === steps.length - 1 ? 1 : sell_fraction };
      });
    }),
  );

const configArb: fc.Arbitrary<ExitConfig> = fc
  .record({
    ladder: ladderArb,
    trailing_stop_pct: fc.option(
      fc.integer({ min: 2, max: 20 }).map((n) => n / 100),
      { nil: null },
    ),
    max_holding_minutes: fc.option(fc.integer({ min: 5, max: 600 }), { nil: null }),
    flatten_before_close_minutes: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
  })
  .map((c) => ExitConfigSchema.parse({ ...c, ladder_fill_timeout_seconds: TIMEOUT_S }));

interface Step {
  /** Price return of this step, in basis points. */
  readonly retBp: number;
  readonly dtSeconds: number;
  /** Evaluations until a sent order fills. */
  readonly fillDelay: number;
  /** Snapshot to JSON and restore the exit state before this evaluation (a restart). */
  readonly restart: boolean;
  /** The order sent at this step is rejected by the broker and never fills. */
  readonly orderFails: boolean;
  /** Size and side of the next position, should this step open one. */
  readonly nextQuantity: number;
  readonly stopBp: number | null;
  readonly targetBp: number | null;
}

const stepArb = (maxDelay: number, maxDt: number, failures: boolean): fc.Arbitrary<Step> =>
  fc.record({
    retBp: fc.integer({ min: -300, max: 450 }),
    dtSeconds: fc.integer({ min: 1, max: maxDt }),
    fillDelay: fc.integer({ min: 0, max: maxDelay }),
    restart: fc.boolean(),
    orderFails: failures ? fc.boolean() : fc.constant(false),
    nextQuantity: fc.integer({ min: 1, max: 400 }).chain((q) => fc.constantFrom(q, -q)),
    stopBp: fc.option(fc.integer({ min: 100, max: 2000 }), { nil: null }),
    targetBp: fc.option(fc.integer({ min: 100, max: 4000 }), { nil: null }),
  });

interface Pending {
  readonly exit: ExitDecision;
  readonly fillsAtEvaluation: number;
  readonly fails: boolean;
}

interface Lifetime {
  readonly openedTs: number;
  readonly original: number;
  readonly firedSteps: Set<number>;
  ladderSent: number;
  ladderFilled: number;
}

interface Outcome {
  readonly lifetimes: number;
  readonly ladderExits: number;
}

const cents = (x: number): number => Math.max(0.01, Math.round(x * 100) / 100);

/**
 * Drives one symbol through a random price path: exits are sent as orders; a simple model of risk
 * sends at most one exit order at a time (`exit_pending`); orders fill after a delay or fail; a new
 * position is opened whenever the last one is closed; the exit state goes through JSON at random
 * restarts. Checks the invariants after every evaluation and returns counts for coverage checks.
 */
const simulate = (config: ExitConfig, steps: readonly Step[], strict: boolean): Outcome => {
  let ts = T0;
  let price = 100;
  let state: ExitState | undefined;
  let pending: Pending | undefined;
  let lifetimes = 0;
  let ladderExits = 0;
  const open = (s: Step): { p: Position; life: Lifetime } => {
    lifetimes += 1;
    const long = s.nextQuantity > 0;
    const stop = s.stopBp === null ? null : cents(price * (1 + ((long ? -1 : 1) * s.stopBp) / 10_000));
    const target = s.targetBp === null ? null : cents(price * (1 + ((long ? 1 : -1) * s.targetBp) / 10_000));
    return {
      p: position('AAPL', s.nextQuantity, price, { openedTs: ts, stopLoss: stop, takeProfit: target }),
      life: { openedTs: ts, original: Math.abs(s.nextQuantity), firedSteps: new Set(), ladderSent: 0, ladderFilled: 0 },
    };
  };
  const first = steps[0];
  if (first === undefined) return { lifetimes, ladderExits };
  let { p, life } = open(first);

  steps.forEach((s, i) => {
    ts += s.dtSeconds * 1000;
    price = cents(price * (1 + s.retBp / 10_000));
    if (pending !== undefined && i >= pending.fillsAtEvaluation) {
      if (!pending.fails) {
        const held = Math.abs(p.quantity);
        expect(pending.exit.quantity, 'a fill never exceeds the position').toBeLessThanOrEqual(held);
        p = { ...p, quantity: p.quantity + (pending.exit.side === 'BUY' ? 1 : -1) * pending.exit.quantity };
        if (pending.exit.reason === 'ladder') life.ladderFilled += pending.exit.quantity;
        expect(life.ladderFilled).toBeLessThanOrEqual(life.original);
      }
      pending = undefined;
    }
    if (p.quantity === 0) ({ p, life } = open(s));
    if (s.restart && state !== undefined) state = restoreExitState(JSON.stringify(snapshotExitState(state)));

    const r = evaluateExits(state, p, price, ts, config);
    state = r.state;
    expect(state).toMatchObject({ openedTs: life.openedTs, originalQuantity: life.original });
    const exit = r.exit;
    if (exit === undefined) return;
    const held = Math.abs(p.quantity);
    expect(Number.isSafeInteger(exit.quantity), `whole shares, got ${exit.quantity}`).toBe(true);
    expect(exit.quantity).toBeGreaterThan(0);
    expect(exit.quantity).toBeLessThanOrEqual(held);
    expect(exit.side).toBe(p.quantity > 0 ? 'SELL' : 'BUY');
    if (exit.reason === 'ladder') {
      ladderExits += 1;
      // Fills arrive within the timeout: the ladder never sells on top of its own working order.
      if (strict) expect(pending?.exit.reason, 'ladder while a ladder sell works').not.toBe('ladder');
      for (const step of exit.steps ?? []) {
        expect(life.firedSteps.has(step), `ladder step ${step} fired twice`).toBe(false);
        life.firedSteps.add(step);
      }
      expect(state?.firedSteps).toEqual([...life.firedSteps].sort((a, b) => a - b));
    } else {
      expect(exit.quantity, 'full exits sell everything').toBe(held);
    }
    if (pending !== undefined) return; // risk: exit_pending
    pending = { exit, fillsAtEvaluation: i + 1 + s.fillDelay, fails: s.orderFails };
    if (exit.reason === 'ladder') {
      life.ladderSent += exit.quantity;
      if (strict) expect(life.ladderSent, 'ladder sells exceed the position').toBeLessThanOrEqual(life.original);
    }
  });
  return { lifetimes, ladderExits };
};

describe('evaluateExits properties', () => {
  it('fills within the timeout: each step fires at most once, ladder sells never exceed the position', () => {
    let ladderExits = 0;
    fc.assert(
      fc.property(
        configArb,
        // At most 3 evaluations of at most 25 s before a fill: always inside the 120 s timeout.
        fc.array(stepArb(3, 25, false), { minLength: 1, maxLength: 250, size: 'max' }),
        (config, steps) => {
          ladderExits += simulate(config, steps, true).ladderExits;
        },
      ),
      { numRuns: 200 },
    );
    // The property is only meaningful if ladders actually fired.
    expect(ladderExits).toBeGreaterThan(100);
  });

  it('orders fail or fill late: each step still fires at most once, quantities stay whole and within the position', () => {
    let lifetimes = 0;
    fc.assert(
      fc.property(
        configArb,
        fc.array(stepArb(12, 120, true), { minLength: 1, maxLength: 250, size: 'max' }),
        (config, steps) => {
          lifetimes += simulate(config, steps, false).lifetimes;
        },
      ),
      { numRuns: 200 },
    );
    expect(lifetimes).toBeGreaterThan(200);
  });

  it('the default ladder sells 25 %, then 50 % of the rest, then the rest, for any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.boolean(), (size, isLong) => {
        const config = ExitConfigSchema.parse({});
        let p = position('AAPL', isLong ? size : -size, 100);
        let state: ExitState | undefined;
        const sold: number[] = [];
        [105, 110, 120].forEach((gainPrice, i) => {
          const price = isLong ? gainPrice : 200 - gainPrice;
          const r = evaluateExits(state, p, price, T0 + (i + 1) * 60_000, config);
          state = r.state;
          if (r.exit) {
            sold.push(r.exit.quantity);
            p = { ...p, quantity: p.quantity + (r.exit.side === 'BUY' ? r.exit.quantity : -r.exit.quantity) };
          }
        });
        const first = Math.max(1, Math.floor(size / 4));
        const second = Math.min(size - first, Math.max(1, Math.floor((size - first) / 2)));
        const expected = [first, second, size - first - second].filter((q) => q > 0);
        expect(sold).toEqual(expected);
        expect(p.quantity).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
