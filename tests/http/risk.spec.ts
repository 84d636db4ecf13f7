import { afterEach, describe, expect, it } from 'vitest';
import { type TestServer, call, startServer } from './helpers.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const ORDER = { symbol: 'AAPL', side: 'BUY', quantity: 5, price_per_share: 100, confidence_score: 0.9 };

describe('risk API', () => {
  it('reports limits, counters, daily P&L, drawdown and the kill switch', async () => {
    srv = await startServer();
    const res = await call(`${srv.url}/api/risk/status`, 'GET');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kill_switch: { engaged: false, since: null },
      limits: { daily_trade_limit: 5, weekly_trade_limit: 20, daily_loss_limit_pct: 0.02, max_drawdown_pct: 0.1 },
      counters: { trades_today: 0, trades_remaining_today: 5, trades_this_week: 0 },
      drawdown: { peak_equity: 100_000, equity: 100_000, pct: 0 },
      pdt: { policy: 'finra-legacy', mode: 'strict', window_trading_days: 5, day_trades_in_window: 0 },
      open_positions: 0,
    });
    expect(res.body.counters.session_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(res.body.not_enforced).toEqual([]);
    expect(res.body.exits).toMatchObject({
      config: { trailing_stop_pct: null, ladder_fill_timeout_seconds: 120 },
      flatten_window_open: false,
      positions: [],
    });
    expect(res.body.exits.config.ladder).toHaveLength(3);
  });

  it('engages the kill switch, refuses manual entries with 422 kill_switch writing nothing, and resets', async () => {
    srv = await startServer();
    const engaged = await call(`${srv.url}/api/risk/kill-switch`, 'POST', { reason: 'maintenance' });
    expect(engaged.status).toBe(200);
    expect(engaged.body.kill_switch).toMatchObject({ engaged: true, reason: 'maintenance' });
    expect(engaged.body.kill_switch.since).toMatch(/Z$/);

    const refused = await call(`${srv.url}/api/trading/execute`, 'POST', ORDER);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ rule: 'kill_switch' });
    expect(refused.body.reason).toContain('maintenance');

    const reset = await call(`${srv.url}/api/risk/kill-switch`, 'DELETE');
    expect(reset.status).toBe(200);
    expect(reset.body.kill_switch.engaged).toBe(false);
    const placed = await call(`${srv.url}/api/trading/execute`, 'POST', ORDER);
    expect(placed.status).toBe(201);
    expect((await call(`${srv.url}/api/risk/status`, 'GET')).body.counters.trades_today).toBe(1);
  });

  it('refuses an unknown field with 400, and needs the token when one is configured', async () => {
    srv = await startServer({ token: 'secret' });
    const bad = await call(`${srv.url}/api/risk/kill-switch`, 'POST', { why: 'x' }, { authorization: 'Bearer secret' });
    expect(bad.status).toBe(400);
    const anonymous = await call(`${srv.url}/api/risk/kill-switch`, 'POST', {});
    expect(anonymous.status).toBe(401);
    expect((await call(`${srv.url}/api/risk/status`, 'GET')).body.kill_switch.engaged).toBe(false);
  });
});
