import { lastValueFrom } from 'rxjs';
import { Channel } from '../engine/operators/channel.js';
import { createPaperBroker } from '../adapters/paper/paper-broker.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../engine/config.js';
import { type Engine, createEngine } from '../engine/graph.js';
import type { EngineEvent } from '../engine/messages/engine-event.js';
import type { Bar } from '../engine/messages/market.js';
import type { MarketDataPort } from '../engine/ports/market-data.port.js';
import type { StorePort } from '../engine/ports/store.port.js';
import { EventTimeScheduler } from '../engine/scheduler/event-time-scheduler.js';
import {
  type AnyStrategyDefinition,
  type StrategyRegistry,
  createStrategyRegistry,
  strategyRegistry,
} from '../engine/strategies/strategy-registry.js';
import { symbolName } from './workload.js';

const FIVE_MINUTES = 300_000;

/** Counts of what a run produced: proof the whole graph worked, not only the actors. */
export interface RunCounts {
  signals: number;
  scored: number;
  approved: number;
  rejected: number;
  placed: number;
  fills: number;
  rejectedBy: Record<string, number>;
}

export interface BenchEngine {
  readonly engine: Engine;
  readonly scheduler: EventTimeScheduler;
  /** Feeds one bar to the paper broker and the engine, like a market adapter. */
  readonly push: (bar: Bar) => void;
  readonly counts: RunCounts;
  stop(): Promise<void>;
}

/**
 * Bench configuration: the defaults with the loops on the bars' cadence (five minutes), and room for
 * 25 concurrent positions on $1M so that risk approves orders and the paper broker fills them
 * instead of nearly everything stopping at the default limit of 5 positions.
 */
const benchConfig = (): EngineConfig => ({
  ...DEFAULT_ENGINE_CONFIG,
  initialCash: 1_000_000,
  scheduler: {
    ...DEFAULT_ENGINE_CONFIG.scheduler,
    evaluationIntervalMs: FIVE_MINUTES,
    exitCheckIntervalMs: FIVE_MINUTES,
    maxConcurrentTrades: 25,
  },
  // The trade limits, daily loss limit and drawdown kill switch guard one retail account; over 500
  // symbols and 26 sessions they would stop the workload after a few orders, so they are lifted.
  risk: {
    ...DEFAULT_ENGINE_CONFIG.risk,
    limits: { dailyTradeLimit: 1_000_000, weeklyTradeLimit: 1_000_000, dailyLossLimitPct: 1, maxDrawdownPct: 1 },
  },
});

/**
 * The real engine graph (actors with the given strategies per symbol, confluence, risk, execution,
 * account) with the real paper broker, on an event-time scheduler that starts at `startTs`.
 */
export const buildBenchEngine = async (opts: {
  readonly symbols: number;
  readonly strategyTypes: readonly string[];
  /** The strategies' registry; the real one unless measuring the engine without them. */
  readonly registry?: StrategyRegistry;
  readonly store: StorePort;
  readonly startTs: number;
}): Promise<BenchEngine> => {
  const bars = new Channel<Bar>();
  const last = new Map<string, number>();
  const marketData: MarketDataPort = {
    bars$: bars.out$,
    subscribe: () => undefined,
    lastPrice: (symbol) => last.get(symbol),
  };
  const broker = createPaperBroker({ bars$: bars.out$ });
  const scheduler = new EventTimeScheduler(opts.startTs);
  let id = 0;
  const engine = createEngine({
    config: benchConfig(),
    marketData,
    broker,
    store: opts.store,
    clock: { now: () => Date.now() },
    ids: { next: () => `bench-${++id}` },
    scheduler,
    registry: opts.registry ?? strategyRegistry,
    snapshot: await lastValueFrom(opts.store.load()),
    onError: (context, err) => {
      throw new Error(`engine failure in ${context}: ${String(err)}`);
    },
  });
  const counts: RunCounts = { signals: 0, scored: 0, approved: 0, rejected: 0, placed: 0, fills: 0, rejectedBy: {} };
  const counter = engine.events$.subscribe((e: EngineEvent) => {
    if (e.kind === 'signal.generated') counts.signals++;
    else if (e.kind === 'signal.scored') counts.scored++;
    else if (e.kind === 'risk.approved') counts.approved++;
    else if (e.kind === 'risk.rejected') {
      counts.rejected++;
      counts.rejectedBy[e.rule] = (counts.rejectedBy[e.rule] ?? 0) + 1;
    } else if (e.kind === 'order.placed') counts.placed++;
    else if (e.kind === 'order.filled' || e.kind === 'order.partially_filled') counts.fills++;
  });
  engine.start();
  for (let i = 0; i < opts.symbols; i++) {
    const symbol = symbolName(i);
    for (const type of opts.strategyTypes)
      await engine.addStrategy({ strategy_type: type, config: { symbol, timeframe: '5m' } });
  }
  return {
    engine,
    scheduler,
    counts,
    push: (bar) => {
      last.set(bar.symbol, bar.close);
      bars.next(bar);
    },
    stop: async () => {
      await engine.stop();
      counter.unsubscribe();
      broker.dispose();
    },
  };
};

/** The strategy types the bench asks for that the registry has. */
export const availableTypes = (wanted: readonly string[]): string[] =>
  wanted.filter((t) => strategyRegistry.get(t) !== undefined);

export const barEnd = (ts: number): number => ts + FIVE_MINUTES;

/**
 * The real strategy types with the same configs, doing nothing: no state, no bar work, no signal. The
 * engine graph around them (bus, actors, paper broker, account, scheduler) is what such a run measures.
 */
export const idleRegistry = (): StrategyRegistry =>
  createStrategyRegistry(
    strategyRegistry.types().map(({ type }): AnyStrategyDefinition => {
      const real = strategyRegistry.get(type) as AnyStrategyDefinition;
      return { ...real, init: () => null, onBar: (state) => state, evaluate: () => undefined };
    }),
  );
