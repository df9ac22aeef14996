/**
 * Which pushed profiles heapwatch keeps. Pyroscope names a profile type by
 * the series' `__name__` label (Alloy's pyroscope.write) or, on /ingest, by
 * the sample types pyroscope-go declares in `sample_type_config`. Heap
 * profiles are kept; every other type is acknowledged (the pusher must not
 * retry it) and counted as dropped, by type.
 */
import type { ProfileKind } from './pipeline-types.js';

export interface KeptKind {
  kind: ProfileKind;
  /**
   * The alloc_* sample types are deltas since the previous push (godeltaprof),
   * not the process's running totals that Go's /debug/pprof/heap serves. They
   * are removed before storage (see delta.ts); inuse_* are sent as they are.
   */
  allocIsDelta: boolean;
}

/** `__name__` → what heapwatch does with it. */
export const KEPT_KINDS: Readonly<Record<string, KeptKind>> = {
  memory: { kind: 'heap', allocIsDelta: false },
  // Alloy's pyroscope.scrape `profile.godeltaprof_memory` (/debug/pprof/delta_heap).
  godeltaprof_memory: { kind: 'heap', allocIsDelta: true },
  // Goroutine counts (issue 14): stored and judged as the scraped ones (pipeline/goroutine-ingest.ts).
  goroutine: { kind: 'goroutine', allocIsDelta: false },
  goroutineleak: { kind: 'goroutineleak', allocIsDelta: false },
};

/** Profile types named in the dropped-profiles metric; anything else is counted as `other` (bounded label values). */
const KNOWN_TYPES = new Set([
  'process_cpu',
  'cpu',
  'memory',
  'godeltaprof_memory',
  'goroutine',
  'goroutineleak',
  'mutex',
  'godeltaprof_mutex',
  'block',
  'godeltaprof_block',
  'fgprof',
  'wall',
  'unknown',
]);

export function metricTypeLabel(name: string): string {
  return KNOWN_TYPES.has(name) ? name : 'other';
}

/** One entry of pyroscope-go's `sample_type_config` (a JSON object keyed by sample type). */
export interface SampleTypeEntry {
  units?: string;
  aggregation?: string;
  'display-name'?: string;
  sampled?: boolean;
  cumulative?: boolean;
}

const HEAP_SAMPLE_TYPES = ['inuse_space', 'inuse_objects', 'alloc_space', 'alloc_objects'];

/**
 * The Pyroscope profile type of an /ingest upload, from what pyroscope-go
 * sends with it: its sample_type_config (heap, mutex, block, goroutine), or
 * for CPU, which has none, `units=samples`. Without either, the profile is
 * taken as a Go heap profile (the decoder refuses one that is not, with
 * HW_ERR_PROFILE_NOT_HEAP); Go's own heap profile has cumulative alloc counters.
 */
export function ingestProfileType(config: Readonly<Record<string, SampleTypeEntry>> | undefined, units: string | undefined): { name: string; allocIsDelta: boolean } {
  if (config) {
    const keys = Object.keys(config);
    const heap = keys.filter((k) => HEAP_SAMPLE_TYPES.includes(k));
    if (heap.length > 0) {
      // As in Pyroscope, a declared sample type is a delta unless it says `cumulative: true`;
      // pyroscope-go declares its godeltaprof alloc_* without it (Go's omitempty of false).
      const alloc = (['alloc_space', 'alloc_objects'] as const).map((k) => config[k]).filter((e) => e !== undefined);
      return { name: 'memory', allocIsDelta: alloc.some((e) => e.cumulative !== true) };
    }
    const display = keys.map((k) => config[k]?.['display-name'] ?? '').join(' ');
    if (/\bmutex_/.test(display)) return { name: 'mutex', allocIsDelta: false };
    if (/\bblock_/.test(display)) return { name: 'block', allocIsDelta: false };
    if (keys.includes('goroutineleak')) return { name: 'goroutineleak', allocIsDelta: false };
    if (keys.includes('goroutine')) return { name: 'goroutine', allocIsDelta: false };
    if (keys.includes('samples') || keys.includes('cpu')) return { name: 'process_cpu', allocIsDelta: false };
    return { name: 'unknown', allocIsDelta: false };
  }
  if (units === 'samples') return { name: 'process_cpu', allocIsDelta: false };
  if (units === 'goroutines') return { name: 'goroutine', allocIsDelta: false };
  return { name: 'memory', allocIsDelta: false };
}
