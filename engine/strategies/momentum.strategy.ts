import { Macd } from '../indicators/macd.js';
import { RollingMean } from '../indicators/rolling-mean.js';
import { Roc } from '../indicators/roc.js';
import { Rsi } from '../indicators/rsi.js';
import type { Bar } from '../messages/market.js';
import type { ExitReason, Side, Signal } from '../messages/signal.js';
import { MomentumConfigSchema, type MomentumConfig } from './momentum.config.js';
import {
  confidenceOf,
  describeSide,
  scoreMomentum,
  setupOf,
  type MomentumReading,
  type MomentumScore,
} from './momentum-score.js';
import { REPEATED_ENTRY, type StrategyContext, type StrategyDefinition } from './strategy.js';

/**
 * Per-symbol state of the momentum strategy: incremental indicators updated in place by `onBar`
 * (the state is owned linearly by the symbol's actor) and read, never changed, by `evaluate`.
 */
export interface MomentumState {
  bars: number;
  close: number;
  volume: number;
  readonly rsi: Rsi;
  readonly macd: Macd;
  readonly roc: Roc;
  readonly volumeMean: RollingMean;
}

type Position = NonNullable<StrategyContext['position']>;

interface Levels {
  readonly stop: number;
  readonly target: number;
}

/**
 * Everything a signal needs besides its decision. The indicator record is built only when a signal is
 * (`indicators()`), so a HOLD on the hot path allocates nothing beyond this.
 */
interface Decision {
  readonly config: MomentumConfig;
  readonly ctx: StrategyContext;
  readonly entry: number;
  readonly state: MomentumState;
  readonly reading: MomentumReading | undefined;
  readonly score: MomentumScore | undefined;
}

const EXHAUSTED_RSI_LONG = 80;
const EXHAUSTED_RSI_SHORT = 20;

/**
 * Bars needed before every input of the decision exists: the MACD histogram and its previous value
 * (`macd_slow + macd_signal`), RSI and ROC (`period + 1` closes each) and the volume mean
 * (`volume_period`). With the defaults this is SPEC's max(26 + 9, 14, 10) = 35.
 */
export function momentumWarmupBars(config: MomentumConfig): number {
  return Math.max(
    config.macd_slow + config.macd_signal,
    config.rsi_period + 1,
    config.roc_period + 1,
    config.volume_period,
  );
}

function init(config: MomentumConfig): MomentumState {
  return {
    bars: 0,
    close: Number.NaN,
    volume: Number.NaN,
    rsi: new Rsi(config.rsi_period),
    macd: new Macd(config.macd_fast, config.macd_slow, config.macd_signal),
    roc: new Roc(config.roc_period),
    volumeMean: new RollingMean(config.volume_period),
  };
}

function onBar(state: MomentumState, bar: Bar): MomentumState {
  state.bars++;
  state.close = bar.close;
  state.volume = bar.volume;
  state.rsi.update(bar.close);
  state.macd.update(bar.close);
  state.roc.update(bar.close);
  state.volumeMean.update(bar.volume);
  return state;
}

type MutableReading = { -readonly [K in keyof MomentumReading]: MomentumReading[K] };

const emptyReading = (): MutableReading => ({
  close: 0,
  rsi: 0,
  macd: 0,
  signal: 0,
  histogram: 0,
  previousHistogram: 0,
  roc: 0,
  volumeRatio: 0,
});

/** Reused by the hot path's first look (`evaluate` is synchronous, and nothing keeps it). */
const SCRATCH: MutableReading = emptyReading();

/** The indicator values a decision is made from, written into `into` (a new object by default). */
function readingOf(state: MomentumState, into: MutableReading = emptyReading()): MomentumReading {
  const mean = state.volumeMean.value;
  into.close = state.close;
  into.rsi = state.rsi.value;
  into.macd = state.macd.macd;
  into.signal = state.macd.signal;
  into.histogram = state.macd.histogram;
  into.previousHistogram = state.macd.previousHistogram;
  into.roc = state.roc.value;
  into.volumeRatio = mean > 0 ? state.volume / mean : 0;
  return into;
}

function indicatorsOf(r: MomentumReading, score: MomentumScore): Record<string, number> {
  return {
    rsi: r.rsi,
    macd: r.macd,
    macd_signal: r.signal,
    macd_histogram: r.histogram,
    roc: r.roc,
    volume_ratio: r.volumeRatio,
    bull_points: score.bullTenths / 10,
    bear_points: score.bearTenths / 10,
  };
}

/** During warm-up: the bar count and whichever indicators already exist (never NaN). */
function warmupIndicators(state: MomentumState, warmup: number): Record<string, number> {
  const out: Record<string, number> = { bars: state.bars, warmup_bars: warmup };
  if (state.rsi.ready) out['rsi'] = state.rsi.value;
  if (state.roc.ready) out['roc'] = state.roc.value;
  if (state.macd.ready) {
    out['macd'] = state.macd.macd;
    out['macd_signal'] = state.macd.signal;
    out['macd_histogram'] = state.macd.histogram;
  }
  return out;
}

function indicatorsFor(d: Decision): Record<string, number> {
  return d.reading !== undefined && d.score !== undefined
    ? indicatorsOf(d.reading, d.score)
    : warmupIndicators(d.state, momentumWarmupBars(d.config));
}

function signal(
  d: Decision,
  side: Signal['side'],
  action: Signal['action'],
  confidence: number,
  levels: { readonly stop: number; readonly target: number },
  reason: string,
): Signal {
  return {
    kind: 'signal.generated',
    ts: d.ctx.ts,
    strategyId: d.ctx.strategyId,
    strategyType: 'momentum',
    symbol: d.config.symbol,
    timeframe: d.config.timeframe,
    side,
    action,
    confidence,
    price: d.entry,
    entry: d.entry,
    stopLoss: levels.stop,
    takeProfit: levels.target,
    reason,
    indicators: indicatorsFor(d),
  };
}

/** A HOLD: explained (a Signal) only when the caller asks for it. */
function hold(d: Decision, levels: Levels, reason: string): Signal | undefined {
  return d.ctx.explain ? signal(d, 'HOLD', 'none', 0, levels, reason) : undefined;
}

function exit(
  d: Decision,
  side: Side,
  exitReason: ExitReason,
  confidence: number,
  levels: Levels,
  reason: string,
): Signal {
  return { ...signal(d, side, 'exit', confidence, levels, `${exitReason}: ${reason}`), exitReason };
}

const fmtPrice = (price: number): string => price.toFixed(price >= 1 ? 2 : 4);

/** Entry levels of a would-be position on `side` at `entry`. */
function entryLevels(side: Side, entry: number, config: MomentumConfig): Levels {
  return side === 'BUY'
    ? { stop: entry * (1 - config.stop_loss_pct), target: entry * (1 + config.take_profit_pct) }
    : { stop: entry * (1 + config.stop_loss_pct), target: entry * (1 - config.take_profit_pct) };
}

/** The held position's levels: its own if set, else the configured distances from its average price. */
function positionLevels(position: Position, config: MomentumConfig): Levels {
  const fallback = entryLevels(position.quantity > 0 ? 'BUY' : 'SELL', position.avgPrice, config);
  return { stop: position.stopLoss ?? fallback.stop, target: position.takeProfit ?? fallback.target };
}

function evaluateFlat(d: Decision, r: MomentumReading, score: MomentumScore): Signal | undefined {
  const { config, entry } = d;
  if (score.setup === 'BUY') {
    if (d.ctx.repeat === 'BUY') return REPEATED_ENTRY;
    const reason = describeSide(score, 'bull', r, config);
    return signal(d, 'BUY', 'enter', confidenceOf(score.bullTenths), entryLevels('BUY', entry, config), reason);
  }
  if (score.setup === 'SELL') {
    const levels = entryLevels('SELL', entry, config);
    if (!config.allow_short) return hold(d, levels, 'short_not_allowed');
    if (d.ctx.repeat === 'SELL') return REPEATED_ENTRY;
    const reason = describeSide(score, 'bear', r, config);
    return signal(d, 'SELL', 'enter', confidenceOf(score.bearTenths), levels, reason);
  }
  return d.ctx.explain ? hold(d, entryLevels('BUY', entry, config), 'no_setup') : undefined;
}

function evaluateLong(d: Decision, position: Position, r: MomentumReading, score: MomentumScore): Signal | undefined {
  const levels = positionLevels(position, d.config);
  const close = d.entry;
  if (close <= levels.stop)
    return exit(d, 'SELL', 'stop', 1, levels, `close ${fmtPrice(close)} <= stop ${fmtPrice(levels.stop)}`);
  if (close >= levels.target) {
    return exit(d, 'SELL', 'target', 1, levels, `close ${fmtPrice(close)} >= target ${fmtPrice(levels.target)}`);
  }
  const bearConfidence = confidenceOf(score.bearTenths);
  if (r.rsi > EXHAUSTED_RSI_LONG && r.macd < r.signal && r.histogram < r.previousHistogram) {
    const reason = `RSI ${r.rsi.toFixed(1)} > ${EXHAUSTED_RSI_LONG}; MACD below signal, histogram falling`;
    return exit(d, 'SELL', 'exhaustion', bearConfidence, levels, reason);
  }
  if (score.setup === 'SELL') {
    return exit(d, 'SELL', 'opposite_signal', bearConfidence, levels, describeSide(score, 'bear', r, d.config));
  }
  return hold(d, levels, 'holding');
}

function evaluateShort(d: Decision, position: Position, r: MomentumReading, score: MomentumScore): Signal | undefined {
  const levels = positionLevels(position, d.config);
  const close = d.entry;
  if (close >= levels.stop)
    return exit(d, 'BUY', 'stop', 1, levels, `close ${fmtPrice(close)} >= stop ${fmtPrice(levels.stop)}`);
  if (close <= levels.target) {
    return exit(d, 'BUY', 'target', 1, levels, `close ${fmtPrice(close)} <= target ${fmtPrice(levels.target)}`);
  }
  const bullConfidence = confidenceOf(score.bullTenths);
  if (r.rsi < EXHAUSTED_RSI_SHORT && r.macd > r.signal && r.histogram > r.previousHistogram) {
    const reason = `RSI ${r.rsi.toFixed(1)} < ${EXHAUSTED_RSI_SHORT}; MACD above signal, histogram rising`;
    return exit(d, 'BUY', 'exhaustion', bullConfidence, levels, reason);
  }
  if (score.setup === 'BUY') {
    return exit(d, 'BUY', 'opposite_signal', bullConfidence, levels, describeSide(score, 'bull', r, d.config));
  }
  return hold(d, levels, 'holding');
}

function evaluate(state: MomentumState, config: MomentumConfig, ctx: StrategyContext): Signal | undefined {
  const entry = state.bars > 0 ? state.close : 0;
  if (state.bars < momentumWarmupBars(config)) {
    if (!ctx.explain) return undefined;
    const d: Decision = { config, ctx, entry, state, reading: undefined, score: undefined };
    return hold(d, entryLevels('BUY', entry, config), 'warming_up');
  }
  const position = ctx.position;
  if (position === undefined && !ctx.explain) {
    // Flat on the hot path, most bars end here: no setup, a refused short, or the setup already
    // signalled. Decided on a reused reading, allocating nothing.
    const setup = setupOf(readingOf(state, SCRATCH), config);
    if (setup === undefined || (setup === 'SELL' && !config.allow_short)) return undefined;
    if (setup === ctx.repeat) return REPEATED_ENTRY;
  }
  const reading = readingOf(state);
  const score = scoreMomentum(reading, config);
  const d: Decision = { config, ctx, entry, state, reading, score };
  if (position !== undefined && position.quantity > 0) return evaluateLong(d, position, reading, score);
  if (position !== undefined && position.quantity < 0) return evaluateShort(d, position, reading, score);
  return evaluateFlat(d, reading, score);
}

/**
 * SPEC section 3 `momentum`: RSI, MACD and ROC vote bullish or bearish points, a volume surge adds to
 * the leading side, and a side with >= 2 conditions and strictly more points is a setup.
 *
 * Signals: entries (`enter`) when flat, SELL entries only with `allow_short`; for a held position,
 * exits in the order stop, target, exhaustion, opposite setup, with confidence 1 for stop and target
 * and the opposite side's setup confidence otherwise. HOLD reasons are machine codes: `warming_up`,
 * `no_setup`, `short_not_allowed`, `holding`; entries and exits carry a readable reason. Levels:
 * entries get `entry -/+ stop_loss_pct/take_profit_pct`; exits and `holding` carry the position's
 * stop and target; `short_not_allowed` carries the refused short's levels; other HOLDs the would-be
 * long levels at the last close (0 before any bar). Nothing but HOLD is emitted during warm-up, not
 * even a stop exit: the indicators and the bar count are what the decision is made on.
 */
export const momentumStrategy: StrategyDefinition<MomentumConfig, MomentumState> = {
  type: 'momentum',
  description:
    'RSI / MACD / ROC momentum with volume confirmation: enters on >= 2 agreeing conditions, exits on stop, target, exhaustion or an opposite setup.',
  configSchema: MomentumConfigSchema,
  init,
  onBar,
  evaluate,
  warmupBars: momentumWarmupBars,
};
