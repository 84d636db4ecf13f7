import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  ConfigError,
  isLoopbackHost,
  loadConfig,
  redactedConfig,
  type AppConfig,
} from '../../../adapters/config/app-config.js';
import { z } from 'zod';
import { DEFAULT_ENGINE_CONFIG } from '../../../engine/config.js';
import { PROVIDER_ENV, providersConfig } from '../../../adapters/sentiment/providers.js';

const SECURE = { API_TOKEN: 'a-long-test-token' };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      broker: 'paper',
      accountId: 'paper',
      logLevel: 'info',
      ibkr: {
        host: '127.0.0.1',
        port: 4004,
        clientId: 9,
        username: undefined,
        password: undefined,
        tradingMode: 'paper',
        account: undefined,
      },
      scheduler: {
        enabled: true,
        evaluationIntervalSeconds: 60,
        exitCheckIntervalSeconds: 30,
        minConfidence: 0.5,
        maxConcurrentTrades: 5,
        marketHoursOnly: true,
        requireIbkrConnection: false,
      },
      risk: {
        cashAccountThreshold: 25000,
        pdtEnforcementMode: 'strict',
        pdtPolicy: 'finra-legacy',
        accountType: 'margin',
        settlementDays: 1,
        dailyTradeLimit: 5,
        weeklyTradeLimit: 20,
        dailyLossLimitPct: 0.02,
        maxDrawdownPct: 0.1,
        maxPositionPct: 0.1,
        sizing: { low: 0.01, medium: 0.025, high: 0.04 },
      },
      exits: DEFAULT_ENGINE_CONFIG.exits,
      confluence: { min: 0.6, weights: { technical: 0.5, sentiment: 0.3, options: 0.2 } },
      positionSync: { enabled: true, intervalSeconds: 300 },
      api: { host: '127.0.0.1', port: 8000, token: undefined, corsOrigins: [] },
      storage: { databaseUrl: 'sqlite:///./data/trading.db' },
      tradingStrategies: [
        { strategy_type: 'momentum', symbol: 'SPY', timeframe: '5m' },
        { strategy_type: 'momentum', symbol: 'AAPL', timeframe: '5m' },
      ],
      paper: {
        initialCash: 100000,
        slippageBps: 5,
        commissionPerShare: 0.005,
        commissionMin: 1,
        commissionMaxPct: 0.01,
        maxVolumeParticipation: 0.25,
        symbols: ['SPY', 'QQQ', 'AAPL'],
        seed: 42,
        startDate: '2026-11-02',
        barIntervalMs: 100,
      },
      shutdownTimeoutMs: 10000,
      sentiment: {
        simulated: 'auto',
        live: 'auto',
        providers: providersConfig(z.object(PROVIDER_ENV).parse({})),
        aggregation: DEFAULT_ENGINE_CONFIG.sentiment,
        retentionDays: 30,
        httpTimeoutMs: 10_000,
      },
      engine: DEFAULT_ENGINE_CONFIG,
    });
  });

  it('treats empty and blank strings as unset', () => {
    const config = loadConfig({ API_PORT: '', SCHEDULER_MIN_CONFIDENCE: '   ', PAPER_SYMBOLS: '', BROKER: '' });
    expect(config.api.port).toBe(8000);
    expect(config.scheduler.minConfidence).toBe(0.5);
    expect(config.paper.symbols).toEqual(['SPY', 'QQQ', 'AAPL']);
    expect(config.broker).toBe('paper');
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root' })).toEqual(loadConfig({}));
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.api)).toBe(true);
    expect(Object.isFrozen(config.engine.scheduler)).toBe(true);
    expect(Object.isFrozen(config.paper.symbols)).toBe(true);
  });
});

type Case = readonly [variable: string, raw: string, read: (c: AppConfig) => unknown, expected: unknown];

const EVERY_VARIABLE: readonly Case[] = [
  ['BROKER', 'ibkr', (c) => c.broker, 'ibkr'],
  ['ACCOUNT_ID', 'DU1234567', (c) => [c.accountId, c.engine.accountId], ['DU1234567', 'DU1234567']],
  ['LOG_LEVEL', 'debug', (c) => c.logLevel, 'debug'],
  ['IBKR_HOST', 'ib-gateway', (c) => c.ibkr.host, 'ib-gateway'],
  ['IBKR_PORT', '4003', (c) => c.ibkr.port, 4003],
  ['IBKR_CLIENT_ID', '0', (c) => c.ibkr.clientId, 0],
  ['IBKR_USERNAME', 'trader', (c) => c.ibkr.username, 'trader'],
  ['IBKR_PASSWORD', 'hunter2', (c) => c.ibkr.password, 'hunter2'],
  ['IBKR_TRADING_MODE', 'live', (c) => c.ibkr.tradingMode, 'live'],
  ['IBKR_ACCOUNT', ' du1234567 ', (c) => c.ibkr.account, 'DU1234567'],
  ['SCHEDULER_ENABLED', 'false', (c) => [c.scheduler.enabled, c.engine.scheduler.enabled], [false, false]],
  [
    'SCHEDULER_EVALUATION_INTERVAL',
    '90',
    (c) => [c.scheduler.evaluationIntervalSeconds, c.engine.scheduler.evaluationIntervalMs],
    [90, 90_000],
  ],
  [
    'SCHEDULER_EXIT_CHECK_INTERVAL',
    '0.5',
    (c) => [c.scheduler.exitCheckIntervalSeconds, c.engine.scheduler.exitCheckIntervalMs],
    [0.5, 500],
  ],
  [
    'SCHEDULER_MIN_CONFIDENCE',
    '0.75',
    (c) => [c.scheduler.minConfidence, c.engine.scheduler.minConfidence],
    [0.75, 0.75],
  ],
  ['SCHEDULER_MAX_CONCURRENT_TRADES', '2', (c) => c.engine.scheduler.maxConcurrentTrades, 2],
  ['SCHEDULER_MARKET_HOURS_ONLY', 'no', (c) => c.engine.scheduler.marketHoursOnly, false],
  [
    'SCHEDULER_REQUIRE_IBKR_CONNECTION',
    'yes',
    (c) => [c.scheduler.requireIbkrConnection, c.engine.scheduler.requireBrokerConnection],
    [true, true],
  ],
  ['RISK_CASH_ACCOUNT_THRESHOLD', '30000', (c) => c.risk.cashAccountThreshold, 30000],
  [
    'RISK_PDT_ENFORCEMENT_MODE',
    'warning',
    (c) => [c.risk.pdtEnforcementMode, c.engine.risk.pdt.mode],
    ['warning', 'warning'],
  ],
  ['RISK_PDT_POLICY', 'off', (c) => [c.risk.pdtPolicy, c.engine.risk.pdt.policy], ['off', 'off']],
  ['RISK_ACCOUNT_TYPE', 'cash', (c) => [c.risk.accountType, c.engine.risk.pdt.accountType], ['cash', 'cash']],
  ['RISK_SETTLEMENT_DAYS', '2', (c) => [c.risk.settlementDays, c.engine.risk.settlement.settlementDays], [2, 2]],
  ['RISK_DAILY_TRADE_LIMIT', '3', (c) => [c.risk.dailyTradeLimit, c.engine.risk.limits.dailyTradeLimit], [3, 3]],
  ['RISK_WEEKLY_TRADE_LIMIT', '12', (c) => [c.risk.weeklyTradeLimit, c.engine.risk.limits.weeklyTradeLimit], [12, 12]],
  ['RISK_DAILY_LOSS_LIMIT', '0.03', (c) => c.engine.risk.limits.dailyLossLimitPct, 0.03],
  ['RISK_MAX_DRAWDOWN', '0.15', (c) => [c.risk.maxDrawdownPct, c.engine.risk.limits.maxDrawdownPct], [0.15, 0.15]],
  ['RISK_MAX_POSITION_PCT', '0.2', (c) => [c.risk.maxPositionPct, c.engine.risk.maxPositionPct], [0.2, 0.2]],
  ['RISK_SIZING_LOW', '0.005', (c) => c.engine.risk.sizingTiers.low, 0.005],
  ['RISK_SIZING_MEDIUM', '0.02', (c) => c.engine.risk.sizingTiers.medium, 0.02],
  ['RISK_SIZING_HIGH', '0.05', (c) => [c.risk.sizing.high, c.engine.risk.sizingTiers.high], [0.05, 0.05]],
  [
    'EXIT_TRAILING_STOP_PCT',
    '0.07',
    (c) => [c.exits.trailing_stop_pct, c.engine.exits.trailing_stop_pct],
    [0.07, 0.07],
  ],
  [
    'EXIT_LADDER',
    ' 0.03:0.5 , 0.08:1 ',
    (c) => c.engine.exits.ladder,
    [
      { gain: 0.03, sell_fraction: 0.5 },
      { gain: 0.08, sell_fraction: 1 },
    ],
  ],
  ['EXIT_MAX_HOLDING_MINUTES', '240', (c) => c.engine.exits.max_holding_minutes, 240],
  ['EXIT_FLATTEN_BEFORE_CLOSE_MINUTES', '10', (c) => c.engine.exits.flatten_before_close_minutes, 10],
  ['EXIT_LADDER_FILL_TIMEOUT', '30', (c) => c.engine.exits.ladder_fill_timeout_seconds, 30],
  ['CONFLUENCE_MIN', '0.7', (c) => [c.confluence.min, c.engine.confluence.min], [0.7, 0.7]],
  ['CONFLUENCE_WEIGHT_TECHNICAL', '0.6', (c) => c.engine.confluence.weights.technical, 0.6],
  ['CONFLUENCE_WEIGHT_SENTIMENT', '0.25', (c) => c.engine.confluence.weights.sentiment, 0.25],
  ['CONFLUENCE_WEIGHT_OPTIONS', '0.15', (c) => c.engine.confluence.weights.options, 0.15],
  [
    'POSITION_SYNC_ENABLED',
    '0',
    (c) => [c.positionSync.enabled, c.engine.scheduler.positionSyncEnabled],
    [false, false],
  ],
  [
    'POSITION_SYNC_INTERVAL',
    '120',
    (c) => [c.positionSync.intervalSeconds, c.engine.scheduler.positionSyncIntervalMs],
    [120, 120_000],
  ],
  ['API_HOST', 'localhost', (c) => c.api.host, 'localhost'],
  ['API_PORT', '0', (c) => c.api.port, 0],
  ['API_TOKEN', 's3cret-token', (c) => c.api.token, 's3cret-token'],
  [
    'API_CORS_ORIGINS',
    'http://localhost:3000, https://dash.example.com/',
    (c) => c.api.corsOrigins,
    ['http://localhost:3000', 'https://dash.example.com'],
  ],
  ['DATABASE_URL', 'sqlite:///tmp/x.db', (c) => c.storage.databaseUrl, 'sqlite:///tmp/x.db'],
  [
    'TRADING_STRATEGIES',
    'level_based:msft:1h',
    (c) => c.tradingStrategies,
    [{ strategy_type: 'level_based', symbol: 'MSFT', timeframe: '1h' }],
  ],
  ['PAPER_INITIAL_CASH', '50000', (c) => [c.paper.initialCash, c.engine.initialCash], [50000, 50000]],
  ['PAPER_SLIPPAGE_BPS', '0', (c) => c.paper.slippageBps, 0],
  ['PAPER_COMMISSION_PER_SHARE', '0.01', (c) => c.paper.commissionPerShare, 0.01],
  ['PAPER_COMMISSION_MIN', '0.35', (c) => c.paper.commissionMin, 0.35],
  ['PAPER_COMMISSION_MAX_PCT', '0.005', (c) => c.paper.commissionMaxPct, 0.005],
  ['PAPER_MAX_VOLUME_PARTICIPATION', '1', (c) => c.paper.maxVolumeParticipation, 1],
  ['PAPER_SYMBOLS', ' msft , brk.b ,', (c) => c.paper.symbols, ['MSFT', 'BRK.B']],
  ['PAPER_SEED', '7', (c) => c.paper.seed, 7],
  ['PAPER_START_DATE', '2024-02-29', (c) => c.paper.startDate, '2024-02-29'],
  ['PAPER_BAR_INTERVAL_MS', '1', (c) => c.paper.barIntervalMs, 1],
  ['SHUTDOWN_TIMEOUT_MS', '2500', (c) => c.shutdownTimeoutMs, 2500],
  ['SENTIMENT_SIMULATED', 'false', (c) => c.sentiment.simulated, 'false'],
  ['SENTIMENT_PROVIDERS', 'true', (c) => c.sentiment.live, 'true'],
  [
    'SENTIMENT_WEIGHTS',
    'reddit:0, news:2.5',
    (c) => [
      c.sentiment.aggregation.weights['reddit'],
      c.sentiment.aggregation.weights['news'],
      c.engine.sentiment.weights['twitter'],
    ],
    [0, 2.5, 0.8],
  ],
  ['SENTIMENT_HALF_LIFE_HOURS', '3', (c) => c.engine.sentiment.halfLifeMs, 3 * 3_600_000],
  ['SENTIMENT_MIN_CONFIDENCE', '0.5', (c) => c.engine.sentiment.minConfidence, 0.5],
  ['SENTIMENT_DIVERGENCE_THRESHOLD', '0.4', (c) => c.engine.sentiment.divergenceThreshold, 0.4],
  ['SENTIMENT_MAX_AGE_HOURS', '12', (c) => c.engine.sentiment.maxAgeMs, 12 * 3_600_000],
  ['SENTIMENT_RETENTION_DAYS', '7', (c) => c.sentiment.retentionDays, 7],
  ['SENTIMENT_HTTP_TIMEOUT', '2.5', (c) => c.sentiment.httpTimeoutMs, 2500],
];

/** Each provider's own variables are tested in its spec (tests/adapters/sentiment/<name>.spec.ts). */
const PROVIDER_VARIABLES = new Set(Object.keys(PROVIDER_ENV));

describe('loadConfig reads every variable by name', () => {
  it('has a case for each variable it reads, and reads no other', () => {
    expect(EVERY_VARIABLE.map(([name]) => name).sort()).toEqual(
      CONFIG_VARIABLES.filter((v) => !PROVIDER_VARIABLES.has(v)).sort(),
    );
  });

  it('reads every provider variable into config.sentiment.providers, and names a bad one', () => {
    for (const v of PROVIDER_VARIABLES) expect(CONFIG_VARIABLES).toContain(v);
    const c = loadConfig({
      ...SECURE,
      STOCKTWITS_POLL_INTERVAL: '120',
      EVENTS_BLACKOUT_HOURS: '6',
      SEC_USER_AGENT: 'Bot/1 a@b.c',
    });
    expect(c.sentiment.providers.stocktwits.intervalMs).toBe(120_000);
    expect(c.engine.risk.earningsBlackoutMs).toBe(6 * 3_600_000);
    expect(configError({ STOCKTWITS_BASE_URL: 'ftp://x' }).issues.map((i) => i.variable)).toEqual([
      'STOCKTWITS_BASE_URL',
    ]);
    expect(configError({ SENTIMENT_WEIGHTS: 'nosuch:1' }).message).toContain('SENTIMENT_WEIGHTS');
  });

  it.each(EVERY_VARIABLE)('%s=%s', (variable, raw, read, expected) => {
    const config = loadConfig({ ...SECURE, [variable]: raw });
    expect(read(config)).toEqual(expected);
    expect(read(loadConfig(SECURE))).not.toEqual(expected);
  });
});

const BAD_VALUES: readonly (readonly [variable: string, raw: string, expected: string])[] = [
  ['BROKER', 'schwab', 'one of paper, ibkr'],
  ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
  ['IBKR_HOST', 'http://gateway', 'a host name or IP address'],
  ['IBKR_PORT', '0', 'an integer between 1 and 65535'],
  ['IBKR_CLIENT_ID', '-1', 'an integer >= 0'],
  ['IBKR_CLIENT_ID', '1.5', 'an integer >= 0'],
  ['IBKR_TRADING_MODE', 'demo', 'one of paper, live'],
  ['IBKR_ACCOUNT', 'DU-123 4567', 'an IBKR account code of letters and digits, e.g. DU1234567'],
  ['SCHEDULER_ENABLED', 'maybe', 'a boolean (true/false, 1/0, yes/no)'],
  ['SCHEDULER_EVALUATION_INTERVAL', '0', 'a number > 0'],
  ['SCHEDULER_EXIT_CHECK_INTERVAL', '-5', 'a number > 0'],
  ['SCHEDULER_MIN_CONFIDENCE', '1.5', 'a number between 0 and 1'],
  ['SCHEDULER_MAX_CONCURRENT_TRADES', '0', 'an integer >= 1'],
  ['PAPER_BAR_INTERVAL_MS', '0', 'an integer >= 1'],
  ['RISK_CASH_ACCOUNT_THRESHOLD', '25k', 'a number >= 0'],
  ['RISK_PDT_ENFORCEMENT_MODE', 'off', 'one of strict, warning'],
  ['RISK_DAILY_TRADE_LIMIT', 'five', 'an integer >= 0'],
  ['RISK_MAX_POSITION_PCT', '0', 'a number > 0 and <= 1'],
  ['RISK_SIZING_HIGH', '2', 'a number > 0 and <= 1'],
  ['EXIT_TRAILING_STOP_PCT', '1', 'a fraction > 0 and < 1'],
  ['EXIT_TRAILING_STOP_PCT', '5%', 'a fraction > 0 and < 1'],
  ['EXIT_LADDER', '0.1:0.5,0.05:0.25', 'comma-separated gain:sell_fraction steps'],
  ['EXIT_LADDER', '0.05:0.25,0.10', 'comma-separated gain:sell_fraction steps'],
  ['EXIT_LADDER', '0.05:1,0.10:0.5', 'comma-separated gain:sell_fraction steps'],
  ['EXIT_MAX_HOLDING_MINUTES', '90.5', 'whole minutes >= 1 or off'],
  ['EXIT_FLATTEN_BEFORE_CLOSE_MINUTES', '400', 'whole minutes before the close, 1 to 390, or off'],
  ['EXIT_LADDER_FILL_TIMEOUT', 'off', 'whole seconds >= 1'],
  ['CONFLUENCE_WEIGHT_OPTIONS', 'NaN', 'a number between 0 and 1'],
  ['POSITION_SYNC_INTERVAL', 'Infinity', 'a number > 0'],
  ['API_PORT', '70000', 'an integer between 0 and 65535'],
  ['API_PORT', '0x50', 'an integer between 0 and 65535'],
  ['API_CORS_ORIGINS', '*', 'an http(s) origin such as http://localhost:3000'],
  ['API_CORS_ORIGINS', 'http://ok.example, ftp://files.example', 'an http(s) origin such as http://localhost:3000'],
  ['PAPER_INITIAL_CASH', '0', 'a number > 0'],
  ['PAPER_SYMBOLS', 'SPY,$BAD', 'comma-separated ticker symbols'],
  ['PAPER_SEED', '4.2', 'an integer >= 0'],
  ['PAPER_START_DATE', '2026-02-30', 'a valid date YYYY-MM-DD'],
  ['PAPER_START_DATE', '11/02/2026', 'a valid date YYYY-MM-DD'],
  ['SHUTDOWN_TIMEOUT_MS', '-1', 'an integer >= 0'],
];

describe('loadConfig refuses bad values', () => {
  it('names the variable, what was expected and what it got', () => {
    const error = configError({ SCHEDULER_MIN_CONFIDENCE: 'abc' });
    expect(error.message).toContain("SCHEDULER_MIN_CONFIDENCE: expected a number between 0 and 1, got 'abc'");
    expect(error.issues).toEqual([
      { variable: 'SCHEDULER_MIN_CONFIDENCE', message: "expected a number between 0 and 1, got 'abc'" },
    ]);
  });

  it.each(BAD_VALUES)('%s=%s', (variable, raw, expected) => {
    const error = configError({ ...SECURE, [variable]: raw });
    expect(error.issues.map((issue) => issue.variable)).toEqual([variable]);
    expect(error.message).toContain(`${variable}: expected ${expected}`);
  });

  it('reports every bad variable at once', () => {
    const error = configError({ API_PORT: 'http', BROKER: 'x', PAPER_SEED: '-3', API_HOST: '0.0.0.0' });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'API_HOST',
      'API_PORT',
      'BROKER',
      'PAPER_SEED',
    ]);
    for (const name of ['API_PORT', 'BROKER', 'PAPER_SEED', 'API_HOST']) expect(error.message).toContain(`${name}:`);
  });
});

describe('booleans', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['Yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['NO', false],
  ])('SCHEDULER_MARKET_HOURS_ONLY=%s reads as %s', (raw, expected) => {
    expect(loadConfig({ SCHEDULER_MARKET_HOURS_ONLY: raw }).scheduler.marketHoursOnly).toBe(expected);
  });

  it.each(['on', 'off', 'y', '2', 'truthy'])('refuses %s, naming the variable', (raw) => {
    expect(configError({ POSITION_SYNC_ENABLED: raw }).message).toContain(
      `POSITION_SYNC_ENABLED: expected a boolean (true/false, 1/0, yes/no), got '${raw}'`,
    );
  });
});

describe('API exposure', () => {
  it.each(['0.0.0.0', '192.168.1.10', '::', 'bot.example.com'])('refuses API_HOST=%s without API_TOKEN', (host) => {
    const error = configError({ API_HOST: host });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['API_HOST']);
    expect(error.message).toContain('API_TOKEN must be set');
    expect(error.message).toContain('not a loopback address');
  });

  it.each(['0.0.0.0', '192.168.1.10'])('accepts API_HOST=%s with API_TOKEN', (host) => {
    const config = loadConfig({ API_HOST: host, API_TOKEN: 'tok' });
    expect(config.api).toMatchObject({ host, token: 'tok' });
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST'])('accepts loopback %s without token', (host) => {
    expect(loadConfig({ API_HOST: host }).api.host).toBe(host);
  });

  it('treats an empty API_TOKEN as no token', () => {
    expect(configError({ API_HOST: '0.0.0.0', API_TOKEN: '' }).issues[0]?.variable).toBe('API_HOST');
  });

  it('knows the loopback range', () => {
    expect(isLoopbackHost('127.255.255.254')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});

describe('TRADING_STRATEGIES', () => {
  it('parses type:SYMBOL:timeframe entries, trimming and upper-casing symbols', () => {
    const config = loadConfig({ TRADING_STRATEGIES: ' momentum:spy:1m , range_bound : QQQ : 1d,momentum:BRK.B:15m,' });
    expect(config.tradingStrategies).toEqual([
      { strategy_type: 'momentum', symbol: 'SPY', timeframe: '1m' },
      { strategy_type: 'range_bound', symbol: 'QQQ', timeframe: '1d' },
      { strategy_type: 'momentum', symbol: 'BRK.B', timeframe: '15m' },
    ]);
  });

  it('reads an empty value as no strategies (unlike other variables)', () => {
    expect(loadConfig({ TRADING_STRATEGIES: '' }).tradingStrategies).toEqual([]);
  });

  it.each([
    ['momentum:SPY:2m', 'momentum:SPY:2m'],
    ['momentum:SPY', 'momentum:SPY'],
    ['momentum:SPY:5m:extra', 'momentum:SPY:5m:extra'],
    ['momentum:SPY:5m,Momentum:QQQ:5m', 'Momentum:QQQ:5m'],
    ['momentum:TOOLONGSYMBOL:5m', 'momentum:TOOLONGSYMBOL:5m'],
    ['momentum:1SPY:5m', 'momentum:1SPY:5m'],
    ['momentum:SPY:5m,breakout:QQQ:1d', 'breakout:QQQ:1d'],
  ])('refuses %s naming the entry %s', (raw, entry) => {
    const error = configError({ TRADING_STRATEGIES: raw });
    expect(error.issues.map((issue) => issue.variable)).toEqual(['TRADING_STRATEGIES']);
    expect(error.message).toContain(`got '${entry}'`);
  });

  it('refuses two strategies of one type on one symbol (their ids would collide)', () => {
    const error = configError({ TRADING_STRATEGIES: 'momentum:SPY:5m,momentum:spy:1h' });
    expect(error.message).toContain("TRADING_STRATEGIES: duplicate entry 'momentum:spy:1h'");
  });
});

describe('PAPER_SYMBOLS', () => {
  it('refuses a duplicate symbol and a list with no symbol', () => {
    expect(configError({ PAPER_SYMBOLS: 'SPY,spy' }).message).toContain("PAPER_SYMBOLS: duplicate entry 'spy'");
    expect(configError({ PAPER_SYMBOLS: ' , ' }).message).toContain('PAPER_SYMBOLS: expected at least one symbol');
  });
});

describe('redactedConfig', () => {
  const secrets = { IBKR_PASSWORD: 'ib-pass-123', API_TOKEN: 'api-token-456' };

  it('replaces secrets that are set with *** and leaves the rest', () => {
    const config = loadConfig({ ...secrets, IBKR_USERNAME: 'trader' });
    const safe = redactedConfig(config);
    expect(safe.ibkr.password).toBe('***');
    expect(safe.api.token).toBe('***');
    expect(safe.ibkr.username).toBe('trader');
    expect({ ...safe, ibkr: config.ibkr, api: config.api }).toEqual(config);
    expect(JSON.stringify(safe)).not.toMatch(/ib-pass-123|api-token-456/);
  });

  it('does not touch the original config', () => {
    const config = loadConfig(secrets);
    redactedConfig(config);
    expect(config.ibkr.password).toBe('ib-pass-123');
    expect(config.api.token).toBe('api-token-456');
  });

  it('keeps unset secrets unset, so a log shows whether one is configured', () => {
    const safe = redactedConfig(loadConfig({}));
    expect(safe.ibkr.password).toBeUndefined();
    expect(safe.api.token).toBeUndefined();
  });

  it('masks a password inside DATABASE_URL', () => {
    const safe = redactedConfig(loadConfig({ DATABASE_URL: 'postgres://bot:db-pass-789@db:5432/trading' }));
    expect(safe.storage.databaseUrl).toBe('postgres://bot:***@db:5432/trading');
    expect(redactedConfig(loadConfig({})).storage.databaseUrl).toBe('sqlite:///./data/trading.db');
  });
});
