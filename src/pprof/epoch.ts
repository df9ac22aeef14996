/**
 * How one profile relates to the previous one from the same target. Pure.
 *
 * Go's heap profile is a snapshot as of the most recently completed GC, and
 * its alloc_* counters only grow for the life of a process. So:
 * - all four totals unchanged: no GC since the last scrape, nothing new;
 * - an alloc counter went down: the process restarted;
 * - the main binary's build id changed: a new build was deployed.
 */
import { sampleTotal, type HeapProfile } from './profile.js';

/** What of a profile decides its relation to the previous one: build id and the four totals. */
export interface ProfileSummary {
  buildId: string;
  /** alloc_objects, alloc_space, inuse_objects, inuse_space. */
  allocObjects: number;
  allocBytes: number;
  inuseObjects: number;
  inuseBytes: number;
}

/** How a profile relates to the previous one of its target (see above); restart and build_changed start a new epoch. */
export type Transition = 'first' | 'same_epoch' | 'stale' | 'restart' | 'build_changed';

export function summarize(profile: HeapProfile): ProfileSummary {
  return {
    buildId: profile.buildId,
    allocObjects: sampleTotal(profile, 'alloc_objects'),
    allocBytes: sampleTotal(profile, 'alloc_space'),
    inuseObjects: sampleTotal(profile, 'inuse_objects'),
    inuseBytes: sampleTotal(profile, 'inuse_space'),
  };
}

/**
 * `newProcess`: the source knows this profile is from another process than
 * the one before (pyroscope-go's `__session_id__` changed), where the
 * profile cannot show it: pushed godeltaprof profiles carry no running
 * alloc totals to go down (push/delta.ts).
 */
export function classifyTransition(prev: ProfileSummary | undefined, next: ProfileSummary, newProcess = false): Transition {
  if (!prev) return 'first';
  if (prev.buildId !== '' && next.buildId !== '' && prev.buildId !== next.buildId) return 'build_changed';
  if (newProcess || next.allocObjects < prev.allocObjects || next.allocBytes < prev.allocBytes) return 'restart';
  if (
    next.allocObjects === prev.allocObjects &&
    next.allocBytes === prev.allocBytes &&
    next.inuseObjects === prev.inuseObjects &&
    next.inuseBytes === prev.inuseBytes
  ) {
    return 'stale';
  }
  return 'same_epoch';
}

/**
 * Epoch flapping: counters that go down on every scrape (two processes behind
 * one URL) would open a new epoch, and write a full keyframe, every time.
 * From the 3rd restart in a row, a new epoch is only opened on the 4th, 8th,
 * 16th, 32nd and then every 64th; the others are refused (the daemon records
 * them as HW_ERR_EPOCH_FLAPPING).
 */
export function flapHoldsBack(streak: number): boolean {
  if (streak < 3) return false;
  if (streak <= 64) return (streak & (streak - 1)) !== 0;
  return streak % 64 !== 0;
}

/** What one profile is to its target's process history. */
export interface EpochDecision {
  transition: Transition;
  summary: ProfileSummary;
  /** Consecutive profiles that each looked like a new process, this one included. */
  restartStreak: number;
  /** Refused by the flapping guard: not stored, but the next profile is compared with it. */
  flapping: boolean;
}

/**
 * The one place a target's process epochs are decided, per target and pure:
 * the store's writer keeps one per target (resumed from the stored state
 * after a daemon restart) and writes what it decides; `heapwatch analyze`'s
 * replay keeps one per series. `decide` changes nothing; `commit` makes the
 * decision the one the next profile is compared with, once it is final
 * (stored, or refused as flapping). A decision that was not committed (the
 * write failed) leaves the tracker as it was.
 */
export class EpochTracker {
  readonly #flapGuard: boolean;
  #last: ProfileSummary | undefined;
  #streak = 0;

  /** `last`: the summary of the last profile of the open epoch, if any; `flapGuard`: refuse flapping restarts (the daemon). */
  constructor(last?: ProfileSummary, options: { flapGuard?: boolean } = {}) {
    this.#last = last;
    this.#flapGuard = options.flapGuard ?? true;
  }

  decide(profile: HeapProfile, newProcess = false): EpochDecision {
    const summary = summarize(profile);
    const transition = classifyTransition(this.#last, summary, newProcess);
    const restartStreak = transition === 'restart' || transition === 'build_changed' ? this.#streak + 1 : 0;
    return { transition, summary, restartStreak, flapping: this.#flapGuard && flapHoldsBack(restartStreak) };
  }

  commit(decision: EpochDecision): void {
    this.#last = decision.summary;
    this.#streak = decision.restartStreak;
  }
}
