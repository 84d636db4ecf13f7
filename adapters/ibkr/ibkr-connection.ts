import { BehaviorSubject, Subject, distinctUntilChanged, map } from 'rxjs';
import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import type { BrokerConnectionState } from '../../engine/ports/broker.port.js';
import {
  type BackoffPolicy,
  type ConnectionEffect,
  type ConnectionInput,
  type ConnectionState,
  DEFAULT_BACKOFF,
  INITIAL_CONNECTION,
  publicConnectionState,
  stepConnection,
} from './connection-machine.js';
import type { IbkrLogger } from './ibkr-logger.js';
import { IbkrSession, SessionError } from './ibkr-session.js';
import type { SessionReady } from './ibkr-session.js';
import type { OutboundBudget } from './outbound-budget.js';
import { REQUEST_ID_BAND } from './order-id-allocator.js';

export interface IbkrConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** IBKR_CLIENT_ID: used for every connection, never incremented. */
  readonly clientId: number;
  readonly scheduler: SchedulerLike;
  readonly budget: OutboundBudget;
  readonly logger: IbkrLogger;
  readonly requestTimeoutMs: number;
  readonly openTimeoutMs: number;
  readonly backoff?: BackoffPolicy;
}

/** Work the broker and market data register to run when a session is ready or IBKR comes back. */
export interface ConnectionHooks {
  /** Reconcile on (re)connect and after 1101/1102. The session is `syncing` until the (re)connect run settles. */
  reconcile?(session: IbkrSession, reason: string): Promise<void>;
  /** Re-request market data (after 1101, or on a new session). */
  resubscribe?(session: IbkrSession, reason: string): void;
}

/**
 * Runs the connection state machine against real sessions: opens a fresh IbkrSession per attempt
 * with the fixed client id, retries with backoff while a connection is wanted, runs the registered
 * reconciliation before reporting `connected`, and forwards every session notice to the machine.
 * `state$` is the engine's view (disconnected / connecting / connected / degraded).
 */
export class IbkrConnection {
  private machine: ConnectionState = INITIAL_CONNECTION;
  private readonly detailSubject = new BehaviorSubject<ConnectionState>(INITIAL_CONNECTION);
  private readonly sessionsSubject = new Subject<IbkrSession>();
  private readonly hooks: ConnectionHooks[] = [];
  private current: IbkrSession | undefined;
  private ready: SessionReady | undefined;
  private retry: Subscription | undefined;
  private readonly inbox: ConnectionInput[] = [];
  private stepping = false;
  private nextReqId: number = REQUEST_ID_BAND.first;
  private reconciling: Promise<void> = Promise.resolve();
  private disposed = false;

  /** Every state change of the machine (for status reports). */
  readonly detail$: Observable<ConnectionState> = this.detailSubject.asObservable();
  /** The engine's view of the connection. */
  readonly state$: Observable<BrokerConnectionState> = this.detailSubject.pipe(
    map(publicConnectionState),
    distinctUntilChanged(),
  );
  /** Each session as soon as it is created (before its handshake), so its streams can be wired first. */
  readonly sessions$: Observable<IbkrSession> = this.sessionsSubject.asObservable();

  constructor(private readonly options: IbkrConnectionOptions) {}

  get detail(): ConnectionState {
    return this.machine;
  }

  get state(): BrokerConnectionState {
    return publicConnectionState(this.machine);
  }

  /** The current session once its handshake finished (also while syncing), else undefined. */
  get session(): IbkrSession | undefined {
    return this.current?.isOpen ? this.current : undefined;
  }

  /** What the gateway said when the current session opened. */
  get handshake(): SessionReady | undefined {
    return this.current?.isOpen ? this.ready : undefined;
  }

  /** A session that takes orders (state connected or degraded), else undefined. */
  get tradingSession(): IbkrSession | undefined {
    const s = this.state;
    return s === 'connected' || s === 'degraded' ? this.session : undefined;
  }

  addHooks(hooks: ConnectionHooks): void {
    this.hooks.push(hooks);
  }

  connect(): void {
    this.dispatch({ kind: 'connect' });
  }

  disconnect(): void {
    this.dispatch({ kind: 'disconnect' });
  }

  /**
   * Run the reconcile hooks now on the current session (position-sync interval), serialised with
   * every other run. Resolves false when there is no open session.
   */
  reconcileNow(reason: string): Promise<boolean> {
    const session = this.session;
    if (!session || this.machine.phase !== 'ready') return Promise.resolve(false);
    return this.runReconcile(session, reason).then(() => true);
  }

  /** Resolves with the public state once the machine is ready, idle or backing off (or after `timeoutMs`). */
  settled(timeoutMs: number): Promise<BrokerConnectionState> {
    return new Promise((resolve) => {
      let timer: Subscription | undefined;
      const sub = this.detailSubject.subscribe((d) => {
        if (d.phase === 'ready' || d.phase === 'idle' || d.phase === 'backoff') finish();
      });
      const finish = () => {
        timer?.unsubscribe();
        sub.unsubscribe();
        resolve(this.state);
      };
      if (!sub.closed) timer = this.options.scheduler.schedule(finish, timeoutMs);
    });
  }

  /** Disconnect and complete the streams. */
  dispose(): void {
    if (this.disposed) return;
    this.disconnect();
    this.disposed = true;
    this.retry?.unsubscribe();
    this.detailSubject.complete();
    this.sessionsSubject.complete();
  }

  private dispatch(input: ConnectionInput): void {
    if (this.disposed) return;
    this.inbox.push(input);
    if (this.stepping) return;
    this.stepping = true;
    try {
      for (let next = this.inbox.shift(); next; next = this.inbox.shift()) {
        const step = stepConnection(this.machine, next, this.options.backoff ?? DEFAULT_BACKOFF);
        const changed = step.state !== this.machine;
        this.machine = step.state;
        if (changed) this.detailSubject.next(step.state);
        for (const effect of step.effects) this.run(effect);
      }
    } finally {
      this.stepping = false;
    }
  }

  private requestId = (): number => {
    const id = this.nextReqId;
    this.nextReqId = id >= REQUEST_ID_BAND.last ? REQUEST_ID_BAND.first : id + 1;
    return id;
  };

  private run(effect: ConnectionEffect): void {
    const { logger } = this.options;
    switch (effect.kind) {
      case 'open_session':
        this.openSession(effect.epoch);
        return;
      case 'close_session':
        this.current?.close(effect.reason);
        this.current = undefined;
        this.ready = undefined;
        return;
      case 'schedule_retry':
        logger.warn(
          { delayMs: effect.delayMs, lastError: this.machine.lastError, attempt: this.machine.attempt },
          'ibkr: connection attempt failed; retrying with the same client id',
        );
        this.retry?.unsubscribe();
        this.retry = this.options.scheduler.schedule(() => {
          this.retry = undefined;
          this.dispatch({ kind: 'retry_due' });
        }, effect.delayMs);
        return;
      case 'cancel_retry':
        this.retry?.unsubscribe();
        this.retry = undefined;
        return;
      case 'reconcile': {
        const session = this.current;
        if (!session) return;
        const epoch = session.epoch;
        const initial = this.machine.phase === 'syncing';
        void this.runReconcile(session, effect.reason).then(() => {
          if (initial) this.dispatch({ kind: 'synced', epoch });
        });
        return;
      }
      case 'resubscribe_market_data': {
        const session = this.current;
        if (session) this.forEachHook((h) => h.resubscribe?.(session, 'restored: data lost'));
        return;
      }
    }
  }

  private runReconcile(session: IbkrSession, reason: string): Promise<void> {
    const run = async () => {
      for (const hook of this.hooks) {
        if (!hook.reconcile || !session.isOpen) continue;
        try {
          await hook.reconcile(session, reason);
        } catch (err) {
          this.options.logger.error({ err, reason }, 'ibkr: reconciliation failed; the next sync will try again');
        }
      }
    };
    this.reconciling = this.reconciling.then(run, run);
    return this.reconciling;
  }

  private forEachHook(f: (h: ConnectionHooks) => void): void {
    for (const h of this.hooks) {
      try {
        f(h);
      } catch (err) {
        this.options.logger.error({ err }, 'ibkr: connection hook failed');
      }
    }
  }

  private openSession(epoch: number): void {
    const { options } = this;
    this.current?.close('replaced by a new connection');
    const session = new IbkrSession({
      host: options.host,
      port: options.port,
      clientId: options.clientId,
      epoch,
      budget: options.budget,
      scheduler: options.scheduler,
      requestTimeoutMs: options.requestTimeoutMs,
      openTimeoutMs: options.openTimeoutMs,
      nextRequestId: this.requestId,
      logger: options.logger,
    });
    this.current = session;
    this.ready = undefined;
    session.notices$.subscribe((n) => {
      options.logger.info({ code: n.code, text: n.text }, 'ibkr: gateway notice');
      this.dispatch({ kind: 'notice', code: n.code, text: n.text });
    });
    session.closed$.subscribe((reason) => {
      if (this.current === session) {
        this.current = undefined;
        this.ready = undefined;
      }
      this.dispatch({ kind: 'closed', epoch, reason });
    });
    this.sessionsSubject.next(session);
    session.open().then(
      (ready) => {
        this.ready = ready;
        options.logger.info(
          { serverVersion: ready.serverVersion, nextValidId: ready.nextValidId, accounts: ready.accounts, epoch },
          'ibkr: connected to IB Gateway',
        );
        this.forEachHook((h) => h.resubscribe?.(session, 'new connection'));
        this.dispatch({ kind: 'opened', epoch });
      },
      (err: unknown) => {
        const code = err instanceof SessionError ? err.code : 502;
        const text = err instanceof Error ? err.message : String(err);
        this.dispatch({ kind: 'open_failed', epoch, code, text });
      },
    );
  }
}
