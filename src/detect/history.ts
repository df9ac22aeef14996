/**
 * One process epoch's history for detection, in a fixed memory budget.
 *
 * Each horizon (e.g. 2 h, 6 h, 24 h) is a ring of the same number of
 * buckets, so a longer horizon is coarser (1 min, 3 min, 12 min buckets for
 * 120 buckets) and memory does not depend on the horizon or the scrape
 * interval. A bucket keeps the last inuse value seen in it (a heap profile is
 * a snapshot as of the last GC) and the sum of the allocation deltas.
 *
 * Only `capacity` stacks have series (Float32 rings: 4 bytes a value). Which
 * ones: stacks that grew since they were first seen, or hold a meaningful
 * share of the heap (see `interest`). A big profile's thousands of flat, small
 * stacks cost one baseline number each and no history. Pure data structure.
 */

export interface StackPoint {
  bytes: number;
  objects: number;
  /** Allocated bytes since the previous point of this stack (alloc_space delta). */
  allocDelta: number;
  /** Of `bytes` and `objects`, those in large objects (profile.ts: LARGE_OBJECT_BYTES). */
  largeBytes: number;
  largeObjects: number;
}

/** One horizon of the history as parallel arrays, oldest bucket first. */
export interface HistoryView {
  /** Bucket positions, oldest first. */
  positions: number[];
  times: number[];
  totals: number[];
  /** Whole-process allocation per bucket. */
  allocs: number[];
}

interface Ring {
  widthMs: number;
  /** Absolute bucket index of the newest bucket; -Infinity before the first point. */
  head: number;
  times: Float64Array;
  totals: Float64Array;
  allocs: Float64Array;
  /** capacity x buckets, slot-major. */
  inuse: Float32Array;
  alloc: Float32Array;
}

/** A stack's share of the heap, weighed against its growth, when slots are scarce. */
const SHARE_WEIGHT = 0.25;

/** One process epoch's per-stack history, in fixed memory (see above). */
export class EpochSeries {
  readonly horizons: readonly number[];
  readonly buckets: number;
  readonly capacity: number;
  readonly #rings: Ring[];
  /** Slot -> stack id (-1: free). */
  readonly #stackOfSlot: Int32Array;
  readonly #interest: Float64Array;
  readonly #lastObjects: Float64Array;
  readonly #lastBytes: Float64Array;
  /** Of the latest bytes and objects, those in large objects (StackPoint). */
  readonly #lastLargeObjects: Float64Array;
  readonly #lastLargeBytes: Float64Array;
  /** The least inuse in large objects, and in the others, since the slot was taken. */
  readonly #largeFloor: Float64Array;
  readonly #smallFloor: Float64Array;
  readonly #slotOf = new Map<number, number>();
  /** Stack id -> the smallest inuse seen this epoch (every stack seen, tracked or not). */
  readonly #floor = new Map<number, number>();

  constructor(horizonsMs: readonly number[], buckets: number, capacity: number) {
    this.horizons = horizonsMs;
    this.buckets = buckets;
    this.capacity = capacity;
    this.#rings = horizonsMs.map((h) => ({
      widthMs: Math.max(1, Math.floor(h / buckets)),
      head: -Infinity,
      times: new Float64Array(buckets).fill(NaN),
      totals: new Float64Array(buckets),
      allocs: new Float64Array(buckets),
      inuse: new Float32Array(capacity * buckets),
      alloc: new Float32Array(capacity * buckets),
    }));
    this.#stackOfSlot = new Int32Array(capacity).fill(-1);
    this.#interest = new Float64Array(capacity);
    this.#lastObjects = new Float64Array(capacity);
    this.#lastBytes = new Float64Array(capacity);
    this.#lastLargeObjects = new Float64Array(capacity);
    this.#lastLargeBytes = new Float64Array(capacity);
    this.#largeFloor = new Float64Array(capacity);
    this.#smallFloor = new Float64Array(capacity);
  }

  /** Bytes held by the typed arrays (the fixed part of the budget). */
  get fixedBytes(): number {
    let n = this.#stackOfSlot.byteLength + this.#interest.byteLength + this.#lastObjects.byteLength + this.#lastBytes.byteLength + this.#lastLargeObjects.byteLength + this.#lastLargeBytes.byteLength + this.#largeFloor.byteLength + this.#smallFloor.byteLength;
    for (const r of this.#rings) n += r.times.byteLength + r.totals.byteLength + r.allocs.byteLength + r.inuse.byteLength + r.alloc.byteLength;
    return n;
  }

  /** Stacks with a baseline (one number each; pruned to the stacks of the latest profile). */
  get baselines(): number {
    return this.#floor.size;
  }

  trackedStacks(): number[] {
    return [...this.#slotOf.keys()];
  }

  slotOf(stackId: number): number | undefined {
    return this.#slotOf.get(stackId);
  }

  /** The smallest inuse seen this epoch of a stack (undefined: an untracked stack absent from the latest profile). */
  floorOf(stackId: number): number | undefined {
    return this.#floor.get(stackId);
  }

  lastObjects(slot: number): number {
    return this.#lastObjects[slot]!;
  }

  lastBytes(slot: number): number {
    return this.#lastBytes[slot]!;
  }

  /**
   * The mean object of the latest point's objects of the size that grew
   * most since the slot was taken: its large objects (profile.ts:
   * LARGE_OBJECT_BYTES) or the others; where neither grew, those that hold
   * most of its bytes. netpoll books a busy server's small request buffers
   * and an abnormal caller's 8 MiB ones on the same stack: the stack's mean
   * object is small, its growth is in large buffers. NaN without objects.
   */
  typicalObjectBytes(slot: number): number {
    const bytes = this.#lastBytes[slot]!;
    const objects = this.#lastObjects[slot]!;
    const largeBytes = this.#lastLargeBytes[slot]!;
    const largeObjects = this.#lastLargeObjects[slot]!;
    const largeGrowth = largeBytes - this.#largeFloor[slot]!;
    const smallGrowth = bytes - largeBytes - this.#smallFloor[slot]!;
    const large = largeGrowth === smallGrowth ? 2 * largeBytes >= bytes : largeGrowth > smallGrowth;
    if (largeObjects > 0 && (large || objects <= largeObjects)) return largeBytes / largeObjects;
    return objects > largeObjects ? (bytes - largeBytes) / (objects - largeObjects) : NaN;
  }

  /** Adds one (changed) profile at time `t`. */
  append(t: number, total: number, processAllocDelta: number, stacks: ReadonlyMap<number, StackPoint>): void {
    this.#admit(stacks, total);
    for (const ring of this.#rings) {
      const idx = Math.floor(t / ring.widthMs);
      if (idx < ring.head) continue; // out of order: ignored
      if (idx > ring.head) this.#advance(ring, idx);
      const pos = idx % this.buckets;
      ring.times[pos] = t;
      ring.totals[pos] = total;
      ring.allocs[pos] = ring.allocs[pos]! + processAllocDelta;
      for (let slot = 0; slot < this.capacity; slot++) {
        const id = this.#stackOfSlot[slot]!;
        if (id < 0) continue;
        const p = stacks.get(id);
        ring.inuse[slot * this.buckets + pos] = p?.bytes ?? 0;
        ring.alloc[slot * this.buckets + pos] = ring.alloc[slot * this.buckets + pos]! + (p?.allocDelta ?? 0);
      }
    }
    for (let slot = 0; slot < this.capacity; slot++) {
      const id = this.#stackOfSlot[slot]!;
      if (id < 0) continue;
      const p = stacks.get(id);
      this.#lastObjects[slot] = p?.objects ?? 0;
      this.#lastBytes[slot] = p?.bytes ?? 0;
      this.#lastLargeObjects[slot] = p?.largeObjects ?? 0;
      this.#lastLargeBytes[slot] = p?.largeBytes ?? 0;
      this.#largeFloor[slot] = Math.min(this.#largeFloor[slot]!, p?.largeBytes ?? 0);
      this.#smallFloor[slot] = Math.min(this.#smallFloor[slot]!, (p?.bytes ?? 0) - (p?.largeBytes ?? 0));
    }
  }

  /** The buckets of horizon `h` (index into `horizons`) from `fromMs` on, oldest first. */
  view(h: number, fromMs: number): HistoryView {
    const ring = this.#rings[h]!;
    const out: HistoryView = { positions: [], times: [], totals: [], allocs: [] };
    if (ring.head === -Infinity) return out;
    for (let idx = ring.head - this.buckets + 1; idx <= ring.head; idx++) {
      if (idx < 0) continue;
      const pos = idx % this.buckets;
      const t = ring.times[pos]!;
      if (Number.isNaN(t) || t < fromMs) continue;
      out.positions.push(pos);
      out.times.push(t);
      out.totals.push(ring.totals[pos]!);
      out.allocs.push(ring.allocs[pos]!);
    }
    return out;
  }

  /** The absolute index of the bucket of horizon `h` that holds time `t`. */
  bucketOf(h: number, t: number): number {
    return Math.floor(t / this.#rings[h]!.widthMs);
  }

  /** A tracked stack's inuse bytes at the view's buckets. */
  inuse(h: number, slot: number, view: HistoryView): number[] {
    const ring = this.#rings[h]!;
    const base = slot * this.buckets;
    return view.positions.map((p) => ring.inuse[base + p]!);
  }

  /** A tracked stack's allocated bytes in each of the view's buckets. */
  allocated(h: number, slot: number, view: HistoryView): number[] {
    const ring = this.#rings[h]!;
    const base = slot * this.buckets;
    return view.positions.map((p) => ring.alloc[base + p]!);
  }

  #advance(ring: Ring, idx: number): void {
    const from = ring.head === -Infinity ? idx : Math.max(ring.head + 1, idx - this.buckets + 1);
    for (let i = from; i <= idx; i++) {
      const pos = i % this.buckets;
      ring.times[pos] = NaN;
      ring.allocs[pos] = 0;
      for (let slot = 0; slot < this.capacity; slot++) ring.alloc[slot * this.buckets + pos] = 0;
    }
    ring.head = idx;
  }

  /**
   * Keeps the `capacity` most interesting stacks: interest is growth over the
   * stack's floor this epoch plus a quarter of its size. A stack seen for the
   * first time this epoch starts its history at 0 (it was absent before);
   * one that was seen but not tracked starts flat at its current value, so a
   * late admission never invents growth.
   */
  #admit(stacks: ReadonlyMap<number, StackPoint>, total: number): void {
    const seen = new Set<number>();
    const newcomers: { id: number; interest: number; firstSight: boolean }[] = [];
    for (const [id, p] of stacks) {
      seen.add(id);
      const floor = this.#floor.get(id);
      const firstSight = floor === undefined;
      const min = firstSight ? p.bytes : Math.min(floor, p.bytes);
      this.#floor.set(id, min);
      const interest = p.bytes - (firstSight ? 0 : min) + SHARE_WEIGHT * p.bytes;
      const slot = this.#slotOf.get(id);
      if (slot !== undefined) this.#interest[slot] = interest;
      else if (p.bytes > 0) newcomers.push({ id, interest, firstSight });
    }
    // Tracked stacks absent from this profile: interest in their growth only.
    for (let slot = 0; slot < this.capacity; slot++) {
      const id = this.#stackOfSlot[slot]!;
      if (id >= 0 && !seen.has(id)) this.#interest[slot] = Math.max(0, this.#lastBytes[slot]! - (this.#floor.get(id) ?? 0)) / 2;
    }
    // Baselines of stacks gone from the profile are dropped (bounded by the latest profile).
    for (const id of this.#floor.keys()) if (!seen.has(id) && !this.#slotOf.has(id)) this.#floor.delete(id);
    // With every slot taken, a newcomer must beat the least interesting
    // tracked stack, and that minimum only rises as newcomers replace it:
    // the thousands of small flat stacks of a large profile are dropped here
    // instead of being sorted on every scrape.
    const floorInterest = this.#slotOf.size < this.capacity ? -Infinity : this.#interest[this.#leastInteresting()]!;
    const candidates = floorInterest === -Infinity ? newcomers : newcomers.filter((c) => c.interest > floorInterest);
    if (candidates.length === 0) return;
    candidates.sort((a, b) => b.interest - a.interest);
    const minShare = total > 0 ? total * 1e-4 : 0;
    for (const c of candidates) {
      if (c.interest <= minShare && this.#slotOf.size >= this.capacity / 2) break;
      let slot = this.#stackOfSlot.indexOf(-1);
      if (slot < 0) {
        slot = this.#leastInteresting();
        if (this.#interest[slot]! >= c.interest) break;
        this.#slotOf.delete(this.#stackOfSlot[slot]!);
      }
      this.#stackOfSlot[slot] = c.id;
      this.#slotOf.set(c.id, slot);
      this.#interest[slot] = c.interest;
      const p = stacks.get(c.id);
      this.#fill(slot, c.firstSight ? 0 : (p?.bytes ?? 0));
      // From what it held when first tracked: its sizes then did not grow here.
      this.#largeFloor[slot] = p?.largeBytes ?? 0;
      this.#smallFloor[slot] = (p?.bytes ?? 0) - (p?.largeBytes ?? 0);
    }
  }

  #leastInteresting(): number {
    let best = 0;
    for (let s = 1; s < this.capacity; s++) if (this.#interest[s]! < this.#interest[best]!) best = s;
    return best;
  }

  #fill(slot: number, value: number): void {
    for (const ring of this.#rings) {
      ring.inuse.fill(value, slot * this.buckets, (slot + 1) * this.buckets);
      ring.alloc.fill(0, slot * this.buckets, (slot + 1) * this.buckets);
    }
  }
}
