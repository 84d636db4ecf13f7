import { EventName, IBApi } from '@stoqey/ib';
import type {
  BarSizeSetting,
  CommissionReport,
  Contract,
  Execution,
  ExecutionFilter,
  Order,
  OrderState,
  WhatToShow,
} from '@stoqey/ib';
import { ReplaySubject, Subject } from 'rxjs';
import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import { classifyIbkrCode } from './ibkr-error-codes.js';
import type { IbkrLogger } from './ibkr-logger.js';
import type { OutboundBudget, OutboundPriority } from './outbound-budget.js';
import { REQUEST_ID_BAND } from './order-id-allocator.js';

/** A message code IB Gateway (or the client library) reported. */
export interface SessionNotice {
  readonly code: number;
  readonly text: string;
  /** -1 when it is about the session, else the request or order id. */
  readonly id: number;
}

export interface RawOpenOrder {
  readonly orderId: number;
  readonly contract: Contract;
  readonly order: Order;
  readonly state: OrderState;
}
export interface RawOrderStatus {
  readonly orderId: number;
  readonly status: string;
  readonly filled: number;
  readonly remaining: number;
  readonly avgFillPrice: number;
  readonly permId: number | undefined;
}
export interface RawExecution {
  readonly reqId: number;
  readonly contract: Contract;
  readonly execution: Execution;
}
export interface RawPosition {
  readonly account: string;
  readonly contract: Contract;
  readonly position: number;
  readonly avgCost: number | undefined;
}
export interface RawAccountValue {
  readonly account: string;
  readonly tag: string;
  readonly value: string;
  readonly currency: string;
}
export interface RawHistoricalBar {
  readonly time: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}
export interface RawRealTimeBar extends Omit<RawHistoricalBar, 'time'> {
  /** Bar start, epoch seconds. */
  readonly time: number;
}

export interface SessionReady {
  readonly nextValidId: number;
  readonly accounts: readonly string[];
  readonly serverVersion: number;
}

export interface IbkrSessionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  /** Which connection of the adapter this is (1, 2, ...): orders remember the one they were written on. */
  readonly epoch: number;
  readonly budget: OutboundBudget;
  readonly scheduler: SchedulerLike;
  /** How long a request may wait for its answer. */
  readonly requestTimeoutMs: number;
  /** How long the handshake up to NEXT_VALID_ID may take. */
  readonly openTimeoutMs: number;
  /** Request ids, from REQUEST_ID_BAND, unique across sessions. */
  readonly nextRequestId: () => number;
  readonly logger: IbkrLogger;
}

/** Why a request or send failed. `code` is IBKR's (or 504 when the session closed, 0 for a timeout). */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Keyed {
  readonly label: string;
  readonly fail: (err: SessionError) => void;
}

/** An open stream of data for one request id (real-time bars, ticks). */
export interface StreamHandle {
  readonly reqId: number;
  /** Stop the stream (sends the cancel message when the session is still open). */
  cancel(): void;
}

const LIBRARY_RATE = 1000;

/**
 * One connection to IB Gateway through an unmodified @stoqey/ib `IBApi` (a fresh instance per
 * connection, so nothing queued in one can leak into the next). Every outbound message goes through
 * the shared OutboundBudget; request ids come from a band order ids never reach, so an error's id
 * tells a failed request from a failed order. Order traffic (OPEN_ORDER, ORDER_STATUS,
 * EXECUTION_DATA, COMMISSION_REPORT, order errors) and session notices are published as streams;
 * requests resolve with everything up to their end marker or fail with the error IBKR sent for their
 * id, a timeout, or the connection closing. Listeners never throw into the library.
 */
export class IbkrSession {
  readonly notices$ = new Subject<SessionNotice>();
  readonly orderErrors$ = new Subject<SessionNotice>();
  readonly openOrders$ = new Subject<RawOpenOrder>();
  readonly orderStatus$ = new Subject<RawOrderStatus>();
  readonly executions$ = new Subject<RawExecution>();
  readonly commissions$ = new Subject<CommissionReport>();
  readonly nextValidIds$ = new Subject<number>();
  private readonly closedSubject = new ReplaySubject<string>(1);
  /** Emits once, with the reason, when the connection has closed. */
  readonly closed$: Observable<string> = this.closedSubject.asObservable();

  private readonly api: IBApi;
  private readonly keyed = new Map<number, Keyed>();
  private readonly serial = new Map<string, Promise<unknown>>();
  private readonly timers = new Set<Subscription>();
  private readonly historical = new Map<number, (bar: RawHistoricalBar | 'end') => void>();
  private readonly summaries = new Map<number, { values: RawAccountValue[]; done: () => void }>();
  private readonly executionRequests = new Map<number, () => void>();
  private readonly barSinks = new Map<number, (bar: RawRealTimeBar) => void>();
  private readonly ticks = new Map<number, (tickType: number, value: number) => void>();
  private readonly snapshotEnds = new Map<number, () => void>();
  private positionSink: ((p: RawPosition | 'end') => void) | undefined;
  private openOrdersEnd: (() => void) | undefined;
  private completedSink: ((o: RawOpenOrder | 'end') => void) | undefined;
  private currentTimeSink: ((t: number) => void) | undefined;
  private accounts: string[] = [];
  private localKey = -1;
  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';

  constructor(private readonly options: IbkrSessionOptions) {
    // Every option is given explicitly, so the library never falls back to its own configuration
    // (which would read a .env file and IB_* variables).
    this.api = new IBApi({
      host: options.host,
      port: options.port,
      clientId: options.clientId,
      maxReqPerSec: LIBRARY_RATE,
    });
    this.listen();
  }

  get epoch(): number {
    return this.options.epoch;
  }

  /** True between NEXT_VALID_ID and the close. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  get serverVersion(): number {
    return this.api.serverVersion;
  }

  get managedAccounts(): readonly string[] {
    return this.accounts;
  }

  /**
   * The library client of this connection, for streams this class does not model (option ticks):
   * callers may add listeners (removed with all others on close) and write only through `send`.
   */
  get ibApi(): IBApi {
    return this.api;
  }

  /** Connect and wait for NEXT_VALID_ID. Rejects with the reason (e.g. 502 refused, 326 client id in use). */
  open(): Promise<SessionReady> {
    if (this.state !== 'new') return Promise.reject(new SessionError(504, 'session already used'));
    this.state = 'opening';
    return new Promise<SessionReady>((resolve, reject) => {
      let lastProblem: SessionNotice | undefined;
      const cleanup: (() => void)[] = [];
      const done = (outcome: () => void) => {
        cleanup.forEach((f) => f());
        outcome();
      };
      const noticeSub = this.notices$.subscribe((n) => {
        const kind = classifyIbkrCode(n.code, n.text);
        const specific = kind === 'client_id_in_use' || kind === 'client_protocol' || kind === 'account_setup';
        // The first specific reason wins (326 arrives just before the gateway closes the socket);
        // a generic 502/504 only when nothing better is known.
        if ((specific && lastProblem?.code !== 326) || (kind === 'not_connected' && lastProblem === undefined))
          lastProblem = n;
      });
      cleanup.push(() => noticeSub.unsubscribe());
      const idSub = this.nextValidIds$.subscribe((id) => {
        if (this.state !== 'opening') return;
        this.state = 'open';
        done(() => resolve({ nextValidId: id, accounts: this.accounts, serverVersion: this.api.serverVersion }));
      });
      cleanup.push(() => idSub.unsubscribe());
      const closedSub = this.closed$.subscribe((reason) =>
        done(() =>
          reject(
            new SessionError(
              lastProblem?.code ?? 502,
              lastProblem
                ? `${lastProblem.text} (${lastProblem.code})`
                : `connection closed during the handshake: ${reason}`,
            ),
          ),
        ),
      );
      cleanup.push(() => closedSub.unsubscribe());
      const timer = this.options.scheduler.schedule(() => {
        if (this.state !== 'opening') return;
        this.close(`no NEXT_VALID_ID within ${this.options.openTimeoutMs} ms`);
      }, this.options.openTimeoutMs);
      cleanup.push(() => timer.unsubscribe());
      try {
        this.api.connect(this.options.clientId);
      } catch (err) {
        this.close(`connect failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  /** Close the connection (idempotent). Pending requests fail with code 504. */
  close(reason = 'closed by the adapter'): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state !== 'new';
    this.state = 'closed';
    for (const t of this.timers) t.unsubscribe();
    this.timers.clear();
    const err = new SessionError(504, `IB Gateway connection closed: ${reason}`);
    for (const [, k] of [...this.keyed]) k.fail(err);
    this.keyed.clear();
    // Listeners go first: the library reports its own disconnect as notices we must not act on.
    this.api.removeAllListeners();
    if (wasOpen) {
      try {
        this.api.disconnect();
      } catch (e) {
        this.options.logger.debug({ err: e }, 'ibkr: disconnect threw');
      }
    }
    this.closedSubject.next(reason);
    this.closedSubject.complete();
    for (const s of [
      this.notices$,
      this.orderErrors$,
      this.openOrders$,
      this.orderStatus$,
      this.executions$,
      this.commissions$,
      this.nextValidIds$,
    ])
      s.complete();
  }

  /**
   * Write one message (or `cost` messages) through the budget at `priority`. Resolves once written
   * to the socket; rejects if the session closes first or `withdraw` is called before it went.
   */
  send(
    priority: OutboundPriority,
    label: string,
    write: (api: IBApi) => void,
    cost = 1,
  ): { readonly sent: Promise<void>; readonly withdraw: () => boolean } {
    let withdraw: () => boolean = () => false;
    const sent = new Promise<void>((resolve, reject) => {
      if (this.state !== 'open') {
        reject(new SessionError(504, `not connected to IB Gateway (${label} not sent)`));
        return;
      }
      const closedSub = this.closed$.subscribe((reason) => {
        if (withdrawFromBudget())
          reject(new SessionError(504, `IB Gateway connection closed before ${label} was sent: ${reason}`));
      });
      const withdrawFromBudget = this.options.budget.enqueue(
        priority,
        () => {
          closedSub.unsubscribe();
          if (this.state !== 'open') {
            reject(new SessionError(504, `IB Gateway connection closed before ${label} was sent`));
            return;
          }
          try {
            write(this.api);
            resolve();
          } catch (err) {
            reject(
              new SessionError(0, `${label} could not be written: ${err instanceof Error ? err.message : String(err)}`),
            );
          }
        },
        (reason) => {
          closedSub.unsubscribe();
          reject(new SessionError(504, `${label} dropped before sending: ${reason}`));
        },
        cost,
      );
      withdraw = () => {
        const withdrawn = withdrawFromBudget();
        if (withdrawn) {
          closedSub.unsubscribe();
          reject(new SessionError(0, `${label} withdrawn before sending`));
        }
        return withdrawn;
      };
    });
    return { sent, withdraw: () => withdraw() };
  }

  /** REQ_IDS: the gateway's next valid order id. */
  requestNextValidId(): Promise<number> {
    return this.serialised('reqIds', () =>
      this.oneShot<number>('reqIds', 'account', (resolve) => {
        const sub = this.nextValidIds$.subscribe((id) => {
          sub.unsubscribe();
          resolve(id);
        });
        return { write: (api) => api.reqIds(), cleanup: () => sub.unsubscribe() };
      }),
    );
  }

  /** REQ_CURRENT_TIME: the gateway's clock, epoch seconds (a cheap round trip). */
  currentTime(): Promise<number> {
    return this.serialised('currentTime', () =>
      this.oneShot<number>('currentTime', 'account', (resolve) => {
        this.currentTimeSink = resolve;
        return { write: (api) => api.reqCurrentTime(), cleanup: () => (this.currentTimeSink = undefined) };
      }),
    );
  }

  /** REQ_OPEN_ORDERS: this client id's open orders with their latest status, up to OPEN_ORDER_END. */
  openOrders(): Promise<{ readonly orders: readonly RawOpenOrder[]; readonly statuses: readonly RawOrderStatus[] }> {
    return this.serialised('openOrders', () =>
      this.oneShot('openOrders', 'account', (resolve) => {
        const orders: RawOpenOrder[] = [];
        const statuses: RawOrderStatus[] = [];
        const subs = [
          this.openOrders$.subscribe((o) => orders.push(o)),
          this.orderStatus$.subscribe((s) => statuses.push(s)),
        ];
        this.openOrdersEnd = () => resolve({ orders, statuses });
        return {
          write: (api) => api.reqOpenOrders(),
          cleanup: () => {
            subs.forEach((s) => s.unsubscribe());
            this.openOrdersEnd = undefined;
          },
        };
      }),
    );
  }

  /** REQ_COMPLETED_ORDERS (API orders only), up to COMPLETED_ORDERS_END. */
  completedOrders(): Promise<readonly RawOpenOrder[]> {
    return this.serialised('completedOrders', () =>
      this.oneShot<readonly RawOpenOrder[]>('completedOrders', 'account', (resolve) => {
        const orders: RawOpenOrder[] = [];
        this.completedSink = (o) => (o === 'end' ? resolve(orders) : orders.push(o));
        return { write: (api) => api.reqCompletedOrders(true), cleanup: () => (this.completedSink = undefined) };
      }),
    );
  }

  /**
   * REQ_EXECUTIONS with `filter`: the executions up to EXECUTION_DATA_END. Their COMMISSION_REPORTs
   * arrive on `commissions$` (they carry no request id).
   */
  executions(filter: ExecutionFilter): Promise<readonly RawExecution[]> {
    const reqId = this.options.nextRequestId();
    return this.oneShot<readonly RawExecution[]>(
      'executions',
      'account',
      (resolve) => {
        const found: RawExecution[] = [];
        const sub = this.executions$.subscribe((e) => {
          if (e.reqId === reqId) found.push(e);
        });
        this.executionRequests.set(reqId, () => resolve(found));
        return {
          write: (api) => api.reqExecutions(reqId, filter),
          cleanup: () => {
            sub.unsubscribe();
            this.executionRequests.delete(reqId);
          },
        };
      },
      reqId,
    );
  }

  /** REQ_POSITIONS up to POSITION_END, then CANCEL_POSITIONS. Collected from the raw events (see README: IBApiNext's splice bug). */
  positions(): Promise<readonly RawPosition[]> {
    return this.serialised('positions', () =>
      this.oneShot<readonly RawPosition[]>('positions', 'account', (resolve) => {
        const found: RawPosition[] = [];
        this.positionSink = (p) => {
          if (p !== 'end') {
            found.push(p);
            return;
          }
          resolve(found);
          this.send('account', 'cancelPositions', (api) => api.cancelPositions()).sent.catch(() => undefined);
        };
        return { write: (api) => api.reqPositions(), cleanup: () => (this.positionSink = undefined) };
      }),
    );
  }

  /** REQ_ACCOUNT_SUMMARY for `tags` (group All) up to its end, then CANCEL_ACCOUNT_SUMMARY. */
  accountSummary(tags: readonly string[]): Promise<readonly RawAccountValue[]> {
    const reqId = this.options.nextRequestId();
    return this.oneShot<readonly RawAccountValue[]>(
      'accountSummary',
      'account',
      (resolve) => {
        const values: RawAccountValue[] = [];
        this.summaries.set(reqId, {
          values,
          done: () => {
            resolve(values);
            this.send('account', 'cancelAccountSummary', (api) => api.cancelAccountSummary(reqId)).sent.catch(
              () => undefined,
            );
          },
        });
        return {
          write: (api) => api.reqAccountSummary(reqId, 'All', tags.join(',')),
          cleanup: () => this.summaries.delete(reqId),
        };
      },
      reqId,
    );
  }

  /** REQ_HISTORICAL_DATA (formatDate 2: epoch seconds for intraday bars), resolved by the one HISTORICAL_DATA answer. */
  historicalData(
    contract: Contract,
    request: {
      readonly endDateTime: string;
      readonly duration: string;
      readonly barSize: BarSizeSetting;
      readonly whatToShow: WhatToShow;
      readonly useRth: boolean;
    },
    onSent: () => void = () => undefined,
  ): Promise<readonly RawHistoricalBar[]> {
    const reqId = this.options.nextRequestId();
    return this.oneShot<readonly RawHistoricalBar[]>(
      'historicalData',
      'history',
      (resolve) => {
        const bars: RawHistoricalBar[] = [];
        this.historical.set(reqId, (bar) => (bar === 'end' ? resolve(bars) : bars.push(bar)));
        return {
          write: (api) => {
            api.reqHistoricalData(
              reqId,
              contract,
              request.endDateTime,
              request.duration,
              request.barSize,
              request.whatToShow,
              request.useRth,
              2,
              false,
            );
            onSent();
          },
          cleanup: () => this.historical.delete(reqId),
        };
      },
      reqId,
    );
  }

  /** REQ_REAL_TIME_BARS (5-second TRADES bars) until `cancel`; `onError` gets the error IBKR sends for it. */
  realTimeBars(
    contract: Contract,
    useRth: boolean,
    onBar: (bar: RawRealTimeBar) => void,
    onError: (err: SessionError) => void,
  ): StreamHandle {
    return this.stream(
      'realTimeBars',
      (reqId) => {
        this.barSinks.set(reqId, onBar);
        return (api) => api.reqRealTimeBars(reqId, contract, 5, 'TRADES' as WhatToShow, useRth);
      },
      (reqId) => this.barSinks.delete(reqId),
      (api, reqId) => api.cancelRealTimeBars(reqId),
      onError,
    );
  }

  /** REQ_MKT_DATA as a snapshot: the prices by tick type, up to TICK_SNAPSHOT_END. */
  snapshot(contract: Contract): Promise<ReadonlyMap<number, number>> {
    const reqId = this.options.nextRequestId();
    return this.oneShot<ReadonlyMap<number, number>>(
      'snapshot',
      'market_data',
      (resolve) => {
        const prices = new Map<number, number>();
        this.ticks.set(reqId, (tickType, value) => prices.set(tickType, value));
        this.snapshotEnds.set(reqId, () => resolve(prices));
        return {
          write: (api) => api.reqMktData(reqId, contract, '', true, false),
          cleanup: () => {
            this.ticks.delete(reqId);
            this.snapshotEnds.delete(reqId);
          },
        };
      },
      reqId,
    );
  }

  /** REQ_MKT_DATA (streaming, default ticks) until `cancel`. */
  marketData(
    contract: Contract,
    onTick: (tickType: number, value: number) => void,
    onError: (err: SessionError) => void,
  ): StreamHandle {
    return this.stream(
      'marketData',
      (reqId) => {
        this.ticks.set(reqId, onTick);
        return (api) => api.reqMktData(reqId, contract, '', false, false);
      },
      (reqId) => this.ticks.delete(reqId),
      (api, reqId) => api.cancelMktData(reqId),
      onError,
    );
  }

  private stream(
    label: string,
    start: (reqId: number) => (api: IBApi) => void,
    stop: (reqId: number) => void,
    cancel: (api: IBApi, reqId: number) => void,
    onError: (err: SessionError) => void,
  ): StreamHandle {
    const reqId = this.options.nextRequestId();
    let active = true;
    const end = () => {
      active = false;
      stop(reqId);
      this.keyed.delete(reqId);
    };
    this.keyed.set(reqId, {
      label,
      fail: (err) => {
        if (!active) return;
        end();
        onError(err);
      },
    });
    const write = start(reqId);
    this.send('market_data', label, write).sent.catch((err: unknown) => {
      if (active && err instanceof SessionError) this.keyed.get(reqId)?.fail(err);
    });
    return {
      reqId,
      cancel: () => {
        if (!active) return;
        end();
        if (this.state === 'open')
          this.send('market_data', `cancel ${label}`, (api) => cancel(api, reqId)).sent.catch(() => undefined);
      },
    };
  }

  /** Run requests of one kind one at a time (their answers carry no request id). */
  private serialised<T>(kind: string, run: () => Promise<T>): Promise<T> {
    const previous = this.serial.get(kind) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.serial.set(
      kind,
      next.catch(() => undefined),
    );
    return next;
  }

  /**
   * One request/answer exchange: `setup` installs the collectors and returns the write; the promise
   * settles on the answer, an error for `reqId`, the timeout or the close, and cleans up either way.
   */
  private oneShot<T>(
    label: string,
    priority: OutboundPriority,
    setup: (resolve: (value: T) => void) => { readonly write: (api: IBApi) => void; readonly cleanup: () => void },
    reqId?: number,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.state !== 'open') {
        reject(new SessionError(504, `not connected to IB Gateway (${label})`));
        return;
      }
      let settled = false;
      let cleanup: () => void = () => undefined;
      const timer = this.options.scheduler.schedule(
        () =>
          finish(() =>
            reject(
              new SessionError(0, `${label}: no answer from IB Gateway within ${this.options.requestTimeoutMs} ms`),
            ),
          ),
        this.options.requestTimeoutMs,
      );
      this.timers.add(timer);
      // Answers without a request id are keyed locally with negative numbers, which IBKR never uses.
      const key = reqId ?? (this.localKey -= 1);
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        timer.unsubscribe();
        this.timers.delete(timer);
        this.keyed.delete(key);
        cleanup();
        outcome();
      };
      this.keyed.set(key, { label, fail: (err) => finish(() => reject(err)) });
      const installed = setup((value) => finish(() => resolve(value)));
      cleanup = installed.cleanup;
      this.send(priority, label, installed.write).sent.catch((err: unknown) =>
        finish(() => reject(err instanceof Error ? err : new SessionError(0, String(err)))),
      );
    });
  }

  private guard<A extends unknown[]>(name: string, handler: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        handler(...args);
      } catch (err) {
        this.options.logger.error({ err, event: name }, `ibkr: handler for ${name} failed`);
      }
    };
  }

  private onError(code: number, text: string, id: number): void {
    const notice: SessionNotice = { code, text, id };
    if (id === undefined || id < 0 || !Number.isFinite(id)) {
      this.notices$.next({ ...notice, id: -1 });
      return;
    }
    const pending = this.keyed.get(id);
    const kind = classifyIbkrCode(code, text);
    if (pending) {
      if (kind === 'warning')
        this.options.logger.debug({ code, text, reqId: id }, `ibkr: warning for ${pending.label}`);
      else pending.fail(new SessionError(code, text));
      return;
    }
    if (id >= REQUEST_ID_BAND.first) {
      this.options.logger.debug({ code, text, reqId: id }, 'ibkr: message for a finished request');
      return;
    }
    if (id === 0) {
      this.notices$.next({ ...notice, id: -1 });
      return;
    }
    this.orderErrors$.next(notice);
  }

  private listen(): void {
    const api = this.api;
    const on = api.on.bind(api) as (event: string, listener: (...args: never[]) => void) => void;
    on(
      EventName.error,
      this.guard('error', (err: Error, code: number, reqId: number) =>
        this.onError(code, err?.message ?? String(err), reqId),
      ),
    );
    on(
      EventName.info,
      this.guard('info', (message: string, code: number) => this.notices$.next({ code, text: message, id: -1 })),
    );
    on(
      EventName.disconnected,
      this.guard('disconnected', () => this.close('IB Gateway closed the connection')),
    );
    on(
      EventName.managedAccounts,
      this.guard('managedAccounts', (list: string) => {
        this.accounts = String(list ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a.length > 0);
      }),
    );
    on(
      EventName.nextValidId,
      this.guard('nextValidId', (id: number) => this.nextValidIds$.next(id)),
    );
    on(
      EventName.currentTime,
      this.guard('currentTime', (time: number) => this.currentTimeSink?.(time)),
    );
    on(
      EventName.openOrder,
      this.guard('openOrder', (orderId: number, contract: Contract, order: Order, state: OrderState) =>
        this.openOrders$.next({ orderId, contract, order, state }),
      ),
    );
    on(
      EventName.openOrderEnd,
      this.guard('openOrderEnd', () => this.openOrdersEnd?.()),
    );
    on(
      EventName.orderStatus,
      this.guard(
        'orderStatus',
        (orderId: number, status: string, filled: number, remaining: number, avgFillPrice: number, permId?: number) =>
          this.orderStatus$.next({ orderId, status: String(status), filled, remaining, avgFillPrice, permId }),
      ),
    );
    on(
      EventName.completedOrder,
      this.guard('completedOrder', (contract: Contract, order: Order, state: OrderState) =>
        this.completedSink?.({ orderId: order.orderId ?? 0, contract, order, state }),
      ),
    );
    on(
      EventName.completedOrdersEnd,
      this.guard('completedOrdersEnd', () => this.completedSink?.('end')),
    );
    on(
      EventName.execDetails,
      this.guard('execDetails', (reqId: number, contract: Contract, execution: Execution) =>
        this.executions$.next({ reqId, contract, execution }),
      ),
    );
    on(
      EventName.execDetailsEnd,
      this.guard('execDetailsEnd', (reqId: number) => this.executionRequests.get(reqId)?.()),
    );
    on(
      EventName.commissionReport,
      this.guard('commissionReport', (report: CommissionReport) => this.commissions$.next(report)),
    );
    on(
      EventName.position,
      this.guard('position', (account: string, contract: Contract, position: number, avgCost?: number) =>
        this.positionSink?.({ account, contract, position, avgCost }),
      ),
    );
    on(
      EventName.positionEnd,
      this.guard('positionEnd', () => this.positionSink?.('end')),
    );
    on(
      EventName.accountSummary,
      this.guard('accountSummary', (reqId: number, account: string, tag: string, value: string, currency: string) =>
        this.summaries.get(reqId)?.values.push({ account, tag, value, currency }),
      ),
    );
    on(
      EventName.accountSummaryEnd,
      this.guard('accountSummaryEnd', (reqId: number) => this.summaries.get(reqId)?.done()),
    );
    on(
      EventName.historicalData,
      this.guard(
        'historicalData',
        (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number) => {
          const sink = this.historical.get(reqId);
          if (!sink) return;
          if (String(time).startsWith('finished')) sink('end');
          else sink({ time: String(time), open, high, low, close, volume });
        },
      ),
    );
    on(
      EventName.realtimeBar,
      this.guard(
        'realtimeBar',
        (reqId: number, time: number, open: number, high: number, low: number, close: number, volume: number) =>
          this.barSinks.get(reqId)?.({ time: Number(time), open, high, low, close, volume }),
      ),
    );
    on(
      EventName.tickSnapshotEnd,
      this.guard('tickSnapshotEnd', (reqId: number) => this.snapshotEnds.get(reqId)?.()),
    );
    on(
      EventName.tickPrice,
      this.guard('tickPrice', (reqId: number, tickType: number, value: number) =>
        this.ticks.get(reqId)?.(tickType, value),
      ),
    );
  }
}
