import { Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import { DomainError } from '../../engine/errors.js';
import type { ClockPort } from '../../engine/ports/clock.port.js';
import type { IbkrControl, IbkrStatusReport } from '../../http/ibkr-control.js';
import { ACCOUNT_SUMMARY_TAGS, type IbkrAccountSummary, summariseAccount } from './account-summary.js';
import type { IbkrBroker } from './ibkr-broker.js';
import type { IbkrConnection } from './ibkr-connection.js';
import { parsePosition } from './ibkr-parse.js';
import { stockContract } from './order-mapping.js';
import type { IbkrSession } from './ibkr-session.js';

export interface IbkrControlOptions {
  readonly connection: IbkrConnection;
  readonly broker: IbkrBroker;
  readonly clock: ClockPort;
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly mode: 'paper' | 'live';
  /** How long `connect` waits for the connection (and its first reconciliation). */
  readonly connectTimeoutMs: number;
  /** Symbol whose market-data snapshot `test` reads. */
  readonly testSymbol: string;
  /** IBKR account code; default the first managed account. */
  readonly account?: string;
}

/** One check of `test`. */
export interface IbkrCheck {
  readonly name: 'gateway_time' | 'account' | 'positions' | 'market_data';
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** A position as `GET /api/trading/ibkr/positions` lists it. */
export type IbkrPositionReport = {
  readonly symbol: string;
  readonly quantity: number;
  readonly avg_cost: number;
  readonly account: string;
};

/** The control plus the typed account summary other parts (risk's broker PDT policy) can read. */
export interface IbkrControlAdapter extends IbkrControl {
  /** Read the account summary now. */
  accountSummary(): Promise<IbkrAccountSummary>;
  /** Every summary read (also on each reconciliation). */
  readonly accountSummary$: Observable<IbkrAccountSummary>;
  /** The last summary read, if any. */
  lastAccountSummary(): IbkrAccountSummary | undefined;
}

/** Tick types a snapshot price is taken from, in preference order: last, close, delayed last, delayed close, bid. */
const SNAPSHOT_PRICES = [4, 9, 68, 75, 1];

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * What the `/api/trading/ibkr/*` routes call. Reports use snake_case keys; nothing secret is ever
 * included (no username or password). Every call that needs the gateway rejects with DomainError
 * `not_connected` when there is no trading session.
 */
export const createIbkrControl = (options: IbkrControlOptions): IbkrControlAdapter => {
  const { connection, broker, clock } = options;

  const session = (): IbkrSession => {
    const s = connection.tradingSession;
    if (!s)
      throw new DomainError('not_connected', `IB Gateway is not connected (${connection.state})`, [], {
        state: connection.state,
      });
    return s;
  };

  const accountCode = (): string | undefined => options.account ?? connection.handshake?.accounts[0];

  const status = async (): Promise<IbkrStatusReport> => {
    const detail = connection.detail;
    const handshake = connection.handshake;
    const report = broker.lastReconciliation();
    const state = connection.state;
    return {
      connected: state === 'connected' || state === 'degraded',
      state,
      mode: options.mode,
      host: options.host,
      port: options.port,
      client_id: options.clientId,
      server_version: handshake?.serverVersion ?? null,
      accounts: handshake?.accounts ?? [],
      ibkr_link: detail.upstreamLost ? 'lost' : 'ok',
      broken_farms: detail.brokenFarms,
      last_error: detail.lastError ?? null,
      last_reconciliation: report
        ? {
            at: new Date(report.ts).toISOString(),
            reason: report.reason,
            resolved: report.resolved.length,
            missing: report.missing,
            unresolved: report.unresolved,
            unknown_orders: report.unknownOrders.length,
            unknown_executions: report.unknownExecutions.length,
            position_differences: report.positionDifferences,
            fills_recovered: report.fillsRecovered,
          }
        : null,
    };
  };

  const summaries = new Subject<IbkrAccountSummary>();
  let lastSummary: IbkrAccountSummary | undefined;

  const readSummary = async (from: IbkrSession): Promise<IbkrAccountSummary> => {
    const rows = await from.accountSummary(ACCOUNT_SUMMARY_TAGS);
    const summary = summariseAccount(rows, clock.now(), accountCode());
    if (!summary) throw new DomainError('unavailable', 'IB Gateway sent no account summary for the account');
    lastSummary = summary;
    summaries.next(summary);
    return summary;
  };

  const accountSummary = async (): Promise<IbkrAccountSummary> => readSummary(session());

  // Part of every reconciliation: the account as IBKR sees it (cash, PDT counter, margins).
  connection.addHooks({ reconcile: async (s) => void (await readSummary(s)) });

  const positions = async (): Promise<IbkrPositionReport[]> => {
    const raw = await session().positions();
    const account = accountCode();
    const out: IbkrPositionReport[] = [];
    for (const p of raw) {
      const parsed = parsePosition(p.account, p.contract, p.position, p.avgCost);
      if (!parsed.ok || parsed.value.quantity === 0) continue;
      if (account !== undefined && parsed.value.account !== account) continue;
      const v = parsed.value;
      out.push({ symbol: v.symbol, quantity: v.quantity, avg_cost: v.avgCost, account: v.account });
    }
    return out.sort((a, b) => a.symbol.localeCompare(b.symbol));
  };

  type Detail = Readonly<Record<string, unknown>>;
  const check = async (
    name: IbkrCheck['name'],
    run: () => Promise<{ readonly ok: boolean; readonly detail: Detail }>,
  ): Promise<IbkrCheck> => {
    const started = clock.now();
    try {
      const result = await run();
      return { name, ok: result.ok, ms: clock.now() - started, detail: result.detail };
    } catch (err) {
      return { name, ok: false, ms: clock.now() - started, detail: { error: message(err) } };
    }
  };

  return {
    status,
    connect: async () => {
      connection.connect();
      const state = await connection.settled(options.connectTimeoutMs);
      if (state === 'connected' || state === 'degraded') return status();
      const last = connection.detail.lastError;
      throw new DomainError(
        'not_connected',
        `Could not connect to IB Gateway at ${options.host}:${options.port} with client id ${options.clientId}` +
          (last ? `: ${last.text} (${last.code})` : '') +
          '; still retrying in the background',
        [],
        { state },
      );
    },
    disconnect: async () => {
      connection.disconnect();
      return status();
    },
    test: async () => {
      const s = session();
      const checks = [
        await check('gateway_time', async () => {
          const seconds = await s.currentTime();
          return { ok: true, detail: { server_time: new Date(seconds * 1000).toISOString() } };
        }),
        await check('account', async () => {
          const summary = await accountSummary();
          return summary.net_liquidation === null
            ? {
                ok: false,
                detail: { account_id: summary.account_id, error: 'no NetLiquidation in the account summary' },
              }
            : { ok: true, detail: { account_id: summary.account_id, net_liquidation: summary.net_liquidation } };
        }),
        await check('positions', async () => ({ ok: true, detail: { count: (await positions()).length } })),
        await check('market_data', async () => {
          const symbol = options.testSymbol;
          const prices = await s.snapshot(stockContract(symbol));
          const found = SNAPSHOT_PRICES.map((t) => [t, prices.get(t)] as const).find(
            ([, v]) => v !== undefined && v > 0,
          );
          return found
            ? { ok: true, detail: { symbol, price: found[1], tick_type: found[0] } }
            : { ok: false, detail: { symbol, error: 'no price in the market-data snapshot' } };
        }),
      ];
      return { ok: checks.every((c) => c.ok), mode: options.mode, checks };
    },
    account: accountSummary,
    positions,
    accountSummary,
    accountSummary$: summaries.asObservable(),
    lastAccountSummary: () => lastSummary,
  };
};
