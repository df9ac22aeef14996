/**
 * `heapwatch diff BASE PROFILE`: what grew between two heap profiles, by
 * function and by stack, and optionally a diff profile for `go tool pprof`.
 */
import type { DecodeLimits } from '../pprof/inflate.js';
import { decodeHeapProfileFast } from '../pprof/fast-decode.js';
import { forEachInuseStack, sampleTotal, type HeapProfile } from '../pprof/profile.js';
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
  total: { base: number; now: number; delta: number };
  functions: Growth[];
  stacks: (Growth & { frames: string[] })[];
}

export function diffReport(baseFile: string, profileFile: string, limits: DecodeLimits): DiffReport {
  const base = decodeHeapProfileFast(readProfileFile(baseFile), limits);
  const now = decodeHeapProfileFast(readProfileFile(profileFile), limits);
  const fnBase = flatByName(base);
  const fnNow = flatByName(now);
  const stBase = byStack(base);
  const stNow = byStack(now);
  const growth = <T>(a: Map<string, T & { v: number }>, b: Map<string, T & { v: number }>): (Growth & T)[] =>
    [...new Set([...a.keys(), ...b.keys()])]
      .map((name) => {
        const x = a.get(name);
        const y = b.get(name);
        return { ...(y ?? x)!, name, base: x?.v ?? 0, now: y?.v ?? 0, delta: (y?.v ?? 0) - (x?.v ?? 0) };
      })
      .filter((g) => g.delta !== 0)
      .sort((p, q) => q.delta - p.delta);
  const total = (p: HeapProfile): number => sampleTotal(p, 'inuse_space');
  return {
    total: { base: total(base), now: total(now), delta: total(now) - total(base) },
    functions: growth(fnBase, fnNow).map(({ name, base: b, now: n, delta }) => ({ name, base: b, now: n, delta })),
    stacks: growth(stBase, stNow).map(({ name, base: b, now: n, delta, frames }) => ({ name, base: b, now: n, delta, frames })),
  };
}

function flatByName(p: HeapProfile): Map<string, { v: number }> {
  const out = new Map<string, { v: number }>();
  forEachInuseStack(p, (frames, bytes) => {
    const leaf = frames[0];
    if (leaf === undefined) return;
    const name = p.functions[leaf]!.name;
    const e = out.get(name) ?? { v: 0 };
    e.v += bytes;
    out.set(name, e);
  });
  return out;
}

function byStack(p: HeapProfile): Map<string, { v: number; frames: string[] }> {
  const out = new Map<string, { v: number; frames: string[] }>();
  forEachInuseStack(p, (stack, bytes) => {
    const frames = Array.from(stack, (f) => p.functions[f]!.name);
    const key = frames.join(' <- ');
    const e = out.get(key) ?? { v: 0, frames };
    e.v += bytes;
    out.set(key, e);
  });
  return out;
}

export function renderDiff(r: DiffReport, limit: number): string {
  const lines = [`inuse_space ${formatBytes(r.total.base)} -> ${formatBytes(r.total.now)} (${sign(r.total.delta)})`, '', 'Top growing functions (flat inuse_space):'];
  for (const f of r.functions.filter((g) => g.delta > 0).slice(0, limit)) {
    lines.push(`  ${sign(f.delta).padStart(12)}  ${formatBytes(f.base).padStart(10)} -> ${formatBytes(f.now).padEnd(10)}  ${f.name}`);
  }
  lines.push('', 'Top growing stacks:');
  for (const s of r.stacks.filter((g) => g.delta > 0).slice(0, Math.min(limit, 5))) {
    lines.push(`  ${sign(s.delta)}`);
    for (const frame of s.frames.slice(0, 10)) lines.push(`      ${frame}`);
    if (s.frames.length > 10) lines.push(`      ... ${s.frames.length - 10} more`);
  }
  return lines.join('\n');
}

function sign(n: number): string {
  return `${n >= 0 ? '+' : '-'}${formatBytes(Math.abs(n))}`;
}
