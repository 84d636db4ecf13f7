import { config } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../../engine/operators/channel.js';

describe('Channel', () => {
  it('delivers each value to every subscriber in subscription order, from the moment of subscription', () => {
    const c = new Channel<number>();
    const seen: string[] = [];
    c.next(0);
    c.out$.subscribe((v) => seen.push(`a${v}`));
    c.next(1);
    c.out$.subscribe((v) => seen.push(`b${v}`));
    c.next(2);
    expect(seen).toEqual(['a1', 'a2', 'b2']);
  });

  it('an unsubscribed subscriber gets nothing more; the others keep receiving', () => {
    const c = new Channel<number>();
    const a: number[] = [];
    const b: number[] = [];
    const sa = c.out$.subscribe((v) => a.push(v));
    c.out$.subscribe((v) => b.push(v));
    c.next(1);
    sa.unsubscribe();
    c.next(2);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
  });

  it('a subscription made during a delivery starts with the next value (as a Subject does)', () => {
    const c = new Channel<number>();
    const late: number[] = [];
    let added = false;
    c.out$.subscribe(() => {
      if (added) return;
      added = true;
      c.out$.subscribe((v) => late.push(v));
    });
    c.next(1);
    c.next(2);
    expect(late).toEqual([2]);
  });

  it('a subscriber that throws does not stop delivery to the others', async () => {
    const c = new Channel<number>();
    const got: number[] = [];
    c.out$.subscribe(() => {
      throw new Error('consumer bug');
    });
    c.out$.subscribe((v) => got.push(v));
    // RxJS reports an error thrown by a consumer asynchronously, through config.onUnhandledError.
    const reported = new Promise<unknown>((resolve) => (config.onUnhandledError = resolve));
    try {
      c.next(7);
      expect(((await reported) as Error).message).toBe('consumer bug');
    } finally {
      config.onUnhandledError = null;
    }
    expect(got).toEqual([7]);
  });

  it('complete completes every subscriber, drops later values, and completes late subscribers at once', () => {
    const c = new Channel<number>();
    const log: string[] = [];
    c.out$.subscribe({ next: (v) => log.push(`v${v}`), complete: () => log.push('done') });
    c.next(1);
    c.complete();
    c.next(2);
    c.out$.subscribe({ next: (v) => log.push(`late${v}`), complete: () => log.push('late done') });
    c.complete();
    expect(log).toEqual(['v1', 'done', 'late done']);
  });
});
