import { RollingMean } from '../indicators/rolling-mean.js';
import type { Bar } from '../messages/market.js';
import type { ExitReason, Side, Signal, SignalSide } from '../messages/signal.js';
import { LevelBasedConfigSchema, type LevelBasedConfig } from './level-based.config.js';
import { PivotLevels } from './level-based-levels.js';
import { REPEATED_ENTRY, type StrategyContext, type StrategyDefinition } from './strategy.js';

/**
 * Per-symbol state of the level_based strategy: the pivot levels and the volume mean, updated in place
 * by `onBar` (the state is owned linearly by the symbol's actor) and read, never changed, by `evaluate`.
 */
export interface LevelBasedState {
  bars: number;
  /** Last close; 0 before any bar. */
  close: number;
  volume: number;
  readonly levels: PivotLevels;
  readonly volumeMean: RollingMean;
}

type Position = NonNullable<StrategyContext['position']>;

/** HOLD reason codes (machine-readable, stable). */
type HoldReason =
  'warming_up' | 'no_levels' | 'no_setup' | 'no_target' | 'volume_not_confirmed' | 'short_not_allowed' | 'holding';

/** Everything a signal carries besides what the state and context give. */
interface Draft {
  readonly side: SignalSide;
  readonly action: Signal['action'];
  readonly confidence: number;
  readonly stop: number;
  readonly target: number;
  /** Index of the level the decision is about, -1 for none. */
  readonly subject: number;
  readonly reason: string;
  readonly exitReason?: ExitReason;
  /** Replaces the level indicators (warm-up reports its progress instead). */
  readonly indicators?: Readonly<Record<string, number>>;
}

const NONE = -1;
const SENTIMENT_THRESHOLD = 0.2;

/**
 * Bars needed before the levels cover a full lookback and, with volume confirmation, the volume mean
 * exists: max(lookback, volume_period), or lookback alone without volume confirmation.
 */
export function levelBasedWarmupBars(config: LevelBasedConfig): number {
  return config.volume_confirmation ? Math.max(config.lookback, config.volume_period) : config.lookback;
}

function init(config: LevelBasedConfig): LevelBasedState {
  return {
    bars: 0,
    close: 0,
    volume: 0,
    levels: new PivotLevels({
      lookback: config.lookback,
      tolerance: config.cluster_tolerance,
      minTouches: config.min_touches,
      fixedLevels: config.levels,
      fixedStrength: config.fixed_level_strength,
    }),
    volumeMean: new RollingMean(config.volume_period),
  };
}

function onBar(state: LevelBasedState, bar: Bar): LevelBasedState {
  state.bars++;
  state.close = bar.close;
  state.volume = bar.volume;
  state.levels.update(bar.high, bar.low);
  state.volumeMean.update(bar.volume);
  return state;
}

/** |price - level| / level. */
const distanceTo = (price: number, level: number): number => Math.abs(price - level) / level;

/** Last volume over its mean; 0 until the mean exists or when it is 0 (never NaN or Infinity). */
function volumeRatioOf(state: LevelBasedState): number {
  const mean = state.volumeMean.value;
  return mean > 0 ? state.volume / mean : 0;
}

const volumeConfirmed = (state: LevelBasedState, config: LevelBasedConfig): boolean =>
  volumeRatioOf(state) >= config.min_volume_multiple;

/** SPEC's range_bound formula with this level's strength; `side` is the side the signal trades. */
function confidenceOf(
  d: number,
  strength: number,
  volumeOk: boolean,
  side: Side,
  config: LevelBasedConfig,
  ctx: StrategyContext,
): number {
  const s = ctx.sentiment;
  const sentimentAgrees = s !== undefined && (side === 'BUY' ? s > SENTIMENT_THRESHOLD : s < -SENTIMENT_THRESHOLD);
  const raw =
    0.5 + 0.3 * (1 - d / config.proximity) + (volumeOk ? 0.2 : 0) + 0.2 * strength + (sentimentAgrees ? 0.05 : 0);
  return Math.min(1, Math.max(0, raw));
}

const fmtPrice = (price: number): string => price.toFixed(price >= 1 ? 2 : 4);
const fmtPct = (fraction: number): string => `${(fraction * 100).toFixed(2)} %`;

function describeLevel(state: LevelBasedState, i: number, role: 'support' | 'resistance'): string {
  const levels = state.levels;
  const strength = levels.strengthAt(i).toFixed(2);
  const price = fmtPrice(levels.priceAt(i));
  return levels.isFixed(i)
    ? `fixed ${role} ${price} (strength ${strength})`
    : `${role} ${price} (${levels.touchesAt(i)} touches, strength ${strength})`;
}

function indicatorsOf(state: LevelBasedState, subject: number): Record<string, number> {
  const levels = state.levels;
  const price = state.close;
  const out: Record<string, number> = { levels: levels.count, volume_ratio: volumeRatioOf(state) };
  if (subject !== NONE) {
    out['level'] = levels.priceAt(subject);
    out['level_strength'] = levels.strengthAt(subject);
    out['touches'] = levels.touchesAt(subject);
    out['distance'] = distanceTo(price, levels.priceAt(subject));
  }
  const s = levels.nearestAtOrBelow(price);
  const r = levels.nearestAbove(price);
  if (s !== NONE) out['support'] = levels.priceAt(s);
  if (r !== NONE) out['resistance'] = levels.priceAt(r);
  return out;
}

function build(state: LevelBasedState, config: LevelBasedConfig, ctx: StrategyContext, draft: Draft): Signal {
  const signal: Signal = {
    kind: 'signal.generated',
    ts: ctx.ts,
    strategyId: ctx.strategyId,
    strategyType: 'level_based',
    symbol: config.symbol,
    timeframe: config.timeframe,
    side: draft.side,
    action: draft.action,
    confidence: draft.confidence,
    price: state.close,
    entry: state.close,
    stopLoss: draft.stop,
    takeProfit: draft.target,
    reason: draft.reason,
    indicators: draft.indicators ?? indicatorsOf(state, draft.subject),
  };
  return draft.exitReason === undefined ? signal : { ...signal, exitReason: draft.exitReason };
}

/** Stop of a trade on `side` entered at level index `i`: beyond the level by stop_buffer_pct. */
function stopBeyond(state: LevelBasedState, i: number, side: Side, config: LevelBasedConfig): number {
  const level = state.levels.priceAt(i);
  return side === 'BUY' ? level * (1 - config.stop_buffer_pct) : level * (1 + config.stop_buffer_pct);
}

/**
 * A HOLD when flat, carrying the would-be `side` trade's stop and target on the nearest levels, the
 * close standing in for a missing level. `undefined` without `ctx.explain`, allocating nothing.
 */
function holdFlat(
  state: LevelBasedState,
  config: LevelBasedConfig,
  ctx: StrategyContext,
  reason: HoldReason,
  subject: number,
  side: Side,
): Signal | undefined {
  if (!ctx.explain) return undefined;
  const price = state.close;
  const s = state.levels.nearestAtOrBelow(price);
  const r = state.levels.nearestAbove(price);
  const [from, to] = side === 'BUY' ? [s, r] : [r, s];
  const stop = from === NONE ? price : stopBeyond(state, from, side, config);
  const target = to === NONE ? price : state.levels.priceAt(to);
  return build(state, config, ctx, { side: 'HOLD', action: 'none', confidence: 0, stop, target, subject, reason });
}

function warmingUp(state: LevelBasedState, config: LevelBasedConfig, ctx: StrategyContext, warmup: number): Signal {
  const price = state.close;
  return build(state, config, ctx, {
    side: 'HOLD',
    action: 'none',
    confidence: 0,
    stop: price,
    target: price,
    subject: NONE,
    reason: 'warming_up' satisfies HoldReason,
    indicators: { bars: state.bars, warmup_bars: warmup },
  });
}

function enter(
  state: LevelBasedState,
  config: LevelBasedConfig,
  ctx: StrategyContext,
  side: Side,
  level: number,
  opposite: number,
  d: number,
): Signal {
  if (ctx.repeat === side) return REPEATED_ENTRY;
  const levels = state.levels;
  const volumeOk = volumeConfirmed(state, config);
  const role = side === 'BUY' ? 'support' : 'resistance';
  const volume = config.volume_confirmation
    ? `volume ${volumeRatioOf(state).toFixed(2)}x its ${config.volume_period}-bar mean`
    : 'volume not required';
  const reason =
    `close ${fmtPrice(state.close)} within ${fmtPct(d)} of ${describeLevel(state, level, role)}; ${volume}; ` +
    `target ${describeLevel(state, opposite, side === 'BUY' ? 'resistance' : 'support')}`;
  return build(state, config, ctx, {
    side,
    action: 'enter',
    confidence: confidenceOf(d, levels.strengthAt(level), volumeOk, side, config, ctx),
    stop: stopBeyond(state, level, side, config),
    target: levels.priceAt(opposite),
    subject: level,
    reason,
  });
}

function evaluateFlat(state: LevelBasedState, config: LevelBasedConfig, ctx: StrategyContext): Signal | undefined {
  const levels = state.levels;
  const price = state.close;
  if (levels.count === 0) return holdFlat(state, config, ctx, 'no_levels', NONE, 'BUY');
  const s = levels.nearestAtOrBelow(price);
  const r = levels.nearestAbove(price);
  const ds = s === NONE ? Number.POSITIVE_INFINITY : distanceTo(price, levels.priceAt(s));
  const dr = r === NONE ? Number.POSITIVE_INFINITY : distanceTo(price, levels.priceAt(r));
  const volumeBlocks = config.volume_confirmation && !volumeConfirmed(state, config);
  if (ds <= config.proximity && ds <= dr) {
    if (r === NONE) return holdFlat(state, config, ctx, 'no_target', s, 'BUY');
    if (volumeBlocks) return holdFlat(state, config, ctx, 'volume_not_confirmed', s, 'BUY');
    return enter(state, config, ctx, 'BUY', s, r, ds);
  }
  if (dr <= config.proximity) {
    if (!config.allow_short) return holdFlat(state, config, ctx, 'short_not_allowed', r, 'SELL');
    if (s === NONE) return holdFlat(state, config, ctx, 'no_target', r, 'SELL');
    if (volumeBlocks) return holdFlat(state, config, ctx, 'volume_not_confirmed', r, 'SELL');
    return enter(state, config, ctx, 'SELL', r, s, dr);
  }
  return holdFlat(state, config, ctx, 'no_setup', ds <= dr ? s : r, 'BUY');
}

/** The held position's stop: its own, else the rule's stop taken from its average price. */
function positionStop(position: Position, config: LevelBasedConfig): number {
  if (position.stopLoss !== null) return position.stopLoss;
  return position.quantity > 0
    ? position.avgPrice * (1 - config.stop_buffer_pct)
    : position.avgPrice * (1 + config.stop_buffer_pct);
}

/** The held position's target for display: its own, else the nearest opposite level, else the close. */
function positionTarget(state: LevelBasedState, position: Position, opposite: number): number {
  if (position.takeProfit !== null) return position.takeProfit;
  return opposite === NONE ? state.close : state.levels.priceAt(opposite);
}

function exitHeld(
  state: LevelBasedState,
  config: LevelBasedConfig,
  ctx: StrategyContext,
  position: Position,
  opposite: number,
  exitReason: ExitReason,
  confidence: number,
  subject: number,
  why: string,
): Signal {
  return build(state, config, ctx, {
    side: position.quantity > 0 ? 'SELL' : 'BUY',
    action: 'exit',
    confidence,
    stop: positionStop(position, config),
    target: positionTarget(state, position, opposite),
    subject,
    reason: `${exitReason}: ${why}`,
    exitReason,
  });
}

function evaluateHeld(
  state: LevelBasedState,
  config: LevelBasedConfig,
  ctx: StrategyContext,
  position: Position,
): Signal | undefined {
  const long = position.quantity > 0;
  const price = state.close;
  const levels = state.levels;
  const stop = positionStop(position, config);
  const take = position.takeProfit;
  const opposite = long ? levels.nearestAbove(price) : levels.nearestAtOrBelow(price);
  if (long ? price <= stop : price >= stop) {
    const why = `close ${fmtPrice(price)} ${long ? '<=' : '>='} stop ${fmtPrice(stop)}`;
    return exitHeld(state, config, ctx, position, opposite, 'stop', 1, NONE, why);
  }
  if (take !== null && (long ? price >= take : price <= take)) {
    const why = `close ${fmtPrice(price)} ${long ? '>=' : '<='} target ${fmtPrice(take)}`;
    return exitHeld(state, config, ctx, position, opposite, 'target', 1, NONE, why);
  }
  if (opposite !== NONE) {
    const d = distanceTo(price, levels.priceAt(opposite));
    if (d <= config.proximity) {
      const exitSide: Side = long ? 'SELL' : 'BUY';
      const volumeOk = volumeConfirmed(state, config);
      const confidence = confidenceOf(d, levels.strengthAt(opposite), volumeOk, exitSide, config, ctx);
      const level = describeLevel(state, opposite, long ? 'resistance' : 'support');
      const why = `close ${fmtPrice(price)} within ${fmtPct(d)} of ${level}`;
      return exitHeld(state, config, ctx, position, opposite, 'opposite_level', confidence, opposite, why);
    }
  }
  if (!ctx.explain) return undefined;
  const reason: HoldReason = 'holding';
  const target = positionTarget(state, position, opposite);
  return build(state, config, ctx, {
    side: 'HOLD',
    action: 'none',
    confidence: 0,
    stop,
    target,
    subject: opposite,
    reason,
  });
}

function evaluate(state: LevelBasedState, config: LevelBasedConfig, ctx: StrategyContext): Signal | undefined {
  const warmup = levelBasedWarmupBars(config);
  if (state.bars < warmup) return ctx.explain ? warmingUp(state, config, ctx, warmup) : undefined;
  const position = ctx.position;
  if (position !== undefined && position.quantity !== 0) return evaluateHeld(state, config, ctx, position);
  return evaluateFlat(state, config, ctx);
}

/**
 * SPEC section 3 `level_based`: support and resistance from clustered pivot highs and lows of the last
 * `lookback` bars (see {@link PivotLevels} for the exact pivot and grouping rules) plus fixed levels.
 * A level at or below the close is support, one above it resistance.
 *
 * Flat: when the close is within `proximity` of the nearest support (BUY) or resistance (SELL, only
 * with `allow_short`), the nearer of the two deciding (support on a tie), it enters with stop beyond
 * that level by `stop_buffer_pct` and target at the nearest opposite level; with no opposite level it
 * HOLDs `no_target` rather than invent one. With `volume_confirmation` the last volume must be at
 * least `min_volume_multiple` x its `volume_period` mean (else `volume_not_confirmed`). Confidence is
 * range_bound's formula with the level's strength; its volume term counts whenever the volume meets the
 * multiple, checked or not.
 *
 * Held: exits in the order stop (the position's stop, else avgPrice -/+ stop_buffer_pct, i.e. the
 * entry price taken as the level), target (the position's take-profit, when set), opposite level (the
 * close within `proximity` of the nearest resistance for a long, support for a short); confidence 1
 * for stop and target, the formula for the opposite level. HOLD reasons: `warming_up`, `no_levels`,
 * `no_setup`, `no_target`, `volume_not_confirmed`, `short_not_allowed`, `holding`. Nothing but HOLD during
 * warm-up, not even a stop exit. HOLD levels: the would-be trade's stop and target (the close where a
 * level is missing); for a held position its stop and its target (else the nearest opposite level).
 * With `ctx.explain === false` every HOLD is `undefined` and allocates nothing.
 */
export const levelBasedStrategy: StrategyDefinition<LevelBasedConfig, LevelBasedState> = {
  type: 'level_based',
  description:
    'Support/resistance from clustered pivot highs and lows plus fixed levels: enters near a level with volume confirmation, stop beyond the level, target at the next opposite level.',
  configSchema: LevelBasedConfigSchema,
  init,
  onBar,
  evaluate,
  warmupBars: levelBasedWarmupBars,
};
