/**
 * An incremental indicator over one numeric series. `update` folds in the next value in O(1) without
 * allocating and returns the current value, NaN while warming up; `value` repeats the last result and
 * `ready` says whether it is a real value. Instances are mutable and owned by one strategy state.
 */
export interface SeriesIndicator {
  update(x: number): number;
  readonly value: number;
  readonly ready: boolean;
}
