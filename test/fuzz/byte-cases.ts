/**
 * Byte-level fuzz cases: random bytes, truncations and byte mutations of
 * real profiles.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Fixture } from './fixtures.js';

export const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

export interface RandomCase {
  kind: 'raw' | 'gzip-header' | 'gzipped';
  bytes: Uint8Array;
}
export const randomArb: fc.Arbitrary<RandomCase> = fc.record({
  kind: fc.constantFrom('raw' as const, 'gzip-header' as const, 'gzipped' as const),
  bytes: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 4096 })),
});
export function buildRandom(c: RandomCase): Uint8Array {
  if (c.kind === 'raw') return c.bytes;
  if (c.kind === 'gzipped') return gz(c.bytes);
  // A gzip header (magic, deflate, no flags) followed by garbage.
  const out = new Uint8Array(10 + c.bytes.length);
  out.set([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
  out.set(c.bytes, 10);
  return out;
}

export interface TruncCase {
  fixture: number;
  form: 'gzip' | 'raw' | 'raw-regzipped';
  /** Fraction of the length kept, in [0, 1). */
  at: number;
}
export const truncArb = (n: number): fc.Arbitrary<TruncCase> =>
  fc.record({
    fixture: fc.nat({ max: n - 1 }),
    form: fc.constantFrom('gzip' as const, 'raw' as const, 'raw-regzipped' as const),
    at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  });
export function buildTrunc(fixtures: Fixture[], c: TruncCase): Uint8Array {
  const f = fixtures[c.fixture]!;
  const src = c.form === 'gzip' ? f.gz : f.raw;
  const cut = src.subarray(0, Math.floor(c.at * src.length));
  return c.form === 'raw-regzipped' ? gz(cut) : cut;
}

type ByteOp =
  | { op: 'flip'; pos: number; bit: number }
  | { op: 'set'; pos: number; byte: number }
  | { op: 'overwrite'; pos: number; bytes: Uint8Array }
  | { op: 'duplicate'; src: number; len: number; dst: number }
  | { op: 'delete'; pos: number; len: number }
  | { op: 'insert'; pos: number; bytes: Uint8Array };

/** Positions are taken modulo the current length. */
const byteOpArb: fc.Arbitrary<ByteOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), pos: fc.nat(), bit: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), pos: fc.nat(), byte: fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x01, 0x0a, 0x12, 0x1a) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('overwrite' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), src: fc.nat(), len: fc.integer({ min: 1, max: 4096 }), dst: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
);

function applyByteOps(input: Uint8Array, ops: ByteOp[]): Uint8Array {
  let b = Buffer.from(input);
  for (const o of ops) {
    const n = b.length;
    if (n === 0) break;
    switch (o.op) {
      case 'flip':
        b[o.pos % n]! ^= 1 << o.bit;
        break;
      case 'set':
        b[o.pos % n] = o.byte;
        break;
      case 'overwrite':
        b.set(o.bytes.subarray(0, n - (o.pos % n)), o.pos % n);
        break;
      case 'duplicate': {
        const s = o.src % n;
        const chunk = Buffer.from(b.subarray(s, s + o.len));
        const d = o.dst % (n + 1);
        b = Buffer.concat([b.subarray(0, d), chunk, b.subarray(d)]);
        break;
      }
      case 'delete': {
        const p = o.pos % n;
        b = Buffer.concat([b.subarray(0, p), b.subarray(p + o.len)]);
        break;
      }
      case 'insert': {
        const p = o.pos % (n + 1);
        b = Buffer.concat([b.subarray(0, p), Buffer.from(o.bytes), b.subarray(p)]);
        break;
      }
    }
  }
  return new Uint8Array(b);
}

export interface MutCase {
  fixture: number;
  /** Mutate the inflated bytes (then maybe re-gzip), or the gzip'd bytes themselves. */
  target: 'raw' | 'raw-regzipped' | 'gzip';
  ops: ByteOp[];
}
export const mutArb = (n: number): fc.Arbitrary<MutCase> =>
  fc.record({
    fixture: fc.nat({ max: n - 1 }),
    target: fc.constantFrom('raw' as const, 'raw-regzipped' as const, 'gzip' as const),
    ops: fc.array(byteOpArb, { minLength: 1, maxLength: 8 }),
  });
export function buildMut(fixtures: Fixture[], c: MutCase): Uint8Array {
  const f = fixtures[c.fixture]!;
  if (c.target === 'gzip') return applyByteOps(f.gz, c.ops);
  const m = applyByteOps(f.raw, c.ops);
  return c.target === 'raw-regzipped' ? gz(m) : m;
}
