import { z } from 'zod';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import {
  type Json,
  accountJson,
  barJson,
  decisionJson,
  fillJson,
  isoOf,
  positionJson,
  scoredSignalJson,
} from '../serializers.js';
import type { WsPath } from './upgrade.js';
import { SymbolSchema } from '../../engine/messages/symbol.js';

/** Every message a stream sends: `ts` is the ISO event time (wall time for hello/health ticks). */
export interface WsMessage {
  readonly type: string;
  readonly ts: string;
  readonly data: unknown;
}

/** A message routed to one stream; `symbol` lets /ws/prices filter per client. */
export interface Routed {
  readonly path: WsPath;
  readonly message: WsMessage;
  readonly symbol?: string;
}

const msg = (type: string, ts: number, data: Json): WsMessage => ({ type, ts: isoOf(ts), data });

/**
 * Which stream an engine event goes to, as what. Position and account updates are left out here:
 * the hub throttles them per key before they reach /ws/portfolio (see `portfolioMessage`).
 */
export const routeEvent = (e: EngineEvent): Routed | undefined => {
  switch (e.kind) {
    case 'bar':
      return { path: '/ws/prices', message: msg('bar', e.ts, barJson(e)), symbol: e.symbol };
    case 'signal.scored':
      return { path: '/ws/signals', message: msg('signal', e.ts, scoredSignalJson(e)) };
    case 'risk.approved':
    case 'risk.rejected':
      return { path: '/ws/signals', message: msg('decision', e.ts, decisionJson(e)) };
    case 'order.filled':
    case 'order.partially_filled':
      return { path: '/ws/portfolio', message: msg('fill', e.ts, fillJson(e)) };
    default:
      return undefined;
  }
};

/** Portfolio updates and the key they are throttled by (latest value per key wins). */
export const portfolioMessage = (e: EngineEvent): { key: string; message: WsMessage } | undefined => {
  if (e.kind === 'position.updated')
    return { key: `position:${e.symbol}`, message: msg('position', e.ts, positionJson(e)) };
  if (e.kind === 'account.updated') return { key: 'account', message: msg('account', e.ts, accountJson(e.account)) };
  return undefined;
};

/** Events after which /ws/health pushes a fresh report. */
export const changesHealth = (e: EngineEvent): boolean =>
  e.kind === 'scheduler.state_changed' || e.kind === 'actor.halted';

/** What a client may send (only /ws/prices accepts anything): set or clear its symbol filter. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('subscribe'), symbols: z.array(SymbolSchema).min(1).max(200) }),
  z.strictObject({ type: z.literal('unsubscribe') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
