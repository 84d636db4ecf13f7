import type { Observable } from 'rxjs';
import { Subject } from 'rxjs';
import type { EngineEvent } from './messages/engine-event.js';

/**
 * The engine's single ordered event log. Every stage reads `events$` and publishes its outputs with
 * `publish`. Publishing while an event is being delivered does not deliver depth-first (as a plain
 * Subject fed back into itself would): the event is queued and delivered after the current one has
 * reached every subscriber. So every subscriber sees all events in one causal, FIFO order — the
 * journal never sees a decision before the signal it decides on — and a feedback loop (fills ->
 * account -> risk) cannot recurse without bound.
 */
export class EventBus {
  private readonly subject = new Subject<EngineEvent>();
  private readonly queue: EngineEvent[] = [];
  private head = 0;
  private draining = false;

  readonly events$: Observable<EngineEvent> = this.subject.asObservable();

  publish = (event: EngineEvent): void => {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.head < this.queue.length) {
        const next = this.queue[this.head++] as EngineEvent;
        this.subject.next(next);
      }
    } finally {
      this.queue.length = 0;
      this.head = 0;
      this.draining = false;
    }
  };

  complete(): void {
    this.subject.complete();
  }
}
