import {
  BehaviorSubject,
  EMPTY,
  distinctUntilChanged,
  type Observable,
  type SchedulerLike,
  type Subscription,
  interval,
  merge,
  switchMap,
  map,
} from 'rxjs';
import type { EngineConfig } from '../config.js';
import type { SchedulerStatus } from '../engine-api.js';
import { DomainError } from '../errors.js';
import type { EngineEvent, SchedulerState, SchedulerTick } from '../messages/engine-event.js';
import type { ClockPort } from '../ports/clock.port.js';
import { EMPTY_STATS, type SchedulerStats } from './scheduler-stats.js';

export interface TradingSchedulerDeps {
  readonly config: EngineConfig['scheduler'];
  /** Runs the loops: event time (paper, backtest) or wall time (live). */
  readonly scheduler: SchedulerLike;
  /** Wall clock, for uptime only. */
  readonly clock: ClockPort;
  readonly isMarketOpen: (ts: number) => boolean;
  /** The broker in use is connected (the paper broker always is). */
  readonly brokerConnected: () => boolean;
  /** An IBKR connection is up (false in paper mode): what `ibkr_connected` reports. */
  readonly ibkrConnected: () => boolean;
  readonly openPositions: () => number;
  readonly publish: (event: EngineEvent) => void;
  readonly initialStats: SchedulerStats | undefined;
  /**
   * Called after each change of the counters (many per evaluation: every signal and refusal is
   * counted). Read `stats` when the value is needed, not here: the graph's journal reads it once per
   * write.
   */
  readonly statsChanged?: () => void;
}

type MutableStats = { -readonly [K in keyof SchedulerStats]: SchedulerStats[K] };

/** Allowed transitions; anything else is a conflict (409 at the API). */
const TRANSITIONS: Readonly<Record<'pause' | 'resume', readonly SchedulerState[]>> = {
  pause: ['running'],
  resume: ['paused'],
};

/**
 * SPEC section 7. Three loops on the injected scheduler: evaluation (running only: entries and
 * strategy exits), exit checks and position sync (running or paused: pause stops new entries, never
 * exits). A loop's tick is published only when `can_run` holds. Counters are kept from the engine's
 * events and persisted by the journal.
 */
export class TradingScheduler {
  private readonly state$ = new BehaviorSubject<SchedulerState>('stopped');
  /** The counters, changed in place; `stats` hands out a copy, made once per change when read. */
  private readonly counters: MutableStats;
  private statsCopy: SchedulerStats | undefined;
  private startedWallTs: number | undefined;
  private loops: Subscription | undefined;

  constructor(private readonly deps: TradingSchedulerDeps) {
    this.counters = { ...(deps.initialStats ?? EMPTY_STATS) };
  }

  get state(): SchedulerState {
    return this.state$.value;
  }

  /** The counters now, as an immutable value. */
  get stats(): SchedulerStats {
    return (this.statsCopy ??= { ...this.counters });
  }

  /** Market (event) time the loops run on. */
  now(): number {
    return this.deps.scheduler.now();
  }

  canRun(ts = this.now()): boolean {
    const c = this.deps.config;
    if (this.state === 'error') return false;
    if (c.requireBrokerConnection && !this.deps.brokerConnected()) return false;
    if (c.marketHoursOnly && !this.deps.isMarketOpen(ts)) return false;
    return true;
  }

  /**
   * Whether exits may be checked at `ts` outside the exit loop (on a bar): exactly when an exit-loop
   * tick would be published then (running or paused, and `can_run`).
   */
  exitsMayRun(ts: number): boolean {
    return (this.state === 'running' || this.state === 'paused') && this.canRun(ts);
  }

  start(): void {
    if (this.state === 'running') return;
    this.refuseAfterFailure('start');
    if (this.state === 'stopped') this.startedWallTs = this.deps.clock.now();
    this.transition('running');
    this.ensureLoops();
  }

  stop(): void {
    if (this.state === 'stopped' || this.state === 'error') return;
    this.loops?.unsubscribe();
    this.loops = undefined;
    this.startedWallTs = undefined;
    this.transition('stopped');
  }

  pause(): void {
    this.guard('pause');
    this.transition('paused');
  }

  resume(): void {
    this.guard('resume');
    this.transition('running');
  }

  /** A stage of the graph failed: stop trading for good (until a restart) and say so. */
  fail(): void {
    this.loops?.unsubscribe();
    this.loops = undefined;
    this.transition('error');
  }

  /**
   * Keeps the counters from the engine's events. In place, not a new value per event: signals and
   * refusals come by the thousand per evaluation, and each copy and notification was garbage.
   */
  observe(event: EngineEvent): void {
    const c = this.counters;
    switch (event.kind) {
      case 'signal.generated':
        if (event.side === 'HOLD') return;
        c.signals_generated++;
        break;
      case 'order.filled':
        c.trades_executed++;
        c.last_trade = event.ts;
        break;
      case 'risk.rejected':
      case 'order.rejected':
        c.trades_rejected++;
        break;
      case 'actor.restarted':
      case 'actor.halted':
      case 'order.failed':
        c.errors++;
        break;
      default:
        return;
    }
    this.countersChanged();
  }

  private countersChanged(): void {
    this.statsCopy = undefined;
    this.deps.statsChanged?.();
  }

  status(): SchedulerStatus {
    const c = this.deps.config;
    const now = this.now();
    const uptime =
      this.startedWallTs === undefined
        ? 0
        : Math.max(0, Math.round((this.deps.clock.now() - this.startedWallTs) / 1000));
    return {
      state: this.state,
      stats: { ...this.stats, uptime_seconds: uptime, monitored_positions: this.deps.openPositions() },
      config: {
        enabled: c.enabled,
        evaluation_interval: c.evaluationIntervalMs / 1000,
        exit_check_interval: c.exitCheckIntervalMs / 1000,
        min_confidence: c.minConfidence,
        max_concurrent_trades: c.maxConcurrentTrades,
        market_hours_only: c.marketHoursOnly,
        require_ibkr_connection: c.requireBrokerConnection,
        position_sync_enabled: c.positionSyncEnabled,
        position_sync_interval: c.positionSyncIntervalMs / 1000,
      },
      can_run: this.canRun(now),
      is_market_hours: this.deps.isMarketOpen(now),
      ibkr_connected: this.deps.ibkrConnected(),
      market_time: Number.isFinite(now) ? new Date(now).toISOString() : null,
    };
  }

  /** After a stage of the graph failed, the graph is incomplete: only a new process may trade again. */
  private refuseAfterFailure(action: string): void {
    if (this.state === 'error')
      throw new DomainError(
        'conflict',
        `cannot ${action} the scheduler: the engine stopped after an internal failure; restart the process`,
      );
  }

  private guard(action: 'pause' | 'resume'): void {
    if (!TRANSITIONS[action].includes(this.state))
      throw new DomainError('conflict', `cannot ${action} the scheduler while it is ${this.state}`);
  }

  private transition(next: SchedulerState): void {
    const previous = this.state;
    if (previous === next) return;
    this.state$.next(next);
    this.deps.publish({ kind: 'scheduler.state_changed', ts: this.now(), state: next, previous });
  }

  private ensureLoops(): void {
    if (this.loops) return;
    const c = this.deps.config;
    const sched = this.deps.scheduler;
    const loop = (
      loop: SchedulerTick['loop'],
      every: number,
      when: readonly SchedulerState[],
    ): Observable<SchedulerTick['loop']> =>
      this.state$.pipe(
        map((state) => when.includes(state)),
        distinctUntilChanged(),
        switchMap((active) => (active ? interval(every, sched).pipe(map(() => loop)) : EMPTY)),
      );
    const loops$ = merge(
      loop('evaluate', c.evaluationIntervalMs, ['running']),
      loop('exit_check', c.exitCheckIntervalMs, ['running', 'paused']),
      c.positionSyncEnabled ? loop('position_sync', c.positionSyncIntervalMs, ['running', 'paused']) : EMPTY,
    );
    this.loops = loops$.subscribe((name) => this.tick(name));
  }

  private tick(loop: SchedulerTick['loop']): void {
    const ts = this.now();
    if (loop !== 'position_sync' && !this.canRun(ts)) return;
    if (loop === 'evaluate') {
      this.counters.evaluations_run++;
      this.counters.last_evaluation = ts;
      this.countersChanged();
    }
    this.deps.publish({ kind: 'scheduler.tick', ts, loop });
  }
}
