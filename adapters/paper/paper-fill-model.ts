import type { Bar } from '../../engine/messages/market.js';
import type { OrderIntent } from '../../engine/messages/order.js';
import type { Side } from '../../engine/messages/signal.js';

/** IBKR-like fixed-rate commission: per share, with a per-order minimum and a cap as a fraction of value. */
export interface CommissionSchedule {
  readonly perShare: number;
  readonly min: number;
  readonly maxPctOfValue: number;
}

/** Fill prices are rounded to 4 decimals (sub-penny, as brokers report them). */
export const roundPrice = (price: number): number => Math.round(price * 10_000) / 10_000;
/** Commissions are rounded to cents. */
export const roundCents = (amount: number): number => Math.round(amount * 100) / 100;

/**
 * Commission of an order that has filled `quantity` shares worth `value` in total, in cents:
 * min(max(min, perShare * quantity), maxPctOfValue * value). It never decreases as an order fills,
 * so charging each fill the difference to what was already charged sums to the one-order commission.
 */
export const orderCommission = (schedule: CommissionSchedule, quantity: number, value: number): number =>
  roundCents(Math.min(Math.max(schedule.min, schedule.perShare * quantity), schedule.maxPctOfValue * value));

/** Adverse slippage: buys pay more, sells receive less. */
const slipped = (price: number, side: Side, bps: number): number =>
  side === 'BUY' ? price * (1 + bps / 10_000) : price * (1 - bps / 10_000);

const worseOf = (side: Side, a: number, b: number): number => (side === 'BUY' ? Math.max(a, b) : Math.min(a, b));

const limitFill = (side: Side, limit: number, reference: number, bar: Bar): number | undefined => {
  if (side === 'BUY') return bar.low <= limit ? Math.min(limit, reference) : undefined;
  return bar.high >= limit ? Math.max(limit, reference) : undefined;
};

const stopTouched = (side: Side, stop: number, bar: Bar): boolean =>
  side === 'BUY' ? bar.high >= stop : bar.low <= stop;

/** Where a working order stands: stop orders remember whether they have triggered. */
export interface FillState {
  readonly triggered: boolean;
}

/** The outcome of one bar for one order: the fill price (undefined: no fill) and the next state. */
interface BarFill {
  readonly price: number | undefined;
  readonly state: FillState;
}

const requirePrice = (price: number | undefined, name: string): number => {
  if (price === undefined) throw new Error(`Order without ${name}`);
  return price;
};

const stopFill = (order: OrderIntent, bar: Bar, bps: number, state: FillState): BarFill => {
  if (state.triggered) return { price: slipped(bar.open, order.side, bps), state };
  if (!stopTouched(order.side, requirePrice(order.stopPrice, 'stopPrice'), bar)) return { price: undefined, state };
  const reference = worseOf(order.side, requirePrice(order.stopPrice, 'stopPrice'), bar.open);
  return { price: slipped(reference, order.side, bps), state: { triggered: true } };
};

const stopLimitFill = (order: OrderIntent, bar: Bar, state: FillState): BarFill => {
  const limit = requirePrice(order.limitPrice, 'limitPrice');
  if (state.triggered) return { price: limitFill(order.side, limit, bar.open, bar), state };
  if (!stopTouched(order.side, requirePrice(order.stopPrice, 'stopPrice'), bar)) return { price: undefined, state };
  const reference = worseOf(order.side, requirePrice(order.stopPrice, 'stopPrice'), bar.open);
  return { price: limitFill(order.side, limit, reference, bar), state: { triggered: true } };
};

/**
 * The price at which a working order fills on a bar it has not seen yet (before rounding):
 * market at the open with slippage; limit when touched at the limit or the better open; stop when
 * touched like a market order at the worse of stop and open (later bars: the open), with slippage;
 * stop-limit when touched as a limit from the worse of stop and open.
 */
export const fillOnBar = (order: OrderIntent, bar: Bar, slippageBps: number, state: FillState): BarFill => {
  switch (order.type) {
    case 'market':
      return { price: slipped(bar.open, order.side, slippageBps), state };
    case 'limit':
      return { price: limitFill(order.side, requirePrice(order.limitPrice, 'limitPrice'), bar.open, bar), state };
    case 'stop':
      return stopFill(order, bar, slippageBps, state);
    case 'stop_limit':
      return stopLimitFill(order, bar, state);
  }
};
