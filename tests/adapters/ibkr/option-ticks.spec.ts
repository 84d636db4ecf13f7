import { asyncScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { IbkrConnection } from '../../../adapters/ibkr/ibkr-connection.js';
import {
  OPTION_GENERIC_TICKS,
  OPTION_TICK_IDS,
  type OptionTicks,
  createOptionTicks,
} from '../../../adapters/ibkr/option-ticks.js';
import { OutboundBudget } from '../../../adapters/ibkr/outbound-budget.js';
import { createHttpClient } from '../../../adapters/sentiment/http/http-client.js';
import { createOptionsProvider } from '../../../adapters/sentiment/options/provider.js';
import type { ProviderReading } from '../../../adapters/sentiment/provider.js';
import { type FakeGateway, startFakeGateway } from '../../support/fake-gateway/fake-gateway.js';
import { decodeErrorsIn, recordingLogger, until } from './ibkr-test-kit.js';

/**
 * Option ticks against the fake gateway over a real socket: the unmodified @stoqey/ib client decodes
 * every TICK_SIZE / TICK_GENERIC / ERR_MSG the fake sends (its self-check runs the client decoder on
 * each frame). Tick types and generic tick ids from the TWS API tick-types table.
 */

const T0 = Date.UTC(2026, 10, 2, 15, 0);

interface Rig {
  readonly gw: FakeGateway;
  readonly connection: IbkrConnection;
  readonly ticks: OptionTicks;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly clock: { now: number };
}

const rigs: Rig[] = [];

afterEach(async () => {
  const all = rigs.splice(0);
  for (const r of all) {
    r.ticks.stop();
    r.connection.dispose();
    await r.gw.close();
  }
  for (const r of all) {
    r.gw.assertNoDecodeErrors();
    expect(decodeErrorsIn(r.logger.entries)).toEqual([]);
  }
});

const setup = async (maxLines = 10, retryFailedAfterMs?: number): Promise<Rig> => {
  const gw = await startFakeGateway();
  const logger = recordingLogger();
  const connection = new IbkrConnection({
    host: '127.0.0.1',
    port: gw.port,
    clientId: 9,
    scheduler: asyncScheduler,
    budget: new OutboundBudget({ ratePerSecond: 35, burst: 4, scheduler: asyncScheduler }),
    logger,
    requestTimeoutMs: 4_000,
    openTimeoutMs: 4_000,
    backoff: { initialMs: 20, factor: 2, maxMs: 200, clientIdInUseMs: 50 },
  });
  const clock = { now: T0 };
  const ticks = createOptionTicks({
    connection,
    logger,
    now: () => clock.now,
    maxLines,
    ...(retryFailedAfterMs === undefined ? {} : { retryFailedAfterMs }),
  });
  const rig = { gw, connection, ticks, logger, clock };
  rigs.push(rig);
  return rig;
};

const connect = async (r: Rig): Promise<void> => {
  r.connection.connect();
  expect(await r.connection.settled(5_000)).toBe('connected');
};

const mktDataFor = (gw: FakeGateway, symbol: string) =>
  gw.receivedOf('reqMktData').filter((m) => m.contract.symbol === symbol);

describe('option ticks: requests', () => {
  it('asks for the stock contract (SMART, USD) with generic ticks 100,101,104,105,106, streaming, one own ticker id per symbol', async () => {
    const r = await setup();
    await connect(r);
    r.ticks.track(['AAPL', 'msft']);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'MSFT');
    const [aapl, msft] = [mktDataFor(r.gw, 'AAPL'), mktDataFor(r.gw, 'MSFT')];
    expect(aapl).toHaveLength(1);
    expect(msft).toHaveLength(1);
    for (const req of [aapl[0], msft[0]]) {
      expect(req?.contract).toMatchObject({ secType: 'STK', exchange: 'SMART', currency: 'USD' });
      expect(req?.genericTickList).toBe('100,101,104,105,106');
      expect(req?.snapshot).toBe(false);
      expect(req?.reqId).toBeGreaterThanOrEqual(OPTION_TICK_IDS.first);
      expect(req?.reqId).toBeLessThanOrEqual(OPTION_TICK_IDS.last);
    }
    expect(aapl[0]?.reqId).not.toBe(msft[0]?.reqId);
    expect(OPTION_GENERIC_TICKS).toBe('100,101,104,105,106');
    expect([...r.ticks.requests().keys()]).toEqual(['AAPL', 'MSFT']);
    expect(r.ticks.tracked()).toEqual(['AAPL', 'MSFT']);
    // Tracking again does not ask again.
    r.ticks.track(['AAPL']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(mktDataFor(r.gw, 'AAPL')).toHaveLength(1);
  });

  it('keeps the latest value of each figure with its arrival time, per symbol', async () => {
    const r = await setup();
    await connect(r);
    r.ticks.track(['AAPL', 'MSFT']);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'MSFT');
    expect(r.ticks.optionStats('AAPL')).toEqual({ symbol: 'AAPL' });
    r.gw.pushOptionTicks('AAPL', {
      callVolume: 120_000,
      putVolume: 60_000,
      callOpenInterest: 2_500_000,
      putOpenInterest: 1_900_000,
      avgOptionVolume: 150_000,
      impliedVol: 0.32,
      historicalVol: 0.25,
    });
    await until(() => r.ticks.optionStats('AAPL')?.impliedVol !== undefined, 'AAPL implied volatility');
    const at = (value: number) => ({ value, ts: T0 });
    expect(r.ticks.optionStats('AAPL')).toEqual({
      symbol: 'AAPL',
      callVolume: at(120_000),
      putVolume: at(60_000),
      callOpenInterest: at(2_500_000),
      putOpenInterest: at(1_900_000),
      avgOptionVolume: at(150_000),
      impliedVol: at(0.32),
      historicalVol: at(0.25),
    });
    r.clock.now = T0 + 60_000;
    r.gw.pushOptionTicks('AAPL', { callVolume: 125_000 });
    await until(() => r.ticks.optionStats('AAPL')?.callVolume?.value === 125_000, 'AAPL call volume update');
    expect(r.ticks.optionStats('aapl')?.callVolume).toEqual({ value: 125_000, ts: T0 + 60_000 });
    expect(r.ticks.optionStats('AAPL')?.putVolume).toEqual(at(60_000));
    expect(r.ticks.optionStats('MSFT')).toEqual({ symbol: 'MSFT' });
    expect(r.ticks.optionStats('TSLA')).toBeUndefined();
  });

  it('ignores an implied volatility of 0 (not computed) but keeps a volume of 0', async () => {
    const r = await setup();
    await connect(r);
    r.ticks.track(['AAPL']);
    await r.gw.waitForRequest('reqMktData');
    r.gw.pushOptionTicks('AAPL', { impliedVol: 0, putVolume: 0, callVolume: 10 });
    await until(() => r.ticks.optionStats('AAPL')?.callVolume !== undefined, 'AAPL call volume');
    expect(r.ticks.optionStats('AAPL')?.putVolume).toEqual({ value: 0, ts: T0 });
    expect(r.ticks.optionStats('AAPL')?.impliedVol).toBeUndefined();
  });

  it('requests on connect what was tracked before, and reports not connected until then', async () => {
    const r = await setup();
    r.ticks.track(['NVDA']);
    expect(r.ticks.unavailableReason()).toBe('not connected to IB Gateway');
    expect(r.ticks.optionStats('NVDA')).toEqual({ symbol: 'NVDA' });
    await connect(r);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'NVDA');
    expect(r.ticks.unavailableReason()).toBeUndefined();
  });

  it('skips what is not a ticker symbol, with a warning', async () => {
    const r = await setup();
    await connect(r);
    r.ticks.track(['not a symbol', 'SPY']);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'SPY');
    expect(r.ticks.tracked()).toEqual(['SPY']);
    expect(r.logger.entries.some((e) => e.level === 'warn' && e.obj['symbol'] === 'not a symbol')).toBe(true);
  });

  it('refuses a maxLines that is not a whole number >= 1', () => {
    const connection = { session: undefined, addHooks: () => undefined };
    expect(() => createOptionTicks({ connection, logger: recordingLogger(), now: () => T0, maxLines: 0 })).toThrow(
      /maxLines must be a whole number >= 1, got 0/,
    );
  });
});

describe('option ticks: market-data lines', () => {
  it('holds at most maxLines requests; the rest wait with a reason and go out when a line frees', async () => {
    const r = await setup(2);
    await connect(r);
    r.ticks.track(['AAPL', 'MSFT', 'TSLA']);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'MSFT');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(mktDataFor(r.gw, 'TSLA')).toHaveLength(0);
    expect(r.ticks.optionStats('TSLA')?.reason).toBe('over the option-tick line limit (2); waiting for a free line');
    const aaplId = r.ticks.requests().get('AAPL');
    r.ticks.untrack(['AAPL']);
    const cancel = await r.gw.waitForRequest('cancelMktData');
    expect(cancel.reqId).toBe(aaplId);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'TSLA');
    expect(r.ticks.optionStats('TSLA')?.reason).toBeUndefined();
    expect(r.ticks.optionStats('AAPL')).toBeUndefined();
    expect(r.ticks.tracked()).toEqual(['MSFT', 'TSLA']);
  });
});

describe('option ticks: errors per symbol', () => {
  it('records 354 (no subscription) and 10089 (needs another subscription) as the symbol reason; others keep streaming', async () => {
    const r = await setup();
    r.gw.failMarketData('TSLA', 354);
    r.gw.failMarketData('NVDA', 10089);
    await connect(r);
    r.ticks.track(['TSLA', 'NVDA', 'AAPL']);
    await until(
      () => r.ticks.optionStats('TSLA')?.reason !== undefined && r.ticks.optionStats('NVDA')?.reason !== undefined,
      'both refusals',
    );
    expect(r.ticks.optionStats('TSLA')?.reason).toBe('IBKR 354: Requested market data is not subscribed.');
    expect(r.ticks.optionStats('NVDA')?.reason).toMatch(
      /^IBKR 10089: Requested market data requires additional subscription/,
    );
    expect([...r.ticks.requests().keys()]).toEqual(['AAPL']);
    r.gw.pushOptionTicks('AAPL', { callVolume: 5 });
    await until(() => r.ticks.optionStats('AAPL')?.callVolume !== undefined, 'AAPL still streaming');
    expect(r.ticks.optionStats('AAPL')?.reason).toBeUndefined();
  });

  it('a refused request frees its line for a waiting symbol', async () => {
    const r = await setup(1);
    r.gw.failMarketData('TSLA', 354);
    await connect(r);
    r.ticks.track(['TSLA', 'AAPL']);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'AAPL');
    expect(r.ticks.optionStats('TSLA')?.reason).toMatch(/^IBKR 354/);
    expect([...r.ticks.requests().keys()]).toEqual(['AAPL']);
  });

  it('10090 (part of the data not subscribed) is recorded while the request keeps streaming', async () => {
    const r = await setup();
    r.gw.failMarketData('AAPL', 10090);
    await connect(r);
    r.ticks.track(['AAPL']);
    await until(() => r.ticks.optionStats('AAPL')?.reason !== undefined, 'the 10090 reason');
    expect(r.ticks.optionStats('AAPL')?.reason).toMatch(/^IBKR 10090: Part of requested market data is not subscribed/);
    r.gw.pushOptionTicks('AAPL', { historicalVol: 0.21 });
    await until(() => r.ticks.optionStats('AAPL')?.historicalVol !== undefined, 'AAPL historical volatility');
    expect(r.ticks.requests().has('AAPL')).toBe(true);
  });

  it('asks a refused symbol again on track once retryFailedAfterMs has passed, not before', async () => {
    const r = await setup(10, 60_000);
    r.gw.failMarketData('TSLA', 354);
    await connect(r);
    r.ticks.track(['TSLA']);
    await until(() => r.ticks.optionStats('TSLA')?.reason !== undefined, 'the refusal');
    r.gw.clearMarketDataFailure('TSLA');
    r.clock.now = T0 + 59_000;
    r.ticks.track(['TSLA']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(mktDataFor(r.gw, 'TSLA')).toHaveLength(1);
    r.clock.now = T0 + 60_000;
    r.ticks.track(['TSLA']);
    await until(() => mktDataFor(r.gw, 'TSLA').length === 2, 'the second request');
    expect(r.ticks.optionStats('TSLA')?.reason).toBeUndefined();
    r.gw.pushOptionTicks('TSLA', { putVolume: 7 });
    await until(() => r.ticks.optionStats('TSLA')?.putVolume !== undefined, 'TSLA figures');
  });
});

describe('option ticks: reconnects', () => {
  it('requests every tracked symbol again on a new connection (refused ones too), with new ticker ids', async () => {
    const r = await setup();
    r.gw.failMarketData('TSLA', 354);
    await connect(r);
    r.ticks.track(['AAPL', 'TSLA']);
    await until(() => r.ticks.optionStats('TSLA')?.reason !== undefined, 'the refusal');
    const first = mktDataFor(r.gw, 'AAPL')[0];
    r.gw.clearMarketDataFailure('TSLA');
    await r.gw.dropConnections();
    await until(
      () => r.gw.connectionCount === 2 && mktDataFor(r.gw, 'TSLA').length === 2,
      'the requests on the new session',
    );
    await until(() => mktDataFor(r.gw, 'AAPL').length === 2, 'AAPL again');
    const second = mktDataFor(r.gw, 'AAPL')[1];
    expect(second?.sessionId).not.toBe(first?.sessionId);
    expect(second?.reqId).not.toBe(first?.reqId);
    r.gw.pushOptionTicks('TSLA', { callVolume: 1_000 });
    r.gw.pushOptionTicks('AAPL', { callVolume: 2_000 });
    await until(
      () =>
        r.ticks.optionStats('TSLA')?.callVolume?.value === 1_000 &&
        r.ticks.optionStats('AAPL')?.callVolume?.value === 2_000,
      'figures on the new session',
    );
    expect(r.ticks.optionStats('TSLA')?.reason).toBeUndefined();
  });

  it('after 1101 (restored, data lost) cancels and requests again on the same session', async () => {
    const r = await setup();
    await connect(r);
    r.ticks.track(['AAPL']);
    const first = await r.gw.waitForRequest('reqMktData');
    const since = r.gw.received.length;
    r.gw.sendError(-1, 1101);
    const cancel = await r.gw.waitForRequest('cancelMktData', () => true, { since });
    expect(cancel.reqId).toBe(first.reqId);
    const again = await r.gw.waitForRequest('reqMktData', () => true, { since });
    expect(again.sessionId).toBe(first.sessionId);
    expect(again.reqId).not.toBe(first.reqId);
    expect(r.gw.marketDataSubscriptions.map((s) => s.reqId)).toEqual([again.reqId]);
  });
});

describe('option ticks: stop', () => {
  it('cancels every request and forgets everything', async () => {
    const r = await setup();
    await connect(r);
    r.ticks.track(['AAPL', 'MSFT']);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'MSFT');
    const ids = [...r.ticks.requests().values()].sort();
    r.ticks.stop();
    await until(() => r.gw.receivedOf('cancelMktData').length === 2, 'two cancels');
    expect(
      r.gw
        .receivedOf('cancelMktData')
        .map((c) => c.reqId)
        .sort(),
    ).toEqual(ids);
    expect(r.gw.marketDataSubscriptions).toEqual([]);
    expect(r.ticks.optionStats('AAPL')).toBeUndefined();
    expect(r.ticks.unavailableReason()).toBe('option ticks stopped');
    r.ticks.track(['TSLA']);
    expect(r.ticks.tracked()).toEqual([]);
  });
});

describe('option ticks feed the options provider', () => {
  it('a live reading from the gateway figures (no Unusual Whales key)', async () => {
    const r = await setup();
    await connect(r);
    const readings: ProviderReading[] = [];
    const provider = createOptionsProvider(
      {
        enabled: true,
        baseUrl: 'http://127.0.0.1:9',
        intervalMs: 300_000,
        uwApiKey: undefined,
        ivJump: 0.15,
        maxLines: 10,
      },
      {
        http: createHttpClient({ timeoutMs: 300, backoffMs: 5, maxRetries: 1, maxRetryWaitMs: 50 }),
        history: { readings: async () => readings },
        now: () => r.clock.now,
      },
      r.ticks,
    );
    expect(provider.availability()).toEqual({ available: true });
    // The first fetch starts following the symbol; nothing to score yet.
    expect(await provider.fetch('AAPL')).toEqual([]);
    await r.gw.waitForRequest('reqMktData', (m) => m.contract.symbol === 'AAPL');
    r.gw.pushOptionTicks('AAPL', { callVolume: 40_000, putVolume: 10_000, avgOptionVolume: 25_000, impliedVol: 0.3 });
    await until(() => r.ticks.optionStats('AAPL')?.impliedVol !== undefined, 'AAPL figures');
    const [reading] = await provider.fetch('AAPL');
    expect(reading?.score).toBeGreaterThan(0.5);
    expect(reading?.sourceTs).toBe(T0);
    expect(reading?.detail).toMatchObject({ put_call_ratio: 0.25, option_volume: 50_000, volume_ratio: 2, iv: 0.3 });
  });
});
