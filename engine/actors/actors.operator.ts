import { type Observable, type OperatorFunction, groupBy, mergeMap, scan, from } from 'rxjs';
import {
  type ActorInput,
  type ActorOutput,
  type StrategyLookup,
  type SymbolActorState,
  createSymbolActor,
  reduceSymbolActor,
  restartSymbolActor,
} from './symbol-actor.js';

interface Supervised {
  state: SymbolActorState;
  restarts: number;
  halted: boolean;
  out: readonly ActorOutput[];
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One step of a supervised actor. A throwing reducer is restarted (fresh state from its strategy
 * records, the failing input skipped) up to `maxRestarts` times; the next failure halts the actor,
 * which then ignores its input. The symbol never goes silent without an `actor.halted` saying why.
 */
export const superviseStep = (
  acc: Supervised,
  input: ActorInput,
  lookup: StrategyLookup,
  maxRestarts: number,
): Supervised => {
  if (acc.halted) return { ...acc, out: [] };
  try {
    return {
      state: acc.state,
      restarts: acc.restarts,
      halted: false,
      out: reduceSymbolActor(acc.state, input, lookup),
    };
  } catch (err) {
    const error = errorText(err);
    const symbol = acc.state.symbol;
    if (acc.restarts >= maxRestarts) {
      return {
        state: acc.state,
        restarts: acc.restarts,
        halted: true,
        out: [{ kind: 'actor.halted', ts: input.ts, symbol, error }],
      };
    }
    let state: SymbolActorState;
    try {
      state = restartSymbolActor(acc.state, lookup);
    } catch (restartErr) {
      return {
        state: acc.state,
        restarts: acc.restarts + 1,
        halted: true,
        out: [
          { kind: 'actor.halted', ts: input.ts, symbol, error: `${error}; restart failed: ${errorText(restartErr)}` },
        ],
      };
    }
    const attempt = acc.restarts + 1;
    return {
      state,
      restarts: attempt,
      halted: false,
      out: [{ kind: 'actor.restarted', ts: input.ts, symbol, attempt, error }],
    };
  }
};

/**
 * Per-symbol actors: `groupBy(symbol)` and a supervised `scan` per group. Inputs for one symbol are
 * handled strictly in order; symbols are independent, and a failing symbol never stops the others.
 */
export const symbolActors =
  (lookup: StrategyLookup, maxRestarts: number): OperatorFunction<ActorInput, ActorOutput> =>
  (input$: Observable<ActorInput>) =>
    input$.pipe(
      groupBy((input) => (input.kind === 'strategy.changed' ? input.strategy.symbol : input.symbol)),
      mergeMap((group$) =>
        group$.pipe(
          scan((acc: Supervised, input: ActorInput) => superviseStep(acc, input, lookup, maxRestarts), {
            state: createSymbolActor(group$.key),
            restarts: 0,
            halted: false,
            out: [],
          }),
          mergeMap((acc) => from(acc.out)),
        ),
      ),
    );
