import { Observable, type OperatorFunction } from 'rxjs';

/**
 * Maps each value to an array and emits its items in order, synchronously. It does what
 * `mergeMap((v) => from(fn(v)))` does for arrays without creating an inner Observable and
 * Subscription per value: on the per-bar path that allocation was the largest garbage source.
 */
export const emitEach =
  <T, R>(fn: (value: T) => readonly R[]): OperatorFunction<T, R> =>
  (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next: (value) => {
          let items: readonly R[];
          try {
            items = fn(value);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          for (const item of items) subscriber.next(item);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
