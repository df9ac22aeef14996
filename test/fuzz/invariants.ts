/**
 * The contracts the fuzzer checks: the documented shape of a decoded
 * HeapProfile, and a pprof profile other tools accept (for diffProfiles'
 * output). A broken contract throws InvariantError, which the runner tells
 * apart from the code under test throwing.
 */
import type { Profile } from 'pprof-format';
import { functionValues } from '../../src/pprof/aggregate.js';
import type { HeapProfile } from '../../src/pprof/profile.js';
import { unpackStacks } from '../helpers/stacks.js';
import type { Num } from './struct-cases.js';

export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function invariant(cond: boolean, msg: string): asserts cond {
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
