/**
 * A window buffer of `length` numbers, all 0, as a plain array of unboxed doubles.
 *
 * Not a `Float64Array`: a typed array of more than 64 bytes keeps its values off the V8 heap, in a
 * backing store of its own, so every window read is one more pointer to follow to memory far from
 * the indicator. With 500 symbols x 3 strategies of such windows live at once, that was a cache miss
 * per read: the strategies ran about 20 % slower in the engine benchmark (`strategies_only` 0.97 vs
 * 0.75 µs a bar). A plain array filled with doubles stays a packed double array on the V8 heap, with
 * the indicator that allocated it, and is read as fast.
 */
export const doubles = (length: number): number[] => {
  // Created from a non-integer, so the elements are doubles from the start (never Smi, never holey).
  const out = Array.from({ length }, () => 0.5);
  out.fill(0);
  return out;
};
