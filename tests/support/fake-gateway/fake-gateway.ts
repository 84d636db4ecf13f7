import net from 'node:net';
import { EventName, IBApiNext, type IBApi, type IBApiNextError } from '@stoqey/ib';
import { decodeClientRequest } from './client-requests.js';
import { decodeWithClientDecoder } from './frame-self-check.js';
import {
  DEFAULT_ERROR_TEXTS,
  NON_MONETARY_TAGS,
  defineContract,
  formatAccountTime,
  formatIbTime,
  ibkrFixedCommission,
  parseFilterTime,
} from './gateway-defaults.js';
import type {
  CancelOrderRequest,
  FakeAccountValues,
  FakeClientError,
  FakeContract,
  FakeContractSpec,
  FakeDecodeError,
  FakeExecution,
  FakeFillSpec,
  FakeGatewayOptions,
  FakeHistoricalBar,
  FakeHistoricalSource,
  FakeMarketDataFailure,
  FakeOptionTicks,
  FakeOrder,
  FakeOrderMatch,
  FakeOrderScript,
  FakeOrderScriptAfterDrop,
  FakeOrderSelector,
  FakeOrderStatus,
  FakePositionSpec,
  FakeRealTimeBar,
  FakeRestartOptions,
  FakeSessionInfo,
  FakeTick,
  PlaceOrderRequest,
  ReceivedKind,
  ReceivedOfKind,
  ReceivedRequest,
  ReqAccountSummaryRequest,
  ReqExecutionsRequest,
  ReqHistoricalDataRequest,
  ReqMktDataRequest,
  RequestContract,
} from './fake-gateway.types.js';
import { MAX_FAKE_SERVER_VERSION, MIN_FAKE_SERVER_VERSION } from './message-ids.js';
import * as msg from './server-messages.js';
import { FrameReader, encodeFrame, fieldsToText, parseHandshake, type WireField } from './wire-codec.js';

type SessionState = 'handshake' | 'awaitStart' | 'started' | 'closed';

/** Per-socket state: negotiated version, client id and the subscriptions it holds. */
class Session {
  state: SessionState = 'handshake';
  serverVersion = 0;
  clientId = -1;
  handshakeBuffer: Buffer = Buffer.alloc(0);
  readonly reader = new FrameReader();
  readonly marketData = new Map<number, { symbol: string; snapshot: boolean; genericTicks: ReadonlySet<string> }>();
  readonly realTimeBars = new Map<number, string>();
  readonly historicalUpdates = new Map<number, string>();
  readonly accountSummaries = new Map<number, readonly string[]>();
  positions = false;
  accountUpdates: string | undefined;
  autoOpenOrders = false;
  marketDataType = 1;

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
  ) {}

  get live(): boolean {
    return this.state === 'started';
  }
}

/** Mutable order record inside the fake broker. */
interface OrderState {
  orderId: number;
  clientId: number;
  permId: number;
  account: string;
  contract: FakeContract;
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  orderRef: string;
  parentId: number;
  outsideRth: boolean;
  transmit: boolean;
  status: FakeOrderStatus;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
  commission: number;
  completedStatus: string;
  completedAtMs: number | undefined;
  placedAtMs: number;
  /** Fill automatically when the market crosses the limit/stop (default-scripted orders only). */
  fillOnCross: boolean;
}

interface PositionState {
  quantity: number;
  avgCost: number;
  realizedPnl: number;
  marketPrice: number | undefined;
}

interface QuoteState {
  bid?: number;
  ask?: number;
  last?: number;
  high?: number;
  low?: number;
  close?: number;
  open?: number;
  bidSize?: number;
  askSize?: number;
  lastSize?: number;
  volume?: number;
}

interface Waiter {
  readonly check: () => boolean;
  readonly resolve: () => void;
}

const WORKING: ReadonlySet<FakeOrderStatus> = new Set(['PreSubmitted', 'Submitted', 'PendingCancel']);

/** IB tick type numbers (live / delayed) per quote field. */
const TICK_TYPES: Readonly<Record<keyof QuoteState, readonly [live: number, delayed: number]>> = {
  bidSize: [0, 69],
  bid: [1, 66],
  ask: [2, 67],
  askSize: [3, 70],
  last: [4, 68],
  lastSize: [5, 71],
  high: [6, 72],
  low: [7, 73],
  volume: [8, 74],
  close: [9, 75],
  open: [14, 76],
};
/** Option figure → [tick type, generic tick that must be requested, sent as TICK_GENERIC]. */
const OPTION_TICK_TYPES: Readonly<Record<keyof FakeOptionTicks, readonly [number, string, boolean]>> = {
  callVolume: [29, '100', false],
  putVolume: [30, '100', false],
  callOpenInterest: [27, '101', false],
  putOpenInterest: [28, '101', false],
  historicalVol: [23, '104', true],
  avgOptionVolume: [87, '105', false],
  impliedVol: [24, '106', true],
};
const PRICE_FIELDS = new Set<keyof QuoteState>(['bid', 'ask', 'last', 'high', 'low', 'close', 'open']);
const SIZE_OF: Partial<Record<keyof QuoteState, keyof QuoteState>> = {
  bid: 'bidSize',
  ask: 'askSize',
  last: 'lastSize',
};

const MAX_SENT_LOG = 5000;

/**
 * A protocol-level fake IB Gateway: a TCP server on 127.0.0.1 speaking the TWS API wire protocol to
 * the unmodified `@stoqey/ib` client, backed by a small simulated broker that a test scripts
 * (accounts, positions, contracts, prices, bars, order outcomes, errors, drops and restarts).
 *
 * Invariants: every frame it sends decodes cleanly in the client at the negotiated version (checked
 * by the self-check on every frame), permIds and execIds are unique for the gateway's lifetime, and
 * broker state (orders, executions, positions) survives client reconnects and `restart()`.
 */
export class FakeGateway {
  /** Every decoded client message, in arrival order. */
  readonly received: ReceivedRequest[] = [];
  /** Recent frames sent (last 5000), fields as text, message id first. */
  readonly sent: { readonly sessionId: number; readonly fields: readonly string[] }[] = [];
  /** Encoding problems: from the self-check and from watched clients (any 505 = a fake or client bug). */
  readonly decodeErrors: FakeDecodeError[] = [];
  /** Every error event of watched clients (including expected ones such as 201/202). */
  readonly clientErrors: FakeClientError[] = [];
  /** Problems with the test's own scripting (e.g. a fill without any known price). */
  readonly scriptErrors: string[] = [];

  private readonly server: net.Server;
  private readonly sessions = new Map<number, Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<Waiter>();
  /** Resolvers of restarts waiting out `downMs` (released by `close()`). */
  private readonly downWaits = new Set<() => void>();
  private readonly contracts = new Map<string, FakeContract>();
  private readonly accountValues = new Map<string, Map<string, string>>();
  private readonly positionsByAccount = new Map<string, Map<string, PositionState>>();
  private readonly quotes = new Map<string, QuoteState>();
  private readonly optionFigures = new Map<string, FakeOptionTicks>();
  private readonly marketDataFailures = new Map<string, FakeMarketDataFailure>();
  private readonly historical = new Map<string, FakeHistoricalSource>();
  private readonly historicalFailures = new Map<string, { code: number; text: string }>();
  private readonly orders: OrderState[] = [];
  private readonly executionLog: FakeExecution[] = [];
  private readonly orderScripts: { match: FakeOrderMatch; script: FakeOrderScript }[] = [];
  private readonly accountList: readonly string[];
  private readonly clock: () => number;
  private readonly maxServerVersion: number;
  private nextSessionId = 1;
  private nextConId = 100001;
  private nextPermIdValue: number;
  private nextExecSeq = 1;
  private nextOrderIdValue: number;
  private totalConnections = 0;
  private listeningPort = 0;
  private closed = false;

  private constructor(private readonly options: FakeGatewayOptions) {
    const sv = options.serverVersion ?? MAX_FAKE_SERVER_VERSION;
    if (!Number.isInteger(sv) || sv < MIN_FAKE_SERVER_VERSION || sv > MAX_FAKE_SERVER_VERSION) {
      throw new Error(
        `fake gateway: serverVersion ${sv} unsupported (supported ${MIN_FAKE_SERVER_VERSION}..${MAX_FAKE_SERVER_VERSION})`,
      );
    }
    const accounts = options.accounts ?? ['DU1234567'];
    if (accounts.length === 0) throw new Error('fake gateway: at least one managed account is required');
    this.maxServerVersion = sv;
    this.accountList = [...accounts];
    this.clock = options.clock ?? Date.now;
    this.nextOrderIdValue = options.nextValidId ?? 1000;
    this.nextPermIdValue = options.firstPermId ?? 1_800_000_001;
    for (const a of accounts) {
      this.accountValues.set(a, new Map());
      this.positionsByAccount.set(a, new Map());
    }
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    const gateway = new FakeGateway(options);
    await gateway.listen(options.port ?? 0);
    return gateway;
  }

  // ─── lifecycle ──────────────────────────────────────────────────────────────────────────────

  /** Bound TCP port (stable across `restart()`). */
  get port(): number {
    return this.listeningPort;
  }

  /** Host the gateway listens on. */
  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** Highest server version offered (the negotiated one is min(this, client max)). */
  get serverVersion(): number {
    return this.maxServerVersion;
  }

  /** Managed accounts. */
  get accounts(): readonly string[] {
    return this.accountList;
  }

  /** The id the next NEXT_VALID_ID / REQ_IDS answer carries. */
  get nextValidId(): number {
    return this.nextOrderIdValue;
  }

  /** Sessions that completed START_API and are still open. */
  get sessionInfo(): readonly FakeSessionInfo[] {
    return [...this.sessions.values()]
      .filter((s) => s.live)
      .map((s) => ({
        id: s.id,
        clientId: s.clientId,
        serverVersion: s.serverVersion,
        remotePort: s.socket.remotePort ?? 0,
      }));
  }

  /** Handshakes answered since start (counts reconnects). */
  get connectionCount(): number {
    return this.totalConnections;
  }

  /** Closes every socket and the listener; pending scripted timers are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const release of this.downWaits) release();
    this.downWaits.clear();
    await this.destroyAllSockets();
    await new Promise<void>((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
    });
    this.waiters.clear();
  }

  /** Drops every client connection (as a crashed/reset gateway would); keeps listening and all broker state. */
  async dropConnections(): Promise<void> {
    this.log('drop all connections');
    await this.destroyAllSockets();
  }

  /**
   * Simulates an IB Gateway restart: drops every client, optionally stops listening for `downMs`
   * (clients see ECONNREFUSED / 502), then accepts again. With `nextValidId` the next NEXT_VALID_ID
   * is that value even if lower than ids already used (the rolled-back id of Lean IB #242). Working
   * orders, positions, executions and completed orders survive unless `clearHistory`.
   */
  async restart(options: FakeRestartOptions = {}): Promise<void> {
    this.log(`restart ${JSON.stringify(options)}`);
    await this.destroyAllSockets();
    if (options.nextValidId !== undefined) this.nextOrderIdValue = options.nextValidId;
    if (options.clearHistory) {
      this.executionLog.length = 0;
      for (let i = this.orders.length - 1; i >= 0; i -= 1) {
        const o = this.orders[i];
        if (o && !WORKING.has(o.status)) this.orders.splice(i, 1);
      }
    }
    const downMs = options.downMs ?? 0;
    if (downMs > 0) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.downWaits.delete(resolve);
          resolve();
        }, downMs);
        this.timers.add(t);
        this.downWaits.add(resolve);
      });
      if (!this.closed) await this.listen(this.listeningPort);
    }
  }

  // ─── scripting: state ───────────────────────────────────────────────────────────────────────

  /** Defines (or redefines) a contract; returns it fully defaulted. */
  defineContract(spec: FakeContractSpec): FakeContract {
    const existing = this.contracts.get(spec.symbol);
    const contract = defineContract(spec, existing?.conId ?? this.nextConId++);
    this.contracts.set(spec.symbol, contract);
    return contract;
  }

  /** The contract of a symbol (auto-defining it when `autoDefineContracts` is on). */
  contractOf(symbol: string): FakeContract | undefined {
    const known = this.contracts.get(symbol);
    if (known) return known;
    if (this.options.autoDefineContracts === false || symbol === '') return undefined;
    return this.defineContract({ symbol });
  }

  /**
   * Sets account values (merged into the current ones) and pushes them to live account-summary and
   * account-update subscriptions. Default account: the first managed one.
   */
  setAccountValues(values: FakeAccountValues, account: string = this.primaryAccount): void {
    const store = this.accountStore(account);
    for (const [tag, value] of Object.entries(values)) {
      const text = typeof value === 'number' ? this.numberText(value, `account value ${tag}`) : value;
      store.set(tag, text);
      const currency = this.currencyOf(tag);
      for (const s of this.liveSessions()) {
        for (const [reqId, tags] of s.accountSummaries) {
          if (this.summaryWants(tags, tag)) this.send(s, msg.accountSummary(reqId, account, tag, text, currency));
        }
        if (s.accountUpdates === account) this.send(s, msg.accountValue(tag, text, currency, account));
      }
    }
  }

  /** Current account values of an account (tag → text). */
  accountValuesOf(account: string = this.primaryAccount): Readonly<Record<string, string>> {
    return Object.fromEntries(this.accountStore(account));
  }

  /**
   * Replaces all positions of the accounts mentioned (others untouched) and pushes each to live
   * position / portfolio subscriptions. A quantity of 0 is reported like IB reports a position closed today.
   */
  setPositions(positions: readonly FakePositionSpec[]): void {
    const accounts = new Set(positions.map((p) => p.account ?? this.primaryAccount));
    for (const a of accounts) this.positionStore(a).clear();
    for (const p of positions) this.setPosition(p);
  }

  /** Sets one position and pushes it to live subscriptions (POSITION and PORTFOLIO_VALUE). */
  setPosition(p: FakePositionSpec): void {
    const account = p.account ?? this.primaryAccount;
    this.numberText(p.quantity, `position ${p.symbol} quantity`);
    this.numberText(p.avgCost, `position ${p.symbol} avgCost`);
    const contract = this.requireContract(p.symbol);
    const state: PositionState = {
      quantity: p.quantity,
      avgCost: p.avgCost,
      realizedPnl: this.positionStore(account).get(p.symbol)?.realizedPnl ?? 0,
      marketPrice: p.marketPrice,
    };
    this.positionStore(account).set(contract.symbol, state);
    this.publishPosition(account, contract, state);
  }

  /** Positions as the fake broker holds them. */
  positionsOf(account: string = this.primaryAccount): readonly FakePositionSpec[] {
    return [...this.positionStore(account).entries()].map(([symbol, s]) => ({
      symbol,
      quantity: s.quantity,
      avgCost: s.avgCost,
      account,
      ...(s.marketPrice === undefined ? {} : { marketPrice: s.marketPrice }),
    }));
  }

  /** Bars served for reqHistoricalData on `symbol` (one HISTORICAL_DATA message, values sent verbatim). */
  setHistoricalBars(symbol: string, source: FakeHistoricalSource): void {
    this.historicalFailures.delete(symbol);
    this.historical.set(symbol, source);
  }

  /** Makes reqHistoricalData on `symbol` fail with an error (default 162 "HMDS query returned no data"). */
  failHistoricalData(symbol: string, code = 162, text?: string): void {
    this.historicalFailures.set(symbol, { code, text: text ?? this.errorText(code) });
  }

  /** Sets the last price of a symbol without sending ticks (used as the fill price of market orders). */
  setMarketPrice(symbol: string, price: number): void {
    this.numberText(price, `market price of ${symbol}`);
    this.quoteOf(symbol).last = price;
  }

  /** Last known trade price of a symbol. */
  lastPrice(symbol: string): number | undefined {
    return this.quotes.get(symbol)?.last;
  }

  /**
   * Sends a tick update to every live market-data subscription of `symbol` (TICK_PRICE with its size,
   * then TICK_SIZE for sizes, LAST_TIMESTAMP for a trade). A last price also updates the fill price and
   * fills default-scripted limit/stop orders it crosses.
   */
  pushTick(symbol: string, tick: FakeTick): void {
    const quote = this.quoteOf(symbol);
    const fields = Object.keys(tick) as (keyof FakeTick)[];
    for (const key of fields) {
      const v = tick[key];
      if (v !== undefined) quote[key] = this.checkedNumber(v, `tick ${symbol}.${key}`);
    }
    for (const s of this.liveSessions()) {
      for (const [reqId, sub] of s.marketData) {
        if (sub.symbol === symbol) this.sendTicks(s, reqId, tick);
      }
    }
    if (tick.last !== undefined) this.crossWorkingOrders(symbol, tick.last);
  }

  /**
   * Sets option figures of `symbol` (merged into the current ones) and sends each given one to every
   * live market-data subscription of the symbol whose generic tick list asked for it (see
   * FakeOptionTicks). New subscriptions get the current figures right after their quote.
   */
  pushOptionTicks(symbol: string, ticks: FakeOptionTicks): void {
    for (const [key, v] of Object.entries(ticks) as [keyof FakeOptionTicks, number | undefined][]) {
      if (v !== undefined) this.checkedNumber(v, `option tick ${symbol}.${key}`);
    }
    this.optionFigures.set(symbol, { ...this.optionFigures.get(symbol), ...ticks });
    for (const s of this.liveSessions()) {
      for (const [reqId, sub] of s.marketData) {
        if (sub.symbol === symbol) this.sendOptionTicks(s, reqId, sub.genericTicks, ticks);
      }
    }
  }

  /**
   * Makes reqMktData on `symbol` answer ERR_MSG(reqId, code, text) (354 no subscription, 10089 needs
   * another subscription ...). Unless `keepStreaming` (default: true for 10090, 10091, 10167, as IB
   * keeps those requests running) the request is dropped. `clearMarketDataFailure` undoes it.
   */
  failMarketData(
    symbol: string,
    code: number,
    text?: string,
    options: { readonly keepStreaming?: boolean } = {},
  ): void {
    this.marketDataFailures.set(symbol, {
      code,
      text: text ?? this.errorText(code),
      keepStreaming: options.keepStreaming ?? [10090, 10091, 10167].includes(code),
    });
  }

  /** Lets reqMktData on `symbol` succeed again. */
  clearMarketDataFailure(symbol: string): void {
    this.marketDataFailures.delete(symbol);
  }

  /** Live market-data subscriptions (reqId → symbol and generic ticks) of every session. */
  get marketDataSubscriptions(): readonly {
    readonly sessionId: number;
    readonly reqId: number;
    readonly symbol: string;
    readonly genericTicks: readonly string[];
  }[] {
    return this.liveSessions().flatMap((s) =>
      [...s.marketData].map(([reqId, sub]) => ({
        sessionId: s.id,
        reqId,
        symbol: sub.symbol,
        genericTicks: [...sub.genericTicks],
      })),
    );
  }

  /** Sends a 5-second bar to every live real-time-bar subscription of `symbol`. */
  pushRealTimeBar(symbol: string, bar: FakeRealTimeBar): void {
    this.quoteOf(symbol).last = this.checkedNumber(bar.close, `bar ${symbol}.close`);
    for (const s of this.liveSessions()) {
      for (const [reqId, sym] of s.realTimeBars) if (sym === symbol) this.send(s, msg.realTimeBar(reqId, bar));
    }
  }

  /** Sends a HISTORICAL_DATA_UPDATE to every live keepUpToDate historical request of `symbol`. */
  pushHistoricalBarUpdate(symbol: string, bar: FakeHistoricalBar): void {
    for (const s of this.liveSessions()) {
      for (const [reqId, sym] of s.historicalUpdates)
        if (sym === symbol) this.send(s, msg.historicalDataUpdate(reqId, bar));
    }
  }

  // ─── scripting: orders ──────────────────────────────────────────────────────────────────────

  /**
   * Queues an outcome for the next placed order that matches (first queued, first used; each script
   * is used once). Unmatched orders follow `defaultOrderScript`.
   */
  scriptOrder(script: FakeOrderScript, match: FakeOrderMatch = {}): void {
    this.orderScripts.push({ match, script });
  }

  /** Scripts not yet consumed. */
  get pendingOrderScripts(): number {
    return this.orderScripts.length;
  }

  /** Snapshot of every order the broker has seen (working and completed). */
  get allOrders(): readonly FakeOrder[] {
    return this.orders.map((o) => this.snapshot(o));
  }

  /** One order, or undefined. */
  findOrder(selector: FakeOrderSelector): FakeOrder | undefined {
    const o = this.select(selector);
    return o ? this.snapshot(o) : undefined;
  }

  /** Every execution so far (what reqExecutions can return). */
  get executions(): readonly FakeExecution[] {
    return [...this.executionLog];
  }

  /** Orders that reached a final state (what reqCompletedOrders returns). */
  get completedOrders(): readonly FakeOrder[] {
    return this.orders.filter((o) => !WORKING.has(o.status)).map((o) => this.snapshot(o));
  }

  /** Executes `qty` (default: all remaining) of a working order at `price` (default: its reference price). */
  fillOrder(selector: FakeOrderSelector, fill: { readonly qty?: number; readonly price?: number } = {}): void {
    const o = this.requireWorking(selector);
    const qty = fill.qty ?? o.totalQuantity - o.filled;
    this.executeFill(o, { qty, ...(fill.price === undefined ? {} : { price: fill.price }) });
  }

  /** Cancels a working order from IB's side: ORDER_STATUS Cancelled, then error 202 with `text`. */
  cancelOrderByGateway(selector: FakeOrderSelector, text?: string): void {
    this.cancelWorking(this.requireWorking(selector), text ?? this.errorText(202));
  }

  /** Rejects a working order: error `code` (default 201), then Inactive. */
  rejectOrder(selector: FakeOrderSelector, code = 201, text?: string): void {
    this.rejectWorking(this.requireWorking(selector), code, text ?? this.errorText(code));
  }

  // ─── scripting: connection events ───────────────────────────────────────────────────────────

  /**
   * Sends ERR_MSG to every live session (or only those with `clientId`). reqId −1 reaches the client
   * as an `info` event (1100 makes IBApiNext drop the socket); any other id as an `error` event.
   */
  sendError(reqId: number, code: number, text?: string, target: { readonly clientId?: number } = {}): void {
    for (const s of this.liveSessions()) {
      if (target.clientId !== undefined && s.clientId !== target.clientId) continue;
      this.send(s, msg.errorMessage(s.serverVersion, reqId, code, text ?? this.errorText(code)));
    }
  }

  // ─── assertions and waiting ─────────────────────────────────────────────────────────────────

  /** Received requests of one kind. */
  receivedOf<K extends ReceivedKind>(kind: K): ReceivedOfKind<K>[] {
    return this.received.filter((r): r is ReceivedOfKind<K> => r.kind === kind);
  }

  /** placeOrder requests carrying `orderRef` (how often the client sent the same order). */
  placeOrdersFor(orderRef: string): PlaceOrderRequest[] {
    return this.receivedOf('placeOrder').filter((r) => r.orderRef === orderRef);
  }

  /**
   * Resolves with the first request of `kind` matching `predicate` among those received at index
   * ≥ `since` (default 0: already-received ones count). Rejects after `timeoutMs` (default 5000).
   */
  waitForRequest<K extends ReceivedKind>(
    kind: K,
    predicate: (r: ReceivedOfKind<K>) => boolean = () => true,
    options: { readonly since?: number; readonly timeoutMs?: number } = {},
  ): Promise<ReceivedOfKind<K>> {
    const since = options.since ?? 0;
    const find = (): ReceivedOfKind<K> | undefined =>
      this.received
        .slice(since)
        .find((r): r is ReceivedOfKind<K> => r.kind === kind && predicate(r as ReceivedOfKind<K>));
    return this.waitUntil(() => find() !== undefined, `a ${kind} request`, options.timeoutMs).then(
      () => find() as ReceivedOfKind<K>,
    );
  }

  /** Resolves once `condition()` holds (re-checked after every gateway event); rejects after `timeoutMs`. */
  waitUntil(condition: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        check: condition,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`fake gateway: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves once `count` sessions (optionally of `clientId`) are live. */
  waitForSessions(
    count: number,
    options: { readonly clientId?: number; readonly timeoutMs?: number } = {},
  ): Promise<void> {
    return this.waitUntil(
      () =>
        this.sessionInfo.filter((s) => options.clientId === undefined || s.clientId === options.clientId).length >=
        count,
      `${count} live session(s)`,
      options.timeoutMs,
    );
  }

  /**
   * Records the error events of a client (IBApi or IBApiNext) in `clientErrors`, and its 505s in
   * `decodeErrors`. Returns an unsubscribe function.
   */
  watchClient(client: IBApi | IBApiNext): () => void {
    const record = (code: number, reqId: number, message: string): void => {
      this.clientErrors.push({ code, reqId, message });
      if (code === 505) {
        this.decodeErrors.push({ source: 'client', code, message, serverVersion: this.maxServerVersion });
      }
      this.notify();
    };
    if (client instanceof IBApiNext) {
      const sub = client.error.subscribe((e: IBApiNextError) => record(e.code, e.reqId, e.error.message));
      return () => sub.unsubscribe();
    }
    const listener = (err: Error, code: number, reqId: number): void => record(code, reqId, err.message);
    client.on(EventName.error, listener);
    return () => {
      client.off(EventName.error, listener);
    };
  }

  /** Throws if any decode error (505) was seen, listing them. */
  assertNoDecodeErrors(): void {
    if (this.decodeErrors.length === 0) return;
    const lines = this.decodeErrors.map(
      (e) => `[${e.source} sv${e.serverVersion} msg ${e.msgId ?? '?'}] ${e.code} ${e.message}`,
    );
    throw new Error(`fake gateway: ${this.decodeErrors.length} decode error(s):\n${lines.join('\n')}`);
  }

  // ─── connection handling ────────────────────────────────────────────────────────────────────

  private listen(port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address && typeof address === 'object') this.listeningPort = address.port;
        this.log(`listening on ${this.host}:${this.listeningPort} (server version ≤ ${this.maxServerVersion})`);
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const session = new Session(this.nextSessionId++, socket);
    this.sessions.set(session.id, session);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(session, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      session.state = 'closed';
      this.sessions.delete(session.id);
      this.log(`session ${session.id} (client ${session.clientId}) closed`);
      this.notify();
    });
  }

  private destroyAllSockets(): Promise<void> {
    const closing = [...this.sessions.values()].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.socket.destroyed) {
            resolve();
            return;
          }
          s.socket.once('close', () => resolve());
          s.socket.destroy();
        }),
    );
    return Promise.all(closing).then(() => undefined);
  }

  private onData(session: Session, chunk: Buffer): void {
    if (session.state === 'closed') return;
    let data = chunk;
    if (session.state === 'handshake') {
      session.handshakeBuffer = Buffer.concat([session.handshakeBuffer, chunk]);
      const result = parseHandshake(session.handshakeBuffer);
      if (result.kind === 'incomplete') return;
      if (result.kind === 'invalid') {
        this.log(`session ${session.id}: bad handshake (${result.reason}); closing`);
        session.socket.destroy();
        return;
      }
      const negotiated = Math.min(this.maxServerVersion, result.handshake.maxVersion);
      if (negotiated < result.handshake.minVersion || negotiated < MIN_FAKE_SERVER_VERSION) {
        this.log(`session ${session.id}: no common version with "${result.handshake.raw}"; closing`);
        session.socket.destroy();
        return;
      }
      session.serverVersion = negotiated;
      session.state = 'awaitStart';
      this.totalConnections += 1;
      this.send(session, [negotiated, this.options.connectionTime ?? '20240102 09:30:00 EST'], true);
      data = session.handshakeBuffer.subarray(result.consumed);
      session.handshakeBuffer = Buffer.alloc(0);
      if (data.length === 0) return;
    }
    for (const fields of session.reader.push(data)) {
      if (session.socket.destroyed) return;
      this.onFrame(session, fields);
    }
  }

  private onFrame(session: Session, fields: readonly string[]): void {
    const request = decodeClientRequest(session.serverVersion, fields, {
      sessionId: session.id,
      clientId: session.clientId,
      atMs: this.clock(),
    });
    if (session.state === 'awaitStart') {
      if (request.kind !== 'startApi') {
        this.log(`session ${session.id}: ${request.kind} before START_API ignored`);
        return;
      }
      const clientId = Number.parseInt(request.requestedClientId, 10);
      session.clientId = Number.isFinite(clientId) ? clientId : 0;
      this.received.push({ ...request, clientId: session.clientId });
      this.startApi(session);
      this.notify();
      return;
    }
    this.received.push(request);
    this.log(`session ${session.id} → ${request.kind}`);
    this.handle(session, request);
    this.notify();
  }

  private startApi(session: Session): void {
    const duplicate = [...this.sessions.values()].some(
      (s) => s !== session && s.live && s.clientId === session.clientId,
    );
    if (duplicate && this.options.uniqueClientIds !== false) {
      this.send(session, msg.errorMessage(session.serverVersion, -1, 326, this.errorText(326)), true);
      this.log(`session ${session.id}: client id ${session.clientId} in use → 326`);
      session.socket.end();
      return;
    }
    session.state = 'started';
    this.log(`session ${session.id}: client ${session.clientId} started at server version ${session.serverVersion}`);
    this.send(session, msg.managedAccounts(this.accountList));
    this.send(session, msg.nextValidId(this.nextOrderIdValue));
    if (this.options.farmMessages !== false) {
      for (const code of [2104, 2106, 2158]) {
        this.send(session, msg.errorMessage(session.serverVersion, -1, code, this.errorText(code)));
      }
    }
  }

  private handle(session: Session, r: ReceivedRequest): void {
    const sv = session.serverVersion;
    switch (r.kind) {
      case 'startApi':
      case 'setServerLogLevel':
      case 'unknown':
        return;
      case 'reqIds':
        this.send(session, msg.nextValidId(this.nextOrderIdValue));
        return;
      case 'reqManagedAccts':
        this.send(session, msg.managedAccounts(this.accountList));
        return;
      case 'reqCurrentTime':
        this.send(session, msg.currentTime(Math.floor(this.clock() / 1000)));
        return;
      case 'reqMarketDataType':
        session.marketDataType = r.marketDataType;
        return;
      case 'reqAccountSummary':
        this.answerAccountSummary(session, r);
        return;
      case 'cancelAccountSummary':
        session.accountSummaries.delete(r.reqId);
        return;
      case 'reqAccountUpdates':
        this.answerAccountUpdates(session, r.subscribe, r.account);
        return;
      case 'reqPositions':
        session.positions = true;
        for (const [account, store] of this.positionsByAccount) {
          for (const [symbol, p] of store) {
            this.send(session, msg.position(account, this.requireContract(symbol), p.quantity, p.avgCost));
          }
        }
        this.send(session, msg.positionEnd());
        return;
      case 'cancelPositions':
        session.positions = false;
        return;
      case 'reqContractDetails': {
        const contract = this.resolveRequestContract(r.contract);
        if (!contract) {
          this.send(session, msg.errorMessage(sv, r.reqId, 200, this.errorText(200)));
          return;
        }
        this.send(session, msg.contractData(sv, r.reqId, contract));
        this.send(session, msg.contractDataEnd(r.reqId));
        return;
      }
      case 'reqHistoricalData':
        this.answerHistorical(session, r);
        return;
      case 'cancelHistoricalData':
        session.historicalUpdates.delete(r.reqId);
        return;
      case 'reqMktData':
        this.answerMarketData(session, r);
        return;
      case 'cancelMktData':
        session.marketData.delete(r.reqId);
        return;
      case 'reqRealTimeBars': {
        const contract = this.resolveRequestContract(r.contract);
        if (!contract) {
          this.send(session, msg.errorMessage(sv, r.reqId, 200, this.errorText(200)));
          return;
        }
        session.realTimeBars.set(r.reqId, contract.symbol);
        return;
      }
      case 'cancelRealTimeBars':
        session.realTimeBars.delete(r.reqId);
        return;
      case 'reqOpenOrders':
        this.answerOpenOrders(session, (o) => session.clientId === 0 || o.clientId === session.clientId);
        return;
      case 'reqAllOpenOrders':
        this.answerOpenOrders(session, () => true);
        return;
      case 'reqAutoOpenOrders':
        session.autoOpenOrders = r.autoBind;
        this.answerOpenOrders(session, () => true);
        return;
      case 'reqCompletedOrders':
        for (const o of this.orders) {
          if (!WORKING.has(o.status)) {
            this.send(
              session,
              msg.completedOrder(sv, this.snapshot(o), this.timeText(o.completedAtMs ?? o.placedAtMs)),
            );
          }
        }
        this.send(session, msg.completedOrdersEnd());
        return;
      case 'reqExecutions':
        this.answerExecutions(session, r);
        return;
      case 'placeOrder':
        this.placeOrder(session, r);
        return;
      case 'cancelOrder':
        this.clientCancel(session, r);
        return;
      case 'globalCancel':
        for (const o of this.orders) if (WORKING.has(o.status)) this.cancelWorking(o, this.errorText(202));
        return;
    }
  }

  // ─── request answers ────────────────────────────────────────────────────────────────────────

  private answerAccountSummary(session: Session, r: ReqAccountSummaryRequest): void {
    session.accountSummaries.set(r.reqId, r.tags);
    for (const account of this.accountList) {
      for (const [tag, value] of this.accountStore(account)) {
        if (this.summaryWants(r.tags, tag)) {
          this.send(session, msg.accountSummary(r.reqId, account, tag, value, this.currencyOf(tag)));
        }
      }
    }
    this.send(session, msg.accountSummaryEnd(r.reqId));
  }

  private answerAccountUpdates(session: Session, subscribe: boolean, requested: string): void {
    if (!subscribe) {
      session.accountUpdates = undefined;
      return;
    }
    const account = requested === '' ? this.primaryAccount : requested;
    session.accountUpdates = account;
    for (const [tag, value] of this.accountStore(account)) {
      this.send(session, msg.accountValue(tag, value, this.currencyOf(tag), account));
    }
    for (const [symbol, p] of this.positionStore(account)) {
      this.send(session, this.portfolioMessage(account, this.requireContract(symbol), p));
    }
    this.send(session, msg.accountUpdateTime(formatAccountTime(this.clock())));
    this.send(session, msg.accountDownloadEnd(account));
  }

  private answerHistorical(session: Session, r: ReqHistoricalDataRequest): void {
    const sv = session.serverVersion;
    const contract = this.resolveRequestContract(r.contract);
    if (!contract) {
      this.send(session, msg.errorMessage(sv, r.reqId, 200, this.errorText(200)));
      return;
    }
    const failure = this.historicalFailures.get(contract.symbol);
    const source = this.historical.get(contract.symbol);
    if (failure || !source) {
      const f = failure ?? {
        code: 162,
        text: `${this.errorText(162)}: ${contract.symbol}@${contract.exchange} ${r.whatToShow}`,
      };
      this.send(session, msg.errorMessage(sv, r.reqId, f.code, f.text));
      return;
    }
    const bars = typeof source === 'function' ? source(r) : source;
    const first = bars[0]?.time ?? '';
    const last = bars[bars.length - 1]?.time ?? '';
    this.send(session, msg.historicalData(r.reqId, first, r.endDateTime === '' ? last : r.endDateTime, bars));
    if (r.keepUpToDate) session.historicalUpdates.set(r.reqId, contract.symbol);
  }

  private answerMarketData(session: Session, r: ReqMktDataRequest): void {
    const contract = this.resolveRequestContract(r.contract);
    if (!contract) {
      this.send(session, msg.errorMessage(session.serverVersion, r.reqId, 200, this.errorText(200)));
      return;
    }
    const failure = this.marketDataFailures.get(contract.symbol);
    if (failure) {
      this.send(session, msg.errorMessage(session.serverVersion, r.reqId, failure.code, failure.text));
      if (!failure.keepStreaming) return;
    }
    const delayed = session.marketDataType === 3 || session.marketDataType === 4;
    const genericTicks = new Set(
      r.genericTickList
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    );
    this.send(session, msg.marketDataType(r.reqId, session.marketDataType));
    this.send(session, msg.tickReqParams(r.reqId, '9c0001'));
    if (!r.snapshot) session.marketData.set(r.reqId, { symbol: contract.symbol, snapshot: false, genericTicks });
    const quote = this.quotes.get(contract.symbol);
    if (quote) this.sendTicks(session, r.reqId, quote, delayed);
    const figures = this.optionFigures.get(contract.symbol);
    if (figures) this.sendOptionTicks(session, r.reqId, genericTicks, figures);
    if (r.snapshot) this.send(session, msg.tickSnapshotEnd(r.reqId));
  }

  private sendTicks(session: Session, reqId: number, tick: FakeTick, delayedOverride?: boolean): void {
    const delayed = delayedOverride ?? (session.marketDataType === 3 || session.marketDataType === 4);
    const pick = (key: keyof QuoteState): number => TICK_TYPES[key][delayed ? 1 : 0];
    const quote = this.quotes.get(session.marketData.get(reqId)?.symbol ?? '') ?? {};
    for (const key of Object.keys(tick) as (keyof FakeTick)[]) {
      const v = tick[key];
      if (v === undefined || !PRICE_FIELDS.has(key)) continue;
      const sizeKey = SIZE_OF[key];
      const size = sizeKey === undefined ? undefined : (tick[sizeKey] ?? quote[sizeKey]);
      this.send(session, msg.tickPrice(reqId, pick(key), v, size));
    }
    for (const key of Object.keys(tick) as (keyof FakeTick)[]) {
      const v = tick[key];
      if (v === undefined || PRICE_FIELDS.has(key)) continue;
      this.send(session, msg.tickSize(reqId, pick(key), v));
    }
    if (tick.last !== undefined && !delayed) {
      this.send(session, msg.tickString(reqId, 45, String(Math.floor(this.clock() / 1000))));
    }
  }

  private sendOptionTicks(session: Session, reqId: number, wanted: ReadonlySet<string>, ticks: FakeOptionTicks): void {
    for (const [key, v] of Object.entries(ticks) as [keyof FakeOptionTicks, number | undefined][]) {
      const spec = OPTION_TICK_TYPES[key];
      if (v === undefined || !spec || !wanted.has(spec[1])) continue;
      const [tickType, , generic] = spec;
      this.send(session, generic ? msg.tickGeneric(reqId, tickType, v) : msg.tickSize(reqId, tickType, v));
    }
  }

  private answerOpenOrders(session: Session, include: (o: OrderState) => boolean): void {
    for (const o of this.orders) {
      if (!WORKING.has(o.status) || !include(o)) continue;
      const snap = this.snapshot(o);
      this.send(session, msg.openOrder(session.serverVersion, snap));
      this.send(session, msg.orderStatus(snap));
    }
    this.send(session, msg.openOrderEnd());
  }

  private answerExecutions(session: Session, r: ReqExecutionsRequest): void {
    const f = r.filter;
    const since = f.time === '' ? undefined : parseFilterTime(f.time);
    const side = f.side.toUpperCase();
    const wantSide = side === '' ? undefined : side === 'BUY' || side === 'BOT' ? 'BOT' : 'SLD';
    for (const e of this.executionLog) {
      if (f.clientId !== undefined && f.clientId !== 0 && e.clientId !== f.clientId) continue;
      if (f.account !== '' && e.account !== f.account) continue;
      if (f.symbol !== '' && e.symbol !== f.symbol) continue;
      if (wantSide !== undefined && e.side !== wantSide) continue;
      if (since !== undefined && e.timeMs < since) continue;
      const contract = this.requireContract(e.symbol);
      this.send(session, msg.executionData(session.serverVersion, r.reqId, e, contract));
      this.send(session, msg.commissionReport(e));
    }
    this.send(session, msg.executionDataEnd(r.reqId));
  }

  // ─── orders ─────────────────────────────────────────────────────────────────────────────────

  private placeOrder(session: Session, r: PlaceOrderRequest): void {
    const sv = session.serverVersion;
    const existing = this.orders.find((o) => o.clientId === session.clientId && o.orderId === r.orderId);
    if (existing && WORKING.has(existing.status)) {
      existing.totalQuantity = r.totalQuantity;
      existing.lmtPrice = r.lmtPrice;
      existing.auxPrice = r.auxPrice;
      existing.tif = r.tif;
      existing.outsideRth = r.outsideRth;
      this.log(`order ${existing.orderId} modified`);
      this.publishOrder(existing);
      return;
    }
    if (existing) {
      this.send(session, msg.errorMessage(sv, r.orderId, 103, this.errorText(103)));
      return;
    }
    const base = this.resolveRequestContract(r.contract);
    if (!base) {
      this.send(session, msg.errorMessage(sv, r.orderId, 200, this.errorText(200)));
      return;
    }
    if (!(r.totalQuantity > 0)) {
      this.send(session, msg.errorMessage(sv, r.orderId, 201, `${this.errorText(201)} quantity must be positive`));
      return;
    }
    const order: OrderState = {
      orderId: r.orderId,
      clientId: session.clientId,
      permId: this.nextPermIdValue++,
      account: r.account === '' ? this.primaryAccount : r.account,
      contract: { ...base, exchange: r.contract.exchange === '' ? base.exchange : r.contract.exchange },
      action: r.action,
      totalQuantity: r.totalQuantity,
      orderType: r.orderType,
      lmtPrice: r.lmtPrice,
      auxPrice: r.auxPrice,
      tif: r.tif === '' ? 'DAY' : r.tif,
      orderRef: r.orderRef,
      parentId: r.parentId,
      outsideRth: r.outsideRth,
      transmit: r.transmit,
      status: 'PreSubmitted',
      filled: 0,
      avgFillPrice: 0,
      lastFillPrice: 0,
      commission: 0,
      completedStatus: '',
      completedAtMs: undefined,
      placedAtMs: this.clock(),
      fillOnCross: false,
    };
    this.orders.push(order);
    if (r.orderId >= this.nextOrderIdValue) this.nextOrderIdValue = r.orderId + 1;
    const script = this.takeScript(order);
    this.log(
      `order ${order.orderId} ${order.action} ${order.totalQuantity} ${order.contract.symbol} ${order.orderType} ref=${order.orderRef} → ${script.kind}`,
    );
    if (script.kind === 'dropAfterPlace') {
      session.socket.destroy();
      const then = script.then ?? { kind: 'fill' };
      if (then === 'lost') {
        this.orders.splice(this.orders.indexOf(order), 1);
        return;
      }
      this.runScript(order, then);
      return;
    }
    this.runScript(order, script);
  }

  private takeScript(order: OrderState): FakeOrderScript {
    const index = this.orderScripts.findIndex(({ match }) => this.matches(order, match));
    if (index >= 0) {
      const [entry] = this.orderScripts.splice(index, 1);
      if (entry) return entry.script;
    }
    const configured = this.options.defaultOrderScript;
    if (configured !== undefined)
      return typeof configured === 'function' ? configured(this.snapshot(order)) : configured;
    order.fillOnCross = true;
    if (order.orderType === 'MKT') return { kind: 'fill' };
    const last = this.lastPrice(order.contract.symbol);
    if (last !== undefined && this.crosses(order, last)) return { kind: 'fill', price: this.crossPrice(order, last) };
    return { kind: 'hold' };
  }

  private matches(o: OrderState, m: FakeOrderMatch): boolean {
    return (
      (m.orderRef === undefined || m.orderRef === o.orderRef) &&
      (m.symbol === undefined || m.symbol === o.contract.symbol) &&
      (m.action === undefined || m.action === o.action) &&
      (m.orderType === undefined || m.orderType === o.orderType) &&
      (m.clientId === undefined || m.clientId === o.clientId)
    );
  }

  private runScript(order: OrderState, script: FakeOrderScriptAfterDrop): void {
    const ackDelay = script.ackDelayMs ?? 0;
    if (script.kind === 'reject' && !script.afterAck) {
      this.later(ackDelay + (script.delayMs ?? 0), () =>
        this.rejectWorking(order, script.code ?? 201, script.text ?? this.errorText(script.code ?? 201)),
      );
      return;
    }
    this.later(ackDelay, () => {
      if (!WORKING.has(order.status)) return;
      order.status = 'Submitted';
      this.publishOrder(order);
      switch (script.kind) {
        case 'hold':
          return;
        case 'fill':
          this.later(script.delayMs ?? 0, () => {
            if (WORKING.has(order.status)) {
              this.executeFill(order, {
                qty: order.totalQuantity - order.filled,
                ...(script.price === undefined ? {} : { price: script.price }),
              });
            }
          });
          return;
        case 'reject':
          this.later(script.delayMs ?? 0, () =>
            this.rejectWorking(order, script.code ?? 201, script.text ?? this.errorText(script.code ?? 201)),
          );
          return;
        case 'cancel':
          this.later(script.delayMs ?? 0, () => this.cancelWorking(order, script.text ?? this.errorText(202)));
          return;
        case 'partial':
          this.later(script.delayMs ?? 0, () =>
            this.runPartial(order, script.fills, 0, script.intervalMs ?? 0, script.then),
          );
          return;
      }
    });
  }

  private runPartial(
    order: OrderState,
    fills: readonly FakeFillSpec[],
    index: number,
    intervalMs: number,
    then: 'hold' | 'cancel' | undefined,
  ): void {
    if (!WORKING.has(order.status)) return;
    const fill = fills[index];
    if (!fill) {
      if (then === 'cancel' && order.filled < order.totalQuantity) this.cancelWorking(order, this.errorText(202));
      return;
    }
    this.executeFill(order, fill);
    this.later(intervalMs, () => this.runPartial(order, fills, index + 1, intervalMs, then));
  }

  private executeFill(order: OrderState, fill: FakeFillSpec): void {
    const remaining = order.totalQuantity - order.filled;
    const qty = Math.min(fill.qty, remaining);
    if (!(qty > 0)) {
      this.scriptError(`fill of ${fill.qty} for order ${order.orderId} with ${remaining} remaining ignored`);
      return;
    }
    const price = fill.price ?? this.referencePrice(order);
    if (price === undefined) {
      const text = `fake gateway: no price known for ${order.contract.symbol}; use setMarketPrice/pushTick or script a fill price`;
      this.scriptError(text);
      this.rejectWorking(order, 201, `${this.errorText(201)} ${text}`);
      return;
    }
    const now = this.clock();
    const commission = (this.options.commission ?? ibkrFixedCommission)(qty, price);
    const cumQty = order.filled + qty;
    const avgPrice = (order.avgFillPrice * order.filled + price * qty) / cumQty;
    order.filled = cumQty;
    order.avgFillPrice = avgPrice;
    order.lastFillPrice = price;
    order.commission += commission;
    const side = order.action === 'BUY' ? 'BOT' : 'SLD';
    const realizedPnl = this.applyFillToPosition(order, side, qty, price, commission);
    const execution: FakeExecution = {
      execId: `0000${(0x1000 + this.nextExecSeq).toString(16)}.${order.permId.toString(16)}.01.01`,
      orderId: order.orderId,
      clientId: order.clientId,
      permId: order.permId,
      orderRef: order.orderRef,
      account: order.account,
      symbol: order.contract.symbol,
      conId: order.contract.conId,
      side,
      shares: qty,
      price,
      cumQty,
      avgPrice,
      timeMs: now,
      time: this.timeText(now),
      commission,
      commissionCurrency: order.contract.currency,
      realizedPnl,
    };
    this.nextExecSeq += 1;
    this.executionLog.push(execution);
    const done = cumQty >= order.totalQuantity;
    if (done) {
      order.status = 'Filled';
      order.completedAtMs = now;
      order.completedStatus = `Filled Size: ${cumQty}`;
    }
    this.log(
      `fill order ${order.orderId}: ${side} ${qty} ${order.contract.symbol} @ ${price} (cum ${cumQty}/${order.totalQuantity})`,
    );
    const snap = this.snapshot(order);
    for (const s of this.orderAudience(order)) {
      this.send(s, msg.executionData(s.serverVersion, -1, execution, order.contract));
      this.send(s, msg.openOrder(s.serverVersion, snap));
      this.send(s, msg.orderStatus(snap));
      if (done) {
        // A real gateway repeats the Filled pair before the commission report.
        this.send(s, msg.openOrder(s.serverVersion, snap));
        this.send(s, msg.orderStatus(snap));
      }
      this.send(s, msg.commissionReport(execution));
    }
    const position = this.positionStore(order.account).get(order.contract.symbol);
    if (position) this.publishPosition(order.account, order.contract, position);
  }

  private applyFillToPosition(
    order: OrderState,
    side: 'BOT' | 'SLD',
    qty: number,
    price: number,
    commission: number,
  ): number | undefined {
    const store = this.positionStore(order.account);
    const p = store.get(order.contract.symbol) ?? { quantity: 0, avgCost: 0, realizedPnl: 0, marketPrice: undefined };
    const delta = side === 'BOT' ? qty : -qty;
    let realized: number | undefined;
    if (p.quantity === 0 || Math.sign(p.quantity) === Math.sign(delta)) {
      const size = Math.abs(p.quantity) + qty;
      p.avgCost = (Math.abs(p.quantity) * p.avgCost + qty * price + commission) / size;
      p.quantity += delta;
    } else {
      const closing = Math.min(qty, Math.abs(p.quantity));
      realized = (price - p.avgCost) * closing * Math.sign(p.quantity) - commission;
      p.realizedPnl += realized;
      p.quantity += delta;
      if (p.quantity === 0) p.avgCost = 0;
      else if (Math.sign(p.quantity) === Math.sign(delta)) p.avgCost = price;
    }
    p.marketPrice = price;
    store.set(order.contract.symbol, p);
    return realized;
  }

  private cancelWorking(order: OrderState, text: string): void {
    if (!WORKING.has(order.status)) return;
    order.status = 'Cancelled';
    order.completedAtMs = this.clock();
    order.completedStatus = text;
    this.log(`order ${order.orderId} cancelled`);
    const snap = this.snapshot(order);
    for (const s of this.orderAudience(order)) {
      this.send(s, msg.orderStatus(snap));
      this.send(s, msg.errorMessage(s.serverVersion, order.orderId, 202, text));
    }
  }

  private rejectWorking(order: OrderState, code: number, text: string): void {
    if (!WORKING.has(order.status)) return;
    order.status = 'Inactive';
    order.completedAtMs = this.clock();
    order.completedStatus = `Rejected: ${text}`;
    this.log(`order ${order.orderId} rejected (${code})`);
    const snap = this.snapshot(order);
    for (const s of this.orderAudience(order)) {
      this.send(s, msg.errorMessage(s.serverVersion, order.orderId, code, text));
      this.send(s, msg.openOrder(s.serverVersion, snap));
      this.send(s, msg.orderStatus(snap));
    }
  }

  private clientCancel(session: Session, r: CancelOrderRequest): void {
    const order = this.orders.find((o) => o.orderId === r.orderId && o.clientId === session.clientId);
    const sv = session.serverVersion;
    if (!order) {
      this.send(session, msg.errorMessage(sv, r.orderId, 135, `${this.errorText(135)} ${r.orderId}`));
      return;
    }
    if (!WORKING.has(order.status)) {
      this.send(
        session,
        msg.errorMessage(
          sv,
          r.orderId,
          10148,
          `OrderId ${r.orderId} that needs to be cancelled cannot be cancelled, state: ${order.status}.`,
        ),
      );
      return;
    }
    this.cancelWorking(order, this.errorText(202));
  }

  private crossWorkingOrders(symbol: string, last: number): void {
    for (const o of this.orders) {
      if (o.contract.symbol !== symbol || o.status !== 'Submitted' || !o.fillOnCross) continue;
      if (this.crosses(o, last))
        this.executeFill(o, { qty: o.totalQuantity - o.filled, price: this.crossPrice(o, last) });
    }
  }

  private crosses(o: OrderState, last: number): boolean {
    const buy = o.action === 'BUY';
    if (o.orderType === 'LMT' && o.lmtPrice !== undefined) return buy ? last <= o.lmtPrice : last >= o.lmtPrice;
    if ((o.orderType === 'STP' || o.orderType === 'STP LMT') && o.auxPrice !== undefined) {
      return buy ? last >= o.auxPrice : last <= o.auxPrice;
    }
    return false;
  }

  private crossPrice(o: OrderState, last: number): number {
    if (o.orderType === 'LMT' && o.lmtPrice !== undefined)
      return o.action === 'BUY' ? Math.min(last, o.lmtPrice) : Math.max(last, o.lmtPrice);
    return last;
  }

  private referencePrice(o: OrderState): number | undefined {
    if (o.orderType === 'LMT' && o.lmtPrice !== undefined) return o.lmtPrice;
    return this.lastPrice(o.contract.symbol) ?? o.lmtPrice ?? o.auxPrice;
  }

  /** Sessions that receive an order's events: the owning client id, plus auto-open-orders sessions. */
  private orderAudience(order: OrderState): Session[] {
    return this.liveSessions().filter((s) => s.clientId === order.clientId || s.autoOpenOrders);
  }

  private publishOrder(order: OrderState): void {
    const snap = this.snapshot(order);
    for (const s of this.orderAudience(order)) {
      this.send(s, msg.openOrder(s.serverVersion, snap));
      this.send(s, msg.orderStatus(snap));
    }
  }

  private publishPosition(account: string, contract: FakeContract, p: PositionState): void {
    for (const s of this.liveSessions()) {
      if (s.positions) this.send(s, msg.position(account, contract, p.quantity, p.avgCost));
      if (s.accountUpdates === account) this.send(s, this.portfolioMessage(account, contract, p));
    }
  }

  private portfolioMessage(account: string, contract: FakeContract, p: PositionState): WireField[] {
    const mark = p.marketPrice ?? this.lastPrice(contract.symbol) ?? p.avgCost;
    const value = mark * p.quantity;
    const unrealized = (mark - p.avgCost) * p.quantity;
    return msg.portfolioValue(contract, p.quantity, mark, value, p.avgCost, unrealized, p.realizedPnl, account);
  }

  private select(selector: FakeOrderSelector): OrderState | undefined {
    if ('permId' in selector) return this.orders.find((o) => o.permId === selector.permId);
    if ('orderRef' in selector) return this.orders.find((o) => o.orderRef === selector.orderRef);
    return this.orders.find(
      (o) => o.orderId === selector.orderId && (selector.clientId === undefined || o.clientId === selector.clientId),
    );
  }

  private requireWorking(selector: FakeOrderSelector): OrderState {
    const o = this.select(selector);
    if (!o) throw new Error(`fake gateway: no order matches ${JSON.stringify(selector)}`);
    if (!WORKING.has(o.status)) throw new Error(`fake gateway: order ${o.orderId} is ${o.status}, not working`);
    return o;
  }

  private snapshot(o: OrderState): FakeOrder {
    return {
      orderId: o.orderId,
      clientId: o.clientId,
      permId: o.permId,
      account: o.account,
      contract: o.contract,
      action: o.action,
      totalQuantity: o.totalQuantity,
      orderType: o.orderType,
      lmtPrice: o.lmtPrice,
      auxPrice: o.auxPrice,
      tif: o.tif,
      orderRef: o.orderRef,
      parentId: o.parentId,
      outsideRth: o.outsideRth,
      transmit: o.transmit,
      status: o.status,
      filled: o.filled,
      avgFillPrice: o.avgFillPrice,
      lastFillPrice: o.lastFillPrice,
      commission: o.commission,
      completedStatus: o.completedStatus,
      completedAtMs: o.completedAtMs,
      placedAtMs: o.placedAtMs,
    };
  }

  // ─── plumbing ───────────────────────────────────────────────────────────────────────────────

  private send(session: Session, fields: readonly WireField[], beforeStart = false): void {
    if (session.socket.destroyed || (!beforeStart && !session.live)) return;
    const text = fieldsToText(fields);
    if (
      this.options.selfCheck !== false &&
      session.serverVersion > 0 &&
      session.state !== 'handshake' &&
      !beforeStart
    ) {
      const result = decodeWithClientDecoder(session.serverVersion, text);
      for (const e of result.errors) {
        if (e.code !== 505 && e.code !== -2) continue;
        this.decodeErrors.push({
          source: 'self-check',
          code: e.code,
          message: e.message,
          msgId: Number(text[0]),
          serverVersion: session.serverVersion,
        });
      }
    }
    this.sent.push({ sessionId: session.id, fields: text });
    if (this.sent.length > MAX_SENT_LOG) this.sent.splice(0, this.sent.length - MAX_SENT_LOG);
    session.socket.write(encodeFrame(text));
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0) {
      fn();
      this.notify();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed) return;
      fn();
      this.notify();
    }, ms);
    this.timers.add(t);
  }

  private notify(): void {
    for (const w of [...this.waiters]) if (w.check()) w.resolve();
  }

  private liveSessions(): Session[] {
    return [...this.sessions.values()].filter((s) => s.live);
  }

  private get primaryAccount(): string {
    return this.accountList[0] as string;
  }

  private accountStore(account: string): Map<string, string> {
    const store = this.accountValues.get(account);
    if (!store) throw new Error(`fake gateway: unknown account ${account} (managed: ${this.accountList.join(',')})`);
    return store;
  }

  private positionStore(account: string): Map<string, PositionState> {
    const store = this.positionsByAccount.get(account);
    if (!store) throw new Error(`fake gateway: unknown account ${account} (managed: ${this.accountList.join(',')})`);
    return store;
  }

  private quoteOf(symbol: string): QuoteState {
    let q = this.quotes.get(symbol);
    if (!q) {
      q = {};
      this.quotes.set(symbol, q);
    }
    return q;
  }

  private requireContract(symbol: string): FakeContract {
    return this.contracts.get(symbol) ?? this.defineContract({ symbol });
  }

  private resolveRequestContract(c: RequestContract): FakeContract | undefined {
    if (c.symbol === '' && c.conId > 0) {
      return [...this.contracts.values()].find((k) => k.conId === c.conId);
    }
    return this.contractOf(c.symbol);
  }

  private summaryWants(tags: readonly string[], tag: string): boolean {
    return tags.includes(tag) || tags.includes('All');
  }

  private currencyOf(tag: string): string {
    return NON_MONETARY_TAGS.has(tag) ? '' : 'USD';
  }

  private errorText(code: number): string {
    return DEFAULT_ERROR_TEXTS[code] ?? `Error ${code}`;
  }

  private timeText(ms: number): string {
    return formatIbTime(ms, this.options.executionTimeStyle ?? 'zoned');
  }

  private numberText(value: number, what: string): string {
    return String(this.checkedNumber(value, what));
  }

  private checkedNumber(value: number, what: string): number {
    if (!Number.isFinite(value)) throw new Error(`fake gateway: ${what} must be a finite number, got ${value}`);
    return value;
  }

  private scriptError(text: string): void {
    this.scriptErrors.push(text);
    this.log(`SCRIPT ERROR: ${text}`);
  }

  private log(line: string): void {
    this.options.log?.(`[fake-gateway] ${line}`);
  }
}

/** Starts a fake IB Gateway on 127.0.0.1 (port 0 unless given). Close it with `close()`. */
export const startFakeGateway = (options: FakeGatewayOptions = {}): Promise<FakeGateway> => FakeGateway.start(options);
