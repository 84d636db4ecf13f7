import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/config/app-config.js';
import { type PaperSystem, createSystem, paperSystem } from '../../adapters/system/create-system.js';
import { openStore } from '../../storage/sqlite-store.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tradebot-restart-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const boot = async (dbFile: string): Promise<PaperSystem> => {
  const system = paperSystem(
    await createSystem({
      config: loadConfig({
        DATABASE_URL: `sqlite:///${dbFile}`,
        API_PORT: '0',
        TRADING_STRATEGIES: 'momentum:SPY:1m,momentum:QQQ:1m',
        PAPER_SYMBOLS: 'SPY,QQQ,AAPL',
      }),
      logger: silent,
      playMarket: false,
    }),
  );
  await system.start();
  return system;
};

const playUntil = async (system: PaperSystem, done: () => boolean, max = 3_000): Promise<void> => {
  for (let i = 0; i < max && !done(); i++) {
    system.market.step();
    await system.engine.idle();
  }
  if (!done()) throw new Error('condition not reached');
};

describe('restart', () => {
  it('brings strategies, positions, open orders, counters and the market timeline back, and never repeats an order', async () => {
    const db = join(dir, 'trading.db');
    const first = await boot(db);
    await first.engine.setStrategyEnabled('momentum_QQQ', false);
    await first.engine.addStrategy({
      strategy_type: 'momentum',
      config: { symbol: 'AAPL', timeframe: '1m' },
      enabled: true,
    });
    await playUntil(first, () => first.engine.portfolio().open_positions > 0);
    // A manual order handed to the broker but not yet filled when the process stops.
    const manual = await first.engine.executeOrder({ symbol: 'AAPL', side: 'BUY', quantity: 3, price_per_share: 230 });
    const before = {
      strategies: first.engine.listStrategies(),
      portfolio: first.engine.portfolio(),
      stats: first.engine.schedulerStatus().stats,
      cursor: first.market.cursor(),
    };
    await first.stop();

    const second = await boot(db);
    try {
      expect(second.engine.listStrategies()).toEqual(before.strategies);
      expect(second.engine.portfolio()).toEqual(before.portfolio);
      const { uptime_seconds: _u1, ...statsBefore } = before.stats;
      const { uptime_seconds: _u2, ...statsAfter } = second.engine.schedulerStatus().stats;
      expect(statsAfter).toEqual(statsBefore);
      expect(second.market.now()).toBe(before.cursor);
      const open = await lastValueFrom(second.store.load());
      expect(open.openOrders.map((o) => o.intent.clientOrderId)).toEqual([manual.order.clientOrderId]);

      // The restored order fills exactly once, on the next bar.
      second.market.step();
      await second.engine.idle();
      const fills = await lastValueFrom(second.store.listFills(manual.order.clientOrderId));
      expect(fills).toHaveLength(1);
      expect(fills[0]?.quantity).toBe(3);
      for (let i = 0; i < 5; i++) {
        second.market.step();
        await second.engine.idle();
      }
      expect(await lastValueFrom(second.store.listFills(manual.order.clientOrderId))).toHaveLength(1);
      const orders = await lastValueFrom(second.store.listOrders(1000));
      expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
    } finally {
      await second.stop();
    }
  });

  it('keeps the kill switch, the entry counters and the equity baselines across a restart', async () => {
    const db = join(dir, 'trading.db');
    const first = await boot(db);
    first.market.step();
    await first.engine.executeOrder({ symbol: 'AAPL', side: 'BUY', quantity: 2, price_per_share: 230 });
    await first.engine.setKillSwitch(true, { reason: 'checking the broker statement' });
    const before = first.engine.riskStatus();
    expect(before.counters.trades_today).toBe(1);
    await first.stop();

    const second = await boot(db);
    try {
      const after = second.engine.riskStatus();
      expect(after.kill_switch).toEqual(before.kill_switch);
      expect(after.counters).toEqual(before.counters);
      expect(after.drawdown.peak_equity).toBe(before.drawdown.peak_equity);
      expect(after.pdt).toEqual(before.pdt);
      await expect(
        second.engine.executeOrder({ symbol: 'AAPL', side: 'BUY', quantity: 1, price_per_share: 230 }),
      ).rejects.toMatchObject({ code: 'risk_rejected', details: { rule: 'kill_switch' } });
    } finally {
      await second.stop();
    }
  });

  it('does not re-add a seeded strategy the user deleted', async () => {
    const db = join(dir, 'trading.db');
    const first = await boot(db);
    await first.engine.removeStrategy('momentum_QQQ');
    await first.stop();
    const second = await boot(db);
    expect(second.engine.listStrategies().map((s) => s.id)).toEqual(['momentum_SPY']);
    await second.stop();
  });

  it('shuts the real process down cleanly on SIGTERM and keeps what it did', async () => {
    const db = join(dir, 'trading.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: `sqlite:///${db}`,
        API_PORT: '0',
        PAPER_BAR_INTERVAL_MS: '2',
        TRADING_STRATEGIES: 'momentum:SPY:1m',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (/"msg":"filled BUY/.test(output)) resolve();
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(output).toContain('stopped cleanly');

    const store = await openStore({ url: `sqlite:///${db}` });
    try {
      const snapshot = await lastValueFrom(store.load());
      expect(snapshot.strategies.map((s) => s.id)).toEqual(['momentum_SPY']);
      expect(snapshot.stats?.trades_executed).toBeGreaterThanOrEqual(1);
      const fills = await lastValueFrom(store.listFills());
      expect(fills.length).toBeGreaterThanOrEqual(1);
      expect(snapshot.values['paper.market_cursor']).toEqual(expect.any(Number));
    } finally {
      await store.close();
    }
  });
});
