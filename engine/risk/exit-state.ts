import { z } from 'zod';
import { SYMBOL_PATTERN } from '../messages/symbol.js';
import { MAX_LADDER_STEPS } from './exit-config.js';

/**
 * A ladder sell that was emitted and has not yet shown up in the position. Later ladder steps wait
 * until `|quantity|` has dropped to `expectedQuantity` (filled), moved above `quantityBefore` (the
 * position was added to) or the configured timeout has passed since `sinceTs`.
 */
export interface AwaitingLadderFill {
  readonly steps: readonly number[];
  readonly quantityBefore: number;
  readonly expectedQuantity: number;
  readonly sinceTs: number;
}

/**
 * What the exit rules remember about one open position, as plain JSON for the caller to persist
 * (SPEC section 9, `risk_state`: "ladder steps"). The position is identified by `symbol`,
 * `openedTs` and `direction`: when any differs, the position was closed and another one opened,
 * and the state starts afresh.
 *
 * `firedSteps` (ascending ladder indexes) is the guarantee that a restart never repeats a ladder
 * sell: a step is recorded here in the same evaluation that emits its order, so the caller must
 * persist this state no later than the order intent (before the order is sent).
 */
export interface ExitState {
  readonly version: 1;
  readonly symbol: string;
  readonly openedTs: number;
  readonly direction: 'long' | 'short';
  /** Absolute share count when the rules first saw the position. */
  readonly originalQuantity: number;
  /** Best price seen since then: the high for a long, the low for a short (trailing stop anchor). */
  readonly extremePrice: number;
  readonly firedSteps: readonly number[];
  readonly awaitingFill: AwaitingLadderFill | null;
}

const ts = (name: string) => z.number({ error: `${name} must be a number` }).int({ error: `${name} must be epoch ms` });
const shares = (name: string, min: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number of shares` })
    .min(min, { error: `${name} must be at least ${min}` });
const stepIndexes = (name: string) =>
  z
    .array(
      z
        .number({ error: `${name} entries must be numbers` })
        .int({ error: `${name} entries must be ladder indexes` })
        .min(0, { error: `${name} entries must be ladder indexes` })
        .max(MAX_LADDER_STEPS - 1, { error: `${name} entries must be below ${MAX_LADDER_STEPS}` }),
      { error: `${name} must be a list of ladder indexes` },
    )
    .max(MAX_LADDER_STEPS)
    .refine((xs) => xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? -1)), {
      error: `${name} must be ascending without repeats`,
    });

/** Validation of persisted exit state: exactly the shape `snapshotExitState` writes. */
export const ExitStateSchema = z
  .strictObject({
    version: z.literal(1, { error: 'version must be 1' }),
    symbol: z.string({ error: 'symbol must be a string' }).regex(SYMBOL_PATTERN, { error: 'symbol is not a ticker' }),
    openedTs: ts('openedTs'),
    direction: z.enum(['long', 'short'], { error: "direction must be 'long' or 'short'" }),
    originalQuantity: shares('originalQuantity', 1),
    extremePrice: z.number({ error: 'extremePrice must be a finite number' }).gt(0, {
      error: 'extremePrice must be greater than 0',
    }),
    firedSteps: stepIndexes('firedSteps'),
    awaitingFill: z
      .strictObject({
        steps: stepIndexes('awaitingFill.steps').refine((xs) => xs.length > 0, {
          error: 'awaitingFill.steps must not be empty',
        }),
        quantityBefore: shares('awaitingFill.quantityBefore', 1),
        expectedQuantity: shares('awaitingFill.expectedQuantity', 0),
        sinceTs: ts('awaitingFill.sinceTs'),
      })
      .nullable(),
  })
  .superRefine((s, ctx) => {
    const a = s.awaitingFill;
    if (a === null) return;
    if (a.expectedQuantity >= a.quantityBefore) {
      ctx.addIssue({
        code: 'custom',
        path: ['awaitingFill', 'expectedQuantity'],
        message: 'awaitingFill.expectedQuantity must be below quantityBefore',
      });
    }
    if (!a.steps.every((step) => s.firedSteps.includes(step))) {
      ctx.addIssue({
        code: 'custom',
        path: ['awaitingFill', 'steps'],
        message: 'awaitingFill.steps must be among firedSteps',
      });
    }
  });

/** Persisted exit state could not be read; `issues` lists every problem as `path: message`. */
export class CorruptExitStateError extends Error {
  override readonly name = 'CorruptExitStateError';
  constructor(readonly issues: readonly string[]) {
    super(`Corrupt exit state: ${issues.join('; ')}`);
  }
}

/** A JSON-safe deep copy of the state, for the caller to store. */
export const snapshotExitState = (state: ExitState): ExitState => ({
  version: 1,
  symbol: state.symbol,
  openedTs: state.openedTs,
  direction: state.direction,
  originalQuantity: state.originalQuantity,
  extremePrice: state.extremePrice,
  firedSteps: [...state.firedSteps],
  awaitingFill: state.awaitingFill === null ? null : { ...state.awaitingFill, steps: [...state.awaitingFill.steps] },
});

/**
 * Reads state written by `snapshotExitState`, given as the object or its JSON text. Throws a
 * `CorruptExitStateError` naming every problem instead of guessing: a wrong `firedSteps` would let a
 * ladder step sell twice. A caller that must carry on without the state should rather treat every
 * ladder step the position has already reached as fired than start from nothing.
 */
export const restoreExitState = (input: unknown): ExitState => {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (err) {
      throw new CorruptExitStateError([`(state): not JSON (${err instanceof Error ? err.message : String(err)})`]);
    }
  }
  const parsed = ExitStateSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CorruptExitStateError(
    parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(state)'}: ${i.message}`),
  );
};

/** The facts about a held position a fail-closed state is built from (a `Position` fits). */
export interface LockedPositionFacts {
  readonly symbol: string;
  readonly quantity: number;
  readonly avgPrice: number;
  readonly lastPrice: number;
  readonly openedTs: number;
}

/** Every ladder index there can be: what a fail-closed state marks as fired. */
const ALL_STEPS: readonly number[] = Array.from({ length: MAX_LADDER_STEPS }, (_, i) => i);

/**
 * The state to carry on with when a held position's stored state could not be read: every ladder
 * step counts as fired (whatever the ladder is configured to), so no ladder sell can repeat one that
 * may have been sold before the restart. Stops, trailing stop, time and flatten exits and the
 * take-profit (a full exit again once no step is left) keep protecting the position. The trailing
 * anchor starts from the better of the average and the last price. A new position starts afresh.
 */
export const lockedExitState = (p: LockedPositionFacts): ExitState => {
  const long = p.quantity > 0;
  return {
    version: 1,
    symbol: p.symbol,
    openedTs: p.openedTs,
    direction: long ? 'long' : 'short',
    originalQuantity: Math.max(1, Math.abs(p.quantity)),
    extremePrice: long ? Math.max(p.avgPrice, p.lastPrice) : Math.min(p.avgPrice, p.lastPrice),
    firedSteps: ALL_STEPS,
    awaitingFill: null,
  };
};

/** Whether `state` is the fail-closed state of `lockedExitState` (ladder refused for this position). */
export const isLockedExitState = (state: ExitState): boolean => state.firedSteps.length === MAX_LADDER_STEPS;

/** Stored exit states read back: the good ones, and the held symbols whose state could not be trusted. */
export interface RestoredExitStates {
  readonly states: ReadonlyMap<string, ExitState>;
  /** Held symbols given a fail-closed state, each with the reason. */
  readonly corrupt: readonly { readonly symbol: string; readonly error: CorruptExitStateError }[];
}

/**
 * Reads the stored map (symbol -> state, as written by the engine) for the positions held now. A
 * state that fails `restoreExitState`, or is filed under another symbol, or a map that is not an
 * object at all, gives each affected held position `lockedExitState` and is reported in `corrupt`:
 * failing closed refuses the ladder for that position rather than risk selling a step twice. States
 * of symbols not held are dropped (their position closed). Never throws.
 */
export const restoreExitStates = (input: unknown, held: readonly LockedPositionFacts[]): RestoredExitStates => {
  const states = new Map<string, ExitState>();
  const corrupt: { symbol: string; error: CorruptExitStateError }[] = [];
  if (input === undefined || input === null) return { states, corrupt };
  const isMap = typeof input === 'object' && !Array.isArray(input);
  const stored = isMap ? (input as Readonly<Record<string, unknown>>) : {};
  for (const p of held) {
    if (p.quantity === 0) continue;
    let error: CorruptExitStateError | undefined;
    if (!isMap)
      error = new CorruptExitStateError([`(map): expected an object of symbol -> state, got ${typeof input}`]);
    else if (Object.hasOwn(stored, p.symbol)) {
      try {
        const state = restoreExitState(stored[p.symbol]);
        if (state.symbol === p.symbol) states.set(p.symbol, state);
        else error = new CorruptExitStateError([`symbol: stored under ${p.symbol} but names ${state.symbol}`]);
      } catch (err) {
        error = err instanceof CorruptExitStateError ? err : new CorruptExitStateError([String(err)]);
      }
    }
    if (error !== undefined) {
      states.set(p.symbol, lockedExitState(p));
      corrupt.push({ symbol: p.symbol, error });
    }
  }
  return { states, corrupt };
};
