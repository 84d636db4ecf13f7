import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, call, startServer } from './helpers.js';

const SEED_STRATEGY = { strategy_type: 'momentum', config: { symbol: 'QQQ', timeframe: '5m' }, enabled: true };
const SEED_ORDER = {
  account_id: 1,
  symbol: 'AAPL',
  side: 'BUY',
  quantity: 10,
  price_per_share: 175.5,
  confidence_score: 0.75,
};
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let srv: TestServer;
beforeEach(async () => {
  srv = await startServer();
});
afterEach(async () => {
  await srv.close();
});

const activeCount = async (): Promise<number> => (await call(`${srv.url}/api/strategies/active`, 'GET')).body.count;

describe('seed curl calls', () => {
  it('adds a strategy with the seed body and lists it as active', async () => {
    const added = await call(`${srv.url}/api/strategies/add`, 'POST', SEED_STRATEGY);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      id: 'momentum_QQQ',
      strategy_type: 'momentum',
      symbol: 'QQQ',
      timeframe: '5m',
      enabled: true,
    });
    expect(added.body.config).toMatchObject({ symbol: 'QQQ', timeframe: '5m' });
    expect(added.body.created_at).toMatch(ISO);
    expect(added.body.updated_at).toMatch(ISO);

    const active = await call(`${srv.url}/api/strategies/active`, 'GET');
    expect(active.status).toBe(200);
    expect(active.body.count).toBe(1);
    expect(active.body.strategies).toEqual([added.body]);
  });

  it('lists the strategy types', async () => {
    const res = await call(`${srv.url}/api/strategies`, 'GET');
    expect(res.status).toBe(200);
    const types = res.body.strategy_types.map((t: { type: string }) => t.type);
    expect(types).toContain('momentum');
    expect(res.body.strategy_types[0]).toHaveProperty('description');
  });

  it('disables, enables and deletes a strategy', async () => {
    await call(`${srv.url}/api/strategies/add`, 'POST', SEED_STRATEGY);
    const disabled = await call(`${srv.url}/api/strategies/momentum_QQQ/disable`, 'POST');
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: 'momentum_QQQ', enabled: false });
    expect((await call(`${srv.url}/api/strategies/active`, 'GET')).body.strategies[0].enabled).toBe(false);

    const enabled = await call(`${srv.url}/api/strategies/momentum_QQQ/enable`, 'POST');
    expect(enabled.body).toMatchObject({ id: 'momentum_QQQ', enabled: true });

    const deleted = await call(`${srv.url}/api/strategies/momentum_QQQ`, 'DELETE');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: 'momentum_QQQ' });
    expect(await activeCount()).toBe(0);
  });

  it('drives the scheduler through start, status, pause, resume and stop', async () => {
    const start = await call(`${srv.url}/api/scheduler/start`, 'POST');
    expect(start.status).toBe(200);
    expect(start.body.state).toBe('running');

    const status = await call(`${srv.url}/api/scheduler/status`, 'GET');
    expect(status.status).toBe(200);
    expect(status.body.state).toBe('running');
    expect(status.body.stats).toMatchObject({
      evaluations_run: expect.any(Number),
      signals_generated: expect.any(Number),
      trades_executed: expect.any(Number),
      trades_rejected: expect.any(Number),
      errors: expect.any(Number),
      uptime_seconds: expect.any(Number),
    });
    expect(status.body).toHaveProperty('can_run');
    expect(status.body).toHaveProperty('is_market_hours');
    expect(status.body).toHaveProperty('ibkr_connected');

    expect((await call(`${srv.url}/api/scheduler/pause`, 'POST')).body.state).toBe('paused');
    expect((await call(`${srv.url}/api/scheduler/resume`, 'POST')).body.state).toBe('running');
    expect((await call(`${srv.url}/api/scheduler/stop`, 'POST')).body.state).toBe('stopped');
    expect((await call(`${srv.url}/api/scheduler/status`, 'GET')).body.state).toBe('stopped');
  });

  it('answers /health with the engine health, a status and the time', async () => {
    const res = await call(`${srv.url}/health`, 'GET');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.time).toMatch(ISO);
    expect(res.body.broker).toHaveProperty('connected');
    expect(res.body).toHaveProperty('scheduler');
  });

  it('answers the portfolio summary', async () => {
    const res = await call(`${srv.url}/api/trading/portfolio/summary`, 'GET');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ equity: expect.any(Number), cash: expect.any(Number) });
    expect(Array.isArray(res.body.positions)).toBe(true);
  });

  it('executes the seed manual order through the risk rules and the paper broker', async () => {
    const res = await call(`${srv.url}/api/trading/execute`, 'POST', SEED_ORDER);
    expect(res.status).toBe(201);
    expect(res.body.order).toMatchObject({ symbol: 'AAPL', side: 'BUY', quantity: 10 });
    expect(res.body.order.client_order_id).toEqual(expect.any(String));
    expect(Array.isArray(res.body.warnings)).toBe(true);
  });
});

describe('bad input', () => {
  it('refuses malformed JSON with 400 validation_error and writes nothing', async () => {
    const res = await call(`${srv.url}/api/strategies/add`, 'POST', '{"strategy_type": "momentum", "config": {');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
    expect(res.body.message).toMatch(/malformed JSON/);
    expect(await activeCount()).toBe(0);
  });

  it('refuses a body that is not declared as JSON', async () => {
    const res = await fetch(`${srv.url}/api/strategies/add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify(SEED_STRATEGY),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('validation_error');
    expect(body.message).toMatch(/Content-Type: application\/json/);
    expect(await activeCount()).toBe(0);
  });

  it('refuses an unknown strategy type with 400', async () => {
    const res = await call(`${srv.url}/api/strategies/add`, 'POST', { ...SEED_STRATEGY, strategy_type: 'astrology' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
    expect(res.body.issues.length).toBeGreaterThan(0);
    expect(await activeCount()).toBe(0);
  });

  it('refuses a config without a symbol with 400 and an issue naming it', async () => {
    const res = await call(`${srv.url}/api/strategies/add`, 'POST', { strategy_type: 'momentum', config: {} });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
    expect(res.body.issues.some((i: { path: string }) => /symbol/.test(i.path))).toBe(true);
    expect(await activeCount()).toBe(0);
  });

  it('refuses a body of the wrong shape, including unknown fields', async () => {
    const notObject = await call(`${srv.url}/api/strategies/add`, 'POST', { strategy_type: 'momentum', config: 'QQQ' });
    expect(notObject.status).toBe(400);
    expect(notObject.body.issues[0].path).toBe('config');
    const extra = await call(`${srv.url}/api/strategies/add`, 'POST', { ...SEED_STRATEGY, leverage: 10 });
    expect(extra.status).toBe(400);
    const array = await call(`${srv.url}/api/trading/execute`, 'POST', [SEED_ORDER]);
    expect(array.status).toBe(400);
    expect(await activeCount()).toBe(0);
  });

  it('refuses a duplicate strategy with 409', async () => {
    expect((await call(`${srv.url}/api/strategies/add`, 'POST', SEED_STRATEGY)).status).toBe(201);
    const res = await call(`${srv.url}/api/strategies/add`, 'POST', SEED_STRATEGY);
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('conflict');
    expect(await activeCount()).toBe(1);
  });

  it('answers 404 for an unknown strategy id on enable, disable and delete', async () => {
    for (const [method, path] of [
      ['POST', '/api/strategies/nope/enable'],
      ['POST', '/api/strategies/nope/disable'],
      ['DELETE', '/api/strategies/nope'],
    ] as const) {
      const res = await call(`${srv.url}${path}`, method);
      expect(res.status, path).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
  });

  it('refuses pause when stopped and resume when running with 409', async () => {
    const pause = await call(`${srv.url}/api/scheduler/pause`, 'POST');
    expect(pause.status).toBe(409);
    expect(pause.body.error).toBe('conflict');
    expect((await call(`${srv.url}/api/scheduler/status`, 'GET')).body.state).toBe('stopped');
    await call(`${srv.url}/api/scheduler/start`, 'POST');
    expect((await call(`${srv.url}/api/scheduler/resume`, 'POST')).status).toBe(409);
  });

  it('refuses a negative or fractional quantity on /api/trading/execute with 400', async () => {
    for (const quantity of [-5, 0, 2.5]) {
      const res = await call(`${srv.url}/api/trading/execute`, 'POST', { ...SEED_ORDER, quantity });
      expect(res.status, String(quantity)).toBe(400);
      expect(res.body.error).toBe('validation_error');
      expect(res.body.issues.some((i: { path: string }) => /quantity/.test(i.path))).toBe(true);
    }
  });

  it('refuses out-of-range signal limits with 400', async () => {
    for (const limit of ['0', '501', 'abc', '2.5']) {
      const res = await call(`${srv.url}/api/strategies/signals/recent?limit=${limit}`, 'GET');
      expect(res.status, limit).toBe(400);
      expect(res.body.issues[0].path).toBe('limit');
    }
  });
});
