import { z } from 'zod';
import { addTradingDays, tradingDaysWindow } from '../calendar/nyse-calendar.js';
import type { FillFields } from '../messages/order.js';
import type { Side } from '../messages/signal.js';
import { SYMBOL_PATTERN } from '../messages/symbol.js';
import { tradeDateOf } from './settlement-dates.js';
import { copyDict, dict } from '../dict.js';

/** FINRA Rule 4210(f)(8)(B)(ii): four or more day trades in five business days make a pattern day trader. */
export const PDT_MAX_DAY_TRADES = 3;
/** The rolling window of the pattern day trader rule, in NYSE trading days. */
export const PDT_WINDOW_TRADING_DAYS = 5;
/**
 * Execution ids are remembered for fills this many trading days older than the newest fill, so a
 * broker replaying executions after a reconnect cannot count a fill twice; an older fill is taken
 * for the replay of a forgotten one and ignored.
 */
export const DAY_TRADE_REPLAY_HORIZON_TRADING_DAYS = 5;

/**
 * `RISK_PDT_POLICY`: `finra-legacy` counts day trades here (margin accounts under the equity
 * threshold); `broker` trusts IBKR's `DayTradesRemaining` (bounded by the local count); `off` is the
 * FINRA intraday-margin regime that replaces PDT (SR-FINRA-2025-017), with no day-trade limit.
 */
export type PdtPolicy = 'finra-legacy' | 'broker' | 'off';

/** PDT settings (SPEC section 6, rule 5). */
export interface PdtConfig {
  readonly policy: PdtPolicy;
  /** `RISK_PDT_ENFORCEMENT_MODE`: `strict` refuses the entry, `warning` lets it through with a warning. */
  readonly mode: 'strict' | 'warning';
  /** `RISK_CASH_ACCOUNT_THRESHOLD`: accounts with equity at or above it are not limited (FINRA: 25 000). */
  readonly equityThreshold: number;
  /** `RISK_ACCOUNT_TYPE`: cash accounts are not subject to PDT (they have the settlement ledger instead). */
  readonly accountType: 'margin' | 'cash';
}

export const DEFAULT_PDT_CONFIG: PdtConfig = {
  policy: 'finra-legacy',
  mode: 'strict',
  equityThreshold: 25_000,
  accountType: 'margin',
};

/** What the ledger reads from a fill (a `FillEvent` fits). */
export type DayTradeFill = Pick<FillFields, 'symbol' | 'side' | 'quantity' | 'ts' | 'execId'>;

/** The order being decided (an `OrderIntent` fits); `ts` dates it to a session. */
export interface DayTradeOrder {
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly ts: number;
}

/** Account facts the PDT check needs at decision time. */
export interface PdtAccountFacts {
  /** Net liquidation value now. Needed by `finra-legacy` on margin accounts. */
  readonly equity: number;
  /** IBKR `DayTradesRemaining` (-1 = unlimited); needed by the `broker` policy. */
  readonly brokerDayTradesRemaining?: number;
  /** Where `brokerDayTradesRemaining` comes from (when and what was reported), for the reason of a refusal. */
  readonly brokerNote?: string;
  /**
   * Symbols of opening orders approved but not completely filled yet, one entry per order. Each
   * may become a day trade once it fills, so it counts like a position opened today; leaving one
   * out lets two quick entries both pass a check meant for one.
   */
  readonly pendingOpeningSymbols?: readonly string[];
}

/** The decision: allowed (with warnings in `warning` mode), or refused by rule `pdt`. */
export type PdtDecision =
  | { readonly ok: true; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly rule: 'pdt'; readonly reason: string };

/** One symbol's position as the ledger follows it, and today's opening run. */
export interface DayTradeSymbolState {
  /** Net shares from fills and syncs, signed: > 0 long, < 0 short. */
  readonly quantity: number;
  /** Trade date of the last fill. */
  readonly date: string;
  /**
   * An opening fill (one that increased the absolute position) happened on `date` and no closing
   * fill has come after it yet: the next closing fill on `date` completes a day trade.
   */
  readonly openRun: boolean;
}

/** A day trade: the closing fill that completed it. */
export interface DayTrade {
  readonly date: string;
  readonly symbol: string;
  /** Side of the closing fill (SELL closes a long, BUY covers a short). */
  readonly side: Side;
  readonly ts: number;
  readonly execId: string;
}

/**
 * The day-trade ledger: plain JSON data, replaced (never changed in place) by every function here,
 * so one reducer can own it and hand out snapshots freely.
 */
export interface DayTradeLedgerState {
  readonly version: 1;
  readonly symbols: Readonly<Record<string, DayTradeSymbolState>>;
  /** Day trades of the last `PDT_WINDOW_TRADING_DAYS` trading days (older ones are pruned), by date. */
  readonly dayTrades: readonly DayTrade[];
  /** Execution ids applied, with their trade dates (see `DAY_TRADE_REPLAY_HORIZON_TRADING_DAYS`). */
  readonly seenExecIds: Readonly<Record<string, string>>;
  /** Trade date of the newest fill applied; null before the first. */
  readonly newestDate: string | null;
}

/**
 * A copy of `record` without `key`. A plain loop: rest destructuring with a computed key goes
 * through a slow runtime path in V8 (microseconds per fill in the benchmark).
 */
const withoutKey = <T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> => {
  const rest = dict<T>();
  for (const k in record) if (k !== key) rest[k] = record[k] as T;
  return rest;
};

/** A copy of `record` with `key` set to `value`. */
const withKey = <T>(record: Readonly<Record<string, T>>, key: string, value: T): Record<string, T> => {
  const next = copyDict(record);
  next[key] = value;
  return next;
};

/** The replay horizon of `newestDate`, cached for the last date asked: every fill asks for it. */
let horizonCache: { readonly date: string; readonly horizon: string } | undefined;
const replayHorizon = (newestDate: string): string => {
  if (horizonCache?.date !== newestDate)
    horizonCache = { date: newestDate, horizon: addTradingDays(newestDate, -DAY_TRADE_REPLAY_HORIZON_TRADING_DAYS) };
  return horizonCache.horizon;
};

const OK: PdtDecision = Object.freeze({ ok: true, warnings: Object.freeze([]) as readonly string[] });

const assertSymbol = (symbol: unknown, what: string): void => {
  if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol))
    throw new RangeError(`${what}: symbol must be a ticker such as AAPL or BRK.B, got ${JSON.stringify(symbol)}`);
};

const assertShares = (quantity: number, what: string): void => {
  if (!Number.isFinite(quantity) || quantity <= 0)
    throw new RangeError(`${what}: quantity must be a finite number of shares > 0, got ${quantity}`);
};

const assertSide = (side: unknown, what: string): void => {
  if (side !== 'BUY' && side !== 'SELL') throw new RangeError(`${what}: side must be BUY or SELL, got ${String(side)}`);
};

const assertTs = (ts: number, what: string): void => {
  if (!Number.isFinite(ts)) throw new RangeError(`${what}: ts must be finite epoch milliseconds, got ${ts}`);
};

/**
 * A ledger that knows the positions already held (e.g. from the broker at start-up). Without them
 * the first sale of a long held overnight would look like a short opening and its buy-back like a
 * day trade: counted too many, never too few.
 */
export const createDayTradeLedger = (positions: Readonly<Record<string, number>> = {}): DayTradeLedgerState => {
  const symbols = dict<DayTradeSymbolState>();
  for (const [symbol, quantity] of Object.entries(positions)) {
    assertSymbol(symbol, 'createDayTradeLedger');
    if (!Number.isFinite(quantity)) throw new RangeError(`createDayTradeLedger: ${symbol} quantity ${quantity}`);
    if (quantity !== 0) symbols[symbol] = { quantity, date: '', openRun: false };
  }
  return { version: 1, symbols, dayTrades: [], seenExecIds: dict(), newestDate: null };
};

/**
 * Sets the position the ledger follows for `symbol` (position sync found the broker holding
 * `quantity`), keeping today's opening run unless the position is now flat.
 */
export const syncDayTradePosition = (
  state: DayTradeLedgerState,
  symbol: string,
  quantity: number,
): DayTradeLedgerState => {
  assertSymbol(symbol, 'syncDayTradePosition');
  if (!Number.isFinite(quantity)) throw new RangeError(`syncDayTradePosition: ${symbol} quantity ${quantity}`);
  const prev = state.symbols[symbol];
  const symbols =
    quantity === 0
      ? withoutKey(state.symbols, symbol)
      : withKey(state.symbols, symbol, { quantity, date: prev?.date ?? '', openRun: prev?.openRun ?? false });
  return { ...state, symbols };
};

/** How much of a signed trade of `quantity` shares against position `held` closes it and how much opens. */
const split = (held: number, side: Side, quantity: number): { readonly closing: number; readonly opening: number } => {
  const reduces = (held > 0 && side === 'SELL') || (held < 0 && side === 'BUY');
  const closing = reduces ? Math.min(quantity, Math.abs(held)) : 0;
  return { closing, opening: quantity - closing };
};

const windowOf = (date: string): { readonly first: string; readonly last: string } => {
  const days = tradingDaysWindow(date, PDT_WINDOW_TRADING_DAYS);
  const first = days[0];
  const last = days[days.length - 1];
  if (first === undefined || last === undefined) throw new Error(`No PDT window ends at ${date}`);
  return { first, last };
};

/**
 * Day trades in the `PDT_WINDOW_TRADING_DAYS` NYSE trading days ending at `date` (the trading day
 * at or before it), holidays skipped: the count FINRA compares with 3.
 */
export const dayTradesInWindow = (state: DayTradeLedgerState, date: string): number => {
  const { first, last } = windowOf(date);
  let count = 0;
  for (const trade of state.dayTrades) if (trade.date >= first && trade.date <= last) count += 1;
  return count;
};

const withoutOld = (state: DayTradeLedgerState, windowDate: string): DayTradeLedgerState => {
  const { first } = windowOf(windowDate);
  const horizon = state.newestDate === null ? null : replayHorizon(state.newestDate);
  // Pruned in place, like the appends (see recordDayTradeFill). Rebuilding it with
  // `Object.fromEntries` cost milliseconds per new trade date: an object built key by key with
  // a thousand or more distinct keys goes through as many hidden-class transitions.
  if (horizon !== null) {
    const seen = state.seenExecIds as Record<string, string>;
    for (const id in seen) if ((seen[id] as string) < horizon) Reflect.deleteProperty(seen, id);
  }
  // Day trades are kept in date order, so only a first one before the window means any are old.
  if ((state.dayTrades[0]?.date ?? first) >= first) return state;
  return { ...state, dayTrades: state.dayTrades.filter((t) => t.date >= first) };
};

/**
 * Applies one execution. Counting rule (FINRA Rule 4210(f)(8)(B), with the "change in trading
 * direction" method FINRA Regulatory Notice 21-13 allows, interpretation /02): per symbol and NYSE
 * trade date, a fill is *opening* when it increases the absolute position (from flat, adding, or
 * the part of a fill that crosses zero) and *closing* when it reduces it. Consecutive opening fills
 * form one run; the first closing fill after a run completes one day trade and ends the run.
 * Hence, from flat, buy 100 + buy 100 + sell 200 is one day trade, buy / sell / buy / sell is two,
 * and buy 100 + sell 50 + sell 50 is one. Per the rule's exceptions, a long held overnight and sold
 * before any new purchase that day (or a short held overnight and covered before any new sale) is
 * not a day trade; adding to an overnight position and then selling the same day is one. Short
 * sales mirror longs. The traditional method (one day trade per opening transaction liquidated the
 * same day) would count buy 100 + buy 100 + sell 200 as two; the `broker` policy covers a broker
 * that counts that way.
 *
 * Fills are expected in event-time order (brokers report them so). A fill with an execution id
 * already applied is ignored; a fill dated before the symbol's last fill date only moves the
 * position; one older than the replay horizon is ignored.
 */
export const recordDayTradeFill = (state: DayTradeLedgerState, fill: DayTradeFill): DayTradeLedgerState => {
  assertSymbol(fill.symbol, 'recordDayTradeFill');
  assertSide(fill.side, 'recordDayTradeFill');
  assertShares(fill.quantity, 'recordDayTradeFill');
  assertTs(fill.ts, 'recordDayTradeFill');
  if (typeof fill.execId !== 'string' || fill.execId === '')
    throw new RangeError('recordDayTradeFill: execId must be a non-empty string');
  if (state.seenExecIds[fill.execId] !== undefined) return state;
  const date = tradeDateOf(fill.ts);
  if (state.newestDate !== null && date < replayHorizon(state.newestDate)) return state;

  const prev = state.symbols[fill.symbol];
  const held = prev?.quantity ?? 0;
  const quantity = held + (fill.side === 'BUY' ? fill.quantity : -fill.quantity);
  let entry: DayTradeSymbolState;
  let dayTrades = state.dayTrades;
  if (prev !== undefined && prev.date !== '' && date < prev.date) {
    entry = { ...prev, quantity };
  } else {
    let openRun = prev !== undefined && prev.date === date && prev.openRun;
    const { closing, opening } = split(held, fill.side, fill.quantity);
    if (closing > 0 && openRun) {
      const trade: DayTrade = { date, symbol: fill.symbol, side: fill.side, ts: fill.ts, execId: fill.execId };
      let at = dayTrades.length;
      while (at > 0 && (dayTrades[at - 1]?.date ?? '') > date) at -= 1;
      dayTrades = [...dayTrades.slice(0, at), trade, ...dayTrades.slice(at)];
      openRun = false;
    }
    if (opening > 0) openRun = true;
    entry = { quantity, date, openRun };
  }
  const symbols = quantity === 0 ? withoutKey(state.symbols, fill.symbol) : withKey(state.symbols, fill.symbol, entry);

  const newestDate = state.newestDate === null || date > state.newestDate ? date : state.newestDate;
  // The one exception to "a new state per fill": the execution ids are one set shared by successive
  // states, appended here and pruned in place beyond the replay horizon (an earlier state may see
  // ids added later, which only makes it ignore more replays, and loses only ids too old to
  // matter). Copying it per fill cost O(fills in the horizon) each time.
  (state.seenExecIds as Record<string, string>)[fill.execId] = date;
  const next: DayTradeLedgerState = {
    version: 1,
    symbols,
    dayTrades,
    seenExecIds: state.seenExecIds,
    newestDate,
  };
  return newestDate !== state.newestDate ? withoutOld(next, newestDate) : next;
};

/**
 * Forgets what can no longer matter at `ts`: day trades before the PDT window ending at `ts`'s trade
 * date, and execution ids beyond the replay horizon of the newest fill. Fills prune as they go; call
 * this at a session start to keep a quiet ledger small too.
 */
export const pruneDayTradeLedger = (state: DayTradeLedgerState, ts: number): DayTradeLedgerState => {
  assertTs(ts, 'pruneDayTradeLedger');
  return withoutOld(state, tradeDateOf(ts));
};

/**
 * Whether the order may go out under the PDT rule (SPEC section 6, rule 5).
 *
 * SPEC says "the order that would create the 4th [day trade] is blocked", but also that exits are
 * always allowed: a blocked exit would leave a losing position open to dodge a counting rule. Both
 * hold by moving the block to the entry, as IBKR does ("prevents the 4th opening transaction"):
 * - An order that only reduces a position (an exit) is never refused. When it completes a day trade
 *   beyond the limit (possible only if an earlier entry got through in `warning` mode, or trades
 *   came from outside), it passes with a warning.
 * - An order that opens or adds to a position is refused (strict) or warned about (warning) when,
 *   were everything opened today closed today, the day trades in the 5 trading days ending at its
 *   trade date would exceed 3. Counted: day trades already made in the window; the one this order
 *   completes (its closing part, when it crosses zero); one per symbol opened today and still open
 *   (`openRun`); one per pending opening order (`pendingOpeningSymbols`); and one for this order.
 *   An order adding to a position opened today counts too, although filled at once it would join
 *   that run: an exit may fill first, and the add then opens a new run.
 * So in `strict` mode no sequence of allowed orders and always-allowed exits can make a 4th day
 * trade within 5 trading days (property-tested), with one caveat no pre-trade check can close
 * without blocking exits: an entry that fills in parts with an exit of the same symbol filling in
 * between opens two runs from one approval. The caller must not send an exit while an entry of the
 * same symbol is still working (or must cancel that entry first).
 *
 * Not subject: `off` policy, cash accounts, and under `finra-legacy` an equity at or above the
 * threshold. `broker`: the allowance is IBKR's `DayTradesRemaining` (-1 = unlimited) but never more
 * than the local count leaves (the broker's figure lags our fills); when the broker has not reported
 * it, the local count decides alone. FINRA's "more than 6 % of all trades" exception is not applied
 * (counting it would need every trade of the window; ignoring it only refuses more).
 *
 * Throws a RangeError on malformed input (the risk operator turns it into a refusal).
 */
export const checkDayTradeOrder = (
  state: DayTradeLedgerState,
  config: PdtConfig,
  order: DayTradeOrder,
  facts: PdtAccountFacts,
): PdtDecision => {
  assertSymbol(order.symbol, 'checkDayTradeOrder');
  assertSide(order.side, 'checkDayTradeOrder');
  assertShares(order.quantity, 'checkDayTradeOrder');
  assertTs(order.ts, 'checkDayTradeOrder');
  if (config.policy === 'off' || config.accountType === 'cash') return OK;
  const remaining = facts.brokerDayTradesRemaining;
  if (config.policy === 'broker') {
    if (remaining !== undefined && (!Number.isSafeInteger(remaining) || remaining < -1))
      throw new RangeError(
        `checkDayTradeOrder: brokerDayTradesRemaining must be a whole number >= -1, got ${remaining}`,
      );
    if (remaining === -1) return OK;
  } else {
    if (!Number.isFinite(facts.equity))
      throw new RangeError(`checkDayTradeOrder: equity must be finite, got ${facts.equity}`);
    if (facts.equity >= config.equityThreshold) return OK;
  }

  const date = tradeDateOf(order.ts);
  const own = state.symbols[order.symbol];
  const openRunHere = own !== undefined && own.date === date && own.openRun;
  const { closing, opening } = split(own?.quantity ?? 0, order.side, order.quantity);
  const used = dayTradesInWindow(state, date);
  const completes = closing > 0 && openRunHere ? 1 : 0;
  const window = windowOf(date);
  const windowText = `the ${PDT_WINDOW_TRADING_DAYS} trading days ${window.first}..${window.last}`;

  if (opening === 0) {
    if (completes === 1 && used + 1 > PDT_MAX_DAY_TRADES)
      return {
        ok: true,
        warnings: [
          `exit of ${order.symbol} completes day trade ${used + 1} in ${windowText} (limit ${PDT_MAX_DAY_TRADES}); exits are never blocked`,
        ],
      };
    return OK;
  }
  // Runs still open today; this order's closing part turns its own run into `completes`.
  let openRuns = 0;
  for (const [symbol, s] of Object.entries(state.symbols))
    if (s.date === date && s.openRun && !(symbol === order.symbol && completes === 1)) openRuns += 1;
  const pending = facts.pendingOpeningSymbols?.length ?? 0;
  const localAllowance = PDT_MAX_DAY_TRADES - used;
  const allowance = remaining === undefined ? localAllowance : Math.min(remaining, localAllowance);
  const needed = completes + openRuns + pending + 1;
  if (needed <= allowance) return OK;

  const source =
    config.policy === 'broker'
      ? remaining === undefined
        ? `the broker has not reported DayTradesRemaining, so the local count decides: ${used} day trades in ${windowText}`
        : `the broker reports ${remaining} day trades remaining${facts.brokerNote === undefined ? '' : ` (${facts.brokerNote})`}; ${used} counted here in ${windowText}`
      : `${used} day trades in ${windowText}, equity ${facts.equity.toFixed(2)} < ${config.equityThreshold}`;
  const reason =
    `opening ${order.side} ${order.quantity} ${order.symbol} could make a day trade beyond the PDT limit of ` +
    `${PDT_MAX_DAY_TRADES} in ${PDT_WINDOW_TRADING_DAYS} trading days: ${source}` +
    (openRuns > 0 ? `, ${openRuns} position(s) opened today still open` : '') +
    (pending > 0 ? `, ${pending} opening order(s) pending` : '') +
    (completes > 0 ? ', and this order itself completes one' : '');
  return config.mode === 'strict' ? { ok: false, rule: 'pdt', reason } : { ok: true, warnings: [reason] };
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateField = (name: string) =>
  z.string({ error: `${name} must be a date string` }).regex(DATE, { error: `${name} must be YYYY-MM-DD` });
const symbolKey = z.string().regex(SYMBOL_PATTERN, { error: 'symbol is not a ticker' });

/** Validation of a persisted day-trade ledger: exactly the shape `snapshotDayTradeLedger` writes. */
export const DayTradeLedgerSchema = z
  .strictObject({
    version: z.literal(1, { error: 'version must be 1' }),
    symbols: z.record(
      symbolKey,
      z.strictObject({
        quantity: z.number({ error: 'quantity must be a finite number' }),
        date: z.union([z.literal(''), dateField('date')]),
        openRun: z.boolean({ error: 'openRun must be true or false' }),
      }),
    ),
    dayTrades: z.array(
      z.strictObject({
        date: dateField('date'),
        symbol: symbolKey,
        side: z.enum(['BUY', 'SELL'], { error: 'side must be BUY or SELL' }),
        ts: z.number({ error: 'ts must be a number' }).int({ error: 'ts must be epoch ms' }),
        execId: z.string().min(1, { error: 'execId must not be empty' }),
      }),
    ),
    seenExecIds: z.record(z.string().min(1), dateField('seenExecIds date')),
    newestDate: dateField('newestDate').nullable(),
  })
  .superRefine((s, ctx) => {
    s.dayTrades.forEach((t, i) => {
      const before = s.dayTrades[i - 1];
      if (before !== undefined && before.date > t.date)
        ctx.addIssue({ code: 'custom', path: ['dayTrades', i, 'date'], message: 'dayTrades must be in date order' });
    });
    for (const [symbol, entry] of Object.entries(s.symbols))
      if (entry.quantity === 0)
        ctx.addIssue({ code: 'custom', path: ['symbols', symbol], message: 'a flat symbol is never stored' });
  });

/** Persisted day-trade ledger could not be read; `issues` lists every problem as `path: message`. */
export class CorruptDayTradeLedgerError extends Error {
  override readonly name = 'CorruptDayTradeLedgerError';
  constructor(readonly issues: readonly string[]) {
    super(`Corrupt day-trade ledger: ${issues.join('; ')}`);
  }
}

/** A JSON-safe deep copy of the ledger, for the caller to store. */
export const snapshotDayTradeLedger = (state: DayTradeLedgerState): DayTradeLedgerState => ({
  version: 1,
  symbols: Object.fromEntries(Object.entries(state.symbols).map(([symbol, s]) => [symbol, { ...s }])),
  dayTrades: state.dayTrades.map((t) => ({ ...t })),
  seenExecIds: { ...state.seenExecIds },
  newestDate: state.newestDate,
});

/**
 * Reads a ledger written by `snapshotDayTradeLedger`, as the object or its JSON text. Throws a
 * `CorruptDayTradeLedgerError` naming every problem rather than guessing: a forgotten day trade
 * would let strict mode allow a 4th.
 */
export const restoreDayTradeLedger = (input: unknown): DayTradeLedgerState => {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (err) {
      throw new CorruptDayTradeLedgerError([
        `(ledger): not JSON (${err instanceof Error ? err.message : String(err)})`,
      ]);
    }
  }
  const parsed = DayTradeLedgerSchema.safeParse(value);
  if (parsed.success)
    return {
      ...parsed.data,
      symbols: copyDict(parsed.data.symbols),
      seenExecIds: copyDict(parsed.data.seenExecIds),
    };
  throw new CorruptDayTradeLedgerError(
    parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(ledger)'}: ${i.message}`),
  );
};
