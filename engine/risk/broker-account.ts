import type { BrokerAccountReported } from '../messages/broker-account.js';
import type { SettledCashReconciled } from '../messages/risk.js';
import { PDT_MAX_DAY_TRADES, type PdtConfig } from './day-trade-ledger.js';

/**
 * A broker report older than this is treated as absent by default: two position-sync intervals
 * (2 x 300 s). Summaries are read on every position sync, so an older report means at least two
 * syncs in a row failed or the connection is down; one late or failed read is tolerated. The engine
 * passes 2 x `POSITION_SYNC_INTERVAL` (see `brokerReportMaxAgeMs`).
 */
export const DEFAULT_BROKER_REPORT_MAX_AGE_MS = 2 * 300_000;

/** Local and broker settled cash further apart than this ($) are reported as a mismatch. */
export const SETTLED_CASH_TOLERANCE = 1;

/** How old a broker report may be for a position-sync interval: two intervals (see the default). */
export const brokerReportMaxAgeMs = (positionSyncIntervalMs: number): number => 2 * positionSyncIntervalMs;

/**
 * The latest broker report as risk keeps it, with what happened here since: the broker's figures
 * lag our own fills, so the day trades and buys recorded after the report are taken off them.
 * Counted by arrival, not by execution time: a fill that arrives after the report is taken off even
 * if it executed just before it (and the broker may have counted it): the error only ever spends less.
 */
export interface BrokerAccountView {
  readonly report: BrokerAccountReported;
  /** Day trades the local ledger recorded after the report. */
  dayTradesSince: number;
  /** Cost (shares x price + commission) of buys filled after the report: IBKR's SettledCash drops by it at trade time. */
  spentSince: number;
  /** The comparison made when the report came in; null on a margin account or without SettledCash. */
  readonly reconciled: SettledCashReconciled | null;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const iso = (ts: number): string => new Date(ts).toISOString();

/** A report too old to decide with (see `DEFAULT_BROKER_REPORT_MAX_AGE_MS`); a report newer than `ts` is fresh. */
export const isStale = (view: BrokerAccountView, ts: number, maxAgeMs: number): boolean =>
  ts - view.report.ts > maxAgeMs;

/**
 * Takes in a report. `localSettledCash` is the local ledger's settled cash at the report's time
 * (undefined on a margin account). Returns the new view and, on a cash account reporting
 * SettledCash, the comparison to publish when it is news (see `SettledCashReconciled`).
 */
export const receiveBrokerReport = (
  previous: BrokerAccountView | undefined,
  report: BrokerAccountReported,
  localSettledCash: number | undefined,
): { readonly view: BrokerAccountView; readonly publish: SettledCashReconciled | undefined } => {
  let reconciled: SettledCashReconciled | null = null;
  if (localSettledCash !== undefined && report.settledCash !== null) {
    const difference = round2(report.settledCash - localSettledCash);
    reconciled = {
      kind: 'risk.settled_cash_reconciled',
      ts: report.ts,
      localSettledCash: round2(localSettledCash),
      brokerSettledCash: report.settledCash,
      difference,
      mismatch: Math.abs(difference) > SETTLED_CASH_TOLERANCE,
    };
  }
  const before = previous?.reconciled ?? null;
  // One event per change, not per report: a standing difference (say, a book started from a budget
  // smaller than the account) would otherwise warn on every position sync.
  const news =
    reconciled !== null &&
    (before === null ||
      before.mismatch !== reconciled.mismatch ||
      (reconciled.mismatch && Math.abs(reconciled.difference - before.difference) > SETTLED_CASH_TOLERANCE));
  return {
    view: { report, dayTradesSince: 0, spentSince: 0, reconciled },
    publish: news && reconciled !== null ? reconciled : undefined,
  };
};

/**
 * The broker's `DayTradesRemaining` to decide with at `ts`, less the day trades made here since the
 * report (-1 stays unlimited); undefined when there is no fresh figure (the local count decides).
 */
export const brokerDayTradesRemaining = (
  view: BrokerAccountView | undefined,
  ts: number,
  maxAgeMs: number,
): number | undefined => {
  const reported = view?.report.dayTradesRemaining;
  if (view === undefined || reported === null || reported === undefined || isStale(view, ts, maxAgeMs))
    return undefined;
  return reported === -1 ? -1 : Math.max(0, reported - view.dayTradesSince);
};

/** Why the broker figure is what it is, for a decision's reason. */
export const brokerDayTradesNote = (view: BrokerAccountView): string =>
  `IBKR reported ${String(view.report.dayTradesRemaining)} at ${iso(view.report.ts)}` +
  (view.dayTradesSince > 0 ? `, ${view.dayTradesSince} day trade(s) made since` : '');

/**
 * The broker's settled cash available at `ts`: its `SettledCash` less the buys filled here since the
 * report; undefined when there is no fresh figure (the local ledger decides alone).
 */
export const brokerSettledCash = (
  view: BrokerAccountView | undefined,
  ts: number,
  maxAgeMs: number,
): { readonly settledCash: number; readonly note: string } | undefined => {
  const reported = view?.report.settledCash;
  if (view === undefined || reported === null || reported === undefined || isStale(view, ts, maxAgeMs))
    return undefined;
  const settledCash = round2(reported - view.spentSince);
  const spent = view.spentSince > 0 ? ` less ${view.spentSince.toFixed(2)} bought since` : '';
  return { settledCash, note: `IBKR SettledCash ${reported.toFixed(2)} at ${iso(view.report.ts)}${spent}` };
};

/** The PDT status's allowance part: what decides, how many day trades are left, and the broker's figure. */
export interface PdtAllowanceStatus {
  /** Day trades an entry may still lead to (as the check counts them); null when not limited (or unlimited). */
  readonly day_trades_remaining: number | null;
  /** `broker` when a fresh `DayTradesRemaining` decides (policy `broker`), else `local` (the ledger's count). */
  readonly source: 'broker' | 'local';
  /** The broker's latest report, fresh or not; null when none came (paper mode, not connected yet). */
  readonly broker: {
    readonly day_trades_remaining: number | null;
    readonly reported_at: string;
    readonly age_seconds: number;
    /** Older than the bound: not used (the local count decides). */
    readonly stale: boolean;
    readonly day_trades_since_report: number;
  } | null;
}

/**
 * The PDT allowance as `checkDayTradeOrder` sees it at `ts`, before open runs and pending orders:
 * `used` day trades in the window, `equity` for `finra-legacy`'s threshold.
 */
export const pdtAllowanceStatus = (
  view: BrokerAccountView | undefined,
  pdt: PdtConfig,
  used: number,
  equity: number,
  ts: number,
  maxAgeMs: number,
): PdtAllowanceStatus => {
  const broker =
    view === undefined
      ? null
      : {
          day_trades_remaining: view.report.dayTradesRemaining,
          reported_at: iso(view.report.ts),
          age_seconds: Math.max(0, Math.round((ts - view.report.ts) / 1000)),
          stale: isStale(view, ts, maxAgeMs),
          day_trades_since_report: view.dayTradesSince,
        };
  const local = Math.max(0, PDT_MAX_DAY_TRADES - used);
  const fromBroker = pdt.policy === 'broker' ? brokerDayTradesRemaining(view, ts, maxAgeMs) : undefined;
  const source = fromBroker === undefined ? 'local' : 'broker';
  if (pdt.policy === 'off' || pdt.accountType === 'cash') return { day_trades_remaining: null, source, broker };
  if (fromBroker !== undefined)
    return { day_trades_remaining: fromBroker === -1 ? null : Math.min(fromBroker, local), source, broker };
  // `broker` without a fresh figure falls back to the local count whatever the equity.
  const limited = pdt.policy === 'broker' || equity < pdt.equityThreshold;
  return { day_trades_remaining: limited ? local : null, source, broker };
};

/** What `GET /api/risk/status` shows of the broker's settled cash on a cash account. */
export interface BrokerSettlementStatus {
  /** What buys are checked and sized against now: the lower of the local ledger and the broker's figure. */
  readonly effective_settled_cash: number;
  readonly broker: {
    readonly settled_cash: number | null;
    readonly reported_at: string;
    readonly age_seconds: number;
    readonly stale: boolean;
    readonly bought_since_report: number;
    /** Broker minus local at the report's time (null without SettledCash). */
    readonly difference: number | null;
    readonly mismatch: boolean;
  } | null;
}

/** The settlement status's broker part; `localSettledCash` is the ledger's settled cash at `ts`. */
export const brokerSettlementStatus = (
  view: BrokerAccountView | undefined,
  localSettledCash: number,
  ts: number,
  maxAgeMs: number,
): BrokerSettlementStatus => {
  const broker = brokerSettledCash(view, ts, maxAgeMs);
  return {
    effective_settled_cash: round2(
      broker === undefined ? localSettledCash : Math.min(localSettledCash, broker.settledCash),
    ),
    broker:
      view === undefined
        ? null
        : {
            settled_cash: view.report.settledCash,
            reported_at: iso(view.report.ts),
            age_seconds: Math.max(0, Math.round((ts - view.report.ts) / 1000)),
            stale: isStale(view, ts, maxAgeMs),
            bought_since_report: round2(view.spentSince),
            difference: view.reconciled?.difference ?? null,
            mismatch: view.reconciled?.mismatch ?? false,
          },
  };
};
