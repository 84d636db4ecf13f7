import { afterEach, describe, expect, it } from 'vitest';
import { type TestServer, call, connectWs, startServer } from './helpers.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** Plays simulated minutes until `done` holds (bounded), letting order writes settle between minutes. */
const playUntil = async (s: TestServer, done: () => boolean, maxMinutes = 2_000): Promise<number> => {
  for (let i = 1; i <= maxMinutes; i++) {
    s.system.market.step();
    await s.system.engine.idle();
    if (done()) return i;
  }
  throw new Error(`condition not reached within ${maxMinutes} simulated minutes`);
};

describe('WebSocket streams over the real trading graph', () => {
  it('streams the signals, fills and positions that the engine really trades, and the bars it trades on', async () => {
    srv = await startServer({ ws: { portfolioThrottleMs: 0 } });
    const s = srv;
    const added = await call(`${s.url}/api/strategies/add`, 'POST', {
      strategy_type: 'momentum',
      config: { symbol: 'SPY', timeframe: '1m' },
      enabled: true,
    });
    expect(added.status).toBe(201);
    expect((await call(`${s.url}/api/scheduler/start`, 'POST')).body.state).toBe('running');

    const signals = await connectWs(`${s.wsUrl}/ws/signals`);
    const portfolio = await connectWs(`${s.wsUrl}/ws/portfolio`);
    const prices = await connectWs(`${s.wsUrl}/ws/prices`);
    prices.socket.send(JSON.stringify({ type: 'subscribe', symbols: ['SPY'] }));

    const filled = () => s.system.engine.portfolio().open_positions > 0;
    await playUntil(s, filled);

    const bar = await prices.next('bar');
    expect(bar.data).toMatchObject({ symbol: 'SPY' });
    const signal = await signals.next('signal');
    expect(signal.data).toMatchObject({ symbol: 'SPY', strategy_id: 'momentum_SPY' });
    expect(typeof signal.ts).toBe('string');
    const decision = await signals.next('decision');
    expect(decision.data).toBeDefined();
    const fill = await portfolio.next('fill');
    expect(fill.data).toMatchObject({ symbol: 'SPY', side: 'BUY' });
    const position = await portfolio.next('position');
    expect(position.data).toMatchObject({ symbol: 'SPY' });

    const status = (await call(`${s.url}/api/scheduler/status`, 'GET')).body;
    expect(status.stats.trades_executed).toBeGreaterThanOrEqual(1);
    expect(status.stats.signals_generated).toBeGreaterThanOrEqual(1);
    const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/trading_signals_total\{strategy="momentum",symbol="SPY",side="BUY"\} \d+/);
    expect(metrics).toMatch(/trading_trades_executed_total\{symbol="SPY",side="BUY"\} 1/);
    expect(metrics).toMatch(/trading_position_pnl\{symbol="SPY"\} -?\d/);
    expect(metrics).toMatch(/^ibkr_connection_status 0$/m);
    for (const c of [signals, portfolio, prices]) c.socket.close();
  });
});
