import { Observable, type OperatorFunction } from 'rxjs';
import { DEFAULT_EXIT_CONFIG, type ExitConfig } from '../risk/exit-config.js';
import type { ExitState } from '../risk/exit-state.js';
import {
  type ActorInput,
  type ActorOutput,
  type StrategyLookup,
  type SymbolActorState,
  createSymbolActor,
  reduceSymbolActor,
  restartSymbolActor,
} from './symbol-actor.js';

/** A symbol's actor under supervision: its state, restart count and the outputs of its last step. */
export interface Supervised {
  state: SymbolActorState;
  restarts: number;
  halted: boolean;
  out: readonly ActorOutput[];
}

const NONE: readonly ActorOutput[] = Object.freeze([]);

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A new supervised actor for `symbol`, with the exit state restored for its position, if any. */
export const supervised = (symbol: string, exit?: ExitState): Supervised => ({
  state: createSymbolActor(symbol, exit),
  restarts: 0,
  halted: false,
  out: NONE,
});

/**
 * One step of a supervised actor. A throwing reducer is restarted (fresh state from its strategy
 * records, the failing input skipped) up to `maxRestarts` times; the next failure halts the actor,
 * which then ignores its input. The symbol never goes silent without an `actor.halted` saying why.
 * Like the actor state, `acc` is owned by its actor and updated in place; it is returned for chaining.
 */
export const superviseStep = (
  acc: Supervised,
  input: ActorInput,
  lookup: StrategyLookup,
  maxRestarts: number,
  exits: ExitConfig = DEFAULT_EXIT_CONFIG,
): Supervised => {
  if (acc.halted) {
    acc.out = NONE;
    return acc;
  }
  try {
    acc.out = reduceSymbolActor(acc.state, input, lookup, exits);
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

/** The exit rules the actors apply, and the exit states restored at start (seeded when an actor is created). */
export interface ActorExitSetup {
  readonly config: ExitConfig;
  readonly restored?: ReadonlyMap<string, ExitState>;
}

const symbolOf = (input: Exclude<ActorInput, { kind: 'scheduler.tick' }>): string =>
  input.kind === 'strategy.changed' ? input.strategy.symbol : input.symbol;

/**
 * Per-symbol actors. Each symbol's inputs are handled strictly in order by that symbol's supervised
 * reducer; symbols are independent, and a failing symbol never stops the others. Scheduler ticks go
 * to every actor, in the order the symbols first appeared.
 *
 * Routing is by hand (a Map from symbol to actor) rather than `groupBy` + `mergeMap` + `scan`: it has
 * the same semantics (one ordered mailbox and one state per key) without an inner Subject,
 * subscription chain and output array per input, which research/performance.md measured at 31 %
 * of the per-tick cost.
 *
 * `actors` is where the actors live; pass a Map to read their state from outside (on-demand
 * evaluation reads it between inputs and never changes it). Give each subscription its own Map.
 * `exits`: the exit rules and the restored exit states (defaults: the default rules, nothing restored).
 */
export const symbolActors =
  (
    lookup: StrategyLookup,
    maxRestarts: number,
    actors: Map<string, Supervised> = new Map(),
    exits: ActorExitSetup = { config: DEFAULT_EXIT_CONFIG },
  ): OperatorFunction<ActorInput, ActorOutput> =>
  (input$: Observable<ActorInput>) =>
    new Observable<ActorOutput>((subscriber) => {
      const step = (actor: Supervised, input: ActorInput): void => {
        const out = superviseStep(actor, input, lookup, maxRestarts, exits.config).out;
        for (let i = 0; i < out.length; i++) subscriber.next(out[i] as ActorOutput);
      };
      return input$.subscribe({
        next: (input) => {
          if (input.kind === 'scheduler.tick') {
            for (const actor of actors.values()) step(actor, input);
            return;
          }
          const symbol = symbolOf(input);
          let actor = actors.get(symbol);
          if (actor === undefined) {
            actor = supervised(symbol, exits.restored?.get(symbol));
            actors.set(symbol, actor);
          }
          step(actor, input);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
