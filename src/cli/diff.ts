/**
 * `heapwatch diff BASE PROFILE`: what grew between two heap profiles (inuse
 * bytes) or two goroutine profiles (goroutine counts), by function and by
 * stack, and optionally a diff profile for `go tool pprof`.
 */
import type { DecodeLimits } from '../pprof/inflate.js';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import type { ProfileKind } from '../pprof/kind.js';
import { goroutineFacts } from '../detect/goroutine-frames.js';
import { refuseDeltaProfile } from '../pprof/delta-profile.js';
import { HeapwatchError, withErrorContext } from '../errors.js';
import { stackCount, stackFrames, stackValue, type HeapProfile } from '../pprof/profile.js';
import { formatBytes } from './format.js';
import { readProfileFile } from './top.js';

/** One function or stack: its inuse_space in the base and the later profile. */
export interface Growth {
  name: string;
  base: number;
  now: number;
  delta: number;
}

/** `heapwatch diff`: what grew between two profiles, total, per function (flat) and per stack, biggest growth first. */
export interface DiffReport {
  kind: ProfileKind;
  /** The sample type compared: inuse_space, goroutine or goroutineleak. */
  sample_type: string;
  total: { base: number; now: number; delta: number };
  functions: Growth[];
  stacks: (Growth & { frames: string[] })[];
}

export function diffReport(baseFile: string, profileFile: string, limits: DecodeLimits): DiffReport {
  const b = decodeLiveProfile(baseFile, limits);
  const n = decodeLiveProfile(profileFile, limits);
  if (b.kind !== n.kind) throw new HeapwatchError('HW_ERR_BAD_REQUEST', `cannot diff a ${n.kind} profile (${profileFile}) against a ${b.kind} profile (${baseFile})`);
  const type = DIFF_SAMPLE_TYPE[n.kind];
  const [base, now] = [b.profile, n.profile];
  const fnBase = flatByName(base, type, n.kind);
  const fnNow = flatByName(now, type, n.kind);
  const stBase = byStack(base, type);
  const stNow = byStack(now, type);
  const growth = <T>(a: Map<string, T & { v: number }>, b: Map<string, T & { v: number }>): (Growth & T)[] =>
    [...new Set([...a.keys(), ...b.keys()])]
      .map((name) => {
        const x = a.get(name);
        const y = b.get(name);
        return { ...(y ?? x)!, name, base: x?.v ?? 0, now: y?.v ?? 0, delta: (y?.v ?? 0) - (x?.v ?? 0) };
      })
      .filter((g) => g.delta !== 0)
      .sort((p, q) => q.delta - p.delta);
  const total = (p: HeapProfile): number => p.totals[p.sampleTypes.findIndex((t) => t.type === type)] ?? 0;
  return {
    kind: n.kind,
    sample_type: type,
    total: { base: total(base), now: total(now), delta: total(now) - total(base) },
    functions: growth(fnBase, fnNow).map(({ name, base: b, now: n, delta }) => ({ name, base: b, now: n, delta })),
    stacks: growth(stBase, stNow).map(({ name, base: b, now: n, delta, frames }) => ({ name, base: b, now: n, delta, frames })),
  };
}

/**
 * A profile as it was when taken, any error naming its file. A delta
 * (`?seconds=N`) already is a difference of two profiles: a diff of two of
 * them compares two spans' changes, not two heaps, so it is refused.
 */
function decodeLiveProfile(file: string, limits: DecodeLimits): ReturnType<typeof decodeProfileFast> {
  return withErrorContext(file, () => {
    const decoded = decodeProfileFast(readProfileFile(file), limits);
    refuseDeltaProfile(decoded.profile);
    return decoded;
  });
}

/** What a diff compares per kind: inuse bytes, or goroutines. */
export const DIFF_SAMPLE_TYPE: Record<ProfileKind, string> = { heap: 'inuse_space', goroutine: 'goroutine', goroutineleak: 'goroutineleak' };

/**
 * Heap: flat per leaf (allocation site). Goroutines: per function they wait
 * in (goroutine-frames.ts), since every parked goroutine's leaf is runtime.gopark.
 */
function flatByName(p: HeapProfile, type: string, kind: ProfileKind): Map<string, { v: number }> {
  const out = new Map<string, { v: number }>();
  forEachStack(p, type, (frames, v) => {
    const name = kind === 'heap' ? p.functions[frames[0]!]!.name : goroutineFacts(Array.from(frames, (f) => p.functions[f]!.name)).function;
    const e = out.get(name) ?? { v: 0 };
    e.v += v;
    out.set(name, e);
  });
  return out;
}

function byStack(p: HeapProfile, type: string): Map<string, { v: number; frames: string[] }> {
  const out = new Map<string, { v: number; frames: string[] }>();
  forEachStack(p, type, (stack, v) => {
    const frames = Array.from(stack, (f) => p.functions[f]!.name);
    const key = frames.join(' <- ');
    const e = out.get(key) ?? { v: 0, frames };
    e.v += v;
    out.set(key, e);
  });
  return out;
}

/** Every stack with frames and a non-zero value of `type` (inuse_space, goroutine, goroutineleak). */
function forEachStack(p: HeapProfile, type: string, visit: (frames: Uint32Array, value: number) => void): void {
  const column = p.sampleTypes.findIndex((t) => t.type === type);
  for (let si = 0; si < stackCount(p); si++) {
    const frames = stackFrames(p, si);
    const v = stackValue(p, si, column);
    if (frames.length > 0 && v !== 0) visit(frames, v);
  }
}

export function renderDiff(r: DiffReport, limit: number): string {
  const fmt = r.kind === 'heap' ? formatBytes : String;
  const sign = (n: number): string => `${n >= 0 ? '+' : '-'}${fmt(Math.abs(n))}`;
  const what = r.kind === 'heap' ? 'flat inuse_space' : 'goroutines by the function they wait in';
  const lines = [`${r.sample_type} ${fmt(r.total.base)} -> ${fmt(r.total.now)} (${sign(r.total.delta)})`, '', `Top growing functions (${what}):`];
  for (const f of r.functions.filter((g) => g.delta > 0).slice(0, limit)) {
    lines.push(`  ${sign(f.delta).padStart(12)}  ${fmt(f.base).padStart(10)} -> ${fmt(f.now).padEnd(10)}  ${f.name}`);
  }
  lines.push('', 'Top growing stacks:');
  for (const s of r.stacks.filter((g) => g.delta > 0).slice(0, Math.min(limit, 5))) {
    lines.push(`  ${sign(s.delta)}`);
    for (const frame of s.frames.slice(0, 10)) lines.push(`      ${frame}`);
    if (s.frames.length > 10) lines.push(`      ... ${s.frames.length - 10} more`);
  }
  return lines.join('\n');
}
