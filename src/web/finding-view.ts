/**
 * What the finding page shows, assembled from the store: the window, the
 * base and latest profiles of the finding's epoch, the growth series, the
 * diff flame graph and the profiles to download.
 */
import type { DecodeLimits } from '../pprof/inflate.js';
import { diffProfiles } from '../pprof/diff.js';
import type { StoredFinding } from '../store/findings.js';
import type { HistoryReader, ScrapePoint, StackState } from '../store/history-reader.js';
import { buildFlameTree, type FlameNode } from './flame-tree.js';
import { rebuildHeapProfile } from './profile-builder.js';

/** At most this many chart points are sent; longer series are thinned evenly (the last point always kept). */
const MAX_POINTS = 3000;

export interface FindingWindow {
  /** Window start and end (ms, profile time). */
  from: number;
  to: number;
  base: ScrapePoint;
  latest: ScrapePoint;
}

export function findingWindow(history: HistoryReader, f: StoredFinding): FindingWindow | undefined {
  const scrapes = history.scrapes(f.epochId);
  if (scrapes.length === 0) return undefined;
  const minutes = typeof f.evidence.windowMinutes === 'number' ? f.evidence.windowMinutes : 0;
  const to = f.detectedAt;
  const from = to - minutes * 60_000;
  let base = scrapes[0]!;
  for (const s of scrapes) {
    if (s.t > from) break;
    base = s;
  }
  return { from, to, base, latest: scrapes.at(-1)! };
}

export interface GrowthSeries {
  /** Seconds since the Unix epoch (uPlot's x unit). */
  t: number[];
  total: number[];
  finding: number[];
}

export function growthSeries(history: HistoryReader, f: StoredFinding): GrowthSeries {
  const stacks = history.stacksWith(f.function);
  const points = stacks.length > 0 ? history.stackSeries(f.epochId, stacks) : history.functionSeries(f.epochId, f.function);
  const thinned = thin(points);
  return { t: thinned.map((p) => p.t / 1000), total: thinned.map((p) => p.total), finding: thinned.map((p) => p.value) };
}

export function thin<T>(points: readonly T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return [...points];
  const step = points.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * step)]!);
  out.push(points.at(-1)!);
  return out;
}

interface Loaded {
  state: StackState;
  frames: Map<number, number[]>;
}

function load(history: HistoryReader, epochId: number, scrapeId: number): Loaded {
  const state = history.stackState(epochId, scrapeId);
  return { state, frames: history.frames(state.keys()) };
}

export function findingFlame(history: HistoryReader, f: StoredFinding, w: FindingWindow): { root: FlameNode; nodes: number; folded: number } {
  const base = history.stackState(f.epochId, w.base.scrapeId);
  const latest = history.stackState(f.epochId, w.latest.scrapeId);
  // Frames and names once for both states: most stacks are in both.
  const frames = history.frames(new Set([...base.keys(), ...latest.keys()]));
  const fnIds = new Set<number>();
  for (const list of frames.values()) for (const id of list) fnIds.add(id);
  const names = new Map([...history.functions(fnIds)].map(([id, fn]) => [id, fn.name]));
  return buildFlameTree({ base, latest, frames, names, keepStack: f.stack });
}

export type ProfileKind = 'base' | 'latest' | 'diff';

/** The raw profile kept for the scrape, or one rebuilt from keyframe + deltas. */
export function profileAt(history: HistoryReader, epochId: number, point: ScrapePoint): { bytes: Uint8Array; rebuilt: boolean } {
  const raw = history.rawProfile(point.scrapeId);
  if (raw) return { bytes: raw, rebuilt: false };
  const { state, frames } = load(history, epochId, point.scrapeId);
  const fnIds = new Set<number>();
  for (const list of frames.values()) for (const id of list) fnIds.add(id);
  return { bytes: rebuildHeapProfile({ state, frames, functions: history.functions(fnIds), timeMs: point.t }), rebuilt: true };
}

export function findingProfile(history: HistoryReader, f: StoredFinding, w: FindingWindow, kind: ProfileKind, limits: DecodeLimits): Uint8Array {
  if (kind === 'base') return profileAt(history, f.epochId, w.base).bytes;
  if (kind === 'latest') return profileAt(history, f.epochId, w.latest).bytes;
  return diffProfiles(profileAt(history, f.epochId, w.base).bytes, profileAt(history, f.epochId, w.latest).bytes, limits);
}

export function profileFileName(findingId: number, kind: ProfileKind): string {
  return `heapwatch-finding-${findingId}-${kind}.pb.gz`;
}

/** The command line that shows the same growth in pprof, from the two downloads. */
export function pprofCommand(findingId: number): string {
  return `go tool pprof -top -diff_base ${profileFileName(findingId, 'base')} ${profileFileName(findingId, 'latest')}`;
}
