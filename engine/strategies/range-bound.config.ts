import { z } from 'zod';
import { SymbolSchema } from '../messages/symbol.js';
import { flag, positiveAtMost, timeframeField, wholeNumber } from './config-fields.js';

/**
 * Config of the `range_bound` strategy (SPEC section 3). Percentages are fractions (0.1 % = 0.001).
 * Unknown keys are rejected so a typo in a field name is an error, not a silently ignored setting.
 *
 * Cross-field rules, both there so that a valid config can actually trade as configured:
 * - `stop_loss_pct` > `proximity`: a long may enter as low as `PDL x (1 - proximity)`, which must stay
 *   above its stop `PDL x (1 - stop_loss_pct)` (mirrored for shorts).
 * - `min_volume_multiple` < `volume_period`: the volume mean includes the current bar, so
 *   `volume >= k x mean` needs `k < volume_period` whenever the other bars traded at all.
 */
export const RangeBoundConfigSchema = z
  .strictObject({
    symbol: SymbolSchema.describe('Ticker, trimmed and upper-cased'),
    timeframe: timeframeField(),
    proximity: positiveAtMost('proximity', 0.05, 0.001).describe(
      'Entry band around a level, as a fraction of the level (0.001 = 0.1 %)',
    ),
    volume_confirmation: flag('volume_confirmation', true).describe(
      'Enter only when the last volume is at least min_volume_multiple x its volume_period-bar mean',
    ),
    min_volume_multiple: positiveAtMost('min_volume_multiple', 100, 1).describe(
      'Volume confirmation threshold, as a multiple of the mean volume',
    ),
    volume_period: wholeNumber('volume_period', 2, 500, 20).describe(
      'Bars in the volume mean (the current bar included)',
    ),
    stop_loss_pct: positiveAtMost('stop_loss_pct', 0.5, 0.005).describe(
      'Stop distance beyond the level: long stop = PDL x (1 - stop_loss_pct)',
    ),
    target_tolerance: z
      .number({ error: 'target_tolerance must be a number' })
      .min(0, { error: 'target_tolerance must be at least 0' })
      .max(0.05, { error: 'target_tolerance must be at most 0.05' })
      .default(0.002)
      .describe('A long exits at the target once the close is within this fraction below PDH'),
    allow_short: flag('allow_short', false).describe('Allow short entries near PDH'),
  })
  .superRefine((config, ctx) => {
    if (config.stop_loss_pct <= config.proximity) {
      ctx.addIssue({
        code: 'custom',
        path: ['stop_loss_pct'],
        message:
          'stop_loss_pct must be greater than proximity, or an entry at the edge of the proximity band would already be at its stop',
      });
    }
    if (config.min_volume_multiple >= config.volume_period) {
      ctx.addIssue({
        code: 'custom',
        path: ['min_volume_multiple'],
        message:
          'min_volume_multiple must be less than volume_period: the mean includes the current bar, so a larger multiple can never be met',
      });
    }
  });

export type RangeBoundConfig = z.infer<typeof RangeBoundConfigSchema>;
