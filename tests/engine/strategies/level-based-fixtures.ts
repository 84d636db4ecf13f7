import type { Bar } from '../../../engine/messages/market.js';
import { TIMEFRAME_MS } from '../../../engine/messages/market.js';
import { LevelBasedConfigSchema, type LevelBasedConfig } from '../../../engine/strategies/level-based.config.js';
import type { StrategyContext } from '../../../engine/strategies/strategy.js';

export type Position = NonNullable<StrategyContext['position']>;

export const START_TS = Date.UTC(2024, 5, 3, 13, 30);

/** Bars from [high, low, close?, volume?] rows (close defaults to the midpoint), 5m apart. */
export function ohlcBars(rows: readonly (readonly number[])[]): Bar[] {
  return rows.map(([high = 0, low = high, close = (high + low) / 2, volume = 1_000], i) => ({
    kind: 'bar',
    symbol: 'AAPL',
    ts: START_TS + i * TIMEFRAME_MS['5m'],
    timeframe: '5m',
    open: close,
    high,
    low,
    close,
    volume,
  }));
}

/** Bars whose high = low = close, 5m apart, volume 1,000 unless given. */
export const closeBars = (closes: readonly number[], volumes: readonly number[] = []): Bar[] =>
  ohlcBars(closes.map((c, i) => [c, c, c, volumes[i] ?? 1_000]));

/**
 * 15 bars with pivot lows at bars 2 (100) and 10 (100.1) and pivot highs at bars 6 (105) and 14 (105.1):
 * with the defaults, a support level 100.05 and a resistance level 105.05 of 2 touches each (strength
 * 0.4). Bar 14's pivot needs bars 15 and 16 below 105.1, which every tail here has.
 */
const HEAD = [102, 101, 100, 101, 102, 103, 105, 104, 103, 101.5, 100.1, 101, 102.5, 104, 105.1];

export const SUPPORT_LEVEL = 100.05;
export const RESISTANCE_LEVEL = 105.05;

/** 20 bars ending at 100.08, 0.03 % above the support level. */
export const AT_SUPPORT = [...HEAD, 104, 103, 102, 101, 100.08];
/** 20 bars ending at 101, far from every level. */
export const MID_RANGE = [...HEAD, 104, 103, 102, 101.5, 101];
/** 20 bars ending at 105, 0.05 % under the resistance level (bar 16 at 103 is a lone pivot low). */
export const AT_RESISTANCE = [...HEAD, 104, 103, 103.5, 104.2, 105];
/** AT_SUPPORT with the second high at 107: highs 105 and 107 never group, so there is no resistance. */
export const NO_RESISTANCE = AT_SUPPORT.map((c, i) => (i === 14 ? 107 : c));
/** 20 strictly falling closes to 95.05: no pivot at all. */
export const FALLING = Array.from({ length: 20 }, (_, i) => Math.round((105 - (i * 9.95) / 19) * 100) / 100);

/**
 * Closes with one pivot low at each of `valleys` (in order), 4 bars apart, between pivot highs at 110:
 * 110, 109, v1, 109, 110, 109, v2, ..., 109, 110. Each valley must be under 109.
 */
export function valleySeries(valleys: readonly number[]): number[] {
  const out = [110, 109];
  for (const v of valleys) out.push(v, 109, 110, 109);
  out.push(110);
  return out;
}

export const config = (input: Record<string, unknown> = {}): LevelBasedConfig =>
  LevelBasedConfigSchema.parse({ symbol: 'AAPL', ...input });

export const ctx = (position?: Position, over: Partial<Omit<StrategyContext, 'position'>> = {}): StrategyContext => ({
  strategyId: 'level_based_AAPL',
  ts: 1_717_430_000_000,
  position,
  sentiment: undefined,
  explain: true,
  ...over,
});

export const long = (avgPrice: number, levels: Partial<Position> = {}): Position => ({
  quantity: 10,
  avgPrice,
  strategyId: 'level_based_AAPL',
  stopLoss: null,
  takeProfit: null,
  ...levels,
});

export const short = (avgPrice: number, levels: Partial<Position> = {}): Position => ({
  ...long(avgPrice, levels),
  quantity: -10,
});
