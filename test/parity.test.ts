/**
 * Decode parity: for every committed real Go profile and every sample type,
 * `heapwatch top --json` gives exactly the flat and cum values that
 * `go tool pprof -top` prints, for every function.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HEAP_SAMPLE_INDEXES } from '../src/pprof/profile.js';
import type { TopReport } from '../src/cli/top.js';
import { requireGo } from './helpers/binaries.js';
import { pprofTop, type Values } from './helpers/pprof-top.js';
import { CLI, PROFILES } from './helpers/paths.js';

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
