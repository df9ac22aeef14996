/**
 * The `goroutine-leak` class: goroutines that pile up. Two sources of
 * evidence, one finding per pile (goroutine-frames.ts: the same wait, in the
 * same function, started the same way):
 *
 * - goroutine profiles: a pile whose count grows in a sustained way. The
 *   heap detector's trend statistics (trend.ts: Mann–Kendall, Theil–Sen,
 *   every segment's floor rising, growth still going in the latest segment)
 *   with the same window, warm-up, hold and resolve times, and three signals
 *   of their own, none a new threshold on the rate:
 *   1. time: growth in the process's first `warmupMs` is not judged (a
 *      worker pool or a connection pool scaling up to its plateau looks like
 *      a leak until it levels off);
 *   2. the count never returns to its baseline: leaked goroutines never
 *      exit, so the lowest count of the latest segment stays above the
 *      first segment's median (bursts and cancellation sawtooths fall back);
 *   3. goroutines started by the same function (every pile) grow too, in a
 *      sustained way and at least half as fast: workers moving from "busy"
 *      to "idle" shift goroutines between piles without adding any;
 * - goroutineleak profiles: the runtime proved the pile leaked (the GC found
 *   it blocked on something no runnable goroutine can reach). Reported at
 *   once as a warning, critical once its count grows.
 *
 * Pure: profiles in, detections and finding events out.
 */
import { GOROUTINE_LEAK } from './classes.js';
import type { Detection, Evidence } from './detection.js';
import { FindingTracker, type Finding, type FindingEvent } from './findings.js';
import { formatGoroutineRate, type GoroutineFacts } from './goroutine-frames.js';
import { GoroutineHistory, snapshotOf } from './goroutine-history.js';
import type { DetectParams } from './params.js';
import { median, theilSen } from './stats.js';
import { assessTrend, type TrendParams } from './trend.js';
import type { HeapProfile } from '../pprof/profile.js';

export type { GoroutineKind } from '../pprof/kind.js';
import type { GoroutineKind } from '../pprof/kind.js';

/** A goroutine-leak finding's evidence: the heap finding's fields plus the pile's own. */
export interface GoroutineEvidence extends Evidence {
  /** Which profile showed it; both when the two agree. */
  profileKinds: GoroutineKind[];
  /** Goroutines in the pile at the latest profile. */
  goroutines: number;
  /** Theil–Sen rate over the window (0 when only proven, not yet growing). */
  goroutinesPerHour: number;
  growthGoroutines: number;
  /** What the goroutines wait on: chan send, select, mutex lock, ... */
  wait: string;
  blocking: string;
  startedBy: string;
  /** A known library goroutine shape (goroutine-frames.ts), when one matches. */
  pattern?: string;
  /** Goroutines of this pile the runtime proved leaked (goroutineleak profile). */
  provenLeaked?: number;
  /**
   * In-use heap (bytes) allocated under the pile's function, at the same
   * target's latest heap profile: what these goroutines' stacks reach and
   * hold (cum inuse of the function; a lower bound of what the leak costs).
   */
  heapBytes?: number;
}

/**
 * Fewer goroutines than this added over the whole window is not judged. A
 * goroutine holds at least a 2-8 KiB stack: ten is the smallest pile whose
 * growth is worth a look, and the same order as the heap's 4 MiB floor
 * against its sampling noise (ten goroutines is far above a count's noise,
 * which is zero: the goroutine profile is exact).
 */
export const MIN_GROWTH_GOROUTINES = 10;
/** Goroutines of the same start function must grow at least this share of the pile's rate. */
const SIBLING_SHARE = 0.5;
/**
 * A proven pile is "growing" (critical) once its count rose at this many
 * profiles since it appeared: one rise can be a single event (a request
 * that leaked a few goroutines once), a second shows it keeps happening.
 */
const PROVEN_RISES = 2;
const HOUR = 3_600_000;

/** One pile's judgement, before it becomes a Detection (merging keeps the facts). */
export interface PileJudgement {
  key: string;
  facts: GoroutineFacts;
  frames: string[];
  severity: 'warning' | 'critical';
  evidence: GoroutineEvidence;
}

export function goroutineTrendParams(p: DetectParams): TrendParams {
  return { ...p, minGrowthBytes: MIN_GROWTH_GOROUTINES };
}

/** Sustained growth of goroutine piles in one epoch's goroutine-profile history. */
export function judgeGoroutineTrend(h: GoroutineHistory, p: DetectParams, processStartMs: number): PileJudgement[] {
  const n = h.length;
  const now = h.times[n - 1];
  if (now === undefined || n < p.minPoints || now - processStartMs < p.warmupMs) return [];
  const total = median(h.totals);
  const tp = goroutineTrendParams(p);
  const seg = Math.max(1, Math.floor(n / p.segments));
  const out: PileJudgement[] = [];
  for (const key of h.keys()) {
    const pile = h.pile(key)!;
    const v = pile.values;
    if (v[n - 1]! - Math.min(...v) < MIN_GROWTH_GOROUTINES) continue;
    const verdict = assessTrend(h.times, v, total, tp);
    if (!verdict.growing) continue;
    if (!(Math.min(...v.slice(-seg)) > median(v.slice(0, seg)))) continue;
    // Goroutines moving between piles of one start function (a pool's idle and busy workers) add none.
    const started = assessTrend(h.times, h.startedBy(pile.facts.startedBy), total, tp);
    if (!started.growing || !(started.slopePerHour >= SIBLING_SHARE * verdict.slopePerHour)) continue;
    const evidence: GoroutineEvidence = {
      ...baseEvidence(pile.facts, v[n - 1]!, ['goroutine']),
      goroutinesPerHour: Math.round(verdict.slopePerHour),
      growthGoroutines: Math.round(verdict.growthBytes),
      pValue: verdict.pValue,
      windowMinutes: Math.round(verdict.spanMs / 60_000),
      horizonMinutes: Math.round(p.windowMs / 60_000),
      processAgeMinutes: Math.round((now - processStartMs) / 60_000),
    };
    out.push({ key, facts: pile.facts, frames: pile.frames, severity: 'warning', evidence });
  }
  return out;
}

/** Piles of the latest goroutineleak profile: proven leaked; critical once their count grows. */
export function judgeProvenLeaks(h: GoroutineHistory): PileJudgement[] {
  const n = h.length;
  if (n === 0) return [];
  const out: PileJudgement[] = [];
  for (const key of h.keys()) {
    const pile = h.pile(key)!;
    const v = pile.values;
    const now = v[n - 1]!;
    if (!(now > 0)) continue;
    const first = v.findIndex((x) => x > 0);
    const since = v.slice(first);
    // Counts are exact and proven goroutines never wake: two rises, none lost since, is growth.
    let rises = 0;
    for (let i = 1; i < since.length; i++) if (since[i]! > since[i - 1]!) rises++;
    const grows = rises >= PROVEN_RISES && now >= Math.max(...since);
    const span = h.times[n - 1]! - h.times[first]!;
    const perHour = grows && span > 0 ? theilSen(h.times.map((t) => (t - h.times[0]!) / HOUR), v) : 0;
    const evidence: GoroutineEvidence = {
      ...baseEvidence(pile.facts, now, ['goroutineleak']),
      provenLeaked: now,
      goroutinesPerHour: Math.round(perHour),
      growthGoroutines: now - since[0]!,
      windowMinutes: Math.round(span / 60_000),
    };
    out.push({ key, facts: pile.facts, frames: pile.frames, severity: grows ? 'critical' : 'warning', evidence });
  }
  return out;
}

function baseEvidence(f: GoroutineFacts, goroutines: number, kinds: GoroutineKind[]): GoroutineEvidence {
  return {
    versions: {},
    matchedFrames: [f.blocking, f.function, f.startedBy],
    stacks: 1,
    profileKinds: kinds,
    goroutines,
    goroutinesPerHour: 0,
    growthGoroutines: 0,
    wait: f.op,
    blocking: f.blocking,
    startedBy: f.startedBy,
    ...(f.pattern ? { pattern: f.pattern.id } : {}),
  };
}

/** A pile's judgement as the engine's Detection (the finding tracker's input). */
export function toDetection({ key, facts: f, frames, severity, evidence: e }: PileJudgement): Detection {
  const about = [...(f.startedBy === f.function ? [] : [`started by ${f.startedBy}`]), ...(f.pattern ? [f.pattern.context] : [])];
  const headline = `${f.function}: goroutines blocked in ${f.blocking} pile up${about.length ? ` (${about.join('; ')})` : ''}`;
  const proof = e.provenLeaked ? `; the runtime proved ${e.provenLeaked} of them leaked (goroutineleak profile)` : '';
  const rate = e.goroutinesPerHour > 0 ? `, ${formatGoroutineRate(e.goroutinesPerHour)}` : '';
  const heap = e.heapBytes ? `; ${formatHeld(e.heapBytes)} of heap allocated under ${f.function} is in use` : '';
  return {
    key: `${GOROUTINE_LEAK.id}|${key}`,
    classId: GOROUTINE_LEAK.id,
    severity,
    title: GOROUTINE_LEAK.title,
    function: f.function,
    headline,
    stack: frames,
    growthBytes: 0,
    bytesPerHour: 0,
    summary: `${headline}${rate} (${e.goroutines} now)${proof}${heap}`,
    remediation: `${cap(f.fix)}. ${GOROUTINE_LEAK.remediation}`,
    docUrl: GOROUTINE_LEAK.docUrl,
    evidence: e,
  };
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function formatHeld(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} kB`;
}

/** The same pile seen by both profiles: one judgement with both kinds of evidence, the higher severity. */
export function mergeJudgements(trend: readonly PileJudgement[], proven: readonly PileJudgement[]): PileJudgement[] {
  const byKey = new Map<string, PileJudgement>(trend.map((j) => [j.key, j]));
  for (const p of proven) {
    const t = byKey.get(p.key);
    if (!t) byKey.set(p.key, p);
    else {
      const evidence: GoroutineEvidence = { ...t.evidence, profileKinds: ['goroutine', 'goroutineleak'], provenLeaked: p.evidence.provenLeaked };
      byKey.set(p.key, { ...t, severity: p.severity === 'critical' ? 'critical' : t.severity, evidence });
    }
  }
  return [...byKey.values()];
}

/**
 * Goroutine detection for one target (or one series in `analyze`): the
 * goroutine and goroutineleak histories of the current epoch and one
 * finding lifecycle over both. Each observation re-judges its own kind and
 * reuses the other kind's latest judgement, so a pile seen by both is one
 * finding, and the finding hold (`forMs`) sees every detection each time.
 */
export class GoroutineSession {
  readonly #params: DetectParams;
  readonly #tracker: FindingTracker;
  #epoch: string | undefined;
  #firstMs: number | undefined;
  #trend: GoroutineHistory;
  #proven: GoroutineHistory;
  #last: Record<GoroutineKind, { t: number; judged: PileJudgement[] } | undefined> = { goroutine: undefined, goroutineleak: undefined };

  constructor(params: DetectParams, openFindings: Finding[] = []) {
    this.#params = params;
    this.#tracker = new FindingTracker(params, openFindings);
    this.#epoch = openFindings[0]?.epoch;
    this.#trend = this.#history();
    this.#proven = this.#history();
  }

  /**
   * One goroutine or goroutineleak profile of `epoch` at profile time `t`.
   * `processStartMs`, when known (from the heap profiles' allocation
   * counters), dates the warm-up; otherwise it counts from the epoch's first profile.
   */
  observe(kind: GoroutineKind, epoch: string, t: number, profile: HeapProfile, processStartMs?: number, heapBytesOf?: (fn: string) => number | undefined): FindingEvent[] {
    if (epoch !== this.#epoch) {
      this.#epoch = epoch;
      this.#firstMs = t;
      this.#trend = this.#history();
      this.#proven = this.#history();
      this.#last = { goroutine: undefined, goroutineleak: undefined };
    }
    this.#firstMs ??= t;
    const start = processStartMs ?? this.#firstMs;
    if (kind === 'goroutine') {
      this.#trend.add(t, snapshotOf(profile));
      this.#last.goroutine = { t, judged: judgeGoroutineTrend(this.#trend, this.#params, start) };
    } else {
      this.#proven.add(t, snapshotOf(profile));
      this.#last.goroutineleak = { t, judged: judgeProvenLeaks(this.#proven) };
    }
    // The other kind's judgement counts while it is recent: within the window.
    const fresh = (k: GoroutineKind): PileJudgement[] => {
      const last = this.#last[k];
      return last && t - last.t <= this.#params.windowMs ? last.judged : [];
    };
    const judged = mergeJudgements(fresh('goroutine'), fresh('goroutineleak')).map((j) => {
      const held = heapBytesOf?.(j.facts.function);
      return held ? { ...j, evidence: { ...j.evidence, heapBytes: Math.round(held) } } : j;
    });
    return this.#tracker.update(epoch, t, judged.map(toDetection));
  }

  /** The process ended (restart, or the target left). */
  endEpoch(t: number, reason?: string): FindingEvent[] {
    return this.#tracker.endEpoch(t, reason);
  }

  open(): Finding[] {
    return this.#tracker.open();
  }

  #history(): GoroutineHistory {
    return new GoroutineHistory(this.#params.windowMs, this.#params.maxTrackedStacks);
  }
}
