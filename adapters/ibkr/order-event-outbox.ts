import type { SchedulerLike, Subscription } from 'rxjs';
import type { BrokerEvent, FillEvent } from '../../engine/messages/order.js';
import type { FillDraft } from './ibkr-views.js';

export interface OrderEventOutboxOptions {
  readonly scheduler: SchedulerLike;
  /** How long a fill waits for its COMMISSION_REPORT before it goes out with commission 0. */
  readonly graceMs: number;
  readonly emit: (event: BrokerEvent) => void;
  /** Told about each fill that went out without its commission. */
  readonly onCommissionMissing?: (draft: FillDraft) => void;
}

type Item = { readonly event: Exclude<BrokerEvent, FillEvent> } | { readonly draft: FillDraft; readonly due: number };

/**
 * Orders the broker's events per order. IBKR sends a fill's commission in a separate
 * COMMISSION_REPORT after the execution, and the engine's fill carries the commission, so a fill
 * waits (at most `graceMs` on the scheduler) for it; whatever follows for the same order (the next
 * fill, a cancel) waits behind it, so each order's events keep their order: accepted, fills,
 * terminal. Orders do not wait for each other.
 */
export class OrderEventOutbox {
  private readonly queues = new Map<string, Item[]>();
  private readonly commissions = new Map<string, number>();
  private timer: Subscription | undefined;
  private disposed = false;

  constructor(private readonly options: OrderEventOutboxOptions) {}

  /** A non-fill event for order `ref`. */
  event(ref: string, event: Exclude<BrokerEvent, FillEvent>): void {
    this.push(ref, { event });
  }

  /** A fill for order `ref`; goes out once its commission is known or the grace period ends. */
  fill(ref: string, draft: FillDraft): void {
    this.push(ref, { draft, due: this.options.scheduler.now() + this.options.graceMs });
  }

  /** A COMMISSION_REPORT arrived (possibly before its execution). */
  commission(execId: string, value: number): void {
    this.commissions.set(execId, value);
    for (const [ref, queue] of this.queues)
      if (queue.some((i) => 'draft' in i && i.draft.execId === execId)) this.flush(ref);
  }

  /** The commission reported for an execution that has not gone out yet, if known. */
  knownCommission(execId: string): number | undefined {
    return this.commissions.get(execId);
  }

  /** Fills still waiting for their commission. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.filter((i) => 'draft' in i).length;
    return n;
  }

  /** Stop the grace timer; anything still queued is dropped. */
  dispose(): void {
    this.disposed = true;
    this.timer?.unsubscribe();
    this.queues.clear();
  }

  private push(ref: string, item: Item): void {
    if (this.disposed) return;
    const queue = this.queues.get(ref) ?? [];
    queue.push(item);
    this.queues.set(ref, queue);
    this.flush(ref);
  }

  private flush(ref: string): void {
    const queue = this.queues.get(ref);
    if (!queue) return;
    while (queue.length > 0) {
      const head = queue[0] as Item;
      if ('event' in head) {
        this.options.emit(head.event);
      } else {
        const known = head.draft.commission ?? this.commissions.get(head.draft.execId);
        if (known === undefined && this.options.scheduler.now() < head.due) break;
        if (known === undefined) this.options.onCommissionMissing?.(head.draft);
        this.commissions.delete(head.draft.execId);
        this.options.emit({ ...head.draft, commission: known ?? 0 } as FillEvent);
      }
      queue.shift();
    }
    if (queue.length === 0) this.queues.delete(ref);
    this.arm();
  }

  private arm(): void {
    let earliest: number | undefined;
    for (const queue of this.queues.values()) {
      const head = queue[0];
      if (head && 'draft' in head) earliest = earliest === undefined ? head.due : Math.min(earliest, head.due);
    }
    this.timer?.unsubscribe();
    this.timer = undefined;
    if (earliest === undefined || this.disposed) return;
    this.timer = this.options.scheduler.schedule(
      () => {
        this.timer = undefined;
        for (const ref of [...this.queues.keys()]) this.flush(ref);
      },
      Math.max(0, earliest - this.options.scheduler.now()),
    );
  }
}
