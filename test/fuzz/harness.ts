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
 * The cases live beside this file (byte-cases, struct-cases, diff-case), the
 * contracts in invariants.ts, and one case's run and watchdog in case.ts.
 *
 * A watchdog worker kills the process (after printing the case and writing
 * its bytes to a file) if one synchronous call hangs past `hangMs`, since a
 * hang cannot be interrupted from the thread that runs it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { DecodeLimits } from '../../src/pprof/inflate.js';
import { buildMut, buildRandom, buildTrunc, mutArb, randomArb, truncArb, type MutCase, type RandomCase, type TruncCase } from './byte-cases.js';
import { decodeCase, describeError, gc, MIB, Monitor, type Ctx, type Decoder } from './case.js';
import { buildDiffInput, diffCase, diffInputArb, type DiffInput } from './diff-case.js';
import { loadFixtures, type Fixture } from './fixtures.js';
import {
  ampArb,
  buildAmplification,
  buildFrameless,
  buildStruct,
  framelessArb,
  structArb,
  type AmpCase,
  type FramelessCase,
  type StructCase,
} from './struct-cases.js';

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
