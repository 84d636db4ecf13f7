import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTBOUND_PRIORITIES, OutboundBudget, type OutboundPriority } from '../../../adapters/ibkr/outbound-budget.js';
import { EventTimeScheduler } from '../../../engine/scheduler/event-time-scheduler.js';

const T0 = 1_000_000;

const setup = (ratePerSecond = 35, burst = 4) => {
  const scheduler = new EventTimeScheduler(T0);
  const budget = new OutboundBudget({ ratePerSecond, burst, scheduler });
  const sent: { label: string; at: number }[] = [];
  const send = (label: string, priority: OutboundPriority, cost = 1) =>
    budget.enqueue(priority, () => sent.push({ label, at: scheduler.now() }), undefined, cost);
  return { scheduler, budget, sent, send };
};

/** The most sends (weighted by cost) inside any closed window of `ms` milliseconds. */
const maxInWindow = (times: readonly number[], ms: number): number => {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while ((sorted[i] as number) - (sorted[j] as number) > ms) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

describe('OutboundBudget', () => {
  it('sends at once while tokens last, then one token per 1000/rate ms', () => {
    const { scheduler, sent, send } = setup(10, 2);
    for (let i = 0; i < 5; i += 1) send(`m${i}`, 'account');
    expect(sent.map((s) => s.at)).toEqual([T0, T0]);
    scheduler.advanceTo(T0 + 1_000);
    expect(sent.map((s) => s.at - T0)).toEqual([0, 0, 100, 200, 300]);
  });

  it('lets the most urgent class go first: cancel > order > account > market data > history', () => {
    const { scheduler, sent, send } = setup(10, 1);
    send('blocker', 'history');
    for (const p of [...OUTBOUND_PRIORITIES].reverse()) send(p, p);
    scheduler.advanceTo(T0 + 10_000);
    expect(sent.map((s) => s.label)).toEqual(['blocker', 'cancel', 'order', 'account', 'market_data', 'history']);
  });

  it('keeps FIFO order within a class', () => {
    const { scheduler, sent, send } = setup(10, 1);
    for (const l of ['a', 'b', 'c', 'd']) send(l, 'order');
    scheduler.advanceTo(T0 + 10_000);
    expect(sent.map((s) => s.label)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('sends a bracket (cost 3) as one group and never lets a cheaper entry overtake it', () => {
    const { scheduler, sent, send } = setup(10, 3);
    send('single', 'order');
    send('bracket', 'order', 3);
    send('after', 'order');
    // 2 tokens left after 'single'; the bracket needs 3, so it waits 100 ms and 'after' waits behind it.
    expect(sent.map((s) => s.label)).toEqual(['single']);
    scheduler.advanceTo(T0 + 99);
    expect(sent.map((s) => s.label)).toEqual(['single']);
    scheduler.advanceTo(T0 + 1_000);
    expect(sent.map((s) => [s.label, s.at - T0])).toEqual([
      ['single', 0],
      ['bracket', 100],
      ['after', 200],
    ]);
  });

  it('refuses a cost above the burst and invalid settings', () => {
    const { budget } = setup(10, 2);
    expect(() => budget.enqueue('order', () => undefined, undefined, 3)).toThrow(/cost must be a whole number in 1..2/);
    const scheduler = new EventTimeScheduler(T0);
    expect(() => new OutboundBudget({ ratePerSecond: 0, burst: 1, scheduler })).toThrow(/ratePerSecond/);
    expect(() => new OutboundBudget({ ratePerSecond: 10, burst: 0, scheduler })).toThrow(/burst/);
  });

  it('withdraws a queued entry and drops everything on clear with the reason', () => {
    const { scheduler, budget, sent } = setup(10, 1);
    const dropped: string[] = [];
    budget.enqueue('order', () => sent.push({ label: 'first', at: 0 }));
    const withdraw = budget.enqueue('order', () => sent.push({ label: 'withdrawn', at: 0 }));
    budget.enqueue(
      'order',
      () => sent.push({ label: 'cleared', at: 0 }),
      (r) => dropped.push(r),
    );
    expect(withdraw()).toBe(true);
    expect(withdraw()).toBe(false);
    expect(budget.pending).toBe(1);
    expect(budget.clear('socket closed')).toBe(1);
    scheduler.advanceTo(T0 + 10_000);
    expect(sent.map((s) => s.label)).toEqual(['first']);
    expect(dropped).toEqual(['socket closed']);
  });

  it('stays under 40 messages in every 1-second window with the production setting (35/s + 4), whatever arrives', () => {
    const arrival = fc.record({
      at: fc.integer({ min: 0, max: 5_000 }),
      priority: fc.constantFrom(...OUTBOUND_PRIORITIES),
      cost: fc.constantFrom(1, 1, 1, 3),
    });
    fc.assert(
      fc.property(fc.array(arrival, { minLength: 1, maxLength: 300 }), (arrivals) => {
        const { scheduler, budget } = setup(35, 4);
        const times: number[] = [];
        const sorted = [...arrivals].sort((a, b) => a.at - b.at);
        for (const a of sorted) {
          scheduler.advanceTo(T0 + a.at);
          budget.enqueue(
            a.priority,
            () => {
              for (let i = 0; i < a.cost; i += 1) times.push(scheduler.now());
            },
            undefined,
            a.cost,
          );
        }
        scheduler.advanceTo(T0 + 120_000);
        expect(times).toHaveLength(sorted.reduce((n, a) => n + a.cost, 0));
        expect(maxInWindow(times, 1_000)).toBeLessThan(40);
      }),
      { numRuns: 60 },
    );
  });
});
