import type { AccountUpdated, PositionUpdated } from './account.js';
import type { Bar, EarningsScheduled, OptionsFlowReading, SentimentReading, Tick } from './market.js';
import type { BrokerEvent, OrderFailed, OrderPlaced } from './order.js';
import type { BrokerAccountReported } from './broker-account.js';
import type { KillSwitchChanged, RiskDecision, SetKillSwitch, SettledCashReconciled } from './risk.js';
import type { ScoredSignal, Signal } from './signal.js';
import type { StrategyRecord } from './strategy.js';
import type { ExitState } from '../risk/exit-state.js';

/** A symbol's actor threw; it was restarted from its last good state (the event was skipped). */
export interface ActorRestarted {
  readonly kind: 'actor.restarted';
  readonly ts: number;
  readonly symbol: string;
  readonly attempt: number;
  readonly error: string;
}

/** A symbol's actor failed more often than its restart budget allows; it ignores further input. */
export interface ActorHalted {
  readonly kind: 'actor.halted';
  readonly ts: number;
  readonly symbol: string;
  readonly error: string;
}

/**
 * A symbol's exit-rule state changed (a ladder step fired, a fill awaited or seen, a new best price
 * for the trailing stop) or was dropped (`state: null`, the position closed). Published by the actor
 * before the exit signal it goes with, so the graph records it (value `risk.exit_states`) before
 * that signal can become an order; a ladder order is sent only once it is durable.
 */
export interface ExitStateChanged {
  readonly kind: 'exit.state_changed';
  readonly ts: number;
  readonly symbol: string;
  readonly state: ExitState | null;
}

export type SchedulerState = 'stopped' | 'running' | 'paused' | 'error';

export interface SchedulerStateChanged {
  readonly kind: 'scheduler.state_changed';
  readonly ts: number;
  readonly state: SchedulerState;
  readonly previous: SchedulerState;
}

export interface StrategyChanged {
  readonly kind: 'strategy.changed';
  readonly ts: number;
  readonly change: 'added' | 'enabled' | 'disabled' | 'removed';
  readonly strategy: StrategyRecord;
}

/** A scheduler loop fired (event time). Only emitted while the loop may act (see `can_run`). */
export interface SchedulerTick {
  readonly kind: 'scheduler.tick';
  readonly ts: number;
  readonly loop: 'evaluate' | 'exit_check' | 'position_sync';
}

/**
 * Command: a manual order from the API (`POST /api/trading/execute`), checked by the same risk rules.
 * `requestId` correlates the decision with the request.
 */
export interface OrderRequested {
  readonly kind: 'order.requested';
  readonly ts: number;
  readonly requestId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly quantity: number;
  readonly price: number;
  readonly confidence: number;
}

/** Everything the engine graph publishes on `events$` (journal, WebSocket, metrics read it). */
export type EngineEvent =
  | Bar
  | Tick
  | SentimentReading
  | OptionsFlowReading
  | EarningsScheduled
  | Signal
  | ScoredSignal
  | RiskDecision
  | SetKillSwitch
  | KillSwitchChanged
  | BrokerAccountReported
  | SettledCashReconciled
  | OrderPlaced
  | OrderFailed
  | BrokerEvent
  | PositionUpdated
  | AccountUpdated
  | ActorRestarted
  | ActorHalted
  | ExitStateChanged
  | SchedulerStateChanged
  | SchedulerTick
  | OrderRequested
  | StrategyChanged;

export type EngineEventKind = EngineEvent['kind'];
