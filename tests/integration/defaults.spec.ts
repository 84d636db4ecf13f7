import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/config/app-config.js';
import { type System, createSystem, paperSystem } from '../../adapters/system/create-system.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

let system: System | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

/** `curl` as the seed README writes it: JSON body with its content type, or none. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const curl = async (url: string, method = 'GET', body?: string): Promise<{ status: number; body: any }> => {
  const res = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: res.status, body: await res.json() };
};

describe('the default configuration', () => {
  it('answers the seed README commands verbatim and starts trading on its own', async () => {
    // Only the database and port differ from a fresh clone's defaults.
    system = await createSystem({
      config: loadConfig({ DATABASE_URL: 'sqlite::memory:', API_PORT: '0' }),
      logger: silent,
      playMarket: false,
    });
    const { port } = await system.start();
    const base = `http://127.0.0.1:${port}`;

    const added = await curl(
      `${base}/api/strategies/add`,
      'POST',
      '{"strategy_type": "momentum", "config": {"symbol": "QQQ", "timeframe": "5m"}, "enabled": true}',
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 'momentum_QQQ', symbol: 'QQQ', timeframe: '5m', enabled: true });
    expect((await curl(`${base}/api/scheduler/start`, 'POST')).status).toBe(200);

    const status = await curl(`${base}/api/scheduler/status`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      state: 'running',
      can_run: true,
      is_market_hours: true,
      ibkr_connected: false,
    });
    for (const key of [
      'evaluations_run',
      'signals_generated',
      'trades_executed',
      'trades_rejected',
      'errors',
      'uptime_seconds',
    ])
      expect(typeof status.body.stats[key]).toBe('number');

    expect((await curl(`${base}/health`)).status).toBe(200);
    expect((await curl(`${base}/api/trading/portfolio/summary`)).body).toMatchObject({
      cash: 100_000,
      open_positions: 0,
    });
    const active = await curl(`${base}/api/strategies/active`);
    expect(active.body.strategies.map((s: { id: string }) => s.id).sort()).toEqual([
      'momentum_AAPL',
      'momentum_QQQ',
      'momentum_SPY',
    ]);

    // One simulated session is 390 minutes: the defaults trade within it.
    const s = paperSystem(system);
    let minutes = 0;
    while (s.engine.schedulerStatus().stats.trades_executed === 0 && minutes < 390) {
      s.market.step();
      await s.engine.idle();
      minutes++;
    }
    expect(s.engine.schedulerStatus().stats.trades_executed).toBeGreaterThan(0);
    expect(minutes).toBeLessThan(390);
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^ibkr_connection_status 0$/m);
  });

  it('no longer warns that risk settings are not enforced: every RISK_* variable is in force', async () => {
    const warnings: string[] = [];
    system = await createSystem({
      config: loadConfig({ DATABASE_URL: 'sqlite::memory:', API_PORT: '0', RISK_DAILY_TRADE_LIMIT: '2' }),
      logger: { ...silent, warn: (_obj: object, msg?: string) => warnings.push(msg ?? '') },
      playMarket: false,
    });
    expect(warnings.filter((w) => w.includes('not enforced'))).toEqual([]);
  });

  it('refuses an unknown strategy type in TRADING_STRATEGIES before start, naming the variable and the known types', () => {
    expect(() => loadConfig({ DATABASE_URL: 'sqlite::memory:', TRADING_STRATEGIES: 'breakout:SPY:5m' })).toThrow(
      /TRADING_STRATEGIES: .*momentum, range_bound, level_based.*got 'breakout:SPY:5m'/,
    );
  });

  it('seeds every strategy type from TRADING_STRATEGIES at first start', async () => {
    system = await createSystem({
      config: loadConfig({
        DATABASE_URL: 'sqlite::memory:',
        API_PORT: '0',
        TRADING_STRATEGIES: 'momentum:SPY:5m,range_bound:SPY:5m,level_based:QQQ:15m',
      }),
      logger: silent,
      playMarket: false,
    });
    await system.start();
    expect(system.engine.listStrategies().map((s) => `${s.id}/${s.timeframe}`)).toEqual([
      'momentum_SPY/5m',
      'range_bound_SPY/5m',
      'level_based_QQQ/15m',
    ]);
  });
});
