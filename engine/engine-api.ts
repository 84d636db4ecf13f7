import type { Observable } from 'rxjs';
import type { EngineEvent, SchedulerState } from './messages/engine-event.js';
import type { OrderIntent } from './messages/order.js';
import type { ScoredSignal } from './messages/signal.js';
import type { StrategyRecord } from './messages/strategy.js';
import type { SchedulerStats } from './scheduler/scheduler-stats.js';
import type { AggregatedSentiment, SentimentLevel } from './sentiment/aggregate.js';
import type { BrokerSettlementStatus, PdtAllowanceStatus } from './risk/broker-account.js';

export interface StrategyTypeInfo {
  readonly type: string;
  readonly description: string;
  /** JSON Schema of the config, generated from the zod schema. */
  readonly configSchema: unknown;
}

export interface SchedulerStatus {
  readonly state: SchedulerState;
  readonly stats: SchedulerStats & { readonly uptime_seconds: number; readonly monitored_positions: number };
  readonly config: {
    readonly enabled: boolean;
    readonly evaluation_interval: number;
    readonly exit_check_interval: number;
    readonly min_confidence: number;
    readonly max_concurrent_trades: number;
    readonly market_hours_only: boolean;
    readonly require_ibkr_connection: boolean;
    readonly position_sync_enabled: boolean;
    readonly position_sync_interval: number;
  };
  readonly can_run: boolean;
  readonly is_market_hours: boolean;
  readonly ibkr_connected: boolean;
  /** Event time the engine has reached (market time; simulated in paper mode). */
  readonly market_time: string | null;
}

export interface PositionSummary {
  readonly symbol: string;
  readonly quantity: number;
  readonly avg_price: number;
  readonly last_price: number;
  readonly market_value: number;
  readonly unrealized_pnl: number;
  readonly realized_pnl: number;
  readonly strategy_id: string;
  readonly opened_at: string;
}

export interface PortfolioSummary {
  readonly account_id: string;
  readonly initial_cash: number;
  readonly cash: number;
  readonly positions_value: number;
  readonly equity: number;
  readonly realized_pnl: number;
  readonly unrealized_pnl: number;
  readonly total_pnl: number;
  readonly total_return_pct: number;
  readonly commissions: number;
  readonly open_positions: number;
  readonly positions: readonly PositionSummary[];
  readonly as_of: string | null;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly broker: { readonly name: string; readonly connected: boolean };
  readonly scheduler: SchedulerState;
  readonly halted_symbols: readonly string[];
  /** `ok: false` while journal writes fail; `pending_events` are kept in memory and retried. */
  readonly storage: { readonly ok: boolean; readonly pending_events: number };
  /** Why the status is degraded, in words (empty when ok). */
  readonly problems: readonly string[];
  readonly uptime_seconds: number;
}

/**
 * What `http/` (and main) may do with the running engine: send commands, read state. Commands that
 * change persisted state resolve once the change is durable; they reject with `DomainError`
 * (validation_error, not_found, conflict) and change nothing when refused.
 */
export interface EngineApi {
  /** Every engine event, hot. */
  readonly events$: Observable<EngineEvent>;
  strategyTypes(): readonly StrategyTypeInfo[];
  listStrategies(): readonly StrategyRecord[];
  /** Body `{strategy_type, config: {symbol, timeframe?, ...}, enabled?, id?}`, validated here. */
  addStrategy(input: unknown): Promise<StrategyRecord>;
  setStrategyEnabled(id: string, enabled: boolean): Promise<StrategyRecord>;
  removeStrategy(id: string): Promise<StrategyRecord>;
  schedulerStatus(): SchedulerStatus;
  /** Idempotent: starting a running scheduler leaves it running. */
  startScheduler(): SchedulerStatus;
  /** Idempotent. */
  stopScheduler(): SchedulerStatus;
  /** Only from running; DomainError conflict otherwise. */
  pauseScheduler(): SchedulerStatus;
  /** Only from paused; DomainError conflict otherwise. */
  resumeScheduler(): SchedulerStatus;
  portfolio(): PortfolioSummary;
  /**
   * A manual order, seed body `{account_id, symbol, side, quantity, price_per_share?, confidence_score?}`.
   * It passes through the same risk rules as strategy signals; resolves once the order intent is
   * durable and `order.placed` is published (the hand-over to the broker follows; if it fails, an
   * `order.failed` event says so). Rejects with DomainError `validation_error` (bad body),
   * `not_connected` (broker down) or `risk_rejected` (details: rule, reason), and then nothing is
   * written.
   */
  executeOrder(input: unknown): Promise<{ readonly order: OrderIntent; readonly warnings: readonly string[] }>;
  recentSignals(limit: number): readonly ScoredSignal[];
  /**
   * Body `{symbol}`: every enabled strategy of the symbol decides now on the bars it has (HOLDs
   * explained), each decision scored by confluence against the latest readings. Trades nothing and
   * changes nothing. DomainError `validation_error` (bad body), `not_found` (no enabled strategy).
   */
  evaluateSignals(input: unknown): SignalEvaluation;
  /** Limits, counters, daily P&L and drawdown against their limits, and the kill switch. */
  riskStatus(): RiskStatus;
  /**
   * Body `{reason?}` engages the kill switch (no new entries; exits still allowed); `engaged: false`
   * resets it. Resolves once the change is durable, with the status it leaves behind.
   */
  setKillSwitch(engaged: boolean, input: unknown): Promise<RiskStatus>;
  health(): HealthReport;
  /** Weights, minimum and, per active symbol, the sentiment aggregate and options flow confluence would use now. */
  confluenceStatus(): ConfluenceStatus;
  /** One symbol's confluence inputs now (per-source breakdown) and its latest scored signals. DomainError validation_error. */
  confluenceFor(symbol: unknown): ConfluenceView;
}

export interface SentimentSummary {
  readonly score: number;
  readonly confidence: number;
  readonly level: SentimentLevel;
  readonly source_count: number;
  readonly mentions: number;
  readonly divergence: number;
  readonly divergent: boolean;
}

export interface OptionsFlowSummary {
  readonly score: number;
  readonly confidence: number;
  readonly published_at: string;
}

export interface ConfluenceStatus {
  readonly weights: { readonly technical: number; readonly sentiment: number; readonly options: number };
  readonly min: number;
  /** Event (market) time the inputs are taken at. */
  readonly as_of: string | null;
  /** Symbols with an enabled strategy or a position. */
  readonly symbols: readonly {
    readonly symbol: string;
    readonly sentiment: SentimentSummary | null;
    readonly options: OptionsFlowSummary | null;
  }[];
}

export interface ConfluenceView {
  readonly symbol: string;
  readonly as_of: string | null;
  readonly weights: ConfluenceStatus['weights'];
  readonly min: number;
  readonly sentiment: (SentimentSummary & { readonly sources: AggregatedSentiment['sources'] }) | null;
  readonly options: OptionsFlowSummary | null;
  /** The symbol's latest scored signals, newest first (at most 20). */
  readonly recent_signals: readonly ScoredSignal[];
}

/** `GET /api/risk/status` (snake_case, ready for JSON). Money in account currency, fractions 0..1. */
export interface RiskStatus {
  readonly kill_switch: { readonly engaged: boolean; readonly reason: string; readonly since: string | null };
  readonly limits: {
    readonly daily_trade_limit: number;
    readonly weekly_trade_limit: number;
    readonly daily_loss_limit_pct: number;
    readonly max_drawdown_pct: number;
    readonly max_concurrent_positions: number;
    readonly max_position_pct: number;
    readonly min_confidence: number;
    readonly confluence_min: number;
  };
  readonly counters: {
    readonly session_date: string;
    readonly trades_today: number;
    readonly trades_remaining_today: number;
    readonly trades_this_week: number;
    readonly trades_remaining_this_week: number;
  };
  readonly daily_pnl: {
    readonly start_equity: number | null;
    readonly equity: number;
    readonly pnl: number | null;
    readonly pct: number | null;
    readonly limit_pct: number;
    readonly entries_stopped: boolean;
  };
  readonly drawdown: {
    readonly peak_equity: number;
    readonly equity: number;
    readonly pct: number;
    readonly limit_pct: number;
  };
  /**
   * Day trades counted in the rolling window; `day_trades_remaining` is null when not limited;
   * `source` says whether the broker's `DayTradesRemaining` or the local count decides.
   */
  readonly pdt: {
    readonly policy: 'finra-legacy' | 'broker' | 'off';
    readonly mode: 'strict' | 'warning';
    readonly equity_threshold: number;
    readonly window_trading_days: number;
    readonly day_trades_in_window: number;
  } & PdtAllowanceStatus;
  /**
   * A cash account's settled (local ledger) and unsettled cash, violations, restriction, and the
   * broker's SettledCash with the effective figure buys use; just the type on margin.
   */
  readonly settlement:
    | { readonly account_type: 'margin' }
    | ({
        readonly account_type: 'cash';
        readonly settlement_days: number;
        readonly settled_cash: number;
        readonly unsettled: readonly {
          readonly symbol: string;
          readonly amount: number;
          readonly trade_date: string;
          readonly settles_on: string;
        }[];
        readonly violations: { readonly good_faith: number; readonly free_riding: number };
        readonly restriction: { readonly since: string; readonly until: string; readonly reason: string } | null;
      } & BrokerSettlementStatus);
  readonly open_positions: number;
  readonly pending_orders: number;
  /** The exit rules and each held position's exit state. */
  readonly exits: ExitStatus;
  /** Rules of SPEC section 6 this version does not enforce yet, in words. */
  readonly not_enforced: readonly string[];
}

/** The exit rules in force (SPEC 6 "Exits") and what they remember about each held position. */
export interface ExitStatus {
  readonly config: {
    readonly trailing_stop_pct: number | null;
    readonly ladder: readonly { readonly gain: number; readonly sell_fraction: number }[];
    readonly max_holding_minutes: number | null;
    readonly flatten_before_close_minutes: number | null;
    readonly ladder_fill_timeout_seconds: number;
  };
  /** Inside the flatten window now: positions are being sold and new entries refused. */
  readonly flatten_window_open: boolean;
  readonly positions: readonly {
    readonly symbol: string;
    readonly direction: 'long' | 'short';
    readonly opened_at: string;
    readonly original_quantity: number;
    /** Ladder steps sold (1 = the first configured step). */
    readonly fired_steps: readonly number[];
    /** The stored state could not be read at start: the ladder is refused for this position. */
    readonly ladder_locked: boolean;
    /** Best price since entry (high for a long, low for a short): the trailing stop's anchor. */
    readonly trailing_anchor: number;
    /** Where the trailing stop sells now; null when the trailing stop is off. */
    readonly trailing_stop_level: number | null;
    /** A ladder sell sent and not yet seen in the position; later steps wait for it. */
    readonly awaiting_fill: {
      readonly steps: readonly number[];
      readonly quantity_before: number;
      readonly expected_quantity: number;
      readonly since: string;
    } | null;
  }[];
}

/** What on-demand evaluation found for one symbol. */
export interface SignalEvaluation {
  readonly symbol: string;
  /** Event (market) time of the evaluation. */
  readonly ts: number;
  /** Last known price, if any bar was seen. */
  readonly price: number | undefined;
  /** One per enabled strategy, in the order the strategies were added. */
  readonly signals: readonly ScoredSignal[];
  /** True when the symbol's actor halted after repeated failures (its state is not trusted). */
  readonly halted: boolean;
}
