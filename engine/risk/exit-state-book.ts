import type { ExitStatus } from '../engine-api.js';
import { dictOf } from '../dict.js';
import type { ExitStateChanged } from '../messages/engine-event.js';
import type { ExitConfig } from './exit-config.js';
import { flattenWindowAt } from './exit-rules.js';
import {
  type CorruptExitStateError,
  type ExitState,
  type LockedPositionFacts,
  isLockedExitState,
  restoreExitStates,
} from './exit-state.js';

/** Where the exit states of the held positions are persisted: one value, symbol -> `ExitState`. */
export const EXIT_STATES_KEY = 'risk.exit_states';

const iso = (ts: number): string => new Date(ts).toISOString();

/**
 * The exit-rule states of the held positions, as the actors last reported them, in the shape they
 * are persisted in (one JSON object per account, written whole on every change: a handful of
 * positions, and the journal coalesces changes between writes). Built from the stored value at
 * start; the states that could not be read are replaced by fail-closed ones (`lockedExitState`) and
 * listed in `corrupt` for the caller to report and persist.
 */
export class ExitStateBook {
  /** What the actors start from, by symbol. */
  readonly restored: ReadonlyMap<string, ExitState>;
  readonly corrupt: readonly { readonly symbol: string; readonly error: CorruptExitStateError }[];
  private readonly states: Map<string, ExitState>;

  constructor(stored: unknown, held: readonly LockedPositionFacts[]) {
    const restored = restoreExitStates(stored, held);
    this.restored = restored.states;
    this.corrupt = restored.corrupt;
    this.states = new Map(restored.states);
  }

  /** Takes a change in. */
  apply(e: ExitStateChanged): void {
    if (e.state === null) this.states.delete(e.symbol);
    else this.states.set(e.symbol, e.state);
  }

  /** The value to persist now (a new object; the states themselves are immutable). */
  value(): Readonly<Record<string, ExitState>> {
    // A prototype-less record (see `dict`): symbols of held positions come and go in any order.
    return dictOf(this.states);
  }

  get(symbol: string): ExitState | undefined {
    return this.states.get(symbol);
  }

  /** The exit rules and every held position's state, for `GET /api/risk/status`. */
  status(config: ExitConfig, ts: number): ExitStatus {
    const trail = config.trailing_stop_pct;
    const steps = config.ladder.length;
    return {
      config: {
        trailing_stop_pct: trail,
        ladder: config.ladder.map((s) => ({ gain: s.gain, sell_fraction: s.sell_fraction })),
        max_holding_minutes: config.max_holding_minutes,
        flatten_before_close_minutes: config.flatten_before_close_minutes,
        ladder_fill_timeout_seconds: config.ladder_fill_timeout_seconds,
      },
      flatten_window_open: flattenWindowAt(ts, config.flatten_before_close_minutes) !== undefined,
      positions: [...this.states.values()]
        .sort((a, b) => a.symbol.localeCompare(b.symbol))
        .map((s) => ({
          symbol: s.symbol,
          direction: s.direction,
          opened_at: iso(s.openedTs),
          original_quantity: s.originalQuantity,
          fired_steps: s.firedSteps.filter((i) => i < steps).map((i) => i + 1),
          ladder_locked: isLockedExitState(s),
          trailing_anchor: s.extremePrice,
          trailing_stop_level:
            trail === null
              ? null
              : s.direction === 'long'
                ? s.extremePrice * (1 - trail)
                : s.extremePrice * (1 + trail),
          awaiting_fill:
            s.awaitingFill === null
              ? null
              : {
                  steps: s.awaitingFill.steps.map((i) => i + 1),
                  quantity_before: s.awaitingFill.quantityBefore,
                  expected_quantity: s.awaitingFill.expectedQuantity,
                  since: iso(s.awaitingFill.sinceTs),
                },
        })),
    };
  }
}
