import type { Observable } from 'rxjs';
import type { AccountState } from '../messages/account.js';
import type { EngineEvent } from '../messages/engine-event.js';
import type { OrderIntent, OrderRecord } from '../messages/order.js';
import type { StrategyRecord } from '../messages/strategy.js';
import type { SchedulerStats } from '../scheduler/scheduler-stats.js';

/**
 * The event kinds the store keeps (the journal sends only these; `append` ignores the rest): signals
 * with their decisions, order lifecycle, fills, positions and the account.
 */
export const JOURNALED_EVENT_KINDS: ReadonlySet<EngineEvent['kind']> = new Set<EngineEvent['kind']>([
  'signal.scored',
  'risk.approved',
  'risk.rejected',
  'order.placed',
  'order.accepted',
  'order.partially_filled',
  'order.filled',
  'order.cancelled',
  'order.rejected',
  'order.failed',
  'position.updated',
  'account.updated',
]);

/** Everything the engine needs back after a restart. */
export interface EngineSnapshot {
  readonly strategies: readonly StrategyRecord[];
  /** Undefined on a fresh database: the engine starts from its configured initial cash. */
  readonly account: AccountState | undefined;
  /** Orders not in a terminal status. */
  readonly openOrders: readonly OrderRecord[];
  readonly stats: SchedulerStats | undefined;
  /** Free-form persisted values (e.g. the simulated market's cursor), keyed by name. */
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * Durable state. Writes complete (the Observable completes) only once they are committed. Callers
 * order writes with `concatMap`; the store never reorders them.
 */
export interface StorePort {
  load(): Observable<EngineSnapshot>;
  /** The one write that must be durable before the broker call. */
  saveOrderIntent(order: OrderIntent): Observable<void>;
  /**
   * Project engine events into tables: signals and their risk decisions, order status history,
   * fills (idempotent per execId), positions, account. Events it does not keep are ignored.
   */
  append(events: readonly EngineEvent[]): Observable<void>;
  saveStrategy(strategy: StrategyRecord): Observable<void>;
  deleteStrategy(id: string): Observable<void>;
  saveStats(stats: SchedulerStats): Observable<void>;
  saveValue(key: string, value: unknown): Observable<void>;
}
