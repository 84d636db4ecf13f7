import { TIMEFRAME_MS, barEndTs, type Bar, type Tick, type Timeframe } from '../messages/market.js';

/**
 * The bucket being built for one symbol and target timeframe. Mutable: owned linearly by the symbol's
 * actor, like a strategy state, so `aggregate` and `aggregateTick` update it in place. Feed one
 * aggregator either bars or ticks, not both: they share the lateness bookkeeping.
 */
export interface BarAggregatorState {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly bucketMs: number;
  /** Open time of the bucket being built; NaN when none is open. */
  bucketTs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** `ts` of the last input taken in: a later bar must be newer, a later tick not older. */
  lastInputTs: number;
  /** End of the last emitted bucket: input starting before it belongs to a bar already out. */
  closedUntil: number;
}

const NOTHING: readonly Bar[] = Object.freeze([]);

/** A fresh aggregator for `symbol` building bars of `timeframe`. */
export function createAggregator(symbol: string, timeframe: Timeframe): BarAggregatorState {
  return {
    symbol,
    timeframe,
    bucketMs: TIMEFRAME_MS[timeframe],
    bucketTs: Number.NaN,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    volume: 0,
    lastInputTs: Number.NEGATIVE_INFINITY,
    closedUntil: Number.NEGATIVE_INFINITY,
  };
}

function emit(state: BarAggregatorState): Bar {
  const bar: Bar = {
    kind: 'bar',
    symbol: state.symbol,
    ts: state.bucketTs,
    timeframe: state.timeframe,
    open: state.open,
    high: state.high,
    low: state.low,
    close: state.close,
    volume: state.volume,
  };
  state.closedUntil = state.bucketTs + state.bucketMs;
  state.bucketTs = Number.NaN;
  return bar;
}

function merge(
  state: BarAggregatorState,
  bucketTs: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): void {
  if (state.bucketTs !== bucketTs) {
    state.bucketTs = bucketTs;
    state.open = open;
    state.high = high;
    state.low = low;
    state.volume = 0;
  }
  if (high > state.high) state.high = high;
  if (low < state.low) state.low = low;
  state.close = close;
  state.volume += volume;
}

function accepts(state: BarAggregatorState, bar: Bar): boolean {
  return (
    bar.symbol === state.symbol &&
    TIMEFRAME_MS[bar.timeframe] < state.bucketMs &&
    bar.ts > state.lastInputTs &&
    bar.ts >= state.closedUntil
  );
}

/**
 * Folds one input bar in and returns the bars it completed, oldest first: none (a shared empty array,
 * so the common case allocates nothing), one, or two (the previous, unfinished bucket when this bar
 * opens a later one, then this bar's bucket if this bar also ends it).
 *
 * Buckets are `floor(ts / ms) * ms` of the target timeframe: NYSE's :30 open is aligned to 5 and 15
 * minutes, 1h buckets are clock hours (as IBKR's), 1d buckets are UTC days (each holds a whole NY
 * session). A bucket completes when an input bar's end reaches the bucket's end, or when a bar of a
 * later bucket arrives (a gap at the end of the bucket). Output: open of the first input, close of the
 * last, high/low extremes, summed volume, `ts` = bucket start.
 *
 * Input of the target timeframe passes through unchanged. Ignored (returns nothing): another symbol, a
 * coarser timeframe, any bar not newer than the last one taken in (late, duplicate or out of order;
 * this includes anything older than the current bucket) and any bar starting inside a bucket already
 * emitted, because merging it would falsify open/close, count volume twice or emit a bucket twice.
 */
export function aggregate(state: BarAggregatorState, bar: Bar): readonly Bar[] {
  if (bar.timeframe === state.timeframe) return bar.symbol === state.symbol ? [bar] : NOTHING;
  if (!accepts(state, bar)) return NOTHING;
  state.lastInputTs = bar.ts;
  const bucketTs = Math.floor(bar.ts / state.bucketMs) * state.bucketMs;
  const previous = !Number.isNaN(state.bucketTs) && state.bucketTs !== bucketTs ? emit(state) : undefined;
  merge(state, bucketTs, bar.open, bar.high, bar.low, bar.close, bar.volume);
  const completed = barEndTs(bar) >= bucketTs + state.bucketMs ? emit(state) : undefined;
  if (previous === undefined) return completed === undefined ? NOTHING : [completed];
  return completed === undefined ? [previous] : [previous, completed];
}

const isTradeable = (tick: Tick): boolean =>
  Number.isFinite(tick.ts) &&
  Number.isFinite(tick.price) &&
  tick.price > 0 &&
  Number.isFinite(tick.size) &&
  tick.size >= 0;

/**
 * Folds one trade tick into the bucket of the state's timeframe (`floor(ts / ms) * ms`, as for bars):
 * open = first price, high/low = extremes, close = last price, volume = summed size. Returns the bar
 * it completed: none (the shared empty array, so the common case allocates nothing) or the previous
 * bucket when this tick falls in a later one. A tick never completes its own bucket, since a later
 * trade in it may still come: `closeDueBucket` (event time reached the end) or `flushAggregator` do.
 * Buckets without trades produce no bar.
 *
 * Ignored (returns nothing): another symbol; a tick older than the last one taken in (late or out of
 * order; equal `ts` is fine, trades share milliseconds) or falling inside a bucket already emitted,
 * exactly as late bars; and, defensively, a non-finite `ts`, a non-finite or non-positive price, or a
 * non-finite or negative size. The adapter validates ticks, so these should not arrive; dropping one
 * here keeps NaN out of a bar that strategies and orders are built on.
 */
export function aggregateTick(state: BarAggregatorState, tick: Tick): readonly Bar[] {
  if (tick.symbol !== state.symbol || !isTradeable(tick)) return NOTHING;
  if (tick.ts < state.lastInputTs || tick.ts < state.closedUntil) return NOTHING;
  state.lastInputTs = tick.ts;
  const bucketTs = Math.floor(tick.ts / state.bucketMs) * state.bucketMs;
  const previous = !Number.isNaN(state.bucketTs) && state.bucketTs !== bucketTs ? emit(state) : undefined;
  merge(state, bucketTs, tick.price, tick.price, tick.price, tick.price, tick.size);
  return previous === undefined ? NOTHING : [previous];
}

/**
 * Emits the open bucket if event time `ts` has reached its end, for when its last input bar never
 * comes (no trades in the bucket's final minute). Driven by message time, never the wall clock.
 */
export function closeDueBucket(state: BarAggregatorState, ts: number): Bar | undefined {
  if (Number.isNaN(state.bucketTs) || ts < state.bucketTs + state.bucketMs) return undefined;
  return emit(state);
}

/** Emits the open bucket however incomplete (end of a replay or backtest); undefined if none. */
export function flushAggregator(state: BarAggregatorState): Bar | undefined {
  return Number.isNaN(state.bucketTs) ? undefined : emit(state);
}
