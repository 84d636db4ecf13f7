import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestServer, call, startServer } from './helpers.js';

let srv: TestServer;
beforeEach(async () => {
  srv = await startServer();
});
afterEach(async () => {
  await srv.close();
});

const add = (body: unknown) => call(`${srv.url}/api/strategies/add`, 'POST', body);
const evaluate = (body: unknown) => call(`${srv.url}/api/trading/signal`, 'POST', body);

describe('strategy types', () => {
  it('lists each type with a description and the JSON Schema of its config', async () => {
    const res = await call(`${srv.url}/api/strategies`, 'GET');
    expect(res.status).toBe(200);
    for (const t of res.body.strategy_types) {
      expect(t.description.length).toBeGreaterThan(10);
      expect(t.config_schema).toMatchObject({ type: 'object' });
      expect(t.config_schema.properties).toHaveProperty('symbol');
      expect(t.config_schema.properties).toHaveProperty('timeframe');
    }
  });

  it('answers one type by name, and 404 naming the known types for an unknown one', async () => {
    const one = await call(`${srv.url}/api/strategies/momentum`, 'GET');
    expect(one.status).toBe(200);
    expect(one.body.type).toBe('momentum');
    expect(one.body.config_schema.properties.rsi_period).toMatchObject({ type: 'integer', default: 14 });
    const unknown = await call(`${srv.url}/api/strategies/nope`, 'GET');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('momentum');
  });

  it('keeps the fixed paths under /api/strategies working beside /{type}', async () => {
    expect((await call(`${srv.url}/api/strategies/active`, 'GET')).body).toMatchObject({ count: 0 });
    expect((await call(`${srv.url}/api/strategies/signals/recent`, 'GET')).body).toMatchObject({ count: 0 });
  });

  it('refuses an invalid config with 400 naming the field, and stores nothing', async () => {
    const res = await add({ strategy_type: 'momentum', config: { symbol: 'SPY', rsi_period: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'config.rsi_period' })]);
    expect((await call(`${srv.url}/api/strategies/active`, 'GET')).body.count).toBe(0);
  });
});

describe('POST /api/trading/signal', () => {
  it('explains a HOLD during warm-up with its confluence breakdown and trades nothing', async () => {
    await add({ strategy_type: 'momentum', config: { symbol: 'SPY', timeframe: '1m' } });
    srv.system.market.step();
    const res = await evaluate({ symbol: 'spy' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ symbol: 'SPY', traded: false, halted: false });
    expect(res.body.price).toBeGreaterThan(0);
    expect(res.body.signals).toHaveLength(1);
    expect(res.body.signal).toMatchObject({
      strategy_id: 'momentum_SPY',
      side: 'HOLD',
      action: 'none',
      reason: 'warming_up',
    });
    expect(res.body.signal.indicators).toMatchObject({ bars: 1, warmup_bars: 35 });
    expect(res.body.signal.confluence.components.map((c: { name: string }) => c.name)).toEqual([
      'technical',
      'sentiment',
      'options',
    ]);
    await srv.system.engine.idle();
    expect(await lastValueFrom(srv.system.store.listOrders(10))).toEqual([]);
  });

  it('decides on the bars the actor has once warmed up', async () => {
    await add({ strategy_type: 'momentum', config: { symbol: 'SPY', timeframe: '1m' } });
    for (let i = 0; i < 40; i++) srv.system.market.step();
    const res = await evaluate({ symbol: 'SPY' });
    expect(res.status).toBe(200);
    expect(res.body.signal.reason).not.toBe('warming_up');
    expect(res.body.signal.indicators).toHaveProperty('rsi');
    expect(res.body.signal.indicators).toHaveProperty('macd_histogram');
  });

  it('refuses a malformed symbol with 400 and a symbol without strategies with 404', async () => {
    const bad = await evaluate({ symbol: 'not a symbol!' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('symbol');
    const missing = await evaluate({});
    expect(missing.status).toBe(400);
    const none = await evaluate({ symbol: 'MSFT' });
    expect(none.status).toBe(404);
    expect(none.body.message).toContain('MSFT');
  });
});
