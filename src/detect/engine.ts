/**
 * One evaluation of one process epoch: which allocation sites are growing,
 * which leak class each belongs to, and which module versions are known to
 * leak. Pure: history in, detections out. The same engine serves the daemon
 * (after every scrape) and `heapwatch analyze` (replaying files).
 */
import { classifyStack, moduleVersion, type GrowingStack, type ProcessContext } from './classify.js';
import { VULNERABLE_VERSIONS, type LeakClassId, type Severity } from './classes.js';
import type { DetectParams } from './params.js';
import { median } from './stats.js';
import { assessTrend } from './trend.js';
import { compareVersions } from '../pprof/names.js';
import { LEAK_CLASSES } from './classes.js';

/**
 * One epoch's recent history in column form: a time axis, the heap total and,
 * per stack, its inuse bytes at each time (0 where absent). Columns of plain
 * numbers cost ~8 bytes a value, where a Map per point cost ~10 times that:
 * this is what keeps a thousand targets' two-hour windows within memory.
 */
export interface EpochHistory {
  /** Profile times (ms), ascending; stale (no-GC) points already left out. */
  times: readonly number[];
  totals: readonly number[];
  /** Stack id -> inuse bytes at each time. */
  series: ReadonlyMap<number, readonly number[]>;
  /** Stack id -> inuse objects at the latest time (for mean object sizes). */
  lastObjects: ReadonlyMap<number, number>;
  /** Function names of a stack id, leaf first. */
  frames(stackId: number): readonly string[];
  modules: ReadonlyMap<string, string>;
  functions: ReadonlySet<string>;
}

export interface Detection {
  /** Identity within the epoch: class + function. */
  key: string;
  classId: LeakClassId;
  severity: Severity;
  title: string;
  function: string;
  /** What is wrong, without the rate: "server keeps Request field 2 (Kitex)". */
  headline: string;
  /** The stack with the largest growth in the group, leaf first. */
  stack: string[];
  growthBytes: number;
  bytesPerHour: number;
  summary: string;
  remediation: string;
  docUrl: string;
  evidence: Evidence;
}

export interface Evidence {
  versions: Record<string, string>;
  meanObjectBytes?: number;
  matchedFrames: string[];
  stacks: number;
  pValue?: number;
  windowMinutes?: number;
  note?: string;
}

export function evaluateEpoch(history: EpochHistory, params: DetectParams): Detection[] {
  const from = windowStart(history.times, params.windowMs);
  const times = history.times.slice(from);
  const detections: Detection[] = [...versionDetections(history)];
  if (times.length < 2) return detections;
  const heapBytes = median(history.totals.slice(from));
  const seriesOf = (id: number): number[] => history.series.get(id)!.slice(from);

  // Candidates: stacks whose floor rose by a meaningful amount. Everything
  // else (most of a large profile) is never classified or tested.
  const ids = [...history.series.keys()];
  const candidates: { id: number; series: number[]; stack: GrowingStack }[] = [];
  const edge = Math.max(3, Math.floor(times.length / 10));
  for (const id of ids) {
    const series = seriesOf(id);
    const rise = median(series.slice(-edge)) - median(series.slice(0, edge));
    if (rise < params.minGrowthBytes / 4) continue;
    const objects = history.lastObjects.get(id) ?? 0;
    candidates.push({ id, series, stack: { frames: history.frames(id), growthBytes: rise, meanObjectBytes: objects > 0 ? series.at(-1)! / objects : NaN } });
  }
  if (candidates.length === 0) return detections;

  const ctx: ProcessContext = { modules: history.modules, functions: history.functions, growing: candidates.map((c) => c.stack) };
  const groups = new Map<string, { classification: ReturnType<typeof classifyStack>; members: typeof candidates }>();
  for (const c of candidates) {
    const classification = classifyStack(c.stack, ctx);
    const key = `${classification.classId}|${classification.facts.function}`;
    const g = groups.get(key);
    if (g) g.members.push(c);
    else groups.set(key, { classification, members: [c] });
  }

  // A group is every stack of the window with the same class and key
  // function, not only the candidates: memory that moves from one caller of
  // an allocation site to another (objects replaced by a different code
  // path) is not growth, and only the sum shows it.
  const candidateIds = new Set(candidates.map((c) => c.id));
  for (const id of ids) {
    if (candidateIds.has(id)) continue;
    const frames = history.frames(id);
    for (const [, g] of groups) {
      if (!frames.includes(g.classification.facts.function)) continue;
      const stack = { frames, growthBytes: 0, meanObjectBytes: NaN };
      const c = classifyStack(stack, ctx);
      if (c.classId === g.classification.classId && c.facts.function === g.classification.facts.function) {
        g.members.push({ id, series: seriesOf(id), stack });
        break;
      }
    }
  }

  for (const [key, { classification, members }] of groups) {
    const sum = times.map((_, i) => members.reduce((acc, m) => acc + m.series[i]!, 0));
    const verdict = assessTrend(times, sum, heapBytes, params, classification.cls.trend);
    if (!verdict.growing) continue;
    const top = members.reduce((a, b) => (b.stack.growthBytes > a.stack.growthBytes ? b : a));
    let bytes = 0;
    let objects = 0;
    for (const m of members) {
      bytes += m.series.at(-1)!;
      objects += history.lastObjects.get(m.id) ?? 0;
    }
    const { cls, facts } = classification;
    detections.push({
      key,
      classId: classification.classId,
      severity: cls.severity,
      title: cls.title,
      function: facts.function,
      stack: [...top.stack.frames],
      growthBytes: Math.round(verdict.growthBytes),
      bytesPerHour: Math.round(verdict.slopePerHour),
      headline: cls.summary(facts),
      summary: `${cls.summary(facts)}, growing ${formatRate(verdict.slopePerHour)}`,
      remediation: cls.remediation,
      docUrl: cls.docUrl,
      evidence: {
        versions: relevantVersions(history),
        meanObjectBytes: objects > 0 ? Math.round(bytes / objects) : undefined,
        matchedFrames: classification.matchedFrames,
        stacks: members.length,
        pValue: verdict.pValue,
        windowMinutes: Math.round(verdict.spanMs / 60_000),
      },
    });
  }
  return detections;
}

/** Index of the first time inside the window that ends at the latest time. */
function windowStart(times: readonly number[], windowMs: number): number {
  if (times.length === 0) return 0;
  const from = times.at(-1)! - windowMs;
  const i = times.findIndex((t) => t >= from);
  return Math.max(0, i);
}

/** A known-leaky module version is worth an `info` finding before any growth shows. */
function versionDetections(history: EpochHistory): Detection[] {
  const ctx: ProcessContext = { modules: history.modules, functions: history.functions, growing: [] };
  const out: Detection[] = [];
  for (const v of VULNERABLE_VERSIONS) {
    const version = moduleVersion(v.module, ctx);
    if (!version || compareVersions(version, v.below) >= 0) continue;
    out.push({
      key: `${v.classId}|${v.module}@${version}`,
      classId: v.classId,
      severity: 'info',
      title: `Vulnerable module version: ${v.module}@${version}`,
      function: `${v.module}@${version}`,
      stack: [],
      growthBytes: 0,
      bytesPerHour: 0,
      headline: `${v.module}@${version} has a known leak bug`,
      summary: `${v.note}; this process runs ${version} (no growth seen yet)`,
      remediation: 'Upgrade Kitex to >= v0.3.3 (netpoll >= v0.2.5) before the leak shows.',
      docUrl: LEAK_CLASSES.find((c) => c.id === v.classId)?.docUrl ?? '', // the class row's: the anchor is written once
      evidence: { versions: { [v.module]: version }, matchedFrames: [], stacks: 0, note: 'version only' },
    });
  }
  return out;
}

const CLOUDWEGO = /^github\.com\/(?:cloudwego|bytedance)\//;

function relevantVersions(history: EpochHistory): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [m, v] of history.modules) if (CLOUDWEGO.test(m)) out[m] = v;
  return out;
}

export function formatRate(bytesPerHour: number): string {
  const mb = bytesPerHour / 1e6;
  return mb >= 10 ? `${Math.round(mb)} MB/h` : `${mb.toFixed(1)} MB/h`;
}
