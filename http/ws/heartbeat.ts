import { WebSocket } from 'ws';

/** What the heartbeat needs to know about a client. */
export interface Heartbeating {
  readonly ws: WebSocket;
  /** Set by the hub when a pong arrives; cleared by each ping. */
  alive: boolean;
}

/**
 * Pings every client each `intervalMs`; a client that has not answered the previous ping is handed
 * to `onDead` (which terminates it). Returns the stop function.
 */
export const startHeartbeat = <C extends Heartbeating>(
  clients: () => Iterable<C>,
  intervalMs: number,
  onDead: (client: C) => void,
): (() => void) => {
  const timer = setInterval(() => {
    for (const c of clients()) {
      if (!c.alive) {
        onDead(c);
      } else if (c.ws.readyState === WebSocket.OPEN) {
        c.alive = false;
        c.ws.ping();
      }
    }
  }, intervalMs);
  return () => clearInterval(timer);
};
