import { describe, expect, it } from 'vitest';
import { EventBus } from '../../engine/bus.js';
import type { EngineEvent } from '../../engine/messages/engine-event.js';
import { bar } from '../support/factories.js';

describe('EventBus', () => {
  it('delivers events published during delivery after the current one, to every subscriber, in FIFO order', () => {
    const bus = new EventBus();
    const seenA: number[] = [];
    const seenB: number[] = [];
    bus.events$.subscribe((e: EngineEvent) => {
      if (e.kind !== 'bar') return;
      seenA.push(e.close);
      if (e.close === 1) {
        bus.publish(bar('X', 2, 2));
        bus.publish(bar('X', 3, 3));
      }
      if (e.close === 2) bus.publish(bar('X', 4, 4));
    });
    bus.events$.subscribe((e) => e.kind === 'bar' && seenB.push(e.close));
    bus.publish(bar('X', 1, 1));
    expect(seenA).toEqual([1, 2, 3, 4]);
    expect(seenB).toEqual([1, 2, 3, 4]);
  });
});
