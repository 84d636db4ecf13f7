import { Observable, type OperatorFunction, type SchedulerLike, type Subscription, concatMap } from 'rxjs';
import type { OrderFailed, OrderPlaced } from '../messages/order.js';
import type { RiskApproved } from '../messages/risk.js';
import type { BrokerPort } from '../ports/broker.port.js';
import type { StorePort } from '../ports/store.port.js';

export interface ExecutionOptions {
  /** How long a hand-over to the broker may take before it is reported failed (reconciliation decides its fate). */
  readonly submitTimeoutMs: number;
  /** Scheduler for the timeout: event time in paper/backtest, wall time live. */
  readonly scheduler: SchedulerLike;
  /** Called once an order's persist-and-send has finished, whatever the outcome. */
  readonly onSettled?: (clientOrderId: string) => void;
  /**
   * Called when the order's turn comes, before its intent is written. A promise returned must resolve
   * before the intent is persisted and the order sent; if it rejects, the order fails at stage
   * `persist` (nothing written, nothing sent). Undefined = no precondition. The graph uses it to make a
   * ladder step durable before the sell that fires it.
   */
  readonly beforePersist?: (decision: RiskApproved) => Promise<void> | undefined;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The order-execution sink. Strictly one order at a time (`concatMap`, never `switchMap`): the
 * precondition (`beforePersist`), if any, is awaited, then the order intent is made durable; only then is `order.placed` published and the order handed to the
 * broker. If persisting fails the order is not sent (`order.failed`, stage persist). If the hand-over
 * fails or times out, the order's fate is unknown: it is reported (`order.failed`, stage send) and
 * never retried blindly — reconciliation by client order id settles it.
 */
export const executeOrders =
  (
    store: StorePort,
    broker: BrokerPort,
    options: ExecutionOptions,
  ): OperatorFunction<RiskApproved, OrderPlaced | OrderFailed> =>
  (approved$: Observable<RiskApproved>) =>
    approved$.pipe(concatMap((decision) => executeOne(decision, store, broker, options)));

/**
 * One order's persist-then-send, as one Observable that emits `order.placed` and/or `order.failed` and
 * completes; it never errors. Written as steps rather than a chain of operators: a chain of a dozen
 * (defer, catchError, timeout, finalize...) was most of the cost of an order. `onSettled` runs when
 * it ends, whichever way (also when unsubscribed).
 */
const executeOne = (
  decision: RiskApproved,
  store: StorePort,
  broker: BrokerPort,
  options: ExecutionOptions,
): Observable<OrderPlaced | OrderFailed> =>
  new Observable<OrderPlaced | OrderFailed>((subscriber) => {
    const order = decision.order;
    // Separate handles: a store that completes synchronously sends from inside its own subscribe.
    let saving: Subscription | undefined;
    let submitting: Subscription | undefined;
    let timer: Subscription | undefined;
    const fail = (stage: 'persist' | 'send', err: unknown): void => {
      timer?.unsubscribe();
      subscriber.next({
        kind: 'order.failed',
        ts: order.ts,
        clientOrderId: order.clientOrderId,
        symbol: order.symbol,
        stage,
        error: message(err),
      });
      subscriber.complete();
    };
    const send = (): void => {
      subscriber.next({ kind: 'order.placed', ts: order.ts, order });
      if (subscriber.closed) return;
      let taken = false;
      // Like `timeout({ first })`: only the broker's first answer (or its end) is waited for.
      timer = options.scheduler.schedule(() => {
        submitting?.unsubscribe();
        fail('send', new Error(`the broker did not take the order within ${options.submitTimeoutMs} ms`));
      }, options.submitTimeoutMs);
      try {
        submitting = broker.submit(order).subscribe({
          next: () => {
            if (taken) return;
            taken = true;
            timer?.unsubscribe();
          },
          error: (err: unknown) => fail('send', err),
          complete: () => {
            timer?.unsubscribe();
            subscriber.complete();
          },
        });
      } catch (err) {
        fail('send', err);
      }
    };
    const persist = (): void => {
      if (subscriber.closed) return;
      try {
        saving = store.saveOrderIntent(order).subscribe({
          error: (err: unknown) => fail('persist', err),
          complete: send,
        });
      } catch (err) {
        fail('persist', err);
      }
    };
    try {
      const gate = options.beforePersist?.(decision);
      if (gate === undefined) persist();
      else
        gate.then(persist, (err: unknown) => {
          if (!subscriber.closed) fail('persist', err);
        });
    } catch (err) {
      fail('persist', err);
    }
    return () => {
      saving?.unsubscribe();
      submitting?.unsubscribe();
      timer?.unsubscribe();
      options.onSettled?.(order.clientOrderId);
    };
  });
