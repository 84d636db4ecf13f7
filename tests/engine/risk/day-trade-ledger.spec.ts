import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  CorruptDayTradeLedgerError,
  DEFAULT_PDT_CONFIG,
  type DayTradeFill,
  type DayTradeLedgerState,
  type PdtAccountFacts,
  type PdtConfig,
  checkDayTradeOrder,
  createDayTradeLedger,
  dayTradesInWindow,
  pruneDayTradeLedger,
  recordDayTradeFill,
  restoreDayTradeLedger,
  snapshotDayTradeLedger,
  syncDayTradePosition,
} from '../../../engine/risk/day-trade-ledger.js';
import type { Side } from '../../../engine/messages/signal.js';

/** New York wall time to epoch ms. */
const at = (date: string, time = '10:00'): number =>
  DateTime.fromISO(`${date}T${time}`, { zone: 'America/New_York' }).toMillis();

let execSeq = 0;
const fill = (symbol: string, side: Side, quantity: number, ts: number, execId = `x${++execSeq}`): DayTradeFill => ({
  symbol,
  side,
  quantity,
  ts,
  execId,
});

/** Applies `[side, quantity]` trades of one symbol, one minute apart from `start`. */
const trade = (
  state: DayTradeLedgerState,
  symbol: string,
  start: number,
  trades: readonly (readonly [Side, number])[],
): DayTradeLedgerState =>
  trades.reduce((s, [side, qty], i) => recordDayTradeFill(s, fill(symbol, side, qty, start + i * 60_000)), state);

const MON = '2026-11-23';

describe('day-trade counting (FINRA Rule 4210(f)(8)(B), change-of-direction method of RN 21-13 /02)', () => {
  it.each<[string, number, readonly (readonly [Side, number])[], number]>([
    [
      'buy then sell',
      0,
      [
        ['BUY', 100],
        ['SELL', 100],
      ],
      1,
    ],
    // RN 21-13 /02: purchases in a row are one transaction, the sales after them one day trade.
    [
      'buy 100, buy 100, sell 200 (RN 21-13 example)',
      0,
      [
        ['BUY', 100],
        ['BUY', 100],
        ['SELL', 200],
      ],
      1,
    ],
    [
      'buy 100, sell 50, sell 50',
      0,
      [
        ['BUY', 100],
        ['SELL', 50],
        ['SELL', 50],
      ],
      1,
    ],
    [
      'buy, sell, buy, sell',
      0,
      [
        ['BUY', 100],
        ['SELL', 100],
        ['BUY', 100],
        ['SELL', 100],
      ],
      2,
    ],
    [
      'buy 50, sell 15, sell 35, buy 10, sell 10 (two changes of direction)',
      0,
      [
        ['BUY', 50],
        ['SELL', 15],
        ['SELL', 35],
        ['BUY', 10],
        ['SELL', 10],
      ],
      2,
    ],
    [
      'buy 100, sell 50, buy 50, sell 100',
      0,
      [
        ['BUY', 100],
        ['SELL', 50],
        ['BUY', 50],
        ['SELL', 100],
      ],
      2,
    ],
    [
      'buy only',
      0,
      [
        ['BUY', 100],
        ['BUY', 100],
      ],
      0,
    ],
    // Rule exception: a long held overnight and sold before any new purchase is no day trade.
    [
      'overnight long 100 sold in two parts',
      100,
      [
        ['SELL', 50],
        ['SELL', 50],
      ],
      0,
    ],
    [
      'overnight long 10: sell 10, buy 5, sell 5',
      10,
      [
        ['SELL', 10],
        ['BUY', 5],
        ['SELL', 5],
      ],
      1,
    ],
    // Adding to an overnight position and then selling (even only the old shares) is a day trade.
    [
      'overnight long 10: buy 1, sell 11',
      10,
      [
        ['BUY', 1],
        ['SELL', 11],
      ],
      1,
    ],
    [
      'overnight long 10: buy 1, sell 1',
      10,
      [
        ['BUY', 1],
        ['SELL', 1],
      ],
      1,
    ],
    [
      'short then cover',
      0,
      [
        ['SELL', 100],
        ['BUY', 100],
      ],
      1,
    ],
    ['overnight short 100 covered', -100, [['BUY', 100]], 0],
    [
      'overnight short 100: sell 50 more, cover 150',
      -100,
      [
        ['SELL', 50],
        ['BUY', 150],
      ],
      1,
    ],
    // A sale crossing zero closes the overnight long (exempt) and opens a short the cover closes.
    [
      'overnight long 10: sell 15 (crosses to short 5), buy 5',
      10,
      [
        ['SELL', 15],
        ['BUY', 5],
      ],
      1,
    ],
  ])('%s -> %i day trade(s) per the table', (_name, overnight, trades, expected) => {
    const start = createDayTradeLedger(overnight === 0 ? {} : { AAPL: overnight });
    const state = trade(start, 'AAPL', at(MON, '09:35'), trades);
    expect(state.dayTrades).toHaveLength(expected);
    expect(dayTradesInWindow(state, MON)).toBe(expected);
    for (const t of state.dayTrades) expect(t).toMatchObject({ date: MON, symbol: 'AAPL' });
  });

  it('partial fills of one order are one opening run', () => {
    let s = createDayTradeLedger();
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 30, at(MON, '09:31'), 'o1-a'));
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 70, at(MON, '09:31'), 'o1-b'));
    s = recordDayTradeFill(s, fill('AAPL', 'SELL', 60, at(MON, '11:00'), 'o2-a'));
    s = recordDayTradeFill(s, fill('AAPL', 'SELL', 40, at(MON, '11:01'), 'o2-b'));
    expect(s.dayTrades.map((t) => t.execId)).toEqual(['o2-a']);
    expect(s.symbols['AAPL']).toBeUndefined();
  });

  it('counts each symbol separately', () => {
    let s = createDayTradeLedger();
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 10, at(MON, '09:31')));
    s = recordDayTradeFill(s, fill('MSFT', 'BUY', 10, at(MON, '09:32')));
    s = recordDayTradeFill(s, fill('AAPL', 'SELL', 10, at(MON, '09:33')));
    s = recordDayTradeFill(s, fill('MSFT', 'SELL', 10, at(MON, '09:34')));
    expect(s.dayTrades.map((t) => t.symbol)).toEqual(['AAPL', 'MSFT']);
  });

  it.each([
    ['bought Friday, sold Monday', at('2026-11-20', '15:59'), at(MON, '09:31'), 0],
    ['bought in the morning, sold after hours the same day', at(MON, '09:35'), at(MON, '17:30'), 1],
    ['bought pre-market, sold in the session', at(MON, '08:00'), at(MON, '09:45'), 1],
    ['bought the day before Thanksgiving, sold the day after', at('2026-11-25', '15:00'), at('2026-11-27', '09:45'), 0],
  ])('%s -> %i', (_name, buyTs, sellTs, expected) => {
    let s = createDayTradeLedger();
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 10, buyTs));
    s = recordDayTradeFill(s, fill('AAPL', 'SELL', 10, sellTs));
    expect(s.dayTrades).toHaveLength(expected);
  });

  it('dates a weekend fill to the next trading day', () => {
    let s = createDayTradeLedger();
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 10, at('2026-11-28', '12:00')));
    s = recordDayTradeFill(s, fill('AAPL', 'SELL', 10, at('2026-11-30', '10:00')));
    expect(s.dayTrades).toEqual([expect.objectContaining({ date: '2026-11-30' })]);
  });

  it('applies a replayed execution once', () => {
    let s = createDayTradeLedger();
    const buy = fill('AAPL', 'BUY', 10, at(MON, '09:31'), 'e-1');
    const sell = fill('AAPL', 'SELL', 10, at(MON, '09:40'), 'e-2');
    s = [buy, sell, buy, sell].reduce(recordDayTradeFill, s);
    expect(s.dayTrades).toHaveLength(1);
    expect(s.symbols['AAPL']).toBeUndefined();
  });

  it('returns a new state and leaves the old one as it was, except the shared append-only execution ids', () => {
    const before = recordDayTradeFill(createDayTradeLedger(), fill('AAPL', 'BUY', 10, at(MON, '09:31')));
    const { seenExecIds: _seen, ...copy } = JSON.parse(JSON.stringify(before)) as Record<string, unknown>;
    const after = recordDayTradeFill(before, fill('AAPL', 'SELL', 10, at(MON, '09:32')));
    expect(after).not.toBe(before);
    const { seenExecIds: _shared, ...rest } = before;
    expect(rest).toEqual(copy);
    expect(after.dayTrades).toHaveLength(1);
    expect(after.seenExecIds).toBe(before.seenExecIds);
  });

  it('follows a synced position: a sale of it is then no opening', () => {
    let s = syncDayTradePosition(createDayTradeLedger(), 'AAPL', 50);
    s = trade(s, 'AAPL', at(MON, '09:31'), [
      ['SELL', 50],
      ['BUY', 10],
    ]);
    expect(s.dayTrades).toHaveLength(0);
    expect(s.symbols['AAPL']).toMatchObject({ quantity: 10, openRun: true });
    expect(syncDayTradePosition(s, 'AAPL', 0).symbols['AAPL']).toBeUndefined();
  });

  it('without the overnight position a sale looks like a short, so it counts more, never less', () => {
    const s = trade(createDayTradeLedger(), 'AAPL', at(MON, '09:31'), [
      ['SELL', 10],
      ['BUY', 10],
    ]);
    expect(s.dayTrades).toHaveLength(1);
  });

  it.each([
    ['a bad symbol', { symbol: 'aapl' }, /symbol/],
    ['a zero quantity', { quantity: 0 }, /quantity/],
    ['a NaN quantity', { quantity: Number.NaN }, /quantity/],
    ['a bad side', { side: 'HOLD' as Side }, /side/],
    ['an infinite ts', { ts: Number.POSITIVE_INFINITY }, /ts/],
    ['an empty execId', { execId: '' }, /execId/],
  ])('refuses a fill with %s', (_name, over, message) => {
    expect(() => recordDayTradeFill(createDayTradeLedger(), { ...fill('AAPL', 'BUY', 10, at(MON)), ...over })).toThrow(
      message,
    );
  });
});

describe('the 5-trading-day window', () => {
  // Day trades on Friday 2026-11-20, Monday 11-23 and Tuesday 11-24; Thanksgiving is Thursday 11-26.
  const three = (): DayTradeLedgerState =>
    ['2026-11-20', '2026-11-23', '2026-11-24'].reduce(
      (s, date) =>
        trade(s, 'AAPL', at(date, '10:00'), [
          ['BUY', 10],
          ['SELL', 10],
        ]),
      createDayTradeLedger(),
    );

  it.each([
    ['2026-11-19', 0],
    ['2026-11-20', 1],
    ['2026-11-24', 3],
    ['2026-11-25', 3],
    // Thanksgiving: the window ends on the trading day before it.
    ['2026-11-26', 3],
    // 11-20, 11-23, 11-24, 11-25, 11-27: five trading days, Thanksgiving skipped (a weekday window would drop 11-20).
    ['2026-11-27', 3],
    ['2026-11-28', 3],
    ['2026-11-30', 2],
    ['2026-12-01', 1],
    ['2026-12-02', 0],
  ])('on %s: %i', (date, expected) => {
    expect(dayTradesInWindow(three(), date)).toBe(expected);
  });

  it('skips Good Friday: a Monday day trade still counts on the Monday after Easter', () => {
    const s = trade(createDayTradeLedger(), 'AAPL', at('2026-03-30', '10:00'), [
      ['BUY', 10],
      ['SELL', 10],
    ]);
    // 03-30, 03-31, 04-01, 04-02, 04-06 (Good Friday 04-03 closed).
    expect(dayTradesInWindow(s, '2026-04-06')).toBe(1);
    expect(dayTradesInWindow(s, '2026-04-07')).toBe(0);
  });

  it('pruning keeps only the window and a bounded replay memory', () => {
    let s = createDayTradeLedger();
    let day = '2026-11-02';
    for (let i = 0; i < 30; i++) {
      s = trade(s, 'AAPL', at(day, '10:00'), [
        ['BUY', 10],
        ['SELL', 10],
      ]);
      day = DateTime.fromISO(day).plus({ days: 1 }).toISODate() ?? day;
    }
    // Fills prune as they go: the window ending 12-01 (the last fill) starts on 11-24.
    expect(s.dayTrades[0]?.date).toBe('2026-11-24');
    // Execution ids stay for 5 trading days before the newest fill (11-23 on).
    expect(Math.min(...Object.values(s.seenExecIds).map((d) => Date.parse(d)))).toBe(Date.parse('2026-11-23'));
    s = pruneDayTradeLedger(s, at('2026-12-07', '09:00'));
    expect(s.dayTrades.map((t) => t.date)).toEqual(['2026-12-01']);
    expect(pruneDayTradeLedger(s, at('2026-12-14', '09:00')).dayTrades).toEqual([]);
    expect(Object.keys(s.symbols)).toEqual([]);
  });
});

describe('checkDayTradeOrder', () => {
  const STRICT: PdtConfig = { ...DEFAULT_PDT_CONFIG, mode: 'strict' };
  const SMALL: PdtAccountFacts = { equity: 20_000 };
  const WED = '2026-11-25';

  /** `n` completed day trades on Monday 11-23 in symbols T1..Tn. */
  const used = (n: number, s = createDayTradeLedger()): DayTradeLedgerState => {
    let state = s;
    for (let i = 1; i <= n; i++)
      state = trade(state, `T${i}`, at(MON, `10:0${i}`), [
        ['BUY', 10],
        ['SELL', 10],
      ]);
    return state;
  };

  const order = (symbol: string, side: Side, quantity: number, ts = at(WED, '11:00')) => ({
    symbol,
    side,
    quantity,
    ts,
  });

  it('blocks the entry that could make a 4th day trade in strict mode, naming the window', () => {
    const d = checkDayTradeOrder(used(3), STRICT, order('AAPL', 'BUY', 10), SMALL);
    expect(d).toMatchObject({ ok: false, rule: 'pdt' });
    if (d.ok) throw new Error('expected a refusal');
    expect(d.reason).toContain('2026-11-19..2026-11-25');
    expect(d.reason).toContain('3 day trades');
  });

  it('allows it with a warning in warning mode', () => {
    const d = checkDayTradeOrder(used(3), { ...STRICT, mode: 'warning' }, order('AAPL', 'BUY', 10), SMALL);
    expect(d.ok).toBe(true);
    if (!d.ok) throw new Error('expected approval');
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/PDT limit of 3/);
  });

  it('allows an entry with 2 day trades used', () => {
    expect(checkDayTradeOrder(used(2), STRICT, order('AAPL', 'BUY', 10), SMALL)).toEqual({ ok: true, warnings: [] });
  });

  it('never blocks an exit, even one completing a 4th day trade (it warns)', () => {
    let s = used(3);
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 10, at(WED, '09:45')));
    const d = checkDayTradeOrder(s, STRICT, order('AAPL', 'SELL', 10), SMALL);
    expect(d.ok).toBe(true);
    if (!d.ok) throw new Error('expected approval');
    expect(d.warnings[0]).toMatch(/completes day trade 4.*exits are never blocked/);
  });

  it('allows an exit of a position held overnight without a warning', () => {
    const s = used(3, createDayTradeLedger({ AAPL: 10 }));
    expect(checkDayTradeOrder(s, STRICT, order('AAPL', 'SELL', 10), SMALL)).toEqual({ ok: true, warnings: [] });
  });

  it('counts positions opened today as day trades to come', () => {
    let s = used(2);
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 10, at(WED, '09:45')));
    expect(checkDayTradeOrder(s, STRICT, order('MSFT', 'BUY', 10), SMALL).ok).toBe(false);
    // Adding to the run counts too: an exit may fill before the add, which then opens a new run.
    expect(checkDayTradeOrder(s, STRICT, order('AAPL', 'BUY', 5), SMALL).ok).toBe(false);
    let one = used(1);
    one = recordDayTradeFill(one, fill('AAPL', 'BUY', 10, at(WED, '09:45')));
    expect(checkDayTradeOrder(one, STRICT, order('AAPL', 'BUY', 5), SMALL)).toEqual({ ok: true, warnings: [] });
    expect(checkDayTradeOrder(one, STRICT, order('MSFT', 'BUY', 5), SMALL)).toEqual({ ok: true, warnings: [] });
  });

  it('counts every pending opening order', () => {
    expect(
      checkDayTradeOrder(used(2), STRICT, order('TSLA', 'BUY', 10), { ...SMALL, pendingOpeningSymbols: ['MSFT'] }).ok,
    ).toBe(false);
    expect(
      checkDayTradeOrder(used(1), STRICT, order('TSLA', 'BUY', 10), { ...SMALL, pendingOpeningSymbols: ['MSFT'] }).ok,
    ).toBe(true);
    const two = { ...SMALL, pendingOpeningSymbols: ['MSFT', 'MSFT'] };
    const d = checkDayTradeOrder(used(1), STRICT, order('TSLA', 'BUY', 10), two);
    expect(d).toMatchObject({ ok: false, rule: 'pdt' });
    expect(d.ok ? '' : d.reason).toContain('2 opening order(s) pending');
  });

  it('a position opened on an earlier day is no open run today, but adding to it today is', () => {
    let s = used(2);
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 10, at('2026-11-24', '10:00')));
    expect(checkDayTradeOrder(s, STRICT, order('MSFT', 'BUY', 10), SMALL).ok).toBe(true);
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 5, at(WED, '09:40')));
    expect(checkDayTradeOrder(s, STRICT, order('MSFT', 'BUY', 10), SMALL).ok).toBe(false);
  });

  it('an order crossing zero is an entry: it completes one day trade and opens another', () => {
    let s = used(2);
    s = recordDayTradeFill(s, fill('AAPL', 'BUY', 10, at(WED, '09:45')));
    expect(checkDayTradeOrder(s, STRICT, order('AAPL', 'SELL', 15), SMALL).ok).toBe(false);
    expect(checkDayTradeOrder(s, STRICT, order('AAPL', 'SELL', 10), SMALL).ok).toBe(true);
    const overnight = used(2, createDayTradeLedger({ AAPL: 10 }));
    expect(checkDayTradeOrder(overnight, STRICT, order('AAPL', 'SELL', 15), SMALL).ok).toBe(true);
  });

  it('after Thanksgiving the oldest day trade leaves the window on Monday, not Friday', () => {
    const s = ['2026-11-20', '2026-11-23', '2026-11-24'].reduce(
      (state, date) =>
        trade(state, 'AAPL', at(date, '10:00'), [
          ['BUY', 10],
          ['SELL', 10],
        ]),
      createDayTradeLedger(),
    );
    expect(checkDayTradeOrder(s, STRICT, order('MSFT', 'BUY', 1, at('2026-11-27', '10:00')), SMALL).ok).toBe(false);
    expect(checkDayTradeOrder(s, STRICT, order('MSFT', 'BUY', 1, at('2026-11-30', '10:00')), SMALL).ok).toBe(true);
    // An order stamped on the weekend trades on Monday.
    expect(checkDayTradeOrder(s, STRICT, order('MSFT', 'BUY', 1, at('2026-11-28', '10:00')), SMALL).ok).toBe(true);
  });

  it.each<[string, Partial<PdtConfig>, PdtAccountFacts, boolean]>([
    ['equity at the threshold is not limited', {}, { equity: 25_000 }, true],
    ['equity a cent below it is', {}, { equity: 24_999.99 }, false],
    ['cash accounts are not subject to PDT', { accountType: 'cash' }, SMALL, true],
    ['policy off (intraday margin regime)', { policy: 'off' }, SMALL, true],
    ['broker: -1 is unlimited', { policy: 'broker' }, { equity: 0, brokerDayTradesRemaining: -1 }, true],
    ['broker: 0 remaining', { policy: 'broker' }, { equity: 1e6, brokerDayTradesRemaining: 0 }, false],
    ['broker: 2 remaining but 3 counted here', { policy: 'broker' }, { equity: 0, brokerDayTradesRemaining: 2 }, false],
    ['broker: not reported, local count decides', { policy: 'broker' }, { equity: 1e6 }, false],
  ])('%s', (_name, over, facts, ok) => {
    expect(checkDayTradeOrder(used(3), { ...STRICT, ...over }, order('AAPL', 'BUY', 10), facts).ok).toBe(ok);
  });

  it.each<[string, number, number, boolean]>([
    // remaining, day trades counted here, allowed
    ['broker 1 remaining, none counted', 1, 0, true],
    ['broker 3 remaining, 1 counted here', 3, 1, true],
    ['broker 3 remaining, 3 counted here', 3, 3, false],
  ])('broker policy: %s', (_name, remaining, local, ok) => {
    const facts = { equity: 0, brokerDayTradesRemaining: remaining };
    expect(checkDayTradeOrder(used(local), { ...STRICT, policy: 'broker' }, order('AAPL', 'BUY', 10), facts).ok).toBe(
      ok,
    );
  });

  it('broker policy: one remaining and a position opened today blocks another entry', () => {
    const s = recordDayTradeFill(createDayTradeLedger(), fill('MSFT', 'BUY', 10, at(WED, '09:45')));
    const facts = { equity: 0, brokerDayTradesRemaining: 1 };
    expect(checkDayTradeOrder(s, { ...STRICT, policy: 'broker' }, order('AAPL', 'BUY', 10), facts).ok).toBe(false);
  });

  it.each<[string, Partial<ReturnType<typeof order>>, PdtAccountFacts, Partial<PdtConfig>, RegExp]>([
    ['a zero quantity', { quantity: 0 }, SMALL, {}, /quantity/],
    ['a bad symbol', { symbol: '' }, SMALL, {}, /symbol/],
    ['a NaN equity', {}, { equity: Number.NaN }, {}, /equity/],
    [
      'a fractional broker count',
      {},
      { equity: 0, brokerDayTradesRemaining: 1.5 },
      { policy: 'broker' },
      /DayTradesRemaining/,
    ],
    [
      'a broker count below -1',
      {},
      { equity: 0, brokerDayTradesRemaining: -2 },
      { policy: 'broker' },
      /DayTradesRemaining/,
    ],
  ])('throws on %s', (_name, over, facts, config, message) => {
    expect(() =>
      checkDayTradeOrder(used(0), { ...STRICT, ...config }, { ...order('AAPL', 'BUY', 10), ...over }, facts),
    ).toThrow(message);
  });
});

describe('snapshot and restore', () => {
  const sample = (): DayTradeLedgerState => {
    let s = createDayTradeLedger({ MSFT: -20 });
    s = trade(s, 'AAPL', at(MON, '09:31'), [
      ['BUY', 10],
      ['SELL', 10],
      ['BUY', 5],
    ]);
    return s;
  };

  it('round-trips through JSON text and through the object', () => {
    const s = sample();
    const json = JSON.stringify(snapshotDayTradeLedger(s));
    expect(restoreDayTradeLedger(json)).toEqual(s);
    expect(restoreDayTradeLedger(JSON.parse(json))).toEqual(s);
    const restored = restoreDayTradeLedger(json);
    expect(dayTradesInWindow(restored, MON)).toBe(1);
    expect(restored.symbols['AAPL']).toEqual({ quantity: 5, date: MON, openRun: true });
  });

  it('the snapshot is a copy', () => {
    const s = sample();
    const snap = snapshotDayTradeLedger(s);
    expect(snap).toEqual(s);
    expect(snap.dayTrades).not.toBe(s.dayTrades);
    expect(snap.symbols).not.toBe(s.symbols);
  });

  const corrupt = (mutate: (raw: Record<string, unknown>) => void): unknown => {
    const raw = JSON.parse(JSON.stringify(sample())) as Record<string, unknown>;
    mutate(raw);
    return raw;
  };

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{"version":1', /not JSON/],
    ['null', null, /\(ledger\)/],
    ['a wrong version', corrupt((r) => (r['version'] = 2)), /version: version must be 1/],
    ['a bad date', corrupt((r) => (r['newestDate'] = '23/11/2026')), /newestDate: newestDate must be YYYY-MM-DD/],
    [
      'a null quantity',
      corrupt((r) => (r['symbols'] = { AAPL: { quantity: null, date: MON, openRun: true } })),
      /symbols\.AAPL\.quantity/,
    ],
    [
      'a NaN quantity',
      corrupt((r) => (r['symbols'] = { AAPL: { quantity: Number.NaN, date: MON, openRun: true } })),
      /symbols\.AAPL\.quantity/,
    ],
    [
      'an infinite quantity',
      corrupt((r) => (r['symbols'] = { AAPL: { quantity: Number.POSITIVE_INFINITY, date: MON, openRun: true } })),
      /symbols\.AAPL\.quantity/,
    ],
    [
      'a flat symbol',
      corrupt((r) => (r['symbols'] = { AAPL: { quantity: 0, date: MON, openRun: false } })),
      /symbols\.AAPL: a flat symbol/,
    ],
    [
      'day trades out of order',
      corrupt(
        (r) =>
          (r['dayTrades'] = [
            ...(r['dayTrades'] as unknown[]),
            { date: '2026-11-20', symbol: 'AAPL', side: 'SELL', ts: 1, execId: 'z' },
          ]),
      ),
      /dayTrades\.1\.date: dayTrades must be in date order/,
    ],
    ['an unknown field', corrupt((r) => (r['extra'] = true)), /extra/],
    [
      'a lower-case symbol',
      corrupt((r) => (r['symbols'] = { aapl: { quantity: 1, date: MON, openRun: false } })),
      /symbols/,
    ],
  ])('refuses %s with a CorruptDayTradeLedgerError naming the problem', (_name, input, message) => {
    let error: unknown;
    try {
      restoreDayTradeLedger(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CorruptDayTradeLedgerError);
    expect((error as Error).message).toMatch(/^Corrupt day-trade ledger: /);
    expect((error as Error).message).toMatch(message);
  });
});
