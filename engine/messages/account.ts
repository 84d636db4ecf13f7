/** A position in one symbol. `quantity` is signed: > 0 long, < 0 short. */
export interface Position {
  readonly symbol: string;
  readonly quantity: number;
  readonly avgPrice: number;
  readonly lastPrice: number;
  readonly realizedPnl: number;
  readonly commissions: number;
  /** Event time the current position was opened (0 -> non-zero). */
  readonly openedTs: number;
  readonly updatedTs: number;
  /** Strategy that opened it, for exits and reporting. */
  readonly strategyId: string;
  /** Protective levels from the opening order; null when none. */
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
}

/** Account state derived from fills and price marks. */
export interface AccountState {
  readonly accountId: string;
  readonly initialCash: number;
  readonly cash: number;
  readonly realizedPnl: number;
  readonly commissions: number;
  readonly positions: Readonly<Record<string, Position>>;
  readonly updatedTs: number;
}

export interface PositionUpdated {
  readonly kind: 'position.updated';
  readonly ts: number;
  readonly symbol: string;
  readonly position: Position;
  readonly unrealizedPnl: number;
}

export interface AccountUpdated {
  readonly kind: 'account.updated';
  readonly ts: number;
  readonly account: AccountState;
}

export const positionValue = (p: Position): number => p.quantity * p.lastPrice;
export const unrealizedPnl = (p: Position): number => (p.lastPrice - p.avgPrice) * p.quantity;

/** Cash plus market value of all positions. */
export const equityOf = (a: AccountState): number =>
  Object.values(a.positions).reduce((sum, p) => sum + positionValue(p), a.cash);
