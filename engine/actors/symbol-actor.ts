import type { Position, PositionUpdated } from '../messages/account.js';
import type { EngineEvent, ExitStateChanged, SchedulerTick, StrategyChanged } from '../messages/engine-event.js';
import type { Bar, SentimentReading, Tick } from '../messages/market.js';
import type { Signal } from '../messages/signal.js';
import type { StrategyRecord } from '../messages/strategy.js';
import { DEFAULT_EXIT_CONFIG, type ExitConfig } from '../risk/exit-config.js';
import { type ExitDecision, evaluateExits, ladderOwnsTarget } from '../risk/exit-rules.js';
import type { ExitState } from '../risk/exit-state.js';
import {
  type BaseStrategyConfig,
  REPEATED_ENTRY,
  type StrategyContext,
  type StrategyDefinition,
} from '../strategies/strategy.js';
import { aggregate, aggregateTick, createAggregator, type BarAggregatorState } from './bar-aggregator.js';

/**
 * Check this symbol's exits now, at its last price: sent by the graph right after each bar of a held
 * symbol, when the exit loop may run (scheduler running or paused, and `can_run`). A bar alone does
 * not check exits, so a stopped scheduler or a closed market never trades on a bar. Not an event.
 */
export interface ExitCheck {
  readonly kind: 'exit.check';
  readonly ts: number;
  readonly symbol: string;
}

/** An input addressed to one symbol's actor. */
export type SymbolInput = Bar | Tick | SentimentReading | StrategyChanged | PositionUpdated | ExitCheck;

/**
 * What the actors consume: inputs for one symbol, and scheduler ticks, which every actor receives
 * (an actor with nothing to evaluate or no position to check returns at once).
 */
export type ActorInput = SymbolInput | SchedulerTick;

/** Looks a strategy type up; the registry's shape as far as the actor needs it. */
export interface StrategyLookup {
  get(type: string): StrategyDefinition<BaseStrategyConfig, unknown> | undefined;
}

type MutableContext = { -readonly [K in keyof StrategyContext]: StrategyContext[K] };

/**
 * One strategy inside a symbol's actor: its record, validated config, state and bar builder. The slot
 * is also the context handed to `evaluate` on the hot path (its `StrategyContext` fields are set
 * before each call; strategies never keep it): a separate context object was one more object per
 * strategy to reach on every evaluation, over a working set that does not fit the cache. Its `repeat`
 * is the edge trigger's own state: the side of the entry signalled while its setup lasts.
 */
export interface StrategySlot extends MutableContext {
  record: StrategyRecord;
  /**
   * `record.enabled` and the bar builder's timeframe, kept on the slot itself: the per-bar loops read
   * them for every strategy of every symbol, and one object fewer to reach is one cache miss fewer.
   */
  enabled: boolean;
  readonly timeframe: string;
  readonly def: StrategyDefinition<BaseStrategyConfig, unknown>;
  readonly config: BaseStrategyConfig;
  state: unknown;
  readonly aggregator: BarAggregatorState;
  /** Open time of the last completed bar folded into `state`. */
  lastBarTs: number | undefined;
  /** Open time of the bar the last evaluation decided on: one decision per bar. */
  lastEvaluatedBarTs: number | undefined;
}

/**
 * One symbol's state. Owned linearly by the actor: the reducer updates it in place (no new object
 * per bar, see research/performance.md) and it is never shared.
 */
export interface SymbolActorState {
  readonly symbol: string;
  /** The strategies by id; `list` holds the same slots in insertion order for the per-bar loops. */
  readonly slots: Map<string, StrategySlot>;
  /** The slots as an array: indexed loops on the hot path, no iterator object per bar. */
  list: StrategySlot[];
  position: Position | undefined;
  lastPrice: number | undefined;
  sentiment: number | undefined;
  /**
   * The exit rules' state for the held position (ladder steps fired, trailing anchor, awaited fill);
   * undefined when flat. Replaced, never changed in place; every change is emitted as
   * `exit.state_changed` so the graph can persist it.
   */
  exit: ExitState | undefined;
}

/** `exit`: the state restored for this symbol's position at start, if any. */
export const createSymbolActor = (symbol: string, exit?: ExitState): SymbolActorState => ({
  symbol,
  slots: new Map(),
  list: [],
  position: undefined,
  lastPrice: undefined,
  sentiment: undefined,
  exit,
});

/**
 * A fresh state carrying over only outside facts (position, last price, sentiment, the exit state:
 * fired ladder steps must survive a restart) and the strategy records; indicators warm up again. This is what a supervisor restart uses: the failed state may be
 * the cause of the failure, so it is not reused.
 */
export const restartSymbolActor = (old: SymbolActorState, lookup: StrategyLookup): SymbolActorState => {
  const fresh = createSymbolActor(old.symbol, old.exit);
  fresh.position = old.position;
  fresh.lastPrice = old.lastPrice;
  fresh.sentiment = old.sentiment;
  for (const slot of old.list) addSlot(fresh, slot.record, lookup);
  return fresh;
};

const addSlot = (state: SymbolActorState, record: StrategyRecord, lookup: StrategyLookup): void => {
  const def = lookup.get(record.strategyType);
  if (!def) throw new Error(`unknown strategy type '${record.strategyType}' for ${record.id}`);
  const config = def.configSchema.parse(record.config);
  const aggregator = createAggregator(record.symbol, record.timeframe);
  const slot: StrategySlot = {
    record,
    enabled: record.enabled,
    timeframe: aggregator.timeframe,
    def,
    config,
    state: def.init(config),
    aggregator,
    lastBarTs: undefined,
    lastEvaluatedBarTs: undefined,
    strategyId: record.id,
    ts: 0,
    position: undefined,
    sentiment: undefined,
    explain: false,
    repeat: undefined,
  };
  state.slots.set(record.id, slot);
  state.list = [...state.slots.values()];
};

const onStrategyChanged = (state: SymbolActorState, e: StrategyChanged, lookup: StrategyLookup): void => {
  if (e.change === 'added') addSlot(state, e.strategy, lookup);
  else if (e.change === 'removed') {
    state.slots.delete(e.strategy.id);
    state.list = [...state.slots.values()];
  } else {
    const slot = state.slots.get(e.strategy.id);
    if (slot) {
      slot.record = e.strategy;
      slot.enabled = e.strategy.enabled;
    }
  }
};

const foldBar = (slot: StrategySlot, bar: Bar): void => {
  slot.state = slot.def.onBar(slot.state, bar, slot.config);
  slot.lastBarTs = bar.ts;
};

const onBar = (state: SymbolActorState, bar: Bar): void => {
  state.lastPrice = bar.close;
  const list = state.list;
  for (let i = 0; i < list.length; i++) {
    const slot = list[i] as StrategySlot;
    // A bar already of the strategy's timeframe skips the aggregator (and its result array).
    if (bar.timeframe === slot.timeframe) foldBar(slot, bar);
    else for (const b of aggregate(slot.aggregator, bar)) foldBar(slot, b);
  }
};

const onTick = (state: SymbolActorState, tick: Tick): void => {
  state.lastPrice = tick.price;
  for (const slot of state.list) for (const b of aggregateTick(slot.aggregator, tick)) foldBar(slot, b);
};

/** The strategy's view of the position: only a position its own strategy opened. */
const ownPosition = (state: SymbolActorState, slot: StrategySlot): StrategyContext['position'] => {
  const p = state.position;
  return p && p.quantity !== 0 && p.strategyId === slot.record.id ? p : undefined;
};

/** A fresh context for on-demand evaluation (the caller may keep what it is given). */
export const contextFor = (
  state: SymbolActorState,
  slot: StrategySlot,
  ts: number,
  explain: boolean,
): StrategyContext => ({
  strategyId: slot.record.id,
  ts,
  sentiment: state.sentiment,
  position: ownPosition(state, slot),
  explain,
});

/** What the reducer emits: signals, and the exit-state changes that must be persisted before them. */
export type ActorEmission = Signal | ExitStateChanged;

const NO_SIGNALS: readonly ActorEmission[] = Object.freeze([]);

/**
 * Evaluation loop: each enabled strategy decides once per completed bar of its timeframe.
 *
 * Entries are edge-triggered: an entry is signalled on the bar its setup appears, and not again on
 * each following bar while the same setup lasts (a persisting setup would otherwise flood the trade
 * path, the journal and the signal stream with repeats that risk can only refuse). The trigger re-arms
 * when the strategy has nothing to do or does something else. So an entry refused by risk (say, the
 * position limit) is retried only when its setup forms again. Exits are level-triggered: a stop keeps
 * firing until the position is closed. A strategy's `target` exit is dropped while the profit-taking
 * ladder stands in for that target (`ladderOwnsTarget`): the exit rules sell it in steps instead.
 */
const evaluate = (state: SymbolActorState, ts: number, exits: ExitConfig): readonly ActorEmission[] => {
  let out: Signal[] | undefined;
  const list = state.list;
  for (let i = 0; i < list.length; i++) {
    const slot = list[i] as StrategySlot;
    if (!slot.enabled || slot.lastBarTs === undefined || slot.lastBarTs === slot.lastEvaluatedBarTs) continue;
    slot.lastEvaluatedBarTs = slot.lastBarTs;
    slot.ts = ts;
    slot.sentiment = state.sentiment;
    slot.position = ownPosition(state, slot);
    const signal = slot.def.evaluate(slot.state, slot.config, slot);
    // The entry signalled before still stands: dropped unbuilt (the edge trigger below, done early).
    if (signal === REPEATED_ENTRY) continue;
    if (signal === undefined || signal.action === 'none') {
      slot.repeat = undefined;
      continue;
    }
    if (signal.action === 'enter') {
      if (slot.repeat === signal.side) continue;
      slot.repeat = signal.side;
    } else slot.repeat = undefined;
    if (
      signal.action === 'exit' &&
      signal.exitReason === 'target' &&
      slot.position !== undefined &&
      state.position !== undefined &&
      ladderOwnsTarget(state.exit, state.position, signal.takeProfit, exits)
    )
      continue;
    (out ??= []).push(signal);
  }
  return out ?? NO_SIGNALS;
};

/** Indicator values an exit signal reports: the level crossed, the ladder step (1-based), the shares. */
const exitIndicators = (exit: ExitDecision): Record<string, number> => ({
  ...(exit.level === undefined ? {} : { level: exit.level }),
  ...(exit.step === undefined ? {} : { ladder_step: exit.step + 1 }),
  exit_quantity: exit.quantity,
});

const exitSignal = (state: SymbolActorState, p: Position, price: number, ts: number, exit: ExitDecision): Signal => {
  const slot = state.slots.get(p.strategyId);
  const partial = exit.quantity < Math.abs(p.quantity);
  return {
    kind: 'signal.generated',
    ts,
    strategyId: p.strategyId,
    strategyType: slot?.record.strategyType ?? 'exit_monitor',
    symbol: state.symbol,
    timeframe: slot?.record.timeframe ?? '1m',
    side: exit.side,
    action: 'exit',
    confidence: 1,
    price,
    entry: price,
    stopLoss: p.stopLoss ?? price,
    takeProfit: p.takeProfit ?? price,
    reason: exit.detail,
    indicators: exitIndicators(exit),
    exitReason: exit.reason,
    ...(partial ? { exitQuantity: exit.quantity } : {}),
  };
};

/**
 * The exit rules (`evaluateExits`: stop, trailing stop, flatten, time, target, ladder) for the held
 * position at the last price. A changed exit state is emitted before the exit signal, so whoever
 * persists it sees it first; the actor's own state changes only once both are built.
 */
const checkExits = (state: SymbolActorState, ts: number, exits: ExitConfig): readonly ActorEmission[] => {
  const p = state.position;
  const price = state.lastPrice;
  if (!p || p.quantity === 0 || price === undefined) return NO_SIGNALS;
  const result = evaluateExits(state.exit, p, price, ts, exits);
  const changed = result.state !== state.exit;
  if (!changed && result.exit === undefined) return NO_SIGNALS;
  const out: ActorEmission[] = [];
  if (changed) out.push({ kind: 'exit.state_changed', ts, symbol: state.symbol, state: result.state ?? null });
  if (result.exit !== undefined) out.push(exitSignal(state, p, price, ts, result.exit));
  state.exit = result.state;
  return out;
};

/** A new position view; a closed position drops its exit state (emitted, so it is persisted too). */
const onPosition = (state: SymbolActorState, e: PositionUpdated): readonly ActorEmission[] => {
  state.position = e.position.quantity === 0 ? undefined : e.position;
  if (state.position !== undefined || state.exit === undefined) return NO_SIGNALS;
  state.exit = undefined;
  return [{ kind: 'exit.state_changed', ts: e.ts, symbol: state.symbol, state: null }];
};

/**
 * The actor's reducer: folds one input into the state (in place) and returns the signals it emits
 * (a shared empty array when none, so the per-bar path allocates nothing). Throws only on a bug; the
 * supervisor around it decides what happens then.
 */
export const reduceSymbolActor = (
  state: SymbolActorState,
  input: ActorInput,
  lookup: StrategyLookup,
  exits: ExitConfig = DEFAULT_EXIT_CONFIG,
): readonly ActorEmission[] => {
  switch (input.kind) {
    case 'bar':
      onBar(state, input);
      return NO_SIGNALS;
    case 'tick':
      onTick(state, input);
      return NO_SIGNALS;
    case 'sentiment.updated':
      state.sentiment = input.score;
      return NO_SIGNALS;
    case 'strategy.changed':
      onStrategyChanged(state, input, lookup);
      return NO_SIGNALS;
    case 'position.updated':
      return onPosition(state, input);
    case 'exit.check':
      return checkExits(state, input.ts, exits);
    case 'scheduler.tick':
      if (input.loop === 'evaluate') return evaluate(state, input.ts, exits);
      if (input.loop === 'exit_check') return checkExits(state, input.ts, exits);
      return NO_SIGNALS;
  }
};

/** Outputs of the supervised actor: signals, exit-state changes, or news of a restart or halt. */
export type ActorOutput = ActorEmission | Extract<EngineEvent, { kind: 'actor.restarted' | 'actor.halted' }>;
