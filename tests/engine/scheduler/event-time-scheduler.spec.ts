import { describe, expect, it } from 'vitest';
import { interval, map, take, timer } from 'rxjs';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';

const T0 = Date.UTC(2026, 2, 9, 13, 30);

describe('EventTimeScheduler', () => {
  it('starts its clock at the given event time', () => {
    const scheduler = new EventTimeScheduler(T0);
    expect(scheduler.now()).toBe(T0);
    expect(scheduler.frame).toBe(T0);
  });

  it('fires an interval once per period crossed, at the event time of each period', () => {
    const scheduler = new EventTimeScheduler(T0);
    const seen: { n: number; at: number }[] = [];
    const sub = interval(60_000, scheduler).subscribe((n) => seen.push({ n, at: scheduler.now() }));

    scheduler.advanceTo(T0 + 59_999);
    expect(seen).toEqual([]);
    scheduler.advanceTo(T0 + 60_000);
    expect(seen).toEqual([{ n: 0, at: T0 + 60_000 }]);
    scheduler.advanceTo(T0 + 5 * 60_000 + 30_000);
    expect(seen.map((s) => s.n)).toEqual([0, 1, 2, 3, 4]);
    expect(seen.map((s) => s.at)).toEqual([1, 2, 3, 4, 5].map((k) => T0 + k * 60_000));
    expect(scheduler.now()).toBe(T0 + 5 * 60_000 + 30_000);
    sub.unsubscribe();
    scheduler.advanceTo(T0 + 60 * 60_000);
    expect(seen).toHaveLength(5);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('runs actions from different timers in time order, ties in scheduling order', () => {
    const scheduler = new EventTimeScheduler(T0);
    const log: string[] = [];
    timer(30_000, scheduler).subscribe(() => log.push('b@30'));
    timer(10_000, scheduler).subscribe(() => log.push('a@10'));
    timer(30_000, scheduler).subscribe(() => log.push('c@30'));
    interval(20_000, scheduler)
      .pipe(
        take(2),
        map((n) => `i${n}`),
      )
      .subscribe((s) => log.push(s));
    scheduler.advanceTo(T0 + 45_000);
    expect(log).toEqual(['a@10', 'i0', 'b@30', 'c@30', 'i1']);
  });

  it('runs an action scheduled during the advance when it is due by the target time', () => {
    const scheduler = new EventTimeScheduler(T0);
    const log: number[] = [];
    scheduler.schedule(() => {
      log.push(scheduler.now());
      scheduler.schedule(() => log.push(scheduler.now()), 5_000);
      scheduler.schedule(() => log.push(scheduler.now()), 50_000);
    }, 10_000);
    scheduler.advanceTo(T0 + 20_000);
    expect(log).toEqual([T0 + 10_000, T0 + 15_000]);
    scheduler.advanceTo(T0 + 60_000);
    expect(log).toEqual([T0 + 10_000, T0 + 15_000, T0 + 60_000]);
  });

  it('runs actions due exactly at the current time when advanced to it', () => {
    const scheduler = new EventTimeScheduler(T0);
    let ran = false;
    scheduler.schedule(() => (ran = true));
    expect(ran).toBe(false);
    scheduler.advanceTo(T0);
    expect(ran).toBe(true);
  });

  it('never moves backwards', () => {
    const scheduler = new EventTimeScheduler(T0);
    const seen: number[] = [];
    interval(60_000, scheduler).subscribe((n) => seen.push(n));
    scheduler.advanceTo(T0 + 120_000);
    scheduler.advanceTo(T0 + 30_000);
    expect(scheduler.now()).toBe(T0 + 120_000);
    expect(seen).toEqual([0, 1]);
    scheduler.advanceTo(T0 + 180_000);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('reuses one action per periodic timer instead of chaining a new one per tick', () => {
    const scheduler = new EventTimeScheduler(T0);
    let count = 0;
    interval(1_000, scheduler).subscribe(() => (count += 1));
    const queued = scheduler.actions[0];
    for (let k = 1; k <= 100; k += 1) scheduler.advanceTo(T0 + k * 60_000);
    expect(count).toBe(6_000);
    expect(scheduler.actions).toEqual([queued]);
  });

  it('rejects a non-finite start or target time', () => {
    expect(() => new EventTimeScheduler(Number.NaN)).toThrow(/finite/);
    expect(() => new EventTimeScheduler(T0).advanceTo(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});
