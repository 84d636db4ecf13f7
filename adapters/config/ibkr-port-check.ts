/**
 * The API ports IB Gateway and TWS use by default, per account type: 4001/4002 are IB Gateway's own
 * (live/paper), 4003/4004 the same sockets republished by socat in the compose image
 * (ghcr.io/gnzsnz/ib-gateway), 7496/7497 TWS's.
 */
const LIVE_PORTS: ReadonlySet<number> = new Set([4001, 4003, 7496]);
const PAPER_PORTS: ReadonlySet<number> = new Set([4002, 4004, 7497]);

/**
 * A warning when IBKR_TRADING_MODE and IBKR_PORT disagree (live mode on a paper port, or the
 * reverse), else undefined. Not an error: the port is only a convention and a gateway can be
 * configured otherwise, but with the defaults such a mix means the bot trades a different account
 * type than the operator believes. Ports outside the conventions are not judged.
 */
export function ibkrPortMismatch(ibkr: {
  readonly port: number;
  readonly tradingMode: 'paper' | 'live';
}): string | undefined {
  const { port, tradingMode } = ibkr;
  if (tradingMode === 'live' && PAPER_PORTS.has(port))
    return (
      `IBKR_TRADING_MODE=live but IBKR_PORT=${port} is a paper-trading port by default ` +
      '(4004 through the compose gateway, 4002 direct, 7497 TWS): the bot trades whatever account that ' +
      'gateway is logged in to. Use 4003 (compose), 4001 (direct) or 7496 (TWS) for live, or set IBKR_TRADING_MODE=paper'
    );
  if (tradingMode === 'paper' && LIVE_PORTS.has(port))
    return (
      `IBKR_TRADING_MODE=paper but IBKR_PORT=${port} is a LIVE-trading port by default ` +
      '(4003 through the compose gateway, 4001 direct, 7496 TWS): orders may reach a real-money account. ' +
      'Use 4004 (compose), 4002 (direct) or 7497 (TWS) for paper, or set IBKR_TRADING_MODE=live'
    );
  return undefined;
}
