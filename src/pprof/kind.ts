/**
 * Which Go profile a decoded profile is, told by its sample types (never by
 * a file name or an endpoint: `analyze` reads folders of mixed files, and a
 * proxy may serve any profile under any path). Pure.
 *
 * - heap: `alloc_objects, alloc_space, inuse_objects, inuse_space` (inuse is what is judged);
 * - goroutine: one sample type `goroutine/count`, one sample per distinct stack,
 *   value = goroutines with that stack (`/debug/pprof/goroutine`);
 * - goroutineleak: one sample type `goroutineleak/count`, value = goroutines
 *   the runtime proved leaked (`/debug/pprof/goroutineleak`, Go 1.26 with
 *   GOEXPERIMENT=goroutineleakprofile, Go 1.27 by default). An empty one is
 *   valid: nothing leaked.
 */
import type { SampleType } from './profile.js';

/** A kind of Go profile heapwatch reads. The pipeline contract (src/pipeline/source.ts) names the same three. */
export type ProfileKind = 'heap' | 'goroutine' | 'goroutineleak';

export const PROFILE_KINDS: readonly ProfileKind[] = ['heap', 'goroutine', 'goroutineleak'];

/** The kind of a profile with these sample types, or undefined for any other profile (cpu, mutex, block, ...). */
export function profileKindOf(sampleTypes: readonly SampleType[]): ProfileKind | undefined {
  const has = (type: string): boolean => sampleTypes.some((t) => t.type === type);
  if (has('inuse_space') && has('inuse_objects')) return 'heap';
  if (sampleTypes.length === 1 && sampleTypes[0]!.type === 'goroutine') return 'goroutine';
  if (sampleTypes.length === 1 && sampleTypes[0]!.type === 'goroutineleak') return 'goroutineleak';
  return undefined;
}

/** The goroutine-count kinds: their single value is a number of goroutines per stack. */
export type GoroutineKind = Exclude<ProfileKind, 'heap'>;

/** Goroutine-count kinds: their single value is a number of goroutines per stack. */
export function isGoroutineKind(kind: ProfileKind): kind is GoroutineKind {
  return kind === 'goroutine' || kind === 'goroutineleak';
}
