/**
 * A map from frame sequences (a stack as function or name ids) to numbers,
 * without a string key per lookup. The store's writer and every target's
 * detection session look up each stack of each profile; building
 * `frames.join(',')` for that was most of their allocation on a fleet
 * (a few hundred strings per scrape, all garbage a moment later).
 *
 * Sequences live end to end in one growing Uint32Array; a bucket map from a
 * seeded 32-bit hash to entry indexes finds them, and a full compare
 * confirms. The seed is random per map, so crafted stacks cannot aim every
 * entry at one bucket.
 */
export class FrameSequenceMap {
  /** hash -> entry index, or entry indexes when hashes collide. */
  readonly #buckets = new Map<number, number | number[]>();
  /** Entry i's frames are #frames[#offsets[i] .. #offsets[i + 1]). */
  #offsets = new Uint32Array(64);
  #frames = new Uint32Array(1024);
  readonly #values: number[] = [];
  readonly #seed = (Math.random() * 0x100000000) | 0;

  get size(): number {
    return this.#values.length;
  }

  /** The value stored for the first `n` frames of `frames`, or undefined. */
  get(frames: ArrayLike<number>, n: number = frames.length): number | undefined {
    const bucket = this.#buckets.get(this.#hash(frames, n));
    if (bucket === undefined) return undefined;
    if (typeof bucket === 'number') return this.#equals(bucket, frames, n) ? this.#values[bucket] : undefined;
    for (const e of bucket) if (this.#equals(e, frames, n)) return this.#values[e];
    return undefined;
  }

  /** Stores `value` for the first `n` frames; the sequence must not be present yet. */
  add(frames: ArrayLike<number>, n: number, value: number): void {
    const entry = this.#values.length;
    const from = this.#offsets[entry]!;
    this.#reserve(entry, from + n);
    for (let k = 0; k < n; k++) this.#frames[from + k] = frames[k]!;
    this.#offsets[entry + 1] = from + n;
    this.#values.push(value);
    const h = this.#hash(frames, n);
    const bucket = this.#buckets.get(h);
    if (bucket === undefined) this.#buckets.set(h, entry);
    else if (typeof bucket === 'number') this.#buckets.set(h, [bucket, entry]);
    else bucket.push(entry);
  }

  clear(): void {
    this.#buckets.clear();
    this.#values.length = 0;
    this.#offsets[0] = 0;
  }

  #equals(entry: number, frames: ArrayLike<number>, n: number): boolean {
    const from = this.#offsets[entry]!;
    if (this.#offsets[entry + 1]! - from !== n) return false;
    const stored = this.#frames;
    for (let k = 0; k < n; k++) if (stored[from + k] !== frames[k]) return false;
    return true;
  }

  #hash(frames: ArrayLike<number>, n: number): number {
    let h = this.#seed ^ n;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ frames[k]!, 0x01000193) ^ (h >>> 15);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h;
  }

  #reserve(entry: number, framesNeeded: number): void {
    if (entry + 2 > this.#offsets.length) {
      const grown = new Uint32Array(this.#offsets.length * 2);
      grown.set(this.#offsets);
      this.#offsets = grown;
    }
    if (framesNeeded > this.#frames.length) {
      const grown = new Uint32Array(Math.max(this.#frames.length * 2, framesNeeded));
      grown.set(this.#frames);
      this.#frames = grown;
    }
  }
}
