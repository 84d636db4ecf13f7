import { z } from 'zod';

const number = (name: string) =>
  z.number({
    error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a finite number`),
  });

const wholeNumber = (name: string, min: number, max: number) =>
  number(name)
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` });

/**
 * One rung of the profit-taking ladder: once the position's gain reaches `gain` (0.05 = +5 %), sell
 * `sell_fraction` of the shares still held at that moment (not of the original quantity). A fraction
 * of 1 sells everything that is left.
 */
export const LadderStepSchema = z.strictObject({
  gain: number('gain')
    .gt(0, { error: 'gain must be greater than 0 (0.05 = +5 %)' })
    .max(10, { error: 'gain must be at most 10 (+1000 %)' }),
  sell_fraction: number('sell_fraction')
    .gt(0, { error: 'sell_fraction must be greater than 0' })
    .max(1, { error: 'sell_fraction must be at most 1 (sell all that is left)' }),
});

export type LadderStep = z.infer<typeof LadderStepSchema>;

/** SPEC section 6 "Exits": +5 % sell 25 %, +10 % sell 50 % of the rest, +20 % sell all. */
const DEFAULT_LADDER: readonly LadderStep[] = [
  { gain: 0.05, sell_fraction: 0.25 },
  { gain: 0.1, sell_fraction: 0.5 },
  { gain: 0.2, sell_fraction: 1 },
];

/** Ladder indexes are persisted as small integers; a longer ladder is a configuration mistake. */
export const MAX_LADDER_STEPS = 20;

/**
 * Exit rules beyond the per-position stop loss and take profit (which come from the opening order,
 * see `Position.stopLoss` / `takeProfit`). `null` switches a rule off; an empty `ladder` switches the
 * ladder off. Unknown keys are rejected so that a misspelt rule is an error, not a rule silently off.
 *
 * `tolerance` is relative to the reference price (the entry price for ladder gains, the level for
 * stops and targets). It absorbs binary floating-point noise only: a stock bought at 1.90 and marked
 * at 2.09 is up exactly 10 %, yet `(2.09 - 1.9) / 1.9` is 0.09999999999999998, and without a
 * tolerance the +10 % step would not fire. The maximum (1e-6, a hundredth of a basis point) keeps it
 * far below one cent on any listed price, so +9.99 % can never pass for +10 %.
 *
 * `trailing_stop_pct`: full exit when the price falls this fraction below the highest price seen
 * since entry (rises above the lowest, for a short); the entry price is the first anchor, so it also
 * acts as a stop from the start. Only prices given to the exit rules count (bar closes, exit loop).
 *
 * `flatten_before_close_minutes`: full exit while `close - N min <= ts < close` of the NYSE session
 * holding `ts` (13:00 on early-close days). Not after the close: an order then would only queue for
 * the next open at an unknown price; the next session's window catches a position still held.
 *
 * `max_holding_minutes`: full exit once `ts - openedTs` reaches it (exact, in event time).
 *
 * `ladder_fill_timeout_seconds`: after a ladder sell is emitted, later ladder steps wait until the
 * position shows that sell filled, or until this much event time has passed (the order presumably
 * failed). Without the wait, the next step could be sized on shares that are already being sold, or
 * be refused by risk as `exit_pending` and, having fired, never come back.
 */
export const ExitConfigSchema = z
  .strictObject({
    trailing_stop_pct: number('trailing_stop_pct')
      .gt(0, { error: 'trailing_stop_pct must be greater than 0 (0.05 = 5 % below the best price)' })
      .lt(1, { error: 'trailing_stop_pct must be less than 1' })
      .nullable()
      .default(null),
    ladder: z
      .array(LadderStepSchema, { error: 'ladder must be a list of {gain, sell_fraction} steps' })
      .max(MAX_LADDER_STEPS, { error: `ladder must have at most ${MAX_LADDER_STEPS} steps` })
      .default(() => DEFAULT_LADDER.map((s) => ({ ...s }))),
    max_holding_minutes: wholeNumber('max_holding_minutes', 1, 525_600).nullable().default(null),
    flatten_before_close_minutes: wholeNumber('flatten_before_close_minutes', 1, 390).nullable().default(null),
    ladder_fill_timeout_seconds: wholeNumber('ladder_fill_timeout_seconds', 1, 86_400).default(120),
    tolerance: number('tolerance')
      .min(0, { error: 'tolerance must be at least 0' })
      .max(1e-6, { error: 'tolerance must be at most 1e-6 (it absorbs rounding noise, it is not a price band)' })
      .default(1e-9),
  })
  .superRefine((config, ctx) => {
    config.ladder.forEach((step, i) => {
      const previous = config.ladder[i - 1];
      if (previous !== undefined && !(step.gain > previous.gain)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ladder', i, 'gain'],
          message: `ladder gains must increase: step ${i} (${step.gain}) is not above step ${i - 1} (${previous.gain})`,
        });
      }
      if (step.sell_fraction === 1 && i < config.ladder.length - 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['ladder', i, 'sell_fraction'],
          message: `ladder step ${i} sells everything, so the steps after it could never fire; make it the last step`,
        });
      }
    });
  });

/** Validated exit rules with defaults filled in. */
export type ExitConfig = z.infer<typeof ExitConfigSchema>;

/** The defaults: the SPEC ladder on, every other optional rule off, tolerance 1e-9. */
export const DEFAULT_EXIT_CONFIG: ExitConfig = ExitConfigSchema.parse({});
