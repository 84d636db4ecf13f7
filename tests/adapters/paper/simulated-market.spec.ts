import { afterEach, describe, expect, it, vi } from 'vitest';
import { interval } from 'rxjs';
import { createSimulatedMarket } from '../../../adapters/paper/simulated-market.js';
import type { SimulatedMarket, SimulatedMarketOptions } from '../../../adapters/paper/simulated-market.js';
import { isOpen, sessionBounds, sessionDateOf } from '../../../engine/calendar/nyse-calendar.js';
import type { Bar } from '../../../engine/messages/market.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';

const utc = (iso: string): number => Date.parse(`${iso}Z`);

const record = (market: SimulatedMarket): Bar[] => {
  const bars: Bar[] = [];
  market.bars$.subscribe((b) => bars.push(b));
  return bars;
};

const run = (options: SimulatedMarketOptions, steps: number): { market: SimulatedMarket; bars: Bar[] } => {
  const market = createSimulatedMarket(options);
  const bars = record(market);
  for (let i = 0; i < steps; i += 1) market.step();
  return { market, bars };
};

const of = (bars: Bar[], symbol: string): Bar[] => bars.filter((b) => b.symbol === symbol);

describe('simulated market: determinism', () => {
  it('the same seed gives the identical bar sequence, another seed a different one', () => {
    const a = run({ seed: 7, startDate: '2026-03-02' }, 800).bars;
    const b = run({ seed: 7, startDate: '2026-03-02' }, 800).bars;
    const c = run({ seed: 8, startDate: '2026-03-02' }, 800).bars;
    expect(a).toHaveLength(2400);
    expect(b).toEqual(a);
    expect(c.map((x) => x.close)).not.toEqual(a.map((x) => x.close));
  });

  it('a symbol gives the same bars whatever else is subscribed', () => {
    const together = run({ seed: 3, startDate: '2026-03-02', symbols: ['SPY', 'AAPL', 'ZZZT'] }, 500).bars;
    const alone = run({ seed: 3, startDate: '2026-03-02', symbols: ['AAPL'] }, 500).bars;
    expect(alone).toEqual(of(together, 'AAPL'));
  });

  it('a symbol subscribed later starts at the current minute with the bars an early subscriber saw', () => {
    const early = run({ seed: 5, startDate: '2026-03-02', symbols: ['SPY', 'QQQ'] }, 1_000).bars;
    const market = createSimulatedMarket({ seed: 5, startDate: '2026-03-02', symbols: ['SPY'] });
    const bars = record(market);
    for (let i = 0; i < 600; i += 1) market.step();
    market.subscribe(['QQQ', 'SPY']);
    expect(market.lastPrice('QQQ')).toBe(of(early, 'QQQ')[599]?.close);
    for (let i = 0; i < 400; i += 1) market.step();
    const lateQqq = of(bars, 'QQQ');
    expect(lateQqq).toHaveLength(400);
    expect(lateQqq).toEqual(of(early, 'QQQ').slice(600));
    expect(of(bars, 'SPY')).toEqual(of(early, 'SPY'));
  });

  it('resumeFrom continues exactly like an uninterrupted run', () => {
    const full = run({ seed: 11, startDate: '2026-11-25' }, 1_300);
    const first = run({ seed: 11, startDate: '2026-11-25' }, 700);
    const cursor = first.market.cursor();
    const resumed = createSimulatedMarket({ seed: 11, startDate: '2026-11-25', resumeFrom: cursor });
    expect(resumed.now()).toBe(cursor);
    expect(resumed.scheduler.now()).toBe(cursor);
    expect(resumed.lastPrice('SPY')).toBe(first.market.lastPrice('SPY'));
    const rest = record(resumed);
    for (let i = 0; i < 600; i += 1) resumed.step();
    expect([...first.bars, ...rest]).toEqual(full.bars);
    expect(resumed.cursor()).toBe(full.market.cursor());
  });
});

describe('simulated market: sessions', () => {
  it('emits 1-minute bars only inside NYSE sessions, jumping from close to the next open', () => {
    const { market, bars } = run({ seed: 1, startDate: '2026-03-06', symbols: ['SPY'] }, 390 * 3);
    expect(bars[0]?.ts).toBe(utc('2026-03-06T14:30:00'));
    for (const bar of bars) {
      expect(bar.timeframe).toBe('1m');
      expect(isOpen(bar.ts)).toBe(true);
      expect(isOpen(bar.ts + 59_999)).toBe(true);
    }
    const perDay = new Map<string, number>();
    for (const bar of bars) perDay.set(sessionDateOf(bar.ts), (perDay.get(sessionDateOf(bar.ts)) ?? 0) + 1);
    expect([...perDay]).toEqual([
      ['2026-03-06', 390],
      ['2026-03-09', 390],
      ['2026-03-10', 390],
    ]);
    expect(bars[390]?.ts).toBe(utc('2026-03-09T13:30:00'));
    expect(market.now()).toBe(utc('2026-03-10T20:00:00'));
    const ts = bars.map((b) => b.ts);
    expect(new Set(ts).size).toBe(ts.length);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  });

  it('an early-close day has 210 bars, then the next session follows', () => {
    const { bars } = run({ seed: 1, startDate: '2026-11-27', symbols: ['SPY'] }, 211);
    expect(bars.filter((b) => sessionDateOf(b.ts) === '2026-11-27')).toHaveLength(210);
    expect(bars[209]?.ts).toBe(utc('2026-11-27T17:59:00'));
    expect(bars[210]?.ts).toBe(sessionBounds('2026-11-30')?.open);
  });

  it('skips holidays, both at the start date and inside the run', () => {
    const fromHoliday = run({ seed: 1, startDate: '2026-04-03', symbols: ['SPY'] }, 1).bars;
    expect(fromHoliday[0]?.ts).toBe(utc('2026-04-06T13:30:00'));
    const across = run({ seed: 1, startDate: '2026-11-25', symbols: ['SPY'] }, 391).bars;
    expect(sessionDateOf(across[389]?.ts ?? 0)).toBe('2026-11-25');
    expect(sessionDateOf(across[390]?.ts ?? 0)).toBe('2026-11-27');
  });

  it('emits all symbols of a minute before advancing the scheduler to the minute end', () => {
    const market = createSimulatedMarket({ seed: 1, startDate: '2026-03-09' });
    const log: string[] = [];
    market.bars$.subscribe((b) => log.push(`${b.symbol}@${b.ts}`));
    interval(60_000, market.scheduler).subscribe(() => log.push(`tick@${market.scheduler.now()}`));
    const open = utc('2026-03-09T13:30:00');
    expect(market.now()).toBe(open);
    expect(market.step()).toBe(open + 60_000);
    market.step();
    expect(log).toEqual([
      `SPY@${open}`,
      `QQQ@${open}`,
      `AAPL@${open}`,
      `tick@${open + 60_000}`,
      `SPY@${open + 60_000}`,
      `QQQ@${open + 60_000}`,
      `AAPL@${open + 60_000}`,
      `tick@${open + 120_000}`,
    ]);
  });

  it('uses and advances a scheduler passed in', () => {
    const scheduler = new EventTimeScheduler(0);
    const market = createSimulatedMarket({ seed: 1, startDate: '2026-03-09', scheduler });
    expect(market.scheduler).toBe(scheduler);
    expect(scheduler.now()).toBe(utc('2026-03-09T13:30:00'));
    market.step();
    expect(scheduler.now()).toBe(utc('2026-03-09T13:31:00'));
  });
});

describe('simulated market: prices', () => {
  const { market, bars } = run(
    { seed: 21, startDate: '2026-01-05', symbols: ['SPY', 'QQQ', 'AAPL', 'ZZZT'] },
    390 * 20,
  );

  it('keeps OHLC consistent, prices positive in cents and volume in whole shares', () => {
    const broken = bars.filter(
      (b) =>
        !(b.low > 0) ||
        b.low > Math.min(b.open, b.close) ||
        b.high < Math.max(b.open, b.close) ||
        [b.open, b.high, b.low, b.close].some((p) => Math.round(p * 100) / 100 !== p) ||
        !Number.isInteger(b.volume) ||
        b.volume <= 0,
    );
    expect(bars).toHaveLength(390 * 20 * 4);
    expect(broken).toEqual([]);
  });

  it('starts near real price levels and moves about 0.05-0.15 % per minute', () => {
    expect(of(bars, 'SPY')[0]?.open).toBeGreaterThan(540);
    expect(of(bars, 'SPY')[0]?.open).toBeLessThan(620);
    expect(of(bars, 'QQQ')[0]?.open).toBeGreaterThan(460);
    expect(of(bars, 'AAPL')[0]?.open).toBeLessThan(250);
    for (const symbol of ['SPY', 'QQQ', 'AAPL', 'ZZZT']) {
      const r = of(bars, symbol).map((b) => Math.log(b.close / b.open));
      const sd = Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length);
      expect(sd).toBeGreaterThan(0.0004);
      expect(sd).toBeLessThan(0.0016);
    }
    expect(market.lastPrice('SPY')).toBe(of(bars, 'SPY').at(-1)?.close);
    expect(market.lastPrice('MSFT')).toBeUndefined();
  });

  it('has trends: consecutive 30-minute returns are positively correlated', () => {
    const spy = of(bars, 'SPY');
    const h: number[] = [];
    for (let i = 0; i + 30 <= spy.length; i += 30) h.push(Math.log((spy[i + 29]?.close ?? 0) / (spy[i]?.open ?? 1)));
    const mean = h.reduce((s, x) => s + x, 0) / h.length;
    let num = 0;
    let den = 0;
    h.forEach((x, i) => {
      den += (x - mean) ** 2;
      if (i > 0) num += (x - mean) * ((h[i - 1] ?? 0) - mean);
    });
    expect(num / den).toBeGreaterThan(0.05);
  });

  it('gaps overnight and trades a U-shaped volume profile', () => {
    const spy = of(bars, 'SPY');
    const gaps = spy.filter((b, i) => i > 0 && b.ts - (spy[i - 1]?.ts ?? 0) > 60_000 && b.open !== spy[i - 1]?.close);
    expect(gaps.length).toBeGreaterThanOrEqual(17);
    const byMinute = (from: number, to: number): number => {
      const sel = spy.filter((_, i) => i % 390 >= from && i % 390 < to);
      return sel.reduce((s, b) => s + b.volume, 0) / sel.length;
    };
    expect(byMinute(0, 30)).toBeGreaterThan(2 * byMinute(180, 210));
    expect(byMinute(360, 390)).toBeGreaterThan(2 * byMinute(180, 210));
  });
});

describe('simulated market: wall-clock driving', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('start emits one minute per barIntervalMs and stop halts it', () => {
    vi.useFakeTimers();
    const market = createSimulatedMarket({ seed: 1, startDate: '2026-03-09', symbols: ['SPY'], barIntervalMs: 100 });
    const bars = record(market);
    market.start();
    market.start();
    vi.advanceTimersByTime(350);
    expect(bars).toHaveLength(3);
    market.stop();
    vi.advanceTimersByTime(1_000);
    expect(bars).toHaveLength(3);
  });
});

describe('simulated market: validation', () => {
  it.each([
    [{ startDate: '2026-13-01' }, /startDate/],
    [{ startDate: '09/03/2026' }, /startDate must be YYYY-MM-DD/],
    [{ startDate: '2026-03-09', seed: 1.5 }, /seed/],
    [{ startDate: '2026-03-09', symbols: ['spy'] }, /symbols\.0: symbol must be/],
    [{ startDate: '2026-03-09', barIntervalMs: 0 }, /barIntervalMs/],
    [{ startDate: '2026-03-09', resumeFrom: utc('2026-03-09T13:30:30') }, /whole minute/],
    [{ startDate: '2026-03-09', resumeFrom: utc('2026-03-06T14:30:00') }, /before the first session open/],
  ])('rejects %o', (options, message) => {
    expect(() => createSimulatedMarket(options as SimulatedMarketOptions)).toThrow(message);
  });

  it('rejects a passed-in scheduler that is already past the start', () => {
    expect(() =>
      createSimulatedMarket({ startDate: '2026-03-09', scheduler: new EventTimeScheduler(utc('2026-03-10T00:00:00')) }),
    ).toThrow(/scheduler is already past/);
  });

  it('rejects a bad symbol on subscribe and keeps the feed unchanged', () => {
    const market = createSimulatedMarket({ startDate: '2026-03-09', symbols: ['SPY'] });
    const bars = record(market);
    expect(() => market.subscribe(['AAPL', ''])).toThrow(/Invalid symbols/);
    market.step();
    expect(bars.map((b) => b.symbol)).toEqual(['SPY']);
  });
});
