/**
 * Replays a target's decoded profiles, in time order, through the same
 * engine and finding lifecycle the daemon uses. Pure: profiles in, findings
 * out. `heapwatch analyze` and the corpus evaluation run on this.
 */
import { classifyTransition, summarize, type ProfileSummary } from '../pprof/epoch.js';
import type { HeapProfile } from '../pprof/profile.js';
import { evaluateEpoch, type HistoryPoint } from './engine.js';
import { FindingTracker, type Finding } from './findings.js';
import type { DetectParams } from './params.js';

export interface ReplayResult {
  findings: Finding[];
  epochs: number;
  profiles: number;
  staleProfiles: number;
}

/** Incrementally feeds profiles; `finish()` returns every finding, open and resolved. */
export class Replayer {
  readonly #params: DetectParams;
  readonly #tracker: FindingTracker;
  readonly #stackIds = new Map<string, number>();
  readonly #frames: string[][] = [];
  readonly #resolved: Finding[] = [];
  #points: HistoryPoint[] = [];
  #modules = new Map<string, string>();
  #functions = new Set<string>();
  #summary: ProfileSummary | undefined;
  #epoch = 0;
  #profiles = 0;
  #stale = 0;

  constructor(params: DetectParams) {
    this.#params = params;
    this.#tracker = new FindingTracker(params);
  }

  add(profile: HeapProfile, fallbackTime: number): void {
    this.#profiles++;
    const t = profile.timeMs || fallbackTime;
    const summary = summarize(profile);
    const transition = classifyTransition(this.#summary, summary);
    this.#summary = summary;
    if (transition === 'stale') {
      this.#stale++;
      return;
    }
    if (transition !== 'same_epoch') {
      if (this.#epoch > 0) this.#collect(this.#tracker.endEpoch(t, transition === 'restart' ? 'process restarted' : 'new build deployed'));
      this.#epoch++;
      this.#points = [];
      this.#modules = new Map();
      this.#functions = new Set();
    }
    for (const m of profile.modules) this.#modules.set(m.path, m.version);
    for (const f of profile.functions) this.#functions.add(f.name);
    const bi = profile.sampleTypes.findIndex((s) => s.type === 'inuse_space');
    const oi = profile.sampleTypes.findIndex((s) => s.type === 'inuse_objects');
    const stacks = new Map<number, [number, number]>();
    for (const s of profile.stacks) {
      const b = s.values[bi] ?? 0;
      const o = s.values[oi] ?? 0;
      if (b === 0 && o === 0) continue;
      const names = s.frames.map((f) => profile.functions[f]!.name);
      const key = names.join('\n');
      let id = this.#stackIds.get(key);
      if (id === undefined) {
        id = this.#frames.length;
        this.#frames.push(names);
        this.#stackIds.set(key, id);
      }
      const prev = stacks.get(id);
      stacks.set(id, prev ? [prev[0] + b, prev[1] + o] : [b, o]);
    }
    this.#points.push({ t, totalBytes: summary.inuseBytes, stacks });
    // Keep only what the window needs.
    const from = t - this.#params.windowMs;
    while (this.#points.length > 0 && this.#points[0]!.t < from) this.#points.shift();
    const detections = evaluateEpoch(
      { points: this.#points, frames: (id) => this.#frames[id]!, modules: this.#modules, functions: this.#functions },
      this.#params,
    );
    this.#collect(this.#tracker.update(String(this.#epoch), t, detections));
  }

  finish(): ReplayResult {
    const open = this.#tracker.open();
    return { findings: [...this.#resolved, ...open], epochs: this.#epoch, profiles: this.#profiles, staleProfiles: this.#stale };
  }

  #collect(events: ReturnType<FindingTracker['update']>): void {
    for (const e of events) if (e.type === 'resolved') this.#resolved.push(e.finding);
  }
}
