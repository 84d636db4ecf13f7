import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../http/app.js';
import { createMetrics } from '../../http/metrics.js';
import { type TestServer, call, recordingLogger, startServer } from './helpers.js';

const TOKEN = 's3cret-token';
const SEED_STRATEGY = { strategy_type: 'momentum', config: { symbol: 'QQQ', timeframe: '5m' }, enabled: true };

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('bearer token', () => {
  it('refuses mutating requests without the token with 401 and accepts them with it', async () => {
    srv = await startServer({ token: TOKEN });
    const none = await call(`${srv.url}/api/strategies/add`, 'POST', SEED_STRATEGY);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');

    const wrong = await call(`${srv.url}/api/strategies/add`, 'POST', SEED_STRATEGY, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const scheme = await call(`${srv.url}/api/scheduler/start`, 'POST', undefined, { Authorization: `Basic ${TOKEN}` });
    expect(scheme.status).toBe(401);
    expect((await call(`${srv.url}/api/strategies/active`, 'GET')).body.count).toBe(0);
    expect((await call(`${srv.url}/api/scheduler/status`, 'GET')).body.state).toBe('stopped');

    const ok = await call(`${srv.url}/api/strategies/add`, 'POST', SEED_STRATEGY, { Authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(201);
    const del = await call(`${srv.url}/api/strategies/momentum_QQQ`, 'DELETE', undefined, {
      Authorization: `Bearer ${TOKEN}`,
    });
    expect(del.status).toBe(200);
  });

  it('checks the token before parsing the body', async () => {
    srv = await startServer({ token: TOKEN });
    const res = await call(`${srv.url}/api/strategies/add`, 'POST', '{not json');
    expect(res.status).toBe(401);
  });

  it('keeps reads and /health open', async () => {
    srv = await startServer({ token: TOKEN });
    expect((await call(`${srv.url}/health`, 'GET')).status).toBe(200);
    expect((await call(`${srv.url}/api/strategies/active`, 'GET')).status).toBe(200);
    expect((await call(`${srv.url}/api/scheduler/status`, 'GET')).status).toBe(200);
  });

  it('lets mutating requests through when no token is configured', async () => {
    srv = await startServer();
    expect((await call(`${srv.url}/api/scheduler/start`, 'POST')).status).toBe(200);
  });
});

describe('CORS', () => {
  const ORIGIN = 'http://dashboard.local:3000';

  it('answers preflight and requests from a configured origin only', async () => {
    srv = await startServer({ corsOrigins: [ORIGIN], token: TOKEN });
    const pre = await fetch(`${srv.url}/api/strategies/add`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');

    const get = await fetch(`${srv.url}/api/strategies/active`, { headers: { Origin: ORIGIN } });
    expect(get.headers.get('access-control-allow-origin')).toBe(ORIGIN);

    const other = await fetch(`${srv.url}/api/strategies/active`, { headers: { Origin: 'http://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const otherPre = await fetch(`${srv.url}/api/strategies/add`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(otherPre.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('listen', () => {
  it('refuses to bind a non-loopback address without a token', async () => {
    srv = await startServer();
    const engine = srv.engine;
    const metrics = createMetrics({ engine });
    const http = createHttpServer({
      engine,
      logger: recordingLogger(),
      api: { host: '0.0.0.0', port: 0, corsOrigins: [] },
      metrics,
    });
    await expect(http.listen()).rejects.toThrow(/API_TOKEN/);
    expect(http.server.listening).toBe(false);
    await http.close();
    metrics.dispose();
  });
});
