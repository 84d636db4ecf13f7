import type { BrokerConnectionState } from '../../engine/ports/broker.port.js';
import { classifyIbkrCode, farmOf } from './ibkr-error-codes.js';

/**
 * Where the connection to IB Gateway stands. `syncing` = socket up and NEXT_VALID_ID received,
 * reconciliation running; only `ready` takes orders.
 */
export type ConnectionPhase = 'idle' | 'connecting' | 'syncing' | 'ready' | 'backoff';

export interface ConnectionState {
  readonly phase: ConnectionPhase;
  /** Someone asked for a connection (connect) and not for a disconnect since: drops are retried. */
  readonly wanted: boolean;
  /** Failed attempts in a row (drives the backoff); 0 after a successful sync. */
  readonly attempt: number;
  /** 1100/2110 received and no 1101/1102 since: the gateway has lost IBKR. */
  readonly upstreamLost: boolean;
  /** Farms reported broken (2103/2105/2157) and not reported OK since. */
  readonly brokenFarms: readonly string[];
  readonly lastError: { readonly code: number; readonly text: string } | undefined;
  /** Connections opened so far; the current session's number. */
  readonly epoch: number;
}

export const INITIAL_CONNECTION: ConnectionState = {
  phase: 'idle',
  wanted: false,
  attempt: 0,
  upstreamLost: false,
  brokenFarms: [],
  lastError: undefined,
  epoch: 0,
};

export type ConnectionInput =
  | { readonly kind: 'connect' }
  | { readonly kind: 'disconnect' }
  /** NEXT_VALID_ID arrived on the session of `epoch`. */
  | { readonly kind: 'opened'; readonly epoch: number }
  | { readonly kind: 'open_failed'; readonly epoch: number; readonly code: number; readonly text: string }
  /** The first reconciliation of the session finished (successfully or not). */
  | { readonly kind: 'synced'; readonly epoch: number }
  | { readonly kind: 'closed'; readonly epoch: number; readonly reason: string }
  | { readonly kind: 'retry_due' }
  | { readonly kind: 'notice'; readonly code: number; readonly text: string };

export type ConnectionEffect =
  | { readonly kind: 'open_session'; readonly epoch: number }
  | { readonly kind: 'close_session'; readonly reason: string }
  | { readonly kind: 'schedule_retry'; readonly delayMs: number }
  | { readonly kind: 'cancel_retry' }
  | { readonly kind: 'reconcile'; readonly reason: string }
  | { readonly kind: 'resubscribe_market_data' };

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** Wait at least this long after 326 (the gateway still holds the old session with our client id). */
  readonly clientIdInUseMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, factor: 2, maxMs: 60_000, clientIdInUseMs: 15_000 };

/** Delay before attempt number `attempt + 1` (0-based count of failures so far). */
export const backoffDelay = (policy: BackoffPolicy, attempt: number, lastCode?: number): number => {
  const exponential = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return lastCode === 326 ? Math.max(exponential, policy.clientIdInUseMs) : exponential;
};

/** The engine's view: `connected` only when orders can go; `degraded` = orders can go, some data farm is broken. */
export const publicConnectionState = (s: ConnectionState): BrokerConnectionState => {
  if (s.phase === 'idle') return 'disconnected';
  if (s.phase !== 'ready' || s.upstreamLost) return 'connecting';
  return s.brokenFarms.length > 0 ? 'degraded' : 'connected';
};

export interface ConnectionStep {
  readonly state: ConnectionState;
  readonly effects: readonly ConnectionEffect[];
}

const stay = (state: ConnectionState): ConnectionStep => ({ state, effects: [] });

const retryAfterFailure = (
  state: ConnectionState,
  policy: BackoffPolicy,
  error: { readonly code: number; readonly text: string },
  extra: readonly ConnectionEffect[] = [],
): ConnectionStep => {
  if (!state.wanted) return { state: { ...state, phase: 'idle', lastError: error }, effects: extra };
  const delayMs = backoffDelay(policy, state.attempt, error.code);
  return {
    state: {
      ...state,
      phase: 'backoff',
      attempt: state.attempt + 1,
      lastError: error,
      upstreamLost: false,
      brokenFarms: [],
    },
    effects: [...extra, { kind: 'schedule_retry', delayMs }],
  };
};

const open = (state: ConnectionState): ConnectionStep => {
  const epoch = state.epoch + 1;
  return {
    state: { ...state, phase: 'connecting', wanted: true, epoch, upstreamLost: false, brokenFarms: [] },
    effects: [{ kind: 'open_session', epoch }],
  };
};

/**
 * The connection manager's decisions as a pure step: state + input -> next state + effects. A
 * client id is never changed here (IBKR_CLIENT_ID is fixed); 326 only lengthens the wait. Inputs of
 * an older session (`epoch` below the current one) are ignored. Notices: 1100/2110 mark IBKR lost
 * (no orders) until 1101 (re-subscribe market data, reconcile) or 1102 (reconcile); farm broken
 * (2103/2105/2157) degrades until that farm is OK again; farm OK (2104/2106/2158) is information.
 */
export const stepConnection = (
  state: ConnectionState,
  input: ConnectionInput,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): ConnectionStep => {
  switch (input.kind) {
    case 'connect':
      if (state.phase === 'idle') return open({ ...state, attempt: 0 });
      if (state.phase === 'backoff') {
        const next = open(state);
        return { state: next.state, effects: [{ kind: 'cancel_retry' }, ...next.effects] };
      }
      return stay({ ...state, wanted: true });
    case 'disconnect': {
      const effects: ConnectionEffect[] = [];
      if (state.phase === 'backoff') effects.push({ kind: 'cancel_retry' });
      if (state.phase === 'connecting' || state.phase === 'syncing' || state.phase === 'ready')
        effects.push({ kind: 'close_session', reason: 'disconnect requested' });
      return {
        state: { ...state, phase: 'idle', wanted: false, attempt: 0, upstreamLost: false, brokenFarms: [] },
        effects,
      };
    }
    case 'retry_due':
      return state.phase === 'backoff' && state.wanted ? open(state) : stay(state);
    case 'opened':
      if (state.phase !== 'connecting' || input.epoch !== state.epoch) return stay(state);
      return {
        state: { ...state, phase: 'syncing' },
        effects: [{ kind: 'reconcile', reason: state.epoch > 1 ? 'reconnect' : 'connect' }],
      };
    case 'open_failed':
      if (state.phase !== 'connecting' || input.epoch !== state.epoch) return stay(state);
      return retryAfterFailure(state, policy, { code: input.code, text: input.text });
    case 'synced':
      if (state.phase !== 'syncing' || input.epoch !== state.epoch) return stay(state);
      return stay({ ...state, phase: 'ready', attempt: 0 });
    case 'closed':
      if (input.epoch !== state.epoch || (state.phase !== 'syncing' && state.phase !== 'ready')) return stay(state);
      return retryAfterFailure({ ...state, attempt: state.phase === 'ready' ? 0 : state.attempt }, policy, {
        code: 504,
        text: input.reason,
      });
    case 'notice':
      return onNotice(state, input.code, input.text);
  }
};

const onNotice = (state: ConnectionState, code: number, text: string): ConnectionStep => {
  const live = state.phase === 'syncing' || state.phase === 'ready';
  switch (classifyIbkrCode(code, text)) {
    case 'connectivity_lost':
      return live ? stay({ ...state, upstreamLost: true, lastError: { code, text } }) : stay(state);
    case 'restored_data_lost':
      if (!live) return stay(state);
      return {
        state: { ...state, upstreamLost: false },
        effects: [{ kind: 'resubscribe_market_data' }, { kind: 'reconcile', reason: `restored (${code}): data lost` }],
      };
    case 'restored_data_kept':
      if (!live) return stay(state);
      return {
        state: { ...state, upstreamLost: false },
        effects: [{ kind: 'reconcile', reason: `restored (${code})` }],
      };
    case 'farm_broken': {
      const farm = farmOf(code, text);
      return live && !state.brokenFarms.includes(farm)
        ? stay({ ...state, brokenFarms: [...state.brokenFarms, farm].sort() })
        : stay(state);
    }
    case 'farm_ok': {
      const farm = farmOf(code, text);
      return state.brokenFarms.includes(farm)
        ? stay({ ...state, brokenFarms: state.brokenFarms.filter((f) => f !== farm) })
        : stay(state);
    }
    case 'client_id_in_use':
    case 'account_setup':
    case 'client_protocol':
    case 'rate_exceeded':
      return stay({ ...state, lastError: { code, text } });
    default:
      return stay(state);
  }
};
