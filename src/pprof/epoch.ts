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

export function classifyTransition(prev: ProfileSummary | undefined, next: ProfileSummary): Transition {
  if (!prev) return 'first';
  if (prev.buildId !== '' && next.buildId !== '' && prev.buildId !== next.buildId) return 'build_changed';
  if (next.allocObjects < prev.allocObjects || next.allocBytes < prev.allocBytes) return 'restart';
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
