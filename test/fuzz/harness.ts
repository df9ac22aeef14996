/**
 * Property-based fuzzing of the heap-profile decoders and of diffProfiles.
 *
 * Every property is parameterised by the decoder under test, so the same
 * harness covers `decodeHeapProfile` and any faster decoder with the same
 * contract: for any bytes, return a HeapProfile whose invariants hold, or
 * throw a HeapwatchError, within a bounded time and bounded memory.
 *
 * Properties:
 * - random-bytes: arbitrary bytes, raw, behind a gzip header, or gzip'd;
 * - truncation: real profiles cut at a random offset (gzip'd, inflated, or
 *   inflated then re-gzipped so the protobuf reader sees the cut);
 * - mutation: bit flips, byte/chunk overwrites, chunk duplications and
 *   deletions of real inflated profiles, re-gzipped or not;
 * - structure: pprof-format objects decoded from real profiles (or empty),
 *   edited field by field (dangling ids, string indexes past the table,
 *   int64 extremes, wrong value counts, repeated locations, many lines,
 *   10k-frame stacks, missing sample types...), then encoded;
 * - amplification: one location with L lines listed N times by one sample
 *   (small input, L*N frames decoded); kept apart from `structure` so a
 *   failure here does not hide the other edits;
 * - diff: diffProfiles on pairs of mutated real profiles: HeapwatchError, or
 *   a valid gzip'd profile that the decoder under test reads back.
 *
 * A watchdog worker kills the process (after printing the case and writing
 * its bytes to a file) if one synchronous call hangs past `hangMs`, since a
 * hang cannot be interrupted from the thread that runs it.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Function as PFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { HeapwatchError } from '../../src/errors.js';
import { functionValues, flatInuse } from '../../src/pprof/aggregate.js';
import type { DecodeLimits } from '../../src/pprof/inflate.js';
import { diffProfiles } from '../../src/pprof/diff.js';
import { unpackStacks, type HeapProfile } from '../../src/pprof/profile.js';
import { FIXTURES, PROFILES } from '../helpers/paths.js';

export type Decoder = (bytes: Uint8Array, limits: DecodeLimits) => HeapProfile;

export const PROPERTY_NAMES = ['random-bytes', 'truncation', 'mutation', 'structure', 'frameless', 'amplification', 'diff', 'diff-wellformed'] as const;
export type PropertyName = (typeof PROPERTY_NAMES)[number];

export interface FuzzOptions {
  decoder: Decoder;
  /** Shown in failure reports. */
  decoderName?: string;
  /** Total number of generated cases, shared among the properties by weight. */
  runs: number;
  seed: number;
  /** Wall-clock budget for all properties together. */
  timeBudgetMs: number;
  /** A single call slower than this fails the property. Default 2000. */
  maxCaseMs?: number;
  /** heapUsed / rss growth that fails the property. Default 512 MiB. */
  maxMemoryGrowthBytes?: number;
  /** Default 8 MiB decompressed. */
  limits?: DecodeLimits;
  /** Run only these properties. */
  properties?: readonly PropertyName[];
  /** The watchdog kills the process when one call runs this long. Default 60 s; 0 disables. */
  hangMs?: number;
  /** Where progress lines go. Default: nowhere. */
  log?: (line: string) => void;
  /** Where a failing input is written. Default: a fresh directory under the OS tmpdir. */
  artifactDir?: string;
}

export interface PropertyResult {
  name: PropertyName;
  /** Calls of the code under test (generated cases and shrink attempts). */
  cases: number;
  /** Cases fast-check generated before it stopped (successful runs, + 1 on failure). */
  generated: number;
  shrinks: number;
  ms: number;
  interrupted: boolean;
  failed: boolean;
  /** fast-check's report (seed, path, shrunk counterexample, error) when failed. */
  report?: string;
  /** File holding the shrunk failing input bytes, when failed. */
  artifact?: string;
}

export interface FuzzResult {
  /** Total calls of the code under test. */
  cases: number;
  seed: number;
  ms: number;
  properties: PropertyResult[];
  failures: PropertyResult[];
}

const WEIGHTS: Record<PropertyName, number> = {
  'random-bytes': 0.2,
  truncation: 0.18,
  mutation: 0.3,
  structure: 0.2,
  frameless: 0.02,
  amplification: 0.02,
  diff: 0.04,
  'diff-wellformed': 0.06,
};

const MIB = 1024 * 1024;

// ---------------------------------------------------------------------------
// Seed corpus: real Go heap profiles.

export interface Fixture {
  name: string;
  gz: Uint8Array;
  raw: Uint8Array;
}

let fixtureCache: { small: Fixture[]; all: Fixture[] } | undefined;

/**
 * The small fixture profiles plus the first and last profile of every corpus
 * scenario (`small`), and those plus large.pb.gz (`all`, used by truncation).
 */
export function loadFixtures(): { small: Fixture[]; all: Fixture[] } {
  if (fixtureCache) return fixtureCache;
  const load = (path: string, name: string): Fixture => {
    const gz = new Uint8Array(readFileSync(path));
    return { name, gz, raw: new Uint8Array(gunzipSync(gz)) };
  };
  const small: Fixture[] = [];
  for (const f of readdirSync(PROFILES).sort()) {
    if (f.endsWith('.pb.gz') && f !== 'large.pb.gz') small.push(load(join(PROFILES, f), `profiles/${f}`));
  }
  const corpus = join(FIXTURES, 'corpus');
  for (const scenario of readdirSync(corpus).sort()) {
    let files: string[];
    try {
      files = readdirSync(join(corpus, scenario, 'profiles')).filter((f) => f.endsWith('.pb.gz')).sort();
    } catch {
      continue;
    }
    for (const f of new Set([files[0], files[files.length - 1]])) {
      if (f) small.push(load(join(corpus, scenario, 'profiles', f), `corpus/${scenario}/${f}`));
    }
  }
  if (small.length === 0) throw new Error('fuzz: no fixture profiles found');
  const all = [...small];
  try {
    all.push(load(join(PROFILES, 'large.pb.gz'), 'profiles/large.pb.gz'));
  } catch {
    // optional
  }
  fixtureCache = { small, all };
  return fixtureCache;
}

// ---------------------------------------------------------------------------
// Invariants.

class InvariantError extends Error {
  override name = 'InvariantError';
}

function invariant(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new InvariantError(msg);
}

/** a == b exactly when every term is a safe integer and the sum cannot round; else within the float summation bound. */
function sumsAgree(a: number, b: number, sumAbs: number, terms: number): boolean {
  if (sumAbs <= Number.MAX_SAFE_INTEGER) return a === b;
  return Math.abs(a - b) <= sumAbs * Number.EPSILON * 2 * (terms + 2);
}

/** Checks the documented shape of a decoded HeapProfile. Throws InvariantError. */
export function checkHeapProfile(p: HeapProfile, opts: { excuseFrameless?: boolean } = {}): void {
  invariant(typeof p === 'object' && p !== null, 'result is not an object');
  for (const k of ['timeMs', 'durationNanos', 'period'] as const) {
    invariant(typeof p[k] === 'number' && Number.isFinite(p[k]), `${k} is ${String(p[k])} (${typeof p[k]})`);
  }
  invariant(typeof p.buildId === 'string', 'buildId is not a string');
  invariant(Array.isArray(p.modules), 'modules is not an array');
  const width = p.sampleTypes.length;
  invariant(p.sampleTypes.some((t) => t.type === 'inuse_space') && p.sampleTypes.some((t) => t.type === 'inuse_objects'), 'decoded a profile without inuse sample types');
  for (const t of p.sampleTypes) invariant(typeof t.type === 'string' && typeof t.unit === 'string', 'sample type is not strings');
  invariant(p.totals.length === width, `totals has ${p.totals.length} entries for ${width} sample types`);
  const names = new Set<string>();
  for (const f of p.functions) {
    invariant(typeof f.name === 'string' && typeof f.filename === 'string', 'function name/filename not strings');
    invariant(!names.has(f.name), `function name ${JSON.stringify(f.name)} appears twice`);
    names.add(f.name);
  }
  const nf = p.functions.length;
  const sums = new Array<number>(width).fill(0);
  const sumAbs = new Array<number>(width).fill(0);
  const nonNegative = new Array<boolean>(width).fill(true);
  const keys = new Set<string>();
  const { offsets, frames, values } = p.stacks;
  invariant(offsets.length >= 1 && offsets[0] === 0 && offsets.at(-1) === frames.length, `stack offsets [${offsets[0]} .. ${offsets.at(-1)}] do not span ${frames.length} frames`);
  for (let si = 1; si < offsets.length; si++) invariant(offsets[si]! >= offsets[si - 1]!, `stack offsets decrease at ${si}`);
  invariant(values.length === (offsets.length - 1) * width, `${values.length} stack values for ${offsets.length - 1} stacks x ${width} sample types`);
  const stacks = unpackStacks(p);
  for (let si = 0; si < stacks.length; si++) {
    const s = stacks[si]!;
    invariant(s.values.length === width, `stack ${si} has ${s.values.length} values for ${width} sample types`);
    for (const f of s.frames) invariant(Number.isInteger(f) && f >= 0 && f < nf, `stack ${si} has frame ${f} (functions.length ${nf})`);
    const key = s.frames.join(',');
    invariant(!keys.has(key), `stack ${si} repeats the frames of an earlier stack`);
    keys.add(key);
    for (let i = 0; i < width; i++) {
      const v = s.values[i]!;
      invariant(typeof v === 'number' && Number.isFinite(v), `stack ${si} value ${i} is ${String(v)} (${typeof v})`);
      sums[i]! += v;
      sumAbs[i]! += Math.abs(v);
      if (v < 0) nonNegative[i] = false;
    }
  }
  for (let i = 0; i < width; i++) {
    const t = p.totals[i]!;
    invariant(typeof t === 'number' && Number.isFinite(t), `totals[${i}] is ${String(t)}`);
    invariant(sumsAgree(t, sums[i]!, sumAbs[i]!, stacks.length), `totals[${i}] = ${t} but the stacks sum to ${sums[i]}`);
    const fv = functionValues(p, i);
    let flatSum = 0;
    for (const v of fv) {
      invariant(Number.isFinite(v.flat) && Number.isFinite(v.cum), `functionValues ${v.name} not finite`);
      if (nonNegative[i]) invariant(v.cum >= v.flat, `sample type ${i}: ${v.name} has cum ${v.cum} < flat ${v.flat}`);
      flatSum += v.flat;
    }
    const frameless = stacks.reduce((sum, s) => sum + (s.frames.length === 0 ? s.values[i]! : 0), 0);
    if (opts.excuseFrameless) flatSum += frameless;
    invariant(
      sumsAgree(flatSum, t, sumAbs[i]!, stacks.length + fv.length),
      `sample type ${i} (${p.sampleTypes[i]!.type}): flat sums to ${flatSum} but the total is ${t}` +
        (stacks.some((s) => s.frames.length === 0) ? ' (a stack has no frames)' : ''),
    );
  }
  const fi = flatInuse(p);
  invariant(fi.bytes.length === nf && fi.objects.length === nf, 'flatInuse arrays do not have functions.length entries');
}

// ---------------------------------------------------------------------------
// Memory and time accounting, and the hang watchdog.

let gcFn: (() => void) | undefined;
function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

const SAB_HEADER = 4096;
const SAB_INPUT = 16 * MIB;

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { sab, hangMs, dir, header } = workerData;
const f64 = new Float64Array(sab, 0, 1);
const i32 = new Int32Array(sab, 8, 2);
const u8 = new Uint8Array(sab);
setInterval(() => {
  const start = f64[0];
  if (start > 0 && Date.now() - start > hangMs) {
    const label = Buffer.from(u8.subarray(16, 16 + i32[1])).toString('utf8');
    const input = u8.subarray(header, header + i32[0]);
    const file = path.join(dir, 'hang-input.bin');
    try { fs.writeFileSync(file, input); } catch {}
    fs.writeSync(2, '\\nfuzz watchdog: one call has run for ' + (Date.now() - start) + ' ms (limit ' + hangMs + ' ms): HANG\\n' +
      'case: ' + label + '\\ninput (' + input.length + ' bytes) written to ' + file + '\\nfirst bytes: ' +
      Buffer.from(input.subarray(0, 256)).toString('hex') + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, 250);
`;

class Monitor {
  private readonly sab: SharedArrayBuffer | undefined;
  private readonly f64: Float64Array | undefined;
  private readonly i32: Int32Array | undefined;
  private readonly u8: Uint8Array | undefined;
  private readonly worker: Worker | undefined;
  cases = 0;
  private failedOnce = false;

  constructor(
    hangMs: number,
    readonly dir: string,
  ) {
    if (hangMs > 0) {
      this.sab = new SharedArrayBuffer(SAB_HEADER + SAB_INPUT);
      this.f64 = new Float64Array(this.sab, 0, 1);
      this.i32 = new Int32Array(this.sab, 8, 2);
      this.u8 = new Uint8Array(this.sab);
      this.worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { sab: this.sab, hangMs, dir, header: SAB_HEADER } });
      this.worker.unref();
    }
  }

  /** Records the case so the watchdog can report it, then times `fn`. */
  run<T>(label: string, input: Uint8Array, fn: () => T): { value?: T; error?: unknown; threw: boolean; ms: number } {
    this.cases++;
    if (this.u8 && this.i32 && this.f64) {
      const n = Math.min(input.length, SAB_INPUT);
      this.u8.set(input.subarray(0, n), SAB_HEADER);
      const lb = Buffer.from(label.slice(0, 1000), 'utf8');
      this.u8.set(lb.subarray(0, SAB_HEADER - 32), 16);
      this.i32[0] = n;
      this.i32[1] = Math.min(lb.length, SAB_HEADER - 32);
      this.f64[0] = Date.now();
    }
    const t0 = performance.now();
    try {
      const value = fn();
      return { value, threw: false, ms: performance.now() - t0 };
    } catch (error) {
      return { error, threw: true, ms: performance.now() - t0 };
    } finally {
      if (this.f64) this.f64[0] = 0;
    }
  }

  markFailed(): void {
    this.failedOnce = true;
  }
  get hasFailed(): boolean {
    return this.failedOnce;
  }
  resetFailed(): void {
    this.failedOnce = false;
  }

  async stop(): Promise<void> {
    if (this.worker) await this.worker.terminate();
  }
}

function hex(bytes: Uint8Array, max = 512): string {
  const h = Buffer.from(bytes.subarray(0, max)).toString('hex');
  return bytes.length > max ? `${h}... (${bytes.length} bytes)` : h;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return `non-Error thrown: ${String(err)}`;
}

interface Ctx {
  decoder: Decoder;
  decoderName: string;
  limits: DecodeLimits;
  maxCaseMs: number;
  maxMem: number;
  baseHeap: number;
  deadline: number;
  monitor: Monitor;
}

/** Heap growth while the result is still alive; confirmed after a full GC so garbage does not count. */
function checkMemory(ctx: Ctx, what: string): void {
  const grown = process.memoryUsage().heapUsed - ctx.baseHeap;
  if (grown <= ctx.maxMem) return;
  gc();
  const after = process.memoryUsage().heapUsed - ctx.baseHeap;
  invariant(after <= ctx.maxMem, `${what}: heapUsed grew by ${Math.round(after / MIB)} MiB (limit ${Math.round(ctx.maxMem / MIB)} MiB)`);
}

/** Runs the decoder under test on one input and checks the contract. */
function decodeCase(ctx: Ctx, label: string, input: Uint8Array, check: { excuseFrameless?: boolean } = {}): void {
  const r = ctx.monitor.run(label, input, () => ctx.decoder(input, ctx.limits));
  try {
    invariant(r.ms <= ctx.maxCaseMs, `${ctx.decoderName} took ${Math.round(r.ms)} ms (limit ${ctx.maxCaseMs} ms) on ${label}`);
    if (r.threw) {
      invariant(r.error instanceof HeapwatchError, `${ctx.decoderName} threw something other than a HeapwatchError on ${label}: ${describeError(r.error)}`);
      invariant(typeof r.error.code === 'string' && r.error.code.startsWith('HW_ERR_'), `HeapwatchError without a code: ${r.error.message}`);
    } else {
      checkMemory(ctx, label);
      try {
        checkHeapProfile(r.value!, check);
      } catch (err) {
        if (err instanceof InvariantError) throw new InvariantError(`${ctx.decoderName} returned a profile that breaks an invariant on ${label}: ${err.message}`);
        throw new InvariantError(`checking the decoded profile threw on ${label}: ${describeError(err)}`);
      }
    }
  } catch (err) {
    if (err instanceof InvariantError) {
      err.message += `\ninput (${input.length} bytes): ${hex(input)}`;
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Byte-level arbitraries.

const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

interface RandomCase {
  kind: 'raw' | 'gzip-header' | 'gzipped';
  bytes: Uint8Array;
}
const randomArb: fc.Arbitrary<RandomCase> = fc.record({
  kind: fc.constantFrom('raw' as const, 'gzip-header' as const, 'gzipped' as const),
  bytes: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 4096 })),
});
function buildRandom(c: RandomCase): Uint8Array {
  if (c.kind === 'raw') return c.bytes;
  if (c.kind === 'gzipped') return gz(c.bytes);
  // A gzip header (magic, deflate, no flags) followed by garbage.
  const out = new Uint8Array(10 + c.bytes.length);
  out.set([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
  out.set(c.bytes, 10);
  return out;
}

interface TruncCase {
  fixture: number;
  form: 'gzip' | 'raw' | 'raw-regzipped';
  /** Fraction of the length kept, in [0, 1). */
  at: number;
}
const truncArb = (n: number): fc.Arbitrary<TruncCase> =>
  fc.record({
    fixture: fc.nat({ max: n - 1 }),
    form: fc.constantFrom('gzip' as const, 'raw' as const, 'raw-regzipped' as const),
    at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  });
function buildTrunc(fixtures: Fixture[], c: TruncCase): Uint8Array {
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

interface MutCase {
  fixture: number;
  /** Mutate the inflated bytes (then maybe re-gzip), or the gzip'd bytes themselves. */
  target: 'raw' | 'raw-regzipped' | 'gzip';
  ops: ByteOp[];
}
const mutArb = (n: number): fc.Arbitrary<MutCase> =>
  fc.record({
    fixture: fc.nat({ max: n - 1 }),
    target: fc.constantFrom('raw' as const, 'raw-regzipped' as const, 'gzip' as const),
    ops: fc.array(byteOpArb, { minLength: 1, maxLength: 8 }),
  });
function buildMut(fixtures: Fixture[], c: MutCase): Uint8Array {
  const f = fixtures[c.fixture]!;
  if (c.target === 'gzip') return applyByteOps(f.gz, c.ops);
  const m = applyByteOps(f.raw, c.ops);
  return c.target === 'raw-regzipped' ? gz(m) : m;
}

// ---------------------------------------------------------------------------
// Structure-aware mutations with pprof-format objects.

type Num = number | bigint;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Ids and indexes: small, just past the end, 0, negative, int64 extremes. */
const idArb: fc.Arbitrary<Num> = fc.oneof(
  fc.integer({ min: 0, max: 2000 }),
  fc.constantFrom<Num>(0, -1, 2 ** 28, 2 ** 31, 2n ** 32n, 2n ** 53n, INT64_MAX, INT64_MIN, 2n ** 64n - 1n),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);
/** Sample values: ordinary, negative, past 2^28 (bigint on decode), int64 extremes. */
const valueArb: fc.Arbitrary<Num> = fc.oneof(
  fc.integer({ min: -1000, max: 1_000_000 }),
  fc.constantFrom<Num>(0, -1, 2 ** 28, 2 ** 28 - 1, 2n ** 53n + 1n, INT64_MAX, INT64_MIN, -(2n ** 32n)),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);

type StrField = 'fn.name' | 'fn.filename' | 'fn.systemName' | 'sampleType.type' | 'sampleType.unit' | 'mapping.buildId' | 'mapping.filename' | 'periodType.type';

type StructOp =
  | { op: 'lineFunctionId'; which: number; id: Num }
  | { op: 'sampleLocationId'; which: number; at: number; id: Num }
  | { op: 'locationMappingId'; which: number; id: Num }
  | { op: 'stringIndex'; field: StrField; which: number; past: number; huge: Num | null }
  | { op: 'value'; which: number; col: number; value: Num }
  | { op: 'valueCount'; which: number; delta: number }
  | { op: 'repeatLocation'; which: number; times: number }
  | { op: 'manyLines'; which: number; lines: number }
  | { op: 'deepStack'; which: number; depth: number }
  | { op: 'duplicateId'; kind: 'function' | 'location' | 'mapping'; which: number }
  | { op: 'setId'; kind: 'function' | 'location' | 'mapping'; which: number; id: Num }
  | { op: 'emptyStack'; which: number }
  | { op: 'emptyLines'; which: number }
  | { op: 'dropSampleType'; which: number }
  | { op: 'clear'; what: 'sample' | 'location' | 'function' | 'mapping' | 'stringTable' | 'sampleType' }
  | { op: 'header'; field: 'timeNanos' | 'durationNanos' | 'period' | 'defaultSampleType' | 'dropFrames'; value: Num }
  | { op: 'rename'; which: number; name: string };

const w = fc.nat();
const structOpArb: fc.Arbitrary<StructOp> = fc.oneof(
  fc.record({ op: fc.constant('lineFunctionId' as const), which: w, id: idArb }),
  fc.record({ op: fc.constant('sampleLocationId' as const), which: w, at: w, id: idArb }),
  fc.record({ op: fc.constant('locationMappingId' as const), which: w, id: idArb }),
  fc.record({
    op: fc.constant('stringIndex' as const),
    field: fc.constantFrom<StrField>('fn.name', 'fn.filename', 'fn.systemName', 'sampleType.type', 'sampleType.unit', 'mapping.buildId', 'mapping.filename', 'periodType.type'),
    which: w,
    past: fc.nat({ max: 3 }),
    huge: fc.option(fc.constantFrom<Num>(-1, 2 ** 31, 2n ** 40n, INT64_MAX, INT64_MIN)),
  }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('value' as const), which: w, col: w, value: valueArb }) },
  fc.record({ op: fc.constant('valueCount' as const), which: w, delta: fc.integer({ min: -4, max: 3 }) }),
  fc.record({ op: fc.constant('repeatLocation' as const), which: w, times: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ op: fc.constant('manyLines' as const), which: w, lines: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ op: fc.constant('deepStack' as const), which: w, depth: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(10_000)) }),
  fc.record({ op: fc.constant('duplicateId' as const), kind: fc.constantFrom('function' as const, 'location' as const, 'mapping' as const), which: w }),
  fc.record({ op: fc.constant('setId' as const), kind: fc.constantFrom('function' as const, 'location' as const, 'mapping' as const), which: w, id: idArb }),
  fc.record({ op: fc.constant('emptyStack' as const), which: w }),
  fc.record({ op: fc.constant('emptyLines' as const), which: w }),
  fc.record({ op: fc.constant('dropSampleType' as const), which: w }),
  fc.record({ op: fc.constant('clear' as const), what: fc.constantFrom('sample' as const, 'location' as const, 'function' as const, 'mapping' as const, 'stringTable' as const, 'sampleType' as const) }),
  fc.record({
    op: fc.constant('header' as const),
    field: fc.constantFrom('timeNanos' as const, 'durationNanos' as const, 'period' as const, 'defaultSampleType' as const, 'dropFrames' as const),
    value: valueArb,
  }),
  fc.record({
    op: fc.constant('rename' as const),
    which: w,
    name: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '[', ']', 'a[b', 'x]]y', 'p.F[[[', 'p.M[...].Get', 'main.main', '\u0000', '\uD800')),
  }),
);

interface StructCase {
  /** -1: an empty Profile; -2: only the inuse sample types; else a small fixture. */
  base: number;
  ops: StructOp[];
  gzip: boolean;
}
const structArb = (n: number): fc.Arbitrary<StructCase> =>
  fc.record({
    base: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(-1, -2) }, { weight: 6, arbitrary: fc.nat({ max: n - 1 }) }),
    ops: fc.array(structOpArb, { minLength: 0, maxLength: 6 }),
    gzip: fc.boolean(),
  });

function pick<T>(list: T[], which: number): T | undefined {
  return list.length === 0 ? undefined : list[which % list.length];
}

function baseProfile(fixtures: Fixture[], base: number): Profile {
  if (base >= 0) return Profile.decode(fixtures[base % fixtures.length]!.raw);
  const st = new StringTable();
  if (base === -1) return new Profile({ stringTable: st });
  return new Profile({
    stringTable: st,
    sampleType: [new ValueType({ type: st.dedup('inuse_objects'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('inuse_space'), unit: st.dedup('bytes') })],
  });
}

function applyStructOp(p: Profile, o: StructOp): void {
  const strings = p.stringTable.strings;
  switch (o.op) {
    case 'lineFunctionId': {
      const lines = p.location.flatMap((l) => l.line);
      const ln = pick(lines, o.which);
      if (ln) ln.functionId = o.id;
      break;
    }
    case 'sampleLocationId': {
      const s = pick(p.sample, o.which);
      if (s) s.locationId.splice(o.at % (s.locationId.length + 1), 0, o.id);
      break;
    }
    case 'locationMappingId': {
      const l = pick(p.location, o.which);
      if (l) l.mappingId = o.id;
      break;
    }
    case 'stringIndex': {
      const idx: Num = o.huge ?? strings.length + o.past;
      const [kind, field] = o.field.split('.') as [string, string];
      const target =
        kind === 'fn' ? pick(p.function, o.which) : kind === 'sampleType' ? pick(p.sampleType, o.which) : kind === 'mapping' ? pick(p.mapping, o.which) : p.periodType;
      if (target) (target as unknown as Record<string, Num>)[field === 'buildId' ? 'buildId' : field] = idx;
      break;
    }
    case 'value': {
      const s = pick(p.sample, o.which);
      if (s && s.value.length > 0) s.value[o.col % s.value.length] = o.value;
      break;
    }
    case 'valueCount': {
      const s = pick(p.sample, o.which);
      if (!s) break;
      if (o.delta < 0) s.value.splice(Math.max(0, s.value.length + o.delta));
      else for (let i = 0; i < o.delta; i++) s.value.push(i + 1);
      break;
    }
    case 'repeatLocation': {
      const s = pick(p.sample, o.which);
      const l = pick(p.location, o.which);
      if (s && l) for (let i = 0; i < o.times; i++) s.locationId.push(l.id);
      break;
    }
    case 'manyLines': {
      const l = pick(p.location, o.which);
      const f = pick(p.function, o.which);
      if (l) l.line = Array.from({ length: o.lines }, (_, i) => new Line({ functionId: f ? f.id : 1, line: i }));
      break;
    }
    case 'deepStack': {
      const s = pick(p.sample, o.which);
      if (!s || p.function.length === 0) break;
      let next = p.location.reduce((m, l) => Math.max(m, Number(l.id)), 0) + 1;
      for (let i = 0; i < o.depth; i++) {
        const id = next++;
        p.location.push(new Location({ id, line: [new Line({ functionId: p.function[i % p.function.length]!.id, line: i })] }));
        s.locationId.push(id);
      }
      break;
    }
    case 'duplicateId': {
      const list: { id: Num }[] = o.kind === 'function' ? p.function : o.kind === 'location' ? p.location : p.mapping;
      if (list.length >= 2) list[(o.which + 1) % list.length]!.id = list[o.which % list.length]!.id;
      break;
    }
    case 'setId': {
      const list: { id: Num }[] = o.kind === 'function' ? p.function : o.kind === 'location' ? p.location : p.mapping;
      const x = pick(list, o.which);
      if (x) x.id = o.id;
      break;
    }
    case 'emptyStack': {
      const s = pick(p.sample, o.which);
      if (s) s.locationId = [];
      break;
    }
    case 'emptyLines': {
      const l = pick(p.location, o.which);
      if (l) l.line = [];
      break;
    }
    case 'dropSampleType':
      if (p.sampleType.length > 0) p.sampleType.splice(o.which % p.sampleType.length, 1);
      break;
    case 'clear':
      if (o.what === 'stringTable') p.stringTable.strings = [''];
      else if (o.what === 'sample') p.sample = [];
      else if (o.what === 'location') p.location = [];
      else if (o.what === 'function') p.function = [];
      else if (o.what === 'mapping') p.mapping = [];
      else p.sampleType = [];
      break;
    case 'header':
      p[o.field] = o.value;
      break;
    case 'rename': {
      const f = pick(p.function, o.which);
      if (f) f.name = p.stringTable.dedup(o.name);
      break;
    }
  }
}

function buildStruct(fixtures: Fixture[], c: StructCase): Uint8Array {
  const p = baseProfile(fixtures, c.base);
  for (const o of c.ops) applyStructOp(p, o);
  const raw = p.encode();
  return c.gzip ? gz(raw) : raw;
}

interface FramelessCase {
  base: number;
  which: number;
  /** No location ids at all, or only locations without lines (unsymbolized). */
  how: 'no-locations' | 'no-lines';
  gzip: boolean;
}
const framelessArb = (n: number): fc.Arbitrary<FramelessCase> =>
  fc.record({ base: fc.nat({ max: n - 1 }), which: fc.nat(), how: fc.constantFrom('no-locations' as const, 'no-lines' as const), gzip: fc.boolean() });
/** A real profile where one sample has no frames: its value counts in the totals but in no function's flat. */
function buildFrameless(fixtures: Fixture[], c: FramelessCase): Uint8Array {
  const p = baseProfile(fixtures, c.base);
  const s = pick(p.sample, c.which);
  if (s) {
    if (c.how === 'no-locations') s.locationId = [];
    else {
      const id = p.location.reduce((m, l) => Math.max(m, Number(l.id)), 0) + 1;
      p.location.push(new Location({ id, address: 0x401000 }));
      s.locationId = [id];
    }
  }
  const raw = p.encode();
  return c.gzip ? gz(raw) : raw;
}

interface AmpCase {
  lines: number;
  repeats: number;
  gzip: boolean;
}
/** Worst case 6000 x 6000 = 3.6e7 decoded frames from a ~50 KB input. */
const ampSize = fc.oneof(fc.integer({ min: 1, max: 6000 }), fc.integer({ min: 4000, max: 6000 }));
const ampArb: fc.Arbitrary<AmpCase> = fc.record({
  lines: ampSize,
  repeats: ampSize,
  gzip: fc.boolean(),
});
export function buildAmplification(c: AmpCase): Uint8Array {
  const st = new StringTable();
  const p = new Profile({
    stringTable: st,
    sampleType: [new ValueType({ type: st.dedup('inuse_objects'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('inuse_space'), unit: st.dedup('bytes') })],
    function: [new PFunction({ id: 1, name: st.dedup('main.leak'), filename: st.dedup('main.go') })],
    mapping: [new Mapping({ id: 1, filename: st.dedup('/bin/app'), buildId: st.dedup('abc') })],
    location: [new Location({ id: 1, mappingId: 1, line: Array.from({ length: c.lines }, (_, i) => new Line({ functionId: 1, line: i + 1 })) })],
    sample: [new Sample({ locationId: new Array<number>(c.repeats).fill(1), value: [1, 4096] })],
  });
  const raw = p.encode();
  return c.gzip ? gz(raw) : raw;
}

// ---------------------------------------------------------------------------
// diffProfiles.

type DiffInput = { kind: 'fixture'; fixture: number } | { kind: 'mutation'; c: MutCase } | { kind: 'structure'; c: StructCase } | { kind: 'truncation'; c: TruncCase };
const diffInputArb = (n: number): fc.Arbitrary<DiffInput> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fixture' as const), fixture: fc.nat({ max: n - 1 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutation' as const), c: mutArb(n) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('structure' as const), c: structArb(n) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncation' as const), c: truncArb(n) }) },
  );
function buildDiffInput(fixtures: Fixture[], d: DiffInput): Uint8Array {
  switch (d.kind) {
    case 'fixture':
      return fixtures[d.fixture]!.gz;
    case 'mutation':
      return buildMut(fixtures, d.c);
    case 'structure':
      return buildStruct(fixtures, d.c);
    case 'truncation':
      return buildTrunc(fixtures, d.c);
  }
}

/** A profile other pprof tools accept: every id a sample or line names exists, string indexes in range, one value per sample type. */
export function checkPprofValid(p: Profile): void {
  const nStr = p.stringTable.strings.length;
  const strOk = (v: Num, what: string): void => {
    const i = Number(v);
    invariant(Number.isInteger(i) && i >= 0 && i < nStr, `${what}: string index ${String(v)} outside the table (${nStr})`);
  };
  invariant(p.stringTable.strings[0] === '', 'string_table[0] is not ""');
  for (const [i, t] of p.sampleType.entries()) {
    strOk(t.type, `sample_type[${i}].type`);
    strOk(t.unit, `sample_type[${i}].unit`);
  }
  const fnIds = new Set<string>();
  for (const f of p.function) {
    invariant(String(f.id) !== '0', 'function id 0');
    invariant(!fnIds.has(String(f.id)), `function id ${String(f.id)} twice`);
    fnIds.add(String(f.id));
    strOk(f.name, `function ${String(f.id)} name`);
    strOk(f.filename, `function ${String(f.id)} filename`);
    strOk(f.systemName, `function ${String(f.id)} system_name`);
  }
  const mapIds = new Set<string>();
  for (const m of p.mapping) {
    invariant(String(m.id) !== '0', 'mapping id 0');
    mapIds.add(String(m.id));
    strOk(m.filename, `mapping ${String(m.id)} filename`);
    strOk(m.buildId, `mapping ${String(m.id)} build_id`);
  }
  const locIds = new Set<string>();
  for (const l of p.location) {
    invariant(String(l.id) !== '0', 'location id 0');
    invariant(!locIds.has(String(l.id)), `location id ${String(l.id)} twice`);
    locIds.add(String(l.id));
    invariant(String(l.mappingId) === '0' || mapIds.has(String(l.mappingId)), `location ${String(l.id)} names missing mapping ${String(l.mappingId)}`);
    for (const ln of l.line) invariant(fnIds.has(String(ln.functionId)), `location ${String(l.id)} names missing function ${String(ln.functionId)}`);
  }
  for (const [i, s] of p.sample.entries()) {
    invariant(s.value.length === p.sampleType.length, `sample ${i} has ${s.value.length} values for ${p.sampleType.length} sample types`);
    for (const lid of s.locationId) invariant(locIds.has(String(lid)), `sample ${i} names missing location ${String(lid)}`);
  }
}

function diffCase(ctx: Ctx, fixtures: Fixture[], a: DiffInput, b: DiffInput, wellFormed: boolean): void {
  const base = buildDiffInput(fixtures, a);
  const prof = buildDiffInput(fixtures, b);
  if (wellFormed) {
    // Only pairs the decoder under test accepts: what heapwatch itself diffs.
    const ok = (x: Uint8Array): boolean => !ctx.monitor.run('precondition decode', x, () => ctx.decoder(x, ctx.limits)).threw;
    fc.pre(ok(base) && ok(prof));
  }
  const both = new Uint8Array(base.length + prof.length);
  both.set(base);
  both.set(prof, base.length);
  const label = `diffProfiles(base ${base.length} bytes, profile ${prof.length} bytes)`;
  const r = ctx.monitor.run(label, both, () => diffProfiles(base, prof, ctx.limits));
  const inputs = `\nbase (${base.length} bytes): ${hex(base)}\nprofile (${prof.length} bytes): ${hex(prof)}`;
  try {
    invariant(r.ms <= ctx.maxCaseMs, `diffProfiles took ${Math.round(r.ms)} ms (limit ${ctx.maxCaseMs} ms)`);
    if (r.threw) {
      invariant(r.error instanceof HeapwatchError, `diffProfiles threw something other than a HeapwatchError: ${describeError(r.error)}`);
      return;
    }
    checkMemory(ctx, label);
    const out = r.value!;
    invariant(out instanceof Uint8Array && out.length >= 2 && out[0] === 0x1f && out[1] === 0x8b, 'diffProfiles output is not gzip');
    let p: Profile;
    try {
      p = Profile.decode(gunzipSync(out));
    } catch (err) {
      throw new InvariantError(`diffProfiles output does not gunzip/decode: ${describeError(err)}`);
    }
    invariant(
      p.sampleType.map((t) => p.stringTable.strings[Number(t.type)]).join(',') === 'inuse_objects,inuse_space',
      'diffProfiles output sample types are not [inuse_objects, inuse_space]',
    );
    try {
      checkPprofValid(p);
    } catch (err) {
      if (err instanceof InvariantError) throw new InvariantError(`diffProfiles returned an invalid pprof profile: ${err.message}`);
      throw err;
    }
    // The diff must be readable by the decoder under test (heapwatch diff | heapwatch top).
    const limits = { maxDecompressedBytes: Math.max(ctx.limits.maxDecompressedBytes, 4 * (base.length + prof.length) + 64 * MIB) };
    const d = ctx.monitor.run(`${ctx.decoderName}(diff output)`, out, () => ctx.decoder(out, limits));
    invariant(!d.threw, `${ctx.decoderName} cannot read diffProfiles' output: ${describeError(d.error)}`);
    checkHeapProfile(d.value!, { excuseFrameless: true });
  } catch (err) {
    if (err instanceof InvariantError) err.message += inputs;
    throw err;
  }
}

// ---------------------------------------------------------------------------
// The runner.

interface PropertyDef {
  name: PropertyName;
  /** The fast-check property; the predicate throws on a broken contract. */
  make: (ctx: Ctx, fixtures: { small: Fixture[]; all: Fixture[] }, guard: (fn: () => void) => boolean) => fc.IProperty<[unknown]>;
  /** Cases run first, before the generated ones. */
  examples?: unknown[];
  /** Rebuilds the input bytes of a counterexample, for the artifact file. */
  bytes: (fixtures: { small: Fixture[]; all: Fixture[] }, value: unknown) => Uint8Array;
}

const DEFS: PropertyDef[] = [
  {
    name: 'random-bytes',
    make: (ctx, _f, guard) => fc.property(randomArb, (c) => guard(() => decodeCase(ctx, `random ${c.kind} bytes`, buildRandom(c)))),
    bytes: (_f, v) => buildRandom(v as RandomCase),
  },
  {
    name: 'truncation',
    make: (ctx, f, guard) =>
      fc.property(truncArb(f.all.length), (c) => guard(() => decodeCase(ctx, `${f.all[c.fixture]!.name} ${c.form} cut at ${c.at}`, buildTrunc(f.all, c)))),
    bytes: (f, v) => buildTrunc(f.all, v as TruncCase),
  },
  {
    name: 'mutation',
    make: (ctx, f, guard) =>
      // A flipped bit can turn a location into one without lines (an unsymbolized
      // frame) and so a sample into a frameless one: valid pprof, counted in the
      // totals and in no function, like the frameless cases below.
      fc.property(mutArb(f.small.length), (c) =>
        guard(() => decodeCase(ctx, `${f.small[c.fixture]!.name} ${c.target} mutated`, buildMut(f.small, c), { excuseFrameless: true })),
      ),
    bytes: (f, v) => buildMut(f.small, v as MutCase),
  },
  {
    name: 'structure',
    make: (ctx, f, guard) =>
      fc.property(structArb(f.small.length), (c) =>
        guard(() => decodeCase(ctx, `${c.base >= 0 ? f.small[c.base]!.name : c.base === -1 ? 'empty profile' : 'inuse-only profile'} + ${c.ops.map((o) => o.op).join(',') || 'no edits'}`, buildStruct(f.small, c), { excuseFrameless: true })),
      ),
    bytes: (f, v) => buildStruct(f.small, v as StructCase),
  },
  {
    name: 'frameless',
    make: (ctx, f, guard) =>
      // pprof semantics: a frameless sample counts in the total and in no
      // function (go tool pprof -top does the same), so flat sums to the total
      // minus the frameless stacks.
      fc.property(framelessArb(f.small.length), (c) =>
        guard(() => decodeCase(ctx, `${f.small[c.base]!.name} with a frameless sample (${c.how})`, buildFrameless(f.small, c), { excuseFrameless: true })),
      ),
    bytes: (f, v) => buildFrameless(f.small, v as FramelessCase),
  },
  {
    name: 'amplification',
    make: (ctx, _f, guard) =>
      fc.property(ampArb, (c) => guard(() => decodeCase(ctx, `one location with ${c.lines} lines listed ${c.repeats} times by one sample`, buildAmplification(c)))),
    // A 5000 x 5000 case first (a ~25 KB input), so a short CI budget always tries one.
    examples: [{ lines: 5000, repeats: 5000, gzip: true } satisfies AmpCase],
    bytes: (_f, v) => buildAmplification(v as AmpCase),
  },
  {
    name: 'diff',
    make: (ctx, f, guard) => fc.property(fc.tuple(diffInputArb(f.small.length), diffInputArb(f.small.length)), ([a, b]) => guard(() => diffCase(ctx, f.small, a, b, false))),
    bytes: (f, v) => diffBytes(f, v),
  },
  {
    name: 'diff-wellformed',
    make: (ctx, f, guard) => fc.property(fc.tuple(diffInputArb(f.small.length), diffInputArb(f.small.length)), ([a, b]) => guard(() => diffCase(ctx, f.small, a, b, true))),
    bytes: (f, v) => diffBytes(f, v),
  },
];

function diffBytes(f: { small: Fixture[] }, v: unknown): Uint8Array {
  const [a, b] = v as [DiffInput, DiffInput];
  const x = buildDiffInput(f.small, a);
  const y = buildDiffInput(f.small, b);
  return Buffer.concat([Buffer.from(`base ${x.length} bytes then profile ${y.length} bytes\n`), x, y]);
}

/** Mixes the run seed with the property's position so properties draw independent streams. */
function propertySeed(seed: number, k: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(k + 1, 0xc2b2ae35)) | 0;
}

/**
 * Runs the selected properties against `opts.decoder` until `opts.runs`
 * cases or `opts.timeBudgetMs` are spent. Returns the number of cases run
 * (calls of the code under test, shrink attempts included) and, per
 * property, fast-check's report when it failed. Never throws on a failing
 * property: the caller decides.
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((): void => {});
  const fixtures = loadFixtures();
  const dir = opts.artifactDir ?? mkdtempSync(join(tmpdir(), 'heapwatch-fuzz-'));
  const monitor = new Monitor(opts.hangMs ?? 60_000, dir);
  const selected = DEFS.filter((d) => !opts.properties || opts.properties.includes(d.name));
  const results: PropertyResult[] = [];
  try {
    let remainingWeight = selected.reduce((s, d) => s + WEIGHTS[d.name], 0);
    for (const [k, def] of selected.entries()) {
      const weight = WEIGHTS[def.name];
      const runs = Math.max(1, Math.round((opts.runs * weight) / selected.reduce((s, d) => s + WEIGHTS[d.name], 0)));
      const remainingMs = Math.max(0, opts.timeBudgetMs - (Date.now() - t0));
      const budgetMs = Math.max(1000, Math.floor((remainingMs * weight) / remainingWeight));
      remainingWeight -= weight;

      gc();
      const mem0 = process.memoryUsage();
      const ctx: Ctx = {
        decoder: opts.decoder,
        decoderName: opts.decoderName ?? (opts.decoder.name || 'decoder'),
        limits: opts.limits ?? { maxDecompressedBytes: 8 * MIB },
        maxCaseMs: opts.maxCaseMs ?? 2000,
        maxMem: opts.maxMemoryGrowthBytes ?? 512 * MIB,
        baseHeap: mem0.heapUsed,
        deadline: Date.now() + budgetMs,
        monitor,
      };
      monitor.resetFailed();
      const before = monitor.cases;
      // Past the deadline, once a failure is in hand, candidates pass without running: shrinking stops at the best so far.
      const guard = (fn: () => void): boolean => {
        if (monitor.hasFailed && Date.now() > ctx.deadline) return true;
        try {
          fn();
          return true;
        } catch (err) {
          monitor.markFailed();
          throw err;
        }
      };
      const start = Date.now();
      const seed = propertySeed(opts.seed, k);
      const details = fc.check(def.make(ctx, fixtures, guard), {
        numRuns: runs,
        seed,
        examples: (def.examples ?? []).map((e) => [e] as [unknown]),
        plugins: [fc.interruptAfterTimeLimit(budgetMs)],
      });
      gc();
      const mem1 = process.memoryUsage();
      const res: PropertyResult = {
        name: def.name,
        cases: monitor.cases - before,
        generated: details.numRuns,
        shrinks: details.numShrinks,
        ms: Date.now() - start,
        interrupted: details.interrupted,
        failed: details.failed,
      };
      if (details.failed) {
        res.report = `property ${def.name} (decoder ${ctx.decoderName}, run seed ${opts.seed}, property seed ${seed})\n${fc.defaultReportMessage(details) ?? ''}\nError: ${describeError(details.errorInstance)}`;
        if (details.counterexample) {
          try {
            const file = join(dir, `${def.name}-${opts.seed}.bin`);
            writeFileSync(file, def.bytes(fixtures, (details.counterexample as unknown[])[0]));
            res.artifact = file;
          } catch {
            // the report is enough
          }
        }
      } else {
        const heapGrowth = mem1.heapUsed - mem0.heapUsed;
        const rssGrowth = mem1.rss - mem0.rss;
        if (heapGrowth > ctx.maxMem || rssGrowth > ctx.maxMem) {
          res.failed = true;
          res.report = `property ${def.name} (decoder ${ctx.decoderName}, seed ${opts.seed}): memory grew over the run: heapUsed +${Math.round(heapGrowth / MIB)} MiB, rss +${Math.round(rssGrowth / MIB)} MiB (limit ${Math.round(ctx.maxMem / MIB)} MiB)`;
        }
      }
      log(`fuzz ${def.name}: ${res.cases} cases (${res.generated} generated, ${res.shrinks} shrinks) in ${res.ms} ms${res.interrupted ? ' [time budget]' : ''}${res.failed ? ' FAILED' : ''}`);
      results.push(res);
    }
  } finally {
    await monitor.stop();
  }
  return {
    cases: results.reduce((s, r) => s + r.cases, 0),
    seed: opts.seed,
    ms: Date.now() - t0,
    properties: results,
    failures: results.filter((r) => r.failed),
  };
}

/**
 * The decoders under test: decodeHeapProfile, and decodeHeapProfileFast when
 * src/pprof/fast-decode.ts exists (loaded by a computed path so this file
 * compiles without it).
 */
export async function loadDecoders(): Promise<{ name: string; decoder: Decoder }[]> {
  const { decodeHeapProfile } = await import('../../src/pprof/decode.js');
  const out: { name: string; decoder: Decoder }[] = [{ name: 'decodeHeapProfile', decoder: decodeHeapProfile }];
  const fastPath = new URL('../../src/pprof/fast-decode.js', import.meta.url).href;
  let mod: { decodeHeapProfileFast?: unknown } | undefined;
  try {
    mod = (await import(fastPath)) as { decodeHeapProfileFast?: unknown };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((err as Error).message).includes('fast-decode')) throw err;
  }
  if (mod && typeof mod.decodeHeapProfileFast === 'function') out.push({ name: 'decodeHeapProfileFast', decoder: mod.decodeHeapProfileFast as Decoder });
  return out;
}
