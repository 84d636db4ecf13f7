import { describe, expect, it } from 'vitest';
import { ACCOUNT_SUMMARY_TAGS, brokerAccountReport, summariseAccount } from '../../../adapters/ibkr/account-summary.js';

const row = (tag: string, value: string, account = 'DU1', currency = 'USD') => ({ account, tag, value, currency });

describe('summariseAccount', () => {
  it('maps the IBKR tags to the API shape with numbers', () => {
    const rows = [
      row('AccountType', 'INDIVIDUAL', 'DU1', ''),
      row('NetLiquidation', '100000.50'),
      row('TotalCashValue', '40000'),
      row('SettledCash', '39000'),
      row('AvailableFunds', '80000'),
      row('BuyingPower', '320000'),
      row('DayTradesRemaining', '-1', 'DU1', ''),
      row('GrossPositionValue', '60000'),
      row('InitMarginReq', '15000'),
      row('MaintMarginReq', '12000'),
      row('ExcessLiquidity', '85000'),
      row('EquityWithLoanValue', '100000'),
      row('NetLiquidation', '5', 'OTHER'),
    ];
    expect(summariseAccount(rows, Date.UTC(2026, 0, 5), 'DU1')).toEqual({
      account_id: 'DU1',
      account_type: 'INDIVIDUAL',
      currency: 'USD',
      net_liquidation: 100000.5,
      total_cash_value: 40000,
      settled_cash: 39000,
      available_funds: 80000,
      buying_power: 320000,
      day_trades_remaining: -1,
      gross_position_value: 60000,
      init_margin_req: 15000,
      maint_margin_req: 12000,
      excess_liquidity: 85000,
      equity_with_loan_value: 100000,
      updated_at: '2026-01-05T00:00:00.000Z',
    });
  });

  it('gives null for missing or non-numeric values and undefined for an unknown account', () => {
    const s = summariseAccount([row('NetLiquidation', 'abc'), row('BuyingPower', 'Infinity')], 0);
    expect(s?.net_liquidation).toBeNull();
    expect(s?.buying_power).toBeNull();
    expect(s?.settled_cash).toBeNull();
    expect(summariseAccount([row('NetLiquidation', '1')], 0, 'NOPE')).toBeUndefined();
  });

  it('asks for every tag the API reports', () => {
    expect(ACCOUNT_SUMMARY_TAGS).toEqual(
      expect.arrayContaining([
        'NetLiquidation',
        'TotalCashValue',
        'SettledCash',
        'AvailableFunds',
        'BuyingPower',
        'DayTradesRemaining',
        'GrossPositionValue',
        'InitMarginReq',
        'MaintMarginReq',
        'ExcessLiquidity',
      ]),
    );
  });
});

describe('brokerAccountReport', () => {
  const at = Date.UTC(2026, 10, 2, 15, 0, 0, 123);
  const summary = (day: string, settled: string) => {
    const s = summariseAccount([row('DayTradesRemaining', day, 'DU1', ''), row('SettledCash', settled)], at);
    if (s === undefined) throw new Error('no summary');
    return s;
  };

  it("carries IBKR's DayTradesRemaining and SettledCash, read at the summary's time", () => {
    expect(brokerAccountReport(summary('-1', '39000.25'))).toEqual({
      ok: true,
      report: {
        kind: 'broker.account_reported',
        ts: at,
        accountId: 'DU1',
        dayTradesRemaining: -1,
        settledCash: 39000.25,
      },
    });
    expect(brokerAccountReport(summary('', 'n/a'))).toMatchObject({
      ok: true,
      report: { dayTradesRemaining: null, settledCash: null },
    });
  });

  it('refuses a figure IBKR does not send, naming it', () => {
    expect(brokerAccountReport(summary('2.5', '100'))).toEqual({
      ok: false,
      problems: 'dayTradesRemaining: dayTradesRemaining must be a whole number',
    });
    expect(brokerAccountReport(summary('-3', '100'))).toMatchObject({
      ok: false,
      problems: expect.stringContaining('>= -1'),
    });
  });
});
