/**
 * A valid Go-heap-shaped profile with N distinct functions, written directly
 * in protobuf wire format (pprof-format allocates an object per field and
 * takes minutes at 10^6 functions). It is hostile input, the kind a fleet
 * behind one URL or a code generator can serve: no real Go program is built
 * with a million functions, so it cannot come from one. The shape follows Go's
 * writer: one location per PC (one line each), samples of 4 values whose
 * stacks walk a few levels up a tree of callers, names like Go's
 * (`github.com/org/pkgK.(*TypeJ).MethodI`).
 */
import { gzipSync } from 'node:zlib';

class Writer {
  #buf = Buffer.alloc(1 << 12);
  #len = 0;

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const grown = Buffer.alloc(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(grown, 0, 0, this.#len);
    this.#buf = grown;
  }

  reserve(n: number): void {
    this.#ensure(n);
  }

  varint(v: number): void {
    this.#ensure(10);
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A length-delimited field holding `body`. */
  bytes(field: number, body: Uint8Array): void {
    this.tag(field, 2);
    this.varint(body.length);
    this.#ensure(body.length);
    this.#buf.set(body, this.#len);
    this.#len += body.length;
  }

  uint(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }

  take(): Buffer {
    const out = Buffer.from(this.#buf.subarray(0, this.#len));
    this.#len = 0;
    return out;
  }

  get length(): number {
    return this.#len;
  }
}

export interface HugeProfileOptions {
  functions: number;
  /** Stack depth of each sample (locations); default 8. */
  depth?: number;
  /** Changes every value (and so the totals): two seeds make two "processes". */
  seed?: number;
  /** Multiply alloc_objects / alloc_space (to make counters go down between two profiles). */
  allocObjectsFactor?: number;
  allocBytesFactor?: number;
  /** The main mapping's build id; default `build-<seed>`. */
  buildId?: string;
}

/** The gzipped profile. */
export function hugeHeapProfile(opts: HugeProfileOptions): Buffer {
  const n = opts.functions;
  const depth = opts.depth ?? 8;
  const seed = opts.seed ?? 1;
  const out = new Writer();
  out.reserve(n * 160);
  const msg = new Writer();
  const strings: string[] = ['', 'alloc_objects', 'count', 'alloc_space', 'bytes', 'inuse_objects', 'inuse_space', 'space'];
  for (const [type, unit] of [[1, 2], [3, 4], [5, 2], [6, 4]] as const) {
    msg.uint(1, type);
    msg.uint(2, unit);
    out.bytes(1, msg.take());
  }
  // Samples: each function is the leaf of one sample; callers are functions
  // further down the list, so every stack is distinct.
  const loc = new Writer();
  const vals = new Writer();
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < depth; d++) loc.varint(((i + d * 7919) % n) + 1);
    msg.bytes(1, loc.take());
    const objects = 1 + ((i * 31 + seed) % 97);
    vals.varint(objects * 3 * (opts.allocObjectsFactor ?? 1));
    vals.varint(objects * 3 * 64 * (opts.allocBytesFactor ?? 1));
    vals.varint(objects);
    vals.varint(objects * 64);
    msg.bytes(2, vals.take());
    out.bytes(2, msg.take());
  }
  // Mapping with a build id.
  strings.push('/app/server', opts.buildId ?? `build-${seed}`);
  msg.uint(1, 1);
  msg.uint(2, 0x400000);
  msg.uint(3, 0x4000000);
  msg.uint(5, strings.length - 2);
  msg.uint(6, strings.length - 1);
  out.bytes(3, msg.take());
  // Locations (one line each) and functions.
  const line = new Writer();
  for (let i = 1; i <= n; i++) {
    msg.uint(1, i);
    msg.uint(2, 1);
    msg.uint(3, 0x400000 + i * 16);
    line.uint(1, i);
    line.uint(2, 10 + (i % 500));
    msg.bytes(4, line.take());
    out.bytes(4, msg.take());
  }
  const fileBase = strings.length;
  for (let p = 0; p < 1000; p++) strings.push(`github.com/org/service/pkg${p}/file${p}.go`);
  for (let i = 1; i <= n; i++) {
    const name = strings.length;
    strings.push(`github.com/org/service/pkg${i % 1000}.(*Type${i % 97}).Method${i}`);
    msg.uint(1, i);
    msg.uint(2, name);
    msg.uint(3, name);
    msg.uint(4, fileBase + (i % 1000));
    msg.uint(5, 10);
    out.bytes(5, msg.take());
  }
  for (const s of strings) out.bytes(6, Buffer.from(s));
  out.uint(9, 1_767_225_600_000_000_000 / 1_000_000_000 * 1_000_000_000);
  out.uint(10, 0);
  msg.uint(1, 7);
  msg.uint(2, 4);
  out.bytes(11, msg.take());
  out.uint(12, 524288);
  return gzipSync(out.take(), { level: 6 });
}
