/**
 * `heapwatch analyze`: the daemon's detectors on profiles a user already has.
 * Files (or folders, recursively) of one target's heap, goroutine or
 * goroutineleak profiles (told apart by their sample types) are ordered by
 * their own time_nanos and replayed through the same engines, with the same
 * defaults; each kind is judged on its own.
 */
import { readFileSync } from 'node:fs';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import { refuseDeltaProfile } from '../pprof/delta-profile.js';
import type { ProfileKind } from '../pprof/kind.js';
import type { HeapProfile } from '../pprof/profile.js';
import { Replayer, type ReplayResult } from '../detect/replay.js';
import { GoroutineReplayer } from '../detect/goroutine-replay.js';
import type { GoroutineEvidence } from '../detect/goroutine.js';
import { MOSTLY_STALE, staleNote } from '../detect/stale.js';
import type { DetectParams } from '../detect/params.js';
import type { Finding } from '../detect/findings.js';
import { withErrorContext } from '../errors.js';
import { formatBytes, formatDuration } from './format.js';

/** How far apart profiles without a time_nanos are replayed, unless told (`--interval`). */
export const UNTIMED_SPACING_MS = 60_000;

/** Called as files are decoded, then replayed (`total` counts both passes), so the CLI can draw a progress bar. */
export interface AnalyzeProgress {
  (done: number, total: number): void;
}

/** One target's series among the inputs, judged on its own. */
export interface TargetResult extends ReplayResult {
  kind: ProfileKind;
  /** How this target differs from the others ("build id 3f2a..., sample rate 524288"). */
  label: string;
  files: number;
  /** Set when the series is too short to judge: never read as "no leak". */
  notEnoughHistory?: string;
  /** Set when most profiles were stale (no GC between them). */
  staleNote?: string;
}

/** What `heapwatch analyze` found: the replay of all inputs, and per target when they mix targets. */
export interface AnalyzeResult extends ReplayResult {
  targets: TargetResult[];
  /** Set when the inputs mix targets. */
  mixWarning?: string;
  /** Set when the inputs hold several profile kinds (judged separately, not a warning). */
  kindsNote?: string;
  /** Set when profiles carry no time_nanos (Go always writes it; other tools may not): placed by file order. */
  untimedNote?: string;
}

/** One input file, decoded: `order` is its place among the inputs, which breaks ties of time. */
export interface DecodedProfileFile {
  file: string;
  kind: ProfileKind;
  profile: HeapProfile;
  order: number;
}

export function analyzeFiles(files: readonly string[], params: DetectParams, progress?: AnalyzeProgress, untimedSpacingMs = UNTIMED_SPACING_MS): AnalyzeResult {
  return analyzeDecoded(decodeProfileFiles(files, progress), params, progress, untimedSpacingMs);
}

/** Decodes every file, naming the file in any error. */
export function decodeProfileFiles(files: readonly string[], progress?: AnalyzeProgress): DecodedProfileFile[] {
  const decoded: DecodedProfileFile[] = [];
  files.forEach((file, order) => {
    const { kind, profile } = withErrorContext(file, () => {
      const read = decodeProfileFast(readFileSync(file), { maxDecompressedBytes: 512 * 1024 * 1024 });
      refuseDeltaProfile(read.profile);
      return read;
    });
    decoded.push({ file, kind, profile, order });
    progress?.(decoded.length, files.length * 2);
  });
  return decoded;
}

/**
 * The replay of decoded files (`decodeProfileFiles`). Kept apart from the
 * decoding so that a caller that needs the profiles too (the corpus
 * evaluation reads their times to score) decodes each file once.
 */
export function analyzeDecoded(inputs: readonly DecodedProfileFile[], params: DetectParams, progress?: AnalyzeProgress, untimedSpacingMs = UNTIMED_SPACING_MS): AnalyzeResult {
  // time_nanos orders the series; file order breaks ties (and orders profiles without a time).
  const decoded = [...inputs].sort((a, b) => a.profile.timeMs - b.profile.timeMs || a.order - b.order);
  const groups = splitTargets(decoded);
  let done = decoded.length;
  const targets = groups.map(({ label, kind, members }) => {
    const replayer = kind === 'heap' ? new Replayer(params) : new GoroutineReplayer(kind, params);
    members.forEach((d, i) => {
      replayer.add(d.profile, i * untimedSpacingMs);
      progress?.(++done, decoded.length * 2);
    });
    const r = replayer.finish();
    const target: TargetResult = { ...r, kind, label, files: members.length };
    const needed = historyShortfall(r, params, kind);
    if (needed && !r.findings.some((f) => f.severity !== 'info')) target.notEnoughHistory = needed;
    const stale = r.profiles > 0 ? r.staleProfiles / r.profiles : 0;
    if (r.profiles >= 6 && stale > MOSTLY_STALE) target.staleNote = staleNote(stale);
    return target;
  });
  const result: AnalyzeResult = {
    findings: targets.flatMap((t) => t.findings),
    epochs: targets.reduce((n, t) => n + t.epochs, 0),
    profiles: decoded.length,
    staleProfiles: targets.reduce((n, t) => n + t.staleProfiles, 0),
    lastEpoch: targets.at(-1)?.lastEpoch ?? { profiles: 0, spanMs: 0 },
    targets,
  };
  const untimed = decoded.filter((d) => !d.profile.timeMs).length;
  if (untimed > 0) {
    result.untimedNote = `${untimed} of ${decoded.length} profiles carry no time_nanos: replayed ${formatDuration(untimedSpacingMs)} apart in file-name order (--interval sets how far apart)`;
  }
  // Several kinds of one target are expected (each is judged on its own); several targets of one kind are not.
  const kinds = new Set(targets.map((t) => t.kind));
  if (targets.length > kinds.size) {
    result.mixWarning = `the inputs mix ${targets.length - kinds.size + 1} targets (${targets.map((t) => `${t.label}: ${t.files} files`).join('; ')}); each is judged separately`;
  } else if (kinds.size > 1) {
    result.kindsNote = `judged per profile kind: ${targets.map((t) => `${t.kind} (${t.files} files)`).join(', ')}`;
  }
  return result;
}

/**
 * Each profile kind is its own series. Profiles of one target share the
 * sample rate, and their build ids follow each other in time (a deploy is a
 * new process of the same target). A different sample rate, or build ids
 * whose series overlap in time, are different targets.
 */
function splitTargets(decoded: readonly DecodedProfileFile[]): { label: string; kind: ProfileKind; members: DecodedProfileFile[] }[] {
  const byKind = new Map<ProfileKind, DecodedProfileFile[]>();
  for (const d of decoded) {
    const list = byKind.get(d.kind);
    if (list) list.push(d);
    else byKind.set(d.kind, [d]);
  }
  const mixed = byKind.size > 1;
  return [...byKind].flatMap(([kind, list]) =>
    splitByRateAndBuild(list, kind).map((g) => ({ ...g, kind, label: mixed || kind !== 'heap' ? `${kind} profiles, ${g.label}` : g.label })),
  );
}

function splitByRateAndBuild(decoded: readonly DecodedProfileFile[], kind: ProfileKind): { label: string; members: DecodedProfileFile[] }[] {
  const byRate = new Map<number, DecodedProfileFile[]>();
  for (const d of decoded) {
    const list = byRate.get(d.profile.period);
    if (list) list.push(d);
    else byRate.set(d.profile.period, [d]);
  }
  const out: { label: string; members: DecodedProfileFile[] }[] = [];
  for (const [period, list] of byRate) {
    const builds = new Map<string, DecodedProfileFile[]>();
    for (const d of list) {
      const b = builds.get(d.profile.buildId);
      if (b) b.push(d);
      else builds.set(d.profile.buildId, [d]);
    }
    const spans = [...builds.values()].map((b) => [b[0]!.profile.timeMs, b.at(-1)!.profile.timeMs] as const);
    const overlap = spans.some(([a0, a1], i) => spans.some(([b0, b1], j) => i !== j && a0 < b1 && b0 < a1));
    // A goroutine profile's period is always 1: its builds are what tells targets apart.
    const rate = kind === 'heap' ? `sample rate ${period}` : `${list.length} profiles`;
    if (!overlap) out.push({ label: builds.size > 1 ? `${rate}, ${builds.size} builds in sequence` : rate, members: list });
    else for (const [build, members] of builds) out.push({ label: `${rate}, build id ${build.slice(0, 12) || '(none)'}`, members });
  }
  return out;
}

/**
 * "not enough history: 25 profiles over 24 min; needs 25 min" when the last
 * process is too short to judge. Goroutine growth is judged only after the
 * warm-up (the profiles carry no process age); a goroutineleak profile is
 * proof on its own and needs only the finding hold.
 */
function historyShortfall(r: ReplayResult, params: DetectParams, kind: ProfileKind): string | undefined {
  const { profiles, spanMs } = r.lastEpoch;
  const minutes = Math.round(spanMs / 60_000);
  const needs: string[] = [];
  const neededMs = kind === 'heap' ? params.minWindowMs + params.forMs : kind === 'goroutine' ? Math.max(params.minWindowMs, params.warmupMs) + params.forMs : params.forMs;
  if (spanMs < neededMs) needs.push(`${Math.round(neededMs / 60_000)} min`);
  if (kind === 'goroutineleak') return needs.length === 0 ? undefined : `not enough history: ${profiles} profiles over ${minutes} min; needs ${needs.join(' and ')}`;
  if (profiles < params.minPoints) needs.push(`${params.minPoints} profiles that changed`);
  if (needs.length === 0) return undefined;
  return `not enough history: ${profiles} profiles over ${minutes} min; needs ${needs.join(' and ')}`;
}

/** The JSON form: `{ "findings": [...] }` with the documented field names, plus per-target notes. */
export function findingsJson(result: AnalyzeResult): { findings: Record<string, unknown>[]; notes: string[] } {
  return {
    findings: bySeverity(result.findings).map((f) => ({
      class: f.classId,
      severity: f.severity,
      function: f.function,
      stack: f.stack,
      growth_bytes: f.growthBytes,
      bytes_per_hour: f.bytesPerHour,
      detected_at: new Date(f.detectedAt).toISOString(),
      evidence: f.evidence,
      summary: f.summary,
      remediation: f.remediation,
      doc_url: f.docUrl,
      state: f.state,
      resolved_at: f.resolvedAt === null ? null : new Date(f.resolvedAt).toISOString(),
    })),
    notes: notesOf(result),
  };
}

function notesOf(result: AnalyzeResult): string[] {
  const notes: string[] = [];
  if (result.mixWarning) notes.push(`warning: ${result.mixWarning}`);
  if (result.kindsNote) notes.push(result.kindsNote);
  if (result.untimedNote) notes.push(result.untimedNote);
  for (const t of result.targets) {
    const prefix = result.targets.length > 1 ? `${t.label}: ` : '';
    if (t.notEnoughHistory) notes.push(`${prefix}${t.notEnoughHistory}`);
    if (t.staleNote) notes.push(`${prefix}${t.staleNote}`);
  }
  return notes;
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

/** Critical first, then warnings, then info; faster growth first within each. */
function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.bytesPerHour - a.bytesPerHour);
}

export function renderReport(result: AnalyzeResult): string {
  const lines = [`Analyzed ${result.profiles} profiles (${result.epochs} process epoch(s), ${result.staleProfiles} without a GC since the previous one).`];
  for (const note of notesOf(result)) lines.push(note);
  const findings = bySeverity(result.findings);
  if (findings.length === 0) {
    if (!result.targets.some((t) => t.notEnoughHistory)) lines.push('', 'No leak found: no allocation site grew in a sustained way.');
    return lines.join('\n');
  }
  for (const f of findings) lines.push('', ...renderFinding(f));
  return lines.join('\n');
}

function renderFinding(f: Finding): string[] {
  const out = [`[${f.severity.toUpperCase()}] ${f.classId}: ${f.summary}`];
  out.push(`  function:    ${f.function}`);
  if (f.classId === 'goroutine-leak') out.push(...goroutineLines(f.evidence as GoroutineEvidence));
  else if (f.severity !== 'info' || f.evidence.hold) out.push(`  growth:      ${formatBytes(f.growthBytes)} over ${f.evidence.windowMinutes ?? '?'} min (${formatBytes(f.bytesPerHour)}/h)`);
  if (f.evidence.hold) out.push(`  held:        ${f.evidence.hold.reason}`);
  if (f.evidence.crashLoop || f.evidence.leakedBefore) out.push(`  not held:    ${f.evidence.note}`);
  if (f.evidence.escalatedAt) out.push(`  escalated:   ${f.evidence.escalatedAt} (held at info in the process's warm-up before)`);
  if (f.evidence.allocation) out.push(`  allocation:  ${f.evidence.allocation}`);
  if (f.evidence.holder) out.push(`  kept in:     ${f.evidence.holder.function} (its sync.Map, allocated in ${f.evidence.holder.via}, grows ${formatBytes(f.evidence.holder.bytesPerHour)}/h)`);
  out.push(`  detected at: ${new Date(f.detectedAt).toISOString()}${f.state === 'resolved' ? ` (resolved: ${f.resolvedReason})` : ''}`);
  const versions = Object.entries(f.evidence.versions).map(([m, v]) => `${m}@${v}`);
  if (versions.length) out.push(`  versions:    ${versions.join(', ')}`);
  if (f.evidence.meanObjectBytes !== undefined) out.push(`  mean object: ${formatBytes(f.evidence.meanObjectBytes)}`);
  if (f.stack.length) {
    out.push('  stack:');
    for (const frame of f.stack.slice(0, 12)) out.push(`    ${frame}`);
    if (f.stack.length > 12) out.push(`    ... ${f.stack.length - 12} more`);
  }
  out.push(`  fix:         ${f.remediation}`);
  out.push(`  guide:       ${f.docUrl}`);
  return out;
}

function goroutineLines(e: GoroutineEvidence): string[] {
  const out = [`  blocked in:  ${e.blocking}${e.blocking === e.wait ? '' : ` (${e.wait})`}`, `  started by:  ${e.startedBy}`];
  out.push(`  goroutines:  ${e.goroutines} now${e.goroutinesPerHour > 0 ? `, +${e.growthGoroutines} over ${e.windowMinutes ?? '?'} min (${e.goroutinesPerHour}/h)` : ''}`);
  if (e.provenLeaked !== undefined) out.push(`  proven:      ${e.provenLeaked} goroutines proven leaked by the runtime (goroutineleak profile)`);
  return out;
}
