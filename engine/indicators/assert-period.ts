/**
 * Rejects a window length that is not a whole number >= `min`: a bad period is a wiring bug that would
 * otherwise show up much later as NaN or a silently wrong value.
 */
export function assertPeriod(name: string, period: number, min = 1): void {
  if (!Number.isSafeInteger(period) || period < min) {
    throw new RangeError(`${name} period must be a whole number >= ${min}, got ${period}`);
  }
}
