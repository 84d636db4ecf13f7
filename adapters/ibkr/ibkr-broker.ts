import { Observable, Subject } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { CommissionReport } from '@stoqey/ib';
import { DomainError } from '../../engine/errors.js';
import { OrderIntentSchema, TERMINAL_ORDER_STATUSES } from '../../engine/messages/order.js';
import type { BrokerEvent, FillEvent, OrderIntent, OrderRecord } from '../../engine/messages/order.js';
import type { Side } from '../../engine/messages/signal.js';
import type { BrokerConnectionState, BrokerPort } from '../../engine/ports/broker.port.js';
import type { ClockPort } from '../../engine/ports/clock.port.js';
import type { IbkrConnection } from './ibkr-connection.js';
import { classifyIbkrCode } from './ibkr-error-codes.js';
import type { IbkrLogger } from './ibkr-logger.js';
import {
  formatIbUtc,
  parseCommission,
  parseExecution,
  parseOrder,
  parseOrderStatus,
  parsePosition,
} from './ibkr-parse.js';
import type { IbkrSession, RawExecution, RawOpenOrder, RawOrderStatus, SessionNotice } from './ibkr-session.js';
import type { BrokerOrderView, ExecutionView, FillDraft, Handover, LedgerOrder, PositionView } from './ibkr-views.js';
import type { OrderIdAllocator } from './order-id-allocator.js';
import { OrderEventOutbox } from './order-event-outbox.js';
import { type OrderMappingOptions, orderIdsNeeded, parseOrderRef, toIbOrders } from './order-mapping.js';
import { type ReconciledEvent, type ReconciliationReport, reconcile } from './reconciliation.js';

/**
 * Where reconciliation reads our side of the books: the orders the database holds as not terminal
 * and (optionally) the engine's positions. The composition root backs it with storage/engine state.
 */
export interface IbkrLedger {
  openOrders(): Promise<readonly OrderRecord[]>;
  positions?(): Promise<Readonly<Record<string, number>>>;
}

export interface IbkrBrokerOptions {
  readonly connection: IbkrConnection;
  readonly allocator: OrderIdAllocator;
  readonly mapping: OrderMappingOptions;
  readonly scheduler: SchedulerLike;
  readonly clock: ClockPort;
  readonly logger: IbkrLogger;
  readonly ledger?: IbkrLedger;
  /** How long a fill waits for its COMMISSION_REPORT before it is reported with commission 0. */
  readonly commissionGraceMs: number;
  /** Only this account's positions count (undefined: every managed account). */
  readonly account?: string;
}

/** The IBKR broker as the engine sees it, plus what reconciliation found. */
export interface IbkrBroker extends BrokerPort {
  readonly name: 'ibkr';
  /** One report per reconciliation run. */
  readonly reconciliations$: Observable<ReconciliationReport>;
  /** The last reconciliation report, if any. */
  lastReconciliation(): ReconciliationReport | undefined;
  /** Reconcile now (the position-sync loop calls this); false when not connected. */
  sync(reason?: string): Promise<boolean>;
  /** The positions IBKR reported at the last reconciliation (also used by the control). */
  lastPositions(): readonly PositionView[] | undefined;
  dispose(): void;
}

interface Tracked {
  readonly ref: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  /** Legs of a bracket report under their own ref; this is the entry's clientOrderId. */
  readonly parent: string | undefined;
  orderId: number | undefined;
  permId: number;
  handover: Handover;
  /** Connection the placeOrder was written on. */
  epoch: number;
  accepted: boolean;
  terminal: boolean;
  /** Shares reported filled so far (by us, or by the database before a restart). */
  filled: number;
  lastError: { readonly code: number; readonly text: string } | undefined;
  withdraw: (() => boolean) | undefined;
  /** We sent a cancel for it (the cancelled event says so). */
  cancelRequested: boolean;
}

const LIVE_STATUSES = new Set(['PreSubmitted', 'Submitted', 'PendingCancel']);
const CANCELLED_STATUSES = new Set(['Cancelled', 'ApiCancelled']);
/** Error codes that reject an order even after IBKR acknowledged it. */
const ALWAYS_REJECTS = new Set([201, 203]);
const EXEC_LOOKBACK_MS = 60_000;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The BrokerPort on IB Gateway. Orders go out with our clientOrderId as orderRef and ids from the
 * OrderIdAllocator; `submit` completes once placeOrder is written to the socket (or errors with
 * not_connected when it was not written: then it certainly was not sent). Live OPEN_ORDER /
 * ORDER_STATUS / EXECUTION_DATA / COMMISSION_REPORT / order errors become engine events, once each
 * and in order per order: accepted, fills (each execId once; a fill waits up to
 * `commissionGraceMs` for its commission), then cancelled or rejected with IBKR's code and text.
 * Every (re)connect, every 1101/1102 and `sync()` reconcile with IBKR (see reconciliation.ts); an
 * order whose send outcome is unknown is looked up by orderRef and never sent again.
 */
export const createIbkrBroker = (options: IbkrBrokerOptions): IbkrBroker => {
  const { connection, allocator, scheduler, clock, logger } = options;
  const events = new Subject<BrokerEvent>();
  const reports = new Subject<ReconciliationReport>();
  const byRef = new Map<string, Tracked>();
  const byOrderId = new Map<number, Tracked>();
  const byPermId = new Map<number, Tracked>();
  const seenExecIds = new Set<string>();
  /** Orders reconciliation declared missing: a later submit of the same id is refused. */
  const settledMissing = new Set<string>();
  const sessionSubs: Subscription[] = [];
  let lastReport: ReconciliationReport | undefined;
  let positions: readonly PositionView[] | undefined;
  let lastExecTs: number | undefined;
  let reconciledOnce = false;
  let disposed = false;

  const now = (): number => clock.now();

  // One queue per order keeps accepted -> fills -> terminal in order; fills wait for their commission.
  const outbox = new OrderEventOutbox({
    scheduler,
    graceMs: options.commissionGraceMs,
    emit: (e) => events.next(e),
    onCommissionMissing: (d) =>
      logger.warn(
        { execId: d.execId, clientOrderId: d.clientOrderId },
        'ibkr: no commission report in time; fill reported with commission 0',
      ),
  });

  const emitAccepted = (t: Tracked): void => {
    if (t.accepted) return;
    t.accepted = true;
    const brokerOrderId = String(t.permId || t.orderId || '');
    outbox.event(t.ref, { kind: 'order.accepted', ts: now(), clientOrderId: t.ref, symbol: t.symbol, brokerOrderId });
  };

  const emitTerminal = (t: Tracked, event: Exclude<BrokerEvent, FillEvent>): void => {
    if (t.terminal) return;
    t.terminal = true;
    outbox.event(t.ref, event);
  };

  const emitFill = (t: Tracked, draft: FillDraft): void => {
    if (seenExecIds.has(draft.execId)) return;
    seenExecIds.add(draft.execId);
    t.filled = Math.max(t.filled, draft.cumulativeQuantity);
    if (!t.accepted) emitAccepted(t);
    outbox.fill(t.ref, draft);
  };

  // ---- tracking ----

  const index = (t: Tracked, orderId: number | undefined, permId: number | undefined): void => {
    if (orderId !== undefined && orderId > 0) {
      t.orderId = orderId;
      byOrderId.set(orderId, t);
      allocator.observeUsedId(orderId);
    }
    if (permId !== undefined && permId > 0) {
      t.permId = permId;
      byPermId.set(permId, t);
    }
  };

  const track = (
    t: Omit<Tracked, 'permId' | 'accepted' | 'terminal' | 'lastError' | 'withdraw' | 'epoch' | 'cancelRequested'> &
      Partial<Tracked>,
  ): Tracked => {
    const tracked: Tracked = {
      cancelRequested: false,
      permId: 0,
      accepted: false,
      terminal: false,
      lastError: undefined,
      withdraw: undefined,
      epoch: 0,
      ...t,
    };
    byRef.set(tracked.ref, tracked);
    index(tracked, tracked.orderId, tracked.permId);
    return tracked;
  };

  const find = (
    ref: string | undefined,
    orderId: number | undefined,
    permId: number | undefined,
  ): Tracked | undefined =>
    (ref ? byRef.get(ref) : undefined) ??
    (permId ? byPermId.get(permId) : undefined) ??
    (orderId !== undefined && orderId > 0 ? byOrderId.get(orderId) : undefined);

  // ---- live messages ----

  const cancelReason = (t: Tracked, text?: string): string => {
    const detail = text ?? (t.lastError?.code === 202 ? t.lastError.text : '');
    const who = t.cancelRequested ? 'cancelled on request' : 'cancelled by IBKR';
    return detail ? `${who}: ${detail}` : who;
  };

  const applyStatus = (t: Tracked, status: string, filled: number | undefined): void => {
    if (LIVE_STATUSES.has(status) || status === 'Filled') {
      if (!t.terminal) emitAccepted(t);
      return;
    }
    if (CANCELLED_STATUSES.has(status)) {
      if (filled !== undefined && filled >= t.quantity) return;
      const reason = cancelReason(t);
      if (t.lastError && t.lastError.code !== 202 && !t.accepted)
        emitTerminal(t, {
          kind: 'order.rejected',
          ts: now(),
          clientOrderId: t.ref,
          symbol: t.symbol,
          code: String(t.lastError.code),
          text: t.lastError.text,
        });
      else emitTerminal(t, { kind: 'order.cancelled', ts: now(), clientOrderId: t.ref, symbol: t.symbol, reason });
      return;
    }
    if (status === 'Inactive') {
      if (t.lastError)
        emitTerminal(t, {
          kind: 'order.rejected',
          ts: now(),
          clientOrderId: t.ref,
          symbol: t.symbol,
          code: String(t.lastError.code),
          text: t.lastError.text,
        });
      else
        logger.warn(
          { clientOrderId: t.ref, orderId: t.orderId },
          'ibkr: order is Inactive at IBKR without an error; left open',
        );
    }
  };

  const onOpenOrder = (raw: RawOpenOrder): void => {
    const parsed = parseOrder('open', raw.orderId, raw.contract, raw.order, raw.state);
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason }, 'ibkr: open order dropped');
      return;
    }
    const view = parsed.value;
    allocator.observeUsedId(view.orderId);
    const t = find(view.orderRef, view.orderId, view.permId);
    if (!t) return;
    index(t, view.orderId, view.permId);
    applyStatus(t, view.status, undefined);
  };

  const onOrderStatus = (raw: RawOrderStatus): void => {
    const parsed = parseOrderStatus(raw.orderId, raw.status, raw.filled, raw.remaining, raw.avgFillPrice, raw.permId);
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason }, 'ibkr: order status dropped');
      return;
    }
    const s = parsed.value;
    allocator.observeUsedId(s.orderId);
    const t = find(undefined, s.orderId, s.permId);
    if (!t) return;
    index(t, s.orderId, s.permId);
    applyStatus(t, s.status, s.filled);
  };

  const onOrderError = (notice: SessionNotice): void => {
    const t = byOrderId.get(notice.id);
    const kind = classifyIbkrCode(notice.code, notice.text);
    if (!t) {
      logger.warn(
        { orderId: notice.id, code: notice.code, text: notice.text },
        'ibkr: error for an order we do not track',
      );
      return;
    }
    if (kind === 'warning') {
      logger.info({ clientOrderId: t.ref, code: notice.code, text: notice.text }, 'ibkr: order warning');
      return;
    }
    if (kind === 'cancel_failed') {
      logger.warn({ clientOrderId: t.ref, code: notice.code, text: notice.text }, 'ibkr: cancel refused by IBKR');
      return;
    }
    t.lastError = { code: notice.code, text: notice.text };
    if (kind === 'order_cancelled') {
      emitTerminal(t, {
        kind: 'order.cancelled',
        ts: now(),
        clientOrderId: t.ref,
        symbol: t.symbol,
        reason: cancelReason(t, notice.text),
      });
      return;
    }
    if (!t.accepted || ALWAYS_REJECTS.has(notice.code))
      emitTerminal(t, {
        kind: 'order.rejected',
        ts: now(),
        clientOrderId: t.ref,
        symbol: t.symbol,
        code: String(notice.code),
        text: notice.text,
      });
    else logger.warn({ clientOrderId: t.ref, code: notice.code, text: notice.text }, 'ibkr: error on a working order');
  };

  const draftOf = (t: Tracked, e: ExecutionView): FillDraft => {
    const remaining = Math.max(0, t.quantity - e.cumQty);
    return {
      kind: remaining === 0 ? 'order.filled' : 'order.partially_filled',
      ts: e.ts,
      clientOrderId: t.ref,
      symbol: t.symbol,
      execId: e.execId,
      side: t.side,
      quantity: e.shares,
      price: e.price,
      commission: e.commission ?? outbox.knownCommission(e.execId),
      cumulativeQuantity: e.cumQty,
      remaining,
    };
  };

  const onExecution = (raw: RawExecution): void => {
    // Executions answering our reqExecutions are reconciliation's to settle.
    if (raw.reqId !== -1) return;
    const parsed = parseExecution(raw.contract, raw.execution, now(), undefined);
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason }, 'ibkr: execution dropped');
      return;
    }
    const e = parsed.value;
    lastExecTs = Math.max(lastExecTs ?? 0, e.ts);
    if (seenExecIds.has(e.execId)) return;
    const t = find(e.orderRef, e.orderId, e.permId);
    if (!t) {
      logger.warn(
        { execId: e.execId, orderRef: e.orderRef, symbol: e.symbol },
        'ibkr: execution of an order we do not track',
      );
      return;
    }
    index(t, e.orderId, e.permId);
    if (e.cumQty <= t.filled) {
      seenExecIds.add(e.execId);
      return;
    }
    emitFill(t, draftOf(t, e));
  };

  const onCommission = (report: CommissionReport): void => {
    const commission = parseCommission(report.commission);
    if (report.execId === undefined || commission === undefined) return;
    outbox.commission(report.execId, commission);
  };

  const wire = (session: IbkrSession): void => {
    sessionSubs.push(
      session.closed$.subscribe(() => {
        // Sent on this connection and not acknowledged: the outcome is now unknown.
        for (const t of byRef.values())
          if (t.handover === 'current' && t.epoch === session.epoch && !t.terminal) t.handover = 'previous';
      }),
      session.openOrders$.subscribe(onOpenOrder),
      session.orderStatus$.subscribe(onOrderStatus),
      session.orderErrors$.subscribe(onOrderError),
      session.executions$.subscribe(onExecution),
      session.commissions$.subscribe(onCommission),
      session.nextValidIds$.subscribe((id) => allocator.observeNextValidId(id)),
    );
  };

  // ---- reconciliation ----

  const ledgerOrders = async (): Promise<LedgerOrder[]> => {
    const records = options.ledger ? await options.ledger.openOrders() : [];
    const result = new Map<string, LedgerOrder>();
    for (const r of records) {
      if (TERMINAL_ORDER_STATUSES.includes(r.status)) continue;
      const t = byRef.get(r.intent.clientOrderId);
      result.set(r.intent.clientOrderId, {
        clientOrderId: r.intent.clientOrderId,
        symbol: r.intent.symbol,
        side: r.intent.side,
        quantity: r.intent.quantity,
        status: t?.accepted && (r.status === 'created' || r.status === 'submitted') ? 'accepted' : r.status,
        filledQuantity: Math.max(r.filledQuantity, t?.filled ?? 0),
        handover: t?.handover ?? 'none',
      });
    }
    for (const t of byRef.values()) {
      if (t.terminal || result.has(t.ref)) continue;
      if (options.ledger && t.handover === 'not_sent') continue;
      result.set(t.ref, {
        clientOrderId: t.ref,
        symbol: t.symbol,
        side: t.side,
        quantity: t.quantity,
        status: t.accepted ? 'accepted' : 'submitted',
        filledQuantity: t.filled,
        handover: t.handover,
      });
    }
    return [...result.values()];
  };

  /** Keep what parses; log what does not. */
  const keep = <T>(
    parsed: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string },
    what: string,
  ): T[] => {
    if (parsed.ok) return [parsed.value];
    logger.warn({ reason: parsed.reason }, `ibkr: ${what} dropped during reconciliation`);
    return [];
  };

  const runReconciliation = async (session: IbkrSession, reason: string): Promise<void> => {
    const nextValid = await session.requestNextValidId();
    allocator.observeNextValidId(nextValid);

    const open = await session.openOrders();
    const lastStatus = new Map<number, RawOrderStatus>();
    for (const s of open.statuses) lastStatus.set(s.orderId, s);
    const openViews = open.orders.flatMap((o) => {
      const status = lastStatus.get(o.orderId);
      return keep(parseOrder('open', o.orderId, o.contract, o.order, o.state, status?.filled), 'open order').map(
        (v) => ({
          ...v,
          status: status?.status ?? v.status,
        }),
      );
    });

    let completedViews: BrokerOrderView[] | undefined;
    try {
      const completed = await session.completedOrders();
      completedViews = completed.flatMap((o) =>
        keep(parseOrder('completed', o.order.orderId, o.contract, o.order, o.state), 'completed order'),
      );
    } catch (err) {
      logger.warn({ err: errorText(err) }, 'ibkr: completed orders unavailable; missing orders stay undecided');
    }

    const since = lastExecTs === undefined ? undefined : lastExecTs - EXEC_LOOKBACK_MS;
    const rawExecutions = await session.executions(since === undefined ? {} : { time: formatIbUtc(since) });
    const execViews = rawExecutions.flatMap((r) =>
      keep(
        parseExecution(r.contract, r.execution, now(), outbox.knownCommission(r.execution.execId ?? '')),
        'execution',
      ),
    );
    for (const e of execViews) lastExecTs = Math.max(lastExecTs ?? 0, e.ts);

    let positionViews: PositionView[] | undefined;
    try {
      const raw = await session.positions();
      positionViews = raw
        .flatMap((p) => keep(parsePosition(p.account, p.contract, p.position, p.avgCost), 'position'))
        .filter((p) => options.account === undefined || p.account === options.account);
      positions = positionViews;
    } catch (err) {
      logger.warn({ err: errorText(err) }, 'ibkr: positions unavailable during reconciliation');
    }

    const ledger = await ledgerOrders();
    const ledgerPositions = options.ledger?.positions ? await options.ledger.positions() : undefined;
    const result = reconcile({
      ts: now(),
      reason,
      startup: !reconciledOnce,
      ledger,
      ledgerPositions,
      openOrders: openViews,
      completedOrders: completedViews,
      executions: execViews,
      positions: positionViews,
      seenExecIds,
    });
    reconciledOnce = true;
    const ledgerById = new Map(ledger.map((l) => [l.clientOrderId, l]));
    const trackedFor = (id: string): Tracked => {
      const existing = byRef.get(id);
      if (existing) return existing;
      const l = ledgerById.get(id);
      if (!l) throw new Error(`reconciliation decided about ${id}, which is not in the ledger`);
      const parent = parseOrderRef(id);
      return track({
        ref: id,
        symbol: l.symbol,
        side: l.side,
        quantity: l.quantity,
        parent: parent?.role === 'main' ? undefined : parent?.clientOrderId,
        orderId: undefined,
        handover: l.handover,
        filled: l.filledQuantity,
        accepted: l.status !== 'created' && l.status !== 'submitted',
      });
    };
    for (const d of result.track) index(trackedFor(d.clientOrderId), d.orderId, d.permId);
    for (const e of result.events as readonly ReconciledEvent[]) {
      const t = trackedFor(e.clientOrderId);
      if (e.kind === 'order.accepted') emitAccepted(t);
      else if (e.kind === 'order.cancelled' || e.kind === 'order.rejected') emitTerminal(t, e);
      else emitFill(t, e);
    }
    for (const m of result.report.missing) settledMissing.add(m.clientOrderId);
    lastReport = result.report;
    const r = result.report;
    const level =
      r.missing.length + r.unresolved.length + r.unknownOrders.length + r.positionDifferences.length > 0
        ? 'warn'
        : 'info';
    logger[level](
      {
        reason,
        resolved: r.resolved.length,
        missing: r.missing,
        unresolved: r.unresolved,
        unknownOrders: r.unknownOrders.length,
        unknownExecutions: r.unknownExecutions.length,
        positionDifferences: r.positionDifferences,
        fillsRecovered: r.fillsRecovered,
      },
      'ibkr: reconciliation finished',
    );
    reports.next(r);
  };

  connection.addHooks({ reconcile: runReconciliation });
  sessionSubs.push(connection.sessions$.subscribe(wire));

  // ---- commands ----

  const rejectLocally = (order: OrderIntent, code: string, text: string): void => {
    events.next({
      kind: 'order.rejected',
      ts: order.ts,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      code,
      text,
    });
  };

  /** The IBKR orders an intent maps to, or why it cannot be placed (checked before any id is reserved). */
  const mappingProblem = (order: OrderIntent): string | undefined => {
    try {
      const needed = orderIdsNeeded(order, options.mapping);
      toIbOrders(
        order,
        Array.from({ length: needed }, (_, i) => i + 1),
        options.mapping,
      );
      return undefined;
    } catch (err) {
      return errorText(err);
    }
  };

  const submit = (order: OrderIntent): Observable<void> =>
    new Observable<void>((subscriber) => {
      let active = true;
      const parsed = OrderIntentSchema.safeParse(order);
      const problem = parsed.success ? mappingProblem(order) : parsed.error.issues.map((i) => i.message).join('; ');
      if (problem !== undefined) {
        rejectLocally(order, 'invalid_order', problem);
        subscriber.next();
        subscriber.complete();
        return;
      }
      const id = order.clientOrderId;
      if (byRef.has(id) || settledMissing.has(id)) {
        subscriber.error(
          new DomainError(
            'conflict',
            `order ${id} was already handed to IBKR or settled by reconciliation; it is not sent again`,
          ),
        );
        return;
      }
      if (!connection.tradingSession) {
        subscriber.error(
          new DomainError(
            'not_connected',
            `IB Gateway is not connected (${connection.state}); order ${id} was not sent`,
          ),
        );
        return;
      }
      const tracked = track({
        ref: id,
        symbol: order.symbol,
        side: order.side,
        quantity: order.quantity,
        parent: undefined,
        orderId: undefined,
        handover: 'none',
        filled: 0,
      });
      const place = async (): Promise<void> => {
        const ids = await allocator.reserve(orderIdsNeeded(order, options.mapping));
        if (!active) throw new Error('the submit was abandoned before sending');
        const session = connection.tradingSession;
        if (!session) throw new Error(`IB Gateway is not connected (${connection.state})`);
        const tickets = toIbOrders(order, ids, options.mapping);
        const legs = tickets.map((ticket) => {
          if (ticket.role !== 'stop' && ticket.role !== 'target') {
            index(tracked, ticket.orderId, undefined);
            return tracked;
          }
          return track({
            ref: ticket.orderRef,
            symbol: order.symbol,
            side: order.side === 'BUY' ? 'SELL' : 'BUY',
            quantity: order.quantity,
            parent: id,
            orderId: ticket.orderId,
            handover: 'none',
            filled: 0,
          });
        });
        const handle = session.send(
          'order',
          `placeOrder ${id}`,
          (api) => {
            for (const ticket of tickets) api.placeOrder(ticket.orderId, ticket.contract, ticket.order);
            for (const leg of legs) {
              leg.handover = 'current';
              leg.epoch = session.epoch;
            }
          },
          tickets.length,
        );
        tracked.withdraw = handle.withdraw;
        try {
          await handle.sent;
        } finally {
          tracked.withdraw = undefined;
        }
        logger.info({ clientOrderId: id, orderIds: ids, symbol: order.symbol, type: order.type }, 'ibkr: order sent');
      };
      place().then(
        () => {
          if (!active) return;
          subscriber.next();
          subscriber.complete();
        },
        (err: unknown) => {
          if (tracked.handover === 'current') return;
          tracked.handover = 'not_sent';
          if (active)
            subscriber.error(new DomainError('not_connected', `order ${id} was not sent to IBKR: ${errorText(err)}`));
        },
      );
      return () => {
        active = false;
        if (tracked.handover === 'none' && tracked.withdraw?.()) tracked.handover = 'not_sent';
      };
    });

  const cancel = (clientOrderId: string): Observable<void> =>
    new Observable<void>((subscriber) => {
      const t = byRef.get(clientOrderId);
      if (!t || t.parent !== undefined) {
        subscriber.error(new DomainError('not_found', `No IBKR order with clientOrderId ${clientOrderId}`));
        return;
      }
      if (t.terminal) {
        subscriber.error(new DomainError('conflict', `IBKR order ${clientOrderId} is already finished`));
        return;
      }
      if (t.handover === 'none' && t.withdraw?.()) {
        t.handover = 'not_sent';
        emitTerminal(t, {
          kind: 'order.cancelled',
          ts: now(),
          clientOrderId,
          symbol: t.symbol,
          reason: 'cancelled before it was sent',
        });
        subscriber.next();
        subscriber.complete();
        return;
      }
      if (t.handover === 'none' || t.handover === 'not_sent') {
        subscriber.error(
          new DomainError(
            'conflict',
            t.handover === 'none'
              ? `IBKR order ${clientOrderId} is still being handed over; cancel again once it is acknowledged`
              : `IBKR order ${clientOrderId} was never sent`,
          ),
        );
        return;
      }
      const session = connection.tradingSession;
      const orderId = t.orderId;
      if (!session || orderId === undefined) {
        subscriber.error(
          new DomainError('not_connected', `IB Gateway is not connected (${connection.state}); cancel not sent`),
        );
        return;
      }
      session
        .send('cancel', `cancelOrder ${clientOrderId}`, (api) => {
          api.cancelOrder(orderId);
          t.cancelRequested = true;
        })
        .sent.then(() => {
          subscriber.next();
          subscriber.complete();
        })
        .catch((err: unknown) =>
          subscriber.error(new DomainError('not_connected', `cancel of ${clientOrderId} not sent: ${errorText(err)}`)),
        );
    });

  let state: BrokerConnectionState = connection.state;
  sessionSubs.push(connection.state$.subscribe((s) => (state = s)));

  return {
    name: 'ibkr',
    events$: events.asObservable(),
    connection$: connection.state$,
    isConnected: () => state === 'connected' || state === 'degraded',
    submit,
    cancel,
    reconciliations$: reports.asObservable(),
    lastReconciliation: () => lastReport,
    lastPositions: () => positions,
    sync: (reason = 'position sync') => connection.reconcileNow(reason),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      outbox.dispose();
      sessionSubs.forEach((s) => s.unsubscribe());
      events.complete();
      reports.complete();
    },
  };
};
