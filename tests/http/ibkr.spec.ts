import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../engine/errors.js';
import type { IbkrControl, IbkrStatusReport } from '../../http/ibkr-control.js';
import { type TestServer, call, startServer } from './helpers.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** A scripted IbkrControl standing in for the later IBKR adapter. */
const fakeIbkr = (): IbkrControl & { calls: string[] } => {
  const calls: string[] = [];
  let connected = false;
  const status = (): IbkrStatusReport => ({
    connected,
    state: connected ? 'connected' : 'disconnected',
    mode: 'paper',
  });
  return {
    calls,
    status: async () => status(),
    connect: async () => {
      calls.push('connect');
      connected = true;
      return status();
    },
    disconnect: async () => {
      calls.push('disconnect');
      connected = false;
      return status();
    },
    test: async () => {
      calls.push('test');
      if (!connected) throw new DomainError('not_connected', 'IB Gateway is not reachable');
      return { ok: true };
    },
    account: async () => ({ net_liquidation: 1000 }),
    positions: async () => [{ symbol: 'AAPL', quantity: 3 }],
  };
};

describe('/api/trading/ibkr with BROKER=paper', () => {
  it('reports the paper broker on status', async () => {
    srv = await startServer();
    const res = await call(`${srv.url}/api/trading/ibkr/status`, 'GET');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ connected: false, broker: 'paper', mode: 'paper' });
    expect(res.body.message).toMatch(/BROKER=paper/);
  });

  it('answers 503 not_connected on every other endpoint', async () => {
    srv = await startServer();
    for (const [method, path] of [
      ['POST', 'connect'],
      ['POST', 'disconnect'],
      ['POST', 'test'],
      ['GET', 'test'],
      ['GET', 'account'],
      ['GET', 'positions'],
    ] as const) {
      const res = await call(`${srv.url}/api/trading/ibkr/${path}`, method);
      expect(res.status, path).toBe(503);
      expect(res.body).toEqual({ error: 'not_connected', message: 'IBKR is not enabled: BROKER=paper' });
    }
  });
});

describe('/api/trading/ibkr with an IBKR control', () => {
  it('delegates connect, test, account, positions and disconnect', async () => {
    const ibkr = fakeIbkr();
    srv = await startServer({ ibkr });
    const early = await call(`${srv.url}/api/trading/ibkr/test`, 'GET');
    expect(early.status).toBe(503);

    const connected = await call(`${srv.url}/api/trading/ibkr/connect`, 'POST');
    expect(connected.body).toMatchObject({ connected: true, state: 'connected' });
    const status = await call(`${srv.url}/api/trading/ibkr/status`, 'GET');
    expect(status.body).toMatchObject({ connected: true, broker: 'paper', mode: 'paper' });
    expect((await call(`${srv.url}/api/trading/ibkr/test`, 'POST')).body).toEqual({ ok: true });
    expect((await call(`${srv.url}/api/trading/ibkr/account`, 'GET')).body).toEqual({ net_liquidation: 1000 });
    expect((await call(`${srv.url}/api/trading/ibkr/positions`, 'GET')).body).toEqual({
      positions: [{ symbol: 'AAPL', quantity: 3 }],
    });
    expect((await call(`${srv.url}/api/trading/ibkr/disconnect`, 'POST')).body.connected).toBe(false);
    expect(ibkr.calls).toEqual(['test', 'connect', 'test', 'disconnect']);
  });

  it('needs the token for connect when one is configured', async () => {
    const ibkr = fakeIbkr();
    srv = await startServer({ ibkr, token: 't' });
    expect((await call(`${srv.url}/api/trading/ibkr/connect`, 'POST')).status).toBe(401);
    expect(ibkr.calls).toEqual([]);
  });
});
