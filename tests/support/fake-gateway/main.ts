/**
 * Standalone fake IB Gateway for manual runs: `npx tsx tests/support/fake-gateway/main.ts [port]`
 * (or FAKE_GATEWAY_PORT; default 4004 = the paper port of docker-compose). A demo account, seeded
 * prices ticking every second, real-time bars every 5 s, historical bars, market orders filled at the
 * last price and limit/stop orders filled when crossed. Ctrl-C stops it.
 */
import { DateTime } from 'luxon';
import type { FakeHistoricalBar, ReqHistoricalDataRequest } from './fake-gateway.types.js';
import { startFakeGateway } from './fake-gateway.js';

const SEED_PRICES: Readonly<Record<string, number>> = { AAPL: 190, MSFT: 410, SPY: 475, TSLA: 245, NVDA: 495 };

const parsePort = (text: string | undefined): number => {
  if (text === undefined || text === '') return 4004;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port "${text}"`);
  return port;
};

/** Deterministic pseudo-random walk so historical bars are the same on every run. */
const walk = (seed: number, count: number, start: number): number[] => {
  let x = seed;
  let price = start;
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    x = (x * 1103515245 + 12345) % 2147483648;
    price = Math.max(1, price * (1 + (x / 2147483648 - 0.5) * 0.02));
    out.push(Math.round(price * 100) / 100);
  }
  return out;
};

const barsFor = (symbol: string, seedPrice: number, r: ReqHistoricalDataRequest): FakeHistoricalBar[] => {
  const daily = r.barSize.includes('day');
  const count = daily ? 120 : 390;
  const closes = walk(symbol.charCodeAt(0) * 7919 + symbol.length, count, seedPrice);
  const end = DateTime.now().setZone('America/New_York');
  return closes.map((close, i) => {
    const open = i === 0 ? close : (closes[i - 1] as number);
    const t = daily ? end.minus({ days: count - i }) : end.minus({ minutes: count - i }).startOf('minute');
    const time =
      r.formatDate === 2
        ? String(Math.floor(t.toSeconds()))
        : daily
          ? t.toFormat('yyyyMMdd')
          : `${t.toFormat('yyyyMMdd HH:mm:ss')} US/Eastern`;
    return {
      time,
      open,
      high: Math.round(Math.max(open, close) * 1.002 * 100) / 100,
      low: Math.round(Math.min(open, close) * 0.998 * 100) / 100,
      close,
      volume: 10_000 + i * 10,
    };
  });
};

const main = async (): Promise<void> => {
  const port = parsePort(process.argv[2] ?? process.env['FAKE_GATEWAY_PORT']);
  const serverVersion = Number(process.env['FAKE_GATEWAY_SERVER_VERSION'] ?? 193);
  const gw = await startFakeGateway({
    port,
    serverVersion,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  gw.setAccountValues({
    AccountType: 'INDIVIDUAL',
    NetLiquidation: 100_000,
    TotalCashValue: 60_000,
    SettledCash: 60_000,
    AvailableFunds: 60_000,
    BuyingPower: 240_000,
    EquityWithLoanValue: 100_000,
    GrossPositionValue: 40_000,
    InitMarginReq: 10_000,
    MaintMarginReq: 8_000,
    ExcessLiquidity: 92_000,
    DayTradesRemaining: 3,
  });
  for (const [symbol, price] of Object.entries(SEED_PRICES)) {
    gw.defineContract({ symbol, primaryExch: symbol === 'SPY' ? 'ARCA' : 'NASDAQ' });
    gw.setMarketPrice(symbol, price);
    gw.setHistoricalBars(symbol, (r) => barsFor(symbol, price, r));
  }
  gw.setPositions([
    { symbol: 'AAPL', quantity: 100, avgCost: 180 },
    { symbol: 'MSFT', quantity: 50, avgCost: 400 },
  ]);

  let tick = 0;
  const prices = new Map(Object.entries(SEED_PRICES));
  const timer = setInterval(() => {
    tick += 1;
    for (const [symbol, price] of prices) {
      const next = Math.max(1, Math.round(price * (1 + (Math.random() - 0.5) * 0.002) * 100) / 100);
      prices.set(symbol, next);
      gw.pushTick(symbol, {
        bid: Math.round((next - 0.01) * 100) / 100,
        ask: Math.round((next + 0.01) * 100) / 100,
        last: next,
        bidSize: 100,
        askSize: 200,
        lastSize: 100,
      });
      if (tick % 5 === 0) {
        const time = Math.floor(Date.now() / 5000) * 5 - 5;
        gw.pushRealTimeBar(symbol, {
          time,
          open: price,
          high: Math.max(price, next),
          low: Math.min(price, next),
          close: next,
          volume: 500,
        });
      }
    }
  }, 1000);

  console.log(
    `fake IB Gateway on 127.0.0.1:${gw.port}, server version ≤ ${gw.serverVersion}, account ${gw.accounts.join(',')}`,
  );
  const stop = (): void => {
    clearInterval(timer);
    void gw.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
