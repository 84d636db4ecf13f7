/**
 * Runs tasks one at a time in the order they were queued (a promise chain), so writes commit in call
 * order and never interleave. A failing task rejects only its own promise; the queue moves on.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  push<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
