/**
 * Incremental indicators: O(1) per update (amortised for the windowed ones), no allocation per update,
 * NaN while warming up. technicalindicators 3.1 is the reference: tests/engine/indicators/ compares
 * every value of every indicator with its streaming API over one long seeded series, to 1e-9 relative,
 * and checks the first defined index is the same. The deliberate differences, each tested case by case:
 *
 * - Rsi is not rounded; technicalindicators rounds RSI to 2 decimals (values agree within 0.005).
 *   Zero average loss is 100 and zero average gain is 0 as there, but no gain and no loss (a flat
 *   start: period + 1 equal prices) is 50, where technicalindicators says 100.
 * - Macd is the EMA/EMA variant, i.e. technicalindicators' `MACD` with `SimpleMAOscillator: false`
 *   and `SimpleMASignal: false` (its `MACDInput` class defaults both to true, SMA/SMA). Both seed each
 *   EMA with the simple mean of its first `period` inputs. A signal of exactly 0 (a flat start) is 0
 *   here; technicalindicators reports it as missing while still giving the histogram.
 * - Roc is a fraction (2 % = 0.02); technicalindicators' `ROC` is in percent.
 * - Bollinger uses the population standard deviation (divisor `period`), as technicalindicators. When
 *   the window is flat the bands collapse exactly and `pb` is 0.5; technicalindicators gives NaN (0/0)
 *   or, when its running-sum mean is off by rounding, an arbitrary ratio of noise (0.75, 0.17, ...).
 * - Atr: no difference. Wilder smoothing as technicalindicators' `ATR`: the first bar only supplies a
 *   previous close, the first ATR is the mean of the first `period` true ranges (needs period + 1 bars).
 * - RollingMean / Sma: no difference from `SMA`, except that they stay accurate over long runs (no
 *   running sum to drift or cancel after a level change; technicalindicators keeps one).
 */
export { Atr } from './atr.js';
export { Bollinger } from './bollinger.js';
export { Ema } from './ema.js';
export { Macd } from './macd.js';
export { RollingMean } from './rolling-mean.js';
export { Roc } from './roc.js';
export { Rsi } from './rsi.js';
export type { SeriesIndicator } from './series-indicator.js';
export { Sma } from './sma.js';
