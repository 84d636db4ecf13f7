import { describe, expect, it } from 'vitest';
import { ExitConfigSchema, MAX_LADDER_STEPS } from '../../../engine/risk/exit-config.js';
import { evaluateExits, flattenWindowAt, ladderOwnsTarget } from '../../../engine/risk/exit-rules.js';
import { EXIT_STATES_KEY, ExitStateBook } from '../../../engine/risk/exit-state-book.js';
import {
  CorruptExitStateError,
  type ExitState,
  isLockedExitState,
  lockedExitState,
  restoreExitState,
  restoreExitStates,
} from '../../../engine/risk/exit-state.js';
import { T0, position } from '../../support/factories.js';

const MIN = 60_000;
const DEFAULTS = ExitConfigSchema.parse({});
const CLOSE = T0 + 390 * MIN; // 16:00 ET on 2026-11-02

const state = (over: Partial<ExitState> = {}): ExitState => ({
  version: 1,
  symbol: 'AAPL',
  openedTs: T0,
  direction: 'long',
  originalQuantity: 100,
  extremePrice: 100,
  firedSteps: [],
  awaitingFill: null,
  ...over,
});

describe('ladderOwnsTarget: the take-profit versus the profit-taking ladder', () => {
  it.each([
    // name, quantity, target, fired steps, ladder, owned
    ['momentum +5 % = the first step', 100, 105, [], DEFAULTS.ladder, true],
    // A target set from the signal price sits a little under +5 % of the (slipped) fill price.
    ['+4.95 % (momentum after slippage)', 100, 104.95, [], DEFAULTS.ladder, true],
    ['+4.5 % (the slack)', 100, 104.5, [], DEFAULTS.ladder, true],
    ['+4.49 % below the first step', 100, 104.49, [], DEFAULTS.ladder, false],
    ['+20 % within the ladder', 100, 120, [0, 1], DEFAULTS.ladder, true],
    ['+50 % beyond the ladder', 100, 150, [], DEFAULTS.ladder, true],
    ['every step fired: the target is back', 100, 105, [0, 1, 2], DEFAULTS.ladder, false],
    ['no ladder', 100, 105, [], [], false],
    ['short, target 95 = +5 %', -100, 95, [], DEFAULTS.ladder, true],
    ['short, target 96 = +4 %', -100, 96, [], DEFAULTS.ladder, false],
    ['short, target 95.5 = +4.5 %', -100, 95.5, [], DEFAULTS.ladder, true],
  ] as const)('%s -> %s', (_name, quantity, target, fired, ladder, owned) => {
    const config = ExitConfigSchema.parse({ ladder });
    const p = position('AAPL', quantity, 100, { takeProfit: target });
    const s = state({ direction: quantity > 0 ? 'long' : 'short', firedSteps: fired });
    expect(ladderOwnsTarget(s, p, target, config)).toBe(owned);
  });

  it('keeps the target off while the last ladder sell awaits its fill, then lets it sell what is left', () => {
    const p = position('AAPL', 15, 100, { takeProfit: 105 });
    const awaiting = state({
      firedSteps: [0, 1, 2],
      awaitingFill: { steps: [2], quantityBefore: 15, expectedQuantity: 0, sinceTs: T0 },
    });
    expect(ladderOwnsTarget(awaiting, p, 105, DEFAULTS)).toBe(true);
    expect(evaluateExits(awaiting, p, 121, T0 + MIN, DEFAULTS).exit).toBeUndefined();
    // The sell failed (timed out) and 15 shares are still held: the target sells them.
    const late = evaluateExits(awaiting, p, 121, T0 + 3 * MIN, DEFAULTS);
    expect(late.exit).toMatchObject({ reason: 'target', quantity: 15 });
  });

  it('ignores the fired steps of another position (new openedTs)', () => {
    const p = position('AAPL', 100, 100, { openedTs: T0 + MIN });
    expect(ladderOwnsTarget(state({ firedSteps: [0, 1, 2] }), p, 105, DEFAULTS)).toBe(true);
  });

  it('lets the default ladder sell a momentum position (+5 % target) in three steps instead of all at +5 %', () => {
    let p = position('AAPL', 100, 100, { takeProfit: 105, stopLoss: 98 });
    let s: ExitState | undefined;
    const sold: [string, number][] = [];
    [105, 110, 120].forEach((price, i) => {
      const r = evaluateExits(s, p, price, T0 + (i + 1) * 5 * MIN, DEFAULTS);
      s = r.state;
      if (r.exit) {
        sold.push([r.exit.reason, r.exit.quantity]);
        p = { ...p, quantity: p.quantity - r.exit.quantity };
      }
    });
    expect(sold).toEqual([
      ['ladder', 25],
      ['ladder', 37],
      ['ladder', 38],
    ]);
  });
});

describe('flattenWindowAt', () => {
  it.each([
    ['off', null, CLOSE - MIN, false],
    ['15:44:59.999', 15, CLOSE - 15 * MIN - 1, false],
    ['15:45', 15, CLOSE - 15 * MIN, true],
    ['15:59:59.999', 15, CLOSE - 1, true],
    ['16:00', 15, CLOSE, false],
    ['Saturday 15:59', 15, CLOSE + 5 * 24 * 60 * MIN - MIN, false],
  ] as const)('%s -> %s', (_name, minutes, ts, open) => {
    expect(flattenWindowAt(ts, minutes) !== undefined).toBe(open);
  });
});

describe('lockedExitState and restoreExitStates (fail closed)', () => {
  it('marks every possible ladder step fired, survives a round trip, and is recognised', () => {
    const locked = lockedExitState(position('AAPL', 100, 100, { lastPrice: 104 }));
    expect(locked.firedSteps).toHaveLength(MAX_LADDER_STEPS);
    expect(locked.extremePrice).toBe(104);
    expect(restoreExitState(JSON.stringify(locked))).toEqual(locked);
    expect(isLockedExitState(locked)).toBe(true);
    expect(isLockedExitState(state({ firedSteps: [0, 1, 2] }))).toBe(false);
    // No ladder step can fire from it, whatever the price.
    const r = evaluateExits(locked, position('AAPL', 100, 100), 150, T0 + MIN, DEFAULTS);
    expect(r.exit).toBeUndefined();
  });

  it('keeps good states, locks held positions whose state is corrupt, drops states of positions not held', () => {
    const held = [
      position('AAPL', 100, 100),
      position('MSFT', -50, 300),
      position('NVDA', 10, 100),
      position('TSLA', 10, 100),
    ];
    const stored = {
      AAPL: state({ firedSteps: [0] }),
      MSFT: { ...state({ symbol: 'MSFT', direction: 'short' }), firedSteps: [1, 0] },
      NVDA: state({ symbol: 'AMD' }),
      QQQ: state({ symbol: 'QQQ' }),
    };
    const r = restoreExitStates(JSON.parse(JSON.stringify(stored)), held);
    expect(r.states.get('AAPL')?.firedSteps).toEqual([0]);
    expect(isLockedExitState(r.states.get('MSFT') as ExitState)).toBe(true);
    expect(r.states.get('MSFT')?.direction).toBe('short');
    expect(isLockedExitState(r.states.get('NVDA') as ExitState)).toBe(true);
    expect(r.states.has('TSLA')).toBe(false); // nothing stored: starts afresh
    expect(r.states.has('QQQ')).toBe(false);
    expect(r.corrupt.map((c) => c.symbol)).toEqual(['MSFT', 'NVDA']);
    expect(r.corrupt[0]?.error).toBeInstanceOf(CorruptExitStateError);
    expect(r.corrupt[0]?.error.message).toMatch(/firedSteps must be ascending/);
    expect(r.corrupt[1]?.error.message).toMatch(/stored under NVDA but names AMD/);
  });

  it.each([
    ['a string', 'garbage'],
    ['an array', [1, 2]],
    ['a number', 7],
  ])('locks every held position when the stored value is %s', (_name, stored) => {
    const r = restoreExitStates(stored, [position('AAPL', 100, 100)]);
    expect(isLockedExitState(r.states.get('AAPL') as ExitState)).toBe(true);
    expect(r.corrupt).toHaveLength(1);
  });

  it('starts empty from nothing stored', () => {
    expect(restoreExitStates(undefined, [position('AAPL', 100, 100)]).states.size).toBe(0);
  });
});

describe('ExitStateBook', () => {
  it('tracks changes as the persisted value and reports the state per position', () => {
    const book = new ExitStateBook(undefined, []);
    expect(EXIT_STATES_KEY).toBe('risk.exit_states');
    const s = state({
      firedSteps: [0],
      extremePrice: 106,
      awaitingFill: { steps: [0], quantityBefore: 100, expectedQuantity: 75, sinceTs: T0 + MIN },
    });
    book.apply({ kind: 'exit.state_changed', ts: T0, symbol: 'AAPL', state: s });
    expect(book.value()).toEqual({ AAPL: s });
    const config = ExitConfigSchema.parse({ trailing_stop_pct: 0.05, flatten_before_close_minutes: 10 });
    const status = book.status(config, CLOSE - 5 * MIN);
    expect(status.flatten_window_open).toBe(true);
    expect(status.config).toMatchObject({ trailing_stop_pct: 0.05, flatten_before_close_minutes: 10 });
    expect(status.positions).toEqual([
      {
        symbol: 'AAPL',
        direction: 'long',
        opened_at: new Date(T0).toISOString(),
        original_quantity: 100,
        fired_steps: [1],
        ladder_locked: false,
        trailing_anchor: 106,
        trailing_stop_level: 106 * 0.95,
        awaiting_fill: {
          steps: [1],
          quantity_before: 100,
          expected_quantity: 75,
          since: new Date(T0 + MIN).toISOString(),
        },
      },
    ]);
    book.apply({ kind: 'exit.state_changed', ts: T0, symbol: 'AAPL', state: null });
    expect(book.value()).toEqual({});
  });
});
