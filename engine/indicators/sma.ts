import { RollingMean } from './rolling-mean.js';

/**
 * Simple moving average of prices. Same kernel as {@link RollingMean}; matches technicalindicators'
 * `SMA` index for index (first value after `period` inputs).
 */
export class Sma extends RollingMean {}
