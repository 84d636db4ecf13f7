import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Journal, LatestValue } from '../../engine/journal.js';
import type { StorePort } from '../../engine/ports/store.port.js';
import { fill } from '../support/factories.js';

/** A store whose writes finish when the test says so; records the order things were committed in. */
const manualStore = () => {
  const committed: string[] = [];
  const waiting: { what: string; finish: (ok: boolean) => void }[] = [];
  const write = (what: string) =>
    new Observable<void>((sub) => {
      waiting.push({
        what,
        finish: (ok) => {
          if (!ok) return sub.error(new Error(`${what} failed`));
          committed.push(what);
          sub.complete();
        },
      });
    });
  const store = {
    append: () => write('events'),
    saveStats: () => write('stats'),
    saveValue: (key: string, value: unknown) => write(`${key}=${JSON.stringify(value)}`),
  } as unknown as StorePort;
  /** Finishes the oldest write in progress (a batch's writes run one after the other). */
  const finishNext = async (ok = true): Promise<string> => {
    for (let i = 0; i < 20 && waiting.length === 0; i++) await new Promise((r) => setImmediate(r));
    const next = waiting.shift();
    if (!next) throw new Error('no write in progress');
    next.finish(ok);
    await new Promise((r) => setImmediate(r));
    return next.what;
  };
  return { store, committed, finishNext };
};

describe('Journal.valueWritten', () => {
  it('resolves once the value recorded so far is committed, waiting for the write in flight first', async () => {
    const { store, committed, finishNext } = manualStore();
    const journal = new Journal(store, () => undefined);
    journal.record(fill('a', 'BUY', 1, 100)); // a batch in flight, without the value
    journal.recordValue('risk.exit_states', { AAPL: 1 });
    let written: boolean | undefined;
    const done = journal.valueWritten('risk.exit_states').then((ok) => (written = ok));
    expect(await finishNext()).toBe('events');
    expect(written).toBeUndefined();
    expect(await finishNext()).toBe('risk.exit_states={"AAPL":1}');
    await done;
    expect(written).toBe(true);
    expect(committed).toEqual(['events', 'risk.exit_states={"AAPL":1}']);
  });

  it('does not wait for events recorded after the value', async () => {
    const { store, finishNext } = manualStore();
    const journal = new Journal(store, () => undefined);
    journal.recordValue('k', 1);
    const done = journal.valueWritten('k');
    journal.record(fill('b', 'BUY', 1, 100)); // queued behind the value's write
    expect(await finishNext()).toBe('k=1');
    expect(await done).toBe(true);
  });

  it('resolves false when the write carrying the value fails (and keeps the value for a retry)', async () => {
    const { store, committed, finishNext } = manualStore();
    const errors: unknown[] = [];
    const journal = new Journal(store, (e) => errors.push(e));
    journal.recordValue('k', 1);
    const done = journal.valueWritten('k');
    await finishNext(false);
    expect(await done).toBe(false);
    expect(errors).toHaveLength(1);
    expect(journal.healthy).toBe(false);
    // Asked again, it writes the kept value itself (no event needed to trigger the retry).
    const retry = journal.valueWritten('k');
    await finishNext(true);
    expect(await retry).toBe(true);
    expect(committed).toEqual(['k=1']);
  });

  it('is true at once when nothing is pending for the key', async () => {
    const { store } = manualStore();
    await expect(new Journal(store, () => undefined).valueWritten('nothing')).resolves.toBe(true);
  });
});

describe('LatestValue', () => {
  it('is read once per write, when the write starts, so changes between two writes cost one copy', async () => {
    const { store, committed, finishNext } = manualStore();
    const journal = new Journal(store, () => undefined);
    let state = 0;
    let reads = 0;
    const latest = new LatestValue(() => {
      reads++;
      return { state };
    });
    journal.record(fill('a', 'BUY', 1, 100)); // a batch in flight
    for (state = 1; state <= 5; state++) journal.recordValue('k', latest);
    state = 9;
    expect(reads).toBe(0);
    const done = journal.valueWritten('k'); // values ride with the next batch; this asks for it
    expect(await finishNext()).toBe('events');
    expect(await finishNext()).toBe('k={"state":9}');
    expect(await done).toBe(true);
    expect(reads).toBe(1);
    expect(committed).toEqual(['events', 'k={"state":9}']);
  });

  it('keeps what a failed write read for the retry, unless a newer value was recorded since', async () => {
    const { store, committed, finishNext } = manualStore();
    const journal = new Journal(store, () => undefined);
    let state = 1;
    journal.recordValue('k', new LatestValue(() => state));
    state = 2; // after the read: not in the failed write, and nothing recorded it
    await finishNext(false);
    const retry = journal.valueWritten('k');
    await finishNext(true);
    expect(await retry).toBe(true);
    expect(committed).toEqual(['k=1']);
  });

  it('reports a value that cannot be read, writes the rest of the batch, and tries the value again next time', async () => {
    const { store, committed, finishNext } = manualStore();
    const errors: unknown[] = [];
    const journal = new Journal(store, (e) => errors.push(e));
    let broken = true;
    journal.recordValue(
      'k',
      new LatestValue(() => {
        if (broken) throw new Error('cannot read');
        return 2;
      }),
    );
    journal.record(fill('a', 'BUY', 1, 100));
    expect(errors).toEqual([new Error('cannot read')]);
    broken = false;
    const done = journal.valueWritten('k');
    expect(await finishNext()).toBe('events');
    expect(await finishNext()).toBe('k=2');
    expect(await done).toBe(true);
    expect(committed).toEqual(['events', 'k=2']);
  });
});
