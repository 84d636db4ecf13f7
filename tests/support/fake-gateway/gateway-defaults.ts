import { DateTime } from 'luxon';
import type { FakeContract, FakeContractSpec } from './fake-gateway.types.js';

/**
 * Defaults and formats the fake uses to look like a real IB Gateway (texts from IB's message-codes
 * page and real captures quoted in the project's protocol research notes).
 */

/** Standard texts for the codes tests send most (any code may be sent with any text). */
export const DEFAULT_ERROR_TEXTS: Readonly<Record<number, string>> = {
  100: 'Max rate of messages per second has been exceeded.',
  103: 'Duplicate order id',
  135: "Can't find order with id =",
  162: 'Historical Market Data Service error message:HMDS query returned no data',
  200: 'No security definition has been found for the request',
  201: 'Order rejected - reason:',
  202: 'Order Canceled - reason:',
  326: 'Unable to connect as the client id is already in use. Retry with a unique client id.',
  354: 'Requested market data is not subscribed.',
  502: 'Couldn\'t connect to TWS. Confirm that "Enable ActiveX and Socket Clients" is enabled.',
  504: 'Not connected',
  1100: 'Connectivity between IBKR and Trader Workstation has been lost.',
  1101: 'Connectivity between IBKR and Trader Workstation has been restored - data lost.',
  1102: 'Connectivity between IBKR and Trader Workstation has been restored - data maintained.',
  1300: 'TWS socket port has been reset and this connection is being dropped. Please reconnect on port',
  2103: 'Market data farm connection is broken:usfarm',
  2104: 'Market data farm connection is OK:usfarm',
  2105: 'HMDS data farm connection is broken:ushmds',
  2106: 'HMDS data farm connection is OK:ushmds',
  2107: 'HMDS data farm connection is inactive but should be available upon demand.ushmds',
  2108: 'Market data farm connection is inactive but should be available upon demand.usfarm',
  2110: 'Connectivity between Trader Workstation and server is broken. It will be restored automatically.',
  2158: 'Sec-def data farm connection is OK:secdefnj',
  10089:
    "Requested market data requires additional subscription for API. See link in 'Market Data Connections dialog' for more details.",
  10090:
    'Part of requested market data is not subscribed. Subscription-independent ticks are still active. Delayed market data is not available.',
  10148: 'OrderId that needs to be cancelled cannot be cancelled, state:',
  10167: 'Requested market data is not subscribed. Displaying delayed market data.',
};

/** Account-summary tags IB reports without a currency. */
export const NON_MONETARY_TAGS: ReadonlySet<string> = new Set([
  'AccountType',
  'Cushion',
  'DayTradesRemaining',
  'DayTradesRemainingT+1',
  'DayTradesRemainingT+2',
  'DayTradesRemainingT+3',
  'DayTradesRemainingT+4',
  'Leverage',
  'LookAheadNextChange',
  'HighestSeverity',
  'SegmentTitle',
]);

/** Fills in a contract like IB describes a US stock routed SMART (primary NASDAQ, trading class NMS). */
export const defineContract = (spec: FakeContractSpec, fallbackConId: number): FakeContract => ({
  symbol: spec.symbol,
  conId: spec.conId ?? fallbackConId,
  secType: spec.secType ?? 'STK',
  exchange: spec.exchange ?? 'SMART',
  primaryExch: spec.primaryExch ?? 'NASDAQ',
  currency: spec.currency ?? 'USD',
  localSymbol: spec.localSymbol ?? spec.symbol,
  tradingClass: spec.tradingClass ?? 'NMS',
  longName: spec.longName ?? `${spec.symbol} INC`,
  minTick: spec.minTick ?? 0.01,
  industry: spec.industry ?? 'Technology',
  category: spec.category ?? 'Computers',
  subcategory: spec.subcategory ?? 'Computers',
  timeZoneId: spec.timeZoneId ?? 'US/Eastern',
  tradingHours: spec.tradingHours ?? '20240102:0400-20240102:2000;20240103:0400-20240103:2000',
  liquidHours: spec.liquidHours ?? '20240102:0930-20240102:1600;20240103:0930-20240103:1600',
  stockType: spec.stockType ?? 'COMMON',
});

/** IBKR fixed-rate US stock commission: $0.005/share, min $1.00, max 1 % of the trade value. */
export const ibkrFixedCommission = (shares: number, price: number): number => {
  const raw = Math.max(1, 0.005 * Math.abs(shares));
  const cap = 0.01 * Math.abs(shares) * price;
  return Math.round(Math.min(raw, cap > 0 ? cap : raw) * 100) / 100;
};

/** Execution/completion time as IB prints it. */
export const formatIbTime = (ms: number, style: 'zoned' | 'legacy'): string =>
  style === 'legacy'
    ? DateTime.fromMillis(ms, { zone: 'utc' }).toFormat('yyyyMMdd-HH:mm:ss')
    : `${DateTime.fromMillis(ms, { zone: 'America/New_York' }).toFormat('yyyyMMdd HH:mm:ss')} US/Eastern`;

/** Account-update time `HH:mm` (US/Eastern), as ACCT_UPDATE_TIME carries it. */
export const formatAccountTime = (ms: number): string =>
  DateTime.fromMillis(ms, { zone: 'America/New_York' }).toFormat('HH:mm');

/**
 * Parses an execution-filter time (`yyyyMMdd-HH:mm:ss`, `yyyyMMdd HH:mm:ss`, optional trailing zone
 * such as `US/Eastern`; no zone = UTC). Returns undefined for '' and for text it cannot read.
 */
export const parseFilterTime = (text: string): number | undefined => {
  const m = /^(\d{8})[- ](\d{2}):(\d{2})(?::(\d{2}))?(?:\s+(\S+))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, day, hh, mm, ss, zone] = m;
  const dt = DateTime.fromFormat(`${day} ${hh}:${mm}:${ss ?? '00'}`, 'yyyyMMdd HH:mm:ss', {
    zone: zone ?? 'utc',
  });
  return dt.isValid ? dt.toMillis() : undefined;
};
