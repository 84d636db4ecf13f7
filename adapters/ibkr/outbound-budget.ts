import type { SchedulerLike, Subscription } from 'rxjs';

/** Outbound message classes, most urgent first: a cancel never waits behind market data or history. */
export const OUTBOUND_PRIORITIES = ['cancel', 'order', 'account', 'market_data', 'history'] as const;
export type OutboundPriority = (typeof OUTBOUND_PRIORITIES)[number];

export interface OutboundBudgetOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the most that may go at once. `burst + ratePerSecond` bounds any 1-second window. */
  readonly burst: number;
  /** Clock and timer (virtual in tests). */
  readonly scheduler: SchedulerLike;
}

/** One queued message (or group sent together, e.g. a bracket's three orders). */
interface Entry {
  readonly cost: number;
  readonly send: () => void;
  readonly drop: (reason: string) => void;
  readonly seq: number;
}

/** What `enqueue` returns: withdraw the entry if it has not gone yet (true when withdrawn). */
export type Withdraw = () => boolean;

/**
 * The one outbound token bucket in front of the gateway (IBKR closes sessions above 50 messages per
 * second; we stay under 40). Every message of the session goes through it: entries leave in
 * priority order (cancel > order > account > market data > history), FIFO within a priority, and
 * strictly: a costly head entry is never overtaken by a cheaper one behind it. In any window of one
 * second at most `burst + ratePerSecond` tokens are spent. Time comes from the injected scheduler,
 * so tests drive it with virtual time.
 */
export class OutboundBudget {
  private readonly queues = new Map<OutboundPriority, Entry[]>(OUTBOUND_PRIORITIES.map((p) => [p, []]));
  private tokens: number;
  private refilledAt: number;
  private wake: Subscription | undefined;
  private seq = 0;
  private sentTotal = 0;

  constructor(private readonly options: OutboundBudgetOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond))
      throw new Error(`OutboundBudget: ratePerSecond must be a finite number > 0, got ${options.ratePerSecond}`);
    if (!Number.isInteger(options.burst) || options.burst < 1)
      throw new Error(`OutboundBudget: burst must be a whole number >= 1, got ${options.burst}`);
    this.tokens = options.burst;
    this.refilledAt = options.scheduler.now();
  }

  /** Messages sent so far (for metrics and tests). */
  get sent(): number {
    return this.sentTotal;
  }

  /** Entries waiting. */
  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /**
   * Queue `send` (which writes `cost` messages) at `priority`. It runs synchronously when tokens
   * allow and nothing of equal or higher priority waits; otherwise later on the scheduler. `drop`
   * runs instead if the entry is discarded by `clear` (e.g. the socket closed first).
   */
  enqueue(
    priority: OutboundPriority,
    send: () => void,
    drop: (reason: string) => void = () => undefined,
    cost = 1,
  ): Withdraw {
    if (!Number.isInteger(cost) || cost < 1 || cost > this.options.burst)
      throw new Error(`OutboundBudget: cost must be a whole number in 1..${this.options.burst}, got ${cost}`);
    const entry: Entry = { cost, send, drop, seq: ++this.seq };
    const queue = this.queues.get(priority) as Entry[];
    queue.push(entry);
    this.pump();
    return () => {
      const at = queue.indexOf(entry);
      if (at < 0) return false;
      queue.splice(at, 1);
      return true;
    };
  }

  /** Discard everything waiting (their `drop` runs with `reason`); returns how many were dropped. */
  clear(reason: string): number {
    const dropped: Entry[] = [];
    for (const q of this.queues.values()) dropped.push(...q.splice(0));
    this.wake?.unsubscribe();
    this.wake = undefined;
    dropped.sort((a, b) => a.seq - b.seq).forEach((e) => e.drop(reason));
    return dropped.length;
  }

  /** Stop the timer (entries stay queued; `clear` drops them). */
  dispose(): void {
    this.wake?.unsubscribe();
    this.wake = undefined;
  }

  private refill(): void {
    const now = this.options.scheduler.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.ratePerSecond) / 1000);
    this.refilledAt = now;
  }

  private head(): Entry | undefined {
    for (const p of OUTBOUND_PRIORITIES) {
      const first = this.queues.get(p)?.[0];
      if (first) return first;
    }
    return undefined;
  }

  private pump(): void {
    this.refill();
    for (let entry = this.head(); entry; entry = this.head()) {
      // A tiny epsilon absorbs float error in the refill arithmetic.
      if (this.tokens + 1e-9 < entry.cost) {
        this.schedule(entry.cost);
        return;
      }
      this.tokens -= entry.cost;
      this.sentTotal += entry.cost;
      for (const q of this.queues.values()) if (q[0] === entry) q.shift();
      entry.send();
      this.refill();
    }
  }

  private schedule(cost: number): void {
    if (this.wake && !this.wake.closed) return;
    const delay = Math.max(1, Math.ceil(((cost - this.tokens) * 1000) / this.options.ratePerSecond));
    this.wake = this.options.scheduler.schedule(() => {
      this.wake = undefined;
      this.pump();
    }, delay);
  }
}
