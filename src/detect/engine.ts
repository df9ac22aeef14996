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
import { allocContext, keepsFallingShare, keptShareByThird, type KeptShares } from './alloc.js';
import { judgedByShape, UNCLASSIFIED, type LeakClassId } from './classes.js';
import { CONFIRM_RATE, SLOWING_Z, STILL_SLOWING_Z, grewBeyondReplacedError, hoursOf, resumedAfterFilling, slowerThanBeforeFirstSight, wentOnAfter } from './confirm.js';
import { asCrashLoop, asLeakedBefore, leakedInLastProcess, outlivedItsProcesses, type CarriedGrowth } from './crash-loop.js';
import { asFilling, asHeld, detectionOf, versionDetections, type Detection } from './detection.js';
import { groupsOf, meanObjectBytesOf, sumOf, sumOver, type Group } from './groups.js';
import type { EpochSeries } from './history.js';
import { foldHolders } from './holders.js';
import { loadTimeAxis } from './load-time.js';
import { horizonsOf, type DetectParams } from './params.js';
import { refillsInAnyHorizon } from './refill.js';
import { median, upperNormalQuantile } from './stats.js';
import { assessTrend, growthOnset, type TrendVerdict } from './trend.js';
import { arrivalVariancePerByte, rateFallsBeyondSamplingError, exceedsSamplingError, slowsBeyondSamplingError, variancePerByte, sampledGrowth, GO_DEFAULT_SAMPLING_PERIOD, type SampledSite } from './sampling.js';

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
   * (resumedAfterFilling), and its falling rate is judged at the looser
   * STILL_SLOWING_Z (hysteresis).
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

const MINUTE = 60_000;

export function evaluateEpoch(state: EpochState, params: DetectParams): Detection[] {
  const detections: Detection[] = [...versionDetections(state)];
  const { series, now } = state;
  const horizons = horizonsOf(params);
  const warmupEnd = state.processStartMs === undefined ? undefined : state.processStartMs + params.warmupMs;
  const context: EpochContext = { warmupEnd, young: warmupEnd !== undefined && now < warmupEnd, samplingZ: upperNormalQuantile(params.maxPValue), refills: new Map() };
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
    const entries = cached && cached.bucket === bucket ? cached.entries : judgeHorizon(state, params, context, h, horizonMs);
    for (const [key, entry] of entries) add(key, entry);
    if (h > 0) state.cache?.set(h, { bucket, entries });
  });
  const found = new Map<string, Detection>();
  for (const list of judged.values()) {
    const d = decide(list, state, params, context);
    if (!found.has(d.key)) found.set(d.key, d);
  }
  // A site that grows like a leak is not also "filling".
  const leaking = new Set([...found.values()].filter((d) => d.classId !== 'cache-filling').map((d) => d.function));
  const sites = [...found.values()].filter((d) => !(d.classId === 'cache-filling' && leaking.has(d.function)));
  // A sync.Map's nodes growing beside a field leak are where it is kept (holders.ts).
  detections.push(...foldHolders(sites, state.openClasses));
  return detections;
}

/** What an evaluation knows of the process before it judges any site. */
interface EpochContext {
  /** When (ms) the process's warm-up ends, when its start is known. */
  warmupEnd: number | undefined;
  /** The process is still in its warm-up. */
  young: boolean;
  /** The one-sided normal quantile of `maxPValue`: the sampling error's bound. */
  samplingZ: number;
  /** Each site's refill (refill.ts), read once per evaluation: it looks at every horizon whichever one is judged. */
  refills: Map<string, boolean>;
}

/** Every growing site's judgement over one horizon (the window, or a longer one). */
function judgeHorizon(state: EpochState, params: DetectParams, context: EpochContext, h: number, horizonMs: number): [string, Judged][] {
  const view = state.series.view(h, state.now - horizonMs);
  if (view.times.length < 2) return [];
  const heapBytes = median(view.totals);
  const groups = groupsOf({ series: state.series, horizon: h, view, frames: state.frames, modules: state.modules, functions: state.functions, minRise: params.minGrowthBytes / 4 });
  const entries: [string, Judged][] = [];
  for (const g of groups) {
    const entry = judgeSite(state, params, context, { h, horizonMs, view, heapBytes }, g);
    if (entry) entries.push([g.key, entry]);
  }
  return entries;
}

/** One horizon's points, as judgeHorizon hands them to each site. */
interface HorizonView {
  h: number;
  horizonMs: number;
  view: ReturnType<EpochSeries['view']>;
  /** The heap's median total over the horizon: the scale of the least growth. */
  heapBytes: number;
}

/**
 * One site over one horizon: whether it grows (from its onset when growth
 * began after a flat stretch), or follows load, or stays within the
 * profiler's sampling error; and, when it grows, every sign that it is a
 * cache filling or warming up rather than a leak, for decide() to weigh
 * across horizons. Undefined when it neither grows nor slows.
 */
function judgeSite(state: EpochState, params: DetectParams, { warmupEnd, young, samplingZ, refills }: EpochContext, { h, horizonMs, view, heapBytes }: HorizonView, g: Group): Judged | undefined {
  const { now } = state;
  const n = view.times.length;
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
  if (!verdict.growing && !verdict.slowing) return undefined;
  const allocs = sumOver(state.series, h, g.members, view, 'allocated');
  const site: SampledSite = { times, sum, allocs: allocs.slice(n - times.length), meanObjectBytes: meanObjectBytesOf(state.series, g.members), periodBytes: state.samplingPeriod ?? GO_DEFAULT_SAMPLING_PERIOD };
  // The sampled estimate's variance per byte, and whether a class's stack
  // says what the site is: its slowing then counts only beyond that error.
  const bytesVariance = Math.max(1, variancePerByte(site.meanObjectBytes, site.periodBytes));
  const classified = g.classification.classId !== UNCLASSIFIED.id;
  if (classified && verdict.slowedDown && !slowsBeyondSamplingError(times, sum, bytesVariance, samplingZ)) {
    verdict = { ...verdict, growing: true, slowing: false, slowedDown: false, reason: undefined };
  }
  // Whether growth is slowing, judged per unit of load where the load
  // fell (load-time.ts): a leak that keeps a record per request slows
  // with its traffic. Unclassified growth only: a class's buffers in
  // flight follow traffic by design, and its stack says what it is.
  const shapeTimes = !classified ? loadTimeAxis(times, view.allocs.slice(n - times.length), site.allocs, site.periodBytes, SLOWING_Z, CONFIRM_RATE) : times;
  const shapeHours = hoursOf(shapeTimes);
  // The rate per hour of the shape's axis (per hour of average load there).
  let shapeRate = verdict.slopePerHour;
  if (shapeTimes !== times) {
    // Every check of its shape per unit of load; its rate stays the
    // wall clock's, as the finding reports it.
    const perLoad = assessTrend(shapeTimes, sum, heapBytes, params, g.classification.cls.trend);
    if (!perLoad.growing && !perLoad.slowing) return undefined;
    shapeRate = perLoad.slopePerHour;
    verdict = verdict.slopePerHour > 0 ? { ...perLoad, slopePerHour: verdict.slopePerHour, growthBytes: verdict.growthBytes } : perLoad;
  }
  // Known bugs and abnormally large buffers are no cache warming up, nor
  // load held in flight: their class says what they are, not their shape.
  const cacheLike = judgedByShape(g.classification.classId, g.classification.cls.trend);
  // A sawtooth: growth no higher than what the site already gave back in
  // this process (refill.ts).
  if (cacheLike && (refills.get(g.key) ?? remember(refills, g.key, refillsInAnyHorizon(state, params, g, samplingZ)))) return undefined;
  const alloc = allocContext(times, sum, site.allocs, verdict.slopePerHour);
  // Memory that follows load: inuse tracks the allocation rate, or keeps
  // no share of what was allocated beyond it, at the trend's own
  // significance (a daily traffic curve raises in-flight memory for hours).
  if (alloc?.followsLoad || (cacheLike && alloc !== undefined && !(alloc.retentionT > samplingZ))) return undefined;
  // Growth within the profiler's sampling error is no growth. (A slowing
  // fill stays: its info finding also keeps a longer horizon's growth
  // from reading as a leak.)
  if (verdict.growing && !exceedsSamplingError(sampledGrowth(site, verdict.growthBytes), samplingZ)) return undefined;
  const age = state.processStartMs === undefined ? undefined : Math.round((now - state.processStartMs) / MINUTE);
  // Growth that began in the warm-up is held until it went on past it at
  // its rate, and beyond the drift of what the site replaced since (a store
  // that filled and now turns over reads as rising for a while). A class's
  // site falls short of its rate only beyond the sampling error, as its
  // slowing does above: its stack says what it is.
  const unconfirmed = cacheLike && warmupEnd !== undefined && times[0]! < warmupEnd && (!wentOnAfter(warmupEnd, times, sum, shapeHours, shapeRate, heapBytes, params, classified ? bytesVariance : undefined) || !grewBeyondReplacedError(warmupEnd, site, samplingZ));
  // A cache nearing its bound keeps less of what it allocates (alloc.ts),
  // unless its class says its site allocates in flight beside what it keeps.
  const shares = cacheLike && verdict.growing && !g.classification.cls.allocatesInFlight ? keptShareByThird(sum, site.allocs, view.allocs.slice(n - times.length)) : undefined;
  const keptShares = shares && keepsFallingShare(shares, bytesVariance, samplingZ) ? shares : undefined;
  // In the warm-up every growth is held at info, and "slowing" only picks
  // the label: "filling, slowing down" on a steady leak would mislead, so
  // there it must exceed the sampling error, and so must a class's site's
  // at any age (its stack says what it is). Past the warm-up the thirds'
  // plain ordering stays for growth no class explains: it holds a cache's
  // warning at weaker evidence, and a leak whose rate holds fails it again
  // within minutes.
  if ((young || classified) && verdict.decelerating && !slowsBeyondSamplingError(shapeTimes, sum, bytesVariance, samplingZ)) {
    verdict = { ...verdict, decelerating: false };
  }
  // Found filling past the warm-up (in it, "filling" is only a label of
  // growth that is held anyway): a leak only once the slowing stopped.
  const filledFrom = cacheLike && verdict.growing && warmupEnd !== undefined && !young ? state.fillingSince?.get(g.classification.facts.function) : undefined;
  const anchored = filledFrom !== undefined && filledFrom >= warmupEnd!;
  const resumed = anchored ? resumedAfterFilling(filledFrom, times, sum, heapBytes, params, shapeHours) : undefined;
  const stillFilling = resumed === false;
  const slowerThanBefore = cacheLike && verdict.growing && !young ? slowerThanBeforeFirstSight(state, g, verdict, bytesVariance, warmupEnd, params) : undefined;
  // Growth no known leak explains, whose rate fell over the points
  // judged: filling, until it went on at its rate after it was found
  // filling (the fall is behind it, as when a leak's traffic fell and
  // held low). A class's site holds buffers in flight whose rate
  // follows traffic; its stack, not its shape, says what it is. Found
  // filling already, it stays so at a looser significance (hysteresis).
  const fallZ = state.fillingSince?.has(g.classification.facts.function) ? STILL_SLOWING_Z : SLOWING_Z;
  const rateFell = cacheLike && verdict.growing && resumed !== true && !classified && rateFallsBeyondSamplingError(shapeTimes, sum, arrivalVariancePerByte(site.meanObjectBytes, site.periodBytes), fallZ);
  return { spanMs: verdict.spanMs, verdict, detection: detectionOf(state, g, verdict, alloc, Math.round(horizonMs / MINUTE), age, site.meanObjectBytes), cacheLike, unconfirmed, keptShares, stillFilling, slowerThanBefore, rateFell };
}

/**
 * One decision per site from every horizon's judgement of it: a leak with
 * its class, a cache filling (its rate fell, or it keeps a falling share of
 * what it allocates), or growth held at info through the warm-up.
 */
function decide(list: readonly Judged[], state: EpochState, params: DetectParams, { warmupEnd, young }: EpochContext): Detection {
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
  if (why === 'slowing') return asFilling(chosen.detection, bounded && !slowedLonger && !chosen.verdict.decelerating ? chosen.keptShares : undefined, stillFilling && chosen.verdict.growing, rateBefore);
  if (why === 'young' && young && outlivedItsProcesses(carried)) return asCrashLoop(chosen.detection, carried);
  if (why === 'young' && leakedInLastProcess(carried)) return asLeakedBefore(chosen.detection, carried);
  if (why === 'young') return asHeld(chosen.detection, warmupEnd ?? state.now, state.now, params);
  return chosen.detection;
}

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  memo.set(key, value);
  return value;
}
