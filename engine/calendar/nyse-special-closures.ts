/** A closure or early close NYSE announced outside its regular rules. */
export interface NyseSpecialClosure {
  /** New York calendar date, 'YYYY-MM-DD'; must be a weekday. */
  readonly date: string;
  /** `closed`: no session; `early-close`: the session ends at 13:00 New York time. */
  readonly kind: 'closed' | 'early-close';
  readonly reason: string;
}

/**
 * Ad-hoc closures that no rule can produce, merged with the rules by `nyseClosures`. Only closures
 * from 2024 on are listed (the calendar is checked against NYSE's lists from 2024): earlier ones
 * such as 2018-12-05 are missing, so backtests on older data must trust the bars' own dates. Add a
 * row here when NYSE announces a new closure; a closure also cancels an early close on that day.
 */
export const NYSE_SPECIAL_CLOSURES: readonly NyseSpecialClosure[] = [
  { date: '2025-01-09', kind: 'closed', reason: 'National Day of Mourning for former President Jimmy Carter' },
];
