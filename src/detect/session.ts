/**
 * Detection for one target: the window of recent points of the current
 * process epoch, and the finding lifecycle. The daemon feeds it each stored
 * profile (with the store's epoch id); `analyze` feeds it files. Both get the
 * same engine, the same defaults and the same lifecycle.
 */
import type { HeapProfile } from '../pprof/profile.js';
import { evaluateEpoch, type HistoryPoint } from './engine.js';
import { FindingTracker, type Finding, type FindingEvent } from './findings.js';
import type { DetectParams } from './params.js';

export class DetectionSession {
  readonly #params: DetectParams;
  readonly #tracker: FindingTracker;
  readonly #stackIds = new Map<string, number>();
  #frames: string[][] = [];
  #points: HistoryPoint[] = [];
  #modules = new Map<string, string>();
  #functions = new Set<string>();
  #epoch: string | undefined;

  constructor(params: DetectParams, openFindings: Finding[] = []) {
    this.#params = params;
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
    this.#modules = new Map(history.modules);
    this.#functions = new Set(history.functions);
    this.#points = history.points.map((p) => {
      const stacks = new Map<number, [number, number]>();
      for (const [stackId, v] of p.stacks) {
        const names = history.frames.get(stackId);
        if (names) stacks.set(this.#stackId(names), [v[0], v[1]]);
      }
      return { t: p.t, totalBytes: p.totalBytes, stacks };
    });
  }

  /** Adds a profile of `epoch` taken at `t` (ms) and evaluates. */
  observe(epoch: string, t: number, profile: HeapProfile): FindingEvent[] {
    const events: FindingEvent[] = [];
    if (epoch !== this.#epoch) {
      if (this.#epoch !== undefined) events.push(...this.#tracker.endEpoch(t));
      this.#epoch = epoch;
      this.#points = [];
      this.#modules = new Map();
      this.#functions = new Set();
      // Stack ids are per epoch: a new process has new stacks.
      this.#stackIds.clear();
      this.#frames = [];
    }
    for (const m of profile.modules) this.#modules.set(m.path, m.version);
    for (const f of profile.functions) this.#functions.add(f.name);
    this.#points.push({ t, totalBytes: totalOf(profile, 'inuse_space'), stacks: this.#stackValues(profile) });
    const from = t - this.#params.windowMs;
    while (this.#points.length > 0 && this.#points[0]!.t < from) this.#points.shift();
    const detections = evaluateEpoch(
      { points: this.#points, frames: (id) => this.#frames[id]!, modules: this.#modules, functions: this.#functions },
      this.#params,
    );
    events.push(...this.#tracker.update(epoch, t, detections));
    return events;
  }

  /** The process is gone (restart seen elsewhere, or the target left the config). */
  end(t: number, reason: string): FindingEvent[] {
    this.#epoch = undefined;
    this.#points = [];
    return this.#tracker.endEpoch(t, reason);
  }

  open(): Finding[] {
    return this.#tracker.open();
  }

  #stackId(names: readonly string[]): number {
    const key = names.join('\n');
    let id = this.#stackIds.get(key);
    if (id === undefined) {
      id = this.#frames.length;
      this.#frames.push([...names]);
      this.#stackIds.set(key, id);
    }
    return id;
  }

  #stackValues(profile: HeapProfile): Map<number, [number, number]> {
    const bi = profile.sampleTypes.findIndex((s) => s.type === 'inuse_space');
    const oi = profile.sampleTypes.findIndex((s) => s.type === 'inuse_objects');
    const stacks = new Map<number, [number, number]>();
    for (const s of profile.stacks) {
      const b = s.values[bi] ?? 0;
      const o = s.values[oi] ?? 0;
      if (b === 0 && o === 0) continue;
      const id = this.#stackId(s.frames.map((f) => profile.functions[f]!.name));
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
