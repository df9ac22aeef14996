/**
 * Reads the daemon's `--cpu-prof` output (one .cpuprofile per thread) into
 * self time per function and per module, for bench/fleet.bench.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** A function or module and its self time. */
export interface CpuEntry {
  name: string;
  selfMs: number;
  share: number;
}

/** The busiest functions and modules of each profiled thread, busiest thread first. */
export interface CpuProfileSummary {
  threads: { file: string; totalMs: number; top: CpuEntry[]; byModule: CpuEntry[] }[];
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const src = /\/dist\/(src\/.+?)\.js$/.exec(url);
  if (src) return `heapwatch ${src[1]}`;
  if (url.startsWith('node:')) return url;
  return basename(url);
}

function shortLocation(url: string, line: number): string {
  if (!url) return '';
  const nm = /node_modules\/(.+)$/.exec(url);
  const src = /\/dist\/(.+)$/.exec(url);
  return ` ${nm?.[1] ?? src?.[1] ?? url}:${line + 1}`;
}

/** Self time per function and per module of each .cpuprofile in `dir` (one per thread). */
export function analyzeCpuProfiles(dir: string, top = 20): CpuProfileSummary | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return undefined;
  const threads = files.map((file) => {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: CpuProfileNode[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const byFn = new Map<string, number>();
    const byModule = new Map<string, number>();
    let total = 0;
    p.samples.forEach((id, i) => {
      const n = byId.get(id);
      const dt = (p.timeDeltas[i] ?? 0) / 1000;
      if (!n || n.callFrame.functionName === '(idle)') return;
      total += dt;
      const { functionName, url, lineNumber } = n.callFrame;
      const fn = `${functionName || '(anonymous)'}${shortLocation(url, lineNumber)}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + dt);
      const mod = moduleOf(url, functionName);
      byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
    });
    const rank = (m: Map<string, number>): CpuEntry[] =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / total }));
    return { file, totalMs: total, top: rank(byFn), byModule: rank(byModule) };
  });
  threads.sort((a, b) => b.totalMs - a.totalMs);
  return { threads };
}
