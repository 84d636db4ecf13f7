import { describe, expect, it } from 'vitest';
import { DEFAULT_EXIT_CONFIG, ExitConfigSchema } from '../../../engine/risk/exit-config.js';
import { evaluateExits } from '../../../engine/risk/exit-rules.js';
import {
  CorruptExitStateError,
  restoreExitState,
  snapshotExitState,
  type ExitState,
} from '../../../engine/risk/exit-state.js';
import { T0, position } from '../../support/factories.js';

const MIN = 60_000;

const issuesOf = (input: unknown): string[] => {
  const parsed = ExitConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('ExitConfigSchema', () => {
  it('defaults to the SPEC ladder with every other optional rule off', () => {
    expect(DEFAULT_EXIT_CONFIG).toEqual({
      trailing_stop_pct: null,
      ladder: [
        { gain: 0.05, sell_fraction: 0.25 },
        { gain: 0.1, sell_fraction: 0.5 },
        { gain: 0.2, sell_fraction: 1 },
      ],
      max_holding_minutes: null,
      flatten_before_close_minutes: null,
      ladder_fill_timeout_seconds: 120,
      tolerance: 1e-9,
    });
  });

  it('gives every parse its own default ladder (no shared mutable default)', () => {
    const a = ExitConfigSchema.parse({});
    const b = ExitConfigSchema.parse({});
    expect(a.ladder).not.toBe(b.ladder);
    expect(a.ladder).toEqual(b.ladder);
  });

  it('accepts every rule switched on', () => {
    const c = ExitConfigSchema.parse({
      trailing_stop_pct: 0.03,
      ladder: [{ gain: 0.02, sell_fraction: 0.5 }],
      max_holding_minutes: 240,
      flatten_before_close_minutes: 5,
      ladder_fill_timeout_seconds: 60,
      tolerance: 0,
    });
    expect(c).toMatchObject({ trailing_stop_pct: 0.03, max_holding_minutes: 240, flatten_before_close_minutes: 5 });
  });

  it.each([
    [{ trailing_stop_pct: 0 }, 'trailing_stop_pct: trailing_stop_pct must be greater than 0'],
    [{ trailing_stop_pct: 1 }, 'trailing_stop_pct: trailing_stop_pct must be less than 1'],
    [{ trailing_stop_pct: '5%' }, 'trailing_stop_pct: trailing_stop_pct must be a finite number'],
    [{ max_holding_minutes: 1.5 }, 'max_holding_minutes: max_holding_minutes must be a whole number'],
    [{ max_holding_minutes: 0 }, 'max_holding_minutes: max_holding_minutes must be at least 1'],
    [
      { flatten_before_close_minutes: 0 },
      'flatten_before_close_minutes: flatten_before_close_minutes must be at least 1',
    ],
    [
      { flatten_before_close_minutes: 391 },
      'flatten_before_close_minutes: flatten_before_close_minutes must be at most',
    ],
    [{ tolerance: 1e-4 }, 'tolerance: tolerance must be at most 1e-6'],
    [{ tolerance: -1e-9 }, 'tolerance: tolerance must be at least 0'],
    [{ ladder: [{ gain: 0, sell_fraction: 0.5 }] }, 'ladder.0.gain: gain must be greater than 0'],
    [{ ladder: [{ gain: 0.05, sell_fraction: 1.5 }] }, 'ladder.0.sell_fraction: sell_fraction must be at most 1'],
    [{ ladder: [{ gain: 0.05, sell_fraction: 0 }] }, 'ladder.0.sell_fraction: sell_fraction must be greater than 0'],
    [{ ladder: [{ gain: 0.05 }] }, 'ladder.0.sell_fraction: sell_fraction is required'],
    [
      {
        ladder: [
          { gain: 0.1, sell_fraction: 0.5 },
          { gain: 0.1, sell_fraction: 0.5 },
        ],
      },
      'ladder.1.gain: ladder gains must increase: step 1 (0.1) is not above step 0 (0.1)',
    ],
    [
      {
        ladder: [
          { gain: 0.05, sell_fraction: 1 },
          { gain: 0.1, sell_fraction: 0.5 },
        ],
      },
      'ladder.0.sell_fraction: ladder step 0 sells everything, so the steps after it could never fire',
    ],
    [{ trailing_stop: 0.05 }, 'Unrecognized key'],
  ])('rejects %j: %s', (input, message) => {
    expect(issuesOf(input).join('\n')).toContain(message);
  });
});

describe('snapshotExitState / restoreExitState', () => {
  const p = position('AAPL', 100, 100);
  const emitted = evaluateExits(undefined, p, 105, T0 + MIN, DEFAULT_EXIT_CONFIG);
  const state = emitted.state as ExitState;

  it('round-trips through JSON text and through the object', () => {
    const text = JSON.stringify(snapshotExitState(state));
    expect(restoreExitState(text)).toEqual(state);
    expect(restoreExitState(JSON.parse(text))).toEqual(state);
  });

  it('copies: mutating the snapshot does not touch the state', () => {
    const snap = snapshotExitState(state);
    (snap.firedSteps as number[]).push(5);
    expect(state.firedSteps).toEqual([0]);
  });

  it('after a restart between the emission and the fill, the step is not repeated', () => {
    const restored = restoreExitState(JSON.stringify(snapshotExitState(state)));
    // Still unfilled past the timeout: step 0 is not sold again.
    const later = evaluateExits(restored, p, 105, T0 + 10 * MIN, DEFAULT_EXIT_CONFIG);
    expect(later.exit).toBeUndefined();
    expect(later.state?.firedSteps).toEqual([0]);
  });

  const valid = snapshotExitState(state);
  it.each([
    ['not JSON', '{firedSteps: [0', /Corrupt exit state: \(state\): not JSON/],
    ['null', null, /Corrupt exit state: \(state\)/],
    ['a wrong version', { ...valid, version: 2 }, /version: version must be 1/],
    ['an unknown key', { ...valid, extra: 1 }, /Unrecognized key/],
    ['a bad symbol', { ...valid, symbol: 'aapl' }, /symbol: symbol is not a ticker/],
    ['a repeated step', { ...valid, firedSteps: [0, 0] }, /firedSteps: firedSteps must be ascending without repeats/],
    ['a negative step', { ...valid, firedSteps: [-1] }, /firedSteps.0: firedSteps entries must be ladder indexes/],
    ['a fractional quantity', { ...valid, originalQuantity: 2.5 }, /originalQuantity: .*whole number of shares/],
    ['a NaN price', { ...valid, extremePrice: Number.NaN }, /extremePrice: extremePrice must be a finite number/],
    ['a missing field', { ...valid, direction: undefined }, /direction: direction must be 'long' or 'short'/],
    [
      'an awaited step that never fired',
      { ...valid, firedSteps: [], awaitingFill: valid.awaitingFill },
      /awaitingFill.steps: awaitingFill.steps must be among firedSteps/,
    ],
    [
      'an awaited fill that would not reduce the position',
      { ...valid, awaitingFill: { steps: [0], quantityBefore: 75, expectedQuantity: 75, sinceTs: T0 } },
      /awaitingFill.expectedQuantity: awaitingFill.expectedQuantity must be below quantityBefore/,
    ],
  ])('rejects %s with a CorruptExitStateError naming the problem', (_name, input, message) => {
    expect(() => restoreExitState(input)).toThrow(CorruptExitStateError);
    expect(() => restoreExitState(input)).toThrow(message);
  });
});
