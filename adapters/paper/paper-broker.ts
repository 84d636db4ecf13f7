import { BehaviorSubject, Observable, Subject, isObservable } from 'rxjs';
import type { Subscriber } from 'rxjs';
import { z } from 'zod';
import { DomainError, parseOrThrow } from '../../engine/errors.js';
import type { Bar } from '../../engine/messages/market.js';
import { barEndTs } from '../../engine/messages/market.js';
import { TERMINAL_ORDER_STATUSES } from '../../engine/messages/order.js';
import type { BrokerEvent, FillEvent, OrderIntent, OrderRecord } from '../../engine/messages/order.js';
import type { BrokerConnectionState, BrokerPort } from '../../engine/ports/broker.port.js';
import { fillOnBar, orderCommission, roundCents, roundPrice } from './paper-fill-model.js';
import type { CommissionSchedule, FillState } from './paper-fill-model.js';
import { RestoredOrderSchema, orderProblems } from './paper-order-schema.js';

const PaperBrokerOptionsSchema = z.object({
  bars$: z.custom<Observable<Bar>>((v) => isObservable(v), 'bars$ must be an Observable of bars'),
  slippageBps: z.number().min(0).max(10_000).default(5),
  commission: z
    .object({
      perShare: z.number().min(0),
      min: z.number().min(0),
      maxPctOfValue: z.number().min(0).max(1),
    })
    .default({ perShare: 0.005, min: 1, maxPctOfValue: 0.01 }),
  maxVolumeParticipation: z.number().gt(0).max(1).default(0.25),
  openOrders: z.array(RestoredOrderSchema).default([]),
});

/** Options as callers write them (defaults: 5 bps slippage, IBKR fixed commission, 25 % participation). */
export type PaperBrokerOptions = z.input<typeof PaperBrokerOptionsSchema>;

/** The built-in paper broker; `dispose()` detaches it from the market and ends its streams. */
export interface PaperBroker extends BrokerPort {
  readonly name: 'paper';
  dispose(): void;
}

interface WorkingOrder {
  readonly intent: OrderIntent;
  filled: number;
  filledValue: number;
  commissionCharged: number;
  nextExecNo: number;
  fillState: FillState;
  /** Sequence number of the last bar received before acceptance: only later bars may fill. */
  readonly acceptedAfterBar: number;
}

const completeWith = (subscriber: Subscriber<void>): void => {
  subscriber.next();
  subscriber.complete();
};

const brokerIdNumber = (id: string | undefined): number => Number(/^paper-(\d+)$/.exec(id ?? '')?.[1] ?? 0);

/** Fields of a possibly malformed order that an `order.rejected` event can still carry. */
const rejectionBase = (order: unknown, fallbackTs: number) => {
  const o = (typeof order === 'object' && order !== null ? order : {}) as Record<string, unknown>;
  return {
    ts: typeof o['ts'] === 'number' && Number.isFinite(o['ts']) ? o['ts'] : fallbackTs,
    clientOrderId: typeof o['clientOrderId'] === 'string' ? o['clientOrderId'] : '',
    symbol: typeof o['symbol'] === 'string' ? o['symbol'] : '',
  };
};

/**
 * Create the paper broker. It fills working orders against bars it receives after accepting them
 * (never a bar it has already seen): market orders at the open with adverse slippage, limits when
 * touched, stops when triggered. At most `maxVolumeParticipation` of a bar's volume fills per bar
 * (shared by the orders on that symbol in acceptance order); the rest stays working. Fill prices are
 * rounded to 4 decimals, commissions to cents (each fill is charged the increase of the one-order
 * commission). `submit` and `cancel` act when subscribed and emit one `undefined` before completing.
 */
export const createPaperBroker = (options: PaperBrokerOptions): PaperBroker => {
  const opts = parseOrThrow(PaperBrokerOptionsSchema, 'paper broker options', options);
  const schedule: CommissionSchedule = opts.commission;
  const events = new Subject<BrokerEvent>();
  const connection = new BehaviorSubject<BrokerConnectionState>('connected');
  const working = new Map<string, WorkingOrder>();
  const knownIds = new Set<string>();
  let barSeq = 0;
  let marketTime = Number.NEGATIVE_INFINITY;
  let orderNo = 0;
  let disposed = false;

  const restore = (record: OrderRecord): void => {
    knownIds.add(record.intent.clientOrderId);
    orderNo = Math.max(orderNo, brokerIdNumber(record.brokerOrderId));
    if (TERMINAL_ORDER_STATUSES.includes(record.status) || record.filledQuantity >= record.intent.quantity) return;
    const filledValue = record.filledQuantity * record.avgFillPrice;
    working.set(record.intent.clientOrderId, {
      intent: record.intent,
      filled: record.filledQuantity,
      filledValue,
      commissionCharged: record.filledQuantity > 0 ? orderCommission(schedule, record.filledQuantity, filledValue) : 0,
      // Fill numbers so far are <= filled shares, so numbering from filled + 1 never repeats an execId.
      nextExecNo: record.filledQuantity + 1,
      fillState: { triggered: record.filledQuantity > 0 },
      acceptedAfterBar: 0,
    });
  };
  opts.openOrders.forEach(restore);

  const fill = (order: WorkingOrder, bar: Bar, quantity: number, rawPrice: number): void => {
    const price = roundPrice(rawPrice);
    order.filled += quantity;
    order.filledValue += quantity * price;
    const total = orderCommission(schedule, order.filled, order.filledValue);
    const commission = roundCents(total - order.commissionCharged);
    order.commissionCharged = total;
    const remaining = order.intent.quantity - order.filled;
    const { clientOrderId, symbol, side } = order.intent;
    if (remaining === 0) working.delete(clientOrderId);
    const event: FillEvent = {
      kind: remaining === 0 ? 'order.filled' : 'order.partially_filled',
      ts: bar.ts,
      clientOrderId,
      symbol,
      execId: `${clientOrderId}-${order.nextExecNo}`,
      side,
      quantity,
      price,
      commission,
      cumulativeQuantity: order.filled,
      remaining,
    };
    order.nextExecNo += 1;
    events.next(event);
  };

  const onBar = (bar: Bar): void => {
    barSeq += 1;
    const seq = barSeq;
    marketTime = Math.max(marketTime, barEndTs(bar));
    let capacity = bar.volume > 0 ? Math.floor(bar.volume * opts.maxVolumeParticipation) : 0;
    // The live map: a filled order is deleted during iteration (skipped from then on); an order
    // accepted during this bar is visited but cannot fill on it (acceptedAfterBar).
    for (const order of working.values()) {
      if (order.intent.symbol !== bar.symbol || order.acceptedAfterBar >= seq) continue;
      const { price, state } = fillOnBar(order.intent, bar, opts.slippageBps, order.fillState);
      order.fillState = state;
      const quantity = Math.min(order.intent.quantity - order.filled, capacity);
      if (price === undefined || quantity < 1) continue;
      capacity -= quantity;
      fill(order, bar, quantity, price);
    }
  };
  const barsSubscription = opts.bars$.subscribe({ next: onBar });

  const accept = (order: OrderIntent): void => {
    orderNo += 1;
    knownIds.add(order.clientOrderId);
    working.set(order.clientOrderId, {
      intent: order,
      filled: 0,
      filledValue: 0,
      commissionCharged: 0,
      nextExecNo: 1,
      fillState: { triggered: false },
      acceptedAfterBar: barSeq,
    });
    const { ts, clientOrderId, symbol } = order;
    events.next({ kind: 'order.accepted', ts, clientOrderId, symbol, brokerOrderId: `paper-${orderNo}` });
  };

  const handleSubmit = (order: OrderIntent): void => {
    const problems = orderProblems(order);
    const duplicate = problems === undefined && knownIds.has(order.clientOrderId);
    if (problems === undefined && !duplicate) {
      accept(order);
      return;
    }
    const text = problems ?? `duplicate clientOrderId ${order.clientOrderId}: the broker already has this order`;
    events.next({
      kind: 'order.rejected',
      ...rejectionBase(order, Number.isFinite(marketTime) ? marketTime : 0),
      code: 'invalid_order',
      text,
    });
  };

  const handleCancel = (clientOrderId: string, subscriber: Subscriber<void>): void => {
    const order = working.get(clientOrderId);
    if (!order) {
      subscriber.error(new DomainError('not_found', `No working paper order with clientOrderId ${clientOrderId}`));
      return;
    }
    working.delete(clientOrderId);
    const { symbol, ts } = order.intent;
    events.next({
      kind: 'order.cancelled',
      ts: Math.max(ts, marketTime),
      clientOrderId,
      symbol,
      reason: 'cancelled by user',
    });
    completeWith(subscriber);
  };

  const command = (act: (subscriber: Subscriber<void>) => void): Observable<void> =>
    new Observable<void>((subscriber) => {
      if (disposed) subscriber.error(new DomainError('not_connected', 'The paper broker has been disposed'));
      else act(subscriber);
    });

  return {
    name: 'paper',
    events$: events.asObservable(),
    connection$: connection.asObservable(),
    isConnected: () => !disposed,
    submit: (order) =>
      command((subscriber) => {
        handleSubmit(order);
        completeWith(subscriber);
      }),
    cancel: (clientOrderId) => command((subscriber) => handleCancel(clientOrderId, subscriber)),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      barsSubscription.unsubscribe();
      connection.next('disconnected');
      connection.complete();
      events.complete();
    },
  };
};
