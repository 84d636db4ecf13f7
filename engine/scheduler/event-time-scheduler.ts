import type { Subscription } from 'rxjs';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/**
 * A virtual action that reuses itself when rescheduled. rxjs' `VirtualAction` creates a new action
 * per reschedule and keeps it as a child of the previous one, so a long-lived `interval` would grow
 * an unbounded chain; an event-time scheduler runs for the whole life of a paper process.
 */
class EventTimeAction<T> extends VirtualAction<T> {
  override schedule(state?: T, delay = 0): Subscription {
    if (this.closed || !Number.isFinite(delay)) return super.schedule(state, delay);
    if (this.id) {
      const { actions } = this.scheduler;
      const at = actions.indexOf(this);
      if (at >= 0) actions.splice(at, 1);
      this.id = undefined;
      this.index = this.scheduler.index += 1;
    }
    return super.schedule(state, Math.max(0, delay));
  }
}

/**
 * An RxJS scheduler whose clock is event (market) time. Timers created on it (`interval`, `timer`,
 * `delay` ...) fire only when the market advances the clock with `advanceTo`, so paper and backtest
 * runs see the same timer firings as the bars they process. The clock never moves backwards.
 */
export class EventTimeScheduler extends VirtualTimeScheduler {
  private advancing = false;

  constructor(startTs: number) {
    if (!Number.isFinite(startTs))
      throw new RangeError(`EventTimeScheduler start must be finite epoch ms, got ${startTs}`);
    super(EventTimeAction as typeof VirtualAction, startTs);
    this.frame = startTs;
  }

  /**
   * Run every action due at or before `ts` in time order (including actions scheduled while
   * advancing, and one firing per period crossed for periodic ones), then set the clock to `ts`.
   * Advancing to an earlier time does nothing. Not re-entrant: an action must not call it.
   */
  advanceTo(ts: number): void {
    if (!Number.isFinite(ts)) throw new RangeError(`advanceTo needs finite epoch ms, got ${ts}`);
    if (ts < this.frame) return;
    if (this.advancing) throw new Error('EventTimeScheduler.advanceTo called from inside a scheduled action');
    this.advancing = true;
    this.maxFrames = ts;
    try {
      this.flush();
    } finally {
      this.frame = ts;
      this.advancing = false;
    }
  }
}
