/**
 * Replays one target's goroutine (or goroutineleak) profiles, in time order,
 * through a GoroutineSession, as replay.ts does for heap profiles.
 * `heapwatch analyze` and the corpus evaluation run on this.
 *
 * Epochs: a goroutine profile has no allocation counters, so a new process
 * shows only as a new build id (a deploy). A goroutine profile is a live
 * snapshot, never stale.
 */
import type { HeapProfile } from '../pprof/profile.js';
import type { Finding, FindingEvent } from './findings.js';
import { GoroutineSession, type GoroutineKind } from './goroutine.js';
import type { DetectParams } from './params.js';
import type { ReplayResult } from './replay.js';

export class GoroutineReplayer {
  readonly #kind: GoroutineKind;
  readonly #session: GoroutineSession;
  readonly #resolved: Finding[] = [];
  #buildId: string | undefined;
  #epoch = 0;
  #profiles = 0;
  #epochFirst = 0;
  #epochLast = 0;
  #epochProfiles = 0;

  constructor(kind: GoroutineKind, params: DetectParams) {
    this.#kind = kind;
    this.#session = new GoroutineSession(params);
  }

  add(profile: HeapProfile, fallbackTime: number): void {
    this.#profiles++;
    const t = profile.timeMs || fallbackTime;
    const newBuild = this.#buildId !== undefined && profile.buildId !== '' && this.#buildId !== '' && profile.buildId !== this.#buildId;
    if (this.#buildId === undefined || newBuild) {
      this.#epoch++;
      this.#epochFirst = t;
      this.#epochProfiles = 0;
    }
    this.#buildId = profile.buildId;
    this.#epochLast = t;
    this.#epochProfiles++;
    this.#collect(this.#session.observe(this.#kind, String(this.#epoch), t, profile));
  }

  finish(): ReplayResult {
    return {
      findings: [...this.#resolved, ...this.#session.open()],
      epochs: this.#epoch,
      profiles: this.#profiles,
      staleProfiles: 0,
      lastEpoch: { profiles: this.#epochProfiles, spanMs: this.#epochLast - this.#epochFirst },
    };
  }

  #collect(events: FindingEvent[]): void {
    for (const e of events) if (e.type === 'resolved') this.#resolved.push(e.finding);
  }
}
