import { type Observable, type OperatorFunction, groupBy, mergeMap, scan } from 'rxjs';
import { emitEach } from '../operators/emit-each.js';
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

const NONE: readonly ActorOutput[] = [];

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One step of a supervised actor. A throwing reducer is restarted (fresh state from its strategy
 * records, the failing input skipped) up to `maxRestarts` times; the next failure halts the actor,
 * which then ignores its input. The symbol never goes silent without an `actor.halted` saying why.
 * Like the actor state, `acc` is owned by the scan and updated in place; it is returned for chaining.
 */
export const superviseStep = (
  acc: Supervised,
  input: ActorInput,
  lookup: StrategyLookup,
  maxRestarts: number,
): Supervised => {
  if (acc.halted) {
    acc.out = NONE;
    return acc;
  }
  try {
    acc.out = reduceSymbolActor(acc.state, input, lookup);
    return acc;
  } catch (err) {
    const symbol = acc.state.symbol;
    const error = errorText(err);
    const halt = (why: string): Supervised => {
      acc.halted = true;
      acc.out = [{ kind: 'actor.halted', ts: input.ts, symbol, error: why }];
      return acc;
    };
    if (acc.restarts >= maxRestarts) return halt(error);
    acc.restarts += 1;
    try {
      acc.state = restartSymbolActor(acc.state, lookup);
    } catch (restartErr) {
      return halt(`${error}; restart failed: ${errorText(restartErr)}`);
    }
    acc.out = [{ kind: 'actor.restarted', ts: input.ts, symbol, attempt: acc.restarts, error }];
    return acc;
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
          emitEach((acc) => acc.out),
        ),
      ),
    );
