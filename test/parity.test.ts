/**
 * Decode parity: for every committed real Go profile and every sample type,
 * `heapwatch top --json` gives exactly the flat and cum values that
 * `go tool pprof -top` prints, for every function.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dropTypeParameters } from '../src/pprof/names.js';
import { HEAP_SAMPLE_INDEXES } from '../src/pprof/profile.js';
import type { TopReport } from '../src/cli/top.js';
import { requireGo } from './helpers/binaries.js';
import { CLI, PROFILES } from './helpers/paths.js';

type Values = Map<string, { flat: number; cum: number }>;

/** Every function with exact integers: -unit=B prints counts and bytes unscaled. */
export function pprofTop(file: string, sampleIndex: string): { total: number; functions: Values } {
  const out = execFileSync(
    requireGo(),
    ['tool', 'pprof', '-top', `-sample_index=${sampleIndex}`, '-nodecount=1000000', '-nodefraction=0', '-edgefraction=0', '-unit=B', file],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const total = Number(/of (-?\d+)B total/.exec(out)?.[1]);
  const functions: Values = new Map();
  for (const line of out.split('\n')) {
    const m = /^\s*(-?\d+)B?\s+\S+\s+\S+\s+(-?\d+)B?\s+\S+\s+(.+?)(?: \(inline\))?$/.exec(line);
    if (!m) continue;
    // pprof keeps Go's `[...]`; heapwatch keys on names without type parameters.
    // Go 1.26 prints each instantiation's GC shape (`F[go.shape.int]`), so
    // pprof shows one row per instantiation where heapwatch shows their sum.
    const name = dropTypeParameters(m[3]!);
    const prev = functions.get(name) ?? { flat: 0, cum: 0 };
    functions.set(name, { flat: prev.flat + Number(m[1]), cum: prev.cum + Number(m[2]) });
  }
  assert.ok(functions.size > 0, `no functions parsed from pprof output:\n${out.slice(0, 500)}`);
  return { total, functions };
}

function heapwatchTop(file: string, sampleIndex: string): TopReport {
  return JSON.parse(execFileSync(process.execPath, [CLI, 'top', '--json', '--sample-index', sampleIndex, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as TopReport;
}

describe('decode parity with go tool pprof -top', () => {
  const files = readdirSync(PROFILES).filter((f) => f.endsWith('.pb.gz'));

  it('has the fixture profiles (inlined, recursive, generic, -trimpath with a local module, large)', () => {
    for (const f of ['parity-trimpath.pb.gz', 'parity-notrimpath.pb.gz', 'grower.pb.gz', 'large.pb.gz']) assert.ok(files.includes(f), f);
  });

  for (const file of files) {
    for (const sampleIndex of HEAP_SAMPLE_INDEXES) {
      it(`${file} ${sampleIndex}`, () => {
        const expected = pprofTop(PROFILES + file, sampleIndex);
        const actual = heapwatchTop(PROFILES + file, sampleIndex);
        assert.equal(actual.sample_index, sampleIndex);
        assert.equal(actual.total, expected.total);
        const got: Values = new Map(actual.functions.map((f) => [f.name, { flat: f.flat, cum: f.cum }]));
        assert.deepEqual(got, expected.functions);
      });
    }
  }

  it('the parity profile really has inlined frames, recursion and generics', () => {
    const raw = execFileSync(requireGo(), ['tool', 'pprof', '-raw', `${PROFILES}parity-trimpath.pb.gz`], { encoding: 'utf8' });
    // An inlined call shows as several functions on one location line in -raw output.
    assert.match(raw, /^\s+\d+: 0x[0-9a-f]+ M=\d+ main\.\S+ \S+ s=\d+\n\s+main\.\S+ \S+ s=\d+$/m, 'a location with an inlined main function');
    assert.match(raw, /\[go\.shape\./, 'a generic function');
    // Recursion: one function at several call sites of the same stacks.
    const recursiveLocations = raw.split('\n').filter((l) => /^\s+\d+: 0x[0-9a-f]+ M=\d+ main\.recurse /.test(l));
    assert.ok(recursiveLocations.length >= 2, 'main.recurse calls itself');
  });
});
