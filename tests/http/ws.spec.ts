import { setImmediate as tick } from 'node:timers/promises';
import { Observable, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import { T0, approved, bar, filled, positionUpdated, rejected, scored } from './fixtures.js';
import { type StartOptions, type TestServer, call, connectWs, startServer, upgradeStatus } from './helpers.js';

const ISO_T0 = new Date(T0).toISOString();

let srv: TestServer | undefined;
const start = async (opts: StartOptions = {}): Promise<TestServer> => (srv = await startServer(opts));
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const scrape = async (s: TestServer): Promise<string> => (await fetch(`${s.url}/metrics`)).text();

describe('/ws/prices', () => {
  it('says hello, then streams bars as {type, ts, data}', async () => {
    const s = await start();
    const c = await connectWs(`${s.wsUrl}/ws/prices`);
    expect((await c.next()).type).toBe('hello');
    s.engine.emit(bar('AAPL', 101));
    const m = await c.next('bar');
    expect(m).toEqual({
      type: 'bar',
      ts: ISO_T0,
      data: expect.objectContaining({ symbol: 'AAPL', close: 101, timeframe: '1m', opened_at: ISO_T0 }),
    });
  });

  it('filters by the subscribed symbols', async () => {
    const s = await start();
    const c = await connectWs(`${s.wsUrl}/ws/prices`);
    await c.next('hello');
    c.socket.send(JSON.stringify({ type: 'subscribe', symbols: ['msft'] }));
    expect((await c.next('subscribed')).data).toEqual({ symbols: ['MSFT'] });
    s.engine.emit(bar('AAPL', 1));
    s.engine.emit(bar('MSFT', 2));
    expect((await c.next('bar')).data.symbol).toBe('MSFT');

    c.socket.send(JSON.stringify({ type: 'unsubscribe' }));
    expect((await c.next('subscribed')).data).toEqual({ symbols: null });
    s.engine.emit(bar('AAPL', 3));
    expect((await c.next('bar')).data.symbol).toBe('AAPL');
  });

  it('answers invalid client messages with an error and keeps streaming', async () => {
    const s = await start();
    const c = await connectWs(`${s.wsUrl}/ws/prices`);
    await c.next('hello');
    c.socket.send('not json');
    expect((await c.next('error')).data.error).toBe('validation_error');
    c.socket.send(JSON.stringify({ type: 'subscribe', symbols: 'AAPL' }));
    const err = await c.next('error');
    expect(err.data.issues.length).toBeGreaterThan(0);
    c.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await c.next('error')).type).toBe('error');
    s.engine.emit(bar('AAPL', 4));
    expect((await c.next('bar')).data.close).toBe(4);
  });

  it('skips an event it cannot present, logs it and keeps streaming', async () => {
    const s = await start();
    const c = await connectWs(`${s.wsUrl}/ws/prices`);
    await c.next('hello');
    s.engine.emit(bar('AAPL', 1, Number.NaN));
    s.engine.emit(bar('AAPL', 2));
    expect((await c.next('bar')).data.close).toBe(2);
    expect(s.logger.entries.some((e) => e.level === 'error' && e.msg === 'engine event not streamed')).toBe(true);
  });
});

describe('/ws/signals', () => {
  it('streams scored signals and risk decisions', async () => {
    const s = await start();
    const c = await connectWs(`${s.wsUrl}/ws/signals`);
    expect((await c.next()).type).toBe('hello');
    s.engine.emit(scored('AAPL'));
    s.engine.emit(approved('AAPL'));
    s.engine.emit(rejected('MSFT', 'max_positions'));
    const sig = await c.next('signal');
    expect(sig.ts).toBe(ISO_T0);
    expect(sig.data).toMatchObject({ symbol: 'AAPL', side: 'BUY', confidence: 0.72, strategy_id: 'momentum_AAPL' });
    const ok = await c.next('decision');
    expect(ok.data).toMatchObject({ decision: 'approved', symbol: 'AAPL', warnings: ['pdt warning'] });
    expect(ok.data.order).toMatchObject({ quantity: 10, client_order_id: expect.any(String) });
    const no = await c.next('decision');
    expect(no.data).toMatchObject({ decision: 'rejected', symbol: 'MSFT', rule: 'max_positions' });
  });

  it('refuses messages from the client', async () => {
    const s = await start();
    const c = await connectWs(`${s.wsUrl}/ws/signals`);
    c.socket.send(JSON.stringify({ type: 'subscribe', symbols: ['AAPL'] }));
    expect((await c.next('error')).data.message).toMatch(/accepts no messages/);
  });
});

describe('/ws/portfolio', () => {
  it('says hello with the portfolio, then streams positions, account and fills', async () => {
    const s = await start();
    const c = await connectWs(`${s.wsUrl}/ws/portfolio`);
    const hello = await c.next();
    expect(hello.type).toBe('hello');
    expect(hello.data.portfolio).toMatchObject({ equity: expect.any(Number) });

    s.engine.emit(positionUpdated('AAPL', 10, 101));
    s.engine.emit(positionUpdated('AAPL', 10, 103));
    s.engine.emit(filled('AAPL'));
    s.engine.emit({
      kind: 'account.updated',
      ts: T0,
      account: {
        accountId: 'paper',
        initialCash: 1000,
        cash: 500,
        realizedPnl: 0,
        commissions: 1,
        positions: {},
        updatedTs: T0,
      },
    });
    const fill = await c.next('fill');
    expect(fill.data).toMatchObject({ symbol: 'AAPL', quantity: 10, price: 100.5, partial: false });
    const pos = await c.next('position');
    expect(pos.data).toMatchObject({ symbol: 'AAPL', quantity: 10, last_price: 103, unrealized_pnl: 30 });
    const account = await c.next('account');
    expect(account.data).toMatchObject({ account_id: 'paper', cash: 500, equity: 500 });
  });
});

describe('/ws/health', () => {
  it('says hello with the health and pushes a report when the scheduler changes state', async () => {
    const s = await start({ ws: { healthIntervalMs: 3_600_000 } });
    const c = await connectWs(`${s.wsUrl}/ws/health`);
    const hello = await c.next();
    expect(hello.data.health).toMatchObject({ status: 'ok', scheduler: 'stopped' });
    await call(`${s.url}/api/scheduler/start`, 'POST');
    const m = await c.next('health');
    expect(m.data).toMatchObject({ status: 'ok', scheduler: 'running' });
  });

  it('pushes the health periodically', async () => {
    const s = await start({ ws: { healthIntervalMs: 10 } });
    const c = await connectWs(`${s.wsUrl}/ws/health`);
    await c.next('hello');
    expect((await c.next('health')).data).toMatchObject({ status: 'ok' });
  });
});

describe('connection management', () => {
  it('terminates a client that stops answering pings and keeps one that answers', async () => {
    const s = await start({ ws: { heartbeatMs: 200 } });
    const good = await connectWs(`${s.wsUrl}/ws/prices`);
    const silent = await connectWs(`${s.wsUrl}/ws/prices`, { autoPong: false });
    const closed = await silent.closed;
    expect(closed.code).toBe(1006);
    s.engine.emit(bar('AAPL', 5));
    expect((await good.next('bar')).data.close).toBe(5);
    expect(await scrape(s)).toContain('ws_clients_dropped_total{path="/ws/prices",reason="heartbeat"} 1');
  });

  it('drops a slow consumer with close 1013 instead of buffering without bound', async () => {
    const s = await start({ ws: { maxBufferedBytes: 64 * 1024 } });
    const c = await connectWs(`${s.wsUrl}/ws/prices`);
    await c.next('hello');
    c.socket.pause();
    const dropped = 'ws_clients_dropped_total{path="/ws/prices",reason="slow_consumer"} 1';
    let metrics = '';
    for (let round = 0; round < 1000 && !metrics.includes(dropped); round++) {
      for (let i = 0; i < 500; i++) s.engine.emit(bar('AAPL', 100, T0 + i));
      await tick();
      metrics = await scrape(s);
    }
    expect(metrics).toContain(dropped);
    c.socket.resume();
    expect(await c.closed).toEqual({ code: 1013, reason: 'slow consumer' });
  });

  it('rejects unknown paths with 404', async () => {
    const s = await start();
    expect(await upgradeStatus(`${s.wsUrl}/ws/nope`)).toBe(404);
    expect(await upgradeStatus(`${s.wsUrl}/api/strategies`)).toBe(404);
  });

  it('needs the token when one is configured (header or ?token=)', async () => {
    const s = await start({ token: 'tok' });
    expect(await upgradeStatus(`${s.wsUrl}/ws/prices`)).toBe(401);
    expect(await upgradeStatus(`${s.wsUrl}/ws/prices?token=wrong`)).toBe(401);
    const byHeader = await connectWs(`${s.wsUrl}/ws/prices`, { headers: { Authorization: 'Bearer tok' } });
    expect((await byHeader.next()).type).toBe('hello');
    const byQuery = await connectWs(`${s.wsUrl}/ws/portfolio?token=tok`);
    expect((await byQuery.next()).type).toBe('hello');
  });

  it('refuses browser origins that are not configured', async () => {
    const s = await start({ corsOrigins: ['http://ok.local'] });
    expect(await upgradeStatus(`${s.wsUrl}/ws/prices`, { origin: 'http://evil.example' })).toBe(403);
    const c = await connectWs(`${s.wsUrl}/ws/prices`, { origin: 'http://ok.local' });
    expect((await c.next()).type).toBe('hello');
  });

  it('shares one engine subscription per hub and releases it and all clients on close', async () => {
    const subject = new Subject<EngineEvent>();
    let active = 0;
    const events$ = new Observable<EngineEvent>((sub) => {
      active++;
      const inner = subject.subscribe(sub);
      return () => {
        active--;
        inner.unsubscribe();
      };
    });
    const s = await start({ overrides: { events$ } });
    const clients = await Promise.all(
      ['/ws/prices', '/ws/signals', '/ws/portfolio', '/ws/health', '/ws/prices'].map((p) =>
        connectWs(`${s.wsUrl}${p}`),
      ),
    );
    expect(active).toBe(2); // metrics + hub
    await s.http.close();
    expect(active).toBe(1); // only metrics, disposed by the test server's close
    const codes = await Promise.all(clients.map((c) => c.closed));
    expect(codes.every((c) => c.code === 1006)).toBe(true);
  });
});
