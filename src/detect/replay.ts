/**
 * Replays a target's decoded profiles, in time order, through a
 * DetectionSession: process epochs are told apart exactly as the store does
 * (alloc counters going down, a new build id), and profiles with no GC since
 * the previous one are skipped. `heapwatch analyze` and the corpus evaluation
 * run on this.
 */
import { EpochTracker } from '../pprof/epoch.js';
import type { HeapProfile } from '../pprof/profile.js';
import type { Finding, FindingEvent } from './findings.js';
import type { DetectParams } from './params.js';
import { DetectionSession } from './session.js';

export interface ReplayResult {
  findings: Finding[];
  epochs: number;
  profiles: number;
  staleProfiles: number;
  /** The last process epoch: profiles that changed (judged) and the time they span. */
  lastEpoch: { profiles: number; spanMs: number };
}

export class Replayer {
  readonly #session: DetectionSession;
  readonly #resolved: Finding[] = [];
  /** The store's epoch decision, without the daemon's flapping guard (a recorded series is replayed as it is). */
  readonly #epochs = new EpochTracker(undefined, { flapGuard: false });
  #epoch = 0;
  #profiles = 0;
  #stale = 0;
  #epochFirst = 0;
  #epochLast = 0;
  #epochProfiles = 0;

  constructor(params: DetectParams) {
    this.#session = new DetectionSession(params);
  }

  add(profile: HeapProfile, fallbackTime: number): void {
    this.#profiles++;
    const t = profile.timeMs || fallbackTime;
    const decision = this.#epochs.decide(profile);
    this.#epochs.commit(decision);
    const { transition } = decision;
    if (transition === 'stale') {
      this.#stale++;
      this.#collect(this.#session.observeStale(t));
      return;
    }
    if (transition !== 'same_epoch') {
      this.#epoch++;
      this.#epochFirst = t;
      this.#epochProfiles = 0;
    }
    this.#epochLast = t;
    this.#epochProfiles++;
    this.#collect(this.#session.observe(String(this.#epoch), t, profile));
  }

  finish(): ReplayResult {
    return {
      findings: [...this.#resolved, ...this.#session.open()],
      epochs: this.#epoch,
      profiles: this.#profiles,
      staleProfiles: this.#stale,
      lastEpoch: { profiles: this.#epochProfiles, spanMs: this.#epochLast - this.#epochFirst },
    };
  }

  #collect(events: FindingEvent[]): void {
    for (const e of events) if (e.type === 'resolved') this.#resolved.push(e.finding);
  }
}
