/**
 * Differential tests: decodeHeapProfileFast must return exactly what
 * decodeHeapProfile returns on every real profile we have, and the same
 * error codes on bad input. Where the two deliberately differ (the reference
 * is lenient about malformed wire data through pprof-format), the test pins
 * both behaviours, so a change on either side shows up here:
 *
 * - truncated varints, lengths past the end and incomplete packed varints:
 *   pprof-format clips silently and the reference can return a profile with
 *   clipped strings (e.g. a shortened build id); the fast decoder rejects.
 * - a known field with the wrong wire type: pprof-format decodes the bytes
 *   as whatever the field should be; the fast decoder rejects (as Go does).
 * - unknown fixed32/fixed64 fields: valid protobuf, skipped by the fast
 *   decoder; pprof-format throws "Unrecognized value type".
 * - field numbers >= 16 (multi-byte tags): pprof-format reads one tag byte
 *   and desynchronises; the fast decoder skips them.
 * - varints longer than 10 bytes or past 64 bits: pprof-format keeps the low
 *   64 bits; the fast decoder rejects (as Go does).
 * (Both reject a sample expanding past FRAMES_PER_BYTE frames per profile
 * byte, a quadratic-size bomb, with the same budget.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Function as PFunction, Line, Location, Mapping, Profile } from 'pprof-format';
import { FIXTURES, PROFILES } from '../../test/helpers/paths.js';
import { unpackStacks } from '../../test/helpers/stacks.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { HeapwatchError } from '../errors.js';
import { decodeHeapProfile } from './decode.js';
import type { DecodeLimits } from './inflate.js';
import { decodeHeapProfileFast } from './fast-decode.js';
import { stackCount, type HeapProfile } from './profile.js';

const limits: DecodeLimits = { maxDecompressedBytes: 64 * 1024 * 1024 };

type Outcome = { ok: HeapProfile } | { code: string };

function outcome(decode: (b: Uint8Array, l: DecodeLimits) => HeapProfile, bytes: Uint8Array, l = limits): Outcome {
  try {
    return { ok: decode(bytes, l) };
  } catch (err) {
    if (!(err instanceof HeapwatchError)) throw new Error(`untyped exception: ${String(err)}`, { cause: err });
    return { code: err.code };
  }
}

/** Both decoders give the same profile, or the same error code. */
function same(bytes: Uint8Array, l = limits): Outcome {
  const fast = outcome(decodeHeapProfileFast, bytes, l);
  assert.deepEqual(fast, outcome(decodeHeapProfile, bytes, l));
  return fast;
}

function rejects(bytes: Uint8Array, code = 'HW_ERR_PROFILE_MALFORMED'): void {
  assert.throws(() => decodeHeapProfileFast(bytes, limits), (err: unknown) => err instanceof HeapwatchError && err.code === code);
}

// --- a tiny protobuf encoder, to build what pprof-format cannot (non-packed fields, unknown fields, bad wire data)

function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}
const tag = (field: number, wire: number): number[] => varint(field * 8 + wire);
const vField = (field: number, v: number | bigint): number[] => [...tag(field, 0), ...varint(v)];
const lenField = (field: number, payload: number[]): number[] => [...tag(field, 2), ...varint(payload.length), ...payload];
const packed = (field: number, vs: (number | bigint)[]): number[] => lenField(field, vs.flatMap((v) => varint(v)));
const strField = (field: number, s: string): number[] => lenField(field, [...Buffer.from(s, 'utf8')]);

interface HandProfile {
  strings?: string[];
  /** Raw Sample message bodies. */
  samples?: number[][];
  extraTop?: number[];
  functionExtra?: number[];
  locationExtra?: number[];
}

/**
 * A heap profile with two functions (ids 1, 2) and two locations (1: f1;
 * 2: f1 inlined into f2). Samples are supplied raw so tests control their encoding.
 */
function handProfile(h: HandProfile): Uint8Array {
  const strings = h.strings ?? ['', 'alloc_objects', 'count', 'alloc_space', 'bytes', 'inuse_objects', 'inuse_space', 'main.f', 'main.g', 'main.go'];
  const out: number[] = [];
  for (const [t, u] of [[1, 2], [3, 4], [5, 2], [6, 4]] as const) out.push(...lenField(1, [...vField(1, t), ...vField(2, u)]));
  for (const s of h.samples ?? []) out.push(...lenField(2, s));
  out.push(...lenField(4, [...vField(1, 1), ...lenField(4, vField(1, 1)), ...(h.locationExtra ?? [])]));
  out.push(...lenField(4, [...vField(1, 2), ...lenField(4, vField(1, 1)), ...lenField(4, [...vField(1, 2), ...vField(2, 7)])]));
  out.push(...lenField(5, [...vField(1, 1), ...vField(2, 7), ...vField(4, 9), ...(h.functionExtra ?? [])]));
  out.push(...lenField(5, [...vField(1, 2), ...vField(2, 8), ...vField(4, 9)]));
  for (const s of strings) out.push(...strField(6, s));
  out.push(...vField(9, 1_767_225_600_000_000_000n), ...vField(12, 524288), ...(h.extraTop ?? []));
  return gzipSync(Uint8Array.from(out));
}

const packedSample = (locs: number[], values: (number | bigint)[]): number[] => [...packed(1, locs), ...packed(2, values)];

/**
 * The profiles in test/fixtures/profiles (not its scale/ series), and every 8th of each corpus
 * series with its last. The reference decoder (pprof-format) is ~8x slower
 * than the fast one, and reading all ~20,000 corpus profiles took a minute of
 * CI's 15. Consecutive profiles of a series come from one process and share
 * its tables; test/pprof-corpus.test.ts reads other profiles of each series
 * (every 8th from the fifth) against Go's own parser.
 */
function profileFiles(): string[] {
  const files = readdirSync(PROFILES).filter((f) => f.endsWith('.pb.gz')).map((f) => `${PROFILES}${f}`);
  const corpus = `${FIXTURES}corpus/`;
  for (const scenario of readdirSync(corpus)) {
    let names: string[];
    try {
      names = readdirSync(`${corpus}${scenario}/profiles`);
    } catch {
      continue;
    }
    const series = names.filter((f) => f.endsWith('.pb.gz')).sort();
    series.forEach((f, i) => {
      if (i % 8 === 0 || i === series.length - 1) files.push(`${corpus}${scenario}/profiles/${f}`);
    });
  }
  return files;
}

describe('decodeHeapProfileFast', () => {
  it('matches decodeHeapProfile on every fixture profile and every 8th of each corpus series', () => {
    const files = profileFiles();
    assert.ok(files.length > 1000, `only ${files.length} profiles found`);
    for (const file of files) {
      const bytes = readFileSync(file);
      assert.deepEqual(decodeHeapProfileFast(bytes, limits), decodeHeapProfile(bytes, limits), file);
    }
  });

  it('matches on synthetic profiles: negative values, inlining, recursion, generics', () => {
    const neg = BigInt.asUintN(64, -4096n);
    const r = same(syntheticHeapProfile([
      { stack: [['main.leaf', 'main.mid'], ['main.rec'], ['main.rec'], ['main.main']], values: [1, 100, -1, neg] },
      { stack: [['main.Map[go.shape.int].Put'], ['main.main']], values: [1, 8, 1, 8] },
      { stack: [['main.Map[go.shape.string].Put'], ['main.main']], values: [1, 16, 1, -16] },
      { stack: [], values: [0, 0, 0, 0] },
    ]));
    assert.ok('ok' in r);
    assert.deepEqual(r.ok.totals, [3, 124, 1, -4104]);
    assert.equal(stackCount(r.ok), 3, 'the two Map[...].Put instantiations merge into one stack');
  });

  it('reads int64 values past 2^53 as the nearest double, like Number(BigInt.asIntN(64, v))', () => {
    // Exact up to 2^53; above, rounded to nearest (ties to even): precision is lost, not the sign or magnitude.
    const values = [2n ** 53n + 1n, 2n ** 63n - 1n, BigInt.asUintN(64, -(2n ** 63n)), 3n * 2n ** 40n + 7n];
    const r = same(syntheticHeapProfile([{ stack: [['main.f']], values }]));
    assert.ok('ok' in r);
    assert.deepEqual(r.ok.totals, [2 ** 53, 2 ** 63, -(2 ** 63), 3 * 2 ** 40 + 7]);
  });

  it('resolves ids like the reference: duplicates last-wins, sparse, negative and past-2^53 ids (Map path)', () => {
    const base = (): Profile =>
      Profile.decode(gunzipSync(syntheticHeapProfile([
        { stack: [['main.a'], ['main.b']], values: [1, 8, 1, 8] },
        { stack: [['main.c'], ['main.b']], values: [2, 16, 2, 16] },
      ])));
    const dup = base();
    // A second function 1 (renamed) and a second location 1 (pointing at function 3): the last one wins.
    dup.function.push(new PFunction({ id: 1, name: dup.function[2]!.name, filename: dup.function[0]!.filename }));
    dup.location.push(new Location({ id: 1, line: [new Line({ functionId: 1 })] }));
    const r = same(gzipSync(dup.encode()));
    assert.ok('ok' in r);
    assert.deepEqual(unpackStacks(r.ok).map((s) => s.frames), [[2, 1]], 'both samples now read main.c <- main.b');

    for (const ids of [[7n, 1_000_000n, 3n, 99n], [BigInt.asUintN(64, -5n), 2n ** 40n, 1n, 2n ** 62n], [2n ** 60n + 1n, 2n ** 60n + 3n, 2n ** 60n + 5n, 5n]]) {
      const p = base();
      p.location.forEach((l, i) => (l.id = ids[i]!));
      p.sample.forEach((s) => (s.locationId = s.locationId.map((id) => ids[Number(id) - 1]!)));
      // 2^60 + 1 and 2^60 + 3 are the same double: both decoders collide them the same way.
      same(gzipSync(p.encode()));
    }
  });

  it('reads non-packed repeated location ids and values, and mixed encodings in order', () => {
    const unpacked = [...vField(1, 2), ...vField(1, 1), ...[1, 2, 3].flatMap((v) => vField(2, v)), ...vField(2, -5)];
    const mixed = [...vField(1, 2), ...packed(1, [1]), ...packed(2, [1, 2]), ...vField(2, 3), ...vField(2, -5)];
    const a = same(handProfile({ samples: [unpacked] }));
    const b = same(handProfile({ samples: [mixed] }));
    const c = same(handProfile({ samples: [packedSample([2, 1], [1, 2, 3, -5])] }));
    assert.ok('ok' in a && 'ok' in b && 'ok' in c);
    assert.deepEqual(a.ok, c.ok);
    assert.deepEqual(b.ok, c.ok);
    // Location 2 is main.f inlined into main.g, then location 1 is main.f again.
    assert.deepEqual(unpackStacks(c.ok), [{ frames: [0, 1, 0], values: [1, 2, 3, -5] }]);
  });

  it('skips unknown varint and length-delimited fields with one-byte tags (both decoders)', () => {
    const r = same(handProfile({
      samples: [[...packedSample([1], [1, 2, 3, 4]), ...vField(9, 77), ...lenField(10, [1, 2, 3])]],
      functionExtra: [...vField(9, 5), ...lenField(10, [0xff, 0xff])],
      locationExtra: lenField(9, [8, 1]),
    }));
    assert.ok('ok' in r);
    assert.deepEqual(r.ok.totals, [1, 2, 3, 4]);
  });

  it('skips unknown fixed32/fixed64 fields and field numbers >= 16, which pprof-format cannot', () => {
    const plain = decodeHeapProfileFast(handProfile({ samples: [packedSample([1], [1, 2, 3, 4])] }), limits);
    const fixed = handProfile({ samples: [[...packedSample([1], [1, 2, 3, 4]), ...tag(9, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...tag(10, 5), 1, 2, 3, 4]] });
    assert.deepEqual(decodeHeapProfileFast(fixed, limits), plain);
    assert.throws(() => decodeHeapProfile(fixed, limits), /Unrecognized value type: [15]/);
    const highField = handProfile({ samples: [packedSample([1], [1, 2, 3, 4])], extraTop: [...vField(100, 300), ...lenField(2000, [0x11, 0x22, 0x33])] });
    assert.deepEqual(decodeHeapProfileFast(highField, limits), plain);
    assert.notDeepEqual(outcome(decodeHeapProfile, highField), { ok: plain }, 'pprof-format reads multi-byte tags as one byte');
  });

  it('decodes strings like pprof-format: invalid UTF-8 replaced, a leading BOM dropped, no string table reads as [""]', () => {
    const names = ['', 'alloc_objects', 'count', 'alloc_space', 'bytes', 'inuse_objects', 'inuse_space', '\ufeffmain.f', 'main.\u00e9t\u00e9', 'main.go'];
    const bytes = gunzipSync(handProfile({ strings: names, samples: [packedSample([2], [1, 2, 3, 4])] }));
    // Corrupt the 'é' in main.été into a lone continuation byte.
    const at = Buffer.from(bytes).indexOf(Buffer.from('main.\u00e9', 'utf8')) + 5;
    bytes[at] = 0x80;
    const r = same(gzipSync(bytes));
    assert.ok('ok' in r);
    assert.deepEqual(r.ok.functions.map((f) => f.name), ['main.f', 'main.\ufffd\ufffdt\u00e9']);
    // Without a string table index 0 still reads as '' (not "past the table"), so this is "not heap".
    assert.deepEqual(same(gzipSync(Uint8Array.from(lenField(1, [])))), { code: 'HW_ERR_PROFILE_NOT_HEAP' });
    assert.deepEqual(same(handProfile({ strings: [] })), { code: 'HW_ERR_PROFILE_MALFORMED' });
  });

  it('gives the same result or a HeapwatchError for every truncation of a real profile', () => {
    const raw = gunzipSync(readFileSync(`${PROFILES}grower.pb.gz`));
    const full = decodeHeapProfile(raw, limits);
    let referenceAcceptedClipped = 0;
    for (let n = 0; n < raw.length; n++) {
      const cut = raw.subarray(0, n);
      const fast = outcome(decodeHeapProfileFast, cut);
      const ref = outcome(decodeHeapProfile, cut);
      if ('ok' in fast) assert.deepEqual(fast, ref, `truncated at ${n}`);
      else if ('ok' in ref) {
        assert.equal(fast.code, 'HW_ERR_PROFILE_MALFORMED', `truncated at ${n}`);
        try {
          assert.deepEqual(ref.ok, full);
        } catch {
          referenceAcceptedClipped++;
        }
      } else if (ref.code !== 'HW_ERR_PROFILE_NOT_HEAP') assert.equal(fast.code, ref.code, `truncated at ${n}`);
    }
    // Evidence for the header comment: pprof-format hands back clipped data (e.g. a shortened build id).
    assert.ok(referenceAcceptedClipped > 0);
    const gz = readFileSync(`${PROFILES}grower.pb.gz`);
    for (let n = 1; n < gz.length; n += 7) assert.deepEqual(outcome(decodeHeapProfileFast, gz.subarray(0, n)), outcome(decodeHeapProfile, gz.subarray(0, n)));
  });

  it('rejects what decodeHeapProfile rejects, with the same code', () => {
    const gz = readFileSync(`${PROFILES}parity-trimpath.pb.gz`);
    assert.deepEqual(same(gz.subarray(0, gz.length / 2)), { code: 'HW_ERR_PROFILE_GZIP' });
    const raw = gunzipSync(gz);
    assert.deepEqual(same(raw.subarray(0, Math.floor(raw.length * 0.6))), { code: 'HW_ERR_PROFILE_MALFORMED' });
    assert.deepEqual(same(Buffer.from([0x08, 0x96, 0x01, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad])), { code: 'HW_ERR_PROFILE_MALFORMED' });
    assert.deepEqual(same(Buffer.from('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>')), { code: 'HW_ERR_NOT_PPROF' });
    assert.deepEqual(same(new Uint8Array(0)), { code: 'HW_ERR_PROFILE_MALFORMED' });
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024));
    assert.deepEqual(same(bomb, { maxDecompressedBytes: 16 * 1024 * 1024 }), { code: 'HW_ERR_DECOMPRESSED_TOO_LARGE' });
    const cpu = syntheticHeapProfile([{ stack: [['main.f']], values: [1, 1000] }], { sampleTypes: ['samples:count', 'cpu:nanoseconds'] });
    assert.deepEqual(same(cpu), { code: 'HW_ERR_PROFILE_NOT_HEAP' });

    const base = (): Profile => Profile.decode(gunzipSync(syntheticHeapProfile([{ stack: [['main.f']], values: [1, 8, 1, 8] }])));
    const badLocation = base();
    badLocation.sample[0]!.locationId = [99];
    assert.deepEqual(same(gzipSync(badLocation.encode())), { code: 'HW_ERR_PROFILE_MALFORMED' });
    const badFunction = base();
    badFunction.location[0]!.line[0]!.functionId = 42;
    assert.deepEqual(same(gzipSync(badFunction.encode())), { code: 'HW_ERR_PROFILE_MALFORMED' });
    const badString = base();
    badString.function[0]!.name = 10_000;
    assert.deepEqual(same(gzipSync(badString.encode())), { code: 'HW_ERR_PROFILE_MALFORMED' });
    const badValues = base();
    badValues.sample[0]!.value = [1, 2, 3];
    assert.deepEqual(same(gzipSync(badValues.encode())), { code: 'HW_ERR_PROFILE_MALFORMED' });
    const badBuildId = base();
    badBuildId.mapping = [new Mapping({ id: 1, buildId: 10_000 })];
    assert.deepEqual(same(gzipSync(badBuildId.encode())), { code: 'HW_ERR_PROFILE_MALFORMED' });
  });

  it('checks a non-heap profile for wire errors before saying it is not a heap profile, as the reference does', () => {
    const cpu = Profile.decode(gunzipSync(syntheticHeapProfile([{ stack: [['main.f']], values: [1, 1000] }], { sampleTypes: ['samples:count', 'cpu:nanoseconds'] })));
    cpu.sample[0]!.value = [1, 2, 3];
    assert.deepEqual(same(gzipSync(cpu.encode())), { code: 'HW_ERR_PROFILE_NOT_HEAP' }, 'semantic sample errors come after the sample-type check');
    const bad = [...gunzipSync(gzipSync(cpu.encode()))];
    // A sample whose body holds a wire type 7 field: malformed for both decoders.
    bad.push(...lenField(2, [...packedSample([1], [1, 2]), 0x0f]));
    assert.deepEqual(same(gzipSync(Uint8Array.from(bad))), { code: 'HW_ERR_PROFILE_MALFORMED' });
  });

  it('rejects malformed wire data with HW_ERR_PROFILE_MALFORMED, never an untyped exception', () => {
    const ok = packedSample([1], [1, 2, 3, 4]);
    // An 11-byte varint, and a 10-byte one with bits past 64.
    rejects(handProfile({ samples: [[...tag(1, 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, ...ok]] }));
    rejects(handProfile({ samples: [[...tag(1, 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, ...ok]] }));
    // Length past the end, packed field ending mid-varint, wrong wire type for a known field, groups, field 0.
    rejects(handProfile({ samples: [[...tag(2, 2), 100, 1, 2, 3]] }));
    rejects(handProfile({ samples: [[...tag(1, 2), 2, 1, 0x81, ...packed(2, [1, 2, 3, 4])]] }));
    rejects(handProfile({ samples: [ok], functionExtra: lenField(2, [7]) }));
    rejects(handProfile({ samples: [ok], extraTop: [...tag(20, 3), ...tag(20, 4)] }));
    rejects(handProfile({ samples: [ok], extraTop: [0x00, 0x00] }));
    rejects(handProfile({ samples: [ok], extraTop: [...tag(9, 5), 1, 2] }));
  });

  it('refuses a sample that expands quadratically, like the reference', () => {
    // One location with 3000 inlined lines, referenced 3000 times: 9M frames from ~20 KB.
    const lines = Array.from({ length: 3000 }, () => lenField(4, vField(1, 1))).flat();
    const strings = ['', 'alloc_objects', 'count', 'alloc_space', 'bytes', 'inuse_objects', 'inuse_space', 'main.f', 'main.g', 'main.go'];
    const out: number[] = [];
    for (const [t, u] of [[1, 2], [3, 4], [5, 2], [6, 4]] as const) out.push(...lenField(1, [...vField(1, t), ...vField(2, u)]));
    out.push(...lenField(2, packedSample(new Array<number>(3000).fill(1), [1, 2, 3, 4])));
    out.push(...lenField(4, [...vField(1, 1), ...lines]), ...lenField(5, [...vField(1, 1), ...vField(2, 7)]));
    for (const s of strings) out.push(...strField(6, s));
    const t0 = performance.now();
    assert.deepEqual(same(gzipSync(Uint8Array.from(out))), { code: 'HW_ERR_PROFILE_MALFORMED' });
    assert.ok(performance.now() - t0 < 5000);
  });

  it('survives random byte corruption of a real profile with HeapwatchErrors only', () => {
    const raw = gunzipSync(readFileSync(`${PROFILES}parity-trimpath.pb.gz`));
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let bothOkButDiffer = 0;
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(raw);
      for (let k = 0; k < 1 + rand(4); k++) b[rand(b.length)] = rand(256);
      const fast = outcome(decodeHeapProfileFast, b);
      const ref = outcome(decodeHeapProfile, b);
      if ('ok' in fast && 'ok' in ref) {
        try {
          assert.deepEqual(fast, ref);
        } catch {
          bothOkButDiffer++;
        }
      }
    }
    assert.equal(bothOkButDiffer, 0);
  });
});
