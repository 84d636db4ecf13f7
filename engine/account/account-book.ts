import type { AccountState, AccountUpdated, Position, PositionUpdated } from '../messages/account.js';
import { unrealizedPnl } from '../messages/account.js';
import { dictOf } from '../dict.js';
import type { Bar } from '../messages/market.js';
import type { FillEvent, OrderIntent, OrderPlaced } from '../messages/order.js';
import { isFill } from '../messages/order.js';

export type AccountInput = OrderPlaced | FillEvent | Bar;
export type AccountOutput = PositionUpdated | AccountUpdated;

interface IntentInfo {
  readonly strategyId: string;
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
}

/**
 * Account state derived from fills (positions, cash, realized P&L net of commissions) and price
 * marks (unrealized P&L). Owned linearly by its reducer. Positions live in a Map updated in O(1) per
 * mark; the immutable `account` snapshot is rebuilt only when read after a change, so the snapshots
 * already handed out stay valid and a bar costs nothing proportional to the number of positions.
 */
export class AccountBook {
  readonly intents: Map<string, IntentInfo>;
  readonly seenExecIds = new Set<string>();
  private core: Omit<AccountState, 'positions'>;
  private readonly open: Map<string, Position>;
  private snapshot: AccountState | undefined;

  constructor(account: AccountState, openOrders: readonly OrderIntent[] = []) {
    const { positions, ...core } = account;
    this.core = core;
    this.open = new Map(Object.entries(positions));
    this.snapshot = account;
    this.intents = new Map(openOrders.map((o) => [o.clientOrderId, intentInfo(o)]));
  }

  /** The account now, as an immutable value. */
  get account(): AccountState {
    return (this.snapshot ??= { ...this.core, positions: dictOf(this.open) });
  }

  position(symbol: string): Position | undefined {
    return this.open.get(symbol);
  }

  /** Symbols with an open position. */
  heldSymbols(): string[] {
    return [...this.open.keys()];
  }

  get openPositions(): number {
    return this.open.size;
  }

  /** @internal for the reducer: a new or marked position (quantity 0 closes it). */
  setPosition(p: Position): void {
    if (p.quantity === 0) this.open.delete(p.symbol);
    else this.open.set(p.symbol, p);
    this.snapshot = undefined;
  }

  /** @internal for the reducer: cash and P&L after a fill. */
  setCore(core: Omit<AccountState, 'positions' | 'accountId' | 'initialCash'>): void {
    this.core = { ...this.core, ...core };
    this.snapshot = undefined;
  }

  get cash(): number {
    return this.core.cash;
  }

  get realizedPnl(): number {
    return this.core.realizedPnl;
  }

  get commissions(): number {
    return this.core.commissions;
  }
}

export const freshAccount = (accountId: string, initialCash: number, ts = 0): AccountState => ({
  accountId,
  initialCash,
  cash: initialCash,
  realizedPnl: 0,
  commissions: 0,
  positions: {},
  updatedTs: ts,
});

/** `openOrders`: orders still working after a restart, so their fills open positions with the right strategy and levels. */
export const createAccountBook = (account: AccountState, openOrders: readonly OrderIntent[] = []): AccountBook =>
  new AccountBook(account, openOrders);

const intentInfo = (o: OrderIntent): IntentInfo => ({
  strategyId: o.strategyId,
  stopLoss: o.stopLoss ?? null,
  takeProfit: o.takeProfit ?? null,
});

const round = (x: number, digits = 6): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * Applies one fill to a position. Buying against a short (or selling against a long) first closes,
 * realizing (exit - avg) x closed shares (sign-aware); any remainder opens the other way at the fill
 * price. Commission is charged to realized P&L as it is paid.
 */
export const applyFill = (
  p: Position | undefined,
  fill: FillEvent,
  info: IntentInfo | undefined,
): { readonly position: Position; readonly realized: number } => {
  const signed = fill.side === 'BUY' ? fill.quantity : -fill.quantity;
  const q0 = p?.quantity ?? 0;
  const avg0 = p?.avgPrice ?? 0;
  const q1 = q0 + signed;
  let realized = -fill.commission;
  let avg1: number;
  if (q0 === 0 || Math.sign(q0) === Math.sign(signed)) {
    avg1 = (avg0 * Math.abs(q0) + fill.price * Math.abs(signed)) / Math.abs(q1);
  } else {
    const closed = Math.min(Math.abs(signed), Math.abs(q0));
    realized += (fill.price - avg0) * closed * Math.sign(q0);
    avg1 = q1 === 0 ? 0 : Math.sign(q1) === Math.sign(q0) ? avg0 : fill.price;
  }
  const opening = q0 === 0 || (q1 !== 0 && Math.sign(q1) !== Math.sign(q0));
  const position: Position = {
    symbol: fill.symbol,
    quantity: q1,
    avgPrice: round(avg1),
    lastPrice: fill.price,
    realizedPnl: round((opening ? 0 : (p?.realizedPnl ?? 0)) + realized),
    commissions: round((opening ? 0 : (p?.commissions ?? 0)) + fill.commission),
    openedTs: opening ? fill.ts : (p?.openedTs ?? fill.ts),
    updatedTs: fill.ts,
    strategyId: opening ? (info?.strategyId ?? 'manual') : (p?.strategyId ?? info?.strategyId ?? 'manual'),
    stopLoss: opening ? (info?.stopLoss ?? null) : (p?.stopLoss ?? null),
    takeProfit: opening ? (info?.takeProfit ?? null) : (p?.takeProfit ?? null),
  };
  return { position, realized };
};

const positionEvent = (position: Position, ts: number): PositionUpdated => ({
  kind: 'position.updated',
  ts,
  symbol: position.symbol,
  position,
  unrealizedPnl: round(unrealizedPnl(position)),
});

const NONE: readonly AccountOutput[] = Object.freeze([]);

const onFill = (book: AccountBook, fill: FillEvent): readonly AccountOutput[] => {
  if (book.seenExecIds.has(fill.execId)) return NONE;
  book.seenExecIds.add(fill.execId);
  const { position, realized } = applyFill(book.position(fill.symbol), fill, book.intents.get(fill.clientOrderId));
  const signedCash = (fill.side === 'BUY' ? -1 : 1) * fill.quantity * fill.price - fill.commission;
  book.setPosition(position);
  book.setCore({
    cash: round(book.cash + signedCash),
    realizedPnl: round(book.realizedPnl + realized),
    commissions: round(book.commissions + fill.commission),
    updatedTs: fill.ts,
  });
  if (fill.kind === 'order.filled') book.intents.delete(fill.clientOrderId);
  return [positionEvent(position, fill.ts), { kind: 'account.updated', ts: fill.ts, account: book.account }];
};

const onMark = (book: AccountBook, bar: Bar): readonly AccountOutput[] => {
  const held = book.position(bar.symbol);
  if (!held || held.lastPrice === bar.close) return NONE;
  const position: Position = { ...held, lastPrice: bar.close, updatedTs: bar.ts };
  book.setPosition(position);
  return [positionEvent(position, bar.ts)];
};

/** The account's reducer: fills change positions and cash, bars mark held positions to market. */
export const reduceAccount = (book: AccountBook, input: AccountInput): readonly AccountOutput[] => {
  if (input.kind === 'order.placed') {
    book.intents.set(input.order.clientOrderId, intentInfo(input.order));
    return NONE;
  }
  if (isFill(input)) return onFill(book, input);
  return onMark(book, input);
};
