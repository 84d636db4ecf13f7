import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../engine/errors.js';
import { type StartOptions, type TestServer, call, startServer } from './helpers.js';

let srv: TestServer | undefined;
const start = async (opts: StartOptions = {}): Promise<TestServer> => (srv = await startServer(opts));
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const ORDER = { account_id: 'paper', symbol: 'AAPL', side: 'BUY', quantity: 10 };

describe('error mapping', () => {
  it('maps risk_rejected to 422 with the rule and reason', async () => {
    const s = await start({
      overrides: {
        executeOrder: () =>
          Promise.reject(
            new DomainError('risk_rejected', 'order refused by risk', [], {
              rule: 'pdt',
              reason: 'day trade limit reached',
            }),
          ),
      },
    });
    const res = await call(`${s.url}/api/trading/execute`, 'POST', ORDER);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'risk_rejected',
      message: 'order refused by risk',
      rule: 'pdt',
      reason: 'day trade limit reached',
    });
  });

  it('maps not_connected and unavailable to 503', async () => {
    const s = await start({
      overrides: {
        executeOrder: () => Promise.reject(new DomainError('not_connected', 'broker not connected')),
        portfolio: () => {
          throw new DomainError('unavailable', 'portfolio not loaded yet');
        },
      },
    });
    const exec = await call(`${s.url}/api/trading/execute`, 'POST', ORDER);
    expect(exec.status).toBe(503);
    expect(exec.body).toEqual({ error: 'not_connected', message: 'broker not connected' });
    const pf = await call(`${s.url}/api/trading/portfolio/summary`, 'GET');
    expect(pf.status).toBe(503);
    expect(pf.body.error).toBe('unavailable');
  });

  it('does not let details overwrite the error code or message', async () => {
    const s = await start({
      overrides: {
        executeOrder: () =>
          Promise.reject(new DomainError('conflict', 'dup', [], { error: 'x', message: 'y', order: 'o1' })),
      },
    });
    const res = await call(`${s.url}/api/trading/execute`, 'POST', ORDER);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'conflict', message: 'dup', order: 'o1' });
  });

  it('answers an unexpected error with 500 and the request id only, and logs the stack', async () => {
    const secret = 'password=hunter2 at /srv/app/secret.ts';
    const s = await start({
      overrides: {
        schedulerStatus: () => {
          throw new Error(secret);
        },
      },
    });
    const res = await call(`${s.url}/api/scheduler/status`, 'GET', undefined, { 'X-Request-Id': 'req-42' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal_error', message: 'internal error', request_id: 'req-42' });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const logged = s.logger.entries.find((e) => e.level === 'error');
    expect(JSON.stringify(logged?.obj)).toContain('hunter2');
    expect(JSON.stringify(logged?.obj)).toContain('stack');
  });

  it('turns a thrown ZodError into 400 with issues', async () => {
    const { z } = await import('zod');
    const s = await start({
      overrides: {
        addStrategy: async (input) => {
          z.object({ strategy_type: z.literal('only_this') }).parse(input);
          throw new Error('unreachable');
        },
      },
    });
    const res = await call(`${s.url}/api/strategies/add`, 'POST', { strategy_type: 'momentum', config: {} });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
    expect(res.body.issues).toEqual([{ path: 'strategy_type', message: expect.any(String) }]);
  });
});

describe('transport-level refusals', () => {
  it('answers unknown routes with JSON 404 and a wrong method with 405', async () => {
    const s = await start();
    const missing = await call(`${s.url}/api/nope`, 'GET');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', message: 'no route for GET /api/nope' });
    const wrong = await call(`${s.url}/api/scheduler/start`, 'GET');
    expect(wrong.status).toBe(405);
    expect(wrong.body.error).toBe('method_not_allowed');
    expect(wrong.headers.get('allow')).toContain('POST');
  });

  it('refuses a body over the size limit with 413 and never a 500', async () => {
    const s = await start({ bodyLimit: '1kb' });
    const big = { strategy_type: 'momentum', config: { symbol: 'QQQ', pad: 'x'.repeat(4096) } };
    const res = await call(`${s.url}/api/strategies/add`, 'POST', big);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'validation_error', message: 'request body is too large' });
  });

  it('refuses JSON that is not an object or array', async () => {
    const s = await start();
    const res = await call(`${s.url}/api/trading/execute`, 'POST', '"BUY AAPL"');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_error');
  });

  it('echoes a given X-Request-Id and generates one otherwise', async () => {
    const s = await start();
    const given = await call(`${s.url}/health`, 'GET', undefined, { 'X-Request-Id': 'abc-123' });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const fresh = await call(`${s.url}/health`, 'GET');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await call(`${s.url}/health`, 'GET', undefined, { 'X-Request-Id': 'a b<script>' });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers /health with 503 while the engine is degraded', async () => {
    const degraded = {
      status: 'degraded',
      broker: { name: 'paper', connected: false },
      scheduler: 'error',
      halted_symbols: ['AAPL'],
      storage: { ok: true, pending_events: 0 },
      problems: ['actor for AAPL halted'],
      uptime_seconds: 3,
    } as const;
    const s = await start({ overrides: { health: () => degraded } });
    const res = await call(`${s.url}/health`, 'GET');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'degraded', halted_symbols: ['AAPL'] });
  });
});
