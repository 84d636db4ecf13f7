import { z } from 'zod';
import { SymbolSchema } from '../messages/symbol.js';
import { fraction, timeframeField, wholeNumber } from './config-fields.js';

/**
 * Config of the `momentum` strategy (SPEC section 3). Unknown keys are rejected so a typo in a field
 * name is an error, not a silently ignored setting. `symbol` is trimmed and upper-cased before the
 * pattern check (the JSON Schema shows the pattern of the normalised form).
 */
export const MomentumConfigSchema = z
  .strictObject({
    symbol: SymbolSchema.describe('Ticker, trimmed and upper-cased'),
    timeframe: timeframeField(),
    rsi_period: wholeNumber('rsi_period', 2, 200, 14),
    macd_fast: wholeNumber('macd_fast', 1, 200, 12),
    macd_slow: wholeNumber('macd_slow', 2, 400, 26),
    macd_signal: wholeNumber('macd_signal', 1, 200, 9),
    roc_period: wholeNumber('roc_period', 1, 200, 10),
    volume_period: wholeNumber('volume_period', 1, 500, 20),
    volume_ratio_threshold: fraction('volume_ratio_threshold', 100, 1.2),
    stop_loss_pct: fraction('stop_loss_pct', 1, 0.02),
    take_profit_pct: fraction('take_profit_pct', 10, 0.05),
    allow_short: z.boolean({ error: 'allow_short must be true or false' }).default(false),
  })
  .superRefine((config, ctx) => {
    if (config.macd_fast >= config.macd_slow) {
      ctx.addIssue({ code: 'custom', path: ['macd_fast'], message: 'macd_fast must be less than macd_slow' });
    }
  });

export type MomentumConfig = z.infer<typeof MomentumConfigSchema>;
