import { z } from 'zod';
import { SymbolSchema } from '../messages/symbol.js';
import { fraction, timeframeField, wholeNumber } from './config-fields.js';

/** Most fixed levels a config may list: enough for any hand-drawn chart, small enough to scan per bar. */
const MAX_FIXED_LEVELS = 50;

const fixedLevel = z
  .number({ error: 'each of levels must be a number' })
  .gt(0, { error: 'each of levels must be a price greater than 0' });

/**
 * Config of the `level_based` strategy (SPEC section 3). Unknown keys are rejected so a typo in a field
 * name is an error, not a silently ignored setting. Fractions are fractions (0.002 = 0.2 %).
 * `levels` are fixed prices that join the levels found from pivots, each with `fixed_level_strength`.
 */
export const LevelBasedConfigSchema = z.strictObject({
  symbol: SymbolSchema.describe('Ticker, trimmed and upper-cased'),
  timeframe: timeframeField(),
  lookback: wholeNumber('lookback', 5, 500, 20).describe('Bars in which a pivot must lie to count'),
  cluster_tolerance: fraction('cluster_tolerance', 0.1, 0.002).describe(
    'Pivots within this fraction above the lowest price of a group join it',
  ),
  min_touches: wholeNumber('min_touches', 1, 100, 2).describe('Pivots a group needs to be a level'),
  proximity: fraction('proximity', 0.1, 0.001).describe('How near (fraction of the level) the close must be'),
  volume_confirmation: z.boolean({ error: 'volume_confirmation must be true or false' }).default(true),
  min_volume_multiple: fraction('min_volume_multiple', 100, 1).describe(
    'Last volume must be at least this multiple of its mean',
  ),
  volume_period: wholeNumber('volume_period', 1, 500, 20),
  stop_buffer_pct: fraction('stop_buffer_pct', 1, 0.005).describe('Stop distance beyond the entry level'),
  levels: z
    .array(fixedLevel, { error: 'levels must be a list of prices' })
    .max(MAX_FIXED_LEVELS, { error: `levels may list at most ${MAX_FIXED_LEVELS} prices` })
    .default([])
    .describe('Fixed price levels that join the computed ones'),
  fixed_level_strength: z
    .number({ error: 'fixed_level_strength must be a number' })
    .min(0, { error: 'fixed_level_strength must be at least 0' })
    .max(1, { error: 'fixed_level_strength must be at most 1' })
    .default(1),
  allow_short: z.boolean({ error: 'allow_short must be true or false' }).default(false),
});

export type LevelBasedConfig = z.infer<typeof LevelBasedConfigSchema>;
