import { afterEach, describe, expect, it } from 'vitest';
import type { ScoredSignal } from '../../engine/messages/signal.js';
import { T0, intent, scored } from './fixtures.js';
import { type StartOptions, type TestServer, call, startServer } from './helpers.js';

let srv: TestServer | undefined;
const start = async (opts: StartOptions = {}): Promise<TestServer> => (srv = await startServer(opts));
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const ISO_T0 = new Date(T0).toISOString();

describe('response shapes (snake_case, ISO times)', () => {
  it('answers an executed order with 201, the snake_case intent and the warnings', async () => {
    const s = await start({
      overrides: { executeOrder: async () => ({ order: { ...intent('AAPL'), limitPrice: 175.5 }, warnings: ['pdt'] }) },
    });
    const res = await call(`${s.url}/api/trading/execute`, 'POST', { symbol: 'AAPL' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      order: {
        client_order_id: '11111111-1111-4111-8111-111111111111',
        account_id: 'paper',
        symbol: 'AAPL',
        side: 'BUY',
        quantity: 10,
        type: 'market',
        limit_price: 175.5,
        purpose: 'enter',
        strategy_id: 'momentum_AAPL',
        reason: 'signal',
        stop_loss: 95,
        created_at: ISO_T0,
      },
      warnings: ['pdt'],
    });
  });

  it('passes the body to the engine unchanged', async () => {
    let seen: unknown;
    const s = await start({
      overrides: {
        executeOrder: async (input) => {
          seen = input;
          return { order: intent('AAPL'), warnings: [] };
        },
      },
    });
    const body = { account_id: 1, symbol: 'AAPL', side: 'BUY', quantity: 10, price_per_share: 175.5 };
    await call(`${s.url}/api/trading/execute`, 'POST', body);
    expect(seen).toEqual(body);
  });

  it('serializes recent signals and honours the limit', async () => {
    let asked = 0;
    const s = await start({
      overrides: {
        recentSignals: (limit) => {
          asked = limit;
          return [scored('AAPL')];
        },
      },
    });
    const res = await call(`${s.url}/api/strategies/signals/recent`, 'GET');
    expect(asked).toBe(50);
    expect(res.body.count).toBe(1);
    expect(res.body.signals[0]).toMatchObject({
      symbol: 'AAPL',
      strategy_type: 'momentum',
      side: 'BUY',
      confidence: 0.72,
      technical_confidence: 0.8,
      stop_loss: 95,
      confluence: { score: 0.7, level: 'medium', directional_bias: 'bullish' },
      generated_at: ISO_T0,
    });
    await call(`${s.url}/api/strategies/signals/recent?limit=500`, 'GET');
    expect(asked).toBe(500);
  });

  it('gives an exit its reason, and a partial exit its share count', async () => {
    const exit = (exitQuantity?: number): ScoredSignal => {
      const base = scored('AAPL');
      return {
        ...base,
        signal: {
          ...base.signal,
          side: 'SELL',
          action: 'exit',
          exitReason: 'ladder',
          ...(exitQuantity === undefined ? {} : { exitQuantity }),
        },
      };
    };
    const s = await start({ overrides: { recentSignals: () => [exit(4), exit()] } });
    const res = await call(`${s.url}/api/strategies/signals/recent`, 'GET');
    expect(res.body.signals[0]).toMatchObject({ action: 'exit', exit_reason: 'ladder', exit_quantity: 4 });
    expect(res.body.signals[1]).toMatchObject({ action: 'exit', exit_reason: 'ladder' });
    expect(res.body.signals[1]).not.toHaveProperty('exit_quantity');
  });

  it('gives scheduler timestamps as ISO strings', async () => {
    const base = await start();
    const status = base.engine.schedulerStatus();
    await base.close();
    const s = await start({
      overrides: {
        schedulerStatus: () => ({ ...status, stats: { ...status.stats, last_evaluation: T0, last_trade: null } }),
      },
    });
    const res = await call(`${s.url}/api/scheduler/status`, 'GET');
    expect(res.body.stats.last_evaluation).toBe(ISO_T0);
    expect(res.body.stats.last_trade).toBeNull();
  });
});
