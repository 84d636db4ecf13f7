import type { Position, PositionUpdated } from '../messages/account.js';
import type { EngineEvent, SchedulerTick, StrategyChanged } from '../messages/engine-event.js';
import type { Bar, SentimentReading, Tick } from '../messages/market.js';
import type { Signal } from '../messages/signal.js';
import type { StrategyRecord } from '../messages/strategy.js';
import type { BaseStrategyConfig, StrategyContext, StrategyDefinition } from '../strategies/strategy.js';
import { aggregate, aggregateTick, createAggregator, type BarAggregatorState } from './bar-aggregator.js';

/** An input addressed to one symbol's actor. */
export type SymbolInput = Bar | Tick | SentimentReading | StrategyChanged | PositionUpdated;

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

/** One strategy inside a symbol's actor: its record, validated config, state and bar builder. */
export interface StrategySlot {
  record: StrategyRecord;
  readonly def: StrategyDefinition<BaseStrategyConfig, unknown>;
  readonly config: BaseStrategyConfig;
  state: unknown;
  readonly aggregator: BarAggregatorState;
  /** Open time of the last completed bar folded into `state`. */
  lastBarTs: number | undefined;
  /** Open time of the bar the last evaluation decided on: one decision per bar. */
  lastEvaluatedBarTs: number | undefined;
  /** The context handed to `evaluate` on the hot path, reused: strategies never keep it. */
  readonly ctx: MutableContext;
  /** Side of the entry signalled at the last decision, while its setup lasts (edge trigger). */
  lastEntry: Signal['side'] | undefined;
}

/**
 * One symbol's state. Owned linearly by the actor: the reducer updates it in place (no new object
 * per bar, see research/performance.md) and it is never shared.
 */
export interface SymbolActorState {
  readonly symbol: string;
  readonly slots: Map<string, StrategySlot>;
  position: Position | undefined;
  lastPrice: number | undefined;
  sentiment: number | undefined;
}

export const createSymbolActor = (symbol: string): SymbolActorState => ({
  symbol,
  slots: new Map(),
  position: undefined,
  lastPrice: undefined,
  sentiment: undefined,
});

/**
 * A fresh state carrying over only outside facts (position, last price, sentiment) and the strategy
 * records; indicators warm up again. This is what a supervisor restart uses: the failed state may be
 * the cause of the failure, so it is not reused.
 */
export const restartSymbolActor = (old: SymbolActorState, lookup: StrategyLookup): SymbolActorState => {
  const fresh = createSymbolActor(old.symbol);
  fresh.position = old.position;
  fresh.lastPrice = old.lastPrice;
  fresh.sentiment = old.sentiment;
  for (const slot of old.slots.values()) addSlot(fresh, slot.record, lookup);
  return fresh;
};

const addSlot = (state: SymbolActorState, record: StrategyRecord, lookup: StrategyLookup): void => {
  const def = lookup.get(record.strategyType);
  if (!def) throw new Error(`unknown strategy type '${record.strategyType}' for ${record.id}`);
  const config = def.configSchema.parse(record.config);
  state.slots.set(record.id, {
    record,
    def,
    config,
    state: def.init(config),
    aggregator: createAggregator(record.symbol, record.timeframe),
    lastBarTs: undefined,
    lastEvaluatedBarTs: undefined,
    ctx: { strategyId: record.id, ts: 0, position: undefined, sentiment: undefined, explain: false },
    lastEntry: undefined,
  });
};

const onStrategyChanged = (state: SymbolActorState, e: StrategyChanged, lookup: StrategyLookup): void => {
  if (e.change === 'added') addSlot(state, e.strategy, lookup);
  else if (e.change === 'removed') state.slots.delete(e.strategy.id);
  else {
    const slot = state.slots.get(e.strategy.id);
    if (slot) slot.record = e.strategy;
  }
};

const foldBar = (slot: StrategySlot, bar: Bar): void => {
  slot.state = slot.def.onBar(slot.state, bar, slot.config);
  slot.lastBarTs = bar.ts;
};

const onBar = (state: SymbolActorState, bar: Bar): void => {
  state.lastPrice = bar.close;
  for (const slot of state.slots.values()) {
    // A bar already of the strategy's timeframe skips the aggregator (and its result array).
    if (bar.timeframe === slot.aggregator.timeframe) foldBar(slot, bar);
    else for (const b of aggregate(slot.aggregator, bar)) foldBar(slot, b);
  }
};

const onTick = (state: SymbolActorState, tick: Tick): void => {
  state.lastPrice = tick.price;
  for (const slot of state.slots.values()) for (const b of aggregateTick(slot.aggregator, tick)) foldBar(slot, b);
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

const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

/**
 * Evaluation loop: each enabled strategy decides once per completed bar of its timeframe.
 *
 * Entries are edge-triggered: an entry is signalled on the bar its setup appears, and not again on
 * each following bar while the same setup lasts (a persisting setup would otherwise flood the trade
 * path, the journal and the signal stream with repeats that risk can only refuse). The trigger re-arms
 * when the strategy has nothing to do or does something else. So an entry refused by risk (say, the
 * position limit) is retried only when its setup forms again. Exits are level-triggered: a stop keeps
 * firing until the position is closed.
 */
const evaluate = (state: SymbolActorState, ts: number): readonly Signal[] => {
  let out: Signal[] | undefined;
  for (const slot of state.slots.values()) {
    if (!slot.record.enabled || slot.lastBarTs === undefined || slot.lastBarTs === slot.lastEvaluatedBarTs) continue;
    slot.lastEvaluatedBarTs = slot.lastBarTs;
    const ctx = slot.ctx;
    ctx.ts = ts;
    ctx.sentiment = state.sentiment;
    ctx.position = ownPosition(state, slot);
    const signal = slot.def.evaluate(slot.state, slot.config, ctx);
    if (signal === undefined || signal.action === 'none') {
      slot.lastEntry = undefined;
      continue;
    }
    if (signal.action === 'enter') {
      if (slot.lastEntry === signal.side) continue;
      slot.lastEntry = signal.side;
    } else slot.lastEntry = undefined;
    (out ??= []).push(signal);
  }
  return out ?? NO_SIGNALS;
};

/** Exit loop: the held position against its protective levels at the last price. */
const checkExits = (state: SymbolActorState, ts: number): readonly Signal[] => {
  const p = state.position;
  const price = state.lastPrice;
  if (!p || p.quantity === 0 || price === undefined) return NO_SIGNALS;
  const long = p.quantity > 0;
  const hitStop = p.stopLoss !== null && (long ? price <= p.stopLoss : price >= p.stopLoss);
  const hitTarget = p.takeProfit !== null && (long ? price >= p.takeProfit : price <= p.takeProfit);
  if (!hitStop && !hitTarget) return NO_SIGNALS;
  const slot = state.slots.get(p.strategyId);
  const exitReason = hitStop ? 'stop' : 'target';
  const level = (hitStop ? p.stopLoss : p.takeProfit) as number;
  return [
    {
      kind: 'signal.generated',
      ts,
      strategyId: p.strategyId,
      strategyType: slot?.record.strategyType ?? 'exit_monitor',
      symbol: state.symbol,
      timeframe: slot?.record.timeframe ?? '1m',
      side: long ? 'SELL' : 'BUY',
      action: 'exit',
      confidence: 1,
      price,
      entry: price,
      stopLoss: p.stopLoss ?? price,
      takeProfit: p.takeProfit ?? price,
      reason: `${exitReason === 'stop' ? 'stop loss' : 'take profit'} ${level} reached at ${price}`,
      indicators: { level },
      exitReason,
    },
  ];
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
): readonly Signal[] => {
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
      state.position = input.position.quantity === 0 ? undefined : input.position;
      return NO_SIGNALS;
    case 'scheduler.tick':
      if (input.loop === 'evaluate') return evaluate(state, input.ts);
      if (input.loop === 'exit_check') return checkExits(state, input.ts);
      return NO_SIGNALS;
  }
};

/** Outputs of the supervised actor: signals, or news of a restart or halt. */
export type ActorOutput = Signal | Extract<EngineEvent, { kind: 'actor.restarted' | 'actor.halted' }>;
