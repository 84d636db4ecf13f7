import { OrderAction, OrderType, SecType, TimeInForce } from '@stoqey/ib';
import type { Contract, Order } from '@stoqey/ib';
import type { OrderIntent } from '../../engine/messages/order.js';

/** How our orders are placed: US stocks through SMART routing in USD. */
export interface OrderMappingOptions {
  /** IBKR account code; omitted when the session manages one account. */
  readonly account?: string;
  readonly timeInForce: 'DAY' | 'GTC';
  readonly outsideRth: boolean;
  /**
   * Send an entry that carries stopLoss and takeProfit as a bracket: the entry plus a protective stop
   * and a take-profit limit, linked by parentId and one OCA group. Off by default: the engine then
   * manages exits itself, and a bracket would make the broker do it a second time.
   */
  readonly bracketEntries: boolean;
}

export const DEFAULT_ORDER_MAPPING: OrderMappingOptions = {
  timeInForce: 'DAY',
  outsideRth: false,
  bracketEntries: false,
};

/** Which leg of our order an IBKR order is. A bracket's legs carry `<clientOrderId>:stop` / `:target` as orderRef. */
export type IbOrderRole = 'single' | 'parent' | 'stop' | 'target';

/** One IBKR order to place, in placing order (a bracket's parent first, the transmitting leg last). */
export interface IbOrderTicket {
  readonly role: IbOrderRole;
  readonly orderId: number;
  readonly orderRef: string;
  readonly contract: Contract;
  readonly order: Order;
}

/** OCA type 2: the other legs are reduced proportionately, with overfill protection (block). */
export const BRACKET_OCA_TYPE = 2;

/** A US stock on SMART routing; our `BRK.B` is IBKR's `BRK B`. */
export const stockContract = (symbol: string): Contract => ({
  symbol: symbol.replace(/\./g, ' '),
  secType: SecType.STK,
  exchange: 'SMART',
  currency: 'USD',
});

/** Our symbol for an IBKR contract symbol (`BRK B` -> `BRK.B`). */
export const engineSymbol = (ibSymbol: string): string => ibSymbol.trim().toUpperCase().replace(/\s+/g, '.');

/** The orderRef of a bracket leg. */
export const legRef = (clientOrderId: string, role: IbOrderRole): string =>
  role === 'single' || role === 'parent' ? clientOrderId : `${clientOrderId}:${role}`;

/** The client order id and leg behind an orderRef we sent (`undefined` for an empty ref). */
export const parseOrderRef = (
  orderRef: string | undefined,
): { readonly clientOrderId: string; readonly role: 'main' | 'stop' | 'target' } | undefined => {
  if (orderRef === undefined || orderRef === '') return undefined;
  const leg = /^(.+):(stop|target)$/.exec(orderRef);
  if (leg) return { clientOrderId: leg[1] as string, role: leg[2] as 'stop' | 'target' };
  return { clientOrderId: orderRef, role: 'main' };
};

/** True when this intent goes out as a bracket under `options`. */
export const isBracket = (intent: OrderIntent, options: OrderMappingOptions): boolean =>
  options.bracketEntries &&
  intent.purpose === 'enter' &&
  (intent.type === 'market' || intent.type === 'limit') &&
  intent.stopLoss !== undefined &&
  intent.takeProfit !== undefined;

/** How many order ids `toIbOrders` needs for this intent. */
export const orderIdsNeeded = (intent: OrderIntent, options: OrderMappingOptions): number =>
  isBracket(intent, options) ? 3 : 1;

const TYPE: Readonly<Record<OrderIntent['type'], OrderType>> = {
  market: OrderType.MKT,
  limit: OrderType.LMT,
  stop: OrderType.STP,
  stop_limit: OrderType.STP_LMT,
};

const required = (value: number | undefined, name: string, intent: OrderIntent): number => {
  if (value === undefined || !Number.isFinite(value) || value <= 0)
    throw new Error(`order ${intent.clientOrderId}: a ${intent.type} order needs a finite ${name} > 0`);
  return value;
};

/**
 * The IBKR orders for one intent. A single order carries our clientOrderId as orderRef and
 * `transmit: true`. A bracket (see `bracketEntries`) is the entry (`transmit: false`), the stop
 * (opposite side, STP at stopLoss, `transmit: false`) and the target (opposite side, LMT at
 * takeProfit, `transmit: true`, which releases all three); both exits name the entry as parent and
 * share one OCA group, so a fill of one reduces the other. Every field the encoder would otherwise
 * send empty (transmit above all: empty means false) is set explicitly.
 */
export const toIbOrders = (
  intent: OrderIntent,
  orderIds: readonly number[],
  options: OrderMappingOptions = DEFAULT_ORDER_MAPPING,
): readonly IbOrderTicket[] => {
  const needed = orderIdsNeeded(intent, options);
  if (orderIds.length !== needed)
    throw new Error(`order ${intent.clientOrderId}: needs ${needed} order id(s), got ${orderIds.length}`);
  if (!Number.isInteger(intent.quantity) || intent.quantity <= 0)
    throw new Error(`order ${intent.clientOrderId}: quantity must be a whole number > 0`);
  const contract = stockContract(intent.symbol);
  const base = (orderId: number, role: IbOrderRole): Order => ({
    orderId,
    orderRef: legRef(intent.clientOrderId, role),
    totalQuantity: intent.quantity,
    orderType: OrderType.MKT,
    tif: options.timeInForce === 'GTC' ? TimeInForce.GTC : TimeInForce.DAY,
    outsideRth: options.outsideRth,
    transmit: true,
    ...(options.account === undefined ? {} : { account: options.account }),
  });
  const entry = (orderId: number, role: IbOrderRole): Order => {
    const order: Order = { ...base(orderId, role), action: intent.side === 'BUY' ? OrderAction.BUY : OrderAction.SELL };
    order.orderType = TYPE[intent.type];
    if (intent.type === 'limit' || intent.type === 'stop_limit')
      order.lmtPrice = required(intent.limitPrice, 'limitPrice', intent);
    if (intent.type === 'stop' || intent.type === 'stop_limit')
      order.auxPrice = required(intent.stopPrice, 'stopPrice', intent);
    return order;
  };
  const [first, second, third] = orderIds as [number, number?, number?];
  if (needed === 1)
    return [
      { role: 'single', orderId: first, orderRef: intent.clientOrderId, contract, order: entry(first, 'single') },
    ];

  const stopId = second as number;
  const targetId = third as number;
  const exitAction = intent.side === 'BUY' ? OrderAction.SELL : OrderAction.BUY;
  const ocaGroup = `oca-${intent.clientOrderId}`;
  const stopLoss = required(intent.stopLoss, 'stopLoss', intent);
  const takeProfit = required(intent.takeProfit, 'takeProfit', intent);
  const ordered = intent.side === 'BUY' ? stopLoss < takeProfit : stopLoss > takeProfit;
  if (!ordered)
    throw new Error(
      `order ${intent.clientOrderId}: a ${intent.side} bracket needs stopLoss ${intent.side === 'BUY' ? 'below' : 'above'} takeProfit`,
    );
  const protective = (orderId: number, role: 'stop' | 'target', transmit: boolean): Order => ({
    ...base(orderId, role),
    action: exitAction,
    parentId: first,
    ocaGroup,
    ocaType: BRACKET_OCA_TYPE,
    transmit,
    ...(role === 'stop'
      ? { orderType: OrderType.STP, auxPrice: stopLoss }
      : { orderType: OrderType.LMT, lmtPrice: takeProfit }),
  });
  return [
    {
      role: 'parent',
      orderId: first,
      orderRef: legRef(intent.clientOrderId, 'parent'),
      contract,
      order: { ...entry(first, 'parent'), transmit: false },
    },
    {
      role: 'stop',
      orderId: stopId,
      orderRef: legRef(intent.clientOrderId, 'stop'),
      contract,
      order: protective(stopId, 'stop', false),
    },
    {
      role: 'target',
      orderId: targetId,
      orderRef: legRef(intent.clientOrderId, 'target'),
      contract,
      order: protective(targetId, 'target', true),
    },
  ];
};
