import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Side } from '../../../engine/messages/signal.js';
import {
  CorruptSettlementLedgerError,
  DEFAULT_SETTLEMENT_CONFIG,
  type SettlementConfig,
  type SettlementFill,
  type SettlementLedgerState,
  adjustSettledCash,
  cashRestrictionAt,
  checkBuy,
  checkSell,
  createSettlementLedger,
  pruneSettlementLedger,
  recordSettlementFill,
  restoreSettlementLedger,
  settledCash,
  settlementViolationCounts,
  snapshotSettlementLedger,
  unsettledCredits,
} from '../../../engine/risk/settlement-ledger.js';

const at = (date: string, time = '10:00'): number =>
  DateTime.fromISO(`${date}T${time}`, { zone: 'America/New_York' }).toMillis();

let seq = 0;
const fill = (
  symbol: string,
  side: Side,
  quantity: number,
  price: number,
  ts: number,
  commission = 0,
  execId = `x${++seq}`,
): SettlementFill => ({ symbol, side, quantity, price, commission, ts, execId });

const T1: SettlementConfig = DEFAULT_SETTLEMENT_CONFIG;
const T2: SettlementConfig = { ...DEFAULT_SETTLEMENT_CONFIG, settlementDays: 2 };
const THREE_GFVS: SettlementConfig = { ...DEFAULT_SETTLEMENT_CONFIG, goodFaithViolationLimit: 3 };

const apply = (state: SettlementLedgerState, fills: readonly SettlementFill[], config = T1): SettlementLedgerState =>
  fills.reduce((s, f) => recordSettlementFill(s, f, config), state);

describe('settled cash and T+1 proceeds', () => {
  it('a buy with settled cash spends it at once, commission included', () => {
    const s = apply(createSettlementLedger(10_000), [fill('AAPL', 'BUY', 10, 100, at('2026-11-23'), 1.25)]);
    expect(settledCash(s, at('2026-11-23', '10:01'))).toBeCloseTo(8_998.75, 6);
    expect(s.holdings['AAPL']).toEqual({ paidQuantity: 10, unpaidLots: [] });
  });

  it.each([
    // sale date, first date the proceeds count as settled
    ['2026-11-23', '2026-11-24'],
    ['2026-11-25', '2026-11-27'],
    ['2026-11-27', '2026-11-30'],
    ['2026-04-02', '2026-04-06'],
    ['2026-06-18', '2026-06-22'],
    ['2026-12-24', '2026-12-28'],
    ['2026-10-09', '2026-10-13'],
  ])('proceeds of a sale on %s settle on %s', (saleDate, settleDate) => {
    const s = apply(createSettlementLedger(0, { AAPL: 10 }), [fill('AAPL', 'SELL', 10, 100, at(saleDate, '11:00'), 1)]);
    expect(settledCash(s, at(saleDate, '15:00'))).toBe(0);
    expect(unsettledCredits(s, at(saleDate, '15:00'))).toEqual([
      expect.objectContaining({ symbol: 'AAPL', tradeDate: saleDate, settleDate, amount: 999, available: 999 }),
    ]);
    expect(settledCash(s, at(settleDate, '09:30'))).toBe(999);
    expect(unsettledCredits(s, at(settleDate, '09:30'))).toEqual([]);
  });

  it('on a weekend or holiday, settled cash is as of the next trading day (when an order would trade)', () => {
    const s = apply(createSettlementLedger(0, { AAPL: 10 }), [
      fill('AAPL', 'SELL', 10, 100, at('2026-11-27', '11:00')),
    ]);
    expect(settledCash(s, at('2026-11-27', '17:00'))).toBe(0);
    expect(settledCash(s, at('2026-11-28', '12:00'))).toBe(1_000);
  });

  it('a buy uses settled cash first, then unsettled proceeds, and records what it used', () => {
    let s = apply(createSettlementLedger(500, { AAPL: 10 }), [
      fill('AAPL', 'SELL', 10, 100, at('2026-11-23', '10:00')),
    ]);
    s = apply(s, [fill('MSFT', 'BUY', 12, 100, at('2026-11-23', '11:00'), 0, 'buy-msft')]);
    expect(settledCash(s, at('2026-11-23', '12:00'))).toBe(0);
    expect(s.holdings['MSFT']).toEqual({
      paidQuantity: 0,
      unpaidLots: [
        {
          execId: 'buy-msft',
          tradeDate: '2026-11-23',
          quantity: 12,
          unsettledFunding: 700,
          unfunded: 0,
          paidOn: '2026-11-24',
        },
      ],
    });
    expect(unsettledCredits(s, at('2026-11-23', '12:00'))[0]?.available).toBe(300);
    // On settlement the unspent 300 joins settled cash and the lot is paid.
    expect(settledCash(s, at('2026-11-24'))).toBe(300);
    s = pruneSettlementLedger(s, at('2026-11-24', '09:00'));
    expect(s.holdings['MSFT']).toEqual({ paidQuantity: 12, unpaidLots: [] });
    expect(s.credits).toEqual([]);
    expect(s.settledCash).toBe(300);
  });

  it('applies a replayed execution once', () => {
    const buy = fill('AAPL', 'BUY', 10, 100, at('2026-11-23'), 0, 'same');
    const s = apply(createSettlementLedger(5_000), [buy, buy, buy]);
    expect(settledCash(s, at('2026-11-23', '11:00'))).toBe(4_000);
    expect(s.holdings['AAPL']?.paidQuantity).toBe(10);
  });

  it('a sale beyond the shares it knows takes them as held before the ledger, paid', () => {
    const s = apply(createSettlementLedger(0), [fill('AAPL', 'SELL', 5, 10, at('2026-11-23'))]);
    expect(s.violations).toEqual([]);
    expect(s.holdings['AAPL']).toBeUndefined();
    expect(settledCash(s, at('2026-11-24'))).toBe(50);
  });

  it('deposits and withdrawals move settled cash', () => {
    const s = adjustSettledCash(adjustSettledCash(createSettlementLedger(100), 250.5), -50);
    expect(settledCash(s, at('2026-11-23'))).toBe(300.5);
  });
});

describe('checkBuy: buys only with settled cash', () => {
  const s = apply(createSettlementLedger(1_000, { AAPL: 10 }), [
    fill('AAPL', 'SELL', 10, 100, at('2026-11-25', '10:00')),
  ]);
  const WED = at('2026-11-25', '11:00');

  it.each<[string, number, number, boolean]>([
    ['within settled cash', 1_000, 0, true],
    ['a cent over', 1_000.01, 0, false],
    ['within, but pending buys already spend it', 600, 500, false],
    ['nothing', 0, 0, true],
  ])('strict, %s', (_name, cost, committed, ok) => {
    const d = checkBuy(s, cost, WED, 'strict', committed);
    expect(d.ok).toBe(ok);
    if (!d.ok) {
      expect(d.rule).toBe('unsettled_cash');
      expect(d.reason).toMatch(/exceeds settled cash/);
    }
  });

  it('after Thanksgiving the proceeds are settled: Friday allows what Wednesday refused', () => {
    expect(checkBuy(s, 2_000, WED, 'strict').ok).toBe(false);
    expect(checkBuy(s, 2_000, at('2026-11-27', '09:31'), 'strict')).toEqual({ ok: true, warnings: [] });
  });

  it('warning mode allows with a warning naming when the proceeds settle', () => {
    const d = checkBuy(s, 1_500, WED, 'warning');
    expect(d.ok).toBe(true);
    expect(d.ok && d.warnings[0]).toMatch(/settling by 2026-11-27.*good-faith violation/);
  });

  it('warning mode warns of free riding when even unsettled proceeds do not cover it', () => {
    const d = checkBuy(s, 5_000, WED, 'warning');
    expect(d.ok && d.warnings[0]).toMatch(/free riding/);
  });

  it.each([
    [Number.NaN, 0, /cost/],
    [-1, 0, /cost/],
    [10, Number.POSITIVE_INFINITY, /committed/],
  ])('throws on cost %s, committed %s', (cost, committed, message) => {
    expect(() => checkBuy(s, cost, WED, 'strict', committed)).toThrow(message);
  });

  it('throws on an unknown mode', () => {
    expect(() => checkBuy(s, 1, WED, 'lenient' as 'strict')).toThrow(/mode/);
  });
});

/**
 * The good-faith violation example of broker education pages, worked out for T+1 (and T+2):
 * Monday: buy A with settled cash. Tuesday: sell A (proceeds settle Wednesday at T+1), and buy B
 * with those unsettled proceeds. Selling B on Tuesday is a GFV; at T+1 selling it on Wednesday is
 * not (the proceeds settled that morning); at T+2 they settle on Friday (Thanksgiving skipped), so
 * a Wednesday sale of B is one.
 */
describe('the good-faith violation sequence', () => {
  const MON = '2026-11-23';
  const TUE = '2026-11-24';
  const WED = '2026-11-25';
  const sequence = (config: SettlementConfig): SettlementLedgerState =>
    apply(
      createSettlementLedger(10_000),
      [
        fill('A', 'BUY', 100, 100, at(MON, '10:00')),
        fill('A', 'SELL', 100, 101, at(TUE, '10:00')),
        fill('B', 'BUY', 100, 100, at(TUE, '11:00'), 0, 'buy-b'),
      ],
      config,
    );

  it('Tuesday: the buy of B needs unsettled proceeds, so strict mode refuses it', () => {
    const before = apply(
      createSettlementLedger(10_000),
      [fill('A', 'BUY', 100, 100, at(MON)), fill('A', 'SELL', 100, 101, at(TUE))],
      T1,
    );
    expect(checkBuy(before, 10_000, at(TUE, '11:00'), 'strict')).toMatchObject({ ok: false, rule: 'unsettled_cash' });
    expect(checkBuy(before, 10_000, at(TUE, '11:00'), 'warning').ok).toBe(true);
  });

  it('T+1: selling B on Tuesday is a good-faith violation, refused in strict mode with the date it clears', () => {
    const s = sequence(T1);
    expect(s.holdings['B']?.unpaidLots).toEqual([
      expect.objectContaining({ unsettledFunding: 10_000, unfunded: 0, paidOn: WED }),
    ]);
    const d = checkSell(s, 'B', 100, at(TUE, '15:00'), 'strict');
    expect(d).toMatchObject({ ok: false, rule: 'good_faith_violation' });
    expect(d.ok ? '' : d.reason).toMatch(/settle on 2026-11-25; the sale is free of it from 2026-11-25/);
  });

  it('T+1: warning mode allows it with a warning', () => {
    const d = checkSell(sequence(T1), 'B', 100, at(TUE, '15:00'), 'warning');
    expect(d.ok).toBe(true);
    expect(d.ok && d.warnings[0]).toMatch(/good-faith violation.*counted as a violation/);
  });

  it('T+1: selling B on Wednesday is no violation', () => {
    expect(checkSell(sequence(T1), 'B', 100, at(WED, '09:31'), 'strict')).toEqual({ ok: true, warnings: [] });
  });

  it('T+2: the proceeds settle on Friday after Thanksgiving, so Wednesday is still a violation', () => {
    const s = sequence(T2);
    expect(checkSell(s, 'B', 100, at(WED, '09:31'), 'strict')).toMatchObject({
      ok: false,
      rule: 'good_faith_violation',
    });
    expect(checkSell(s, 'B', 100, at('2026-11-27', '09:31'), 'strict').ok).toBe(true);
  });

  it('the sale, when it happens, is counted and (IBKR default: limit 1) restricts the account for 90 days', () => {
    const s = apply(sequence(T1), [fill('B', 'SELL', 100, 99, at(TUE, '15:00'), 0, 'sell-b')]);
    expect(s.violations).toEqual([
      { kind: 'good_faith_violation', date: TUE, symbol: 'B', execId: 'sell-b', quantity: 100, unpaidAmount: 10_000 },
    ]);
    expect(settlementViolationCounts(s, at(TUE, '16:00'))).toEqual({ goodFaith: 1, freeRiding: 0 });
    expect(cashRestrictionAt(s, at(TUE, '16:00'))).toMatchObject({ since: TUE, until: '2027-02-22' });
    // Restricted: even warning mode buys only with settled cash.
    const d = checkBuy(s, 20_000, at(WED, '10:00'), 'warning');
    expect(d).toMatchObject({ ok: false, rule: 'unsettled_cash' });
    expect(d.ok ? '' : d.reason).toMatch(/restricted to settled cash until 2027-02-22/);
    // Within settled cash it is fine.
    expect(checkBuy(s, 100, at(WED, '10:00'), 'warning').ok).toBe(true);
    // The restriction ends 90 calendar days later.
    expect(cashRestrictionAt(s, at('2027-02-19'))).not.toBeNull();
    expect(cashRestrictionAt(s, at('2027-02-22'))).toBeNull();
    expect(pruneSettlementLedger(s, at('2027-02-22')).restriction).toBeNull();
  });
});

describe('violation counting with a limit of 3 good-faith violations in 12 months', () => {
  /** One GFV on `date`: sell paid shares, buy B with the proceeds, sell B the same day. */
  const gfv = (s: SettlementLedgerState, date: string): SettlementLedgerState =>
    apply(
      s,
      [
        fill('A', 'BUY', 10, 100, at(date, '09:40')),
        fill('A', 'SELL', 10, 100, at(date, '09:50')),
        fill('B', 'BUY', 10, 100, at(date, '10:00')),
        fill('B', 'SELL', 10, 100, at(date, '10:10')),
      ],
      THREE_GFVS,
    );

  it('the third restricts, the first two do not', () => {
    let s = createSettlementLedger(1_000);
    s = gfv(s, '2026-01-05');
    s = gfv(s, '2026-06-01');
    expect(s.violations.map((v) => v.kind)).toEqual(['good_faith_violation', 'good_faith_violation']);
    expect(s.restriction).toBeNull();
    s = gfv(s, '2026-12-01');
    expect(settlementViolationCounts(s, at('2026-12-01', '11:00'))).toEqual({ goodFaith: 3, freeRiding: 0 });
    expect(cashRestrictionAt(s, at('2026-12-01', '11:00'))).toMatchObject({ since: '2026-12-01', until: '2027-03-01' });
  });

  it('violations older than 12 months no longer count and are pruned', () => {
    let s = createSettlementLedger(1_000);
    s = gfv(s, '2026-01-05');
    s = gfv(s, '2026-06-01');
    s = gfv(s, '2027-01-06');
    expect(s.restriction).toBeNull();
    expect(s.violations.map((v) => v.date)).toEqual(['2026-06-01', '2027-01-06']);
    expect(settlementViolationCounts(s, at('2027-06-01'))).toEqual({ goodFaith: 1, freeRiding: 0 });
  });
});

describe('free riding', () => {
  const MON = '2026-11-23';
  /** No cash at all; a buy of 1 000 that the account cannot pay (warning mode let it through). */
  const bought = (): SettlementLedgerState =>
    apply(createSettlementLedger(0), [fill('X', 'BUY', 10, 100, at(MON, '10:00'), 0, 'buy-x')], THREE_GFVS);

  it('records the buy as unfunded and the settled balance as a debit', () => {
    const s = bought();
    expect(s.holdings['X']?.unpaidLots).toEqual([expect.objectContaining({ unfunded: 1_000, unsettledFunding: 0 })]);
    expect(settledCash(s, at(MON, '11:00'))).toBe(-1_000);
  });

  it('selling before paying is free riding, refused in strict mode', () => {
    const d = checkSell(bought(), 'X', 10, at(MON, '14:00'), 'strict');
    expect(d).toMatchObject({ ok: false, rule: 'free_riding' });
    expect(d.ok ? '' : d.reason).toMatch(/Regulation T 220\.8\(c\)/);
  });

  it('one free-riding sale restricts the account at once, whatever the GFV limit', () => {
    const s = apply(bought(), [fill('X', 'SELL', 10, 100, at(MON, '14:00'), 0, 'sell-x')], THREE_GFVS);
    expect(s.violations).toEqual([expect.objectContaining({ kind: 'free_riding', execId: 'sell-x', quantity: 10 })]);
    expect(settlementViolationCounts(s, at(MON, '15:00'))).toEqual({ goodFaith: 0, freeRiding: 1 });
    expect(cashRestrictionAt(s, at(MON, '15:00'))).toMatchObject({ until: '2027-02-21' });
  });

  it('once a later settlement covers the debit, the shares are paid and may be sold', () => {
    let s = apply(createSettlementLedger(0, { Y: 20 }), [fill('Y', 'SELL', 20, 100, at(MON, '09:45'))], THREE_GFVS);
    // 2 000 of unsettled proceeds; a 3 000 buy uses them and 1 000 the account does not have.
    s = apply(s, [fill('X', 'BUY', 30, 100, at(MON, '10:00'))], THREE_GFVS);
    expect(checkSell(s, 'X', 1, at(MON, '14:00'), 'strict')).toMatchObject({ rule: 'free_riding' });
    // Tuesday: the 2 000 settle and pay their part, but 1 000 is still owed.
    expect(checkSell(s, 'X', 1, at('2026-11-24'), 'strict')).toMatchObject({ rule: 'free_riding' });
    s = adjustSettledCash(s, 1_000);
    expect(checkSell(s, 'X', 30, at('2026-11-24'), 'strict')).toEqual({ ok: true, warnings: [] });
  });

  it('a deposit covering the debit leaves a good-faith violation while the proceeds used are unsettled', () => {
    let s = apply(createSettlementLedger(0, { Y: 20 }), [fill('Y', 'SELL', 20, 100, at(MON, '09:45'))], THREE_GFVS);
    s = apply(s, [fill('X', 'BUY', 30, 100, at(MON, '10:00'))], THREE_GFVS);
    s = adjustSettledCash(s, 1_000);
    expect(checkSell(s, 'X', 30, at(MON, '14:00'), 'strict')).toMatchObject({ rule: 'good_faith_violation' });
  });
});

describe('checkSell takes paid shares first', () => {
  const s = apply(createSettlementLedger(0, { AAPL: 100, Z: 10 }), [
    fill('Z', 'SELL', 10, 500, at('2026-04-02', '09:45')),
    fill('AAPL', 'BUY', 50, 100, at('2026-04-02', '10:00')),
  ]);

  it.each<[number, string, boolean]>([
    [100, '2026-04-02', true],
    [101, '2026-04-02', false],
    [150, '2026-04-02', false],
    // Thursday's proceeds settle after Good Friday and the weekend: Monday 04-06.
    [150, '2026-04-06', true],
  ])('selling %i AAPL on %s -> allowed %s', (quantity, date, ok) => {
    const d = checkSell(s, 'AAPL', quantity, at(date, '15:00'), 'strict');
    expect(d.ok).toBe(ok);
    if (!d.ok)
      expect(d.reason).toContain(`${quantity - 100} of the shares were bought on 2026-04-02 with unsettled proceeds`);
    if (!d.ok) expect(d.reason).toContain('settle on 2026-04-06');
  });

  it('a partial sale of an unpaid lot leaves the rest unpaid, pro rata', () => {
    const after = apply(s, [fill('AAPL', 'SELL', 120, 100, at('2026-04-02', '15:00'), 0, 'sell-120')]);
    expect(after.violations).toEqual([
      expect.objectContaining({ kind: 'good_faith_violation', quantity: 20, unpaidAmount: 2_000 }),
    ]);
    expect(after.holdings['AAPL']).toEqual({
      paidQuantity: 0,
      unpaidLots: [expect.objectContaining({ quantity: 30, unsettledFunding: 3_000 })],
    });
  });

  it('a symbol with no holding is unrestricted', () => {
    expect(checkSell(s, 'MSFT', 10, at('2026-04-02'), 'strict').ok).toBe(true);
  });

  it.each([
    ['a bad symbol', 'msft', 1, /symbol/],
    ['a zero quantity', 'AAPL', 0, /quantity/],
  ])('throws on %s', (_name, symbol, quantity, message) => {
    expect(() => checkSell(s, symbol, quantity, at('2026-04-02'), 'strict')).toThrow(message);
  });
});

describe('holidays in the GFV rule', () => {
  it.each([
    // sale + buy with the proceeds on `trade`; selling the new shares on `violation` is a GFV, on `clear` it is not
    ['Thanksgiving', '2026-11-25', '2026-11-25', '2026-11-27', T1],
    ['Christmas', '2026-12-24', '2026-12-24', '2026-12-28', T1],
    ['Juneteenth', '2026-06-18', '2026-06-18', '2026-06-22', T1],
    ['Columbus Day (banks closed)', '2026-10-09', '2026-10-12', '2026-10-13', T1],
  ])('%s: bought on %s, GFV when sold %s, clear from %s', (_name, trade, violation, clear, config) => {
    const s = apply(
      createSettlementLedger(0, { A: 10 }),
      [fill('A', 'SELL', 10, 100, at(trade, '10:00')), fill('B', 'BUY', 10, 100, at(trade, '11:00'))],
      config,
    );
    expect(checkSell(s, 'B', 10, at(violation, '15:00'), 'strict')).toMatchObject({ rule: 'good_faith_violation' });
    expect(checkSell(s, 'B', 10, at(clear, '09:30'), 'strict').ok).toBe(true);
  });

  it('Columbus Day counted as a settlement day when skipBankHolidays is off', () => {
    const s = apply(
      createSettlementLedger(0, { A: 10 }),
      [fill('A', 'SELL', 10, 100, at('2026-10-09', '10:00')), fill('B', 'BUY', 10, 100, at('2026-10-09', '11:00'))],
      { ...T1, skipBankHolidays: false },
    );
    expect(checkSell(s, 'B', 10, at('2026-10-12', '15:00'), 'strict').ok).toBe(true);
  });
});

describe('recordSettlementFill input checks', () => {
  it.each<[string, Partial<SettlementFill>, RegExp]>([
    ['a bad symbol', { symbol: 'a b' }, /symbol/],
    ['a NaN price', { price: Number.NaN }, /price/],
    ['a zero price', { price: 0 }, /price/],
    ['a negative commission', { commission: -1 }, /commission/],
    ['a zero quantity', { quantity: 0 }, /quantity/],
    ['an empty execId', { execId: '' }, /execId/],
    ['a bad side', { side: 'HOLD' as Side }, /side/],
  ])('throws on %s', (_name, over, message) => {
    expect(() =>
      recordSettlementFill(
        createSettlementLedger(1_000),
        { ...fill('AAPL', 'BUY', 1, 10, at('2026-11-23')), ...over },
        T1,
      ),
    ).toThrow(message);
  });

  it.each<[string, Partial<SettlementConfig>, RegExp]>([
    ['T+0', { settlementDays: 0 }, /settlementDays/],
    ['a fractional GFV limit', { goodFaithViolationLimit: 1.5 }, /goodFaithViolationLimit/],
    ['negative restriction days', { restrictionCalendarDays: -1 }, /restrictionCalendarDays/],
  ])('throws on a config with %s', (_name, over, message) => {
    expect(() =>
      recordSettlementFill(createSettlementLedger(1_000), fill('AAPL', 'BUY', 1, 10, at('2026-11-23')), {
        ...T1,
        ...over,
      }),
    ).toThrow(message);
  });

  it('refuses a NaN starting balance and negative positions', () => {
    expect(() => createSettlementLedger(Number.NaN)).toThrow(/settledCash/);
    expect(() => createSettlementLedger(0, { AAPL: -1 })).toThrow(/quantity/);
  });

  it('returns a new state and leaves the old one as it was', () => {
    const before = createSettlementLedger(1_000);
    const copy = JSON.parse(JSON.stringify(before)) as unknown;
    const after = recordSettlementFill(before, fill('AAPL', 'BUY', 1, 10, at('2026-11-23')), T1);
    expect(after).not.toBe(before);
    expect(before).toEqual(copy);
  });
});

describe('pruning keeps the ledger bounded', () => {
  it('after weeks of round trips only recent execution ids and no settled credits remain', () => {
    let s = createSettlementLedger(10_000);
    let day = DateTime.fromISO('2026-09-01');
    for (let i = 0; i < 60; i++) {
      const date = day.toISODate() ?? '';
      s = apply(s, [fill('AAPL', 'BUY', 10, 100, at(date, '10:00')), fill('AAPL', 'SELL', 10, 100, at(date, '15:00'))]);
      day = day.plus({ days: 1 });
    }
    s = pruneSettlementLedger(s, at(day.toISODate() ?? '', '09:00'));
    expect(s.credits.length).toBeLessThanOrEqual(1);
    expect(Object.keys(s.seenExecIds).length).toBeLessThanOrEqual(2 * 10);
    expect(s.holdings).toEqual({});
    expect(s.violations).toEqual([]);
    expect(settledCash(s, at(day.toISODate() ?? '', '12:00'))).toBe(10_000);
  });
});

describe('snapshot and restore', () => {
  const sample = (): SettlementLedgerState =>
    apply(createSettlementLedger(10_000), [
      fill('A', 'BUY', 100, 100, at('2026-11-23')),
      fill('A', 'SELL', 100, 101, at('2026-11-24', '10:00')),
      fill('B', 'BUY', 100, 100, at('2026-11-24', '11:00')),
      fill('B', 'SELL', 50, 99, at('2026-11-24', '14:00')),
    ]);

  it('round-trips through JSON text and through the object, and decides the same', () => {
    const s = sample();
    expect(s.violations).toHaveLength(1);
    const json = JSON.stringify(snapshotSettlementLedger(s));
    const restored = restoreSettlementLedger(json);
    expect(restored).toEqual(s);
    expect(restoreSettlementLedger(JSON.parse(json))).toEqual(s);
    const ts = at('2026-11-24', '15:00');
    expect(checkSell(restored, 'B', 50, ts, 'strict')).toEqual(checkSell(s, 'B', 50, ts, 'strict'));
    expect(settledCash(restored, ts)).toBe(settledCash(s, ts));
  });

  it('the snapshot is a copy', () => {
    const s = sample();
    const snap = snapshotSettlementLedger(s);
    expect(snap.credits).not.toBe(s.credits);
    expect(snap.holdings['B']).not.toBe(s.holdings['B']);
  });

  const corrupt = (mutate: (raw: Record<string, unknown>) => void): unknown => {
    const raw = JSON.parse(JSON.stringify(sample())) as Record<string, unknown>;
    mutate(raw);
    return raw;
  };
  type Raw = Record<string, unknown>;

  it.each<[string, unknown, RegExp]>([
    ['not JSON', 'nope', /not JSON/],
    ['an array', [], /\(ledger\)/],
    ['a wrong version', corrupt((r) => (r['version'] = 0)), /version: version must be 1/],
    ['a string balance', corrupt((r) => (r['settledCash'] = '10')), /settledCash: settledCash must be a finite number/],
    ['a negative credit', corrupt((r) => (((r['credits'] as Raw[])[0] as Raw)['amount'] = -5)), /credits\.0\.amount/],
    [
      'available above amount',
      corrupt((r) => (((r['credits'] as Raw[])[0] as Raw)['available'] = 1e9)),
      /credits\.0: available must not exceed amount/,
    ],
    [
      'a settlement before the trade',
      corrupt((r) => (((r['credits'] as Raw[])[0] as Raw)['settleDate'] = '2026-11-01')),
      /settleDate must be after tradeDate/,
    ],
    [
      'an unknown violation kind',
      corrupt((r) => (((r['violations'] as Raw[])[0] as Raw)['kind'] = 'pdt')),
      /violations\.0\.kind/,
    ],
    [
      'a lot without quantity',
      corrupt((r) => delete ((((r['holdings'] as Raw)['B'] as Raw)['unpaidLots'] as Raw[])[0] as Raw)['quantity']),
      /holdings\.B\.unpaidLots\.0\.quantity/,
    ],
    [
      'an empty holding',
      corrupt((r) => ((r['holdings'] as Raw)['B'] = { paidQuantity: 0, unpaidLots: [] })),
      /holdings\.B: an empty holding/,
    ],
    [
      'a bad restriction date',
      corrupt((r) => (r['restriction'] = { since: 'x', until: '2027-01-01', reason: '' })),
      /restriction\.since/,
    ],
    ['an extra field', corrupt((r) => (r['note'] = 'hi')), /note/],
  ])('refuses %s with a CorruptSettlementLedgerError naming the problem', (_name, input, message) => {
    let error: unknown;
    try {
      restoreSettlementLedger(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CorruptSettlementLedgerError);
    expect((error as Error).message).toMatch(/^Corrupt settlement ledger: /);
    expect((error as Error).message).toMatch(message);
  });
});
