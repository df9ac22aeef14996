/**
 * Detection for one target: the current process epoch's history in a fixed
 * memory budget (history.ts), the process's estimated age, how stale its
 * profiles are, and the finding lifecycle. The daemon feeds it each stored
 * profile (with the store's epoch id); `analyze` feeds it files. Both get the
 * same engine, the same defaults and the same lifecycle.
 */
import { largeOnAverage, sampleTotal, type HeapProfile } from '../pprof/profile.js';
import { carryOver, outlivedItsProcesses, withOpenWarnings, type CarriedGrowth } from './crash-loop.js';
import type { Detection } from './detection.js';
import { evaluateEpoch, type EpochState } from './engine.js';
import { EpochSeries, type StackPoint } from './history.js';
import { LargeRequestWatch } from './large-requests.js';
import { SHARED_NAMES, type NameTable } from './names.js';
import { FindingTracker, type Finding, type FindingEvent } from './findings.js';
import { stillGrowing, type OpenSite } from './hysteresis.js';
import { horizonsOf, type DetectParams } from './params.js';
import { StackSites } from './stack-sites.js';
import { StaleTracker, type Staleness } from './stale.js';

/** The process's counters at one point: bytes allocated since it started, and in use. */
interface CounterPoint {
  t: number;
  alloc: number;
  inuse: number;
}

/** One target's detection state: profiles in, finding events out. The daemon keeps one per target; `analyze` one per replay. */
export class DetectionSession {
  readonly #params: DetectParams;
  readonly #tracker: FindingTracker;
  readonly #names: NameTable;
  readonly #stale = new StaleTracker();
  /** The current process's stacks and the sites they are judged under. */
  #stacks: StackSites;
  /** The current process's abnormally large request buffers, a risk seen in peaks (large-requests.ts). */
  #large = new LargeRequestWatch();
  #series: EpochSeries;
  /** The longer horizons' judgements until their bucket changes (engine.ts). */
  #cache: NonNullable<EpochState['cache']> = new Map();
  #modules = new Map<string, string>();
  #functions = new Set<string>();
  #epoch: string | undefined;
  /** The latest evaluation, which a stale profile repeats at its own time (observeStale). */
  #lastJudgement: { epoch: string; t: number; detections: Detection[]; stillGrowing: Set<string>; params: DetectParams } | undefined;
  /** Sites held in the warm-up when each of the latest processes ended (crash-loop.ts); outlives #reset. */
  #carried: ReadonlyMap<string, CarriedGrowth> = new Map();
  /** The main binary's build id in the latest profile ('' when profiles carry none). */
  #buildId = '';
  /** The latest profile's sampling period (undefined: Go's default). */
  #samplingPeriod: number | undefined;
  /** Profiles of this epoch that changed (judged). */
  #points = 0;
  // Anchors of the process-age estimate: first point of the epoch and the latest.
  #first: CounterPoint | undefined;
  #last: CounterPoint | undefined;

  constructor(params: DetectParams, openFindings: Finding[] = [], names: NameTable = SHARED_NAMES) {
    this.#params = params;
    this.#names = names;
    this.#tracker = new FindingTracker(params, openFindings);
    this.#stacks = new StackSites(names);
    this.#epoch = openFindings[0]?.epoch;
    this.#series = this.#newSeries();
  }

  /**
   * Restores an epoch's history from the store (after a daemon restart), so
   * detection resumes where it was instead of waiting a whole window and
   * meanwhile resolving findings that are still growing.
   */
  seed(epoch: string, history: SeedHistory): void {
    this.#epoch = epoch;
    this.#reset();
    this.#modules = new Map(history.modules);
    this.#functions = new Set([...history.functions].map((f) => this.#names.canonical(f)));
    for (const p of history.points) {
      const stacks = new Map<number, StackPoint>();
      for (const [stackId, v] of p.stacks) {
        const names = history.frames.get(stackId);
        if (!names) continue;
        const id = this.#stacks.idOfNames(names);
        // Scrapes stored before their sizes were (migration 008): a stack is large by its mean.
        const byMean = largeOnAverage(v[0], v[1]);
        const largeBytes = v[3] ?? (byMean ? v[0] : 0);
        const largeObjects = v[4] ?? (byMean ? v[1] : 0);
        stacks.set(id, { bytes: v[0], objects: v[1], allocDelta: v[2] ?? 0, largeBytes, largeObjects });
      }
      this.#append(p.t, p.totalBytes, p.allocBytes ?? 0, stacks);
    }
  }

  /** What the session carries into its current process (crash-loop.ts); undefined before its first. */
  carry(): ProcessCarry | undefined {
    return this.#epoch === undefined ? undefined : { epoch: this.#epoch, buildId: this.#buildId, carried: this.#carried };
  }

  /**
   * Restores a carry saved by an earlier run of the daemon (store/carry.ts),
   * before `seed` or the first profile: into the current process, or into
   * the one before it, whose end this run then sees. Ignored when the open
   * findings the session was built with belong to another process.
   */
  restoreCarry(carry: ProcessCarry): void {
    if (this.#epoch !== undefined && this.#epoch !== carry.epoch) return;
    this.#epoch = carry.epoch;
    this.#buildId = carry.buildId;
    this.#carried = carry.carried;
  }

  /** Adds a profile of `epoch` taken at `t` (ms) and evaluates. */
  observe(epoch: string, t: number, profile: HeapProfile): FindingEvent[] {
    const events: FindingEvent[] = [];
    if (epoch !== this.#epoch) {
      // The leak warnings still open as the process ends (crash-loop.ts).
      const openWarnings = this.#tracker.open().filter((f) => f.severity !== 'info');
      if (this.#epoch !== undefined) events.push(...this.#tracker.endEpoch(t));
      // A process seen for less than `min_window` (a short process, or one
      // mostly lost to an outage of the scrapes) was never judged. Seen long
      // enough, it is judged now (#judgeShortLife); else it says nothing of
      // whether a site grew until it ended, so it neither adds to a crash
      // loop's chain nor breaks it.
      const seenMs = this.#first && this.#last ? this.#last.t - this.#first.t : 0;
      const last = this.#lastJudgement;
      const shortLife = seenMs < this.#params.minWindowMs && last && last.epoch === this.#epoch ? this.#judgeShortLife(last.t, seenMs) : undefined;
      if (seenMs >= this.#params.minWindowMs) this.#carried = last && last.epoch === this.#epoch ? carryOver(last.detections, last.t, this.#carried, openWarnings) : new Map();
      // A process that died younger than `min_window` but was seen long
      // enough to be judged over its life: a crash loop whose processes each
      // die within minutes is a chain like any other.
      else if (shortLife) this.#carried = carryOver(shortLife, last!.t, this.#carried, openWarnings);
      // A process that an earlier run of the daemon judged (its carry and
      // open findings restored from the store) ended while the daemon was
      // down: its chains go on unchanged, and its open warnings are carried.
      else if (this.#first === undefined) this.#carried = withOpenWarnings(this.#carried, openWarnings);
      // A new build may be the fix: what leaked in the old one is no evidence about it.
      if (this.#buildId !== '' && profile.buildId !== '' && profile.buildId !== this.#buildId) this.#carried = new Map([...this.#carried].filter(([, c]) => c.leakedAtAge === undefined));
      this.#epoch = epoch;
      this.#reset();
    }
    for (const m of profile.modules) this.#modules.set(m.path, m.version);
    for (const f of profile.functions) this.#functions.add(this.#names.canonical(f.name));
    this.#buildId = profile.buildId;
    this.#stale.record(t, false);
    this.#append(t, sampleTotal(profile, 'inuse_space'), sampleTotal(profile, 'alloc_space'), this.#stacks.fromProfile(profile));
    this.#samplingPeriod = profile.period > 0 ? profile.period : undefined;
    const state = this.#state(t);
    const params = this.#inShortLivedLoop(t) ? shortLifeParams(this.#params) : this.#params;
    const risk = this.#large.detection(t, this.#params.windowMs, { modules: this.#modules, functions: this.#functions, growing: [] }, (id) => this.#stacks.frames(id));
    const detections = risk ? [...evaluateEpoch(state, params), risk] : evaluateEpoch(state, params);
    const growing = stillGrowing(state, params, this.#dueToResolve(t, detections));
    this.#lastJudgement = { epoch, t, detections, stillGrowing: growing, params };
    events.push(...this.#tracker.update(epoch, t, detections, growing));
    return events;
  }

  /** Open findings that `detections` at `t` would resolve, for the hysteresis to judge (hysteresis.ts). */
  #dueToResolve(t: number, detections: readonly Detection[]): OpenSite[] {
    return this.#tracker.dueToResolve(t, detections).map(
      (f): OpenSite => ({ key: f.key, classId: f.classId, function: f.function, bytesPerHour: f.bytesPerHour, lastSeenAt: f.lastSeenAt, horizonMinutes: f.evidence.horizonMinutes, allocBytesPerMinute: f.evidence.allocBytesPerMinute }),
    );
  }

  #state(t: number, cache: EpochState['cache'] = this.#cache): EpochState {
    return {
      series: this.#series,
      now: t,
      firstMs: this.#first?.t ?? t,
      processStartMs: this.processStartMs(),
      frames: (id) => this.#stacks.frames(id),
      stacksIn: (id) => this.#stacks.stacksIn(id),
      modules: this.#modules,
      functions: this.#functions,
      samplingPeriod: this.#samplingPeriod,
      cache,
      carried: this.#carried,
      fillingSince: this.#tracker.fillingSince(),
      openClasses: this.#tracker.openClasses(),
      containerOf: (id) => this.#stacks.containerOf(id),
    };
  }

  /**
   * The process that just ended, seen for `seenMs` (less than `min_window`),
   * judged over its whole life at its last point `t`: what grew steadily
   * until it died. Judged only if that life holds `min_points` changed
   * profiles and half of `min_window` (the trend test's own floors; the
   * evidence of a crash loop is its repetition over processes, so one short
   * life stands in for a window). Undefined otherwise.
   */
  #judgeShortLife(t: number, seenMs: number): Detection[] | undefined {
    const params = shortLifeParams(this.#params);
    if (this.#points < params.minPoints || seenMs < params.minWindowMs) return undefined;
    return evaluateEpoch(this.#state(t, undefined), params);
  }

  /**
   * In the warm-up of a process whose predecessors each died younger than
   * `min_window` while a site grew (a crash loop of short lives): judged on
   * the shorter window those lives were judged on, or this process too would
   * die before a judgement.
   */
  #inShortLivedLoop(t: number): boolean {
    const start = this.processStartMs();
    if (start === undefined || t - start >= this.#params.warmupMs) return false;
    const minWindowMinutes = this.#params.minWindowMs / 60_000;
    return [...this.#carried.values()].some((c) => outlivedItsProcesses(c) && c.endAges.some((age) => age < minWindowMinutes));
  }

  /**
   * A profile identical to the previous one (no GC since): counted, and not
   * judged again, but the last judgement still holds at `t`. The heap it
   * describes has not changed, so a condition that held then holds now, and
   * its `for` clock runs on: like a Prometheus rule over an unchanged series.
   * Without this, a quiet service's leak seen at one rare GC would wait for
   * the next one, half an hour later, to open.
   */
  observeStale(t: number): FindingEvent[] {
    this.#stale.record(t, true);
    const last = this.#lastJudgement;
    if (!last || last.epoch !== this.#epoch) return [];
    // A finding that falls due only now (its last pass is `resolve_after`
    // old) was not judged then: the points since it passed must still show
    // it stopped. They are the same points; without this it resolved
    // unjudged at a stale profile and was raised again at the next change.
    const due = this.#dueToResolve(t, last.detections).filter((f) => !last.stillGrowing.has(f.key));
    const growing = due.length === 0 ? last.stillGrowing : new Set([...last.stillGrowing, ...stillGrowing(this.#state(t), last.params, due)]);
    return this.#tracker.update(last.epoch, t, last.detections, growing);
  }

  staleness(now: number): Staleness {
    return this.#stale.staleness(now);
  }

  /**
   * The process's start, estimated from its allocation counter: alloc_space
   * counts every byte since the process started. What the process freed
   * (alloc minus inuse) accrues at its steady rate of garbage, so at the
   * epoch's rate the bytes freed before the first point took `freed / rate`
   * to free. Counting what is still live too would date the start too early
   * by the time a startup working set (a loaded config, a preloaded cache)
   * takes to allocate at the steady rate: minutes for a large working set,
   * which would end the warm-up hold that much too soon. Falls back to the
   * allocation counter alone when nothing was freed. Undefined until two
   * points with allocation.
   */
  processStartMs(): number | undefined {
    const a = this.#first;
    const b = this.#last;
    if (!a || !b || !(b.t > a.t) || !(b.alloc > a.alloc)) return undefined;
    const freedRate = (b.alloc - b.inuse - (a.alloc - a.inuse)) / (b.t - a.t);
    if (freedRate > 0 && a.alloc >= a.inuse) return a.t - (a.alloc - a.inuse) / freedRate;
    return a.t - a.alloc / ((b.alloc - a.alloc) / (b.t - a.t));
  }

  /** Memory of the detection state (typed arrays; the bounded part) and the stacks with a baseline. */
  budget(): { fixedBytes: number; trackedStacks: number; baselines: number; knownStacks: number } {
    return { fixedBytes: this.#series.fixedBytes, trackedStacks: this.#series.trackedStacks().length, baselines: this.#series.baselines, knownStacks: this.#stacks.known };
  }

  /** A new process: new stacks, new history. */
  #reset(): void {
    this.#series = this.#newSeries();
    this.#cache = new Map();
    this.#stacks = new StackSites(this.#names);
    this.#large = new LargeRequestWatch();
    this.#modules = new Map();
    this.#functions = new Set();
    this.#first = undefined;
    this.#last = undefined;
    this.#lastJudgement = undefined;
    this.#points = 0;
  }

  #newSeries(): EpochSeries {
    return new EpochSeries(horizonsOf(this.#params), this.#params.bucketsPerHorizon, this.#params.maxTrackedStacks);
  }

  #append(t: number, total: number, allocTotal: number, stacks: Map<number, StackPoint>): void {
    const processAllocDelta = this.#last ? Math.max(0, allocTotal - this.#last.alloc) : 0;
    const firstOfEpoch = this.#first === undefined;
    this.#first ??= { t, alloc: allocTotal, inuse: total };
    this.#last = { t, alloc: allocTotal, inuse: total };
    this.#points++;
    // Before bySite, which sums stacks into the first member's point.
    this.#large.observe(t, total, stacks, (id) => this.#stacks.frames(id));
    this.#series.append(t, total, processAllocDelta, this.#stacks.bySite(stacks, firstOfEpoch));
  }

  /** The process is gone (restart seen elsewhere, or the target left the config). */
  end(t: number, reason: string): FindingEvent[] {
    this.#epoch = undefined;
    this.#carried = new Map();
    this.#reset();
    return this.#tracker.endEpoch(t, reason);
  }

  open(): Finding[] {
    return this.#tracker.open();
  }
}

/** What a session carries into a process (`epoch`, of build `buildId`) from the ones before it: kept in the store across daemon restarts. */
export interface ProcessCarry {
  epoch: string;
  buildId: string;
  carried: ReadonlyMap<string, CarriedGrowth>;
}

/** A stored epoch's history, to rebuild a session after a daemon restart without waiting for new points. */
export interface SeedHistory {
  /** Oldest first; may be produced lazily (each point is copied as it is read). */
  points: Iterable<{
    t: number;
    totalBytes: number;
    /** The process's alloc_space total (for the process-age estimate); 0 when unknown. */
    allocBytes?: number;
    /**
     * Stack id -> [inuse bytes, inuse objects, alloc bytes since the previous
     * point, inuse bytes and objects in large objects]; without the last two,
     * the stack is large or not by its mean.
     */
    stacks: ReadonlyMap<number, readonly [number, number, number?, number?, number?]>;
  }>;
  frames: ReadonlyMap<number, readonly string[]>;
  modules: ReadonlyMap<string, string>;
  functions: ReadonlySet<string>;
}

/** Detection in and at the end of processes that die younger than `min_window` (session.ts: #judgeShortLife): half its time floor. */
function shortLifeParams(p: DetectParams): DetectParams {
  return { ...p, minWindowMs: p.minWindowMs / 2 };
}
