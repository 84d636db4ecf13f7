import { RollingMean } from '../indicators/rolling-mean.js';
import type { Bar } from '../messages/market.js';
import type { ExitReason, Side, Signal } from '../messages/signal.js';
import { RangeBoundConfigSchema, type RangeBoundConfig } from './range-bound.config.js';
import { PreviousSessionLevels } from './range-bound-levels.js';
import { REPEATED_ENTRY, type StrategyContext, type StrategyDefinition } from './strategy.js';

/**
 * Per-symbol state of the range_bound strategy, updated in place by `onBar` (the state is owned
 * linearly by the symbol's actor) and read, never changed, by `evaluate`.
 */
export interface RangeBoundState {
  bars: number;
  close: number;
  volume: number;
  readonly volumeMean: RollingMean;
  readonly levels: PreviousSessionLevels;
}

type Position = NonNullable<StrategyContext['position']>;

/** HOLD reason codes (machine readable; entries and exits carry readable reasons instead). */
type HoldReason =
  | 'warming_up'
  | 'levels_not_found'
  | 'not_near_level'
  | 'volume_not_confirmed'
  | 'range_too_narrow'
  | 'short_not_allowed'
  | 'holding';

/** SPEC section 3: the strength of a previous-day level. */
const LEVEL_STRENGTH = 0.9;
/** Sentiment beyond this (towards the signal's side) adds SENTIMENT_BONUS to an entry's confidence. */
const SENTIMENT_THRESHOLD = 0.2;
const SENTIMENT_BONUS = 0.05;

/**
 * Bars before `evaluate` may signal: the volume mean's period when volume confirms entries, else 1.
 * Levels need a whole previous session on top of that, which `levels_not_found` reports separately.
 */
export function rangeBoundWarmupBars(config: RangeBoundConfig): number {
  return config.volume_confirmation ? config.volume_period : 1;
}

function init(config: RangeBoundConfig): RangeBoundState {
  return {
    bars: 0,
    close: Number.NaN,
    volume: Number.NaN,
    volumeMean: new RollingMean(config.volume_period),
    levels: new PreviousSessionLevels(config.timeframe),
  };
}

function onBar(state: RangeBoundState, bar: Bar): RangeBoundState {
  state.bars++;
  state.close = bar.close;
  state.volume = bar.volume;
  state.volumeMean.update(bar.volume);
  state.levels.update(bar.ts, bar.high, bar.low);
  return state;
}

/** `volume >= k x mean` over the last `volume_period` volumes (current bar included); a zero volume never confirms. */
function volumeConfirmed(state: RangeBoundState, config: RangeBoundConfig): boolean {
  return state.volume > 0 && state.volume >= config.min_volume_multiple * state.volumeMean.value;
}

/** Distance of `price` from `level` as a fraction of the level. */
const distance = (price: number, level: number): number => Math.abs(price - level) / level;

/**
 * SPEC section 3: clamp(0.5 + 0.3 (1 - d / proximity) + 0.2 volume_confirmed + 0.2 level_strength
 * + 0.05 sentiment_agrees, 0, 1), where sentiment agrees when > 0.2 for a BUY and < -0.2 for a SELL.
 */
function entryConfidence(
  d: number,
  side: Side,
  volumeOk: boolean,
  config: RangeBoundConfig,
  sentiment: number | undefined,
): number {
  const agrees =
    sentiment !== undefined && (side === 'BUY' ? sentiment > SENTIMENT_THRESHOLD : sentiment < -SENTIMENT_THRESHOLD);
  const raw =
    0.5 +
    0.3 * (1 - d / config.proximity) +
    (volumeOk ? 0.2 : 0) +
    0.2 * LEVEL_STRENGTH +
    (agrees ? SENTIMENT_BONUS : 0);
  return Math.min(1, Math.max(0, raw));
}

/** Everything the decision read, for `indicators`; only values that exist (never NaN). */
function indicatorsOf(state: RangeBoundState, config: RangeBoundConfig): Record<string, number> {
  const out: Record<string, number> = { bars: state.bars, warmup_bars: rangeBoundWarmupBars(config) };
  const mean = state.volumeMean.value;
  if (state.volumeMean.ready) {
    out['volume_mean'] = mean;
    out['volume_ratio'] = mean > 0 ? state.volume / mean : 0;
    out['volume_confirmed'] = volumeConfirmed(state, config) ? 1 : 0;
  }
  const levels = state.levels;
  if (levels.found && state.bars > 0) {
    const dLow = distance(state.close, levels.low);
    const dHigh = distance(state.close, levels.high);
    out['pdh'] = levels.high;
    out['pdl'] = levels.low;
    out['distance_pdl'] = dLow;
    out['distance_pdh'] = dHigh;
    out['distance'] = Math.min(dLow, dHigh);
    out['range_pct'] = (levels.high - levels.low) / levels.low;
    out['level_strength'] = LEVEL_STRENGTH;
  }
  return out;
}

const fmtPrice = (price: number): string => price.toFixed(price >= 1 ? 2 : 4);
const fmtPct = (fraction: number): string => `${(fraction * 100).toFixed(fraction < 0.001 ? 3 : 2)} %`;

function signal(
  state: RangeBoundState,
  config: RangeBoundConfig,
  ctx: StrategyContext,
  side: Signal['side'],
  action: Signal['action'],
  confidence: number,
  stop: number,
  target: number,
  reason: string,
): Signal {
  const price = state.bars > 0 ? state.close : 0;
  return {
    kind: 'signal.generated',
    ts: ctx.ts,
    strategyId: ctx.strategyId,
    strategyType: 'range_bound',
    symbol: config.symbol,
    timeframe: config.timeframe,
    side,
    action,
    confidence,
    price,
    entry: price,
    stopLoss: stop,
    takeProfit: target,
    reason,
    indicators: indicatorsOf(state, config),
  };
}

const hold = (
  state: RangeBoundState,
  config: RangeBoundConfig,
  ctx: StrategyContext,
  reason: HoldReason,
  stop: number,
  target: number,
): Signal => signal(state, config, ctx, 'HOLD', 'none', 0, stop, target, reason);

function exit(
  state: RangeBoundState,
  config: RangeBoundConfig,
  ctx: StrategyContext,
  side: Side,
  exitReason: ExitReason,
  stop: number,
  target: number,
  reason: string,
): Signal {
  return { ...signal(state, config, ctx, side, 'exit', 1, stop, target, `${exitReason}: ${reason}`), exitReason };
}

/**
 * Long: stop first (the position's own stop, else PDL x (1 - stop_loss_pct), else without levels
 * stop_loss_pct below the average price), then the target (close within target_tolerance below PDH).
 */
function evaluateLong(
  state: RangeBoundState,
  config: RangeBoundConfig,
  ctx: StrategyContext,
  position: Position,
): Signal | undefined {
  const { levels, close } = state;
  const stop = position.stopLoss ?? (levels.found ? levels.low : position.avgPrice) * (1 - config.stop_loss_pct);
  const target = levels.found ? levels.high : (position.takeProfit ?? close);
  if (close <= stop) {
    return exit(state, config, ctx, 'SELL', 'stop', stop, target, `close ${fmtPrice(close)} <= stop ${fmtPrice(stop)}`);
  }
  if (!levels.found) return ctx.explain ? hold(state, config, ctx, 'levels_not_found', stop, target) : undefined;
  const exitAt = levels.high * (1 - config.target_tolerance);
  if (close >= exitAt) {
    const reason = `close ${fmtPrice(close)} within ${fmtPct(config.target_tolerance)} of PDH ${fmtPrice(levels.high)} (${levels.levelsDate})`;
    return exit(state, config, ctx, 'SELL', 'target', stop, target, reason);
  }
  return ctx.explain ? hold(state, config, ctx, 'holding', stop, target) : undefined;
}

/** Short, mirrored: stop above PDH (or the average price), target within target_tolerance above PDL. */
function evaluateShort(
  state: RangeBoundState,
  config: RangeBoundConfig,
  ctx: StrategyContext,
  position: Position,
): Signal | undefined {
  const { levels, close } = state;
  const stop = position.stopLoss ?? (levels.found ? levels.high : position.avgPrice) * (1 + config.stop_loss_pct);
  const target = levels.found ? levels.low : (position.takeProfit ?? close);
  if (close >= stop) {
    return exit(state, config, ctx, 'BUY', 'stop', stop, target, `close ${fmtPrice(close)} >= stop ${fmtPrice(stop)}`);
  }
  if (!levels.found) return ctx.explain ? hold(state, config, ctx, 'levels_not_found', stop, target) : undefined;
  const exitAt = levels.low * (1 + config.target_tolerance);
  if (close <= exitAt) {
    const reason = `close ${fmtPrice(close)} within ${fmtPct(config.target_tolerance)} of PDL ${fmtPrice(levels.low)} (${levels.levelsDate})`;
    return exit(state, config, ctx, 'BUY', 'target', stop, target, reason);
  }
  return ctx.explain ? hold(state, config, ctx, 'holding', stop, target) : undefined;
}

function entryReason(
  state: RangeBoundState,
  config: RangeBoundConfig,
  name: 'PDL' | 'PDH',
  level: number,
  d: number,
  volumeOk: boolean,
): string {
  const levels = state.levels;
  const parts = [
    `close ${fmtPrice(state.close)} within ${fmtPct(d)} of ${name} ${fmtPrice(level)} (${levels.levelsDate})`,
  ];
  const mean = state.volumeMean.value;
  if (volumeOk && mean > 0) {
    parts.push(`volume ${(state.volume / mean).toFixed(2)}x its ${config.volume_period}-bar mean`);
  }
  return parts.join('; ');
}

/**
 * Flat: the nearer level within `proximity` decides the side (PDL on a tie). Then, in order: a short
 * needs `allow_short`; the range must leave room (a long entered where it would exit at the target
 * at once is refused as `range_too_narrow`); volume must confirm if `volume_confirmation`.
 */
function evaluateFlat(state: RangeBoundState, config: RangeBoundConfig, ctx: StrategyContext): Signal | undefined {
  const { levels, close } = state;
  const pdl = levels.low;
  const pdh = levels.high;
  const longStop = pdl * (1 - config.stop_loss_pct);
  const dLow = distance(close, pdl);
  const dHigh = distance(close, pdh);
  const volumeOk = volumeConfirmed(state, config);
  if (dLow <= config.proximity && dLow <= dHigh) {
    if (close >= pdh * (1 - config.target_tolerance)) {
      return ctx.explain ? hold(state, config, ctx, 'range_too_narrow', longStop, pdh) : undefined;
    }
    if (config.volume_confirmation && !volumeOk) {
      return ctx.explain ? hold(state, config, ctx, 'volume_not_confirmed', longStop, pdh) : undefined;
    }
    if (ctx.repeat === 'BUY') return REPEATED_ENTRY;
    const confidence = entryConfidence(dLow, 'BUY', volumeOk, config, ctx.sentiment);
    const reason = entryReason(state, config, 'PDL', pdl, dLow, volumeOk);
    return signal(state, config, ctx, 'BUY', 'enter', confidence, longStop, pdh, reason);
  }
  if (dHigh <= config.proximity) {
    const shortStop = pdh * (1 + config.stop_loss_pct);
    if (!config.allow_short) {
      return ctx.explain ? hold(state, config, ctx, 'short_not_allowed', shortStop, pdl) : undefined;
    }
    if (close <= pdl * (1 + config.target_tolerance)) {
      return ctx.explain ? hold(state, config, ctx, 'range_too_narrow', shortStop, pdl) : undefined;
    }
    if (config.volume_confirmation && !volumeOk) {
      return ctx.explain ? hold(state, config, ctx, 'volume_not_confirmed', shortStop, pdl) : undefined;
    }
    if (ctx.repeat === 'SELL') return REPEATED_ENTRY;
    const confidence = entryConfidence(dHigh, 'SELL', volumeOk, config, ctx.sentiment);
    const reason = entryReason(state, config, 'PDH', pdh, dHigh, volumeOk);
    return signal(state, config, ctx, 'SELL', 'enter', confidence, shortStop, pdl, reason);
  }
  return ctx.explain ? hold(state, config, ctx, 'not_near_level', longStop, pdh) : undefined;
}

function evaluate(state: RangeBoundState, config: RangeBoundConfig, ctx: StrategyContext): Signal | undefined {
  if (state.bars < rangeBoundWarmupBars(config)) {
    return ctx.explain ? hold(state, config, ctx, 'warming_up', 0, 0) : undefined;
  }
  const position = ctx.position;
  if (position !== undefined && position.quantity > 0) return evaluateLong(state, config, ctx, position);
  if (position !== undefined && position.quantity < 0) return evaluateShort(state, config, ctx, position);
  if (!state.levels.found) return ctx.explain ? hold(state, config, ctx, 'levels_not_found', 0, 0) : undefined;
  return evaluateFlat(state, config, ctx);
}

/**
 * SPEC section 3 `range_bound`: trades the previous NYSE trading day's regular-session range
 * (PDH/PDL, see `PreviousSessionLevels` for which bars count).
 *
 * Flat: BUY when the close is within `proximity` of PDL (and, with `volume_confirmation`, the last
 * volume is >= `min_volume_multiple` x the mean of the last `volume_period` volumes, this bar
 * included); SELL near PDH only with `allow_short`. Entry levels: long stop PDL x (1 - stop_loss_pct),
 * target PDH; short stop PDH x (1 + stop_loss_pct), target PDL. Confidence: see `entryConfidence`
 * (with the SPEC's numbers it is at least 0.68 and often clamps to 1).
 *
 * Held: exit with confidence 1 on `stop`, then `target` (a long's target is PDH, which is also the
 * opposite level, so `opposite_level` is never used). A stop exit needs no levels (it falls back to
 * stop_loss_pct from the average price); everything else needs them.
 *
 * HOLD reason codes: `warming_up` (fewer than `warmupBars` bars; nothing else is decided, not even a
 * stop), `levels_not_found`, `not_near_level`, `volume_not_confirmed`, `range_too_narrow`,
 * `short_not_allowed`, `holding`. HOLD levels: 0 for `warming_up` and for `levels_not_found` when
 * flat; the position's stop and target when held; the refused short's for `short_not_allowed`;
 * otherwise the would-be long's. With `ctx.explain === false` every HOLD is `undefined` and nothing
 * is allocated.
 */
export const rangeBoundStrategy: StrategyDefinition<RangeBoundConfig, RangeBoundState> = {
  type: 'range_bound',
  description:
    "Previous-day range: buys near the previous session's low (PDL) with volume confirmation, exits at its high (PDH) or on a stop below PDL; shorts near PDH only with allow_short.",
  configSchema: RangeBoundConfigSchema,
  init,
  onBar,
  evaluate,
  warmupBars: rangeBoundWarmupBars,
};
