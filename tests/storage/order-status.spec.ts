import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../engine/messages/order.js';
import { nextOrderStatus } from '../../storage/order-status.js';

describe('nextOrderStatus', () => {
  it.each<[OrderStatus, OrderStatus, OrderStatus]>([
    ['created', 'submitted', 'submitted'],
    ['submitted', 'accepted', 'accepted'],
    ['accepted', 'partially_filled', 'partially_filled'],
    ['partially_filled', 'partially_filled', 'partially_filled'],
    ['partially_filled', 'filled', 'filled'],
    ['partially_filled', 'accepted', 'partially_filled'],
    ['accepted', 'submitted', 'accepted'],
    ['filled', 'accepted', 'filled'],
    ['filled', 'cancelled', 'filled'],
    ['cancelled', 'partially_filled', 'cancelled'],
    ['cancelled', 'filled', 'filled'],
    ['rejected', 'accepted', 'rejected'],
    ['failed', 'accepted', 'accepted'],
    ['failed', 'filled', 'filled'],
    ['submitted', 'failed', 'failed'],
  ])('%s + reported %s -> %s', (current, reported, expected) => {
    expect(nextOrderStatus(current, reported)).toBe(expected);
  });
});
