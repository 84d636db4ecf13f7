import { describe, expect, it } from 'vitest';
import { ibkrPortMismatch } from '../../../adapters/config/ibkr-port-check.js';

// Port conventions: IB Gateway 4001 live / 4002 paper on its own loopback, republished by the compose
// image's socat as 4003 live / 4004 paper (gnzsnz/ib-gateway-docker scripts/common.sh); TWS 7496 / 7497.
describe('ibkrPortMismatch', () => {
  it.each([4002, 4004, 7497])('warns for live mode on paper port %i, naming the live ports', (port) => {
    const warning = ibkrPortMismatch({ port, tradingMode: 'live' });
    expect(warning).toContain(`IBKR_TRADING_MODE=live but IBKR_PORT=${port}`);
    expect(warning).toMatch(/4003 \(compose\), 4001 \(direct\)/);
  });

  it.each([4001, 4003, 7496])('warns for paper mode on live port %i: orders may reach real money', (port) => {
    const warning = ibkrPortMismatch({ port, tradingMode: 'paper' });
    expect(warning).toContain(`IBKR_TRADING_MODE=paper but IBKR_PORT=${port} is a LIVE-trading port`);
    expect(warning).toMatch(/4004 \(compose\), 4002 \(direct\)/);
  });

  it.each([
    [4004, 'paper'],
    [4002, 'paper'],
    [4003, 'live'],
    [4001, 'live'],
    [14004, 'live'],
    [5555, 'paper'],
  ] as const)('is silent for port %i in %s mode', (port, tradingMode) => {
    expect(ibkrPortMismatch({ port, tradingMode })).toBeUndefined();
  });
});
