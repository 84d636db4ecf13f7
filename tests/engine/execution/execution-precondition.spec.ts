import { EMPTY, Observable, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { executeOrders } from '../../../engine/execution/execution.operator.js';
import type { OrderIntent } from '../../../engine/messages/order.js';
import type { RiskApproved } from '../../../engine/messages/risk.js';
import type { StorePort } from '../../../engine/ports/store.port.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';
import { T0, brokerSubmitting, scored } from '../../support/factories.js';

const approved = (id: string, purpose: 'enter' | 'exit' = 'exit'): RiskApproved => ({
  kind: 'risk.approved',
  ts: T0,
  symbol: 'AAPL',
  signal: scored({ action: 'exit', side: 'SELL', exitReason: 'ladder', exitQuantity: 25 }),
  warnings: [],
  order: {
    kind: 'order.submit',
    ts: T0,
    clientOrderId: id,
    accountId: 'paper',
    symbol: 'AAPL',
    side: 'SELL',
    quantity: 25,
    type: 'market',
    purpose,
    strategyId: 's',
    reason: 'r',
  },
});

const harness = () => {
  const calls: string[] = [];
  const store = {
    saveOrderIntent: (o: OrderIntent) =>
      new Observable<void>((sub) => {
        calls.push(`persist:${o.clientOrderId}`);
        sub.complete();
      }),
  } as unknown as StorePort;
  const broker = brokerSubmitting((o) => {
    calls.push(`send:${o.clientOrderId}`);
    return EMPTY;
  });
  return { calls, store, broker };
};

describe('executeOrders beforePersist', () => {
  it('waits for the precondition before persisting and sending, at the order turn, one order at a time', async () => {
    const { calls, store, broker } = harness();
    const out = await lastValueFrom(
      of(approved('a'), approved('b', 'enter')).pipe(
        executeOrders(store, broker, {
          submitTimeoutMs: 1000,
          scheduler: new EventTimeScheduler(T0),
          beforePersist: (d) =>
            d.order.purpose !== 'exit'
              ? undefined
              : (async () => {
                  calls.push(`gate:${d.order.clientOrderId}:start`);
                  await new Promise((r) => setTimeout(r, 5));
                  calls.push(`gate:${d.order.clientOrderId}:done`);
                })(),
        }),
        toArray(),
      ),
    );
    expect(calls).toEqual(['gate:a:start', 'gate:a:done', 'persist:a', 'send:a', 'persist:b', 'send:b']);
    expect(out.map((e) => e.kind)).toEqual(['order.placed', 'order.placed']);
  });

  it('fails the order at stage persist, writing and sending nothing, when the precondition rejects', async () => {
    const { calls, store, broker } = harness();
    const settled: string[] = [];
    const out = await lastValueFrom(
      of(approved('a'), approved('b')).pipe(
        executeOrders(store, broker, {
          submitTimeoutMs: 1000,
          scheduler: new EventTimeScheduler(T0),
          onSettled: (id) => settled.push(id),
          beforePersist: (d) =>
            d.order.clientOrderId === 'a' ? Promise.reject(new Error('exit state not stored')) : undefined,
        }),
        toArray(),
      ),
    );
    expect(out[0]).toMatchObject({
      kind: 'order.failed',
      clientOrderId: 'a',
      stage: 'persist',
      error: 'exit state not stored',
    });
    expect(out[1]).toMatchObject({ kind: 'order.placed' });
    expect(calls).toEqual(['persist:b', 'send:b']);
    expect(settled).toEqual(['a', 'b']);
  });
});
