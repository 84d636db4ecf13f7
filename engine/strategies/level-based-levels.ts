import { assertPeriod } from '../indicators/assert-period.js';
import { doubles } from '../indicators/doubles.js';

/** How the levels are found; see {@link PivotLevels}. */
export interface PivotLevelsOptions {
  /** Bars in which a pivot must lie to count (the pivot's own bar; its left neighbours may be older). */
  readonly lookback: number;
  /** A pivot joins a group when its price is at most this fraction above the group's lowest price. */
  readonly tolerance: number;
  /** Pivots a group needs to be a level. */
  readonly minTouches: number;
  /** Prices that are always levels, with `fixedStrength` and 0 touches. */
  readonly fixedLevels: readonly number[];
  readonly fixedStrength: number;
}

/** A pivot as {@link PivotLevels.pivots} reports it; `bar` counts updates from 0. */
export interface Pivot {
  readonly bar: number;
  readonly price: number;
  readonly kind: 'high' | 'low';
}

/** A level as {@link PivotLevels.levels} reports it. */
export interface PriceLevel {
  readonly price: number;
  readonly touches: number;
  readonly strength: number;
  readonly fixed: boolean;
}

/** Bars on each side a pivot must beat, and the bars its test spans. */
const ORDER = 2;
const SPAN = 2 * ORDER + 1;
/** Touches at which a level has full strength. */
const FULL_STRENGTH_TOUCHES = 5;
const KIND_HIGH = 0;
const KIND_LOW = 1;

/**
 * Support/resistance levels from pivots of order 2, kept incrementally with no allocation per bar.
 *
 * Pivots: bar i is a pivot high when its high is strictly greater than the highs of bars i-2, i-1, i+1
 * and i+2 (a pivot low mirrored with lows), so a pivot is known two bars after it happened and the first
 * two bars are never pivots. A bar may be both. Only pivots whose own bar lies in the last `lookback`
 * bars count; older ones drop out as bars arrive.
 *
 * Levels: the prices of all counted pivots, highs and lows together, sorted ascending, are grouped
 * greedily: a group starts at its lowest price p and takes every following price <= p x (1 +
 * tolerance), so every member is within `tolerance` of every other one. A group's price is the mean of
 * its members, its touches the member count (only pivots are touches; a bar that merely reaches a
 * level without being a pivot does not count), its strength min(1, touches / 5). Groups with fewer than
 * `minTouches` members are dropped. Fixed levels join as they are (never merged with a group).
 *
 * Cost: O(1) per bar to detect a pivot; when the pivot set changes, an O(k) sorted insert or removal
 * and an O(k) regrouping, with k <= 2 x ceil(lookback / 3) pivots, all in arrays allocated once
 * (`doubles`: on the V8 heap, next to the levels).
 */
export class PivotLevels {
  private readonly lookback: number;
  private readonly growth: number;
  private readonly minTouches: number;
  private readonly fixedCount: number;

  private readonly highs = doubles(SPAN);
  private readonly lows = doubles(SPAN);
  private seen = 0;

  /** FIFO of counted pivots in bar order. */
  private readonly pivotBar: number[];
  private readonly pivotPrice: number[];
  private readonly pivotKind: number[];
  private pivotHead = 0;
  private pivotTotal = 0;

  /** The counted pivots' prices, ascending. */
  private readonly sorted: number[];

  /** Fixed levels first, then the groups, ascending. */
  private readonly levelPrice: number[];
  private readonly levelTouches: number[];
  private readonly levelStrength: number[];
  private levelTotal: number;

  constructor(options: PivotLevelsOptions) {
    assertPeriod('PivotLevels lookback', options.lookback, SPAN);
    assertPeriod('PivotLevels minTouches', options.minTouches);
    if (!(options.tolerance >= 0 && options.tolerance < 1)) {
      throw new RangeError(`PivotLevels tolerance must be in [0, 1), got ${options.tolerance}`);
    }
    if (!(options.fixedStrength >= 0 && options.fixedStrength <= 1)) {
      throw new RangeError(`PivotLevels fixedStrength must be in [0, 1], got ${options.fixedStrength}`);
    }
    for (const level of options.fixedLevels) {
      if (!(level > 0 && Number.isFinite(level))) {
        throw new RangeError(`PivotLevels fixed levels must be finite prices > 0, got ${level}`);
      }
    }
    this.lookback = options.lookback;
    this.growth = 1 + options.tolerance;
    this.minTouches = options.minTouches;
    this.fixedCount = options.fixedLevels.length;
    // Pivot highs are >= 3 bars apart (each beats the other otherwise), so are pivot lows:
    // at most 2 x ceil(lookback / 3) <= lookback pivots are counted at once.
    const capacity = options.lookback;
    this.pivotBar = doubles(capacity);
    this.pivotPrice = doubles(capacity);
    this.pivotKind = doubles(capacity);
    this.sorted = doubles(capacity);
    const levels = capacity + this.fixedCount;
    this.levelPrice = doubles(levels);
    this.levelTouches = doubles(levels);
    this.levelStrength = doubles(levels);
    options.fixedLevels.forEach((price, i) => {
      this.levelPrice[i] = price;
      this.levelStrength[i] = options.fixedStrength;
    });
    this.levelTotal = this.fixedCount;
  }

  /** Bars seen so far. */
  get bars(): number {
    return this.seen;
  }

  /** Pivots counted now (inside the lookback). */
  get pivotCount(): number {
    return this.pivotTotal;
  }

  /** Levels now: fixed ones, then the qualifying groups in ascending price. */
  get count(): number {
    return this.levelTotal;
  }

  priceAt(i: number): number {
    return this.levelPrice[i] ?? Number.NaN;
  }

  /** Pivots in the level's group; 0 for a fixed level. */
  touchesAt(i: number): number {
    return this.levelTouches[i] ?? 0;
  }

  strengthAt(i: number): number {
    return this.levelStrength[i] ?? 0;
  }

  isFixed(i: number): boolean {
    return i < this.fixedCount;
  }

  /** Folds in the next bar's high and low; pivots and levels are then those as of this bar. */
  update(high: number, low: number): void {
    const k = this.seen;
    this.highs[k % SPAN] = high;
    this.lows[k % SPAN] = low;
    this.seen = k + 1;
    let changed = this.expire(this.seen - this.lookback);
    if (k >= 2 * ORDER) {
      const c = k - ORDER;
      if (this.isExtreme(this.highs, c, 1)) {
        this.push(c, this.highs[c % SPAN] ?? 0, KIND_HIGH);
        changed = true;
      }
      if (this.isExtreme(this.lows, c, -1)) {
        this.push(c, this.lows[c % SPAN] ?? 0, KIND_LOW);
        changed = true;
      }
    }
    if (changed) this.regroup();
  }

  /** Index of the nearest level at or below `price` (the stronger on a tie), or -1 if none. */
  nearestAtOrBelow(price: number): number {
    let best = -1;
    let bestPrice = Number.NEGATIVE_INFINITY;
    let bestStrength = -1;
    for (let i = 0; i < this.levelTotal; i++) {
      const p = this.levelPrice[i] ?? Number.NaN;
      if (!(p <= price)) continue;
      const s = this.levelStrength[i] ?? 0;
      if (p > bestPrice || (p === bestPrice && s > bestStrength)) {
        best = i;
        bestPrice = p;
        bestStrength = s;
      }
    }
    return best;
  }

  /** Index of the nearest level strictly above `price` (the stronger on a tie), or -1 if none. */
  nearestAbove(price: number): number {
    let best = -1;
    let bestPrice = Number.POSITIVE_INFINITY;
    let bestStrength = -1;
    for (let i = 0; i < this.levelTotal; i++) {
      const p = this.levelPrice[i] ?? Number.NaN;
      if (!(p > price)) continue;
      const s = this.levelStrength[i] ?? 0;
      if (p < bestPrice || (p === bestPrice && s > bestStrength)) {
        best = i;
        bestPrice = p;
        bestStrength = s;
      }
    }
    return best;
  }

  /** The counted pivots, oldest first (allocates: for explanations and tests, not the hot path). */
  pivots(): Pivot[] {
    const out: Pivot[] = [];
    const capacity = this.pivotBar.length;
    for (let n = 0; n < this.pivotTotal; n++) {
      const i = (this.pivotHead + n) % capacity;
      out.push({
        bar: this.pivotBar[i] ?? 0,
        price: this.pivotPrice[i] ?? 0,
        kind: this.pivotKind[i] === KIND_HIGH ? 'high' : 'low',
      });
    }
    return out;
  }

  /** The levels now (allocates: for explanations and tests, not the hot path). */
  levels(): PriceLevel[] {
    const out: PriceLevel[] = [];
    for (let i = 0; i < this.levelTotal; i++) {
      out.push({
        price: this.priceAt(i),
        touches: this.touchesAt(i),
        strength: this.strengthAt(i),
        fixed: this.isFixed(i),
      });
    }
    return out;
  }

  /** Whether bar `c`'s value beats the ORDER bars on each side (sign 1: greater; -1: smaller). */
  private isExtreme(values: number[], c: number, sign: 1 | -1): boolean {
    const v = (values[c % SPAN] ?? 0) * sign;
    for (let j = c - ORDER; j <= c + ORDER; j++) {
      if (j !== c && !(v > (values[j % SPAN] ?? 0) * sign)) return false;
    }
    return true;
  }

  private push(bar: number, price: number, kind: number): void {
    const capacity = this.pivotBar.length;
    if (this.pivotTotal === capacity) throw new Error('PivotLevels: pivot buffer full (capacity invariant broken)');
    const i = (this.pivotHead + this.pivotTotal) % capacity;
    this.pivotBar[i] = bar;
    this.pivotPrice[i] = price;
    this.pivotKind[i] = kind;
    this.pivotTotal++;
    let j = this.pivotTotal - 1;
    while (j > 0 && (this.sorted[j - 1] ?? 0) > price) {
      this.sorted[j] = this.sorted[j - 1] ?? 0;
      j--;
    }
    this.sorted[j] = price;
  }

  /** Drops pivots before bar `firstBar`; whether any was dropped. */
  private expire(firstBar: number): boolean {
    const capacity = this.pivotBar.length;
    let dropped = false;
    while (this.pivotTotal > 0 && (this.pivotBar[this.pivotHead] ?? 0) < firstBar) {
      this.removeSorted(this.pivotPrice[this.pivotHead] ?? 0);
      this.pivotHead = (this.pivotHead + 1) % capacity;
      this.pivotTotal--;
      dropped = true;
    }
    return dropped;
  }

  /** Removes one occurrence of `price` from the sorted prices (counted before the pivot is dropped). */
  private removeSorted(price: number): void {
    const last = this.pivotTotal - 1;
    let j = 0;
    while (j < last && this.sorted[j] !== price) j++;
    for (; j < last; j++) this.sorted[j] = this.sorted[j + 1] ?? 0;
  }

  private regroup(): void {
    const total = this.pivotTotal;
    let out = this.fixedCount;
    let i = 0;
    while (i < total) {
      const first = this.sorted[i] ?? 0;
      const limit = first * this.growth;
      let sum = first;
      let touches = 1;
      i++;
      while (i < total && (this.sorted[i] ?? 0) <= limit) {
        sum += this.sorted[i] ?? 0;
        touches++;
        i++;
      }
      if (touches >= this.minTouches) {
        this.levelPrice[out] = sum / touches;
        this.levelTouches[out] = touches;
        this.levelStrength[out] = Math.min(1, touches / FULL_STRENGTH_TOUCHES);
        out++;
      }
    }
    this.levelTotal = out;
  }
}
