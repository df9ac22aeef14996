/**
 * `go tool pprof -top` as data: every function with exact integers, for the
 * decode-parity tests (test/parity.test.ts, test/pprof-corpus.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dropTypeParameters } from '../../src/pprof/names.js';
import { requireGo } from './binaries.js';

export type Values = Map<string, { flat: number; cum: number }>;

let pprofBinary: string | undefined;

/**
 * The binary `go tool pprof` runs (`go tool -n` prints its path, building it
 * into the Go cache first if needed). Running it directly saves the go
 * command's start-up, about 0.3 s per call, which is most of a small profile's time.
 */
function pprof(): string {
  pprofBinary ??= execFileSync(requireGo(), ['tool', '-n', 'pprof'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return pprofBinary;
}

/**
 * Every row of `go tool pprof -top` for one sample type, keyed by the name
 * pprof prints (generic instantiations such as `F[go.shape.int]` are rows of
 * their own; the `(inline)` marker is dropped). -unit=B prints counts and
 * bytes unscaled; the node and edge fractions of 0 keep every function.
 */
export function pprofTopRows(file: string, sampleIndex: string): { total: number; functions: Values } {
  const out = execFileSync(
    pprof(),
    ['-top', `-sample_index=${sampleIndex}`, '-nodecount=1000000', '-nodefraction=0', '-edgefraction=0', '-unit=B', file],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const total = Number(/of (-?\d+)B total/.exec(out)?.[1]);
  const functions: Values = new Map();
  for (const line of out.split('\n')) {
    const m = /^\s*(-?\d+)B?\s+\S+\s+\S+\s+(-?\d+)B?\s+\S+\s+(.+?)(?: \((?:partial-)?inline\))?$/.exec(line);
    if (!m) continue;
    // -top has one node per function name, so a name is never printed twice.
    assert.ok(!functions.has(m[3]!), `${file}: pprof printed ${m[3]} twice`);
    functions.set(m[3]!, { flat: Number(m[1]), cum: Number(m[2]) });
  }
  assert.ok(functions.size > 0, `no functions parsed from pprof output:\n${out.slice(0, 500)}`);
  return { total, functions };
}

/**
 * `go tool pprof -top` keyed the way heapwatch keys functions: pprof keeps
 * Go's `[...]` and Go 1.26 prints each instantiation's GC shape
 * (`F[go.shape.int]`), so pprof shows one row per instantiation where
 * heapwatch shows their sum.
 */
export function pprofTop(file: string, sampleIndex: string): { total: number; functions: Values } {
  const { total, functions } = pprofTopRows(file, sampleIndex);
  return { total, functions: foldTypeParameters(functions) };
}

/** Folds names through heapwatch's dropTypeParameters, summing the rows that fold together. */
export function foldTypeParameters(rows: Iterable<[string, { flat: number; cum: number }]>): Values {
  const folded: Values = new Map();
  for (const [name, { flat, cum }] of rows) {
    const key = dropTypeParameters(name);
    const prev = folded.get(key);
    folded.set(key, prev ? { flat: prev.flat + flat, cum: prev.cum + cum } : { flat, cum });
  }
  return folded;
}
