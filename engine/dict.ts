/**
 * Records keyed by data (symbols, execution ids) built without a prototype. V8 keeps such an object
 * as a hash table from the start; a plain `{}` filled with data keys gets a new hidden class per key
 * and key order, and with hundreds of symbols arriving in every order, copying such records on the
 * hot path spent most of its time making hidden classes. They read and serialise (JSON) like any
 * object.
 */

/** An empty record without a prototype. */
export const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** A `dict` copy of a record. */
export const copyDict = <T>(record: Readonly<Record<string, T>>): Record<string, T> => {
  const copy = dict<T>();
  for (const k in record) copy[k] = record[k] as T;
  return copy;
};

/** A `dict` of a map's entries, in the map's order. */
export const dictOf = <T>(map: ReadonlyMap<string, T>): Record<string, T> => {
  const out = dict<T>();
  for (const [k, v] of map) out[k] = v;
  return out;
};
