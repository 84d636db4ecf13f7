/** Counters of SPEC section 7; persisted, so they survive a restart. */
export interface SchedulerStats {
  readonly evaluations_run: number;
  readonly signals_generated: number;
  readonly trades_executed: number;
  readonly trades_rejected: number;
  readonly errors: number;
  /** Event time (epoch ms) of the last evaluation / last executed trade; null before the first. */
  readonly last_evaluation: number | null;
  readonly last_trade: number | null;
}

export const EMPTY_STATS: SchedulerStats = {
  evaluations_run: 0,
  signals_generated: 0,
  trades_executed: 0,
  trades_rejected: 0,
  errors: 0,
  last_evaluation: null,
  last_trade: null,
};
