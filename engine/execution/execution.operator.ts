import {
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
  catchError,
  concat,
  concatMap,
  defaultIfEmpty,
  defer,
  finalize,
  from,
  ignoreElements,
  of,
  timeout,
  TimeoutError,
} from 'rxjs';
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

const PERSISTED = 'persisted' as const;

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
    approved$.pipe(
      concatMap((decision) => {
        const order = decision.order;
        const failed = (stage: 'persist' | 'send', err: unknown): OrderFailed => ({
          kind: 'order.failed',
          ts: order.ts,
          clientOrderId: order.clientOrderId,
          symbol: order.symbol,
          stage,
          error: message(err),
        });
        const send$ = concat(
          of<OrderPlaced>({ kind: 'order.placed', ts: order.ts, order }),
          defer(() => broker.submit(order)).pipe(
            timeout({ first: options.submitTimeoutMs, scheduler: options.scheduler }),
            ignoreElements(),
            catchError((err: unknown) =>
              of(
                failed(
                  'send',
                  err instanceof TimeoutError
                    ? `the broker did not take the order within ${options.submitTimeoutMs} ms`
                    : err,
                ),
              ),
            ),
          ),
        );
        const persist = (): Observable<void> => {
          const gate = options.beforePersist?.(decision);
          const save = (): Observable<void> => store.saveOrderIntent(order);
          return gate === undefined ? save() : from(gate).pipe(concatMap(save));
        };
        return defer(persist).pipe(
          ignoreElements(),
          defaultIfEmpty(PERSISTED),
          catchError((err: unknown) => of(failed('persist', err))),
          concatMap((result) => (result === PERSISTED ? send$ : of(result))),
          finalize(() => options.onSettled?.(order.clientOrderId)),
        );
      }),
    );
