import { describe, expect, it } from 'vitest';
import type { FillDraft } from '../../../adapters/ibkr/ibkr-views.js';
import { OrderEventOutbox } from '../../../adapters/ibkr/order-event-outbox.js';
import type { BrokerEvent } from '../../../engine/messages/order.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';

const T0 = 1_000_000;

const draft = (ref: string, execId: string, cum: number, commission?: number): FillDraft => ({
  kind: cum === 10 ? 'order.filled' : 'order.partially_filled',
  ts: T0,
  clientOrderId: ref,
  symbol: 'AAPL',
  execId,
  side: 'BUY',
  quantity: 5,
  price: 100,
  commission,
  cumulativeQuantity: cum,
  remaining: 10 - cum,
});

const setup = () => {
  const scheduler = new EventTimeScheduler(T0);
  const out: BrokerEvent[] = [];
  const missing: string[] = [];
  const outbox = new OrderEventOutbox({
    scheduler,
    graceMs: 5_000,
    emit: (e) => out.push(e),
    onCommissionMissing: (d) => missing.push(d.execId),
  });
  const show = () =>
    out.map((e) =>
      e.kind === 'order.filled' || e.kind === 'order.partially_filled'
        ? `${e.clientOrderId} ${e.execId} $${e.commission}`
        : `${e.clientOrderId} ${e.kind}`,
    );
  return { scheduler, outbox, show, missing };
};

describe('OrderEventOutbox', () => {
  it('holds a fill until its commission report, and what follows for the order behind it', () => {
    const { outbox, show } = setup();
    outbox.event('a', { kind: 'order.accepted', ts: T0, clientOrderId: 'a', symbol: 'AAPL', brokerOrderId: '1' });
    outbox.fill('a', draft('a', 'x1', 5));
    outbox.event('a', { kind: 'order.cancelled', ts: T0, clientOrderId: 'a', symbol: 'AAPL', reason: 'r' });
    expect(show()).toEqual(['a order.accepted']);
    outbox.commission('x1', 1.25);
    expect(show()).toEqual(['a order.accepted', 'a x1 $1.25', 'a order.cancelled']);
  });

  it('does not hold other orders back', () => {
    const { outbox, show } = setup();
    outbox.fill('a', draft('a', 'x1', 5));
    outbox.event('b', { kind: 'order.accepted', ts: T0, clientOrderId: 'b', symbol: 'AAPL', brokerOrderId: '2' });
    expect(show()).toEqual(['b order.accepted']);
  });

  it('uses a commission that arrived first, or one the draft carries', () => {
    const { outbox, show } = setup();
    outbox.commission('x1', 2);
    outbox.fill('a', draft('a', 'x1', 5));
    outbox.fill('a', draft('a', 'x2', 10, 0.5));
    expect(show()).toEqual(['a x1 $2', 'a x2 $0.5']);
  });

  it('sends the fill with commission 0 after the grace period and says so', () => {
    const { scheduler, outbox, show, missing } = setup();
    outbox.fill('a', draft('a', 'x1', 5));
    scheduler.advanceTo(T0 + 4_999);
    expect(show()).toEqual([]);
    scheduler.advanceTo(T0 + 5_000);
    expect(show()).toEqual(['a x1 $0']);
    expect(missing).toEqual(['x1']);
    expect(outbox.waiting).toBe(0);
  });
});
