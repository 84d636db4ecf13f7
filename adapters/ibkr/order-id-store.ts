/**
 * Durable high-water mark of the IBKR order ids this client id has used. IB Gateway can roll its
 * `nextValidId` back after a restart (orders sent around the restart are lost and their ids handed
 * out again), so the adapter never uses an id at or below this mark. The composition root backs it
 * with the database; `save` must be durable when its promise resolves, because the id is used
 * right after.
 */
export interface OrderIdStore {
  /** The highest id ever reserved, or 0 when none. */
  load(): Promise<number>;
  /** Persist a new highest reserved id (always greater than the previous one). */
  save(highWater: number): Promise<void>;
}

/** An in-memory OrderIdStore (tests, and a process that accepts losing the mark on restart). */
export const memoryOrderIdStore = (initial = 0): OrderIdStore & { readonly value: () => number } => {
  if (!Number.isInteger(initial) || initial < 0)
    throw new Error(`memoryOrderIdStore: initial must be a whole number >= 0, got ${initial}`);
  let highWater = initial;
  return {
    value: () => highWater,
    load: async () => highWater,
    save: async (next) => {
      highWater = Math.max(highWater, next);
    },
  };
};
