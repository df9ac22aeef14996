/**
 * Flat and cumulative values per function, with `go tool pprof` semantics:
 * flat goes to the leaf frame; cum goes once to every distinct function on the
 * stack, so recursion (a function on its own stack twice) is counted once.
 */
import type { HeapProfile } from './profile.js';

/** A function's flat and cumulative value, as `go tool pprof -top` prints them. */
export interface FunctionValue {
  name: string;
  flat: number;
  cum: number;
}

/** Flat and cum for every function that appears on a stack, for one sample type. */
export function functionValues(profile: HeapProfile, sampleIndex: number): FunctionValue[] {
  const flat = new Float64Array(profile.functions.length);
  const cum = new Float64Array(profile.functions.length);
  const seen = new Int32Array(profile.functions.length).fill(-1);
  const present = new Uint8Array(profile.functions.length);
  const { offsets, frames, values } = profile.stacks;
  const width = profile.sampleTypes.length;
  for (let si = 0; si < offsets.length - 1; si++) {
    const v = values[si * width + sampleIndex] ?? 0;
    const from = offsets[si]!;
    const to = offsets[si + 1]!;
    if (to > from) flat[frames[from]!]! += v;
    for (let k = from; k < to; k++) {
      const f = frames[k]!;
      present[f] = 1;
      if (seen[f] === si) continue; // recursion: once per stack
      seen[f] = si;
      cum[f]! += v;
    }
  }
  const out: FunctionValue[] = [];
  for (let i = 0; i < profile.functions.length; i++) {
    if (present[i]) out.push({ name: profile.functions[i]!.name, flat: flat[i]!, cum: cum[i]! });
  }
  return out;
}

/** Orders like `go tool pprof -top`: by flat (or cum) descending, then by name. */
export function sortFunctionValues(values: FunctionValue[], by: 'flat' | 'cum'): FunctionValue[] {
  return values.sort((a, b) => b[by] - a[by] || (by === 'flat' ? b.cum - a.cum : b.flat - a.flat) || a.name.localeCompare(b.name));
}
