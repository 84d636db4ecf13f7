import { Observable, type Subscriber } from 'rxjs';

/**
 * A hot, synchronous multicast source: what the graph used a `Subject` for, minus its per-value
 * cost. `Subject.next` wraps each delivery in a closure (`errorContext`) and goes through an
 * iterator; the engine pushes about 1.4 values per bar through each of several such hops, so that
 * showed in the benchmark. Here `next` is an indexed loop over the subscribers RxJS gave us (each a
 * safe subscriber, so a consumer that throws is reported the RxJS way and the others still get the
 * value). Subscribing and unsubscribing copy the list, so a subscriber added or removed during a
 * delivery takes effect from the next value, as with a Subject. After `complete`, new subscribers
 * complete at once.
 */
export class Channel<T> {
  private subscribers: readonly Subscriber<T>[] = [];
  private closed = false;

  /** The values, from the moment of subscription (hot). */
  readonly out$: Observable<T> = new Observable<T>((subscriber) => {
    if (this.closed) {
      subscriber.complete();
      return undefined;
    }
    this.subscribers = [...this.subscribers, subscriber];
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== subscriber);
    };
  });

  /** Delivers `value` to every current subscriber, in subscription order. Ignored once completed. */
  next(value: T): void {
    const subs = this.subscribers;
    for (let i = 0; i < subs.length; i++) (subs[i] as Subscriber<T>).next(value);
  }

  /** Completes every subscriber; later values are dropped and later subscribers complete at once. */
  complete(): void {
    if (this.closed) return;
    this.closed = true;
    const subs = this.subscribers;
    this.subscribers = [];
    for (const s of subs) s.complete();
  }
}
