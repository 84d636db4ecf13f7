import { type Observable, type OperatorFunction, filter, map, scan } from 'rxjs';
import type { AccountState, AccountUpdated, Position, PositionUpdated } from '../messages/account.js';
import { positionValue } from '../messages/account.js';
import type { OrderRequested } from '../messages/engine-event.js';
import type { EarningsScheduled } from '../messages/market.js';
import type { BrokerEvent, FillEvent, OrderFailed, OrderIntent } from '../messages/order.js';
import type { BrokerAccountReported } from '../messages/broker-account.js';
import type { KillSwitchChanged, RiskDecision, SetKillSwitch, SettledCashReconciled } from '../messages/risk.js';
import type { ScoredSignal, Side } from '../messages/signal.js';
import { confluenceLevel } from '../confluence/confluence.js';
import type { IdPort } from '../ports/clock.port.js';
import {
  type DayTradeLedgerState,
  type PdtConfig,
  checkDayTradeOrder,
  createDayTradeLedger,
  recordDayTradeFill,
} from './day-trade-ledger.js';
import {
  type SettlementConfig,
  type SettlementLedgerState,
  checkBuy,
  checkSell,
  recordSettlementFill,
  settledCash,
} from './settlement-ledger.js';
import {
  type RiskLimitsConfig,
  type RiskLimitsState,
  checkLimits,
  countEntry,
  engage,
  freshLimits,
  observeEquity,
  reset,
} from './risk-limits.js';
import { type SizingTiers, sharesFor } from './sizing.js';
import {
  type BrokerAccountView,
  DEFAULT_BROKER_REPORT_MAX_AGE_MS,
  brokerDayTradesNote,
  brokerDayTradesRemaining,
  brokerSettledCash,
  receiveBrokerReport,
} from './broker-account.js';
import { flattenWindowAt } from './exit-rules.js';

export interface RiskConfig {
  readonly accountId: string;
  readonly minConfidence: number;
  readonly confluenceMin: number;
  readonly maxConcurrentTrades: number;
  readonly sizingTiers: SizingTiers;
  readonly maxPositionPct: number;
  readonly limits: RiskLimitsConfig;
  /** Pattern-day-trader rule; `pdt.accountType` also says whether the account is a cash account. */
  readonly pdt: PdtConfig;
  /** Settlement of a cash account (used only when `pdt.accountType` is `cash`). */
  readonly settlement: SettlementConfig;
  /** No new entries this long before a scheduled earnings report; 0 = off. */
  readonly earningsBlackoutMs: number;
  /**
   * The exit rules' flatten window (`EXIT_FLATTEN_BEFORE_CLOSE_MINUTES`): no new entries in the last
   * N minutes of a session, when every position is being sold. Unset or null = off.
   */
  readonly flattenBeforeCloseMinutes?: number | null;
  /**
   * A broker report (`broker.account_reported`) older than this is treated as absent: the local
   * ledgers decide alone. Default `DEFAULT_BROKER_REPORT_MAX_AGE_MS`; the engine uses 2 x the
   * position-sync interval, on which the reports come.
   */
  readonly brokerReportMaxAgeMs?: number;
}

export type RiskInput =
  | ScoredSignal
  | OrderRequested
  | AccountUpdated
  | PositionUpdated
  | BrokerEvent
  | OrderFailed
  | SetKillSwitch
  | EarningsScheduled
  | BrokerAccountReported;

/**
 * What the risk operator emits: a decision per signal or manual order, kill-switch changes, and a
 * cash account's settled cash compared with the broker's.
 */
export type RiskOutput = RiskDecision | KillSwitchChanged | SettledCashReconciled;

interface PendingOrder {
  readonly symbol: string;
  readonly purpose: 'enter' | 'exit';
  /** Estimated cost of a buy, committed against settled cash until it fills or ends. */
  readonly cost: number;
}

/**
 * The account-level view risk decides on. Owned linearly by the risk scan. Positions are a Map
 * refreshed in O(1) per mark (a bar of a held symbol), and replaced from each account snapshot.
 */
export interface RiskState {
  /** The latest account snapshot: cash and P&L; its positions are superseded by `positions`. */
  account: AccountState;
  positions: Map<string, Position>;
  /** Approved orders not yet in a terminal status, by client order id. */
  readonly pending: Map<string, PendingOrder>;
  /** Kill switch, entry counters, the session's starting equity, peak equity (persisted by the caller). */
  readonly limits: RiskLimitsState;
  /** Day trades in the rolling window and today's opening runs (replaced per fill; persisted by the caller). */
  dayTrades: DayTradeLedgerState;
  /** A cash account's settlement ledger (replaced per fill; persisted by the caller); undefined on margin. */
  settlement: SettlementLedgerState | undefined;
  /** Next scheduled earnings report per symbol, from the events source (not persisted: it is re-polled). */
  readonly earnings: Map<string, number>;
  /** The broker's latest account figures and our activity since (not persisted: re-read on connect). */
  brokerAccount: BrokerAccountView | undefined;
}

export const createRiskState = (
  account: AccountState,
  openOrders: readonly OrderIntent[] = [],
  limits?: RiskLimitsState,
  dayTrades?: DayTradeLedgerState,
  settlement?: SettlementLedgerState,
): RiskState => {
  const positions = new Map(Object.entries(account.positions));
  let equity = account.cash;
  for (const p of positions.values()) equity += positionValue(p);
  return {
    account,
    positions,
    pending: new Map(
      openOrders.map((o) => [
        o.clientOrderId,
        { symbol: o.symbol, purpose: o.purpose, cost: o.side === 'BUY' ? o.quantity * (o.limitPrice ?? 0) : 0 },
      ]),
    ),
    limits: limits ?? freshLimits(equity),
    dayTrades:
      dayTrades ?? createDayTradeLedger(Object.fromEntries([...positions].map(([symbol, p]) => [symbol, p.quantity]))),
    settlement,
    earnings: new Map(),
    brokerAccount: undefined,
  };
};

/** Cash plus the market value of the positions at their latest marks. */
export const equityNow = (s: RiskState): number => {
  let equity = s.account.cash;
  for (const p of s.positions.values()) equity += positionValue(p);
  return equity;
};

interface Rejection {
  readonly rule: string;
  readonly reason: string;
}
type Verdict =
  | Rejection
  | {
      readonly quantity: number;
      readonly purpose: 'enter' | 'exit';
      readonly side: Side;
      readonly warnings?: readonly string[];
    };

const isRejection = (v: Verdict): v is Rejection => 'rule' in v;

const pendingFor = (s: RiskState, symbol: string, purpose: 'enter' | 'exit'): boolean => {
  for (const p of s.pending.values()) if (p.symbol === symbol && p.purpose === purpose) return true;
  return false;
};

/** Positions held plus entries on their way: what "concurrent positions" counts. */
const openPositionCount = (s: RiskState): number => {
  // At most one entry is pending per symbol (`order_pending`), so counting needs no set.
  let count = s.positions.size;
  for (const p of s.pending.values()) if (p.purpose === 'enter' && !s.positions.has(p.symbol)) count++;
  return count;
};

const checkEntry = (
  s: RiskState,
  c: RiskConfig,
  symbol: string,
  side: Side,
  price: number,
  confidence: number,
  confluenceScore: number,
  requestedQuantity: number | undefined,
  ts: number,
): Verdict => {
  if (s.limits.killSwitch.engaged)
    return { rule: 'kill_switch', reason: `kill switch engaged: ${s.limits.killSwitch.reason || 'by the operator'}` };
  const flatten = flattenWindowAt(ts, c.flattenBeforeCloseMinutes ?? null);
  if (flatten !== undefined)
    return {
      rule: 'flatten_window',
      reason: `positions are flattened in the last ${String(c.flattenBeforeCloseMinutes)} min before the ${flatten.date} close`,
    };
  if (confidence < c.minConfidence)
    return { rule: 'min_confidence', reason: `confidence ${confidence.toFixed(3)} < minimum ${c.minConfidence}` };
  if (confluenceScore < c.confluenceMin)
    return { rule: 'confluence_min', reason: `confluence ${confluenceScore.toFixed(3)} < minimum ${c.confluenceMin}` };
  const report = s.earnings.get(symbol);
  if (report !== undefined && c.earningsBlackoutMs > 0 && ts <= report && report - ts <= c.earningsBlackoutMs)
    return {
      rule: 'earnings_blackout',
      reason: `${symbol} reports earnings at ${new Date(report).toISOString()}, within ${c.earningsBlackoutMs / 3_600_000} h`,
    };
  const held = s.positions.get(symbol);
  if (pendingFor(s, symbol, 'enter'))
    return { rule: 'order_pending', reason: `an entry order for ${symbol} is still working` };
  if (held && requestedQuantity === undefined)
    return { rule: 'position_exists', reason: `${symbol} is already held (${held.quantity} shares)` };
  const open = held ? 0 : openPositionCount(s);
  if (!held && open >= c.maxConcurrentTrades)
    return {
      rule: 'max_concurrent_positions',
      reason: `${open} positions open or pending, limit ${c.maxConcurrentTrades}`,
    };
  const equity = equityNow(s);
  observeEquity(s.limits, c.limits, equity, ts);
  const limited = checkLimits(s.limits, c.limits, equity, ts);
  if (limited) return limited;
  const cash = s.settlement;
  if (cash !== undefined && side === 'SELL')
    return { rule: 'short_not_allowed', reason: `a cash account cannot sell ${symbol} short` };
  // A cash account sizes from settled cash (SPEC 6.7), a margin account from equity; the broker's
  // settled cash, when fresh, caps the ledger's (it is what IBKR will let the account spend).
  const maxAge = c.brokerReportMaxAgeMs ?? DEFAULT_BROKER_REPORT_MAX_AGE_MS;
  const brokerCash = cash === undefined ? undefined : brokerSettledCash(s.brokerAccount, ts, maxAge);
  const base =
    cash === undefined
      ? equity
      : Math.min(equity, settledCash(cash, ts), brokerCash?.settledCash ?? Number.POSITIVE_INFINITY);
  const quantity = requestedQuantity ?? sharesFor(confidence, base, price, c.sizingTiers, c.maxPositionPct);
  if (quantity <= 0)
    return { rule: 'size_zero', reason: `sizing gives 0 shares at ${price} with equity ${equity.toFixed(2)}` };
  const heldValue = held ? Math.abs(held.quantity) * price : 0;
  if (heldValue + quantity * price > c.maxPositionPct * equity + 1e-6)
    return {
      rule: 'max_position_size',
      reason: `position value ${(heldValue + quantity * price).toFixed(2)} would exceed ${c.maxPositionPct * 100} % of equity ${equity.toFixed(2)}`,
    };
  if (side === 'BUY' && quantity * price > s.account.cash)
    return {
      rule: 'insufficient_funds',
      reason: `cost ${(quantity * price).toFixed(2)} > cash ${s.account.cash.toFixed(2)}`,
    };
  const pendingOpeningSymbols: string[] = [];
  for (const p of s.pending.values()) if (p.purpose === 'enter') pendingOpeningSymbols.push(p.symbol);
  const brokerDayTrades = c.pdt.policy === 'broker' ? brokerDayTradesRemaining(s.brokerAccount, ts, maxAge) : undefined;
  const pdt = checkDayTradeOrder(
    s.dayTrades,
    c.pdt,
    { symbol, side, quantity, ts },
    brokerDayTrades === undefined || s.brokerAccount === undefined
      ? { equity, pendingOpeningSymbols }
      : {
          equity,
          pendingOpeningSymbols,
          brokerDayTradesRemaining: brokerDayTrades,
          brokerNote: brokerDayTradesNote(s.brokerAccount),
        },
  );
  if (!pdt.ok) return { rule: pdt.rule, reason: pdt.reason };
  if (cash === undefined) return { quantity, purpose: 'enter', side, warnings: pdt.warnings };
  let committed = 0;
  for (const p of s.pending.values()) committed += p.cost;
  const paid = checkBuy(cash, quantity * price, ts, c.pdt.mode, committed, brokerCash);
  if (!paid.ok) return { rule: paid.rule, reason: paid.reason };
  return { quantity, purpose: 'enter', side, warnings: [...pdt.warnings, ...paid.warnings] };
};

/**
 * An exit of `requestedQuantity` shares (undefined = the whole position). More than is held is
 * refused for a manual order (`oversize: 'refuse'`, the user asked for something else) and cut to
 * what is held for an exit signal (`'clamp'`: the position shrank since the signal was sized).
 */
const checkExit = (
  s: RiskState,
  c: RiskConfig,
  symbol: string,
  side: Side,
  requestedQuantity: number | undefined,
  ts: number,
  oversize: 'refuse' | 'clamp' = 'refuse',
): Verdict => {
  const held = s.positions.get(symbol);
  if (!held || held.quantity === 0) return { rule: 'no_position', reason: `no position in ${symbol} to exit` };
  if ((held.quantity > 0 && side !== 'SELL') || (held.quantity < 0 && side !== 'BUY'))
    return {
      rule: 'no_position',
      reason: `${side} does not reduce the ${held.quantity > 0 ? 'long' : 'short'} position in ${symbol}`,
    };
  if (pendingFor(s, symbol, 'exit'))
    return { rule: 'exit_pending', reason: `an exit order for ${symbol} is still working` };
  if (requestedQuantity !== undefined && !(Number.isSafeInteger(requestedQuantity) && requestedQuantity > 0))
    return {
      rule: 'invalid_quantity',
      reason: `exit quantity must be a whole number of shares > 0, got ${requestedQuantity}`,
    };
  const shares = Math.abs(held.quantity);
  let quantity = requestedQuantity ?? shares;
  if (quantity > shares) {
    if (oversize === 'refuse')
      return { rule: 'exceeds_position', reason: `${quantity} shares > ${shares} held in ${symbol}` };
    quantity = shares;
  }
  if (s.settlement === undefined || side !== 'SELL') return { quantity, purpose: 'exit', side };
  // The one exit a rule may refuse (SPEC 6.6): in a cash account, selling shares bought with funds
  // that have not settled yet is a good-faith violation or free riding; strict mode waits for them.
  const sale = checkSell(s.settlement, symbol, quantity, ts, c.pdt.mode);
  if (!sale.ok) return { rule: sale.rule, reason: sale.reason };
  return { quantity, purpose: 'exit', side, warnings: sale.warnings };
};

/** Manual orders: opposite to a held position is an exit; otherwise an entry (no manual shorts). */
const checkManual = (s: RiskState, c: RiskConfig, r: OrderRequested): Verdict => {
  const held = s.positions.get(r.symbol);
  const reduces = held !== undefined && (held.quantity > 0 ? r.side === 'SELL' : r.side === 'BUY');
  if (reduces) return checkExit(s, c, r.symbol, r.side, r.quantity, r.ts);
  if (r.side === 'SELL')
    return {
      rule: 'short_not_allowed',
      reason: `no long position in ${r.symbol}; manual short selling is not allowed`,
    };
  return checkEntry(s, c, r.symbol, r.side, r.price, r.confidence, r.confidence, r.quantity, r.ts);
};

const manualSignal = (r: OrderRequested): ScoredSignal => ({
  kind: 'signal.scored',
  ts: r.ts,
  symbol: r.symbol,
  confidence: r.confidence,
  confluence: {
    score: r.confidence,
    level: confluenceLevel(r.confidence),
    directionalBias: r.side === 'BUY' ? 'bullish' : 'bearish',
    components: [
      {
        name: 'technical',
        present: true,
        score: r.side === 'BUY' ? r.confidence : -r.confidence,
        weight: 1,
        effectiveWeight: 1,
        explanation: `manual order, confidence ${r.confidence}`,
      },
    ],
  },
  signal: {
    kind: 'signal.generated',
    ts: r.ts,
    strategyId: 'manual',
    strategyType: 'manual',
    symbol: r.symbol,
    timeframe: '1m',
    side: r.side,
    action: 'enter',
    confidence: r.confidence,
    price: r.price,
    entry: r.price,
    stopLoss: 0,
    takeProfit: 0,
    reason: `manual ${r.side} ${r.quantity} ${r.symbol}`,
    indicators: {},
  },
});

const decide = (s: RiskState, c: RiskConfig, ids: IdPort, input: ScoredSignal | OrderRequested): RiskDecision => {
  const signal = input.kind === 'order.requested' ? manualSignal(input) : input;
  let verdict: Verdict;
  try {
    if (input.kind === 'order.requested') verdict = checkManual(s, c, input);
    else if (input.signal.side === 'HOLD') verdict = { rule: 'not_actionable', reason: 'HOLD signals are not traded' };
    else if (input.signal.action === 'exit')
      verdict = checkExit(s, c, input.symbol, input.signal.side, input.signal.exitQuantity, input.ts, 'clamp');
    else
      verdict = checkEntry(
        s,
        c,
        input.symbol,
        input.signal.side,
        input.signal.price,
        input.confidence,
        input.confluence.score,
        undefined,
        input.ts,
      );
  } catch (err) {
    verdict = {
      rule: 'risk_error',
      reason: `risk check failed, order refused: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const request = input.kind === 'order.requested' ? { requestId: input.requestId } : {};
  if (isRejection(verdict))
    return {
      kind: 'risk.rejected',
      ts: input.ts,
      symbol: input.symbol,
      signal,
      rule: verdict.rule,
      reason: verdict.reason,
      ...request,
    };
  const clientOrderId = input.kind === 'order.requested' ? input.requestId : ids.next();
  const protective =
    verdict.purpose === 'enter' && input.kind === 'signal.scored'
      ? { stopLoss: input.signal.stopLoss, takeProfit: input.signal.takeProfit }
      : {};
  const order: OrderIntent = {
    kind: 'order.submit',
    ts: input.ts,
    clientOrderId,
    accountId: c.accountId,
    symbol: input.symbol,
    side: verdict.side,
    quantity: verdict.quantity,
    type: 'market',
    purpose: verdict.purpose,
    strategyId: signal.signal.strategyId,
    reason: signal.signal.exitReason
      ? `exit (${signal.signal.exitReason}): ${signal.signal.reason}`
      : signal.signal.reason,
    ...protective,
  };
  s.pending.set(clientOrderId, {
    symbol: input.symbol,
    purpose: verdict.purpose,
    cost: verdict.side === 'BUY' ? verdict.quantity * signal.signal.price : 0,
  });
  if (verdict.purpose === 'enter') countEntry(s.limits, input.ts);
  return {
    kind: 'risk.approved',
    ts: input.ts,
    symbol: input.symbol,
    signal,
    order,
    warnings: verdict.warnings ?? [],
    ...request,
  };
};

/** Makes `into` hold exactly the positions of `from` (by symbol). */
const syncPositions = (into: Map<string, Position>, from: Readonly<Record<string, Position>>): void => {
  for (const symbol of into.keys()) if (!Object.hasOwn(from, symbol)) into.delete(symbol);
  for (const symbol in from) into.set(symbol, from[symbol] as Position);
};

/**
 * Folds one input into the risk state; returns a decision for signals and manual orders. Account and
 * position updates refresh the view; terminal order events release pending orders.
 */
export const reduceRisk = (s: RiskState, c: RiskConfig, ids: IdPort, input: RiskInput): RiskOutput | undefined => {
  switch (input.kind) {
    case 'signal.scored':
    case 'order.requested':
      return decide(s, c, ids, input);
    case 'account.updated':
      s.account = input.account;
      // In place: the account is updated on every fill, and the map only ever lives here.
      syncPositions(s.positions, input.account.positions);
      return watchDrawdown(s, c, input.ts);
    case 'position.updated':
      if (input.position.quantity !== 0) s.positions.set(input.symbol, input.position);
      return watchDrawdown(s, c, input.ts);
    case 'earnings.scheduled':
      if (input.reportTs === null) s.earnings.delete(input.symbol);
      else s.earnings.set(input.symbol, input.reportTs);
      return undefined;
    case 'broker.account_reported': {
      const local = s.settlement === undefined ? undefined : settledCash(s.settlement, input.ts);
      const received = receiveBrokerReport(s.brokerAccount, input, local);
      s.brokerAccount = received.view;
      return received.publish;
    }
    case 'risk.set_kill_switch':
      if (input.engaged) engage(s.limits, input.reason, input.ts);
      else reset(s.limits, equityNow(s));
      return {
        kind: 'risk.kill_switch_changed',
        ts: input.ts,
        engaged: input.engaged,
        reason: input.reason,
        source: 'operator',
      };
    case 'order.partially_filled':
    case 'order.filled':
      return recordFill(s, c, input);
    case 'order.cancelled':
    case 'order.rejected':
    case 'order.failed':
      s.pending.delete(input.clientOrderId);
      return undefined;
    default:
      return undefined;
  }
};

/**
 * A fill goes into the day-trade ledger; a final fill releases its pending order. The ledger refuses
 * only malformed fills (adapters validate them); should it throw anyway, the kill switch is engaged:
 * with the day-trade count unknown, entries stop (fail closed) and exits go on.
 */
const recordFill = (s: RiskState, c: RiskConfig, fill: FillEvent): KillSwitchChanged | undefined => {
  if (fill.kind === 'order.filled') s.pending.delete(fill.clientOrderId);
  try {
    // The broker's last report cannot include this fill yet: count it against the report's figures,
    // unless a ledger ignored it (a replayed execution is not counted twice).
    const view = s.brokerAccount;
    const dayTrades = s.dayTrades;
    s.dayTrades = recordDayTradeFill(dayTrades, fill);
    if (view !== undefined && s.dayTrades !== dayTrades && s.dayTrades.dayTrades.some((t) => t.execId === fill.execId))
      view.dayTradesSince += 1;
    const settlement = s.settlement;
    if (settlement !== undefined) {
      s.settlement = recordSettlementFill(settlement, fill, c.settlement);
      if (view !== undefined && fill.side === 'BUY' && s.settlement !== settlement)
        view.spentSince += fill.quantity * fill.price + fill.commission;
    }
    return undefined;
  } catch (err) {
    const reason = `risk ledgers refused fill ${fill.execId}: ${err instanceof Error ? err.message : String(err)}`;
    engage(s.limits, reason, fill.ts);
    return { kind: 'risk.kill_switch_changed', ts: fill.ts, engaged: true, reason, source: 'risk_error' };
  }
};

/** Follows equity on every account change; engages the kill switch when the drawdown limit is reached. */
const watchDrawdown = (s: RiskState, c: RiskConfig, ts: number): KillSwitchChanged | undefined => {
  const reason = observeEquity(s.limits, c.limits, equityNow(s), ts);
  if (reason === undefined) return undefined;
  engage(s.limits, reason, ts);
  return { kind: 'risk.kill_switch_changed', ts, engaged: true, reason, source: 'drawdown' };
};

/**
 * The account-level risk operator (SPEC section 6): one scan over signals, manual orders and account
 * events, so cross-symbol rules see one consistent state. Every decision is a value naming the rule
 * that decided; a rule that throws rejects (fail closed). Exits are never blocked by entry rules.
 */
export const riskManager =
  (config: RiskConfig, ids: IdPort, initial: RiskState): OperatorFunction<RiskInput, RiskOutput> =>
  (input$: Observable<RiskInput>) =>
    input$.pipe(
      scan(
        (acc, input) => {
          acc.out = reduceRisk(acc.state, config, ids, input);
          return acc;
        },
        { state: initial, out: undefined as RiskOutput | undefined },
      ),
      map((acc) => acc.out),
      filter((d): d is RiskOutput => d !== undefined),
    );
