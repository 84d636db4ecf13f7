import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { bearerToken, tokenMatches } from '../middleware/auth.js';

export const WS_PATHS = ['/ws/health', '/ws/prices', '/ws/signals', '/ws/portfolio'] as const;
export type WsPath = (typeof WS_PATHS)[number];

export interface UpgradePolicy {
  readonly token: string | undefined;
  /** Browser origins allowed to open streams (the CORS list); non-browser clients send no Origin. */
  readonly origins: readonly string[];
}

export type UpgradeVerdict =
  | { readonly ok: true; readonly path: WsPath }
  | { readonly ok: false; readonly status: number; readonly error: string; readonly message: string };

const isWsPath = (p: string): p is WsPath => (WS_PATHS as readonly string[]).includes(p);

/**
 * Decides an upgrade before the handshake: known path, allowed browser origin (no cross-site
 * WebSocket hijacking), and with a configured token `Authorization: Bearer` or `?token=`.
 */
export const checkUpgrade = (req: IncomingMessage, policy: UpgradePolicy): UpgradeVerdict => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!isWsPath(url.pathname)) {
    return { ok: false, status: 404, error: 'not_found', message: `no stream at ${url.pathname}` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !policy.origins.includes(origin)) {
    return { ok: false, status: 403, error: 'forbidden', message: 'origin not allowed' };
  }
  if (policy.token !== undefined) {
    const given = bearerToken(req.headers.authorization) ?? url.searchParams.get('token') ?? undefined;
    if (!tokenMatches(given, policy.token)) {
      return { ok: false, status: 401, error: 'unauthorized', message: 'a valid token is required' };
    }
  }
  return { ok: true, path: url.pathname };
};

/** Answers a refused upgrade with a plain HTTP response and closes the socket. */
export const rejectUpgrade = (socket: Duplex, status: number, body: object): void => {
  const text = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
};
