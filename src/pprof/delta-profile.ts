/**
 * Go's net/http/pprof answers `?seconds=N` on /debug/pprof/heap (and on the
 * goroutine endpoints) with a delta: the second of two profiles N seconds
 * apart minus the first, inuse columns included, with duration_nanos set to
 * the span. A profile Go writes as it is leaves duration_nanos at 0 (every
 * heap and goroutine profile of the corpus, Go 1.19 to 1.27; a real server
 * gave 0 without `seconds` and 3.0 s with `?seconds=3`). heapwatch reads
 * inuse as what is live now: a delta read that way is a heap of a few
 * megabytes that changes sign from scrape to scrape, and every trend on it
 * is wrong. So a delta is refused with a code that says what to change.
 *
 * Pushed profiles are not checked here: pyroscope-go sends its alloc columns
 * as deltas on purpose, and push/delta.ts handles those.
 */
import { HeapwatchError } from '../errors.js';
import type { HeapProfile } from './profile.js';

/** Throws HW_ERR_PROFILE_DELTA when the profile covers a span instead of an instant. */
export function refuseDeltaProfile(profile: Pick<HeapProfile, 'durationNanos'>): void {
  if (!(profile.durationNanos > 0)) return;
  const seconds = profile.durationNanos / 1e9;
  throw new HeapwatchError(
    'HW_ERR_PROFILE_DELTA',
    `it covers ${seconds >= 10 ? seconds.toFixed(0) : seconds.toFixed(1)} s (duration_nanos); heapwatch needs the profile as it is now: fetch the URL without "seconds"`,
  );
}
