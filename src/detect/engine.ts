/**
 * One evaluation of one process epoch: which allocation sites are growing,
 * over which horizon, which leak class each belongs to, and which module
 * versions are known to leak. Pure: history in, detections out. The same
 * engine serves the daemon (after every scrape) and `heapwatch analyze`.
 *
 * Growth is judged over each horizon (the window, then longer ones) from the
 * bounded history in history.ts, and from its onset when it began after a
 * flat stretch (trend.ts: growthOnset). Three signals decide what a growing
 * allocation site is:
 * - its shape (trend.ts): sustained, or rising ever more slowly (a cache
 *   filling up: `info`);
 * - the process's age (estimated from its allocation counters): growth in
 *   the first `warmupMs` of a process cannot be told from a cache warming up,
 *   so it is raised with its leak class at `info` (evidence.hold says why and
 *   until when), and becomes a warning once it continues past the warm-up;
 * - its allocation (alloc.ts): inuse that tracks its own allocation rate,
 *   or keeps no significant share of what it allocated once that rate is
 *   accounted for, follows load and is not a leak.
 * Growth that the heap profiler's own sampling error explains (sampling.ts:
 * a slowly replaced working set's estimate drifts) is no growth.
 */
import { allocContext, describeAllocation, keepsFallingShare, keptShareByThird, type AllocContext, type KeptShares } from './alloc.js';
import { moduleVersion, type ProcessContext } from './classify.js';
import { FILLING_CACHE, UNCLASSIFIED, VULNERABLE_VERSIONS, type LeakClassId, type Severity } from './classes.js';
import { groupsOf, sumOf, type Group } from './groups.js';
import { formatRate } from './format.js';
import { loadTimeAxis } from './load-time.js';
import { containerInsert, foldHolders, type Holder } from './holders.js';
import type { EpochSeries } from './history.js';
import { horizonsOf, type DetectParams } from './params.js';
import { mannKendall, median, stretchRate, upperNormalQuantile } from './stats.js';
import { assessTrend, growthOnset, type TrendVerdict } from './trend.js';
import { arrivalVariancePerByte, rateFallsBeyondSamplingError, exceedsSamplingError, slowsBeyondSamplingError, variancePerByte, GO_DEFAULT_SAMPLING_PERIOD, type SampledGrowth } from './sampling.js';
import { compareVersions } from '../pprof/names.js';
import { LEAK_CLASSES } from './classes.js';
import { asCrashLoop, asLeakedBefore, leakedInLastProcess, outlivedItsProcesses, type CarriedGrowth } from './crash-loop.js';

/** One epoch's detection state, as the session keeps it. */
export interface EpochState {
  series: EpochSeries;
  /** Time (ms) of the latest point. */
  now: number;
  /** Time (ms) of the epoch's first point. */
  firstMs: number;
  /** Estimated process start (ms), when the allocation counters allow it. */
  processStartMs: number | undefined;
  /** Function names of a stack id, leaf first. */
  frames: (stackId: number) => readonly string[];
  /** How many of the profiles' stacks a stack id stands for (more than one for a site summed per owner: session.ts). */
  stacksIn?: (stackId: number) => number;
  modules: ReadonlyMap<string, string>;
  functions: ReadonlySet<string>;
  /** The heap profiles' sampling period (bytes, runtime.MemProfileRate); Go's default when unknown. */
  samplingPeriod?: number;
  /**
   * The longer horizons' judgements, kept until their newest bucket changes:
   * a 12-minute bucket's history barely moves between two 1-minute scrapes,
   * so judging it once per bucket saves most of the cost.
   */
  cache?: Map<number, { bucket: number; entries: [string, Judged][] }>;
  /** Sites that grew, held, until each of the latest processes ended (crash-loop.ts), by detection key. */
  carried?: ReadonlyMap<string, CarriedGrowth>;
  /**
   * Functions with an open "filling, slowing down" finding, and when (ms) it
   * was raised: such growth escalates only once its slowing has stopped
   * (resumedAfterFilling).
   */
  fillingSince?: ReadonlyMap<string, number>;
  /** A container insert frame (holders.ts) under a site's owner in any of the stacks summed into it. */
  containerOf?: (stackId: number) => string | undefined;
  /** The classes of the target's open findings (holders.ts: a holder of an open leak is no leak of its own). */
  openClasses?: ReadonlySet<LeakClassId>;
}

interface Judged {
  spanMs: number;
  verdict: TrendVerdict;
  detection: Detection;
  cacheLike: boolean;
  unconfirmed: boolean;
  /** Set when it keeps a falling share of what it allocates: filling toward a bound. */
  keptShares: KeptShares | undefined;
  /** Found filling before, and its growth since has not gone on at the rate it had then. */
  stillFilling: boolean;
  /** First watched past the warm-up, and growing slower than its level then says it grew before (bytes/h before). */
  slowerThanBefore: number | undefined;
  /** Unclassified growth whose rate fell over its points beyond chance (sampling.ts: the Laplace test). */
  rateFell: boolean;
}

/** One growing allocation site found by one evaluation. The finding tracker (findings.ts) turns repeated detections into a Finding with a lifecycle. */
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

/** Why a detection was made, for the finding and the API: versions, the matched frames and the trend statistics. */
export interface Evidence {
  versions: Record<string, string>;
  meanObjectBytes?: number;
  matchedFrames: string[];
  stacks: number;
  pValue?: number;
  windowMinutes?: number;
  /** The horizon the growth was judged over. */
  horizonMinutes?: number;
  /** Estimated process age at the evaluation. */
  processAgeMinutes?: number;
  /** "allocates 3.1 MB/min, keeps 40 MB/h" */
  allocation?: string;
  allocBytesPerMinute?: number;
  /** Growth as a share of what the site allocates. */
  keptShare?: number;
  /** The class the growth escalates to (cache-filling findings). */
  escalatesTo?: LeakClassId;
  /**
   * Growth that would be a leak warning, held at `info` because the process
   * is in its warm-up: why, and when (ISO time) the hold ends. Findings
   * escalate to the class's severity once it ends and the growth continues.
   */
  hold?: { reason: string; until: string };
  /**
   * Raised in the warm-up, not held: the site grew, held, until each of the
   * latest processes ended inside its own warm-up (crash-loop.ts).
   */
  crashLoop?: CarriedGrowth;
  /**
   * Raised in the warm-up (or before its growth was confirmed past it), not
   * held: the process before this one raised the same site as a leak and it
   * still grew when that process ended (crash-loop.ts).
   */
  leakedBefore?: { ageMinutes: number };
  /** A container's insert (sync.Map) that allocated some of the site's growth under its owner: the site may hold another leak's objects. */
  storedBy?: string;
  /** The code that keeps a held-object leak's objects, when a container's growth names it (holders.ts). */
  holder?: Holder;
  /** When (ISO time) a held finding escalated to its class's severity (set by findings.ts). */
  escalatedAt?: string;
  note?: string;
}

const MINUTE = 60_000;

export function evaluateEpoch(state: EpochState, params: DetectParams): Detection[] {
  const detections: Detection[] = [...versionDetections(state)];
  const { series, now } = state;
  const horizons = horizonsOf(params);
  const warmupEnd = state.processStartMs === undefined ? undefined : state.processStartMs + params.warmupMs;
  const young = warmupEnd !== undefined && now < warmupEnd;
  const samplingZ = upperNormalQuantile(params.maxPValue);
  // Every horizon's judgement of every growing site, then one decision per site.
  const judged = new Map<string, Judged[]>();
  const add = (key: string, entry: Judged): void => {
    const list = judged.get(key);
    if (list) list.push(entry);
    else judged.set(key, [entry]);
  };
  horizons.forEach((horizonMs, h) => {
    // A longer horizon adds something only once the history outgrows the
    // shorter one; before, it is a coarser view of the same points.
    if (h > 0 && now - state.firstMs <= horizons[h - 1]!) return;
    const bucket = series.bucketOf(h, now);
    const cached = h > 0 ? state.cache?.get(h) : undefined;
    if (cached && cached.bucket === bucket) {
      for (const [key, entry] of cached.entries) add(key, entry);
      return;
    }
    const entries: [string, Judged][] = [];
    const view = series.view(h, now - horizonMs);
    const n = view.times.length;
    if (n < 2) return;
    const heapBytes = median(view.totals);
    const groups = groupsOf({ series, horizon: h, view, frames: state.frames, modules: state.modules, functions: state.functions, minRise: params.minGrowthBytes / 4 });
    for (const g of groups) {
      let times = view.times;
      let sum = sumOf(g.members, n);
      let verdict = assessTrend(times, sum, heapBytes, params, g.classification.cls.trend);
      // Growth that began after a flat stretch: judged from its onset, at a
      // significance divided by the onsets tried (Bonferroni).
      const onset = verdict.growing || verdict.slowing ? { index: 0, hinges: 0 } : growthOnset(times, sum, params);
      if (onset.index > 0) {
        const strict = { ...params, maxPValue: params.maxPValue / onset.hinges };
        const fromOnset = assessTrend(times.slice(onset.index), sum.slice(onset.index), heapBytes, strict, g.classification.cls.trend);
        if (fromOnset.growing) {
          verdict = fromOnset;
          times = times.slice(onset.index);
          sum = sum.slice(onset.index);
        }
      }
      if (!verdict.growing && !verdict.slowing) continue;
      const allocs = new Array<number>(n).fill(0);
      for (const m of g.members) series.allocated(h, m.slot, view).forEach((a, i) => (allocs[i] = allocs[i]! + a));
      const site: SiteWindow = { times, sum, allocs: allocs.slice(n - times.length), ...objectSizeOf(state, g), periodBytes: state.samplingPeriod ?? GO_DEFAULT_SAMPLING_PERIOD };
      // Whether growth is slowing, judged per unit of load where the load
      // fell (load-time.ts): a leak that keeps a record per request slows
      // with its traffic. Unclassified growth only: a class's buffers in
      // flight follow traffic by design, and its stack says what it is.
      const shapeTimes = g.classification.classId === UNCLASSIFIED.id ? loadTimeAxis(times, view.allocs.slice(n - times.length), site.allocs, site.periodBytes, SLOWING_Z, CONFIRM_RATE) : times;
      const shapeHours = hoursOf(shapeTimes);
      // The rate per hour of the shape's axis (per hour of average load there).
      let shapeRate = verdict.slopePerHour;
      if (shapeTimes !== times) {
        // Every check of its shape per unit of load; its rate stays the
        // wall clock's, as the finding reports it.
        const perLoad = assessTrend(shapeTimes, sum, heapBytes, params, g.classification.cls.trend);
        if (!perLoad.growing && !perLoad.slowing) continue;
        shapeRate = perLoad.slopePerHour;
        verdict = verdict.slopePerHour > 0 ? { ...perLoad, slopePerHour: verdict.slopePerHour, growthBytes: verdict.growthBytes } : perLoad;
      }
      // Known bugs and abnormally large buffers are no cache warming up, nor
      // load held in flight: their class says what they are, not their shape.
      const cacheLike = g.classification.cls.trend !== 'retained' && !VULNERABLE_VERSIONS.some((v) => v.classId === g.classification.classId);
      const alloc = allocContext(times, sum, site.allocs, verdict.slopePerHour);
      // Memory that follows load: inuse tracks the allocation rate, or keeps
      // no share of what was allocated beyond it, at the trend's own
      // significance (a daily traffic curve raises in-flight memory for hours).
      if (alloc?.followsLoad || (cacheLike && alloc !== undefined && !(alloc.retentionT > samplingZ))) continue;
      // Growth within the profiler's sampling error is no growth. (A slowing
      // fill stays: its info finding also keeps a longer horizon's growth
      // from reading as a leak.)
      if (verdict.growing && !exceedsSamplingError(sampledGrowth(site, verdict.growthBytes), samplingZ)) continue;
      const age = state.processStartMs === undefined ? undefined : Math.round((now - state.processStartMs) / MINUTE);
      const unconfirmed = cacheLike && warmupEnd !== undefined && times[0]! < warmupEnd && !wentOnAfter(warmupEnd, times, sum, shapeHours, shapeRate, heapBytes, params);
      // A cache nearing its bound keeps less of what it allocates (alloc.ts).
      const shares = cacheLike && verdict.growing ? keptShareByThird(sum, site.allocs, view.allocs.slice(n - times.length)) : undefined;
      const keptShares = shares && keepsFallingShare(shares, Math.max(1, variancePerByte(site.meanObjectBytes, site.periodBytes)), samplingZ) ? shares : undefined;
      // In the warm-up every growth is held at info, and "slowing" only picks
      // the label: "filling, slowing down" on a steady leak would mislead, so
      // there it must exceed the sampling error. Past the warm-up the thirds'
      // plain ordering stays: it holds a cache's warning at weaker evidence,
      // and a leak whose rate holds fails it again within minutes.
      if (young && verdict.decelerating && !slowsBeyondSamplingError(shapeTimes, sum, Math.max(1, variancePerByte(site.meanObjectBytes, site.periodBytes)), samplingZ)) {
        verdict = { ...verdict, decelerating: false };
      }
      // Found filling past the warm-up (in it, "filling" is only a label of
      // growth that is held anyway): a leak only once the slowing stopped.
      const filledFrom = cacheLike && verdict.growing && warmupEnd !== undefined && !young ? state.fillingSince?.get(g.classification.facts.function) : undefined;
      const anchored = filledFrom !== undefined && filledFrom >= warmupEnd!;
      const resumed = anchored ? resumedAfterFilling(filledFrom, times, sum, heapBytes, params, shapeHours) : undefined;
      const stillFilling = resumed === false;
      const slowerThanBefore = cacheLike && verdict.growing && !young ? slowerThanBeforeFirstSight(state, g, verdict, variancePerByte(site.meanObjectBytes, site.periodBytes), warmupEnd, params) : undefined;
      // Growth no known leak explains, whose rate fell over the points
      // judged: filling, until it went on at its rate after it was found
      // filling (the fall is behind it, as when a leak's traffic fell and
      // held low). A class's site holds buffers in flight whose rate
      // follows traffic; its stack, not its shape, says what it is.
      const rateFell = cacheLike && verdict.growing && resumed !== true && g.classification.classId === UNCLASSIFIED.id && rateFallsBeyondSamplingError(shapeTimes, sum, arrivalVariancePerByte(site.meanObjectBytes, site.periodBytes), SLOWING_Z);
      const entry = { spanMs: verdict.spanMs, verdict, detection: detectionOf(state, g, verdict, alloc, Math.round(horizonMs / MINUTE), age), cacheLike, unconfirmed, keptShares, stillFilling, slowerThanBefore, rateFell };
      entries.push([g.key, entry]);
      add(g.key, entry);
    }
    if (h > 0) state.cache?.set(h, { bucket, entries });
  });
  const found = new Map<string, Detection>();
  for (const list of judged.values()) {
    const growing = list.find((e) => e.verdict.growing);
    // Slowing seen over more history than the growth was judged on: the
    // rate is still falling, so the slowing has not stopped (a log-like fill
    // looks almost straight in a short window late in its life).
    const slowedLonger = growing && list.some((e) => e.verdict.slowing && e.verdict.reason?.startsWith('growth has slowed') && e.spanMs > growing.spanMs);
    const chosen = growing ?? list[0]!;
    const bounded = chosen.cacheLike && chosen.keptShares !== undefined;
    // Found filling before: escalates only once the slowing has stopped.
    const stillFilling = list.some((e) => e.stillFilling);
    const rateBefore = list.find((e) => e.slowerThanBefore !== undefined)?.slowerThanBefore;
    // Any horizon's: a log-like fill's falling rate shows over the process's
    // life long after a window of it looks straight.
    const rateFell = list.some((e) => e.rateFell);
    const why = !chosen.verdict.growing || slowedLonger || rateFell || stillFilling || rateBefore !== undefined || (chosen.cacheLike && chosen.verdict.decelerating) || bounded ? 'slowing' : (chosen.cacheLike && young) || chosen.unconfirmed ? 'young' : undefined;
    // Earlier processes that each ended while this site grew, held, stand in
    // for the warm-up's end that none of them reached (crash-loop.ts).
    const carried = state.carried?.get(chosen.detection.key);
    const d =
      why === 'slowing'
        ? asFilling(chosen.detection, bounded && !slowedLonger && !chosen.verdict.decelerating ? chosen.keptShares : undefined, stillFilling && chosen.verdict.growing, rateBefore)
        : why === 'young' && young && outlivedItsProcesses(carried)
          ? asCrashLoop(chosen.detection, carried)
          : why === 'young' && leakedInLastProcess(carried)
            ? asLeakedBefore(chosen.detection, carried)
          : why === 'young'
            ? asHeld(chosen.detection, warmupEnd ?? state.now, state.now, params)
            : chosen.detection;
    if (!found.has(d.key)) found.set(d.key, d);
  }
  // A site that grows like a leak is not also "filling".
  const leaking = new Set([...found.values()].filter((d) => d.classId !== 'cache-filling').map((d) => d.function));
  const sites = [...found.values()].filter((d) => !(d.classId === 'cache-filling' && leaking.has(d.function)));
  // A sync.Map's nodes growing beside a field leak are where it is kept (holders.ts).
  detections.push(...foldHolders(sites, state.openClasses));
  return detections;
}

/**
 * Growth found filling (its rate falling) at `filledFrom` is a leak only once
 * the slowing has stopped: since then it went on at a good fraction of the
 * rate it had in the window before (wentOnAfter). The reference is anchored
 * at the finding: a cache that keeps filling ever more slowly falls further
 * below it with every hour, however noisy each window's own curvature is,
 * while a leak wrongly taken for one keeps its rate and passes within
 * minutes. A window after the finding the split moves with the window: the
 * latest window against the one before it. A fill still slows from one
 * window to the next; a leak whose traffic fell for a while and came back
 * (or holds) keeps its rate from one window to the next, and is not held
 * for as long as the finding stays in a horizon. (Asking the slowing to
 * exceed the sampling error before it anchors spared noisy leaks 1–20
 * minutes, and let a held-out log-like cache warn again.) Undefined (no
 * anchor) when the points hold too little before the split to tell the
 * rate then.
 */
function resumedAfterFilling(filledFrom: number, times: readonly number[], values: readonly number[], heapBytes: number, params: DetectParams, hours = hoursOf(times)): boolean | undefined {
  const split = Math.max(filledFrom, times.at(-1)! - params.windowMs);
  const from = times.findIndex((t) => t >= split);
  const since = Math.max(0, times.findIndex((t) => t >= split - params.windowMs));
  if (from - since < ANCHOR_MIN_POINTS) return undefined;
  const rateThen = stretchRate(hours.slice(since, from), values.slice(since, from));
  if (!(rateThen > 0)) return undefined;
  return wentOnAfter(split, times, values, hours, rateThen, heapBytes, params);
}

/**
 * A process first watched past its warm-up (heapwatch deployed beside a
 * running service, a target added late) shows no warm-up: a cache that
 * filled in its first hours shows only its slowing tail, and a window of it
 * reads as straight as a leak. The site's level at first sight says how fast
 * it grew before: a leak that began with the process grew as fast then as
 * now, a cache faster, a leak that began later slower. So growth slower than
 * `CONFIRM_RATE` of the site's average rate before first sight, beyond the
 * sampling error of both (one-sided, `SLOWING_Z`), is filling. Returns
 * that average (bytes/h) when it is, for the finding to say.
 *
 * The level also holds whatever the site loaded at start, which no growth
 * explains: a site that loaded 150 MB and then leaks 10 MB/h reads as
 * filling. So the level speaks for the past only until the watch is as long
 * as the past it stands for, and at most the second horizon (6 h), which
 * then holds only watched points. Unclassified sites only: a Kitex class's
 * site holds buffers in flight and clients made at start, a level that is
 * no record of growth. The level at first sight is the site's floor (its
 * smallest inuse since; for growth, its first).
 */
function slowerThanBeforeFirstSight(state: EpochState, g: Group, verdict: TrendVerdict, bytesVariance: number, warmupEnd: number | undefined, params: DetectParams): number | undefined {
  if (warmupEnd === undefined || state.processStartMs === undefined || state.firstMs < warmupEnd) return undefined;
  if (g.classification.classId !== UNCLASSIFIED.id) return undefined;
  const unwatchedMs = state.firstMs - state.processStartMs;
  if (state.now - state.firstMs > Math.min(unwatchedMs, horizonsOf(params)[1] ?? params.windowMs)) return undefined;
  let before = 0;
  for (const m of g.members) before += state.series.floorOf(m.id) ?? 0;
  const spanMs = verdict.spanMs;
  const seen = (verdict.slopePerHour * spanMs) / 3_600_000;
  // What the window would have grown at CONFIRM_RATE of the rate before.
  const share = (CONFIRM_RATE * spanMs) / unwatchedMs;
  const expected = share * before;
  // Both are sampled: the window's growth, and the level at first sight.
  const variance = Math.max(1, bytesVariance) * (expected + share * share * before);
  return seen + SLOWING_Z * Math.sqrt(variance) < expected ? (before * 3_600_000) / unwatchedMs : undefined;
}

/** Points before the split that give the rate then (the fewest Mann–Kendall judges at p < 0.05). */
const ANCHOR_MIN_POINTS = 4;

function hoursOf(times: readonly number[]): number[] {
  return times.map((t) => (t - times[0]!) / 3_600_000);
}

/**
 * Whether growth went on after `from` at nearly `rateThen` (bytes per hour
 * of `hours`, the points' times in hours). Growth that began in the
 * warm-up is a leak only if it went on after the warm-up's end at a good
 * fraction of the window's rate; growth found filling, only if it went on
 * after the finding at a good fraction of its rate then. Once `minWindowMs`
 * has passed since `from`, the points since then must also pass every check
 * on their own. Before, the few points since (at least 4, the fewest
 * Mann–Kendall judges at p < 0.05) must trend up: a confirmation of a trend
 * the whole window already showed.
 */
function wentOnAfter(from: number, times: readonly number[], values: readonly number[], hours: readonly number[], rateThen: number, heapBytes: number, params: DetectParams): boolean {
  const first = times.findIndex((t) => t >= from);
  if (first < 0 || times.length - first < 4) return false;
  const postTimes = times.slice(first);
  const v = values.slice(first);
  const span = postTimes.at(-1)! - postTimes[0]!;
  // Enough points since then: every check on their own but the least
  // growth, which the window already showed (asked again of this part, it
  // holds a 3 MB/h leak back another 80 minutes). Few points over a long
  // time (a quiet service's rare GCs) get the confirmation below.
  const enough = span >= params.minWindowMs && v.length >= params.minPoints;
  if (enough ? !assessTrend(postTimes, v, heapBytes, withoutLeastGrowth(params)).growing : span < CONFIRM_SPAN_MS || !(mannKendall(v).pIncreasing < CONFIRM_P)) return false;
  // Either way, at nearly the reference rate: a bounded cache still fills
  // after the warm-up, ever more slowly, and trends on its own.
  return stretchRate(hours.slice(first), v) >= CONFIRM_RATE * rateThen;
}

/**
 * Confirmation of an already significant trend: a looser test on few
 * points, over a few minutes at least, at nearly the window's rate (a cache
 * that is about to fill, or slowing down, falls short).
 */
const CONFIRM_P = 0.05;
const CONFIRM_SPAN_MS = 5 * MINUTE;
const CONFIRM_RATE = 0.75;

/**
 * One-sided significance of a slowing that holds growth at info: a falling
 * rate (rateFallsBeyondSamplingError), and growth in a process first watched
 * past its warm-up slower than before (slowerThanBeforeFirstSight). A
 * confirmation's, as it only holds a warning at info, and a leak held by
 * chance escalates once its rate is seen to go on (resumedAfterFilling). On
 * the late-start replay of the corpus 0.1 held the same caches (and one more
 * 16 minutes longer); 0.2 also held a noisy 4-minute leak back 24 minutes.
 */
const SLOWING_Z = upperNormalQuantile(CONFIRM_P);

/** A judged site's window: its points, allocation per point, and what its sampling error depends on. */
interface SiteWindow {
  times: readonly number[];
  sum: readonly number[];
  /** Bytes allocated in the interval ending at each point (the first is not in the window). */
  allocs: readonly number[];
  meanObjectBytes: number | undefined;
  periodBytes: number;
}

function objectSizeOf(state: EpochState, g: Group): { meanObjectBytes: number | undefined } {
  let bytes = 0;
  let objects = 0;
  for (const m of g.members) {
    bytes += state.series.lastBytes(m.slot);
    objects += state.series.lastObjects(m.slot);
  }
  return { meanObjectBytes: objects > 0 ? bytes / objects : undefined };
}

/** The site's growth over its window, as sampling.ts judges it. */
function sampledGrowth(site: SiteWindow, growthBytes: number): SampledGrowth {
  const { sum } = site;
  let allocated = 0;
  for (let i = 1; i < site.allocs.length; i++) allocated += site.allocs[i]!;
  return {
    spanMs: site.times.at(-1)! - site.times[0]!,
    points: sum.length,
    // The level before the growth, from the first tenth (one point is one draw of its error).
    baseBytes: median(sum.slice(0, Math.max(3, Math.floor(sum.length / 10)))),
    growthBytes,
    allocatedBytes: allocated > 0 ? allocated : undefined,
    meanObjectBytes: site.meanObjectBytes,
    periodBytes: site.periodBytes,
  };
}

function withoutLeastGrowth(p: DetectParams): DetectParams {
  return { ...p, minGrowthBytes: 0, minGrowthRatio: 0 };
}

function detectionOf(state: EpochState, g: Group, verdict: TrendVerdict, alloc: AllocContext | undefined, horizonMinutes: number, age: number | undefined): Detection {
  const { classification, members } = g;
  const { meanObjectBytes } = objectSizeOf(state, g);
  const top = members.reduce((a, b) => (b.stack.growthBytes > a.stack.growthBytes ? b : a));
  const { cls, facts } = classification;
  return {
    key: g.key,
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
      versions: relevantVersions(state),
      meanObjectBytes: meanObjectBytes === undefined ? undefined : Math.round(meanObjectBytes),
      matchedFrames: classification.matchedFrames,
      stacks: members.reduce((n, m) => n + (state.stacksIn?.(m.id) ?? 1), 0),
      storedBy: members.map((m) => state.containerOf?.(m.id) ?? containerInsert(m.stack.frames, facts.function)).find((c) => c !== undefined),
      pValue: verdict.pValue,
      windowMinutes: Math.round(verdict.spanMs / MINUTE),
      horizonMinutes,
      processAgeMinutes: age,
      ...(alloc
        ? { allocation: describeAllocation(alloc, verdict.slopePerHour), allocBytesPerMinute: Math.round(alloc.allocBytesPerMinute), keptShare: Number(alloc.keptShare.toFixed(3)) }
        : {}),
    },
  };
}

/**
 * The same growth, reported as a cache filling up (info) rather than a leak:
 * its rate keeps falling, or it keeps a falling share of what it allocates
 * (`shares`, first and last third: it replaces entries as it nears a bound).
 */
function asFilling(d: Detection, shares?: KeptShares, slowerThanWhenFound = false, rateBeforeFirstSight?: number): Detection {
  const pct = (x: number): string => `${Math.round(Math.min(1, Math.max(0, x)) * 100)} %`;
  const why = shares
    ? { summary: `keeps ${pct(shares.last)} of what it allocates, down from ${pct(shares.first)}`, note: 'keeps a falling share of what it allocates: nearing a bound' }
    : rateBeforeFirstSight !== undefined
      ? { summary: `${formatRate(d.bytesPerHour)}, down from ${formatRate(rateBeforeFirstSight)} before it was first watched`, note: 'first watched past its warm-up, with more in use than its rate since could have built: it grew faster before' }
      : slowerThanWhenFound
        ? { summary: `${formatRate(d.bytesPerHour)}, not back to its rate before it slowed`, note: 'has not regained the rate of the window before it was found filling (a window later: of the window before the latest)' }
        : { summary: `${formatRate(d.bytesPerHour)} and falling`, note: 'growth rate keeps falling' };
  return {
    ...d,
    key: `${FILLING_CACHE.id}|${d.function}`,
    classId: FILLING_CACHE.id,
    severity: 'info',
    title: FILLING_CACHE.title,
    headline: `${d.function} is filling up`,
    summary: `${d.function}: filling, slowing down (${why.summary})`,
    remediation: FILLING_CACHE.remediation,
    docUrl: FILLING_CACHE.docUrl,
    evidence: { ...d.evidence, escalatesTo: d.classId, note: why.note },
  };
}

/**
 * The same growth, with its leak class, held at `info` during the process's
 * warm-up: a leak that starts with its process and a cache filling at a
 * constant rate in its first `warmupMs` show the same inuse and alloc
 * signals, so neither is a warning yet, and neither is hidden. The finding
 * tracker escalates the same finding once the growth continues past it.
 */
function asHeld(d: Detection, warmupEnd: number, now: number, params: DetectParams): Detection {
  const warmup = Math.round(params.warmupMs / MINUTE);
  const until = new Date(warmupEnd).toISOString();
  const age = d.evidence.processAgeMinutes ?? '?';
  const reason =
    now < warmupEnd
      ? `growing since the process started (${age} min ago) at a steady rate; held at info until the process is ${warmup} min old (${until}), since a warm-up cache fill looks the same`
      : `growing since the process's first ${warmup} min; held at info until the growth is confirmed to continue after the warm-up ended (${until}), since a warm-up cache fill looks the same`;
  return {
    ...d,
    severity: 'info',
    summary: `${d.summary}; held at info until the process is ${warmup} min old (${until}), then a ${d.severity} if it keeps growing`,
    evidence: { ...d.evidence, hold: { reason, until } },
  };
}

/** A known-leaky module version is worth an `info` finding before any growth shows. */
function versionDetections(state: EpochState): Detection[] {
  const ctx: ProcessContext = { modules: state.modules, functions: state.functions, growing: [] };
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

function relevantVersions(state: EpochState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [m, v] of state.modules) if (CLOUDWEGO.test(m)) out[m] = v;
  return out;
}

