/**
 * Lookup tables of the fast decoder: id -> index maps, the location -> frames
 * table and lazy string-table reads. Built from pass 1's ProfileIndex.
 */
import { malformed, type ProfileIndex } from './fast-decode-index.js';

/**
 * Locations as the sample reader needs them: id -> location index (last
 * wins, as in the reference's Map) -> a run of function indexes in `frames`,
 * innermost first, with [start, length] of each run side by side in `span`.
 */
export class LocationTable {
  readonly byId: IdIndex;
  readonly span: Int32Array;
  readonly frames: Int32Array;

  /** Resolves every line's function id, failing like the reference on a missing one. */
  constructor(ix: ProfileIndex, fnById: IdIndex) {
    const n = ix.locId.length;
    this.byId = IdIndex.build(ix.locId, ix.locId.map((_, i) => i));
    this.span = new Int32Array(2 * n);
    this.frames = new Int32Array(ix.lineFn.length);
    for (let i = 0; i < n; i++) {
      const from = ix.locLineStart[i]!;
      const to = ix.locLineStart[i + 1]!;
      this.span[2 * i] = from;
      this.span[2 * i + 1] = to - from;
      for (let j = from; j < to; j++) {
        const f = fnById.get(ix.lineFn[j]!);
        if (f < 0) malformed(`location ${ix.locId[i]} names missing function ${ix.lineFn[j]}`);
        this.frames[j] = f;
      }
    }
  }
}

/**
 * Lazy, cached string-table lookups. A profile without any string_table entry
 * reads as [''], like pprof-format's default table. Non-ASCII strings go
 * through TextDecoder (replacement characters, leading BOM dropped), as the
 * reference does; ASCII takes Buffer's faster latin1 path, which is identical for it.
 */
export class StringTable {
  private readonly size: number;
  private readonly cache: (string | undefined)[] = [];
  private readonly buf: Buffer;
  private readonly utf8 = new TextDecoder();

  constructor(
    private readonly raw: Uint8Array,
    private readonly start: number[],
    private readonly end: number[],
  ) {
    this.size = Math.max(start.length, 1);
    this.buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  }

  /** The string at `idx`, or undefined when `idx` is past the table (the caller names the field in `fail`). */
  get(idx: number): string | undefined {
    if (!(idx >= 0 && idx < this.size)) return undefined;
    let s = this.cache[idx];
    if (s === undefined) {
      if (this.start.length === 0) return '';
      const start = this.start[idx]!;
      const end = this.end[idx]!;
      const raw = this.raw;
      let i = start;
      while (i < end && raw[i]! < 0x80) i++;
      s = i === end ? this.buf.toString('latin1', start, end) : this.utf8.decode(raw.subarray(start, end));
      this.cache[idx] = s;
    }
    return s;
  }

  fail(idx: number, what: string): never {
    malformed(`${what}: string index ${idx} past the table (${this.size})`);
  }
}

/**
 * Id -> index with last-wins semantics (the reference fills a Map in file
 * order). Dense Int32Array when ids are small non-negative integers, as
 * Go's 1..n ids are; a Map otherwise. Keys are the same JS numbers the
 * reference uses, so even ids past 2^53 collide (or not) identically.
 */
export class IdIndex {
  private constructor(
    private readonly dense: Int32Array | undefined,
    private readonly map: Map<number, number> | undefined,
  ) {}

  static build(ids: number[], values: number[]): IdIndex {
    let max = -1;
    let small = true;
    for (const id of ids) {
      if (!(id >= 0 && id <= 4 * ids.length + 1024)) {
        small = false;
        break;
      }
      if (id > max) max = id;
    }
    if (small) {
      const dense = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < ids.length; i++) dense[ids[i]!] = values[i]!;
      return new IdIndex(dense, undefined);
    }
    const map = new Map<number, number>();
    for (let i = 0; i < ids.length; i++) map.set(ids[i]!, values[i]!);
    return new IdIndex(undefined, map);
  }

  /** The index for `id`, or -1. */
  get(id: number): number {
    const dense = this.dense;
    if (dense) return id >= 0 && id < dense.length ? dense[id]! : -1;
    return this.map!.get(id) ?? -1;
  }
}
