export { Atr } from './atr.js';
export { Bollinger } from './bollinger.js';
export { Ema } from './ema.js';
export { Macd } from './macd.js';
export { RollingMean } from './rolling-mean.js';
export { Roc } from './roc.js';
export { Rsi } from './rsi.js';
export type { SeriesIndicator } from './series-indicator.js';
export { Sma } from './sma.js';
