/**
 * Decode parity over the fixture corpus: for every committed Go heap profile
 * under test/fixtures (of a recorded series in test/fixtures/corpus, its first,
 * its last and every 4th from the third; below) and every sample type,
 * heapwatch's production decoder gives the same total and, per function, the
 * same flat and cum as Go's own pprof parser.
 *
 * The Go side is test/fixtures/go/pprofdump: github.com/google/pprof/profile
 * (the package `go tool pprof` vendors) with `go tool pprof -top` semantics,
 * one process for every file. heapwatch decodes in-process with
 * decodeHeapProfileFast and aggregates with functionValues, as `heapwatch top`
 * does. One `go tool pprof` run per file and sample type would take many
 * minutes; this takes seconds. The dumper itself is anchored to
 * `go tool pprof -top` on the profiles in test/fixtures/profiles.
 *
 * As in test/parity.test.ts, Go's names are folded through heapwatch's
 * dropTypeParameters (rows of generic instantiations summed), and functions
 * whose flat and cum are both zero are not listed (neither pprof nor
 * `heapwatch top` prints them).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULTS } from '../src/config/defaults.js';
import { parseBytes } from '../src/config/units.js';
import { functionValues } from '../src/pprof/aggregate.js';
import { decodeHeapProfileFast } from '../src/pprof/fast-decode.js';
import { HEAP_SAMPLE_INDEXES, type HeapProfile } from '../src/pprof/profile.js';
import { buildGoFixture } from './helpers/go-service.js';
import { FIXTURES, PROFILES } from './helpers/paths.js';
import { foldTypeParameters, pprofTopRows, type Values } from './helpers/pprof-top.js';

/** The limits `heapwatch top` decodes with (src/cli/main.ts). */
const DECODE_LIMITS = { maxDecompressedBytes: parseBytes(DEFAULTS.global.max_decompressed_bytes)! };

/** The profiles read must not shrink to a handful unnoticed (~3,100 of ~22,900). */
const MIN_CORPUS_FILES = 1000;

/** Differing functions shown per file and sample type, and files shown per failing test. */
const SHOW_FUNCTIONS = 5;
const SHOW_FILES = 10;

/** One line of pprofdump's output (see test/fixtures/go/pprofdump/main.go). */
interface GoDump {
  file: string;
  error?: string;
  sampleTypes: { type: string; unit: string }[];
  totals: number[];
  samples: number;
  /** flat[i] and cum[i] for sample type i, keyed by the name as the profile spells it. */
  functions: { name: string; flat: number[]; cum: number[] }[];
  dropFrames: string;
  unsymbolized: number;
  negativeValues: number;
}

/**
 * A recorded series' profiles come from one process and share its tables, so
 * an eighth of each series is read: its first, its last and every 8th from
 * the fifth. src/pprof/fast-decode.test.ts compares another eighth with the
 * reference decoder (every 8th from the first), and reading all ~22,000
 * corpus profiles took over a minute of CI's 15.
 */
function readForParity(f: string): boolean {
  const m = /^corpus\/[^/]+\/profiles\/(\d+)\.pb\.gz$/.exec(f);
  return m === null || Number(m[1]) % 8 === 4 || Number(m[1]) === 0;
}

const CORPUS_ALL = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.pb.gz'))
  // Goroutine profiles are not heap profiles: heapwatch's heap decoder refuses
  // them by design (HW_ERR_PROFILE_NOT_HEAP) until goroutine profiles land.
  .filter((f) => !f.startsWith('goroutine-corpus'))
  .sort();
/** Each corpus series' last profile, by its series directory. */
const LAST_OF_SERIES = new Map(CORPUS_ALL.filter((f) => f.startsWith('corpus/')).map((f) => [dirname(f), f]));
const CORPUS = CORPUS_ALL.filter((f) => readForParity(f) || LAST_OF_SERIES.get(dirname(f)) === f)
  .map((f) => join(FIXTURES, f))
  .sort();

let dumps: Map<string, GoDump> | undefined;

/** Builds pprofdump and runs it once over the whole corpus; later calls reuse the result. */
function goDumps(): Map<string, GoDump> {
  if (dumps) return dumps;
  const out = execFileSync(buildGoFixture('go/pprofdump'), [], {
    input: CORPUS.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const parsed = new Map<string, GoDump>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const d = JSON.parse(line) as GoDump;
    parsed.set(d.file, d);
  }
  dumps = parsed;
  return parsed;
}

/** Drops the rows pprof does not print: flat and cum both zero. */
function listed(values: Values): Values {
  return new Map([...values].filter(([, v]) => v.flat !== 0 || v.cum !== 0));
}

/** Go's rows for sample type i, unfolded. */
function goRows(go: GoDump, i: number): Values {
  return new Map(go.functions.map((f) => [f.name, { flat: f.flat[i]!, cum: f.cum[i]! }]));
}

function show(v: { flat: number; cum: number } | undefined): string {
  return v ? `flat=${v.flat} cum=${v.cum}` : 'absent';
}

/** What differs between Go's reading of one file and heapwatch's; empty when they agree. */
function compareFile(file: string, go: GoDump | undefined): { problems: string[]; sampleTypes: number; rows: number } {
  const problems: string[] = [];
  const result = { problems, sampleTypes: 0, rows: 0 };
  if (go === undefined) {
    problems.push('pprofdump printed no line for it');
    return result;
  }
  if (go.error !== undefined) {
    problems.push(`Go's parser rejected it: ${go.error}`);
    return result;
  }
  // Under these conditions pprofdump's rows are exactly go tool pprof's (see main.go); report them rather than compare around them.
  if (go.dropFrames !== '') problems.push(`has drop_frames ${JSON.stringify(go.dropFrames)}: go tool pprof prunes those frames, heapwatch keeps them`);
  if (go.unsymbolized !== 0) problems.push(`${go.unsymbolized} locations without a function: go tool pprof shows them as address nodes`);
  if (go.negativeValues !== 0) problems.push(`${go.negativeValues} negative values: go tool pprof totals absolute values`);
  // JSON numbers are exact only up to 2^53; past that both sides would round and equality would prove nothing.
  const inexact = [...go.totals, ...go.functions.flatMap((f) => [...f.flat, ...f.cum])].filter((v) => !Number.isSafeInteger(v));
  if (inexact.length > 0) problems.push(`values past 2^53 cannot be compared exactly: ${inexact.slice(0, 3).join(', ')}`);

  let profile: HeapProfile;
  try {
    profile = decodeHeapProfileFast(readFileSync(file), DECODE_LIMITS);
  } catch (err) {
    problems.push(`heapwatch failed to decode it: ${err instanceof Error ? err.message : String(err)}`);
    return result;
  }
  const hwTypes = profile.sampleTypes.map((t) => ({ type: t.type, unit: t.unit }));
  if (JSON.stringify(hwTypes) !== JSON.stringify(go.sampleTypes)) {
    problems.push(`sample types: Go ${JSON.stringify(go.sampleTypes)}, heapwatch ${JSON.stringify(hwTypes)}`);
  }
  for (const t of HEAP_SAMPLE_INDEXES) {
    if (!go.sampleTypes.some((s) => s.type === t)) problems.push(`no ${t} sample type: not a Go heap profile`);
  }

  go.sampleTypes.forEach(({ type }, i) => {
    // As `heapwatch top` does: the sample type is picked by name.
    const index = profile.sampleTypes.findIndex((t) => t.type === type);
    if (index < 0) return; // reported above with the sample types
    result.sampleTypes++;
    if (profile.totals[index] !== go.totals[i]) problems.push(`${type} total: Go ${go.totals[i]}, heapwatch ${profile.totals[index]}`);
    const expected = listed(foldTypeParameters(goRows(go, i)));
    const values = functionValues(profile, index);
    const actual = listed(new Map(values.map((f) => [f.name, { flat: f.flat, cum: f.cum }])));
    if (new Set(values.map((f) => f.name)).size !== values.length) problems.push(`${type}: heapwatch lists a function twice`);
    result.rows += expected.size;
    const differing = [...new Set([...expected.keys(), ...actual.keys()])]
      .filter((name) => expected.get(name)?.flat !== actual.get(name)?.flat || expected.get(name)?.cum !== actual.get(name)?.cum)
      .sort();
    if (differing.length === 0) return;
    problems.push(`${type}: ${differing.length} functions differ (Go ${expected.size} listed, heapwatch ${actual.size})`);
    for (const name of differing.slice(0, SHOW_FUNCTIONS)) {
      problems.push(`  ${name}: Go ${show(expected.get(name))}, heapwatch ${show(actual.get(name))}`);
    }
  });
  return result;
}

describe("decode parity with Go's pprof parser over the fixture profiles", () => {
  const byDirectory = new Map<string, string[]>();
  for (const file of CORPUS) {
    const dir = relative(FIXTURES, dirname(file));
    byDirectory.set(dir, [...(byDirectory.get(dir) ?? []), file]);
  }

  it(`the corpus has at least ${MIN_CORPUS_FILES} profiles and Go's parser read every one`, (t) => {
    assert.ok(CORPUS.length >= MIN_CORPUS_FILES, `only ${CORPUS.length} *.pb.gz files under ${FIXTURES}`);
    const go = goDumps();
    assert.deepEqual([...go.keys()].sort(), CORPUS);
    const sampleTypes = [...go.values()].reduce((n, d) => n + d.sampleTypes.length, 0);
    t.diagnostic(`${CORPUS.length} profiles in ${byDirectory.size} directories, ${sampleTypes} (profile, sample type) pairs`);
  });

  for (const [dir, files] of byDirectory) {
    it(`${dir} (${files.length} profiles)`, (t) => {
      const go = goDumps();
      const failures: string[] = [];
      let sampleTypes = 0;
      let rows = 0;
      for (const file of files) {
        const r = compareFile(file, go.get(file));
        sampleTypes += r.sampleTypes;
        rows += r.rows;
        if (r.problems.length > 0) failures.push(`${relative(FIXTURES, file)}:\n  ${r.problems.join('\n  ')}`);
      }
      t.diagnostic(`${files.length} profiles, ${sampleTypes} sample types, ${rows} function rows compared`);
      assert.ok(
        failures.length === 0,
        `${failures.length} of ${files.length} profiles differ between Go's pprof parser and heapwatch:\n${failures.slice(0, SHOW_FILES).join('\n')}` +
          (failures.length > SHOW_FILES ? `\n... and ${failures.length - SHOW_FILES} more` : ''),
      );
    });
  }
});

describe('pprofdump reads profiles as go tool pprof -top does', () => {
  const files = readdirSync(PROFILES).filter((f) => f.endsWith('.pb.gz')).sort();

  it('has the anchor profiles (inlined, recursive, generic, -trimpath with a local module, large)', () => {
    for (const f of ['parity-trimpath.pb.gz', 'parity-notrimpath.pb.gz', 'grower.pb.gz', 'large.pb.gz']) assert.ok(files.includes(f), f);
  });

  for (const file of files) {
    for (const sampleIndex of HEAP_SAMPLE_INDEXES) {
      it(`${file} ${sampleIndex}`, () => {
        const go = goDumps().get(join(PROFILES, file));
        assert.ok(go, `pprofdump printed no line for ${file}`);
        assert.equal(go.error, undefined);
        const i = go.sampleTypes.findIndex((t) => t.type === sampleIndex);
        assert.ok(i >= 0, `${file} has no ${sampleIndex}`);
        const expected = pprofTopRows(join(PROFILES, file), sampleIndex);
        assert.equal(go.totals[i], expected.total);
        // Unfolded: one row per generic instantiation, as pprof prints them.
        assert.deepEqual(listed(goRows(go, i)), expected.functions);
      });
    }
  }
});
