/**
 * A minimal, allocation-free protobuf wire-format reader for the fast pprof
 * decoder. It works on offsets into one Uint8Array (no subarray per field)
 * and is strict where the wire format is: every varint, length and tag is
 * bounds-checked against the enclosing message's end, so hostile bytes give
 * a HeapwatchError (HW_ERR_PROFILE_MALFORMED) naming the byte offset, never
 * an untyped exception or a read past the end. Every method advances `pos`
 * by at least one byte or throws, so loops over a message always terminate.
 */
import { HeapwatchError } from '../errors.js';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** 2^32, to assemble 64-bit varints from two 32-bit halves. */
const TWO_32 = 4294967296;

/**
 * How a message's known fields are encoded, indexed by field number - 1:
 * `v` varint, `p` repeated varint (packed or not), `m` sub-message,
 * `s` bytes/string. A known field with another wire type is malformed
 * (as in Go's protobuf and google/pprof decoders); unknown fields are skipped.
 */
export type FieldKinds = string;

/** Reads protobuf wire format at `pos` of one buffer (see above). */
export class ProtoReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  /** Throws the decoder's one error type, with the offset for debugging hostile input. */
  fail(what: string, at = this.pos): never {
    throw new HeapwatchError('HW_ERR_PROFILE_MALFORMED', `protobuf: ${what} at byte ${at}`);
  }

  /**
   * Reads an int64 varint as a JS number: two's complement over 64 bits, so
   * Go's negative delta values come out negative, rounded to the nearest
   * double above 2^53 exactly like `Number(BigInt.asIntN(64, v))`.
   */
  varint(end: number): number {
    const buf = this.buf;
    const p = this.pos;
    // Ids, string indexes, lengths and most values take 1..4 bytes: decode
    // those inline (V8 inlines this method) and leave the rest to varintSlow.
    if (end - p >= 4) {
      let b = buf[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
      let x = b & 0x7f;
      b = buf[p + 1]!;
      if (b < 0x80) {
        this.pos = p + 2;
        return x | (b << 7);
      }
      x |= (b & 0x7f) << 7;
      b = buf[p + 2]!;
      if (b < 0x80) {
        this.pos = p + 3;
        return x | (b << 14);
      }
    }
    return this.varintSlow(end);
  }

  private varintSlow(end: number): number {
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    let lo = 0;
    let b = 0;
    // Bytes 0..3 carry bits 0..27 and fit a small integer.
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) this.fail('truncated varint', start);
      b = buf[p++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return lo;
      }
    }
    // Byte 4 straddles the halves: 4 bits to lo (28..31), 3 bits to hi (32..34).
    if (p >= end) this.fail('truncated varint', start);
    b = buf[p++]!;
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    for (let shift = 3; b >= 0x80 && shift < 31; shift += 7) {
      if (p >= end) this.fail('truncated varint', start);
      b = buf[p++]!;
      hi |= (b & 0x7f) << shift;
    }
    if (b >= 0x80) {
      // Byte 9 holds bit 63 only; anything more overflows 64 bits (Go rejects it too).
      if (p >= end) this.fail('truncated varint', start);
      b = buf[p++]!;
      if (b > 1) this.fail('varint overflows 64 bits', start);
      hi |= b << 31;
    }
    this.pos = p;
    // (hi | 0) is the signed high half: one exactly-rounded addition, same as BigInt -> Number.
    return (hi | 0) * TWO_32 + (lo >>> 0);
  }

  /** Reads a tag: field number * 8 + wire type. Rejects field 0 and group/unknown wire types. */
  tag(end: number): number {
    const at = this.pos;
    const t = this.varint(end);
    if (t < 8 || t > 0xffffffff) this.fail(`bad tag ${t}`, at);
    const wire = t & 7;
    if (wire !== WIRE_VARINT && wire !== WIRE_LEN && wire !== WIRE_I64 && wire !== WIRE_I32) this.fail(`unsupported wire type ${wire}`, at);
    return t;
  }

  /** Reads a length prefix and returns the end offset of the payload, which must lie within `end`. */
  lenEnd(end: number): number {
    const at = this.pos;
    const n = this.varint(end);
    if (n < 0 || n > end - this.pos) this.fail(`length ${n} past the end of the message`, at);
    return this.pos + n;
  }

  /** Skips a field's payload by wire type. */
  skipPayload(wire: number, end: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint(end);
        return;
      case WIRE_LEN:
        this.pos = this.lenEnd(end);
        return;
      case WIRE_I64:
      case WIRE_I32: {
        const n = wire === WIRE_I64 ? 8 : 4;
        if (n > end - this.pos) this.fail('truncated fixed-width field');
        this.pos += n;
        return;
      }
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }

  /** Skips a field that the caller does not read, checking its wire type if the field is known. */
  skipField(tag: number, end: number, kinds: FieldKinds): void {
    const wire = tag & 7;
    const kind = kinds[(tag >>> 3) - 1];
    if (kind === 'p' && wire === WIRE_LEN) {
      // Packed varints: each must be complete within the payload.
      const stop = this.lenEnd(end);
      while (this.pos < stop) this.varint(stop);
      return;
    }
    if (kind !== undefined && wire !== (kind === 'v' || kind === 'p' ? WIRE_VARINT : WIRE_LEN)) {
      this.fail(`field ${tag >>> 3} has wire type ${wire}`);
    }
    this.skipPayload(wire, end);
  }

  /**
   * Reads a message of varint fields (Function, Mapping, ValueType, Line)
   * into a reused array indexed by field number; absent fields read 0 and a
   * repeated field keeps its last value, as in pprof-format. Overwritten by
   * the next call.
   */
  varintFields(end: number, kinds: FieldKinds): Float64Array {
    const out = this.fields.fill(0);
    while (this.pos < end) {
      const tag = this.tag(end);
      const field = tag >>> 3;
      if ((tag & 7) === WIRE_VARINT && kinds[field - 1] === 'v') out[field] = this.varint(end);
      else this.skipField(tag, end, kinds);
    }
    return out;
  }

  private readonly fields = new Float64Array(16);

  /** Checks a sub-message whose contents are not needed (all-varint messages such as Label). */
  skipMessage(end: number, kinds: FieldKinds): void {
    while (this.pos < end) this.skipField(this.tag(end), end, kinds);
  }
}
