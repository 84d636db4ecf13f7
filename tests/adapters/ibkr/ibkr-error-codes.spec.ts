import { describe, expect, it } from 'vitest';
import { classifyIbkrCode, farmOf, type IbkrCodeKind } from '../../../adapters/ibkr/ibkr-error-codes.js';

// Codes and texts from the TWS API message-code list (interactivebrokers.github.io/tws-api/message_codes.html).
describe('classifyIbkrCode', () => {
  it.each<[number, string, IbkrCodeKind]>([
    [1100, 'Connectivity between IBKR and Trader Workstation has been lost.', 'connectivity_lost'],
    [2110, 'Connectivity between Trader Workstation and server is broken.', 'connectivity_lost'],
    [1101, 'Connectivity between IBKR and Trader Workstation has been restored - data lost.', 'restored_data_lost'],
    [
      1102,
      'Connectivity between IBKR and Trader Workstation has been restored - data maintained.',
      'restored_data_kept',
    ],
    [2103, 'Market data farm connection is broken:usfarm', 'farm_broken'],
    [2105, 'HMDS data farm connection is broken:ushmds', 'farm_broken'],
    [2104, 'Market data farm connection is OK:usfarm', 'farm_ok'],
    [2106, 'HMDS data farm connection is OK:ushmds', 'farm_ok'],
    [2158, 'Sec-def data farm connection is OK:secdefnj', 'farm_ok'],
    [326, 'Unable to connect as the client id is already in use.', 'client_id_in_use'],
    [502, "Couldn't connect to TWS.", 'not_connected'],
    [504, 'Not connected', 'not_connected'],
    [1300, 'TWS socket port has been reset', 'not_connected'],
    [100, 'Max rate of messages per second has been exceeded.', 'rate_exceeded'],
    [505, 'Decoding error on OPEN_ORDER: unprocessed data left on queue', 'client_protocol'],
    [321, 'Error validating request: API is read-only', 'account_setup'],
    [10197, 'No market data during competing live session', 'account_setup'],
    [202, 'Order Canceled - reason:', 'order_cancelled'],
    [10148, 'OrderId 5 that needs to be cancelled cannot be cancelled, state: Filled', 'cancel_failed'],
    [162, 'Historical Market Data Service error message:Historical data request pacing violation', 'pacing_violation'],
    [162, 'Historical Market Data Service error message:HMDS query returned no data', 'error'],
    [399, 'Order Message: Warning: your order will not be placed at the exchange until 09:30', 'warning'],
    [2109, 'Order Event Warning: Attribute "Outside Regular Trading Hours" is ignored', 'warning'],
    [201, 'Order rejected - reason: insufficient funds', 'error'],
    [103, 'Duplicate order id', 'error'],
    [200, 'No security definition has been found for the request', 'error'],
  ])('%i %s -> %s', (code, text, kind) => {
    expect(classifyIbkrCode(code, text)).toBe(kind);
  });

  it('treats a "Warning:" text as a warning whatever the code', () => {
    expect(classifyIbkrCode(10349, 'Warning: Order TIF was set to DAY based on order preset.')).toBe('warning');
  });
});

describe('farmOf', () => {
  it.each([
    [2103, 'Market data farm connection is broken:usfarm', 'usfarm'],
    [2104, 'Market data farm connection is OK:usfarm', 'usfarm'],
    [2107, 'HMDS data farm connection is inactive but should be available upon demand.ushmds', 'ushmds'],
    [2105, 'HMDS data farm connection is broken.', 'historical-data'],
    [2103, '', 'market-data'],
  ])('%i %s -> %s', (code, text, farm) => {
    expect(farmOf(code, text)).toBe(farm);
  });
});
