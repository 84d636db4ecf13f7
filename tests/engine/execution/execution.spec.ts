import { EMPTY, NEVER, Observable, Subject, lastValueFrom, map, of, throwError, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { executeOrders } from '../../../engine/execution/execution.operator.js';
import type { OrderIntent } from '../../../engine/messages/order.js';
import type { RiskApproved } from '../../../engine/messages/risk.js';
import type { StorePort } from '../../../engine/ports/store.port.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';
import { T0, brokerSubmitting, scored } from '../../support/factories.js';

const approved = (id: string): RiskApproved => ({
  kind: 'risk.approved',
  ts: T0,
  symbol: 'AAPL',
  signal: scored(),
  warnings: [],
  order: {
    kind: 'order.submit',
    ts: T0,
    clientOrderId: id,
    accountId: 'paper',
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 1,
    type: 'market',
    purpose: 'enter',
    strategyId: 's',
    reason: 'r',
  },
});

/** Records the order of calls; persistence completes asynchronously like a real database. */
const harness = (opts: { persistFails?: string; sendFails?: string; sendHangs?: string } = {}) => {
  const calls: string[] = [];
  const store = {
    saveOrderIntent: (o: OrderIntent) =>
      new Observable<void>((sub) => {
        calls.push(`persist:${o.clientOrderId}:start`);
        const t = setTimeout(() => {
          if (opts.persistFails === o.clientOrderId) return sub.error(new Error('disk full'));
          calls.push(`persist:${o.clientOrderId}:done`);
          sub.complete();
        }, 1);
        return () => clearTimeout(t);
      }),
  } as unknown as StorePort;
  const broker = brokerSubmitting((o) => {
    calls.push(`send:${o.clientOrderId}`);
    if (opts.sendFails === o.clientOrderId) return throwError(() => new Error('socket closed'));
    if (opts.sendHangs === o.clientOrderId) return NEVER;
    return EMPTY;
  });
  return { calls, store, broker };
};

describe('executeOrders', () => {
  it('persists each intent before sending it, strictly one order at a time', async () => {
    const { calls, store, broker } = harness();
    const settled: string[] = [];
    const out = await lastValueFrom(
      of(approved('a'), approved('b')).pipe(
        executeOrders(store, broker, {
          submitTimeoutMs: 1000,
          scheduler: new EventTimeScheduler(T0),
          onSettled: (id) => settled.push(id),
        }),
        toArray(),
      ),
    );
    expect(calls).toEqual([
      'persist:a:start',
      'persist:a:done',
      'send:a',
      'persist:b:start',
      'persist:b:done',
      'send:b',
    ]);
    expect(out.map((e) => e.kind)).toEqual(['order.placed', 'order.placed']);
    expect(settled).toEqual(['a', 'b']);
  });

  it('does not send an order whose intent could not be persisted, and goes on with the next', async () => {
    const { calls, store, broker } = harness({ persistFails: 'a' });
    const out = await lastValueFrom(
      of(approved('a'), approved('b')).pipe(
        executeOrders(store, broker, { submitTimeoutMs: 1000, scheduler: new EventTimeScheduler(T0) }),
        toArray(),
      ),
    );
    expect(calls).not.toContain('send:a');
    expect(out[0]).toMatchObject({ kind: 'order.failed', clientOrderId: 'a', stage: 'persist', error: 'disk full' });
    expect(out[1]).toMatchObject({ kind: 'order.placed' });
  });

  it('reports a failed hand-over without retrying it', async () => {
    const { calls, store, broker } = harness({ sendFails: 'a' });
    const out = await lastValueFrom(
      of(approved('a')).pipe(
        executeOrders(store, broker, { submitTimeoutMs: 1000, scheduler: new EventTimeScheduler(T0) }),
        toArray(),
      ),
    );
    expect(calls.filter((c) => c === 'send:a')).toHaveLength(1);
    expect(out.map((e) => e.kind)).toEqual(['order.placed', 'order.failed']);
    expect(out[1]).toMatchObject({ stage: 'send', error: 'socket closed' });
  });

  it('times a hung hand-over out on the injected scheduler (event time), then moves on', async () => {
    const { store, broker } = harness({ sendHangs: 'a' });
    const scheduler = new EventTimeScheduler(T0);
    const out: string[] = [];
    const input = new Subject<RiskApproved>();
    input
      .pipe(executeOrders(store, broker, { submitTimeoutMs: 10_000, scheduler }))
      .subscribe((e) => out.push(`${e.kind}:${'clientOrderId' in e ? e.clientOrderId : e.order.clientOrderId}`));
    input.next(approved('a'));
    input.next(approved('b'));
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toEqual(['order.placed:a']);
    scheduler.advanceTo(T0 + 10_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toEqual(['order.placed:a', 'order.failed:a', 'order.placed:b']);
  });
});

describe('executeOrders (marbles)', () => {
  it(
    'emits placed after the intent is stored, in input order, and completes when the input completes',
    marbles((m) => {
      const store = { saveOrderIntent: () => m.cold('--|') } as unknown as StorePort;
      const input = m.cold('ab|', { a: approved('a'), b: approved('b') });
      const out = input.pipe(
        executeOrders(
          store,
          brokerSubmitting(() => EMPTY),
          { submitTimeoutMs: 1000, scheduler: m.scheduler },
        ),
        map((e) => `${e.kind}:${'order' in e ? e.order.clientOrderId : e.clientOrderId}`),
      );
      // b waits for a (concatMap): its write starts at frame 2.
      m.expect(out).toBeObservable('--x-(y|)', { x: 'order.placed:a', y: 'order.placed:b' });
    }),
  );

  it(
    'reports a storage error as order.failed and never calls the broker for that order',
    marbles((m) => {
      const store = { saveOrderIntent: () => m.cold('-#', undefined, new Error('disk full')) } as unknown as StorePort;
      let submitted = 0;
      const out = m.cold('a|', { a: approved('a') }).pipe(
        executeOrders(
          store,
          brokerSubmitting(() => {
            submitted++;
            return EMPTY;
          }),
          { submitTimeoutMs: 1000, scheduler: m.scheduler },
        ),
        map((e) => (e.kind === 'order.failed' ? `${e.stage}:${e.error}` : e.kind)),
      );
      m.expect(out).toBeObservable('-(x|)', { x: 'persist:disk full' });
      m.flush();
      expect(submitted).toBe(0);
    }),
  );
});

describe('executeOrders (hand-over and teardown)', () => {
  const syncStore = { saveOrderIntent: () => of(undefined) } as unknown as StorePort;
  const kinds = (e: { kind: string; stage?: string; error?: string }): string =>
    e.kind === 'order.failed' ? `failed:${e.stage}:${e.error}` : e.kind;

  it('on a timeout, cancels the broker hand-over itself, also when the intent was stored synchronously', () => {
    const scheduler = new EventTimeScheduler(T0);
    let cancelled = 0;
    const hung = brokerSubmitting(() => new Observable<void>(() => () => cancelled++));
    const out: string[] = [];
    const settled: string[] = [];
    of(approved('a'))
      .pipe(executeOrders(syncStore, hung, { submitTimeoutMs: 5_000, scheduler, onSettled: (id) => settled.push(id) }))
      .subscribe((e) => out.push(kinds(e)));
    expect(out).toEqual(['order.placed']);
    scheduler.advanceTo(T0 + 5_000);
    expect(cancelled).toBe(1);
    expect(out).toEqual(['order.placed', 'failed:send:the broker did not take the order within 5000 ms']);
    expect(settled).toEqual(['a']);
  });

  it('waits only for the broker first answer: no timeout once it has answered', () => {
    const scheduler = new EventTimeScheduler(T0);
    const answered = brokerSubmitting(() => new Observable<void>((sub) => sub.next()));
    const out: string[] = [];
    of(approved('a'))
      .pipe(executeOrders(syncStore, answered, { submitTimeoutMs: 5_000, scheduler }))
      .subscribe((e) => out.push(kinds(e)));
    scheduler.advanceTo(T0 + 60_000);
    expect(out).toEqual(['order.placed']);
  });

  it('stopped mid-order: the store write is cancelled, nothing is sent, and the order is settled once', () => {
    const scheduler = new EventTimeScheduler(T0);
    let writes = 0;
    let sent = 0;
    const slowStore = {
      saveOrderIntent: () => new Observable<void>(() => () => writes++),
    } as unknown as StorePort;
    const settled: string[] = [];
    const sub = of(approved('a'))
      .pipe(
        executeOrders(
          slowStore,
          brokerSubmitting(() => {
            sent++;
            return EMPTY;
          }),
          { submitTimeoutMs: 5_000, scheduler, onSettled: (id) => settled.push(id) },
        ),
      )
      .subscribe();
    sub.unsubscribe();
    scheduler.advanceTo(T0 + 60_000);
    expect(writes).toBe(1);
    expect(sent).toBe(0);
    expect(settled).toEqual(['a']);
  });

  it('a precondition that throws is a persist failure, and the next order still goes', async () => {
    const out = await lastValueFrom(
      of(approved('a'), approved('b')).pipe(
        executeOrders(
          syncStore,
          brokerSubmitting(() => EMPTY),
          {
            submitTimeoutMs: 5_000,
            scheduler: new EventTimeScheduler(T0),
            beforePersist: (d) => {
              if (d.order.clientOrderId === 'a') throw new Error('exit state not stored');
              return undefined;
            },
          },
        ),
        map(kinds),
        toArray(),
      ),
    );
    expect(out).toEqual(['failed:persist:exit state not stored', 'order.placed']);
  });
});
