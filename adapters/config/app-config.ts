import { z } from 'zod';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../engine/config.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import {
  apiExposureIssue,
  corsOriginsVar,
  dateVar,
  hostVar,
  ibkrAccountVar,
  tradingStrategiesVar,
  type SeedStrategy,
} from './config-values.js';
import { SENTIMENT_ENV, type SentimentCommonConfig, sentimentCommonConfig } from '../sentiment/sentiment-config.js';
import { booleanVar, enumVar, numberVar, optionalStringVar, stringVar, symbolListVar } from './env-fields.js';
import { EXIT_ENV, exitConfig } from './exit-env.js';
import type { ExitConfig } from '../../engine/risk/exit-config.js';

export { ConfigError, type ConfigIssue } from './config-error.js';
export { isLoopbackHost, type SeedStrategy } from './config-values.js';
export { readEnv, type Env } from './env-file.js';

const BROKERS = ['paper', 'ibkr'] as const;
export type BrokerKind = (typeof BROKERS)[number];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const fraction = { min: 0, max: 1 } as const;
const positiveFraction = { min: 0, max: 1, minExclusive: true } as const;
const positiveSeconds = { min: 0, minExclusive: true } as const;
const count = { min: 0, integer: true } as const;

/** Every variable the app reads, by its name, with its default. The single place config is parsed. */
const EnvSchema = z.object({
  BROKER: enumVar(BROKERS, 'paper'),
  ACCOUNT_ID: stringVar('paper'),
  LOG_LEVEL: enumVar(LOG_LEVELS, 'info'),

  IBKR_HOST: hostVar('127.0.0.1'),
  IBKR_PORT: numberVar('4004', { min: 1, max: 65535, integer: true }),
  IBKR_CLIENT_ID: numberVar('9', count),
  IBKR_USERNAME: optionalStringVar(),
  IBKR_PASSWORD: optionalStringVar(),
  IBKR_TRADING_MODE: enumVar(['paper', 'live'], 'paper'),
  IBKR_ACCOUNT: ibkrAccountVar(),

  SCHEDULER_ENABLED: booleanVar('true'),
  SCHEDULER_EVALUATION_INTERVAL: numberVar('60', positiveSeconds),
  SCHEDULER_EXIT_CHECK_INTERVAL: numberVar('30', positiveSeconds),
  SCHEDULER_MIN_CONFIDENCE: numberVar('0.5', fraction),
  SCHEDULER_MAX_CONCURRENT_TRADES: numberVar('5', { min: 1, integer: true }),
  SCHEDULER_MARKET_HOURS_ONLY: booleanVar('true'),
  SCHEDULER_REQUIRE_IBKR_CONNECTION: booleanVar('false'),

  RISK_CASH_ACCOUNT_THRESHOLD: numberVar('25000', { min: 0 }),
  RISK_PDT_ENFORCEMENT_MODE: enumVar(['strict', 'warning'], 'strict'),
  RISK_PDT_POLICY: enumVar(['finra-legacy', 'broker', 'off'], 'finra-legacy'),
  RISK_ACCOUNT_TYPE: enumVar(['margin', 'cash'], 'margin'),
  RISK_SETTLEMENT_DAYS: numberVar('1', { min: 0, max: 5, integer: true }),
  RISK_DAILY_TRADE_LIMIT: numberVar('5', count),
  RISK_WEEKLY_TRADE_LIMIT: numberVar('20', count),
  RISK_DAILY_LOSS_LIMIT: numberVar('0.02', positiveFraction),
  RISK_MAX_DRAWDOWN: numberVar('0.10', positiveFraction),
  RISK_MAX_POSITION_PCT: numberVar('0.10', positiveFraction),
  RISK_SIZING_LOW: numberVar('0.01', positiveFraction),
  RISK_SIZING_MEDIUM: numberVar('0.025', positiveFraction),
  RISK_SIZING_HIGH: numberVar('0.04', positiveFraction),

  ...EXIT_ENV,

  CONFLUENCE_MIN: numberVar('0.6', fraction),
  CONFLUENCE_WEIGHT_TECHNICAL: numberVar('0.5', fraction),
  CONFLUENCE_WEIGHT_SENTIMENT: numberVar('0.3', fraction),
  CONFLUENCE_WEIGHT_OPTIONS: numberVar('0.2', fraction),

  POSITION_SYNC_ENABLED: booleanVar('true'),
  POSITION_SYNC_INTERVAL: numberVar('300', positiveSeconds),

  API_HOST: hostVar('127.0.0.1'),
  API_PORT: numberVar('8000', { min: 0, max: 65535, integer: true }),
  API_TOKEN: optionalStringVar(),
  API_CORS_ORIGINS: corsOriginsVar(),

  DATABASE_URL: stringVar('sqlite:///./data/trading.db'),
  TRADING_STRATEGIES: tradingStrategiesVar('momentum:SPY:5m,momentum:AAPL:5m'),

  PAPER_INITIAL_CASH: numberVar('100000', { min: 0, minExclusive: true }),
  PAPER_SLIPPAGE_BPS: numberVar('5', { min: 0 }),
  PAPER_COMMISSION_PER_SHARE: numberVar('0.005', { min: 0 }),
  PAPER_COMMISSION_MIN: numberVar('1', { min: 0 }),
  PAPER_COMMISSION_MAX_PCT: numberVar('0.01', fraction),
  PAPER_MAX_VOLUME_PARTICIPATION: numberVar('0.25', positiveFraction),
  PAPER_SYMBOLS: symbolListVar('SPY,QQQ,AAPL'),
  PAPER_SEED: numberVar('42', count),
  PAPER_START_DATE: dateVar('2026-11-02'),
  PAPER_BAR_INTERVAL_MS: numberVar('100', { min: 1, integer: true }),

  SHUTDOWN_TIMEOUT_MS: numberVar('10000', count),

  ...SENTIMENT_ENV,
});

type ParsedEnv = z.output<typeof EnvSchema>;

/** The names of every variable `loadConfig` reads (for docs and tests). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/**
 * The whole application's configuration, parsed once at start. Deeply frozen. Intervals keep the
 * seconds the user wrote; `engine` carries the same values converted to what the engine expects.
 * Secrets (`ibkr.password`, `api.token`) are present here: log `redactedConfig(config)` instead.
 */
export interface AppConfig {
  /** `paper` (simulated market and paper broker) or `ibkr` (IB Gateway / TWS). */
  readonly broker: BrokerKind;
  readonly accountId: string;
  readonly logLevel: LogLevel;
  /** Used only with BROKER=ibkr. */
  readonly ibkr: {
    readonly host: string;
    readonly port: number;
    readonly clientId: number;
    readonly username: string | undefined;
    readonly password: string | undefined;
    readonly tradingMode: 'paper' | 'live';
    /** IBKR_ACCOUNT: the account to trade and report; undefined = the gateway's first managed account. */
    readonly account: string | undefined;
  };
  readonly scheduler: {
    readonly enabled: boolean;
    readonly evaluationIntervalSeconds: number;
    readonly exitCheckIntervalSeconds: number;
    readonly minConfidence: number;
    readonly maxConcurrentTrades: number;
    readonly marketHoursOnly: boolean;
    readonly requireIbkrConnection: boolean;
  };
  readonly risk: {
    readonly cashAccountThreshold: number;
    readonly pdtEnforcementMode: 'strict' | 'warning';
    readonly pdtPolicy: 'finra-legacy' | 'broker' | 'off';
    readonly accountType: 'margin' | 'cash';
    readonly settlementDays: number;
    readonly dailyTradeLimit: number;
    readonly weeklyTradeLimit: number;
    readonly dailyLossLimitPct: number;
    readonly maxDrawdownPct: number;
    readonly maxPositionPct: number;
    readonly sizing: { readonly low: number; readonly medium: number; readonly high: number };
  };
  /** Exit rules (EXIT_*): trailing stop, profit-taking ladder, time exit, flatten before the close. */
  readonly exits: ExitConfig;
  readonly confluence: {
    readonly min: number;
    readonly weights: { readonly technical: number; readonly sentiment: number; readonly options: number };
  };
  readonly positionSync: { readonly enabled: boolean; readonly intervalSeconds: number };
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly token: string | undefined;
    readonly corsOrigins: readonly string[];
  };
  /** `databaseUrl` is kept as written; storage/ parses it. */
  readonly storage: { readonly databaseUrl: string };
  /** Strategies added at first start (an empty database). */
  readonly tradingStrategies: readonly SeedStrategy[];
  readonly paper: {
    readonly initialCash: number;
    readonly slippageBps: number;
    readonly commissionPerShare: number;
    readonly commissionMin: number;
    readonly commissionMaxPct: number;
    readonly maxVolumeParticipation: number;
    readonly symbols: readonly string[];
    readonly seed: number;
    /** YYYY-MM-DD, the first simulated session (or the next trading day after it). */
    readonly startDate: string;
    /** Wall milliseconds per simulated minute. */
    readonly barIntervalMs: number;
  };
  readonly shutdownTimeoutMs: number;
  /** Sentiment sources, their aggregation and the paper-mode simulation. */
  readonly sentiment: SentimentCommonConfig;
  readonly engine: EngineConfig;
}

/**
 * Parses and validates the environment (see `readEnv`). Empty strings count as unset. Throws
 * ConfigError naming every bad variable; returns a deeply frozen AppConfig otherwise.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const result = EnvSchema.safeParse(env);
  const issues: ConfigIssue[] = result.success ? [] : result.error.issues.map(toConfigIssue);
  const exposure = exposureIssue(env);
  if (exposure) issues.push(exposure);
  if (!result.success || issues.length > 0) throw new ConfigError(issues);
  return deepFreeze(toAppConfig(result.data));
}

/** Checked on its own so that it is reported even when unrelated variables are also bad. */
function exposureIssue(env: Readonly<Record<string, string | undefined>>): ConfigIssue | undefined {
  const api = EnvSchema.pick({ API_HOST: true, API_TOKEN: true }).safeParse(env);
  return api.success ? apiExposureIssue(api.data.API_HOST, api.data.API_TOKEN) : undefined;
}

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  return { variable: issue.path.map(String).join('.'), message: issue.message };
}

function toAppConfig(e: ParsedEnv): AppConfig {
  const config: Omit<AppConfig, 'engine'> = {
    broker: e.BROKER,
    accountId: e.ACCOUNT_ID,
    logLevel: e.LOG_LEVEL,
    ibkr: {
      host: e.IBKR_HOST,
      port: e.IBKR_PORT,
      clientId: e.IBKR_CLIENT_ID,
      username: e.IBKR_USERNAME,
      password: e.IBKR_PASSWORD,
      tradingMode: e.IBKR_TRADING_MODE,
      account: e.IBKR_ACCOUNT,
    },
    scheduler: {
      enabled: e.SCHEDULER_ENABLED,
      evaluationIntervalSeconds: e.SCHEDULER_EVALUATION_INTERVAL,
      exitCheckIntervalSeconds: e.SCHEDULER_EXIT_CHECK_INTERVAL,
      minConfidence: e.SCHEDULER_MIN_CONFIDENCE,
      maxConcurrentTrades: e.SCHEDULER_MAX_CONCURRENT_TRADES,
      marketHoursOnly: e.SCHEDULER_MARKET_HOURS_ONLY,
      requireIbkrConnection: e.SCHEDULER_REQUIRE_IBKR_CONNECTION,
    },
    risk: {
      cashAccountThreshold: e.RISK_CASH_ACCOUNT_THRESHOLD,
      pdtEnforcementMode: e.RISK_PDT_ENFORCEMENT_MODE,
      pdtPolicy: e.RISK_PDT_POLICY,
      accountType: e.RISK_ACCOUNT_TYPE,
      settlementDays: e.RISK_SETTLEMENT_DAYS,
      dailyTradeLimit: e.RISK_DAILY_TRADE_LIMIT,
      weeklyTradeLimit: e.RISK_WEEKLY_TRADE_LIMIT,
      dailyLossLimitPct: e.RISK_DAILY_LOSS_LIMIT,
      maxDrawdownPct: e.RISK_MAX_DRAWDOWN,
      maxPositionPct: e.RISK_MAX_POSITION_PCT,
      sizing: { low: e.RISK_SIZING_LOW, medium: e.RISK_SIZING_MEDIUM, high: e.RISK_SIZING_HIGH },
    },
    exits: exitConfig(e),
    confluence: {
      min: e.CONFLUENCE_MIN,
      weights: {
        technical: e.CONFLUENCE_WEIGHT_TECHNICAL,
        sentiment: e.CONFLUENCE_WEIGHT_SENTIMENT,
        options: e.CONFLUENCE_WEIGHT_OPTIONS,
      },
    },
    positionSync: { enabled: e.POSITION_SYNC_ENABLED, intervalSeconds: e.POSITION_SYNC_INTERVAL },
    api: { host: e.API_HOST, port: e.API_PORT, token: e.API_TOKEN, corsOrigins: e.API_CORS_ORIGINS },
    storage: { databaseUrl: e.DATABASE_URL },
    tradingStrategies: e.TRADING_STRATEGIES,
    paper: {
      initialCash: e.PAPER_INITIAL_CASH,
      slippageBps: e.PAPER_SLIPPAGE_BPS,
      commissionPerShare: e.PAPER_COMMISSION_PER_SHARE,
      commissionMin: e.PAPER_COMMISSION_MIN,
      commissionMaxPct: e.PAPER_COMMISSION_MAX_PCT,
      maxVolumeParticipation: e.PAPER_MAX_VOLUME_PARTICIPATION,
      symbols: e.PAPER_SYMBOLS,
      seed: e.PAPER_SEED,
      startDate: e.PAPER_START_DATE,
      barIntervalMs: e.PAPER_BAR_INTERVAL_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    sentiment: sentimentCommonConfig(e),
  };
  return { ...config, engine: toEngineConfig(config) };
}

const toMs = (seconds: number): number => Math.round(seconds * 1000);

function toEngineConfig(c: Omit<AppConfig, 'engine'>): EngineConfig {
  return {
    accountId: c.accountId,
    initialCash: c.paper.initialCash,
    scheduler: {
      enabled: c.scheduler.enabled,
      evaluationIntervalMs: toMs(c.scheduler.evaluationIntervalSeconds),
      exitCheckIntervalMs: toMs(c.scheduler.exitCheckIntervalSeconds),
      minConfidence: c.scheduler.minConfidence,
      maxConcurrentTrades: c.scheduler.maxConcurrentTrades,
      marketHoursOnly: c.scheduler.marketHoursOnly,
      requireBrokerConnection: c.scheduler.requireIbkrConnection,
      positionSyncEnabled: c.positionSync.enabled,
      positionSyncIntervalMs: toMs(c.positionSync.intervalSeconds),
    },
    confluence: c.confluence,
    exits: c.exits,
    risk: {
      sizingTiers: c.risk.sizing,
      maxPositionPct: c.risk.maxPositionPct,
      limits: {
        dailyTradeLimit: c.risk.dailyTradeLimit,
        weeklyTradeLimit: c.risk.weeklyTradeLimit,
        dailyLossLimitPct: c.risk.dailyLossLimitPct,
        maxDrawdownPct: c.risk.maxDrawdownPct,
      },
      pdt: {
        policy: c.risk.pdtPolicy,
        mode: c.risk.pdtEnforcementMode,
        equityThreshold: c.risk.cashAccountThreshold,
        accountType: c.risk.accountType,
      },
      settlement: { ...DEFAULT_ENGINE_CONFIG.risk.settlement, settlementDays: c.risk.settlementDays },
      earningsBlackoutMs: Math.round(c.sentiment.providers.events.blackoutHours * 3_600_000),
    },
    sentiment: c.sentiment.aggregation,
    actorMaxRestarts: DEFAULT_ENGINE_CONFIG.actorMaxRestarts,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const REDACTED = '***';

/**
 * A copy of the config that is safe to log or return: secrets that are set become '***' (unset
 * ones stay undefined, so the log still shows whether a token is configured), and a password inside
 * DATABASE_URL is masked too.
 */
export function redactedConfig(config: AppConfig): AppConfig {
  const mask = (secret: string | undefined) => (secret === undefined ? undefined : REDACTED);
  return deepFreeze({
    ...config,
    ibkr: { ...config.ibkr, password: mask(config.ibkr.password) },
    api: { ...config.api, token: mask(config.api.token) },
    storage: { databaseUrl: maskUrlPassword(config.storage.databaseUrl) },
    sentiment: { ...config.sentiment, providers: maskSecrets(config.sentiment.providers) },
  });
}

/** Provider secrets are the fields named `...Key`, `...Token` or `...Secret` (the provider config convention). */
function maskSecrets<T extends object>(providers: T): T {
  return Object.fromEntries(
    Object.entries(providers).map(([name, c]) => [
      name,
      Object.fromEntries(
        Object.entries(c as Record<string, unknown>).map(([k, v]) => [
          k,
          /(Key|Token|Secret)$/.test(k) && typeof v === 'string' ? REDACTED : v,
        ]),
      ),
    ]),
  ) as T;
}

function maskUrlPassword(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = REDACTED;
  return parsed.toString();
}
