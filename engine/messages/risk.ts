import type { OrderIntent } from './order.js';
import type { ScoredSignal } from './signal.js';

/** The risk operator accepted the signal and sized the order. */
export interface RiskApproved {
  readonly kind: 'risk.approved';
  readonly ts: number;
  readonly symbol: string;
  readonly signal: ScoredSignal;
  readonly order: OrderIntent;
  /** Warnings from rules that allowed the order anyway (e.g. PDT in warning mode). */
  readonly warnings: readonly string[];
  /** Set when the decision answers a manual order request. */
  readonly requestId?: string;
}

/** The risk operator refused the signal; `rule` names the rule that decided. */
export interface RiskRejected {
  readonly kind: 'risk.rejected';
  readonly ts: number;
  readonly symbol: string;
  readonly signal: ScoredSignal;
  readonly rule: string;
  readonly reason: string;
  /** Set when the decision answers a manual order request. */
  readonly requestId?: string;
}

export type RiskDecision = RiskApproved | RiskRejected;

/** A command to engage or reset the kill switch (from the operator, over the API). */
export interface SetKillSwitch {
  readonly kind: 'risk.set_kill_switch';
  readonly ts: number;
  readonly engaged: boolean;
  readonly reason: string;
}

/**
 * The kill switch changed: engaged (by the operator, by the drawdown limit, or failing closed when a
 * risk ledger could not take a fill in) or reset.
 */
export interface KillSwitchChanged {
  readonly kind: 'risk.kill_switch_changed';
  readonly ts: number;
  readonly engaged: boolean;
  readonly reason: string;
  readonly source: 'operator' | 'drawdown' | 'risk_error';
}

/**
 * A cash account's settled cash compared with the broker's (`broker.account_reported`): emitted on
 * the first report, whenever the two start or stop agreeing within `SETTLED_CASH_TOLERANCE`, and when
 * a standing difference changes by more than it. Buys use the lower of the two either way; a
 * mismatch says the local ledger and IBKR disagree (an outside trade, a deposit, a missed fill, or a
 * book started from a budget rather than the account), and is logged as a warning.
 */
export interface SettledCashReconciled {
  readonly kind: 'risk.settled_cash_reconciled';
  readonly ts: number;
  /** The local ledger's settled cash at the report's time. */
  readonly localSettledCash: number;
  /** The broker's `SettledCash` as reported. */
  readonly brokerSettledCash: number;
  /** Broker minus local: > 0 when the broker reports more. */
  readonly difference: number;
  /** The difference exceeds the tolerance. */
  readonly mismatch: boolean;
}
