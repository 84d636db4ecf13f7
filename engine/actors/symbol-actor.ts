import type { Position } from '../messages/account.js';
import type { EngineEvent, StrategyChanged } from '../messages/engine-event.js';
import type { Bar, SentimentReading } from '../messages/market.js';
import type { Signal } from '../messages/signal.js';
import type { StrategyRecord } from '../messages/strategy.js';
import type { BaseStrategyConfig, StrategyContext, StrategyDefinition } from '../strategies/strategy.js';
import { aggregate, createAggregator, type BarAggregatorState } from './bar-aggregator.js';

/** What a symbol's actor consumes. Ticks are fanned out per symbol before they reach it. */
export type ActorInput =
  | Bar
  | SentimentReading
  | StrategyChanged
  | { readonly kind: 'position.updated'; readonly ts: number; readonly symbol: string; readonly position: Position }
  | {
      readonly kind: 'actor.tick';
      readonly ts: number;
      readonly symbol: string;
      readonly loop: 'evaluate' | 'exit_check';
    };

/** Looks a strategy type up; the registry's shape as far as the actor needs it. */
export interface StrategyLookup {
  get(type: string): StrategyDefinition<BaseStrategyConfig, unknown> | undefined;
}

interface StrategySlot {
  record: StrategyRecord;
  def: StrategyDefinition<BaseStrategyConfig, unknown>;
  config: BaseStrategyConfig;
  state: unknown;
  aggregator: BarAggregatorState;
  /** Open time of the last completed bar folded into `state`. */
  lastBarTs: number | undefined;
  /** Open time of the bar the last evaluation decided on: one decision per bar. */
  lastEvaluatedBarTs: number | undefined;
}

/**
 * One symbol's state. Owned linearly by the actor's scan: the reducer updates it in place (no new
 * object per bar, see research/performance.md) and it is never shared.
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

const onBar = (state: SymbolActorState, bar: Bar): void => {
  state.lastPrice = bar.close;
  for (const slot of state.slots.values()) {
    const completed = aggregate(slot.aggregator, bar);
    for (const b of completed) {
      slot.state = slot.def.onBar(slot.state, b, slot.config);
      slot.lastBarTs = b.ts;
    }
  }
};

const contextFor = (state: SymbolActorState, slot: StrategySlot, ts: number): StrategyContext => {
  const p = state.position;
  return {
    strategyId: slot.record.id,
    ts,
    sentiment: state.sentiment,
    position:
      p && p.quantity !== 0 && p.strategyId === slot.record.id
        ? {
            quantity: p.quantity,
            avgPrice: p.avgPrice,
            strategyId: p.strategyId,
            stopLoss: p.stopLoss,
            takeProfit: p.takeProfit,
          }
        : undefined,
  };
};

/** Evaluation loop: each enabled strategy decides once per completed bar of its timeframe. */
const evaluate = (state: SymbolActorState, ts: number): Signal[] => {
  const out: Signal[] = [];
  for (const slot of state.slots.values()) {
    if (!slot.record.enabled || slot.lastBarTs === undefined || slot.lastBarTs === slot.lastEvaluatedBarTs) continue;
    slot.lastEvaluatedBarTs = slot.lastBarTs;
    const signal = slot.def.evaluate(slot.state, slot.config, contextFor(state, slot, ts));
    if (signal.action !== 'none') out.push(signal);
  }
  return out;
};

/** Exit loop: the held position against its protective levels at the last price. */
const checkExits = (state: SymbolActorState, ts: number): Signal[] => {
  const p = state.position;
  const price = state.lastPrice;
  if (!p || p.quantity === 0 || price === undefined) return [];
  const long = p.quantity > 0;
  const hitStop = p.stopLoss !== null && (long ? price <= p.stopLoss : price >= p.stopLoss);
  const hitTarget = p.takeProfit !== null && (long ? price >= p.takeProfit : price <= p.takeProfit);
  if (!hitStop && !hitTarget) return [];
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
 * The actor's reducer: folds one input into the state (in place) and returns the signals it emits.
 * Throws only on a bug; the supervisor around it decides what happens then.
 */
export const reduceSymbolActor = (state: SymbolActorState, input: ActorInput, lookup: StrategyLookup): Signal[] => {
  switch (input.kind) {
    case 'bar':
      onBar(state, input);
      return [];
    case 'sentiment.updated':
      state.sentiment = input.score;
      return [];
    case 'strategy.changed':
      onStrategyChanged(state, input, lookup);
      return [];
    case 'position.updated':
      state.position = input.position.quantity === 0 ? undefined : input.position;
      return [];
    case 'actor.tick':
      return input.loop === 'evaluate' ? evaluate(state, input.ts) : checkExits(state, input.ts);
  }
};

/** Outputs of the supervised actor: signals, or news of a restart or halt. */
export type ActorOutput = Signal | Extract<EngineEvent, { kind: 'actor.restarted' | 'actor.halted' }>;
