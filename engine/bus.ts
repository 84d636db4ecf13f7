import type { Observable } from 'rxjs';
import type { EngineEvent } from './messages/engine-event.js';
import { Channel } from './operators/channel.js';

/**
 * The engine's single ordered event log. Every stage reads `events$` and publishes its outputs with
 * `publish`. Publishing while an event is being delivered does not deliver depth-first (as a plain
 * Subject fed back into itself would): the event is queued and delivered after the current one has
 * reached every subscriber. So every subscriber sees all events in one causal, FIFO order — the
 * journal never sees a decision before the signal it decides on — and a feedback loop (fills ->
 * account -> risk) cannot recurse without bound.
 */
export class EventBus {
  private readonly channel = new Channel<EngineEvent>();
  private readonly queue: (EngineEvent | undefined)[] = [];
  private head = 0;
  private tail = 0;
  private draining = false;

  readonly events$: Observable<EngineEvent> = this.channel.out$;

  publish = (event: EngineEvent): void => {
    this.queue[this.tail++] = event;
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.head < this.tail) {
        const next = this.queue[this.head] as EngineEvent;
        this.queue[this.head++] = undefined;
        this.channel.next(next);
      }
    } finally {
      // The array is reused, never shrunk: emptying it (`length = 0`) freed its backing store, and
      // the next market event grew a new one. Slots are cleared as delivered (and here, after a
      // throw), so nothing stays referenced.
      for (let i = this.head; i < this.tail; i++) this.queue[i] = undefined;
      this.head = 0;
      this.tail = 0;
      this.draining = false;
    }
  };

  complete(): void {
    this.channel.complete();
  }
}
