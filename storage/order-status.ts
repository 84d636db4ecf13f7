import { TERMINAL_ORDER_STATUSES, type OrderStatus } from '../engine/messages/order.js';

const RANK: Readonly<Record<OrderStatus, number>> = {
  created: 0,
  submitted: 1,
  accepted: 2,
  partially_filled: 3,
  filled: 4,
  cancelled: 4,
  rejected: 4,
  failed: 4,
};

/**
 * The status an order moves to when `reported` arrives while it is `current`. Broker reports may come
 * out of order (an ack after a fill), so a status never moves backwards; a broker's terminal word is
 * final, except that a late fill completing the order wins over a cancel. `failed` is our own verdict
 * (fate unknown), so any later broker report replaces it.
 */
export const nextOrderStatus = (current: OrderStatus, reported: OrderStatus): OrderStatus => {
  if (current === 'failed') return reported;
  if (TERMINAL_ORDER_STATUSES.includes(current)) return reported === 'filled' ? 'filled' : current;
  return RANK[reported] >= RANK[current] ? reported : current;
};
