/**
 * Public types of the fake IB Gateway: options, the simulated broker state a test scripts, and
 * the decoded client requests it records. Everything is plain data so a test can build it inline.
 */

/** Contract as the fake knows it. Only `symbol` is required; the rest defaults to a US stock on SMART. */
export interface FakeContractSpec {
  readonly symbol: string;
  /** IB contract id; default: a stable id derived from the order of definition (starting at 100001). */
  readonly conId?: number;
  readonly secType?: string;
  readonly exchange?: string;
  readonly primaryExch?: string;
  readonly currency?: string;
  readonly localSymbol?: string;
  readonly tradingClass?: string;
  readonly longName?: string;
  readonly minTick?: number;
  readonly industry?: string;
  readonly category?: string;
  readonly subcategory?: string;
  readonly timeZoneId?: string;
  readonly tradingHours?: string;
  readonly liquidHours?: string;
  readonly stockType?: string;
}

/** A fully defaulted contract. */
export type FakeContract = Required<FakeContractSpec>;

/**
 * Account values, keyed by IB tag. Numbers are sent as decimal text; strings verbatim.
 * Account-summary tags: NetLiquidation, TotalCashValue, SettledCash, AvailableFunds, BuyingPower,
 * DayTradesRemaining, GrossPositionValue, InitMarginReq, MaintMarginReq, ExcessLiquidity,
 * EquityWithLoanValue, AccountType, Cushion, FullInitMarginReq, FullMaintMarginReq, FullAvailableFunds,
 * FullExcessLiquidity, LookAheadInitMarginReq, LookAheadMaintMarginReq, LookAheadAvailableFunds,
 * LookAheadExcessLiquidity, Leverage, ... (any tag is accepted).
 */
export type FakeAccountValues = Readonly<Record<string, number | string>>;

/** A position the fake reports (reqPositions, reqAccountUpdates portfolio). */
export interface FakePositionSpec {
  readonly symbol: string;
  /** Signed share count (negative = short). 0 = closed today (still reported, as IB does). */
  readonly quantity: number;
  /** Average cost per share (IB reports avgCost including commission). */
  readonly avgCost: number;
  /** Default: the first managed account. */
  readonly account?: string;
  /** Mark price used for PORTFOLIO_VALUE; default: last known price, else avgCost. */
  readonly marketPrice?: number;
}

/** A historical bar exactly as it goes on the wire (HISTORICAL_DATA). */
export interface FakeHistoricalBar {
  /** As IB formats it: `yyyyMMdd` (daily), `yyyyMMdd HH:mm:ss TZ` (intraday) or epoch seconds (formatDate=2). */
  readonly time: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Default: close. */
  readonly wap?: number;
  /** Default: 1. */
  readonly count?: number;
}

/** Source of historical bars for a symbol: a fixed list or a function of the request. */
export type FakeHistoricalSource =
  readonly FakeHistoricalBar[] | ((request: ReqHistoricalDataRequest) => readonly FakeHistoricalBar[]);

/** One tick update; each present field is sent as its own TICK_PRICE / TICK_SIZE message. */
export interface FakeTick {
  readonly bid?: number;
  readonly ask?: number;
  readonly last?: number;
  readonly high?: number;
  readonly low?: number;
  readonly close?: number;
  readonly open?: number;
  readonly bidSize?: number;
  readonly askSize?: number;
  readonly lastSize?: number;
  readonly volume?: number;
}

/**
 * Option figures of an underlying, sent on the stock's market-data requests that asked for the
 * generic tick in brackets: call/put volume (100 → ticks 29/30), call/put open interest (101 →
 * 27/28), average option volume (105 → 87) as TICK_SIZE; historical volatility (104 → 23) and
 * implied volatility (106 → 24, decimals: 0.32 = 32 %) as TICK_GENERIC.
 */
export interface FakeOptionTicks {
  readonly callVolume?: number;
  readonly putVolume?: number;
  readonly callOpenInterest?: number;
  readonly putOpenInterest?: number;
  readonly avgOptionVolume?: number;
  readonly historicalVol?: number;
  readonly impliedVol?: number;
}

/** How reqMktData for a symbol fails: ERR_MSG(reqId, code, text); `keepStreaming` = the request still runs (10090-style). */
export interface FakeMarketDataFailure {
  readonly code: number;
  readonly text: string;
  readonly keepStreaming: boolean;
}

/** One 5-second real-time bar (REAL_TIME_BARS). */
export interface FakeRealTimeBar {
  /** Bar start, epoch seconds. */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Default: close. */
  readonly wap?: number;
  /** Default: 1. */
  readonly count?: number;
}

/** One fill of a scripted partial execution. */
export interface FakeFillSpec {
  readonly qty: number;
  /** Default: the order's reference price (limit price, else last known price). */
  readonly price?: number;
}

/**
 * What the gateway does with a placed order. `delayMs` (any outcome) waits that long after the
 * acknowledgement before the outcome; `ackDelayMs` delays the acknowledgement itself.
 *
 * - `fill`: acknowledge (Submitted), then fill the whole quantity at `price`.
 * - `partial`: acknowledge, then execute `fills` in order (`intervalMs` apart); if they do not add up
 *   to the order quantity, the rest follows `then` (`hold` = stays working, `cancel` = cancelled with 202).
 * - `reject`: error `code` (default 201) with `text`, then OPEN_ORDER/ORDER_STATUS `Inactive`.
 *   With `afterAck: true` the order is acknowledged first (a reject from the exchange, not a pre-check).
 * - `cancel`: acknowledge, then ORDER_STATUS `Cancelled` + error 202 (cancelled by IB, not the client).
 * - `hold`: acknowledge only; the order stays working until the client cancels it or the test calls
 *   `fillOrder` / `cancelOrderByGateway`.
 * - `dropAfterPlace`: close the client's socket right after reading placeOrder, before any answer.
 *   `then` decides what the broker did with it meanwhile: another outcome (default `{ kind: 'fill' }`,
 *   visible after reconnect through open/completed orders and executions) or `'lost'` (never reached IB).
 */
export type FakeOrderScript =
  | { readonly kind: 'fill'; readonly price?: number; readonly delayMs?: number; readonly ackDelayMs?: number }
  | {
      readonly kind: 'partial';
      readonly fills: readonly FakeFillSpec[];
      readonly then?: 'hold' | 'cancel';
      readonly intervalMs?: number;
      readonly delayMs?: number;
      readonly ackDelayMs?: number;
    }
  | {
      readonly kind: 'reject';
      readonly code?: number;
      readonly text?: string;
      readonly afterAck?: boolean;
      readonly delayMs?: number;
      readonly ackDelayMs?: number;
    }
  | { readonly kind: 'cancel'; readonly text?: string; readonly delayMs?: number; readonly ackDelayMs?: number }
  | { readonly kind: 'hold'; readonly ackDelayMs?: number }
  | { readonly kind: 'dropAfterPlace'; readonly then?: FakeOrderScriptAfterDrop | 'lost' };

/** Outcomes allowed after a `dropAfterPlace` (no nested drops). */
export type FakeOrderScriptAfterDrop = Exclude<FakeOrderScript, { readonly kind: 'dropAfterPlace' }>;

/** Which placed orders a queued script applies to (all given fields must match; none = next order). */
export interface FakeOrderMatch {
  readonly orderRef?: string;
  readonly symbol?: string;
  readonly action?: string;
  readonly orderType?: string;
  readonly clientId?: number;
}

/** Status values the fake emits (subset of IB's OrderStatus). */
export type FakeOrderStatus = 'PreSubmitted' | 'Submitted' | 'Filled' | 'Cancelled' | 'Inactive' | 'PendingCancel';

/** An execution the fake produced (kept for reqExecutions and for assertions). */
export interface FakeExecution {
  readonly execId: string;
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly orderRef: string;
  readonly account: string;
  readonly symbol: string;
  readonly conId: number;
  readonly side: 'BOT' | 'SLD';
  readonly shares: number;
  readonly price: number;
  readonly cumQty: number;
  readonly avgPrice: number;
  /** Epoch ms of the execution (gateway clock). */
  readonly timeMs: number;
  /** As sent in EXECUTION_DATA.time. */
  readonly time: string;
  readonly commission: number;
  readonly commissionCurrency: string;
  /** Realized P&L of this fill (closing fills only; undefined → sent as Double.MAX like IB). */
  readonly realizedPnl: number | undefined;
}

/** An order as the fake broker holds it (snapshot; never mutated after it is handed out). */
export interface FakeOrder {
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly account: string;
  readonly contract: FakeContract;
  readonly action: string;
  readonly totalQuantity: number;
  readonly orderType: string;
  readonly lmtPrice: number | undefined;
  readonly auxPrice: number | undefined;
  readonly tif: string;
  readonly orderRef: string;
  readonly parentId: number;
  readonly outsideRth: boolean;
  readonly transmit: boolean;
  readonly status: FakeOrderStatus;
  readonly filled: number;
  readonly avgFillPrice: number;
  readonly lastFillPrice: number;
  readonly commission: number;
  /** Text for COMPLETED_ORDER.completedStatus (e.g. "Filled Size: 10", "Rejected: ..."). */
  readonly completedStatus: string;
  /** Epoch ms the order became Filled/Cancelled/Inactive. */
  readonly completedAtMs: number | undefined;
  readonly placedAtMs: number;
}

/** Selects one order for manual control: by permId, by orderRef, or by (clientId,) orderId. */
export type FakeOrderSelector =
  | { readonly permId: number }
  | { readonly orderRef: string }
  | { readonly orderId: number; readonly clientId?: number };

/** Options of `startFakeGateway`. */
export interface FakeGatewayOptions {
  /** Default 0 (ephemeral). */
  readonly port?: number;
  /** Default '127.0.0.1'. */
  readonly host?: string;
  /**
   * Highest server version the fake offers; the negotiated one is min(this, client max).
   * Supported: 176..193. Default 193 (what a current IB Gateway negotiates with @stoqey/ib 1.6.10).
   */
  readonly serverVersion?: number;
  /** Managed accounts. Default ['DU1234567']. */
  readonly accounts?: readonly string[];
  /** First NEXT_VALID_ID. Default 1000 (keeps order ids away from IBApiNext reqIds 1, 2, 3...). */
  readonly nextValidId?: number;
  /** First permId handed out. Default 1_800_000_001. */
  readonly firstPermId?: number;
  /** Connection time text of the handshake reply. Default '20240102 09:30:00 EST'. */
  readonly connectionTime?: string;
  /** Clock for CURRENT_TIME, execution and completion times. Default Date.now. */
  readonly clock?: () => number;
  /** Send 2104/2106/2158 farm-OK infos after START_API like a real gateway. Default true. */
  readonly farmMessages?: boolean;
  /** Refuse a second session with the same clientId (error 326, then close). Default true. */
  readonly uniqueClientIds?: boolean;
  /** Unknown symbols in contract requests/orders are auto-defined (false → error 200). Default true. */
  readonly autoDefineContracts?: boolean;
  /** Outcome of orders no queued script matches. Default `{ kind: 'fill' }` for MKT, `{ kind: 'hold' }` otherwise. */
  readonly defaultOrderScript?: FakeOrderScript | ((order: FakeOrder) => FakeOrderScript);
  /** Commission per fill. Default IBKR fixed: $0.005/share, min $1, max 1 % of the trade value. */
  readonly commission?: (shares: number, price: number) => number;
  /** EXECUTION_DATA.time style: 'zoned' = `yyyyMMdd HH:mm:ss US/Eastern`, 'legacy' = `yyyyMMdd-HH:mm:ss` (UTC). Default 'zoned'. */
  readonly executionTimeStyle?: 'zoned' | 'legacy';
  /** Decode every outgoing frame with the real @stoqey/ib Decoder and record 505s in `decodeErrors`. Default true. */
  readonly selfCheck?: boolean;
  /** Log sink for a human-readable trace (main.ts uses console.log). Default: none. */
  readonly log?: (line: string) => void;
}

/** A decode problem found by the self-check or reported by a watched client. */
export interface FakeDecodeError {
  readonly source: 'self-check' | 'client';
  readonly code: number;
  readonly message: string;
  /** Message id of the frame (self-check only). */
  readonly msgId?: number;
  readonly serverVersion: number;
}

/** An error event a watched client emitted (any code; 505s also go to `decodeErrors`). */
export interface FakeClientError {
  readonly code: number;
  readonly reqId: number;
  readonly message: string;
}

/** A connected client session. */
export interface FakeSessionInfo {
  readonly id: number;
  readonly clientId: number;
  readonly serverVersion: number;
  readonly remotePort: number;
}

/** Contract fields as the client sent them in a request. */
export interface RequestContract {
  readonly conId: number;
  readonly symbol: string;
  readonly secType: string;
  readonly lastTradeDateOrContractMonth: string;
  readonly strike: string;
  readonly right: string;
  readonly multiplier: string;
  readonly exchange: string;
  readonly primaryExch: string;
  readonly currency: string;
  readonly localSymbol: string;
  readonly tradingClass: string;
}

interface RequestBase {
  /** Session that sent it. */
  readonly sessionId: number;
  readonly clientId: number;
  /** Gateway clock when it was read. */
  readonly atMs: number;
  /** All fields of the frame, message id first. */
  readonly fields: readonly string[];
}

export interface StartApiRequest extends RequestBase {
  readonly kind: 'startApi';
  readonly requestedClientId: string;
}
export interface PlaceOrderRequest extends RequestBase {
  readonly kind: 'placeOrder';
  readonly orderId: number;
  readonly contract: RequestContract;
  readonly action: string;
  readonly totalQuantity: number;
  readonly orderType: string;
  readonly lmtPrice: number | undefined;
  readonly auxPrice: number | undefined;
  readonly tif: string;
  readonly ocaGroup: string;
  readonly account: string;
  readonly orderRef: string;
  readonly transmit: boolean;
  readonly parentId: number;
  readonly outsideRth: boolean;
}
export interface CancelOrderRequest extends RequestBase {
  readonly kind: 'cancelOrder';
  readonly orderId: number;
}
export interface GlobalCancelRequest extends RequestBase {
  readonly kind: 'globalCancel';
}
export interface ReqMktDataRequest extends RequestBase {
  readonly kind: 'reqMktData';
  readonly reqId: number;
  readonly contract: RequestContract;
  readonly genericTickList: string;
  readonly snapshot: boolean;
}
export interface CancelMktDataRequest extends RequestBase {
  readonly kind: 'cancelMktData';
  readonly reqId: number;
}
export interface ReqRealTimeBarsRequest extends RequestBase {
  readonly kind: 'reqRealTimeBars';
  readonly reqId: number;
  readonly contract: RequestContract;
  readonly whatToShow: string;
  readonly useRTH: boolean;
}
export interface CancelRealTimeBarsRequest extends RequestBase {
  readonly kind: 'cancelRealTimeBars';
  readonly reqId: number;
}
export interface ReqHistoricalDataRequest extends RequestBase {
  readonly kind: 'reqHistoricalData';
  readonly reqId: number;
  readonly contract: RequestContract;
  /** As sent, e.g. '20240102 16:00:00 US/Eastern' or '' (= now). */
  readonly endDateTime: string;
  readonly barSize: string;
  readonly duration: string;
  readonly useRTH: boolean;
  readonly whatToShow: string;
  readonly formatDate: number;
  readonly keepUpToDate: boolean;
}
export interface CancelHistoricalDataRequest extends RequestBase {
  readonly kind: 'cancelHistoricalData';
  readonly reqId: number;
}
export interface ReqContractDetailsRequest extends RequestBase {
  readonly kind: 'reqContractDetails';
  readonly reqId: number;
  readonly contract: RequestContract;
}
export interface ReqAccountSummaryRequest extends RequestBase {
  readonly kind: 'reqAccountSummary';
  readonly reqId: number;
  readonly group: string;
  readonly tags: readonly string[];
}
export interface CancelAccountSummaryRequest extends RequestBase {
  readonly kind: 'cancelAccountSummary';
  readonly reqId: number;
}
export interface ReqAccountUpdatesRequest extends RequestBase {
  readonly kind: 'reqAccountUpdates';
  readonly subscribe: boolean;
  readonly account: string;
}
export interface ReqExecutionsRequest extends RequestBase {
  readonly kind: 'reqExecutions';
  readonly reqId: number;
  readonly filter: {
    readonly clientId: number | undefined;
    readonly account: string;
    readonly time: string;
    readonly symbol: string;
    readonly secType: string;
    readonly exchange: string;
    readonly side: string;
  };
}
export interface SimpleRequest extends RequestBase {
  readonly kind:
    | 'reqPositions'
    | 'cancelPositions'
    | 'reqIds'
    | 'reqManagedAccts'
    | 'reqCurrentTime'
    | 'reqOpenOrders'
    | 'reqAllOpenOrders'
    | 'setServerLogLevel';
}
export interface ReqAutoOpenOrdersRequest extends RequestBase {
  readonly kind: 'reqAutoOpenOrders';
  readonly autoBind: boolean;
}
export interface ReqCompletedOrdersRequest extends RequestBase {
  readonly kind: 'reqCompletedOrders';
  readonly apiOnly: boolean;
}
export interface ReqMarketDataTypeRequest extends RequestBase {
  readonly kind: 'reqMarketDataType';
  readonly marketDataType: number;
}
export interface UnknownRequest extends RequestBase {
  readonly kind: 'unknown';
  readonly msgId: number;
}

/** Every client message the fake decoded, in arrival order. */
export type ReceivedRequest =
  | StartApiRequest
  | PlaceOrderRequest
  | CancelOrderRequest
  | GlobalCancelRequest
  | ReqMktDataRequest
  | CancelMktDataRequest
  | ReqRealTimeBarsRequest
  | CancelRealTimeBarsRequest
  | ReqHistoricalDataRequest
  | CancelHistoricalDataRequest
  | ReqContractDetailsRequest
  | ReqAccountSummaryRequest
  | CancelAccountSummaryRequest
  | ReqAccountUpdatesRequest
  | ReqExecutionsRequest
  | SimpleRequest
  | ReqAutoOpenOrdersRequest
  | ReqCompletedOrdersRequest
  | ReqMarketDataTypeRequest
  | UnknownRequest;

/** The `kind` of a received request. */
export type ReceivedKind = ReceivedRequest['kind'];

/** The request type for one `kind`. */
export type ReceivedOfKind<K extends ReceivedKind> = Extract<ReceivedRequest, { readonly kind: K }>;

/** Options of `restart()`. */
export interface FakeRestartOptions {
  /** NEXT_VALID_ID after the restart; lower than ids already used = the "rolled back" case (Lean IB #242). Default: unchanged. */
  readonly nextValidId?: number;
  /** Stop listening this long (clients get ECONNREFUSED / 502) before accepting again. Default 0. */
  readonly downMs?: number;
  /** Forget executions and completed orders (a new trading day). Default false: IB keeps the day's history. */
  readonly clearHistory?: boolean;
}
