import { marbles } from 'rxjs-marbles';
import { describe, it } from 'vitest';
import { emitEach } from '../../../engine/operators/emit-each.js';

describe('emitEach', () => {
  it(
    'emits every item of each array in order, nothing for an empty one, and completes with the source',
    marbles((m) => {
      const source = m.cold('a-b-c|', { a: 2, b: 0, c: 1 });
      const out = source.pipe(emitEach((n: number) => Array.from({ length: n }, (_, i) => `${n}.${i}`)));
      m.expect(out).toBeObservable('(xy)z|', { x: '2.0', y: '2.1', z: '1.0' });
    }),
  );

  it(
    'turns a throwing mapper into an error and passes source errors on',
    marbles((m) => {
      const boom = new Error('boom');
      const mapped = m.cold('a-b|', { a: 1, b: 2 }).pipe(
        emitEach((n: number) => {
          if (n === 2) throw boom;
          return [n];
        }),
      );
      m.expect(mapped).toBeObservable('a-#', { a: 1 }, boom);
      m.expect(m.cold('a-#', { a: 1 }, boom).pipe(emitEach((n: number) => [n]))).toBeObservable('a-#', { a: 1 }, boom);
    }),
  );
});
