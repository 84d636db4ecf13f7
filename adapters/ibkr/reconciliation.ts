import type { OrderAccepted, OrderCancelled, OrderRejected } from '../../engine/messages/order.js';
import type { BrokerOrderView, ExecutionView, FillDraft, LedgerOrder, PositionView } from './ibkr-views.js';
import { parseOrderRef } from './order-mapping.js';

/** What reconciliation looks at: our ledger (database + this process) and IB Gateway's answers. */
export interface ReconcileInput {
  readonly ts: number;
  readonly reason: string;
  /**
   * The first reconciliation of this process: orders it never handed over are settled too (they
   * were persisted by an earlier process). Later, such an order is one the engine has persisted and
   * not handed over yet, and is left alone.
   */
  readonly startup: boolean;
  readonly ledger: readonly LedgerOrder[];
  /** Signed quantity per symbol as the engine holds it; undefined skips the position comparison. */
  readonly ledgerPositions: Readonly<Record<string, number>> | undefined;
  readonly openOrders: readonly BrokerOrderView[];
  /** Undefined when the completed-orders query failed: then no order is declared missing. */
  readonly completedOrders: readonly BrokerOrderView[] | undefined;
  readonly executions: readonly ExecutionView[];
  readonly positions: readonly PositionView[] | undefined;
  /** Executions already reported (never reported twice). */
  readonly seenExecIds: ReadonlySet<string>;
}

/** Events reconciliation emits; fills may still wait for their commission. */
export type ReconciledEvent = OrderAccepted | OrderCancelled | OrderRejected | FillDraft;

/** An IBKR order matched to one of ours: the live event mapping adopts its ids. */
export interface TrackDecision {
  readonly clientOrderId: string;
  readonly orderId: number;
  readonly permId: number;
}

export interface ReportedOrder {
  readonly clientOrderId: string;
  readonly text: string;
}

/** What reconciliation found, for the log, the API and the operator. */
export interface ReconciliationReport {
  readonly kind: 'ibkr.reconciled';
  readonly ts: number;
  readonly reason: string;
  /** Our orders found at IBKR, with the outcome and where they were found. */
  readonly resolved: readonly {
    readonly clientOrderId: string;
    readonly outcome: 'open' | 'filled' | 'cancelled' | 'rejected';
    readonly foundIn: 'open_orders' | 'completed_orders' | 'executions';
  }[];
  /** Not at IBKR after a send of unknown outcome: reported rejected (`not_at_broker`), never resent. */
  readonly missing: readonly ReportedOrder[];
  /** Could not be settled automatically: needs an operator. */
  readonly unresolved: readonly ReportedOrder[];
  /** Handed over on this connection, or not handed over yet: live events settle them. */
  readonly pending: readonly string[];
  /** Open IBKR orders that are not ours (no or unknown orderRef). */
  readonly unknownOrders: readonly {
    readonly orderId: number;
    readonly permId: number;
    readonly orderRef: string;
    readonly symbol: string;
    readonly status: string;
  }[];
  /** Executions of orders that are not ours. */
  readonly unknownExecutions: readonly {
    readonly execId: string;
    readonly orderRef: string;
    readonly symbol: string;
    readonly shares: number;
    readonly price: number;
  }[];
  readonly positionDifferences: readonly {
    readonly symbol: string;
    readonly ledger: number;
    readonly broker: number;
  }[];
  /** New fills reported by this reconciliation. */
  readonly fillsRecovered: number;
}

export interface ReconcileResult {
  readonly events: readonly ReconciledEvent[];
  readonly track: readonly TrackDecision[];
  readonly report: ReconciliationReport;
}

const LIVE = new Set(['ApiPending', 'PendingSubmit', 'PreSubmitted', 'Submitted', 'PendingCancel']);
const CANCELLED = new Set(['Cancelled', 'ApiCancelled']);
const UNACKNOWLEDGED = new Set<LedgerOrder['status']>(['created', 'submitted']);

/** The order IBKR holds for this ref: an open one first, then the completed one with the highest permId. */
const findOrder = (
  ref: string,
  open: readonly BrokerOrderView[],
  completed: readonly BrokerOrderView[],
): BrokerOrderView | undefined =>
  open.find((o) => o.orderRef === ref) ??
  completed.filter((o) => o.orderRef === ref).sort((a, b) => b.permId - a.permId)[0];

/** The executions of one order, each once, in fill order. */
const executionsOf = (
  ref: string,
  order: BrokerOrderView | undefined,
  all: readonly ExecutionView[],
): ExecutionView[] => {
  const byId = new Map<string, ExecutionView>();
  for (const e of all)
    if (e.orderRef === ref || (order !== undefined && order.permId > 0 && e.permId === order.permId))
      byId.set(e.execId, e);
  return [...byId.values()].sort((a, b) => a.cumQty - b.cumQty || a.ts - b.ts);
};

/** Whether an orderRef belongs to one of the given clientOrderIds (itself or a bracket leg of it). */
const belongsTo = (ref: string, ids: ReadonlySet<string>): boolean => {
  const parsed = parseOrderRef(ref);
  return parsed !== undefined && (ids.has(ref) || ids.has(parsed.clientOrderId));
};

/**
 * Settle our ledger against IB Gateway's state, as a pure decision: matched by orderRef (our
 * clientOrderId) and permId, never by order id (ids restart with the gateway). Per order, in this
 * order: `order.accepted` if IBKR has it and we had no acknowledgement; every execution not yet
 * reported (new execId and beyond the filled quantity we hold); then `order.cancelled` or
 * `order.rejected` if IBKR finished it that way. An order absent from open orders, completed orders
 * and executions whose send outcome is unknown is reported `order.rejected` with code
 * `not_at_broker` — it is never resent. Orders acknowledged earlier that IBKR no longer lists, fills
 * IBKR reports without executions, and anything undecidable are reported, not guessed.
 */
export const reconcile = (input: ReconcileInput): ReconcileResult => {
  const events: ReconciledEvent[] = [];
  const track: TrackDecision[] = [];
  const resolved: ReconciliationReport['resolved'][number][] = [];
  const missing: ReportedOrder[] = [];
  const unresolved: ReportedOrder[] = [];
  const pending: string[] = [];
  const completed = input.completedOrders ?? [];
  const reportedExecs = new Set(input.seenExecIds);
  let fillsRecovered = 0;
  const { ts } = input;

  for (const order of input.ledger) {
    const id = order.clientOrderId;
    const base = { ts, clientOrderId: id, symbol: order.symbol };
    const broker = findOrder(id, input.openOrders, completed);
    const execs = executionsOf(id, broker, input.executions);
    let filled = order.filledQuantity;
    const fills: FillDraft[] = [];
    for (const e of execs) {
      if (reportedExecs.has(e.execId) || e.cumQty <= filled) continue;
      reportedExecs.add(e.execId);
      filled = e.cumQty;
      const remaining = Math.max(0, order.quantity - e.cumQty);
      fills.push({
        kind: remaining === 0 ? 'order.filled' : 'order.partially_filled',
        ts: e.ts,
        clientOrderId: id,
        symbol: order.symbol,
        execId: e.execId,
        side: order.side,
        quantity: e.shares,
        price: e.price,
        commission: e.commission,
        cumulativeQuantity: e.cumQty,
        remaining,
      });
    }
    fillsRecovered += fills.length;
    const complete = filled >= order.quantity;

    if (broker) {
      track.push({ clientOrderId: id, orderId: broker.orderId, permId: broker.permId });
      const foundIn = broker.source === 'open' ? 'open_orders' : 'completed_orders';
      const isCancelled = CANCELLED.has(broker.status);
      const isRejected = broker.status === 'Inactive' && broker.source === 'completed';
      if (UNACKNOWLEDGED.has(order.status) && !isRejected && !(isCancelled && filled === 0))
        events.push({ kind: 'order.accepted', ...base, brokerOrderId: String(broker.permId || broker.orderId) });
      events.push(...fills);
      const shortBy = broker.filled - filled;
      if (shortBy > 0)
        unresolved.push({
          clientOrderId: id,
          text: `IBKR reports ${broker.filled} shares filled but executions for only ${filled} were found`,
        });
      if (LIVE.has(broker.status) || (broker.status === 'Filled' && !complete)) {
        resolved.push({ clientOrderId: id, outcome: 'open', foundIn });
      } else if (broker.status === 'Filled') {
        resolved.push({ clientOrderId: id, outcome: 'filled', foundIn });
      } else if (isCancelled) {
        if (!complete)
          events.push({
            kind: 'order.cancelled',
            ...base,
            reason: broker.text || 'cancelled at IBKR (found by reconciliation)',
          });
        resolved.push({ clientOrderId: id, outcome: complete ? 'filled' : 'cancelled', foundIn });
      } else if (isRejected) {
        if (!complete)
          events.push({
            kind: 'order.rejected',
            ...base,
            code: 'inactive',
            text: broker.text || 'IBKR reports the order Inactive',
          });
        resolved.push({ clientOrderId: id, outcome: complete ? 'filled' : 'rejected', foundIn });
      } else {
        unresolved.push({
          clientOrderId: id,
          text: `IBKR reports status ${broker.status || '(empty)'}; left as it is`,
        });
      }
      continue;
    }

    if (execs.length > 0) {
      if (UNACKNOWLEDGED.has(order.status))
        events.push({ kind: 'order.accepted', ...base, brokerOrderId: String(execs[0]?.permId ?? '') });
      events.push(...fills);
      if (complete) resolved.push({ clientOrderId: id, outcome: 'filled', foundIn: 'executions' });
      else
        unresolved.push({
          clientOrderId: id,
          text: `${filled} of ${order.quantity} shares filled, but IBKR lists the order neither open nor completed`,
        });
      continue;
    }

    if (order.handover === 'current' || (order.handover === 'none' && !input.startup)) {
      pending.push(id);
    } else if (!UNACKNOWLEDGED.has(order.status)) {
      unresolved.push({
        clientOrderId: id,
        text: `acknowledged earlier (status ${order.status}) but IBKR no longer lists it nor any execution`,
      });
    } else if (input.completedOrders === undefined) {
      unresolved.push({
        clientOrderId: id,
        text: 'not among open orders; completed orders were unavailable, so left undecided',
      });
    } else {
      const text = `IB Gateway has no order with orderRef ${id} after reconciliation; it was not resent`;
      missing.push({ clientOrderId: id, text });
      events.push({ kind: 'order.rejected', ...base, code: 'not_at_broker', text });
    }
  }

  const ours = new Set(input.ledger.map((o) => o.clientOrderId));
  const unknownOrders = input.openOrders
    .filter((o) => !belongsTo(o.orderRef, ours))
    .map((o) => ({ orderId: o.orderId, permId: o.permId, orderRef: o.orderRef, symbol: o.symbol, status: o.status }));
  const unknownExecutions = input.executions
    .filter((e) => !belongsTo(e.orderRef, ours) && !input.seenExecIds.has(e.execId))
    .map((e) => ({ execId: e.execId, orderRef: e.orderRef, symbol: e.symbol, shares: e.shares, price: e.price }));

  const positionDifferences: { symbol: string; ledger: number; broker: number }[] = [];
  if (input.ledgerPositions !== undefined && input.positions !== undefined) {
    const brokerQty = new Map<string, number>();
    for (const p of input.positions) brokerQty.set(p.symbol, (brokerQty.get(p.symbol) ?? 0) + p.quantity);
    const symbols = new Set([...Object.keys(input.ledgerPositions), ...brokerQty.keys()]);
    for (const symbol of [...symbols].sort()) {
      const ledger = input.ledgerPositions[symbol] ?? 0;
      const broker = brokerQty.get(symbol) ?? 0;
      if (ledger !== broker) positionDifferences.push({ symbol, ledger, broker });
    }
  }

  return {
    events,
    track,
    report: {
      kind: 'ibkr.reconciled',
      ts,
      reason: input.reason,
      resolved,
      missing,
      unresolved,
      pending,
      unknownOrders,
      unknownExecutions,
      positionDifferences,
      fillsRecovered,
    },
  };
};
