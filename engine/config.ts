import { DEFAULT_SETTLEMENT_CONFIG, type SettlementConfig } from './risk/settlement-ledger.js';
import { DEFAULT_PDT_CONFIG, type PdtConfig } from './risk/day-trade-ledger.js';
import type { RiskLimitsConfig } from './risk/risk-limits.js';
import { DEFAULT_EXIT_CONFIG, type ExitConfig } from './risk/exit-config.js';
import { type AggregationConfig, DEFAULT_AGGREGATION } from './sentiment/aggregate.js';

/** What the engine needs from configuration (parsed and validated at the edge, in adapters/config). */
export interface EngineConfig {
  readonly accountId: string;
  readonly initialCash: number;
  readonly scheduler: {
    readonly enabled: boolean;
    readonly evaluationIntervalMs: number;
    readonly exitCheckIntervalMs: number;
    readonly minConfidence: number;
    readonly maxConcurrentTrades: number;
    readonly marketHoursOnly: boolean;
    readonly requireBrokerConnection: boolean;
    readonly positionSyncEnabled: boolean;
    readonly positionSyncIntervalMs: number;
  };
  readonly confluence: {
    readonly min: number;
    readonly weights: { readonly technical: number; readonly sentiment: number; readonly options: number };
  };
  readonly risk: {
    /** Fraction of equity per confidence tier: < 0.4, 0.4..0.7, >= 0.7. */
    readonly sizingTiers: { readonly low: number; readonly medium: number; readonly high: number };
    /** Cap of one position's value as a fraction of equity. */
    readonly maxPositionPct: number;
    /** Trade limits, daily loss limit and the drawdown that engages the kill switch. */
    readonly limits: RiskLimitsConfig;
    /** Pattern-day-trader rule; `pdt.accountType` says whether the account is a cash account. */
    readonly pdt: PdtConfig;
    /** Settlement of a cash account. */
    readonly settlement: SettlementConfig;
    /** No new entries this long before a symbol's scheduled earnings report; 0 = off. */
    readonly earningsBlackoutMs: number;
  };
  /** How sentiment readings are aggregated for confluence and strategies. */
  readonly sentiment: AggregationConfig;
  /** Exit rules beyond each position's stop and target: trailing stop, ladder, time exit, flatten. */
  readonly exits: ExitConfig;
  /** How often a symbol's actor may throw before it halts. */
  readonly actorMaxRestarts: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  accountId: 'paper',
  initialCash: 100_000,
  scheduler: {
    enabled: true,
    evaluationIntervalMs: 60_000,
    exitCheckIntervalMs: 30_000,
    minConfidence: 0.5,
    maxConcurrentTrades: 5,
    marketHoursOnly: true,
    requireBrokerConnection: false,
    positionSyncEnabled: true,
    positionSyncIntervalMs: 300_000,
  },
  confluence: { min: 0.6, weights: { technical: 0.5, sentiment: 0.3, options: 0.2 } },
  risk: {
    sizingTiers: { low: 0.01, medium: 0.025, high: 0.04 },
    maxPositionPct: 0.1,
    limits: { dailyTradeLimit: 5, weeklyTradeLimit: 20, dailyLossLimitPct: 0.02, maxDrawdownPct: 0.1 },
    pdt: DEFAULT_PDT_CONFIG,
    settlement: DEFAULT_SETTLEMENT_CONFIG,
    earningsBlackoutMs: 24 * 3_600_000,
  },
  sentiment: DEFAULT_AGGREGATION,
  exits: DEFAULT_EXIT_CONFIG,
  actorMaxRestarts: 3,
};
