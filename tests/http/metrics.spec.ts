import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import { createMetrics } from '../../http/metrics.js';
import { brokerRejected, filled, positionUpdated, rejected, signal, T0 } from './fixtures.js';
import { type TestServer, call, startServer } from './helpers.js';
import type { SchedulerStatus } from '../../engine/engine-api.js';
import type { SchedulerState } from '../../engine/messages/engine-event.js';

let srv: TestServer;
beforeEach(async () => {
  srv = await startServer();
});
afterEach(async () => {
  await srv.close();
});

const scrape = async (): Promise<string> => {
  const res = await fetch(`${srv.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

/** The value of one sample line, e.g. `sample(text, 'x_total{a="b"}')`; undefined when absent. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('serves every required metric name and default process metrics', async () => {
    const text = await scrape();
    for (const name of [
      'trading_signals_total',
      'trading_trades_executed_total',
      'trading_trades_rejected_total',
      'trading_position_pnl',
      'ibkr_connection_status',
      'scheduler_state',
      'actor_halted_total',
      'http_requests_total',
      'http_request_duration_seconds',
      'process_cpu_user_seconds_total',
    ]) {
      expect(text, name).toContain(`# TYPE ${name}`);
    }
    expect(sample(text, 'ibkr_connection_status')).toBe(0);
  });

  it('counts engine events with bounded labels', async () => {
    const e = srv.engine;
    e.emit(signal('AAPL', 'BUY'));
    e.emit(signal('AAPL', 'BUY', T0 + 1));
    e.emit(signal('AAPL', 'HOLD'));
    e.emit(filled('AAPL'));
    e.emit(rejected('AAPL', 'pdt'));
    e.emit(brokerRejected('AAPL'));
    e.emit(positionUpdated('AAPL', 10, 102));
    e.emit(positionUpdated('MSFT', 5, 90));
    e.emit(positionUpdated('MSFT', 0, 90));
    e.emit({ kind: 'actor.halted', ts: T0, symbol: 'TSLA', error: 'boom' });
    const text = await scrape();
    expect(sample(text, 'trading_signals_total{strategy="momentum",symbol="AAPL",side="BUY"}')).toBe(2);
    expect(text).not.toContain('side="HOLD"');
    expect(sample(text, 'trading_trades_executed_total{symbol="AAPL",side="BUY"}')).toBe(1);
    expect(sample(text, 'trading_trades_rejected_total{rule="pdt"}')).toBe(1);
    expect(sample(text, 'trading_trades_rejected_total{rule="broker"}')).toBe(1);
    expect(sample(text, 'trading_position_pnl{symbol="AAPL"}')).toBe(25);
    expect(sample(text, 'trading_position_pnl{symbol="MSFT"}')).toBeUndefined();
    expect(sample(text, 'actor_halted_total{symbol="TSLA"}')).toBe(1);
  });

  it('reports the scheduler state as one gauge per state', async () => {
    await call(`${srv.url}/api/scheduler/start`, 'POST');
    const text = await scrape();
    expect(sample(text, 'scheduler_state{state="running"}')).toBe(1);
    expect(sample(text, 'scheduler_state{state="stopped"}')).toBe(0);
  });

  it('labels HTTP requests by route pattern, unknown paths as unmatched', async () => {
    await call(`${srv.url}/api/strategies/abc/enable`, 'POST');
    await call(`${srv.url}/api/strategies/xyz/enable`, 'POST');
    await call(`${srv.url}/no/such/path/1`, 'GET');
    await call(`${srv.url}/no/such/path/2`, 'GET');
    const text = await scrape();
    expect(sample(text, 'http_requests_total{method="POST",route="/api/strategies/:id/enable",status="404"}')).toBe(2);
    expect(sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(2);
    expect(text).not.toContain('abc');
    expect(text).not.toContain('/no/such');
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/strategies/:id/enable"}',
    );
  });
});

describe('createMetrics', () => {
  it('keeps instances independent and stops counting after dispose', async () => {
    const events$ = new Subject<EngineEvent>();
    let connected = true;
    const engineWith = (state: SchedulerState, ibkr: () => boolean) => ({
      events$,
      schedulerStatus: () => ({ state, ibkr_connected: ibkr() }) as SchedulerStatus,
      confluenceStatus: () => ({
        weights: { technical: 0.5, sentiment: 0.3, options: 0.2 },
        min: 0.6,
        as_of: null,
        symbols: [],
      }),
    });
    const a = createMetrics({ engine: engineWith('paused', () => connected) });
    const b = createMetrics({ engine: engineWith('stopped', () => false) });
    events$.next(filled('AAPL'));
    b.dispose();
    events$.next(filled('AAPL'));
    const text = await a.registry.metrics();
    expect(sample(text, 'trading_trades_executed_total{symbol="AAPL",side="BUY"}')).toBe(2);
    expect(sample(text, 'ibkr_connection_status')).toBe(1);
    expect(sample(text, 'scheduler_state{state="paused"}')).toBe(1);
    connected = false;
    expect(sample(await a.registry.metrics(), 'ibkr_connection_status')).toBe(0);
    expect((await b.registry.metrics()).trim()).toBe('');
    a.dispose();
    expect(events$.observed).toBe(false);
  });
});
