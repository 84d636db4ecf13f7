import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/config/app-config.js';
import { createSystem, paperSystem } from '../../adapters/system/create-system.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import type { RiskStatus } from '../../engine/engine-api.js';
import { type FakeGateway, startFakeGateway } from '../support/fake-gateway/fake-gateway.js';
import { ibkrOf, useSystemHarness } from '../support/system-harness.js';
import { FAST_TUNING, until } from '../adapters/ibkr/ibkr-test-kit.js';

/**
 * IBKR's own account figures (DayTradesRemaining, SettledCash) from the fake gateway's account
 * summary, through real sockets, into risk's decisions and `GET /api/risk/status`.
 */

const h = useSystemHarness('tradebot-broker-account-');

/** A gateway that fills market orders at 190, with the given account values. */
const gateway = async (values: Readonly<Record<string, number>>): Promise<FakeGateway> => {
  const g = await startFakeGateway({ defaultOrderScript: () => ({ kind: 'fill' }) });
  g.setMarketPrice('AAPL', 190);
  g.setAccountValues({ NetLiquidation: 100_000, TotalCashValue: 100_000, ...values });
  h.gateway = g;
  return g;
};

/** The real BROKER=ibkr system on a SQLite file and the fake gateway, API on port 0, scheduler stopped. */
const boot = async (port: number, env: Record<string, string>) => {
  const system = ibkrOf(
    await createSystem({
      config: loadConfig({
        BROKER: 'ibkr',
        SENTIMENT_PROVIDERS: 'false',
        IBKR_HOST: '127.0.0.1',
        IBKR_PORT: String(port),
        IBKR_CLIENT_ID: '7',
        DATABASE_URL: `sqlite:///${join(h.dir(), 'trading.db')}`,
        API_PORT: '0',
        SCHEDULER_ENABLED: 'false',
        TRADING_STRATEGIES: '',
        ...env,
      }),
      logger: h.logger,
      ibkrTuning: FAST_TUNING,
    }),
  );
  h.running.push(system);
  const reports: EngineEvent[] = [];
  system.engine.events$.subscribe((e) => {
    if (e.kind === 'broker.account_reported') reports.push(e);
  });
  const { port: apiPort } = await system.start();
  return { system, base: `http://127.0.0.1:${apiPort}`, reports };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const call = async (url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> => {
  const res = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: res.status, body: await res.json() };
};

const riskStatus = async (base: string): Promise<RiskStatus> => {
  const res = await call(`${base}/api/risk/status`);
  expect(res.status).toBe(200);
  return res.body as RiskStatus;
};

const buyAapl = (quantity: number) => ({ symbol: 'AAPL', side: 'BUY', quantity, price_per_share: 190 });

describe("IBKR's account figures reach risk (real sockets to the fake IB Gateway)", () => {
  it('RISK_PDT_POLICY=broker: DayTradesRemaining read on connect and every position sync decides entries', async () => {
    const gw = await gateway({ SettledCash: 100_000, DayTradesRemaining: 0 });
    const { system, base, reports } = await boot(gw.port, {
      RISK_PDT_POLICY: 'broker',
      SCHEDULER_ENABLED: 'true',
      POSITION_SYNC_INTERVAL: '0.05',
    });
    // Read on connect (the start-up reconciliation), before any position sync could run.
    expect(reports[0]).toMatchObject({ accountId: 'DU1234567', dayTradesRemaining: 0, settledCash: 100_000 });

    const pdt = (await riskStatus(base)).pdt;
    expect(pdt).toMatchObject({
      policy: 'broker',
      source: 'broker',
      day_trades_remaining: 0,
      broker: { day_trades_remaining: 0, stale: false, day_trades_since_report: 0 },
    });
    expect(pdt.broker?.age_seconds).toBeLessThan(60);

    const refused = await call(`${base}/api/trading/execute`, 'POST', buyAapl(10));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ rule: 'pdt' });
    expect(refused.body.reason).toContain('the broker reports 0 day trades remaining (IBKR reported 0 at ');

    // IBKR's counter moves; the next position sync reads it.
    gw.setAccountValues({ DayTradesRemaining: 2 });
    await until(() => system.engine.riskStatus().pdt.day_trades_remaining === 2, 'the new DayTradesRemaining');
    expect(reports.length).toBeGreaterThanOrEqual(2);
    const placed = await call(`${base}/api/trading/execute`, 'POST', buyAapl(10));
    expect(placed.status).toBe(201);
    await system.engine.idle();
  });

  it('RISK_ACCOUNT_TYPE=cash: buys are capped by SettledCash less what was bought since, and the mismatch is shown', async () => {
    const gw = await gateway({ SettledCash: 1_000 });
    const { system, base } = await boot(gw.port, { RISK_ACCOUNT_TYPE: 'cash', PAPER_INITIAL_CASH: '100000' });

    // The book starts from PAPER_INITIAL_CASH (100,000); IBKR reports 1,000 settled.
    const warned = h.logs().filter((l) => l.level === 'warn' && l.msg.startsWith("settled cash differs from IBKR's"));
    expect(warned.map((l) => l.msg)).toEqual([
      "settled cash differs from IBKR's by -99000.00 (local 100000.00, IBKR 1000.00); buys use the lower figure",
    ]);
    expect((await riskStatus(base)).settlement).toMatchObject({
      account_type: 'cash',
      settled_cash: 100_000,
      effective_settled_cash: 1_000,
      broker: { settled_cash: 1_000, difference: -99_000, mismatch: true, stale: false, bought_since_report: 0 },
    });

    const refused = await call(`${base}/api/trading/execute`, 'POST', buyAapl(10)); // $1,900
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ rule: 'unsettled_cash' });
    expect(refused.body.reason).toContain('exceeds settled cash 1000.00 (IBKR SettledCash 1000.00 at ');

    const placed = await call(`${base}/api/trading/execute`, 'POST', buyAapl(5)); // $950
    expect(placed.status).toBe(201);
    await until(() => system.engine.portfolio().positions.some((p) => p.quantity === 5), 'the fill');
    await system.engine.idle();
    const after = (await riskStatus(base)).settlement;
    if (after.account_type !== 'cash') throw new Error('not a cash account');
    const bought = after.broker?.bought_since_report ?? 0;
    expect(bought).toBeGreaterThanOrEqual(950); // 5 x 190 plus the commission
    expect(after.effective_settled_cash).toBeCloseTo(1_000 - bought, 2);
    // The remaining ~$49 does not buy another share: no double spend of the reported figure.
    expect((await call(`${base}/api/trading/execute`, 'POST', buyAapl(1))).status).toBe(422);

    // The next read (what a position sync runs) replaces the figure and starts counting afresh.
    gw.setAccountValues({ SettledCash: 48 });
    expect(await system.ibkr.broker.sync('test')).toBe(true);
    expect((await riskStatus(base)).settlement).toMatchObject({
      effective_settled_cash: 48,
      broker: { settled_cash: 48, bought_since_report: 0 },
    });
  });

  it('a summary with an invalid figure is logged and left out: risk keeps its local count', async () => {
    const gw = await gateway({ DayTradesRemaining: 1.5 });
    const { base, reports } = await boot(gw.port, { RISK_PDT_POLICY: 'broker' });
    expect(reports).toEqual([]);
    expect(
      h
        .logs()
        .some(
          (l) =>
            l.level === 'warn' &&
            l.msg.includes('IBKR account summary not passed to risk') &&
            l.msg.includes('dayTradesRemaining must be a whole number'),
        ),
    ).toBe(true);
    expect((await riskStatus(base)).pdt).toMatchObject({ source: 'local', day_trades_remaining: 3, broker: null });
  });
});

describe('BROKER=paper has no broker figures', () => {
  it('RISK_PDT_POLICY=broker falls back to the local count; the status says so', async () => {
    const system = paperSystem(
      await createSystem({
        config: loadConfig({
          DATABASE_URL: 'sqlite::memory:',
          API_PORT: '0',
          SCHEDULER_ENABLED: 'false',
          TRADING_STRATEGIES: '',
          RISK_PDT_POLICY: 'broker',
          RISK_ACCOUNT_TYPE: 'cash',
        }),
        logger: h.logger,
        playMarket: false,
      }),
    );
    h.running.push(system);
    const { port } = await system.start();
    const status = await riskStatus(`http://127.0.0.1:${port}`);
    expect(status.pdt).toMatchObject({ policy: 'broker', source: 'local', broker: null });
    expect(status.settlement).toMatchObject({ account_type: 'cash', effective_settled_cash: 100_000, broker: null });
  });
});
