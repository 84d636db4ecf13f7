import { type Session, sessionAt } from '../calendar/nyse-calendar.js';
import type { Position } from '../messages/account.js';
import type { Side } from '../messages/signal.js';
import type { ExitConfig, LadderStep } from './exit-config.js';
import type { AwaitingLadderFill, ExitState } from './exit-state.js';

/** Which rule decided an exit. `ladder` is the only partial exit; every other rule sells everything. */
export type ExitRuleCode = 'stop' | 'trailing_stop' | 'flatten' | 'time' | 'target' | 'ladder';

/** The facts about a position the exit rules read (a `Position` satisfies it). */
export type ExitPosition = Pick<Position, 'symbol' | 'quantity' | 'avgPrice' | 'openedTs' | 'stopLoss' | 'takeProfit'>;

/** An exit to send: `quantity` whole shares (> 0, at most the position) on `side`, closing or reducing. */
export interface ExitDecision {
  readonly side: Side;
  readonly quantity: number;
  readonly reason: ExitRuleCode;
  /** Human-readable cause, for the signal's `reason` and the journal. */
  readonly detail: string;
  /** The price level that was crossed (stop, trailing level, target, ladder threshold price). */
  readonly level?: number;
  /** Highest ladder step sold by this exit (ladder only). */
  readonly step?: number;
  /** Every ladder step sold by this exit, ascending (several when the price jumped past more than one). */
  readonly steps?: readonly number[];
}

/**
 * The next exit state (undefined when there is no position) and at most one exit. The state is the
 * same object as the input when nothing changed, so `result.state !== state` tells the caller to
 * persist it; it must be persisted before an emitted ladder exit's order is sent.
 */
export interface ExitEvaluation {
  readonly state: ExitState | undefined;
  readonly exit?: ExitDecision;
}

const MINUTE_MS = 60_000;
/** Absorbs float noise in fraction x shares (0.29 x 100 = 28.999999999999996), as in sizing. */
const SHARE_EPSILON = 1e-9;

const fail = (symbol: string, what: string, value: unknown): never => {
  throw new RangeError(`Exit rules for ${symbol}: ${what}, got ${String(value)}`);
};

const assertInputs = (p: ExitPosition, price: number, ts: number): void => {
  if (!Number.isSafeInteger(p.quantity))
    fail(p.symbol, 'position quantity must be a whole number of shares', p.quantity);
  if (!(Number.isFinite(p.avgPrice) && p.avgPrice > 0)) fail(p.symbol, 'average price must be positive', p.avgPrice);
  if (!Number.isSafeInteger(p.openedTs)) fail(p.symbol, 'openedTs must be epoch ms', p.openedTs);
  if (!(Number.isFinite(price) && price > 0)) fail(p.symbol, 'price must be positive', price);
  if (!Number.isSafeInteger(ts)) fail(p.symbol, 'ts must be epoch ms', ts);
  for (const [name, level] of [
    ['stop loss', p.stopLoss],
    ['take profit', p.takeProfit],
  ] as const) {
    if (level !== null && !(Number.isFinite(level) && level > 0))
      fail(p.symbol, `${name} must be positive or null`, level);
  }
};

const freshState = (p: ExitPosition, direction: ExitState['direction']): ExitState => ({
  version: 1,
  symbol: p.symbol,
  openedTs: p.openedTs,
  direction,
  originalQuantity: Math.abs(p.quantity),
  extremePrice: p.avgPrice,
  firedSteps: [],
  awaitingFill: null,
});

/** Whether the wait for a ladder fill is over: filled, position added to, or timed out. */
const fillSettled = (a: AwaitingLadderFill, held: number, ts: number, config: ExitConfig): boolean =>
  held <= a.expectedQuantity || held > a.quantityBefore || ts - a.sinceTs >= config.ladder_fill_timeout_seconds * 1000;

/** The state for this position at this price: reset on a new position, best price and fill wait updated. */
const advance = (
  previous: ExitState | undefined,
  p: ExitPosition,
  price: number,
  ts: number,
  config: ExitConfig,
): ExitState => {
  const direction = p.quantity > 0 ? 'long' : 'short';
  const same =
    previous !== undefined &&
    previous.symbol === p.symbol &&
    previous.openedTs === p.openedTs &&
    previous.direction === direction;
  let state = same ? previous : freshState(p, direction);
  const better = direction === 'long' ? price > state.extremePrice : price < state.extremePrice;
  if (better) state = { ...state, extremePrice: price };
  if (state.awaitingFill !== null && fillSettled(state.awaitingFill, Math.abs(p.quantity), ts, config)) {
    state = { ...state, awaitingFill: null };
  }
  return state;
};

/**
 * The NYSE session whose flatten window holds `ts` (`close - minutes <= ts < close`, 13:00 closes on
 * early-close days), or undefined outside it or when `minutes` is null (rule off). One definition for
 * the `flatten` exit and risk's `flatten_window` entry rule, so they agree to the millisecond.
 */
export const flattenWindowAt = (ts: number, minutes: number | null): Session | undefined => {
  if (minutes === null) return undefined;
  const session = sessionAt(ts);
  return session !== undefined && ts < session.close && ts >= session.close - minutes * MINUTE_MS ? session : undefined;
};

/**
 * How far below the ladder's first step a take-profit may lie and still count as at it, as a fraction
 * of that step's gain (+4.5 % for a +5 % step). A strategy sets its target from the signal price, and
 * the fill (slippage, the next bar's open) lifts the average price: momentum's +5 % target is then
 * +4.95 % of the average, and must not slip under a +5 % step because of it.
 */
export const LADDER_TARGET_SLACK = 0.1;

/**
 * Whether the profit-taking ladder stands in for the position's take-profit (SPEC 3 gives momentum a
 * +5 % target; SPEC 6 gives the account a ladder starting at +5 %). It does when the ladder is on,
 * has a step this position has not fired yet, and the target's gain (from the average price) reaches
 * the first step (less `LADDER_TARGET_SLACK`): the ladder is then the plan for that profit zone, and a
 * full exit at the target would sell, in one go, what the ladder is meant to sell in steps (it would
 * never fire at all). A target well below the first step (a range or level target a percent or two
 * away) stays a full exit: that trade is done before the ladder begins. Once every step has fired and
 * the last ladder sell has filled (or timed out), the target is a full exit again: it then sells what
 * a ladder without a final "sell all" leaves, or a position whose ladder is refused (`lockedExitState`).
 */
export const ladderOwnsTarget = (
  state: ExitState | undefined,
  position: ExitPosition,
  target: number | null,
  config: ExitConfig,
): boolean => {
  const first = config.ladder[0];
  if (target === null || first === undefined || position.quantity === 0) return false;
  const long = position.quantity > 0;
  const gain = long
    ? (target - position.avgPrice) / position.avgPrice
    : (position.avgPrice - target) / position.avgPrice;
  if (gain < first.gain * (1 - LADDER_TARGET_SLACK) - config.tolerance) return false;
  const same =
    state !== undefined &&
    state.symbol === position.symbol &&
    state.openedTs === position.openedTs &&
    state.direction === (long ? 'long' : 'short');
  if (!same) return true;
  return state.awaitingFill !== null || config.ladder.some((_, i) => !state.firedSteps.includes(i));
};

/** price at or beyond `level` in the adverse direction (stops), with the relative tolerance. */
const adverseCrossed = (long: boolean, price: number, level: number, tol: number): boolean =>
  long ? price <= level * (1 + tol) : price >= level * (1 - tol);

/** price at or beyond `level` in the favourable direction (targets), with the relative tolerance. */
const favourableCrossed = (long: boolean, price: number, level: number, tol: number): boolean =>
  long ? price >= level * (1 - tol) : price <= level * (1 + tol);

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** Shares a ladder step sells from `remaining`: whole, at least 1, all that is left for fraction 1. */
const stepShares = (step: LadderStep, remaining: number): number =>
  step.sell_fraction >= 1
    ? remaining
    : Math.min(remaining, Math.max(1, Math.floor(step.sell_fraction * remaining + SHARE_EPSILON)));

interface LadderSale {
  readonly steps: readonly number[];
  readonly quantity: number;
  readonly gain: number;
}

/**
 * The reached ladder steps not yet fired, sold together: each one's fraction applies to what the
 * previous ones leave, exactly as if they had fired one after the other with fills in between.
 */
const ladderSale = (state: ExitState, held: number, gain: number, config: ExitConfig): LadderSale | undefined => {
  const steps: number[] = [];
  let remaining = held;
  let threshold = 0;
  config.ladder.forEach((step, i) => {
    if (remaining === 0 || state.firedSteps.includes(i) || gain < step.gain - config.tolerance) return;
    steps.push(i);
    remaining -= stepShares(step, remaining);
    threshold = step.gain;
  });
  return steps.length === 0 ? undefined : { steps, quantity: held - remaining, gain: threshold };
};

/**
 * Checks the exit rules for one position at `price` and event time `ts` (SPEC section 6 "Exits"),
 * on every bar and in the scheduler's exit loop. Pure: the calendar is the only outside fact.
 *
 * Precedence, first hit wins and at most one exit is returned (every rule but the ladder sells the
 * whole position, so one order per evaluation is all that is ever needed):
 * 1. `stop`: the loss limit set at entry; nothing may delay it.
 * 2. `trailing_stop`: also protective (a stop that follows the best price), also a full exit.
 * 3. `flatten`: a deadline; after the close the position cannot be sold until the next open.
 * 4. `time`: `max_holding_minutes` reached; a full exit that does not depend on the price.
 * 5. `target`: a full exit at a profit, ahead of the ladder when the target lies below the ladder's
 *    first step (it sells everything in one order). A target at or beyond the first step is left to
 *    the ladder while a step remains unfired (see `ladderOwnsTarget`): otherwise momentum's +5 %
 *    target would sell everything exactly where the ladder is meant to sell a quarter.
 * 6. `ladder`: partial profit-taking, last, so it never replaces a full exit due at the same time.
 *
 * Full exits are level-triggered: they are returned on every evaluation while their condition holds
 * (risk refuses duplicates while an exit order works, and the next evaluation retries if one failed).
 * Ladder steps are edge-triggered: a step is marked fired in the returned state when its exit is
 * emitted, not when it fills, because only that guarantees a restart never sells it again (a crash
 * between order and fill would otherwise repeat the sell). The cost: if the order fails, that step
 * does not re-fire; the next step still sells its fraction of what is actually held, and the stops
 * keep protecting the rest. After a ladder exit, later steps wait for its fill (see
 * `ladder_fill_timeout_seconds`); steps the price jumped past together are sold in one exit.
 *
 * Shorts are mirrored: gain = (avg - price) / avg, stops above, targets below, the trailing stop
 * follows the lowest price. The state resets when the position is closed and another one opened
 * (new `openedTs` or direction); a smaller quantity (a ladder fill) keeps the fired steps.
 * Throws a RangeError on non-finite or non-positive prices and fractional quantities.
 */
export const evaluateExits = (
  state: ExitState | undefined,
  position: ExitPosition | undefined,
  price: number,
  ts: number,
  config: ExitConfig,
): ExitEvaluation => {
  if (position === undefined || position.quantity === 0) return { state: undefined };
  assertInputs(position, price, ts);
  const next = advance(state, position, price, ts, config);
  const long = position.quantity > 0;
  const held = Math.abs(position.quantity);
  const side: Side = long ? 'SELL' : 'BUY';
  const tol = config.tolerance;
  const full = (reason: ExitRuleCode, detail: string, level?: number): ExitEvaluation => ({
    state: next,
    exit:
      level === undefined ? { side, quantity: held, reason, detail } : { side, quantity: held, reason, detail, level },
  });

  const { stopLoss, takeProfit } = position;
  if (stopLoss !== null && adverseCrossed(long, price, stopLoss, tol)) {
    return full('stop', `stop loss ${stopLoss} reached at ${price}`, stopLoss);
  }

  const trail = config.trailing_stop_pct;
  if (trail !== null) {
    const level = long ? next.extremePrice * (1 - trail) : next.extremePrice * (1 + trail);
    if (adverseCrossed(long, price, level, tol)) {
      const best = long ? 'high' : 'low';
      return full(
        'trailing_stop',
        `trailing stop ${pct(trail)} from ${best} ${next.extremePrice} reached at ${price}`,
        level,
      );
    }
  }

  const flattenMinutes = config.flatten_before_close_minutes;
  const session = flattenWindowAt(ts, flattenMinutes);
  if (session !== undefined) {
    return full('flatten', `flatten ${String(flattenMinutes)} min before the ${session.date} close`);
  }

  const maxMinutes = config.max_holding_minutes;
  if (maxMinutes !== null && ts - position.openedTs >= maxMinutes * MINUTE_MS) {
    const heldMinutes = Math.floor((ts - position.openedTs) / MINUTE_MS);
    return full('time', `held ${heldMinutes} min, limit ${maxMinutes} min`);
  }

  if (
    takeProfit !== null &&
    favourableCrossed(long, price, takeProfit, tol) &&
    !ladderOwnsTarget(next, position, takeProfit, config)
  ) {
    return full('target', `take profit ${takeProfit} reached at ${price}`, takeProfit);
  }

  if (next.awaitingFill !== null) return { state: next };
  const gain = long ? (price - position.avgPrice) / position.avgPrice : (position.avgPrice - price) / position.avgPrice;
  const sale = ladderSale(next, held, gain, config);
  if (sale === undefined) return { state: next };
  const firedSteps = [...next.firedSteps, ...sale.steps].sort((a, b) => a - b);
  const awaitingFill: AwaitingLadderFill = {
    steps: sale.steps,
    quantityBefore: held,
    expectedQuantity: held - sale.quantity,
    sinceTs: ts,
  };
  const step = sale.steps[sale.steps.length - 1] as number;
  const level = long ? position.avgPrice * (1 + sale.gain) : position.avgPrice * (1 - sale.gain);
  const names = sale.steps.map((i) => i + 1).join(', ');
  return {
    state: { ...next, firedSteps, awaitingFill },
    exit: {
      side,
      quantity: sale.quantity,
      reason: 'ladder',
      detail: `ladder step ${names} of ${config.ladder.length}: gain ${pct(gain)} reached +${pct(sale.gain)}, sell ${sale.quantity} of ${held}`,
      level,
      step,
      steps: sale.steps,
    },
  };
};
