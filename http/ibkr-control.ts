import type { BrokerConnectionState } from '../engine/ports/broker.port.js';

/** What `GET /api/trading/ibkr/status` and connect/disconnect report (snake_case, ready for JSON). */
export interface IbkrStatusReport {
  readonly connected: boolean;
  readonly state: BrokerConnectionState;
  /** IBKR_TRADING_MODE: which IB Gateway account the adapter talks to. */
  readonly mode: 'live' | 'paper';
  readonly [key: string]: unknown;
}

/**
 * Operator control of the IBKR connection, implemented by the IBKR adapter and absent when
 * BROKER=paper (the routes then answer 503 not_connected). Every method resolves to a JSON-ready
 * value or rejects with a DomainError (`not_connected`, `unavailable`); it never exposes credentials.
 */
export interface IbkrControl {
  status(): Promise<IbkrStatusReport>;
  connect(): Promise<IbkrStatusReport>;
  disconnect(): Promise<IbkrStatusReport>;
  /** A round trip to the gateway (e.g. current time) proving the session works. */
  test(): Promise<Readonly<Record<string, unknown>>>;
  account(): Promise<Readonly<Record<string, unknown>>>;
  positions(): Promise<readonly Readonly<Record<string, unknown>>[]>;
}
