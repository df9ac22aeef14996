/**
 * Detection for one target: the window of recent points of the current
 * process epoch, and the finding lifecycle. The daemon feeds it each stored
 * profile (with the store's epoch id); `analyze` feeds it files. Both get the
 * same engine, the same defaults and the same lifecycle.
 */
import { FrameSequenceMap } from '../pprof/frame-sequences.js';
import { stackCount, stackFrames, stackValue, type HeapProfile } from '../pprof/profile.js';
import { evaluateEpoch } from './engine.js';
import { SHARED_NAMES, type NameTable } from './names.js';
import { FindingTracker, type Finding, type FindingEvent } from './findings.js';
import type { DetectParams } from './params.js';

export class DetectionSession {
  readonly #params: DetectParams;
  readonly #tracker: FindingTracker;
  readonly #names: NameTable;
  /** Stack (interned name ids) -> stack id; stack id -> frames (shared name strings). */
  readonly #stackIds = new FrameSequenceMap();
  /** One stack's name ids, reused for every stack of every profile. */
  #scratch = new Uint32Array(256);
  #frames: string[][] = [];
  // The window in column form (see EpochHistory): times, totals, per-stack bytes.
  #times: number[] = [];
  #totals: number[] = [];
  #series = new Map<number, number[]>();
  #lastObjects = new Map<number, number>();
  #modules = new Map<string, string>();
  #functions = new Set<string>();
  #epoch: string | undefined;

  constructor(params: DetectParams, openFindings: Finding[] = [], names: NameTable = SHARED_NAMES) {
    this.#params = params;
    this.#names = names;
    this.#tracker = new FindingTracker(params, openFindings);
    this.#epoch = openFindings[0]?.epoch;
  }

  /**
   * Restores the window of an epoch from stored history (after a daemon
   * restart), so detection resumes where it was instead of waiting a whole
   * window and meanwhile resolving findings that are still growing.
   */
  seed(epoch: string, history: SeedHistory): void {
    this.#epoch = epoch;
    this.#reset();
    this.#modules = new Map(history.modules);
    this.#functions = new Set([...history.functions].map((f) => this.#names.canonical(f)));
    for (const p of history.points) {
      const stacks = new Map<number, [number, number]>();
      for (const [stackId, v] of p.stacks) {
        const names = history.frames.get(stackId);
        if (names) stacks.set(this.#stackId(this.#nameIds(names.map((n) => this.#names.id(n)))), [v[0], v[1]]);
      }
      this.#append(p.t, p.totalBytes, stacks);
    }
  }

  /** Adds a profile of `epoch` taken at `t` (ms) and evaluates. */
  observe(epoch: string, t: number, profile: HeapProfile): FindingEvent[] {
    const events: FindingEvent[] = [];
    if (epoch !== this.#epoch) {
      if (this.#epoch !== undefined) events.push(...this.#tracker.endEpoch(t));
      this.#epoch = epoch;
      this.#reset();
    }
    for (const m of profile.modules) this.#modules.set(m.path, m.version);
    for (const f of profile.functions) this.#functions.add(this.#names.canonical(f.name));
    this.#append(t, totalOf(profile, 'inuse_space'), this.#stackValues(profile));
    const detections = evaluateEpoch(
      {
        times: this.#times,
        totals: this.#totals,
        series: this.#series,
        lastObjects: this.#lastObjects,
        frames: (id) => this.#frames[id]!,
        modules: this.#modules,
        functions: this.#functions,
      },
      this.#params,
    );
    events.push(...this.#tracker.update(epoch, t, detections));
    return events;
  }

  /** A new process: new stacks, new history. */
  #reset(): void {
    this.#times = [];
    this.#totals = [];
    this.#series = new Map();
    this.#lastObjects = new Map();
    this.#modules = new Map();
    this.#functions = new Set();
    this.#stackIds.clear();
    this.#frames = [];
  }

  /** Appends one point and drops the points (and stacks) that left the window. */
  #append(t: number, total: number, stacks: Map<number, [number, number]>): void {
    const n = this.#times.length;
    this.#times.push(t);
    this.#totals.push(total);
    this.#lastObjects = new Map();
    for (const [id, [bytes, objects]] of stacks) {
      let col = this.#series.get(id);
      if (!col) {
        col = new Array<number>(n).fill(0);
        this.#series.set(id, col);
      }
      col.push(bytes);
      this.#lastObjects.set(id, objects);
    }
    for (const col of this.#series.values()) if (col.length === n) col.push(0);
    let drop = 0;
    while (drop < this.#times.length && this.#times[drop]! < t - this.#params.windowMs) drop++;
    if (drop === 0) return;
    this.#times.splice(0, drop);
    this.#totals.splice(0, drop);
    for (const [id, col] of this.#series) {
      col.splice(0, drop);
      if (col.every((v) => v === 0)) this.#series.delete(id);
    }
  }

  /** The process is gone (restart seen elsewhere, or the target left the config). */
  end(t: number, reason: string): FindingEvent[] {
    this.#epoch = undefined;
    this.#reset();
    return this.#tracker.endEpoch(t, reason);
  }

  open(): Finding[] {
    return this.#tracker.open();
  }

  /** Copies name ids into the scratch buffer; returns how many. */
  #nameIds(ids: ArrayLike<number>): number {
    if (ids.length > this.#scratch.length) this.#scratch = new Uint32Array(Math.max(ids.length, 2 * this.#scratch.length));
    for (let k = 0; k < ids.length; k++) this.#scratch[k] = ids[k]!;
    return ids.length;
  }

  /** The stack id of the first `n` name ids in the scratch buffer. */
  #stackId(n: number): number {
    const ids = this.#scratch;
    let id = this.#stackIds.get(ids, n);
    if (id === undefined) {
      id = this.#frames.length;
      this.#frames.push(Array.from(ids.subarray(0, n), (i) => this.#names.name(i)));
      this.#stackIds.add(ids, n, id);
    }
    return id;
  }

  #stackValues(profile: HeapProfile): Map<number, [number, number]> {
    const bi = profile.sampleTypes.findIndex((s) => s.type === 'inuse_space');
    const oi = profile.sampleTypes.findIndex((s) => s.type === 'inuse_objects');
    const stacks = new Map<number, [number, number]>();
    // Each function's name id once per profile, not once per frame.
    const nameIdOf = profile.functions.map((f) => this.#names.id(f.name));
    for (let si = 0; si < stackCount(profile); si++) {
      const b = stackValue(profile, si, bi);
      const o = stackValue(profile, si, oi);
      if (b === 0 && o === 0) continue;
      const local = stackFrames(profile, si);
      if (local.length > this.#scratch.length) this.#scratch = new Uint32Array(Math.max(local.length, 2 * this.#scratch.length));
      for (let k = 0; k < local.length; k++) this.#scratch[k] = nameIdOf[local[k]!]!;
      const id = this.#stackId(local.length);
      const prev = stacks.get(id);
      stacks.set(id, prev ? [prev[0] + b, prev[1] + o] : [b, o]);
    }
    return stacks;
  }
}

export interface SeedHistory {
  points: readonly { t: number; totalBytes: number; stacks: ReadonlyMap<number, readonly [number, number]> }[];
  frames: ReadonlyMap<number, readonly string[]>;
  modules: ReadonlyMap<string, string>;
  functions: ReadonlySet<string>;
}

function totalOf(profile: HeapProfile, type: string): number {
  const i = profile.sampleTypes.findIndex((s) => s.type === type);
  return i < 0 ? 0 : profile.totals[i]!;
}
