import { afterEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../../engine/messages/market.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';
import type { ReqHistoricalDataRequest } from '../../support/fake-gateway/fake-gateway.types.js';
import { type FakeGateway, startFakeGateway } from '../../support/fake-gateway/fake-gateway.js';
import { type AdapterUnderTest, adapterFor, decodeErrorsIn, drive } from './ibkr-test-kit.js';

/**
 * Pacing on virtual time: the adapter's scheduler and the fake gateway's clock are the same
 * EventTimeScheduler, so `received[].atMs` are the virtual times the requests were written at.
 * Rules (TWS API "Historical Data Limitations", also in the project's pitfalls notes): no identical
 * request within 15 s, fewer than 6 per contract/exchange/tick type within 2 s, at most 60 in any
 * 10 minutes.
 */
const T0 = Date.UTC(2026, 10, 2, 15, 0);
const HOUR = 3_600_000;

let gw: FakeGateway | undefined;
let a: AdapterUnderTest | undefined;

afterEach(async () => {
  a?.adapter.dispose();
  await gw?.close();
  gw?.assertNoDecodeErrors();
  expect(decodeErrorsIn(a?.logger.entries ?? [])).toEqual([]);
  gw = undefined;
  a = undefined;
});

const identity = (r: ReqHistoricalDataRequest): string =>
  [r.contract.symbol, r.endDateTime, r.duration, r.barSize, r.whatToShow, r.useRTH].join('|');

/** Every rule broken in the gateway's log of history requests. */
const violations = (log: readonly ReqHistoricalDataRequest[]): string[] => {
  const problems: string[] = [];
  log.forEach((r, i) => {
    const earlier = log.slice(0, i);
    if (earlier.some((e) => identity(e) === identity(r) && r.atMs - e.atMs < 15_000))
      problems.push(`identical within 15 s: ${identity(r)}`);
    const sameContract = log.filter(
      (e) =>
        e.contract.symbol === r.contract.symbol &&
        e.whatToShow === r.whatToShow &&
        e.atMs <= r.atMs &&
        r.atMs - e.atMs <= 2_000,
    );
    if (sameContract.length >= 6)
      problems.push(`${sameContract.length} ${r.contract.symbol} requests within 2 s at ${r.atMs - T0}`);
    const window = log.filter((e) => e.atMs <= r.atMs && r.atMs - e.atMs <= 600_000);
    if (window.length > 60) problems.push(`${window.length} requests within 10 min at ${r.atMs - T0}`);
  });
  return problems;
};

const setup = async (serverVersion: number) => {
  const scheduler = new EventTimeScheduler(T0);
  const g = await startFakeGateway({ serverVersion, clock: () => scheduler.now() });
  g.setAccountValues({ NetLiquidation: 1_000 });
  gw = g;
  a = adapterFor(g, {
    scheduler,
    tuning: {
      requestTimeoutMs: HOUR,
      openTimeoutMs: HOUR,
      connectTimeoutMs: HOUR,
      backoff: { initialMs: 1_000, factor: 2, maxMs: 10_000, clientIdInUseMs: 1_000 },
    },
  });
  const adapter = a.adapter;
  void adapter.connect();
  await drive(scheduler, g, adapter, () => adapter.broker.isConnected(), 20);
  return { scheduler, gw: g, adapter };
};

const bar = (i: number) => ({
  time: String(T0 / 1000 - 600 + i * 60),
  open: 10,
  high: 11,
  low: 9,
  close: 10,
  volume: 5,
});

describe.each([176, 187, 193])('historical-data pacing on the fake gateway at server version %i', (sv) => {
  it('spreads a burst for one contract: at most 5 in 2 s, identical requests 15 s apart, shared while running', async () => {
    const { scheduler, gw, adapter } = await setup(sv);
    gw.setHistoricalBars('AAPL', [bar(0), bar(1)]);
    const results: (readonly Bar[])[] = [];
    const ask = (duration: string) =>
      adapter.marketData.history({ symbol: 'AAPL', timeframe: '1m', duration }).then((b) => results.push(b));
    const burst = ['1 D', '2 D', '3 D', '4 D', '5 D', '6 D', '7 D', '8 D'].map(ask);
    const shared = ask('1 D');
    await drive(scheduler, gw, adapter, () => results.length === 9, 50);
    await Promise.all([...burst, shared]);
    const again = ask('1 D');
    await drive(scheduler, gw, adapter, () => results.length === 10, 250);
    await again;

    const log = gw.receivedOf('reqHistoricalData');
    expect(log).toHaveLength(9);
    expect(violations(log)).toEqual([]);
    const offsets = log.map((r) => r.atMs - (log[0]?.atMs ?? 0));
    expect(offsets[5]).toBeGreaterThan(2_000);
    expect(offsets[8]).toBeGreaterThanOrEqual(15_000);
    expect(results.every((bars) => bars.length === 2)).toBe(true);
  });

  it('holds the 61st request of ten minutes until the first is ten minutes old', async () => {
    const { scheduler, gw, adapter } = await setup(sv);
    const symbols = Array.from(
      { length: 63 },
      (_, i) => `S${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`,
    );
    for (const s of symbols) gw.setHistoricalBars(s, [bar(0)]);
    let answered = 0;
    const all = symbols.map((symbol) =>
      adapter.marketData.history({ symbol, timeframe: '1m', duration: '1 D' }).then(() => (answered += 1)),
    );
    await drive(scheduler, gw, adapter, () => answered === 63, 500);
    await Promise.all(all);
    const log = gw.receivedOf('reqHistoricalData');
    expect(log).toHaveLength(63);
    expect(violations(log)).toEqual([]);
    const first = log[0]?.atMs ?? 0;
    expect((log[60]?.atMs ?? 0) - first).toBeGreaterThan(600_000);
    expect((log[59]?.atMs ?? 0) - first).toBeLessThan(60_000);
  });
});
