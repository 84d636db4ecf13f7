import { describe, expect, it } from 'vitest';
import type { Position } from '../../../engine/messages/account.js';
import { ExitConfigSchema, type ExitConfig } from '../../../engine/risk/exit-config.js';
import { evaluateExits, type ExitDecision, type ExitEvaluation } from '../../../engine/risk/exit-rules.js';
import type { ExitState } from '../../../engine/risk/exit-state.js';
import { T0, position } from '../../support/factories.js';

const MIN = 60_000;
const config = (over: Partial<Record<keyof ExitConfig, unknown>> = {}): ExitConfig => ExitConfigSchema.parse(over);
const DEFAULTS = config();
const long = (quantity = 100, avg = 100, over: Partial<Position> = {}): Position =>
  position('AAPL', quantity, avg, over);

/** The position after the exit filled completely. */
const filled = (p: Position, exit: ExitDecision | undefined): Position => {
  if (!exit) throw new Error('expected an exit');
  return { ...p, quantity: p.quantity + (exit.side === 'BUY' ? exit.quantity : -exit.quantity) };
};

const exitOf = (r: ExitEvaluation): ExitDecision => {
  if (!r.exit) throw new Error('expected an exit');
  return r.exit;
};

describe('evaluateExits: the profit-taking ladder (defaults +5 % 25 %, +10 % 50 % of the rest, +20 % all)', () => {
  it('fires each step once, in order, sized on what is held, and sells the whole position in total', () => {
    let p = long(100);
    let state: ExitState | undefined;
    const sold: number[] = [];
    const path: [number, number | undefined][] = [
      // price, step expected to fire (undefined: none)
      [104.99, undefined],
      [105, 0],
      [105, undefined],
      [107, undefined],
      [104, undefined],
      [105.5, undefined],
      [109.99, undefined],
      [110, 1],
      [110, undefined],
      [115, undefined],
      [119.99, undefined],
      [120, 2],
    ];
    path.forEach(([price, step], i) => {
      const r = evaluateExits(state, p, price, T0 + (i + 1) * MIN, DEFAULTS);
      expect(r.exit?.step, `price ${price} at row ${i}`).toBe(step);
      if (r.exit) {
        expect(r.exit.reason).toBe('ladder');
        expect(r.exit.side).toBe('SELL');
        sold.push(r.exit.quantity);
        p = filled(p, r.exit);
      }
      state = r.state;
    });
    expect(sold).toEqual([25, 37, 38]);
    expect(p.quantity).toBe(0);
    expect(evaluateExits(state, p, 125, T0 + 20 * MIN, DEFAULTS)).toEqual({ state: undefined });
  });

  it('records the fired step in the returned state when the exit is emitted, before any fill', () => {
    const r = evaluateExits(undefined, long(100), 105, T0 + MIN, DEFAULTS);
    expect(exitOf(r)).toMatchObject({ step: 0, steps: [0], quantity: 25, level: 105 });
    expect(r.state).toMatchObject({ firedSteps: [0], originalQuantity: 100, direction: 'long', openedTs: T0 });
    expect(r.state?.awaitingFill).toEqual({ steps: [0], quantityBefore: 100, expectedQuantity: 75, sinceTs: T0 + MIN });
  });

  it('waits for the previous ladder sell to fill before the next step, then sizes on the shares left', () => {
    const first = evaluateExits(undefined, long(100), 105, T0 + MIN, DEFAULTS);
    // Not filled yet: the price reaches +10 % but the ladder waits.
    const waiting = evaluateExits(first.state, long(100), 110, T0 + 2 * MIN, DEFAULTS);
    expect(waiting.exit).toBeUndefined();
    // A partial fill (10 of 25) is not the fill it waits for either.
    expect(evaluateExits(waiting.state, long(90), 110, T0 + 2 * MIN + 10_000, DEFAULTS).exit).toBeUndefined();
    const after = evaluateExits(waiting.state, long(75), 110, T0 + 2 * MIN + 20_000, DEFAULTS);
    expect(exitOf(after)).toMatchObject({ step: 1, quantity: 37 });
  });

  it('stops waiting after ladder_fill_timeout_seconds (the order failed) and sizes on the shares held', () => {
    const cfg = config({ ladder_fill_timeout_seconds: 120 });
    const first = evaluateExits(undefined, long(100), 105, T0, cfg);
    expect(evaluateExits(first.state, long(100), 110, T0 + 119_999, cfg).exit).toBeUndefined();
    const retry = evaluateExits(first.state, long(100), 110, T0 + 120_000, cfg);
    // Step 0 is not repeated: step 1 sells half of the 100 shares still held.
    expect(exitOf(retry)).toMatchObject({ step: 1, steps: [1], quantity: 50 });
    expect(retry.state?.firedSteps).toEqual([0, 1]);
  });

  it('sells the steps the price jumped past in one exit, each fraction applied to what the previous left', () => {
    const gap = evaluateExits(undefined, long(100), 112, T0 + MIN, DEFAULTS);
    expect(exitOf(gap)).toMatchObject({ reason: 'ladder', step: 1, steps: [0, 1], quantity: 25 + 37 });
    expect(gap.exit?.detail).toContain('ladder step 1, 2 of 3');
    const all = evaluateExits(undefined, long(100), 125, T0 + MIN, DEFAULTS);
    expect(exitOf(all)).toMatchObject({ step: 2, steps: [0, 1, 2], quantity: 100 });
  });

  it.each([
    // avg, price: exactly +10 %, although the float gain of some is just below 0.1
    [100, 110],
    [1.9, 2.09],
    [1.1, 1.21],
    [3, 3.3],
    [2.2, 2.42],
  ])('exactly +10 percent fires the +10 percent step (avg %f -> %f)', (avg, price) => {
    const cfg = config({ ladder: [{ gain: 0.1, sell_fraction: 0.5 }] });
    expect(exitOf(evaluateExits(undefined, long(100, avg), price, T0 + MIN, cfg))).toMatchObject({
      reason: 'ladder',
      step: 0,
      quantity: 50,
    });
  });

  it('needs the tolerance: without it, float noise hides an exact +10 % move', () => {
    expect((2.09 - 1.9) / 1.9).toBeLessThan(0.1);
    const cfg = config({ ladder: [{ gain: 0.1, sell_fraction: 0.5 }], tolerance: 0 });
    expect(evaluateExits(undefined, long(100, 1.9), 2.09, T0 + MIN, cfg).exit).toBeUndefined();
  });

  it.each([
    [100, 109.99],
    [1.9, 2.0898],
    [3, 3.2997],
  ])('+9.99 percent does not fire the +10 percent step (avg %f -> %f)', (avg, price) => {
    const cfg = config({ ladder: [{ gain: 0.1, sell_fraction: 0.5 }], tolerance: 1e-6 });
    expect(evaluateExits(undefined, long(100, avg), price, T0 + MIN, cfg).exit).toBeUndefined();
  });

  it('mirrors shorts: gain = (avg - price) / avg, buying back', () => {
    let p = long(-100, 100);
    const r0 = evaluateExits(undefined, p, 95.01, T0 + MIN, DEFAULTS);
    expect(r0.exit).toBeUndefined();
    const r1 = evaluateExits(r0.state, p, 95, T0 + 2 * MIN, DEFAULTS);
    expect(exitOf(r1)).toMatchObject({ side: 'BUY', reason: 'ladder', step: 0, quantity: 25, level: 95 });
    p = filled(p, r1.exit);
    expect(p.quantity).toBe(-75);
    const r2 = evaluateExits(r1.state, p, 90, T0 + 3 * MIN, DEFAULTS);
    expect(exitOf(r2)).toMatchObject({ side: 'BUY', step: 1, quantity: 37 });
    expect(r2.state?.direction).toBe('short');
  });

  it.each([
    // held, shares sold by the 25 % step: floor, but at least one share
    [1, 1],
    [3, 1],
    [4, 1],
    [7, 1],
    [8, 2],
    [99, 24],
    [1000, 250],
  ])('whole shares: %i held -> the 25 percent step sells %i', (held, sells) => {
    expect(exitOf(evaluateExits(undefined, long(held), 105, T0 + MIN, DEFAULTS)).quantity).toBe(sells);
  });

  it('floors fraction x shares without losing a share to float noise (0.29 x 100 = 28.999999999999996)', () => {
    const cfg = config({ ladder: [{ gain: 0.05, sell_fraction: 0.29 }] });
    expect(exitOf(evaluateExits(undefined, long(100), 105, T0 + MIN, cfg)).quantity).toBe(29);
  });

  it('does nothing with an empty ladder', () => {
    const r = evaluateExits(undefined, long(100), 150, T0 + MIN, config({ ladder: [] }));
    expect(r.exit).toBeUndefined();
    expect(r.state?.firedSteps).toEqual([]);
  });
});

describe('evaluateExits: position lifetime', () => {
  it('keeps fired steps when the quantity drops, and starts afresh for a new position (new openedTs)', () => {
    const r1 = evaluateExits(undefined, long(100), 105, T0 + MIN, DEFAULTS);
    const smaller = evaluateExits(r1.state, long(75), 105, T0 + 2 * MIN, DEFAULTS);
    expect(smaller.exit).toBeUndefined();
    expect(smaller.state?.firedSteps).toEqual([0]);
    // Closed, then a new position opened later: step 0 may fire again for it.
    const flat = evaluateExits(smaller.state, long(0), 105, T0 + 3 * MIN, DEFAULTS);
    expect(flat.state).toBeUndefined();
    const reopened = long(40, 100, { openedTs: T0 + 4 * MIN });
    const again = evaluateExits(smaller.state, reopened, 105, T0 + 5 * MIN, DEFAULTS);
    expect(exitOf(again)).toMatchObject({ step: 0, quantity: 10 });
    expect(again.state).toMatchObject({ openedTs: T0 + 4 * MIN, originalQuantity: 40, firedSteps: [0] });
  });

  it('starts afresh when the position flipped side with the same openedTs', () => {
    const r1 = evaluateExits(undefined, long(100), 105, T0 + MIN, DEFAULTS);
    const flipped = evaluateExits(r1.state, long(-100, 105), 99.75, T0 + 2 * MIN, DEFAULTS);
    expect(exitOf(flipped)).toMatchObject({ side: 'BUY', step: 0, quantity: 25 });
    expect(flipped.state?.direction).toBe('short');
  });

  it('returns the same state object when nothing changed, so the caller persists only on change', () => {
    const r1 = evaluateExits(undefined, long(100), 101, T0 + MIN, DEFAULTS);
    const r2 = evaluateExits(r1.state, long(100), 100.5, T0 + 2 * MIN, DEFAULTS);
    expect(r2.state).toBe(r1.state);
    const r3 = evaluateExits(r2.state, long(100), 102, T0 + 3 * MIN, DEFAULTS);
    expect(r3.state).not.toBe(r2.state);
    expect(r3.state?.extremePrice).toBe(102);
    expect(r2.state?.extremePrice).toBe(101);
  });

  it('returns no state for no position', () => {
    expect(evaluateExits(undefined, undefined, 100, T0, DEFAULTS)).toEqual({ state: undefined });
  });

  it.each([
    ['a NaN price', long(100), Number.NaN, /price must be positive/],
    ['a zero price', long(100), 0, /price must be positive/],
    ['a fractional quantity', long(10.5), 100, /whole number of shares/],
    ['a zero average price', long(100, 0), 100, /average price must be positive/],
    ['an infinite stop', long(100, 100, { stopLoss: Infinity }), 100, /stop loss must be positive or null/],
  ])('throws a RangeError naming the symbol for %s', (_name, p, price, message) => {
    expect(() => evaluateExits(undefined, p, price, T0, DEFAULTS)).toThrow(RangeError);
    expect(() => evaluateExits(undefined, p, price, T0, DEFAULTS)).toThrow(message);
    expect(() => evaluateExits(undefined, p, price, T0, DEFAULTS)).toThrow(/AAPL/);
  });
});

describe('evaluateExits: stop loss and take profit', () => {
  it.each([
    // quantity, stop, target, price, reason or undefined
    [100, 98, null, 98.01, undefined],
    [100, 98, null, 98, 'stop'],
    [100, 98, null, 90, 'stop'],
    [100, null, 104, 103.99, undefined],
    [100, null, 104, 104, 'target'],
    [-100, 102, null, 101.99, undefined],
    [-100, 102, null, 102, 'stop'],
    [-100, null, 96, 96.01, undefined],
    [-100, null, 96, 96, 'target'],
  ] as const)('qty %i stop %s target %s at %f -> %s', (quantity, stopLoss, takeProfit, price, reason) => {
    const p = long(quantity, 100, { stopLoss, takeProfit });
    const r = evaluateExits(undefined, p, price, T0 + MIN, config({ ladder: [] }));
    expect(r.exit?.reason).toBe(reason);
    if (reason) {
      expect(r.exit).toMatchObject({ quantity: 100, side: quantity > 0 ? 'SELL' : 'BUY' });
      expect(r.exit?.level).toBe(reason === 'stop' ? stopLoss : takeProfit);
    }
  });

  it('keeps returning a full exit on every evaluation while its condition holds (level-triggered)', () => {
    const p = long(100, 100, { stopLoss: 98 });
    const r1 = evaluateExits(undefined, p, 97, T0 + MIN, DEFAULTS);
    const r2 = evaluateExits(r1.state, p, 97, T0 + 2 * MIN, DEFAULTS);
    expect(r1.exit?.reason).toBe('stop');
    expect(r2.exit?.reason).toBe('stop');
  });
});

describe('evaluateExits: trailing stop', () => {
  const trailing = config({ trailing_stop_pct: 0.05, ladder: [] });

  it('long: follows the highest price and fires 5 % below it', () => {
    const path = [100, 110, 120, 115, 114.01];
    let state: ExitState | undefined;
    path.forEach((price, i) => {
      const r = evaluateExits(state, long(100), price, T0 + i * MIN, trailing);
      expect(r.exit).toBeUndefined();
      state = r.state;
    });
    expect(state?.extremePrice).toBe(120);
    const hit = evaluateExits(state, long(100), 114, T0 + 10 * MIN, trailing);
    expect(exitOf(hit)).toMatchObject({ reason: 'trailing_stop', side: 'SELL', quantity: 100 });
    expect(hit.exit?.level).toBeCloseTo(114, 9);
    expect(hit.exit?.detail).toContain('from high 120');
  });

  it('short: follows the lowest price and fires 10 % above it, with the tolerance (90 x 1.1 = 99.00000000000001)', () => {
    const cfg = config({ trailing_stop_pct: 0.1, ladder: [] });
    let state: ExitState | undefined;
    for (const [i, price] of [100, 95, 90, 98.99].entries()) {
      const r = evaluateExits(state, long(-100), price, T0 + i * MIN, cfg);
      expect(r.exit).toBeUndefined();
      state = r.state;
    }
    expect(state?.extremePrice).toBe(90);
    const hit = evaluateExits(state, long(-100), 99, T0 + 10 * MIN, cfg);
    expect(exitOf(hit)).toMatchObject({ reason: 'trailing_stop', side: 'BUY', quantity: 100 });
    expect(hit.exit?.detail).toContain('from low 90');
  });

  it('acts from the entry price before any new high', () => {
    expect(evaluateExits(undefined, long(100), 95.01, T0, trailing).exit).toBeUndefined();
    expect(evaluateExits(undefined, long(100), 95, T0, trailing).exit?.reason).toBe('trailing_stop');
  });

  it('is off by default', () => {
    const r = evaluateExits({ ...freshLong(), extremePrice: 200 }, long(100), 100, T0 + MIN, DEFAULTS);
    expect(r.exit).toBeUndefined();
  });
});

describe('evaluateExits: time exit', () => {
  const cfg = config({ max_holding_minutes: 60, ladder: [] });
  it.each([
    [T0 + 60 * MIN - 1, undefined],
    [T0 + 60 * MIN, 'time'],
    [T0 + 61 * MIN, 'time'],
  ])('opened at T0, evaluated at %i -> %s', (ts, reason) => {
    const r = evaluateExits(undefined, long(100), 100, ts, cfg);
    expect(r.exit?.reason).toBe(reason);
    if (reason) expect(r.exit).toMatchObject({ quantity: 100, detail: expect.stringContaining('limit 60 min') });
  });
});

describe('evaluateExits: flatten before the close', () => {
  const cfg = config({ flatten_before_close_minutes: 15, ladder: [] });
  // NYSE: 2026-11-26 is Thanksgiving and 2026-11-27 closes at 13:00 ET (EST = UTC-5, so 18:00 UTC);
  // 2026-11-30 closes at 16:00 ET (21:00 UTC); 2026-07-15 is in EDT (UTC-4), close 20:00 UTC.
  const earlyClose = Date.UTC(2026, 10, 27, 18, 0);
  const regularClose = Date.UTC(2026, 10, 30, 21, 0);
  const summerClose = Date.UTC(2026, 6, 15, 20, 0);
  it.each([
    ['early close 12:44:59.999', undefined, earlyClose - 15 * MIN - 1],
    ['early close 12:45', 'flatten', earlyClose - 15 * MIN],
    ['early close 12:59:59.999', 'flatten', earlyClose - 1],
    ['early close 13:00 (closed)', undefined, earlyClose],
    ['early close day 15:50 (closed)', undefined, earlyClose + 170 * MIN],
    ['regular 15:44:59.999', undefined, regularClose - 15 * MIN - 1],
    ['regular 15:45', 'flatten', regularClose - 15 * MIN],
    ['regular 15:59', 'flatten', regularClose - MIN],
    ['regular 16:00 (closed)', undefined, regularClose],
    ['summer (EDT) 15:45', 'flatten', summerClose - 15 * MIN],
    ['summer (EDT) 15:44', undefined, summerClose - 16 * MIN],
    ['Saturday 2026-11-28 15:50', undefined, Date.UTC(2026, 10, 28, 20, 50)],
  ])('%s -> %s', (_name, reason, ts) => {
    const p = long(100, 100, { openedTs: ts - 60 * MIN });
    const r = evaluateExits(undefined, p, 100, ts, cfg);
    expect(r.exit?.reason).toBe(reason);
    if (reason) expect(r.exit?.quantity).toBe(100);
  });

  it('names the session in the detail', () => {
    const p = long(100, 100, { openedTs: earlyClose - 60 * MIN });
    expect(evaluateExits(undefined, p, 100, earlyClose - MIN, cfg).exit?.detail).toBe(
      'flatten 15 min before the 2026-11-27 close',
    );
  });
});

const freshLong = (): ExitState => ({
  version: 1,
  symbol: 'AAPL',
  openedTs: T0,
  direction: 'long',
  originalQuantity: 100,
  extremePrice: 100,
  firedSteps: [],
  awaitingFill: null,
});

describe('evaluateExits: precedence stop > trailing stop > flatten > time > target > ladder', () => {
  // Every rule fires at once: price 125 after a high of 140, stop 130 above the price (moved up),
  // target 120, +25 % for the ladder, 13 minutes before the 16:00 close, held 2 hours.
  const close = Date.UTC(2026, 10, 30, 21, 0);
  const ts = close - 13 * MIN;
  const state: ExitState = { ...freshLong(), openedTs: ts - 120 * MIN, extremePrice: 140 };
  const all = { stopLoss: 130, takeProfit: 120, openedTs: ts - 120 * MIN };
  const rules = {
    trailing_stop_pct: 0.05,
    flatten_before_close_minutes: 15,
    max_holding_minutes: 60,
  };
  it.each([
    ['all rules', all, rules, 'stop'],
    ['no stop', { ...all, stopLoss: null }, rules, 'trailing_stop'],
    ['no stop, trailing', { ...all, stopLoss: null }, { ...rules, trailing_stop_pct: null }, 'flatten'],
    [
      'only time, target, ladder',
      { ...all, stopLoss: null },
      { ...rules, trailing_stop_pct: null, flatten_before_close_minutes: null },
      'time',
    ],
    // A target below the ladder's first step (+5 %) is a full exit ahead of the ladder...
    ['only target below the ladder, ladder', { ...all, stopLoss: null, takeProfit: 104 }, {}, 'target'],
    // ...one within the ladder's range (+20 %) is left to the ladder, which sells every step reached.
    ['only target within the ladder, ladder', { ...all, stopLoss: null }, {}, 'ladder'],
    ['only the ladder', { ...all, stopLoss: null, takeProfit: null }, {}, 'ladder'],
  ] as const)('%s -> %s', (_name, over, rulesOn, reason) => {
    const r = evaluateExits(state, long(100, 100, over), 125, ts, config(rulesOn));
    expect(r.exit?.reason).toBe(reason);
    expect(r.exit?.quantity).toBe(100);
    if (reason === 'target') expect(r.exit?.level).toBe(104);
    // A full exit does not consume ladder steps.
    if (reason !== 'ladder') expect(r.state?.firedSteps).toEqual([]);
  });
});
