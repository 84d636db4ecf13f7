import { z } from 'zod';
import { civilFromDays, daysFromCivil, daysInMonth, formatIsoDay, parseIsoDay } from '../calendar/civil-date.js';
import { addTradingDays } from '../calendar/nyse-calendar.js';
import type { FillFields } from '../messages/order.js';
import { SYMBOL_PATTERN } from '../messages/symbol.js';
import { settlementDateOf, tradeDateOf } from './settlement-dates.js';

/**
 * Cash-account settlement settings (SPEC section 6, rule 6). US equities settle at T+1 since
 * 2024-05-28 (SEC Release 34-96930 amending Rule 15c6-1).
 */
export interface SettlementConfig {
  /** `RISK_SETTLEMENT_DAYS`: sale proceeds settle this many settlement days after the trade date. */
  readonly settlementDays: number;
  /** Skip Columbus Day and Veterans Day, when NYSE trades but nothing settles (see `settlementDateOf`). */
  readonly skipBankHolidays: boolean;
  /**
   * Good-faith violations within 12 months that put the account on a restriction. IBKR treats
   * every such sale as free riding and restricts at once (1); brokers that use the GFV label
   * commonly restrict on the third (3).
   */
  readonly goodFaithViolationLimit: number;
  /** Length of a restriction in calendar days (Regulation T 220.8(c): 90). */
  readonly restrictionCalendarDays: number;
}

export const DEFAULT_SETTLEMENT_CONFIG: SettlementConfig = {
  settlementDays: 1,
  skipBankHolidays: true,
  goodFaithViolationLimit: 1,
  restrictionCalendarDays: 90,
};

/** Violations count toward `goodFaithViolationLimit` for this many months (a rolling 12 months). */
export const SETTLEMENT_VIOLATION_LOOKBACK_MONTHS = 12;
/** Execution ids are remembered this many trading days before the newest fill (see the day-trade ledger). */
export const SETTLEMENT_REPLAY_HORIZON_TRADING_DAYS = 5;
/** Money is kept to micro-dollars; differences below this are rounding, not shortfalls. */
const EPSILON = 1e-6;

/** `strict` refuses, `warning` lets the order through with a warning (and counts the violation when it fills). */
export type SettlementMode = 'strict' | 'warning';

/** What the ledger reads from a fill (a `FillEvent` fits). */
export type SettlementFill = Pick<
  FillFields,
  'symbol' | 'side' | 'quantity' | 'price' | 'commission' | 'ts' | 'execId'
>;

/** Proceeds of a sale, usable for buys at once but settled only on `settleDate`. */
export interface UnsettledCredit {
  readonly execId: string;
  readonly symbol: string;
  readonly tradeDate: string;
  readonly settleDate: string;
  /** Net proceeds (value minus commission). */
  readonly amount: number;
  /** The part not yet spent on buys; it joins settled cash on `settleDate`. */
  readonly available: number;
}

/**
 * Shares of one buy that are not paid for with settled money yet: the buy spent `unsettledFunding`
 * of unsettled proceeds (the last of which settles on `paidOn`) and `unfunded` it did not have at
 * all (a debit on the cash balance). Selling them before they are paid is a violation.
 */
export interface UnpaidLot {
  readonly execId: string;
  readonly tradeDate: string;
  readonly quantity: number;
  readonly unsettledFunding: number;
  readonly unfunded: number;
  /** Settlement date of the latest unsettled proceeds the buy used (its trade date when none). */
  readonly paidOn: string;
}

/** One symbol's long holding: shares paid for, then the unpaid lots in buy order. */
export interface SettlementHolding {
  readonly paidQuantity: number;
  readonly unpaidLots: readonly UnpaidLot[];
}

/**
 * Good-faith violation: shares bought with unsettled sale proceeds sold before those proceeds
 * settled (term used by most US brokers). Free riding: shares bought with no funds at all, paid for
 * by selling them (Regulation T 220.8(c), the 90-day freeze). IBKR uses no GFV label and calls the
 * first pattern free riding too (research notes, item 13), hence `goodFaithViolationLimit`.
 */
export type SettlementViolationKind = 'good_faith_violation' | 'free_riding';

export interface SettlementViolation {
  readonly kind: SettlementViolationKind;
  readonly date: string;
  readonly symbol: string;
  /** The sale that committed it. */
  readonly execId: string;
  /** Shares sold from unpaid lots. */
  readonly quantity: number;
  /** Unpaid funding of those shares (pro rata). */
  readonly unpaidAmount: number;
}

/** Buys only with settled cash (IBKR "Cash Up Front") on dates `since` <= d < `until`. */
export interface CashRestriction {
  readonly since: string;
  readonly until: string;
  readonly reason: string;
}

/**
 * The settlement ledger of a cash account: plain JSON data, replaced (never changed in place) by
 * every function here. `settledCash` is settled cash not yet spent (negative while a buy that had
 * no funds is unpaid); unsettled proceeds wait in `credits` until their settlement date.
 */
export interface SettlementLedgerState {
  readonly version: 1;
  readonly settledCash: number;
  /** Unsettled proceeds, in settlement-date order. */
  readonly credits: readonly UnsettledCredit[];
  readonly holdings: Readonly<Record<string, SettlementHolding>>;
  /** Violations of the last 12 months, oldest first. */
  readonly violations: readonly SettlementViolation[];
  readonly restriction: CashRestriction | null;
  readonly seenExecIds: Readonly<Record<string, string>>;
  readonly newestDate: string | null;
}

/** A check's answer: allowed (with warnings), or refused by the named rule. */
export type SettlementDecision =
  | { readonly ok: true; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly rule: 'unsettled_cash' | SettlementViolationKind; readonly reason: string };

/** A copy of `record` without `key`. */
const withoutKey = <T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> => {
  const { [key]: _dropped, ...rest } = record;
  return rest;
};

const OK: SettlementDecision = Object.freeze({ ok: true, warnings: Object.freeze([]) as readonly string[] });

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const money = (x: number): string => x.toFixed(2);

const assertFinite = (x: number, what: string): void => {
  if (!Number.isFinite(x)) throw new RangeError(`${what} must be a finite number, got ${x}`);
};

const assertSymbol = (symbol: unknown, what: string): void => {
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol))
    throw new RangeError(`${what}: symbol must be a ticker such as AAPL or BRK.B, got ${JSON.stringify(symbol)}`);
};

const assertMode = (mode: unknown, what: string): void => {
  if (mode !== 'strict' && mode !== 'warning')
    throw new RangeError(`${what}: mode must be strict or warning, got ${String(mode)}`);
};

const addCalendarDays = (date: string, days: number): string => formatIsoDay(parseIsoDay(date) + days);

/** The same day `months` months earlier (the last day of the month when it has fewer days). */
const monthsBefore = (date: string, months: number): string => {
  const { year, month, day } = civilFromDays(parseIsoDay(date));
  const index = year * 12 + (month - 1) - months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return formatIsoDay(daysFromCivil(y, m, Math.min(day, daysInMonth(y, m))));
};

/**
 * A ledger starting from `settledCash` and the long positions already held, taken as paid for
 * (they come from the broker or from before the ledger existed).
 */
export const createSettlementLedger = (
  settledCash: number,
  positions: Readonly<Record<string, number>> = {},
): SettlementLedgerState => {
  assertFinite(settledCash, 'createSettlementLedger: settledCash');
  const holdings: Record<string, SettlementHolding> = {};
  for (const [symbol, quantity] of Object.entries(positions)) {
    assertSymbol(symbol, 'createSettlementLedger');
    if (!Number.isFinite(quantity) || quantity < 0)
      throw new RangeError(`createSettlementLedger: ${symbol} quantity must be a finite number >= 0, got ${quantity}`);
    if (quantity > 0) holdings[symbol] = { paidQuantity: quantity, unpaidLots: [] };
  }
  return {
    version: 1,
    settledCash: round(settledCash),
    credits: [],
    holdings,
    violations: [],
    restriction: null,
    seenExecIds: {},
    newestDate: null,
  };
};

/** Settled cash on `date`: the balance plus unspent proceeds settled by then. */
const settledOn = (state: SettlementLedgerState, date: string): number => {
  let cash = state.settledCash;
  for (const c of state.credits) {
    if (c.settleDate > date) break;
    cash += c.available;
  }
  return round(cash);
};

const isPaidOn = (lot: UnpaidLot, date: string, settled: number): boolean =>
  lot.paidOn <= date && (lot.unfunded <= EPSILON || settled >= -EPSILON);

/**
 * Settled cash free for a buy traded at `ts` (its trade date, see `tradeDateOf`): settled cash not
 * spent yet plus unspent proceeds that have settled by then. Negative while the account owes for a
 * buy it had no funds for.
 */
export const settledCash = (state: SettlementLedgerState, ts: number): number => settledOn(state, tradeDateOf(ts));

/** Sale proceeds still unsettled on `ts`'s trade date, by settlement date. */
export const unsettledCredits = (state: SettlementLedgerState, ts: number): readonly UnsettledCredit[] => {
  const date = tradeDateOf(ts);
  return state.credits.filter((c) => c.settleDate > date);
};

/** The restriction in force on `ts`'s trade date, or null. */
export const cashRestrictionAt = (state: SettlementLedgerState, ts: number): CashRestriction | null => {
  const date = tradeDateOf(ts);
  const r = state.restriction;
  return r !== null && r.since <= date && date < r.until ? r : null;
};

/** How many violations of each kind a ledger holds. */
export interface SettlementViolationCounts {
  readonly goodFaith: number;
  readonly freeRiding: number;
}

const violationCountsOn = (state: SettlementLedgerState, date: string): SettlementViolationCounts => {
  const from = monthsBefore(date, SETTLEMENT_VIOLATION_LOOKBACK_MONTHS);
  let goodFaith = 0;
  let freeRiding = 0;
  for (const v of state.violations) {
    if (v.date <= from || v.date > date) continue;
    if (v.kind === 'good_faith_violation') goodFaith += 1;
    else freeRiding += 1;
  }
  return { goodFaith, freeRiding };
};

/** Violations of each kind in the 12 months up to `ts`'s trade date. */
export const settlementViolationCounts = (state: SettlementLedgerState, ts: number): SettlementViolationCounts =>
  violationCountsOn(state, tradeDateOf(ts));

/**
 * Brings the ledger to `date`: proceeds settled by then join the settled balance, and lots paid by
 * then join the paid shares. Dates must not go backwards (fills arrive in event-time order).
 */
const settleThrough = (state: SettlementLedgerState, date: string): SettlementLedgerState => {
  let cash = state.settledCash;
  let matured = 0;
  for (const c of state.credits) {
    if (c.settleDate > date) break;
    cash += c.available;
    matured += 1;
  }
  cash = round(cash);
  let holdings = state.holdings;
  for (const [symbol, h] of Object.entries(state.holdings)) {
    if (!h.unpaidLots.some((lot) => isPaidOn(lot, date, cash))) continue;
    let paidQuantity = h.paidQuantity;
    const unpaidLots: UnpaidLot[] = [];
    for (const lot of h.unpaidLots) {
      if (isPaidOn(lot, date, cash)) paidQuantity += lot.quantity;
      else unpaidLots.push(lot);
    }
    holdings = { ...holdings, [symbol]: { paidQuantity, unpaidLots } };
  }
  if (matured === 0 && holdings === state.holdings) return state;
  return { ...state, settledCash: cash, credits: state.credits.slice(matured), holdings };
};

const insertCredit = (credits: readonly UnsettledCredit[], credit: UnsettledCredit): UnsettledCredit[] => {
  let at = credits.length;
  while (at > 0 && (credits[at - 1]?.settleDate ?? '') > credit.settleDate) at -= 1;
  return [...credits.slice(0, at), credit, ...credits.slice(at)];
};

const applyBuy = (state: SettlementLedgerState, fill: SettlementFill, date: string): SettlementLedgerState => {
  const cost = round(fill.quantity * fill.price + fill.commission);
  const fromSettled = Math.min(cost, Math.max(0, state.settledCash));
  let rest = round(cost - fromSettled);
  if (rest <= EPSILON) rest = 0;
  let paidOn = date;
  const credits = state.credits.map((c) => {
    if (rest <= EPSILON || c.available <= EPSILON) return c;
    const used = Math.min(rest, c.available);
    rest = round(rest - used);
    if (c.settleDate > paidOn) paidOn = c.settleDate;
    return { ...c, available: round(c.available - used) };
  });
  const unfunded = rest <= EPSILON ? 0 : rest;
  const unsettledFunding = Math.max(0, round(cost - fromSettled - unfunded));
  const prev = state.holdings[fill.symbol] ?? { paidQuantity: 0, unpaidLots: [] };
  const holding: SettlementHolding =
    unsettledFunding <= EPSILON && unfunded <= EPSILON
      ? { paidQuantity: prev.paidQuantity + fill.quantity, unpaidLots: prev.unpaidLots }
      : {
          paidQuantity: prev.paidQuantity,
          unpaidLots: [
            ...prev.unpaidLots,
            { execId: fill.execId, tradeDate: date, quantity: fill.quantity, unsettledFunding, unfunded, paidOn },
          ],
        };
  return {
    ...state,
    settledCash: round(state.settledCash - fromSettled - unfunded),
    credits,
    holdings: { ...state.holdings, [fill.symbol]: holding },
  };
};

/** How a sale of `quantity` shares on `date` takes shares: paid ones first, then unpaid lots in buy order. */
interface SaleTake {
  readonly unpaidShares: number;
  readonly unpaidAmount: number;
  readonly kind: SettlementViolationKind | null;
  /** Latest `paidOn` of the unpaid lots touched. */
  readonly paidOn: string;
  readonly tradeDates: readonly string[];
  readonly holding: SettlementHolding | undefined;
}

const takeShares = (
  holding: SettlementHolding | undefined,
  quantity: number,
  date: string,
  settled: number,
): SaleTake => {
  if (holding === undefined)
    return { unpaidShares: 0, unpaidAmount: 0, kind: null, paidOn: date, tradeDates: [], holding: undefined };
  let paidQuantity = holding.paidQuantity;
  const lots: UnpaidLot[] = [];
  for (const lot of holding.unpaidLots) {
    if (isPaidOn(lot, date, settled)) paidQuantity += lot.quantity;
    else lots.push(lot);
  }
  let want = quantity;
  const fromPaid = Math.min(want, paidQuantity);
  paidQuantity -= fromPaid;
  want -= fromPaid;
  let unpaidShares = 0;
  let unpaidAmount = 0;
  let kind: SettlementViolationKind | null = null;
  let paidOn = date;
  const tradeDates: string[] = [];
  const remaining: UnpaidLot[] = [];
  for (const lot of lots) {
    if (want <= 0) {
      remaining.push(lot);
      continue;
    }
    const taken = Math.min(want, lot.quantity);
    const share = taken / lot.quantity;
    want -= taken;
    unpaidShares += taken;
    unpaidAmount += (lot.unsettledFunding + lot.unfunded) * share;
    if (lot.unfunded > EPSILON && settled < -EPSILON) kind = 'free_riding';
    else kind ??= 'good_faith_violation';
    if (lot.paidOn > paidOn) paidOn = lot.paidOn;
    if (!tradeDates.includes(lot.tradeDate)) tradeDates.push(lot.tradeDate);
    if (taken < lot.quantity)
      remaining.push({
        ...lot,
        quantity: lot.quantity - taken,
        unsettledFunding: round(lot.unsettledFunding * (1 - share)),
        unfunded: round(lot.unfunded * (1 - share)),
      });
  }
  const left = remaining.length > 0 || paidQuantity > 0 ? { paidQuantity, unpaidLots: remaining } : undefined;
  return { unpaidShares, unpaidAmount: round(unpaidAmount), kind, paidOn, tradeDates, holding: left };
};

const restrict = (
  state: SettlementLedgerState,
  config: SettlementConfig,
  date: string,
  reason: string,
): CashRestriction => {
  const until = addCalendarDays(date, config.restrictionCalendarDays);
  const current = state.restriction;
  if (current !== null && current.until > date)
    return until > current.until ? { since: current.since, until, reason } : current;
  return { since: date, until, reason };
};

const applySell = (
  state: SettlementLedgerState,
  config: SettlementConfig,
  fill: SettlementFill,
  date: string,
): SettlementLedgerState => {
  const take = takeShares(state.holdings[fill.symbol], fill.quantity, date, state.settledCash);
  const holdings =
    take.holding === undefined
      ? withoutKey(state.holdings, fill.symbol)
      : { ...state.holdings, [fill.symbol]: take.holding };
  const net = round(fill.quantity * fill.price - fill.commission);
  const settleDate = settlementDateOf(date, config.settlementDays, config);
  let next: SettlementLedgerState = {
    ...state,
    holdings,
    settledCash: net < 0 ? round(state.settledCash + net) : state.settledCash,
    credits:
      net > 0
        ? insertCredit(state.credits, {
            execId: fill.execId,
            symbol: fill.symbol,
            tradeDate: date,
            settleDate,
            amount: net,
            available: net,
          })
        : state.credits,
  };
  if (take.kind === null) return next;
  const violation: SettlementViolation = {
    kind: take.kind,
    date,
    symbol: fill.symbol,
    execId: fill.execId,
    quantity: take.unpaidShares,
    unpaidAmount: take.unpaidAmount,
  };
  next = { ...next, violations: [...next.violations, violation] };
  if (take.kind === 'free_riding') {
    return {
      ...next,
      restriction: restrict(next, config, date, `free riding: sold ${fill.symbol} on ${date} before paying for it`),
    };
  }
  const { goodFaith } = violationCountsOn(next, date);
  if (goodFaith < config.goodFaithViolationLimit) return next;
  return {
    ...next,
    restriction: restrict(
      next,
      config,
      date,
      `${goodFaith} good-faith violation(s) in ${SETTLEMENT_VIOLATION_LOOKBACK_MONTHS} months (limit ${config.goodFaithViolationLimit}), the last selling ${fill.symbol} on ${date}`,
    ),
  };
};

const assertConfig = (config: SettlementConfig): void => {
  if (!Number.isSafeInteger(config.settlementDays) || config.settlementDays < 1)
    throw new RangeError(`settlementDays must be a whole number >= 1, got ${config.settlementDays}`);
  if (!Number.isSafeInteger(config.goodFaithViolationLimit) || config.goodFaithViolationLimit < 1)
    throw new RangeError(`goodFaithViolationLimit must be a whole number >= 1, got ${config.goodFaithViolationLimit}`);
  if (!Number.isSafeInteger(config.restrictionCalendarDays) || config.restrictionCalendarDays < 0)
    throw new RangeError(`restrictionCalendarDays must be a whole number >= 0, got ${config.restrictionCalendarDays}`);
};

const withoutOld = (state: SettlementLedgerState, date: string): SettlementLedgerState => {
  const settled = settleThrough(state, date);
  const from = monthsBefore(date, SETTLEMENT_VIOLATION_LOOKBACK_MONTHS);
  const violations = settled.violations.filter((v) => v.date > from);
  const restriction = settled.restriction !== null && settled.restriction.until <= date ? null : settled.restriction;
  const horizon =
    settled.newestDate === null ? null : addTradingDays(settled.newestDate, -SETTLEMENT_REPLAY_HORIZON_TRADING_DAYS);
  const seen = Object.entries(settled.seenExecIds);
  const keptSeen = horizon === null ? seen : seen.filter(([, d]) => d >= horizon);
  if (
    settled === state &&
    violations.length === state.violations.length &&
    restriction === state.restriction &&
    keptSeen.length === seen.length
  )
    return state;
  return { ...settled, violations, restriction, seenExecIds: Object.fromEntries(keptSeen) };
};

/**
 * Applies one execution of a cash account (long only: a sale beyond the shares known here is taken
 * as shares held before the ledger, paid for). First brings the ledger to the fill's trade date.
 *
 * A buy costs quantity x price + commission and is paid from settled cash first, then from unsettled
 * proceeds in settlement-date order, then with money the account does not have (a debit). Its
 * funding provenance is kept: the shares are paid once the proceeds they used have settled (and any
 * debit is covered). A sale takes paid shares first, then unpaid lots in buy order; taking unpaid
 * shares is recorded as a violation (free riding when the lot used money the account did not have
 * and the debit is still open, good-faith violation otherwise), whatever the mode: the sale
 * happened. Free riding restricts the account for `restrictionCalendarDays`; good-faith violations
 * do when `goodFaithViolationLimit` of them fall within 12 months. Net proceeds settle on
 * `settlementDateOf(tradeDate, settlementDays)`.
 *
 * Duplicate execution ids are ignored; fills are expected in event-time order (a late fill is
 * applied as of the ledger's latest date).
 */
export const recordSettlementFill = (
  state: SettlementLedgerState,
  fill: SettlementFill,
  config: SettlementConfig,
): SettlementLedgerState => {
  assertConfig(config);
  assertSymbol(fill.symbol, 'recordSettlementFill');
  if (fill.side !== 'BUY' && fill.side !== 'SELL')
    throw new RangeError(`recordSettlementFill: side must be BUY or SELL, got ${String(fill.side)}`);
  if (!Number.isFinite(fill.quantity) || fill.quantity <= 0)
    throw new RangeError(`recordSettlementFill: quantity must be a finite number > 0, got ${fill.quantity}`);
  if (!Number.isFinite(fill.price) || fill.price <= 0)
    throw new RangeError(`recordSettlementFill: price must be a finite number > 0, got ${fill.price}`);
  if (!Number.isFinite(fill.commission) || fill.commission < 0)
    throw new RangeError(`recordSettlementFill: commission must be a finite number >= 0, got ${fill.commission}`);
  assertFinite(fill.ts, 'recordSettlementFill: ts');
  if (typeof fill.execId !== 'string' || fill.execId === '')
    throw new RangeError('recordSettlementFill: execId must be a non-empty string');
  if (state.seenExecIds[fill.execId] !== undefined) return state;
  const fillDate = tradeDateOf(fill.ts);
  if (state.newestDate !== null && fillDate < addTradingDays(state.newestDate, -SETTLEMENT_REPLAY_HORIZON_TRADING_DAYS))
    return state;
  const date = state.newestDate !== null && state.newestDate > fillDate ? state.newestDate : fillDate;
  const current = settleThrough(state, date);
  const applied = fill.side === 'BUY' ? applyBuy(current, fill, date) : applySell(current, config, fill, date);
  const next: SettlementLedgerState = {
    ...applied,
    seenExecIds: { ...applied.seenExecIds, [fill.execId]: date },
    newestDate: date,
  };
  return date !== state.newestDate ? withoutOld(next, date) : next;
};

/**
 * Cash deposited (> 0) or withdrawn (< 0), settled at once. Withdrawing more than the settled
 * balance is the caller's error, not the ledger's: it goes negative like a debit.
 */
export const adjustSettledCash = (state: SettlementLedgerState, amount: number): SettlementLedgerState => {
  assertFinite(amount, 'adjustSettledCash: amount');
  return { ...state, settledCash: round(state.settledCash + amount) };
};

/**
 * Forgets what can no longer matter at `ts`: settles what has settled by its trade date, drops
 * violations older than 12 months, an expired restriction and execution ids beyond the replay
 * horizon. Fills prune as they go; call this at a session start to keep a quiet ledger current.
 */
export const pruneSettlementLedger = (state: SettlementLedgerState, ts: number): SettlementLedgerState => {
  assertFinite(ts, 'pruneSettlementLedger: ts');
  const date = tradeDateOf(ts);
  return state.newestDate !== null && state.newestDate > date ? state : withoutOld(state, date);
};

/**
 * Whether a buy costing `cost` (shares x price + commission) may be placed at `ts` (SPEC section 6,
 * rule 6: "buys only with settled cash"). `committed` is the cost of buys approved but not filled
 * yet, which will spend the same settled cash. Beyond settled cash: refused (`unsettled_cash`) in
 * strict mode; in warning mode allowed with a warning naming when the funds settle (selling the
 * shares before then would be a good-faith violation, or free riding when even unsettled funds do
 * not cover it). While the account is restricted, refused in every mode: the broker takes only
 * settled cash then.
 *
 * `broker`, when given, is the broker's own settled cash (IBKR `SettledCash`, less what was bought
 * since it was read) with a note saying so: the authority on what the broker lets the account spend.
 * The lower of it and the ledger's figure is what the buy may use; `note` goes into the reason when
 * the broker's figure is the lower one.
 */
export const checkBuy = (
  state: SettlementLedgerState,
  cost: number,
  ts: number,
  mode: SettlementMode,
  committed = 0,
  broker?: { readonly settledCash: number; readonly note: string },
): SettlementDecision => {
  assertMode(mode, 'checkBuy');
  if (!Number.isFinite(cost) || cost < 0)
    throw new RangeError(`checkBuy: cost must be a finite number >= 0, got ${cost}`);
  if (!Number.isFinite(committed) || committed < 0)
    throw new RangeError(`checkBuy: committed must be a finite number >= 0, got ${committed}`);
  if (broker !== undefined) assertFinite(broker.settledCash, 'checkBuy: broker settledCash');
  const date = tradeDateOf(ts);
  const local = settledOn(state, date);
  const byBroker = broker !== undefined && broker.settledCash < local;
  const free = round((byBroker ? broker.settledCash : local) - committed);
  if (cost <= free + EPSILON) return OK;
  const short =
    `buy costing ${money(cost)} exceeds settled cash ${money(free)}` +
    (byBroker ? ` (${broker.note}; the local ledger has ${money(local)})` : '') +
    (committed > 0 ? ` (after ${money(committed)} committed to pending buys)` : '');
  const restriction = cashRestrictionAt(state, ts);
  if (restriction !== null)
    return {
      ok: false,
      rule: 'unsettled_cash',
      reason: `${short}; the account is restricted to settled cash until ${restriction.until} (${restriction.reason})`,
    };
  if (mode === 'strict')
    return { ok: false, rule: 'unsettled_cash', reason: `${short}; a cash account buys only with settled cash` };
  let pending = 0;
  let settles = date;
  for (const c of state.credits) {
    if (c.settleDate <= date || c.available <= EPSILON) continue;
    if (free + pending >= cost) break;
    pending += c.available;
    settles = c.settleDate;
  }
  const warning =
    free + pending + EPSILON >= cost
      ? `${short}: paid with unsettled proceeds settling by ${settles}; selling these shares before then is a good-faith violation`
      : `${short} and unsettled proceeds ${money(pending)}: selling these shares before they are paid for is free riding`;
  return { ok: true, warnings: [warning] };
};

/**
 * Whether selling `quantity` shares of `symbol` at `ts` is free of settlement violations: shares
 * bought with unsettled proceeds may not be sold before those proceeds settle (good-faith
 * violation), shares bought without funds may not be sold before they are paid (free riding).
 *
 * This is the one rule that may block an exit, and only in strict mode, because SPEC section 6
 * says so for cash accounts: the cost of the violation (IBKR: a 90-day restriction to settled cash,
 * during which every buy must wait for settlement) outlasts the position, whereas the block itself
 * is short: at T+1 it ends on the next settlement day (the reason names the date), and shares paid
 * for are never held back. In strict mode the block can only meet shares whose buy bypassed
 * `checkBuy` (a manual order at the broker, or a fill dearer than the cost checked; size buys with
 * some headroom for slippage and commission). In warning mode the sale is allowed with a warning
 * and counted when it fills (`recordSettlementFill`).
 */
export const checkSell = (
  state: SettlementLedgerState,
  symbol: string,
  quantity: number,
  ts: number,
  mode: SettlementMode,
): SettlementDecision => {
  assertMode(mode, 'checkSell');
  assertSymbol(symbol, 'checkSell');
  if (!Number.isFinite(quantity) || quantity <= 0)
    throw new RangeError(`checkSell: quantity must be a finite number > 0, got ${quantity}`);
  const date = tradeDateOf(ts);
  const take = takeShares(state.holdings[symbol], quantity, date, settledOn(state, date));
  if (take.kind === null) return OK;
  const bought = `${take.unpaidShares} of the shares were bought on ${take.tradeDates.join(', ')}`;
  const reason =
    take.kind === 'free_riding'
      ? `selling ${quantity} ${symbol} on ${date} would be free riding: ${bought} with money the account did not have, ` +
        `and the debit is still open (Regulation T 220.8(c): 90-day restriction to settled cash)`
      : `selling ${quantity} ${symbol} on ${date} would be a good-faith violation: ${bought} with unsettled proceeds ` +
        `(${money(take.unpaidAmount)}) that settle on ${take.paidOn}; the sale is free of it from ${take.paidOn}`;
  if (mode === 'strict') return { ok: false, rule: take.kind, reason };
  return { ok: true, warnings: [`${reason}; it will be counted as a violation`] };
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateField = (name: string) =>
  z.string({ error: `${name} must be a date string` }).regex(DATE, { error: `${name} must be YYYY-MM-DD` });
const amount = (name: string) => z.number({ error: `${name} must be a finite number` });
const nonNegative = (name: string) => amount(name).min(0, { error: `${name} must be >= 0` });
const symbolField = z
  .string({ error: 'symbol must be a string' })
  .regex(SYMBOL_PATTERN, { error: 'symbol is not a ticker' });
const execIdField = z.string({ error: 'execId must be a string' }).min(1, { error: 'execId must not be empty' });

/** Validation of a persisted settlement ledger: exactly the shape `snapshotSettlementLedger` writes. */
export const SettlementLedgerSchema = z
  .strictObject({
    version: z.literal(1, { error: 'version must be 1' }),
    settledCash: amount('settledCash'),
    credits: z.array(
      z
        .strictObject({
          execId: execIdField,
          symbol: symbolField,
          tradeDate: dateField('tradeDate'),
          settleDate: dateField('settleDate'),
          amount: nonNegative('amount'),
          available: nonNegative('available'),
        })
        .refine((c) => c.available <= c.amount + EPSILON, { error: 'available must not exceed amount' })
        .refine((c) => c.settleDate > c.tradeDate, { error: 'settleDate must be after tradeDate' }),
    ),
    holdings: z.record(
      symbolField,
      z.strictObject({
        paidQuantity: nonNegative('paidQuantity'),
        unpaidLots: z.array(
          z.strictObject({
            execId: execIdField,
            tradeDate: dateField('tradeDate'),
            quantity: amount('quantity').gt(0, { error: 'quantity must be > 0' }),
            unsettledFunding: nonNegative('unsettledFunding'),
            unfunded: nonNegative('unfunded'),
            paidOn: dateField('paidOn'),
          }),
        ),
      }),
    ),
    violations: z.array(
      z.strictObject({
        kind: z.enum(['good_faith_violation', 'free_riding'], {
          error: 'kind must be good_faith_violation or free_riding',
        }),
        date: dateField('date'),
        symbol: symbolField,
        execId: execIdField,
        quantity: amount('quantity').gt(0, { error: 'quantity must be > 0' }),
        unpaidAmount: nonNegative('unpaidAmount'),
      }),
    ),
    restriction: z
      .strictObject({ since: dateField('since'), until: dateField('until'), reason: z.string() })
      .refine((r) => r.until >= r.since, { error: 'until must not be before since' })
      .nullable(),
    seenExecIds: z.record(z.string().min(1), dateField('seenExecIds date')),
    newestDate: dateField('newestDate').nullable(),
  })
  .superRefine((s, ctx) => {
    s.credits.forEach((c, i) => {
      const before = s.credits[i - 1];
      if (before !== undefined && before.settleDate > c.settleDate)
        ctx.addIssue({
          code: 'custom',
          path: ['credits', i, 'settleDate'],
          message: 'credits must be in settlement-date order',
        });
    });
    for (const [symbol, h] of Object.entries(s.holdings))
      if (h.paidQuantity === 0 && h.unpaidLots.length === 0)
        ctx.addIssue({ code: 'custom', path: ['holdings', symbol], message: 'an empty holding is never stored' });
  });

/** Persisted settlement ledger could not be read; `issues` lists every problem as `path: message`. */
export class CorruptSettlementLedgerError extends Error {
  override readonly name = 'CorruptSettlementLedgerError';
  constructor(readonly issues: readonly string[]) {
    super(`Corrupt settlement ledger: ${issues.join('; ')}`);
  }
}

/** A JSON-safe deep copy of the ledger, for the caller to store. */
export const snapshotSettlementLedger = (state: SettlementLedgerState): SettlementLedgerState => ({
  version: 1,
  settledCash: state.settledCash,
  credits: state.credits.map((c) => ({ ...c })),
  holdings: Object.fromEntries(
    Object.entries(state.holdings).map(([symbol, h]) => [
      symbol,
      { paidQuantity: h.paidQuantity, unpaidLots: h.unpaidLots.map((lot) => ({ ...lot })) },
    ]),
  ),
  violations: state.violations.map((v) => ({ ...v })),
  restriction: state.restriction === null ? null : { ...state.restriction },
  seenExecIds: { ...state.seenExecIds },
  newestDate: state.newestDate,
});

/**
 * Reads a ledger written by `snapshotSettlementLedger`, as the object or its JSON text. Throws a
 * `CorruptSettlementLedgerError` naming every problem rather than guessing: forgotten unsettled
 * proceeds or unpaid lots would let strict mode buy with unsettled cash or sell unpaid shares.
 */
export const restoreSettlementLedger = (input: unknown): SettlementLedgerState => {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (err) {
      throw new CorruptSettlementLedgerError([
        `(ledger): not JSON (${err instanceof Error ? err.message : String(err)})`,
      ]);
    }
  }
  const parsed = SettlementLedgerSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CorruptSettlementLedgerError(
    parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(ledger)'}: ${i.message}`),
  );
};
