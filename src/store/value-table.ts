/**
 * Absolute inuse and alloc values per dictionary id (function or stack),
 * sorted by id, in typed arrays: what the writer keeps per target between
 * scrapes to compute deltas.
 *
 * Why not a Map<id, [bytes, objects]>: a Map entry plus its two-element
 * array costs ~90 bytes of JS heap; a large Go service's profile has
 * thousands of live stacks, and a fleet of 1,000 such targets held
 * hundreds of MB in those maps alone (and gave the GC that much more to
 * trace on every major collection). Sorted typed arrays cost 36 bytes per
 * entry (an id and four values), are invisible to the GC's marking, and a
 * delta is one linear merge.
 */

export interface ValueTable {
  readonly ids: Uint32Array;
  readonly bytes: Float64Array;
  readonly objects: Float64Array;
  /** alloc_space and alloc_objects as of the last row stored for the id (see forEachChange). */
  readonly allocBytes: Float64Array;
  readonly allocObjects: Float64Array;
}

export const EMPTY_TABLE: ValueTable = {
  ids: new Uint32Array(0),
  bytes: new Float64Array(0),
  objects: new Float64Array(0),
  allocBytes: new Float64Array(0),
  allocObjects: new Float64Array(0),
};

/** 2^21: the packed sort key is id * SLOT + index, exact in a double while index < SLOT. */
const SLOT = 2_097_152;

/**
 * Collects (id, bytes, objects, alloc bytes, alloc objects) in any order, then builds a sorted table
 * with equal ids summed. One builder is reused for every scrape, so its
 * scratch arrays are allocated once and grow to the largest profile seen.
 */
export class ValueTableBuilder {
  #ids = new Uint32Array(1024);
  #bytes = new Float64Array(1024);
  #objects = new Float64Array(1024);
  #allocBytes = new Float64Array(1024);
  #allocObjects = new Float64Array(1024);
  #keys = new Float64Array(1024);
  #n = 0;

  /** Drops what was added (after a failed scrape, so nothing of it leaks into the next). */
  clear(): void {
    this.#n = 0;
  }

  add(id: number, bytes: number, objects: number, allocBytes = 0, allocObjects = 0): void {
    if (this.#n === this.#ids.length) this.#grow();
    this.#ids[this.#n] = id;
    this.#bytes[this.#n] = bytes;
    this.#objects[this.#n] = objects;
    this.#allocBytes[this.#n] = allocBytes;
    this.#allocObjects[this.#n] = allocObjects;
    this.#n++;
  }

  /** The sorted table of everything added since the last build; the builder is empty again. */
  build(): ValueTable {
    const n = this.#n;
    this.#n = 0;
    if (n === 0) return EMPTY_TABLE;
    const order = this.#order(n);
    const ids = new Uint32Array(n);
    const bytes = new Float64Array(n);
    const objects = new Float64Array(n);
    const allocBytes = new Float64Array(n);
    const allocObjects = new Float64Array(n);
    let m = -1;
    for (let k = 0; k < n; k++) {
      const i = order(k);
      const id = this.#ids[i]!;
      if (m >= 0 && ids[m] === id) {
        bytes[m]! += this.#bytes[i]!;
        objects[m]! += this.#objects[i]!;
        allocBytes[m]! += this.#allocBytes[i]!;
        allocObjects[m]! += this.#allocObjects[i]!;
      } else {
        m++;
        ids[m] = id;
        bytes[m] = this.#bytes[i]!;
        objects[m] = this.#objects[i]!;
        allocBytes[m] = this.#allocBytes[i]!;
        allocObjects[m] = this.#allocObjects[i]!;
      }
    }
    const len = m + 1;
    // Exact-length copies: the table is kept per target until the next scrape.
    return len === n
      ? { ids, bytes, objects, allocBytes, allocObjects }
      : {
          ids: ids.slice(0, len),
          bytes: bytes.slice(0, len),
          objects: objects.slice(0, len),
          allocBytes: allocBytes.slice(0, len),
          allocObjects: allocObjects.slice(0, len),
        };
  }

  /** Index of the k-th smallest id (ties in insertion order). */
  #order(n: number): (k: number) => number {
    if (n >= SLOT) {
      const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.#ids[a]! - this.#ids[b]! || a - b);
      return (k) => idx[k]!;
    }
    // A native numeric sort of packed keys instead of a comparator sort of indexes.
    const keys = this.#keys.subarray(0, n);
    for (let i = 0; i < n; i++) keys[i] = this.#ids[i]! * SLOT + i;
    keys.sort();
    return (k) => keys[k]! % SLOT;
  }

  #grow(): void {
    const size = this.#ids.length * 2;
    const ids = new Uint32Array(size);
    ids.set(this.#ids);
    const bytes = new Float64Array(size);
    bytes.set(this.#bytes);
    const objects = new Float64Array(size);
    objects.set(this.#objects);
    const allocBytes = new Float64Array(size);
    allocBytes.set(this.#allocBytes);
    const allocObjects = new Float64Array(size);
    allocObjects.set(this.#allocObjects);
    this.#ids = ids;
    this.#bytes = bytes;
    this.#objects = objects;
    this.#allocBytes = allocBytes;
    this.#allocObjects = allocObjects;
    this.#keys = new Float64Array(size);
  }
}

/** Receives one row to store: a function or stack id and its values (a delta, or absolute on a keyframe). */
export type EmitValues = (id: number, bytes: number, objects: number, allocBytes: number, allocObjects: number) => void;

/**
 * Calls `emit` with what to store: every entry (keyframe, `prev` undefined),
 * or the changes since `prev` (removed ids as negatives), in id order.
 *
 * A row is written only where inuse changed, so store work stays
 * proportional to what changed; allocation alone does not make a row. For an
 * id whose inuse did not change, `now` takes the alloc values of `prev` (the
 * last ones stored), so the next row's alloc delta covers everything
 * allocated since the last stored row and the sums of stored deltas still
 * rebuild the absolute alloc counters.
 */
export function forEachChange(now: ValueTable, prev: ValueTable | undefined, emit: EmitValues): number {
  if (!prev) {
    for (let i = 0; i < now.ids.length; i++) emit(now.ids[i]!, now.bytes[i]!, now.objects[i]!, now.allocBytes[i]!, now.allocObjects[i]!);
    return now.ids.length;
  }
  let written = 0;
  let i = 0;
  let j = 0;
  while (i < now.ids.length || j < prev.ids.length) {
    const a = i < now.ids.length ? now.ids[i]! : Infinity;
    const b = j < prev.ids.length ? prev.ids[j]! : Infinity;
    if (a === b) {
      const db = now.bytes[i]! - prev.bytes[j]!;
      const dobj = now.objects[i]! - prev.objects[j]!;
      if (db !== 0 || dobj !== 0) {
        emit(a, db, dobj, now.allocBytes[i]! - prev.allocBytes[j]!, now.allocObjects[i]! - prev.allocObjects[j]!);
        written++;
      } else {
        now.allocBytes[i] = prev.allocBytes[j]!;
        now.allocObjects[i] = prev.allocObjects[j]!;
      }
      i++;
      j++;
    } else if (a < b) {
      emit(a, now.bytes[i]!, now.objects[i]!, now.allocBytes[i]!, now.allocObjects[i]!);
      written++;
      i++;
    } else {
      emit(b, -prev.bytes[j]!, -prev.objects[j]!, -prev.allocBytes[j]!, -prev.allocObjects[j]!);
      written++;
      j++;
    }
  }
  return written;
}

/** Ids in `add` (sorted, distinct) not in `seen` (sorted, distinct), and the sorted union of both. */
export function mergeIds(seen: Uint32Array, add: Uint32Array): { added: number[]; union: Uint32Array } {
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (j < add.length) {
    const x = add[j]!;
    while (i < seen.length && seen[i]! < x) i++;
    if (i >= seen.length || seen[i] !== x) added.push(x);
    j++;
  }
  if (added.length === 0) return { added, union: seen };
  const union = new Uint32Array(seen.length + added.length);
  let a = 0;
  let b = 0;
  for (let k = 0; k < union.length; k++) {
    if (b >= added.length || (a < seen.length && seen[a]! < added[b]!)) union[k] = seen[a++]!;
    else union[k] = added[b++]!;
  }
  return { added, union };
}
