/**
 * `heapwatch analyze`: the daemon's detectors on profiles a user already has.
 * Files (or folders, recursively) of one target's heap profiles are ordered
 * by their own time_nanos and replayed through the same engine, with the
 * same defaults.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHeapProfileFast } from '../pprof/fast-decode.js';
import type { HeapProfile } from '../pprof/profile.js';
import { Replayer, type ReplayResult } from '../detect/replay.js';
import type { DetectParams } from '../detect/params.js';
import type { Finding } from '../detect/findings.js';
import { HeapwatchError } from '../errors.js';
import { formatBytes } from './format.js';

const PROFILE_FILE = /\.pb(?:\.gz)?$/;

/** Every profile file under the given paths, recursively. */
export function collectProfileFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new HeapwatchError('HW_ERR_BAD_REQUEST', `${p}: no such file or directory`);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else if (PROFILE_FILE.test(p) || paths.includes(p)) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

export interface AnalyzeProgress {
  (done: number, total: number): void;
}

export function analyzeFiles(files: readonly string[], params: DetectParams, progress?: AnalyzeProgress): ReplayResult {
  const decoded: { file: string; profile: HeapProfile; order: number }[] = [];
  files.forEach((file, order) => {
    try {
      decoded.push({ file, profile: decodeHeapProfileFast(readFileSync(file), { maxDecompressedBytes: 512 * 1024 * 1024 }), order });
    } catch (err) {
      if (err instanceof HeapwatchError) throw new HeapwatchError(err.code, `${file}: ${err.message}`, { cause: err });
      throw err;
    }
    progress?.(decoded.length, files.length * 2);
  });
  // time_nanos orders the series; file order breaks ties (and orders profiles without a time).
  decoded.sort((a, b) => a.profile.timeMs - b.profile.timeMs || a.order - b.order);
  const replayer = new Replayer(params);
  decoded.forEach((d, i) => {
    replayer.add(d.profile, i * 60_000);
    progress?.(files.length + i + 1, files.length * 2);
  });
  return replayer.finish();
}

/** The JSON form: `{ "findings": [...] }` with the documented field names. */
export function findingsJson(result: ReplayResult): { findings: Record<string, unknown>[] } {
  return {
    findings: bySeverity(result.findings).map((f) => ({
      class: f.class,
      severity: f.severity,
      function: f.function,
      stack: f.stack,
      growth_bytes: f.growth_bytes,
      bytes_per_hour: f.bytes_per_hour,
      detected_at: new Date(f.detected_at).toISOString(),
      evidence: f.evidence,
      summary: f.summary,
      remediation: f.remediation,
      doc_url: f.doc_url,
      state: f.state,
      resolved_at: f.resolved_at === null ? null : new Date(f.resolved_at).toISOString(),
    })),
  };
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** Critical first, then warnings, then info; faster growth first within each. */
function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.bytes_per_hour - a.bytes_per_hour);
}

export function renderReport(result: ReplayResult): string {
  const lines = [`Analyzed ${result.profiles} profiles (${result.epochs} process epoch(s), ${result.staleProfiles} without a GC since the previous one).`];
  const findings = bySeverity(result.findings);
  if (findings.length === 0) {
    lines.push('', 'No leak found: no allocation site grew in a sustained way.');
    return lines.join('\n');
  }
  for (const f of findings) lines.push('', ...renderFinding(f));
  return lines.join('\n');
}

function renderFinding(f: Finding): string[] {
  const out = [`[${f.severity.toUpperCase()}] ${f.class}: ${f.summary}`];
  out.push(`  function:    ${f.function}`);
  if (f.severity !== 'info') out.push(`  growth:      ${formatBytes(f.growth_bytes)} over ${f.evidence.windowMinutes ?? '?'} min (${formatBytes(f.bytes_per_hour)}/h)`);
  out.push(`  detected at: ${new Date(f.detected_at).toISOString()}${f.state === 'resolved' ? ` (resolved: ${f.resolved_reason})` : ''}`);
  const versions = Object.entries(f.evidence.versions).map(([m, v]) => `${m}@${v}`);
  if (versions.length) out.push(`  versions:    ${versions.join(', ')}`);
  if (f.evidence.meanObjectBytes !== undefined) out.push(`  mean object: ${formatBytes(f.evidence.meanObjectBytes)}`);
  if (f.stack.length) {
    out.push('  stack:');
    for (const frame of f.stack.slice(0, 12)) out.push(`    ${frame}`);
    if (f.stack.length > 12) out.push(`    ... ${f.stack.length - 12} more`);
  }
  out.push(`  fix:         ${f.remediation}`);
  out.push(`  guide:       ${f.doc_url}`);
  return out;
}
