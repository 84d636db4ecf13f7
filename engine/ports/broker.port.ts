import type { Observable } from 'rxjs';
import type { BrokerEvent, OrderIntent } from '../messages/order.js';

export type BrokerConnectionState = 'disconnected' | 'connecting' | 'connected' | 'degraded';

/**
 * A broker (paper or IBKR). `events$` is hot and carries every acknowledgement, fill, cancel and
 * reject for our orders, matched by `clientOrderId`. A fill with an `execId` already seen must not be
 * reported twice.
 */
export interface BrokerPort {
  readonly name: 'paper' | 'ibkr';
  readonly events$: Observable<BrokerEvent>;
  readonly connection$: Observable<BrokerConnectionState>;
  isConnected(): boolean;
  /**
   * Hand the order to the broker. Completes once it is handed over (not when it fills); errors when
   * it could not be handed over. Never retried blindly by the caller: the fate of a failed send is
   * settled by reconciliation.
   */
  submit(order: OrderIntent): Observable<void>;
  cancel(clientOrderId: string): Observable<void>;
}
